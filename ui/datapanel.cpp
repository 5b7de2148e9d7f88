#include "datapanel.h"

#include "appearance.h"
#include "columnstatspane.h"
#include "data/datasettable.h"
#include "datasetbrowser.h"
#include "emptystatewidget.h"
#include "icons.h"
#include "models/datasetlistmodel.h"
#include "theme.h"
#include "workspace/workspace.h"

#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QSet>
#include <QSplitter>
#include <QStackedWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace kiln {

namespace {

constexpr int kTreeWidth = 260;
constexpr int kStatsWidth = 320;

QString dropHint()
{
    return DataPanel::tr("Drop CSV, TSV, JSON-lines files or archives (zip, tar.gz, …) here, "
                         "or use File › Import Files… (Ctrl+I). Each file becomes a dataset; "
                         "importing changed content again makes a new version. An MLflow store "
                         "dropped here (an mlruns folder or an mlflow.db) brings its runs into "
                         "the Experiments panel.");
}

} // namespace

DataPanel::DataPanel(QWidget *parent)
    : QWidget(parent)
    , m_datasets(new DatasetListModel(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_tree(new QTreeView)
    , m_treeHint(new QLabel)
    , m_center(new QStackedWidget)
    , m_emptyState(new EmptyStateWidget)
    , m_browser(new DatasetBrowser)
    , m_stats(new ColumnStatsPane)
{
    setObjectName(QStringLiteral("dataPanel"));
    m_splitter->setObjectName(QStringLiteral("dataSplitter"));
    m_tree->setObjectName(QStringLiteral("datasetTree"));
    m_emptyState->setObjectName(QStringLiteral("dataEmptyState"));

    m_tree->setModel(m_datasets);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setFrameShape(QFrame::NoFrame);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(DatasetListModel::NameColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(DatasetListModel::ShapeColumn, QHeaderView::ResizeToContents);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QTreeView::customContextMenuRequested, this, &DataPanel::showTreeMenu);
    m_treeHint->setWordWrap(true);
    m_treeHint->setContentsMargins(10, 6, 10, 10);
    appearance::setTextRole(m_treeHint, appearance::TextRole::Muted);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(0);
    auto *heading = new QLabel(tr("Datasets"));
    QFont headingFont = heading->font();
    headingFont.setBold(true);
    heading->setFont(headingFont);
    heading->setContentsMargins(10, 10, 10, 6);
    leftLayout->addWidget(heading);
    leftLayout->addWidget(m_tree, 1);
    leftLayout->addWidget(m_treeHint);

    m_emptyState->setIcon(icons::importIcon());
    m_center->addWidget(m_emptyState);
    m_center->addWidget(m_browser);

    m_splitter->addWidget(left);
    m_splitter->addWidget(m_center);
    m_splitter->addWidget(m_stats);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setChildrenCollapsible(false);
    left->setMinimumWidth(160);
    m_stats->setMinimumWidth(220);
    m_splitter->setSizes({kTreeWidth, 640, kStatsWidth});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &DataPanel::onCurrentChanged);
    connect(m_browser, &DatasetBrowser::currentColumnChanged, this, &DataPanel::showColumnStats);
    connect(m_browser, &DatasetBrowser::trainRequested, this, [this] {
        if (m_open.id != 0)
            Q_EMIT trainRequested(m_open.datasetName, m_open.version);
    });
    showEmptyState();
}

DataPanel::~DataPanel() = default;

void DataPanel::setWorkspace(Workspace *workspace)
{
    m_workspace = workspace;
    m_open = {};
    m_browser->setTable(nullptr);
    m_datasets->setDatabase(workspace ? &workspace->db() : nullptr);
    refresh();
    Q_EMIT currentVersionChanged();
}

void DataPanel::refresh()
{
    const QModelIndex current = m_tree->currentIndex();
    const QString currentName = current.data(DatasetListModel::NameRole).toString();
    const int currentVersion = current.data(DatasetListModel::IsVersionRole).toBool()
        ? current.data(DatasetListModel::VersionRole).toInt()
        : 0;
    QSet<QString> expanded;
    for (int row = 0; row < m_datasets->rowCount(); ++row) {
        const QModelIndex dataset = m_datasets->index(row, 0);
        if (m_tree->isExpanded(dataset))
            expanded.insert(dataset.data(DatasetListModel::NameRole).toString());
    }

    const Status status = m_datasets->refresh();
    if (!status) {
        showProblem(status.errorMessage());
        return;
    }
    for (int row = 0; row < m_datasets->rowCount(); ++row) {
        const QModelIndex dataset = m_datasets->index(row, 0);
        if (expanded.contains(dataset.data(DatasetListModel::NameRole).toString()))
            m_tree->expand(dataset);
    }
    m_treeHint->setText(m_datasets->datasetCount() == 0 ? tr("No datasets yet.")
                                                        : tr("Hover a version for its source, size and hash."));
    if (!currentName.isEmpty() && selectVersion(currentName, currentVersion))
        return;
    showEmptyState();
}

bool DataPanel::selectVersion(const QString &name, int version)
{
    const QModelIndex index = m_datasets->indexFor(name, version);
    if (!index.isValid())
        return false;
    if (index.parent().isValid())
        m_tree->expand(index.parent());
    m_tree->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    // setCurrentIndex() says nothing when the index is already current (after a refresh).
    onCurrentChanged(index);
    m_tree->scrollTo(index);
    return true;
}

QByteArray DataPanel::saveState() const
{
    return m_splitter->saveState();
}

bool DataPanel::restoreState(const QByteArray &state)
{
    return m_splitter->restoreState(state);
}

void DataPanel::onCurrentChanged(const QModelIndex &current)
{
    if (!current.isValid()) {
        showEmptyState();
        return;
    }
    // A dataset row stands for its latest version.
    openVersion(current.data(DatasetListModel::NameRole).toString(),
                current.data(DatasetListModel::VersionRole).toInt());
}

void DataPanel::openVersion(const QString &name, int version)
{
    if (!m_workspace)
        return;
    if (m_open.id != 0 && m_open.datasetName == name && m_open.version == version) {
        m_center->setCurrentWidget(m_browser);
        return; // already shown: keep its sort, filter and scroll position
    }
    Expected<DatasetVersion> found = DatasetCatalog(m_workspace->db()).version(name, version);
    if (!found) {
        showProblem(found.errorMessage());
        return;
    }
    Expected<std::shared_ptr<const DatasetTable>> table = DatasetTable::open(m_workspace->blobs(), *found);
    if (!table) {
        showProblem(table.errorMessage());
        return;
    }
    m_open = std::move(found).value();
    m_center->setCurrentWidget(m_browser);
    m_browser->setTable(std::move(table).value()); // announces the column: stats follow
    Q_EMIT currentVersionChanged();
}

void DataPanel::showColumnStats(int column)
{
    if (column < 0 || column >= m_open.columns.size()) {
        m_stats->clear(m_open.id == 0 ? tr("Choose a dataset version to see the statistics of its columns.")
                                      : tr("Select a column to see its statistics."));
        return;
    }
    m_stats->showColumn(m_open.columns.at(column));
}

void DataPanel::showEmptyState()
{
    const bool hadVersion = m_open.id != 0;
    m_open = {};
    m_browser->setTable(nullptr);
    if (m_datasets->datasetCount() == 0) {
        m_emptyState->setTitle(tr("No datasets yet"));
        m_emptyState->setText(dropHint());
    } else {
        m_emptyState->setTitle(tr("Choose a dataset"));
        m_emptyState->setText(tr("Pick a dataset or one of its versions on the left to browse its "
                                 "rows, sort and filter them, and see each column's statistics. "
                                 "More data: drop files here or use File › Import Files…."));
    }
    m_center->setCurrentWidget(m_emptyState);
    showColumnStats(-1);
    if (hadVersion)
        Q_EMIT currentVersionChanged();
}

void DataPanel::showProblem(const QString &message)
{
    const bool hadVersion = m_open.id != 0;
    m_open = {};
    m_browser->setTable(nullptr);
    m_emptyState->setTitle(tr("Cannot show this dataset"));
    m_emptyState->setText(message);
    m_center->setCurrentWidget(m_emptyState);
    showColumnStats(-1);
    if (hadVersion)
        Q_EMIT currentVersionChanged();
    Q_EMIT errorOccurred(message);
}

void DataPanel::showTreeMenu(const QPoint &position)
{
    const QModelIndex index = m_tree->indexAt(position);
    if (!index.isValid())
        return;
    const QString name = index.data(DatasetListModel::NameRole).toString();
    const int version = index.data(DatasetListModel::VersionRole).toInt();
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    QAction *train = menu->addAction(tr("Train on %1@%2…").arg(name).arg(version));
    connect(train, &QAction::triggered, this, [this, name, version] { Q_EMIT trainRequested(name, version); });
    menu->popup(m_tree->viewport()->mapToGlobal(position));
}

} // namespace kiln
