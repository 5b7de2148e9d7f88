#include "datasetbrowser.h"

#include "data/datasettable.h"
#include "elidedlabel.h"
#include "filterbar.h"
#include "missingvaluedelegate.h"
#include "models/datasettablemodel.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace kiln {

namespace {

constexpr int kMinColumnWidth = 80;
constexpr int kMaxColumnWidth = 280;
// A sort of a few thousand rows is over before anyone could read "Sorting…"; showing it
// only past this delay spares the flicker.
constexpr int kBusyDelayMs = 150;

} // namespace

DatasetBrowser::DatasetBrowser(QWidget *parent)
    : QWidget(parent)
    , m_model(new DatasetTableModel(this))
    , m_title(new QLabel(this))
    , m_info(new ElidedLabel(this))
    , m_filterBar(new FilterBar(this))
    , m_busyStrip(new QWidget(this))
    , m_busyLabel(new QLabel(m_busyStrip))
    , m_view(new QTableView(this))
    , m_train(new QPushButton(tr("Train…"), this))
{
    m_title->setObjectName(QStringLiteral("versionTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText);
    m_info->setObjectName(QStringLiteral("versionInfo"));
    m_view->setObjectName(QStringLiteral("datasetTable"));
    m_train->setObjectName(QStringLiteral("trainDatasetButton"));
    m_train->setToolTip(tr("Train a model on this version: choose the target, trainer and hyperparameters (Ctrl+T)"));
    connect(m_train, &QPushButton::clicked, this, &DatasetBrowser::trainRequested);

    auto *busyBar = new QProgressBar(m_busyStrip);
    busyBar->setRange(0, 0); // a sort has no meaningful fraction to show
    busyBar->setMaximumHeight(m_busyLabel->sizeHint().height());
    busyBar->setTextVisible(false);
    auto *cancel = new QPushButton(tr("Cancel"), m_busyStrip);
    cancel->setObjectName(QStringLiteral("busyCancel"));
    auto *busyLayout = new QHBoxLayout(m_busyStrip);
    busyLayout->setContentsMargins(0, 0, 0, 0);
    busyLayout->addWidget(m_busyLabel);
    busyLayout->addWidget(busyBar, 1);
    busyLayout->addWidget(cancel);
    m_busyStrip->setObjectName(QStringLiteral("busyStrip"));
    m_busyStrip->hide();
    m_busyDelay.setSingleShot(true);
    m_busyDelay.setInterval(kBusyDelayMs);
    connect(&m_busyDelay, &QTimer::timeout, m_busyStrip, &QWidget::show);
    connect(cancel, &QPushButton::clicked, m_model, &DatasetTableModel::cancel);

    m_view->setModel(m_model);
    m_view->setItemDelegate(new MissingValueDelegate(m_view));
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(true);
    m_view->setCornerButtonEnabled(false);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Every row the same height: the view then never asks a row it does not show.
    QHeaderView *rows = m_view->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    rows->setDefaultAlignment(Qt::AlignRight | Qt::AlignVCenter);
    QHeaderView *columns = m_view->horizontalHeader();
    columns->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    columns->setMinimumSectionSize(kMinColumnWidth);
    columns->setTextElideMode(Qt::ElideRight);
    columns->setHighlightSections(true);
    // Enabling sorting sorts by the indicator at once; with none set, nothing is sorted.
    columns->setSortIndicator(-1, Qt::AscendingOrder);
    m_view->setSortingEnabled(true);

    connect(columns, &QHeaderView::sectionClicked, this, &DatasetBrowser::setCurrentColumn);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &current) {
        if (current.isValid())
            setCurrentColumn(current.column());
    });
    connect(m_model, &DatasetTableModel::viewChanged, this, &DatasetBrowser::onViewChanged);
    connect(m_model, &DatasetTableModel::busyChanged, this, &DatasetBrowser::onBusyChanged);
    connect(m_filterBar, &FilterBar::filterRequested, this, &DatasetBrowser::applyFilter);
    connect(m_filterBar, &FilterBar::clearRequested, this, [this] {
        m_model->clearFilter();
        m_filterBar->setActive(false);
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 4);
    layout->setSpacing(6);
    auto *infoRow = new QHBoxLayout;
    infoRow->setSpacing(8);
    infoRow->addWidget(m_title);
    infoRow->addWidget(m_info, 1);
    infoRow->addWidget(m_train);
    layout->addLayout(infoRow);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_busyStrip);
    layout->addWidget(m_view, 1);
}

DatasetBrowser::~DatasetBrowser() = default;

void DatasetBrowser::setTable(std::shared_ptr<const DatasetTable> table)
{
    const QStringList names = table ? table->columnNames() : QStringList();
    QList<ColumnType> types;
    for (int c = 0; table && c < table->columnCount(); ++c)
        types << table->columnType(c);
    const bool sameColumns = !names.isEmpty() && names == m_columnNames;
    const int keepColumn = sameColumns ? m_currentColumn : (names.isEmpty() ? -1 : 0);
    m_columnNames = names;

    m_model->setTable(std::move(table));
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_filterBar->setColumns(names, types);
    fitColumns();
    updateInfo();

    // Announced even when unchanged: the same column of another version has other statistics.
    m_currentColumn = keepColumn;
    m_filterBar->suggestColumn(keepColumn);
    Q_EMIT currentColumnChanged(keepColumn);
    restoreCurrentCell();
}

void DatasetBrowser::setCurrentColumn(int column)
{
    if (column >= m_model->columnCount())
        column = -1;
    if (column == m_currentColumn)
        return;
    m_currentColumn = column;
    m_filterBar->suggestColumn(column);
    Q_EMIT currentColumnChanged(column);
}

void DatasetBrowser::applyFilter(const RowFilter &filter)
{
    const Status status = m_model->setFilter(filter);
    if (!status) {
        m_filterBar->showError(status.errorMessage());
        return;
    }
    m_filterBar->setActive(true);
}

void DatasetBrowser::onViewChanged()
{
    m_filterBar->setCounts(m_model->rowCount(), m_model->totalRowCount(), m_model->filter().isActive());
    restoreCurrentCell();
}

void DatasetBrowser::onBusyChanged(bool busy)
{
    if (busy) {
        const bool sorting = m_model->sortColumn() >= 0;
        const bool filtering = m_model->filter().isActive();
        const QString rows = QLocale().toString(m_model->totalRowCount());
        m_busyLabel->setText(sorting && filtering ? tr("Filtering and sorting %1 rows…").arg(rows)
                                 : filtering      ? tr("Filtering %1 rows…").arg(rows)
                                                  : tr("Sorting %1 rows…").arg(rows));
        m_view->viewport()->setCursor(Qt::BusyCursor);
        m_busyDelay.start();
        return;
    }
    m_busyDelay.stop();
    m_busyStrip->hide();
    m_view->viewport()->unsetCursor();
    // After a cancel the model describes the view it kept; the header and the bar follow it.
    syncSortIndicator();
    m_filterBar->setActive(m_model->filter().isActive());
}

void DatasetBrowser::syncSortIndicator()
{
    QHeaderView *header = m_view->horizontalHeader();
    if (header->sortIndicatorSection() != m_model->sortColumn()
        || (m_model->sortColumn() >= 0 && header->sortIndicatorOrder() != m_model->sortOrder())) {
        header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    }
}

void DatasetBrowser::fitColumns()
{
    // Sized from the rows in sight (decoded anyway), then kept within bounds so that one
    // long text column does not push the others out of the window.
    m_view->resizeColumnsToContents();
    QHeaderView *header = m_view->horizontalHeader();
    for (int c = 0; c < header->count(); ++c)
        header->resizeSection(c, std::clamp(header->sectionSize(c) + 12, kMinColumnWidth, kMaxColumnWidth));
}

void DatasetBrowser::restoreCurrentCell()
{
    if (m_currentColumn < 0 || m_model->rowCount() == 0)
        return;
    const QModelIndex current = m_view->currentIndex();
    if (current.isValid() && current.column() == m_currentColumn)
        return;
    const QModelIndex cell = m_model->index(0, m_currentColumn);
    m_view->selectionModel()->setCurrentIndex(cell, QItemSelectionModel::ClearAndSelect);
}

void DatasetBrowser::updateInfo()
{
    const std::shared_ptr<const DatasetTable> &table = m_model->table();
    if (!table) {
        m_title->clear();
        m_info->setFullText({});
        return;
    }
    const DatasetVersion &version = table->version();
    const QLocale locale;
    const QString source = QFileInfo(version.sourcePath).fileName();
    m_title->setText(tr("%1 v%2").arg(version.datasetName).arg(version.version));
    m_title->setToolTip(version.sourcePath);
    m_info->setFullText(tr("%1 rows × %2 columns  ·  %3  ·  imported %4 from %5")
                            .arg(locale.toString(version.rowCount), locale.toString(version.columnCount),
                                 locale.formattedDataSize(version.sourceSize),
                                 version.importedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                                 source));
}

} // namespace kiln
