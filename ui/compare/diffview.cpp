#include "diffview.h"

#include "appearance.h"
#include "compare/compareutil.h"
#include "models/rundiffmodel.h"
#include "runs/rundiff.h"
#include "theme.h"
#include "viewutil.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

namespace kiln {

/// What DiffTable adds to the model's data: the tint, the bold, the "—" and the header icons.
class DiffStyleModel final : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    std::function<QIcon(int column)> headerIcon;

    QVariant data(const QModelIndex &index, int role) const override
    {
        const bool heading = QIdentityProxyModel::data(index, DiffTableModel::IsSectionRole).toBool();
        const bool differs = QIdentityProxyModel::data(index, DiffTableModel::DiffersRole).toBool();
        const bool missing = QIdentityProxyModel::data(index, DiffTableModel::MissingRole).toBool();
        const bool value = index.column() > 0;
        switch (role) {
        case Qt::DisplayRole:
            return missing ? QVariant(QStringLiteral("—")) : QIdentityProxyModel::data(index, role);
        case Qt::BackgroundRole:
            // Read at paint time: the colours follow the palette, light or dark.
            if (heading)
                return theme::faintBand(QGuiApplication::palette());
            if (differs && value)
                return theme::accentTint(QGuiApplication::palette());
            return {};
        case Qt::ForegroundRole:
            if (missing)
                return theme::mutedText();
            return heading || (differs && value) ? QVariant(theme::plotText()) : QVariant();
        case Qt::FontRole:
            if (heading || (differs && !value)) {
                QFont font;
                font.setBold(true);
                return font;
            }
            return {};
        default:
            return QIdentityProxyModel::data(index, role);
        }
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation == Qt::Horizontal && role == Qt::DecorationRole && headerIcon && section > 0) {
            const QIcon icon = headerIcon(section);
            return icon.isNull() ? QVariant() : QVariant(icon);
        }
        return QIdentityProxyModel::headerData(section, orientation, role);
    }
};

DiffTable::DiffTable(DiffTableModel *model, QWidget *parent)
    : QTableView(parent)
    , m_model(model)
    , m_style(new DiffStyleModel(this))
{
    m_style->setSourceModel(m_model);
    setModel(m_style);
    viewutil::setUpReadOnlyTable(this);
    setAlternatingRowColors(false); // the tint is the information
    setSelectionBehavior(QAbstractItemView::SelectItems);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    connect(m_style, &QAbstractItemModel::modelReset, this, &DiffTable::updateSpans);
}

DiffTable::~DiffTable() = default;

void DiffTable::setHeaderIcons(std::function<QIcon(int column)> icon)
{
    m_style->headerIcon = std::move(icon);
}

void DiffTable::updateSpans()
{
    clearSpans();
    const int columns = m_model->columnCount();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (columns > 1 && m_model->index(row, 0).data(DiffTableModel::IsSectionRole).toBool())
            setSpan(row, 0, 1, columns);
    }
}

DiffView::DiffView(QWidget *parent)
    : ComparisonView(parent)
    , m_model(new RunDiffModel(this))
    , m_table(new DiffTable(m_model, this))
    , m_onlyDifferences(new QCheckBox(tr("Only differences"), this))
    , m_note(new QLabel(this))
    , m_summary(new QLabel(this))
{
    setObjectName(QStringLiteral("diffView"));
    m_onlyDifferences->setObjectName(QStringLiteral("diffOnlyDifferences"));
    m_onlyDifferences->setChecked(m_model->onlyDifferences());
    m_onlyDifferences->setToolTip(tr("Hide the lines on which every compared run agrees"));
    m_note->setObjectName(QStringLiteral("diffNote"));
    m_note->setWordWrap(true);
    appearance::setTextRole(m_note, appearance::TextRole::Error);
    m_note->hide();
    m_summary->setObjectName(QStringLiteral("diffSummary"));
    appearance::setTextRole(m_summary, appearance::TextRole::Muted);

    m_table->setObjectName(QStringLiteral("diffTable"));
    m_table->setHeaderIcons([this](int column) {
        const qint64 runId = m_model->runIdOfColumn(column);
        return runId > 0 ? compareutil::runColorIcon(runId) : QIcon();
    });
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setDefaultSectionSize(150);
    m_table->horizontalHeader()->setTextElideMode(Qt::ElideRight);
    connect(m_onlyDifferences, &QCheckBox::toggled, this, [this](bool only) {
        m_model->setOnlyDifferences(only);
        updateLabels();
    });

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    bar->addWidget(m_onlyDifferences);
    bar->addSpacing(12);
    bar->addWidget(m_summary, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    auto *noteRow = new QHBoxLayout;
    noteRow->setContentsMargins(8, 0, 8, 0);
    noteRow->addWidget(m_note);
    layout->addLayout(noteRow);
    layout->addWidget(m_table, 1);
    updateLabels();
}

DiffView::~DiffView() = default;

void DiffView::setComparison(const Comparison &comparison)
{
    if (comparison.table == m_snapshot && comparison.rows == m_rows)
        return;
    const bool sameRuns = m_snapshot && comparison.table && comparison.rows.size() == m_rows.size()
        && std::equal(m_rows.cbegin(), m_rows.cend(), comparison.rows.cbegin(),
                      [&](int a, int b) { return m_snapshot->runId(a) == comparison.table->runId(b); });
    m_snapshot = comparison.table;
    m_selected = m_snapshot ? int(comparison.rows.size()) : 0;
    m_rows.clear();
    if (m_snapshot) {
        // A diff is read run by run: past kMaxRuns columns it is no longer a comparison.
        m_rows.assign(comparison.rows.cbegin(),
                      comparison.rows.cbegin() + qsizetype(std::min(comparison.rows.size(), kMaxRuns)));
    }
    // A live snapshot of the same runs keeps the scroll position and the column widths.
    const int scroll = m_table->verticalScrollBar()->value();
    QList<int> widths;
    for (int column = 0; sameRuns && column < m_model->columnCount(); ++column)
        widths << m_table->columnWidth(column);
    if (m_snapshot && !m_rows.empty())
        m_model->setDiff(m_snapshot, diffRuns(*m_snapshot, m_rows));
    else
        m_model->clear();
    if (sameRuns) {
        for (int column = 0; column < widths.size(); ++column)
            m_table->setColumnWidth(column, widths.at(column));
        m_table->verticalScrollBar()->setValue(scroll);
    } else {
        m_table->resizeColumnToContents(0);
        m_table->setColumnWidth(0, std::min(m_table->columnWidth(0) + 16, 320));
    }
    updateLabels();
}

void DiffView::updateLabels()
{
    const RunDiff &diff = m_model->diff();
    const int runs = m_model->runCount();
    if (runs == 0) {
        m_summary->setText(tr("Select runs to see what differs between them."));
        m_note->hide();
        return;
    }
    const int lines = int(diff.lines.size());
    const int differing = m_model->differingLineCount();
    QString summary = runs < 2 ? tr("One run: select another to compare it with.")
                               : tr("%1 of %2 lines differ.").arg(differing).arg(lines);
    if (m_selected > runs)
        summary += u' ' + tr("Showing the first %1 of %2 selected runs.").arg(runs).arg(m_selected);
    m_summary->setText(summary);
    if (runs >= 2 && diff.commonMetrics == 0) {
        m_note->setText(tr("These runs have no metric in common: there is no result to compare them on."));
        m_note->show();
    } else {
        m_note->hide();
    }
}

QStringList DiffView::exportFormats() const
{
    return {QStringLiteral("csv")};
}

bool DiffView::exportTo(const QString &path, QString *error) const
{
    return compareutil::exportCsv(
        path, [this](QIODevice &device) { return m_model->writeCsv(device); }, error);
}

QJsonObject DiffView::settings() const
{
    return {{QStringLiteral("onlyDifferences"), m_onlyDifferences->isChecked()}};
}

void DiffView::restoreSettings(const QJsonObject &settings)
{
    m_onlyDifferences->setChecked(settings.value(QStringLiteral("onlyDifferences")).toBool(true));
}

} // namespace kiln
