#include "runlistview.h"

#include "models/runlistmodel.h"
#include "theme.h"

#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace kiln {

namespace {

/// The status cell: a dot in the status's colour before its name, drawn as the item's icon so
/// that selection and focus paint around it as around any icon.
class RunStatusDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    Q_DISABLE_COPY_MOVE(RunStatusDelegate)

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        const int status = index.data(RunListModel::StatusRole).toInt();
        if (status < 0)
            return;
        const int size = option->fontMetrics.height() / 2 + 1;
        const int key = status * 1000 + size;
        auto cached = m_dots.constFind(key);
        if (cached == m_dots.cend())
            cached = m_dots.insert(key, dot(RunStatus(status), size));
        option->icon = *cached;
        option->decorationSize = QSize(size, size);
        option->features |= QStyleOptionViewItem::HasDecoration;
    }

private:
    static QIcon dot(RunStatus status, int size)
    {
        const qreal ratio = qGuiApp->devicePixelRatio();
        QPixmap pixmap(QSize(size, size) * ratio);
        pixmap.setDevicePixelRatio(ratio);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(theme::runStatus(status));
        painter.drawEllipse(QRectF(0, 0, size, size));
        return QIcon(pixmap);
    }

    mutable QHash<int, QIcon> m_dots; // status × size → icon: made once, not per paint
};

struct ColumnWidth
{
    int column;
    int width;
};

} // namespace

RunListView::RunListView(RunListModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_toolBar(new QToolBar(this))
    , m_tree(new QTreeView(this))
    , m_hint(new QLabel(this))
{
    m_toolBar->setObjectName(QStringLiteral("runToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolBar->setIconSize(QSize(16, 16));
    m_tree->setObjectName(QStringLiteral("runTree"));
    m_tree->setModel(model);
    m_tree->setItemDelegateForColumn(RunListModel::StatusColumn, new RunStatusDelegate(m_tree));
    m_tree->setUniformRowHeights(true);
    m_tree->setIndentation(14); // three levels (experiment, sweep, point) in a narrow first column
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->setFrameShape(QFrame::NoFrame);
    m_tree->setAlternatingRowColors(true);
    // A little air between rows: the tree is read more than it is scanned.
    m_tree->setStyleSheet(QStringLiteral("QTreeView::item { padding: 2px 0px; }"));
    QHeaderView *header = m_tree->header();
    header->setStretchLastSection(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setMinimumSectionSize(36);
    const ColumnWidth widths[] = {
        {RunListModel::IdColumn, 76},       {RunListModel::NameColumn, 184},    {RunListModel::StatusColumn, 104},
        {RunListModel::AccuracyColumn, 74}, {RunListModel::F1Column, 74},       {RunListModel::RocAucColumn, 74},
        {RunListModel::RmseColumn, 74},     {RunListModel::R2Column, 64},       {RunListModel::DurationColumn, 78},
        {RunListModel::SourceColumn, 150},  {RunListModel::DatasetColumn, 110}, {RunListModel::StartedColumn, 128},
    };
    for (const ColumnWidth &column : widths)
        header->resizeSection(column.column, column.width);

    m_hint->setWordWrap(true);
    m_hint->setContentsMargins(10, 6, 10, 10);
    m_hint->setStyleSheet(QStringLiteral("color: %1;").arg(theme::mutedText().name()));

    auto *heading = new QLabel(tr("Runs"), this);
    QFont headingFont = heading->font();
    headingFont.setBold(true);
    heading->setFont(headingFont);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(10, 6, 4, 2);
    top->addWidget(heading);
    top->addStretch(1);
    top->addWidget(m_toolBar);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(top);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_hint);

    connect(model, &QAbstractItemModel::modelAboutToBeReset, this, &RunListView::rememberState);
    connect(model, &QAbstractItemModel::modelReset, this, &RunListView::restoreState);
    connect(model, &QAbstractItemModel::dataChanged, this, &RunListView::updateColumns);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &current) {
        const qint64 id = current.data(RunListModel::RunIdRole).toLongLong();
        if (id == m_currentRun)
            return;
        m_currentRun = id;
        Q_EMIT currentRunChanged(id);
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunListView::selectionChanged);
    restoreState();
}

RunListView::~RunListView() = default;

qint64 RunListView::currentRunId() const
{
    return m_tree->currentIndex().data(RunListModel::RunIdRole).toLongLong();
}

QList<qint64> RunListView::selectedRunIds() const
{
    QList<qint64> ids;
    const QModelIndexList rows = m_tree->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows) {
        const qint64 id = row.data(RunListModel::RunIdRole).toLongLong();
        if (id != 0)
            ids << id;
    }
    return ids;
}

bool RunListView::selectRun(qint64 runId)
{
    const QModelIndex index = m_model->indexForRun(runId);
    if (!index.isValid())
        return false;
    for (QModelIndex parent = index.parent(); parent.isValid(); parent = parent.parent())
        m_tree->expand(parent);
    m_tree->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_tree->scrollTo(index);
    return true;
}

void RunListView::rememberState()
{
    m_collapsedExperiments.clear();
    m_expandedSweeps.clear();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex experiment = m_model->index(row, 0);
        if (!m_tree->isExpanded(experiment))
            m_collapsedExperiments.insert(experiment.data(RunListModel::ExperimentRole).toString());
        for (int child = 0; child < m_model->rowCount(experiment); ++child) {
            const QModelIndex run = m_model->index(child, 0, experiment);
            if (m_model->rowCount(run) > 0 && m_tree->isExpanded(run))
                m_expandedSweeps.insert(run.data(RunListModel::RunIdRole).toLongLong());
        }
    }
}

void RunListView::restoreState()
{
    // Experiments open unless the user closed them; sweeps closed unless the user opened them.
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex experiment = m_model->index(row, 0);
        m_tree->setFirstColumnSpanned(row, {}, true);
        if (!m_collapsedExperiments.contains(experiment.data(RunListModel::ExperimentRole).toString()))
            m_tree->expand(experiment);
        for (int child = 0; child < m_model->rowCount(experiment); ++child) {
            const QModelIndex run = m_model->index(child, 0, experiment);
            if (m_expandedSweeps.contains(run.data(RunListModel::RunIdRole).toLongLong()))
                m_tree->expand(run);
        }
    }
    if (m_currentRun != 0 && !selectRun(m_currentRun)) {
        m_currentRun = 0;
        Q_EMIT currentRunChanged(0);
    }
    updateColumns();
    updateHint();
}

void RunListView::updateColumns()
{
    for (int column : {RunListModel::AccuracyColumn, RunListModel::F1Column, RunListModel::RocAucColumn,
                       RunListModel::RmseColumn, RunListModel::R2Column})
        m_tree->setColumnHidden(column, !m_model->columnHasValues(column));
    updateHint();
}

void RunListView::updateHint()
{
    if (m_model->runCount() == 0)
        m_hint->setText(tr("No runs yet."));
    else if (m_model->hasActiveRuns())
        m_hint->setText(tr("Statuses update every second while runs are queued or running."));
    else
        m_hint->setText(tr("Hover a run for its full command or its error; F5 reads the runs again."));
}

} // namespace kiln
