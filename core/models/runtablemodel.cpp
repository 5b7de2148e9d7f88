#include "models/runtablemodel.h"
#include "models/runtablemodel_p.h"
#include "storage/database.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

/// How often a table with no live run asks the store whether anything changed: other
/// processes and machines (kilnctl, a teammate's Kiln on the same team store) add runs the
/// scheduler of this app never hears of.
constexpr int kChangeCheckIntervalMs = 2000;

/// What a worker hands back: the snapshot to show and, for a poll, the runs it re-read.
struct LoadResult
{
    std::shared_ptr<const RunTable> table;
    std::shared_ptr<const RunTable> update; ///< polls only
    bool unchanged = false; ///< a change check found the store as the snapshot shows it
    QString error;
    double milliseconds = 0;
};

enum class StoreChange { None, NewRuns, Other };

/// Compares the store with `base`, a snapshot in which every run has ended, in one aggregate
/// query: new runs only (a delta read brings them), or runs that went away or came back to
/// life (only a full read shows those), or nothing.
Expected<StoreChange> checkForChanges(const QString &path, const QStringList &experiments, const RunTable &base)
{
    Expected<std::unique_ptr<Database>> db = Database::open(path);
    if (!db)
        return db.error();
    QByteArray sql = "SELECT SUM(CASE WHEN r.id <= ?1 THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN r.id <= ?1 AND r.status IN ('queued', 'running') THEN 1 ELSE 0 END), "
                     "MAX(r.id) FROM runs r";
    QByteArray names;
    if (!experiments.isEmpty()) {
        names = QJsonDocument(QJsonArray::fromStringList(experiments)).toJson(QJsonDocument::Compact);
        sql += " JOIN experiments e ON e.id = r.experiment_id WHERE e.name IN (SELECT value FROM json_each(?2))";
    }
    Expected<Statement> stmt = (*db)->prepare(sql.constData());
    if (!stmt)
        return Error {QStringLiteral("cannot read the runs of %1: %2").arg((*db)->path(), stmt.errorMessage())};
    stmt->bind(1, static_cast<long long>(base.maxRunId()));
    if (!names.isEmpty())
        stmt->bind(2, std::string_view(names.constData(), std::size_t(names.size())));
    if (!stmt->next()) {
        const Status status = (*db)->lastStepStatus();
        return Error {QStringLiteral("cannot read the runs of %1: %2")
                          .arg((*db)->path(), status ? QStringLiteral("no answer") : status.errorMessage())};
    }
    const qint64 known = stmt->isNull(0) ? 0 : stmt->int64(0);
    const qint64 revived = stmt->isNull(1) ? 0 : stmt->int64(1);
    const qint64 maxId = stmt->isNull(2) ? 0 : stmt->int64(2);
    if (known != base.rowCount() || revived > 0)
        return StoreChange::Other;
    return maxId > base.maxRunId() ? StoreChange::NewRuns : StoreChange::None;
}

LoadResult loadTable(const QString &path, const RunTableQuery &query, const std::shared_ptr<const RunTable> &base)
{
    QElapsedTimer timer;
    timer.start();
    LoadResult result;
    RunTableQuery read = query;
    std::shared_ptr<const RunTable> mergeInto = base;
    if (base && query.runIds.empty()) {
        // Nothing shown is live: one cheap question first, and most of the time that is all.
        const Expected<StoreChange> change = checkForChanges(path, query.experiments, *base);
        if (!change) {
            result.error = change.errorMessage();
            return result;
        }
        if (*change == StoreChange::None) {
            result.table = base;
            result.unchanged = true;
            return result;
        }
        if (*change == StoreChange::Other) {
            read = RunTableQuery {query.experiments, {}, -1};
            mergeInto.reset();
        }
    }
    Expected<std::shared_ptr<const RunTable>> loaded = RunTable::load(path, read);
    if (!loaded) {
        result.error = loaded.errorMessage();
        return result;
    }
    if (mergeInto) {
        // Merging copies every column: done here, not on the GUI thread.
        result.update = std::move(loaded).value();
        result.table = mergeInto->merged(*result.update);
    } else {
        result.table = std::move(loaded).value();
    }
    result.milliseconds = double(timer.nsecsElapsed()) / 1e6;
    return result;
}

QString kindText(RunColumnKind kind, MetricStat stat)
{
    switch (kind) {
    case RunColumnKind::Attribute:
        return RunTableModel::tr("attribute");
    case RunColumnKind::Param:
        return RunTableModel::tr("param");
    case RunColumnKind::Tag:
        return RunTableModel::tr("tag");
    case RunColumnKind::Metric:
        break;
    }
    switch (stat) {
    case MetricStat::Min:
        return RunTableModel::tr("metric, lowest value (not a filter name)");
    case MetricStat::Max:
        return RunTableModel::tr("metric, highest value (not a filter name)");
    case MetricStat::Last:
        break;
    }
    return RunTableModel::tr("metric, last value");
}

} // namespace

RunTableModel::RunTableModel(QObject *parent)
    : QAbstractItemModel(parent)
    , d(std::make_unique<Private>())
{
    m_poll.setInterval(Private::kDefaultPollInterval);
    connect(&m_poll, &QTimer::timeout, this, &RunTableModel::poll);
}

RunTableModel::~RunTableModel() = default;

void RunTableModel::setDatabasePath(const QString &path)
{
    if (path == m_databasePath && !path.isEmpty()) {
        reload();
        return;
    }
    ++d->generation; // whatever is in flight belongs to the old workspace
    d->loading = false;
    d->polling = false;
    beginResetModel();
    m_databasePath = path;
    m_table.reset();
    d->columns.clear();
    d->columnIndex.clear();
    d->tableColumns.clear();
    d->view = {};
    m_groupColumn = -1;
    m_sortColumn = -1;
    reload(); // before the reset ends, so that views see isLoading() when they hear of it
    endResetModel();
    updatePolling();
}

void RunTableModel::setExperiments(const QStringList &experiments)
{
    m_experiments = experiments;
    reload();
}

void RunTableModel::reload()
{
    if (m_databasePath.isEmpty())
        return;
    RunTableQuery query;
    query.experiments = m_experiments;
    d->polling = false; // a poll in flight would merge into what this load replaces
    startLoad(query, nullptr);
}

void RunTableModel::poll()
{
    if (m_databasePath.isEmpty() || !m_table || d->loading || d->polling)
        return;
    RunTableQuery query;
    query.experiments = m_experiments;
    query.runIds = m_table->activeRunIds();
    query.newerThan = m_table->maxRunId();
    startLoad(query, m_table);
}

void RunTableModel::startLoad(const RunTableQuery &query, std::shared_ptr<const RunTable> base)
{
    const quint64 generation = ++d->generation;
    const bool delta = base != nullptr;
    (delta ? d->polling : d->loading) = true;
    auto *watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, delta] {
        watcher->deleteLater();
        if (generation != d->generation)
            return; // superseded: another load started, or the workspace changed
        (delta ? d->polling : d->loading) = false;
        const LoadResult result = watcher->result();
        if (!result.table) {
            updatePolling();
            Q_EMIT loadFailed(result.error);
            return;
        }
        if (result.unchanged) {
            updatePolling();
            return;
        }
        adoptTable(result.table, result.update.get());
        updatePolling();
        Q_EMIT loaded(result.milliseconds);
    });
    watcher->setFuture(QtConcurrent::run(loadTable, m_databasePath, query, std::move(base)));
}

bool RunTableModel::isLoading() const
{
    return d->loading;
}

void RunTableModel::setPollInterval(int milliseconds)
{
    d->pollInterval = milliseconds;
    updatePolling();
}

void RunTableModel::updatePolling()
{
    // Live runs are re-read every pollInterval; a table with none only checks, less often,
    // whether another process changed the store (poll() then asks before it reads).
    const bool wanted = !m_databasePath.isEmpty() && d->pollInterval > 0 && m_table;
    if (!wanted) {
        m_poll.stop();
        return;
    }
    const int interval = m_table->hasActiveRuns() ? d->pollInterval : std::max(d->pollInterval, kChangeCheckIntervalMs);
    if (m_poll.interval() != interval)
        m_poll.setInterval(interval);
    if (!m_poll.isActive())
        m_poll.start();
}

void RunTableModel::adoptTable(const std::shared_ptr<const RunTable> &table, const RunTable *update)
{
    if (!m_table) {
        beginResetModel();
        addColumns(newColumns(*table));
        m_table = table;
        d->tableColumns = mapColumns(*table);
        d->view = computeView(*table, d->tableColumns);
        endResetModel();
        return;
    }
    const std::shared_ptr<const RunTable> previous = m_table;
    // New keys become new columns at the end, so the view's columns stay where they were.
    const int before = columnCount();
    std::vector<ModelColumn> added = newColumns(*table);
    const bool columnsAdded = !added.empty();
    if (columnsAdded) {
        beginInsertColumns({}, before, before + int(added.size()) - 1);
        addColumns(std::move(added));
        endInsertColumns();
    }
    std::vector<int> mapping = mapColumns(*table);
    View view = computeView(*table, mapping);
    if (columnsAdded || !sameRows(*previous, d->view, *table, view)) {
        showView(table, std::move(mapping), std::move(view));
    } else {
        m_table = table;
        d->tableColumns = std::move(mapping);
        d->view = std::move(view);
    }

    // Values: the runs a poll re-read, or everything after a full reload.
    const int lastColumn = columnCount() - 1;
    if (update) {
        for (int row = 0; row < update->rowCount(); ++row) {
            const QModelIndex first = indexForRun(update->runId(row), 0);
            if (first.isValid() && previous->rowOfRun(update->runId(row)) >= 0)
                Q_EMIT dataChanged(first, first.siblingAtColumn(lastColumn));
        }
    } else if (lastColumn >= 0 && rowCount() > 0) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, lastColumn));
        for (int g = 0; g < int(d->view.groups.size()); ++g) {
            const QModelIndex group = index(g, 0);
            Q_EMIT dataChanged(index(0, 0, group), index(rowCount(group) - 1, lastColumn, group));
        }
    }

    // Statuses, announced once the rows show them.
    const RunTable &changed = update ? *update : *table;
    for (int row = 0; row < changed.rowCount(); ++row) {
        const int old = previous->rowOfRun(changed.runId(row));
        if (old >= 0 && previous->status(old) != changed.status(row))
            Q_EMIT runChanged(changed.runId(row), changed.status(row));
    }
}

void RunTableModel::addColumns(std::vector<ModelColumn> added)
{
    for (ModelColumn &column : added) {
        d->columnIndex.insert(RunTable::columnIdentity(column.kind, column.key, column.stat), int(d->columns.size()));
        d->columns.push_back(std::move(column));
        d->tableColumns.push_back(-1); // until mapColumns(): the shown snapshot may lack it
    }
}

std::vector<RunTableModel::ModelColumn> RunTableModel::newColumns(const RunTable &table) const
{
    std::vector<ModelColumn> added;
    for (int c = 0; c < table.columnCount(); ++c) {
        const RunTable::Column &source = table.column(c);
        if (d->columnIndex.contains(RunTable::columnIdentity(source.kind, source.key, source.stat)))
            continue;
        ModelColumn column;
        column.kind = source.kind;
        column.key = source.key;
        column.stat = source.kind == RunColumnKind::Metric ? source.stat : MetricStat::Last;
        column.label = source.label();
        column.filterName = source.filterName();
        column.baseFilterName = RunTable::filterName(source.kind, source.key);
        added.push_back(std::move(column));
    }
    return added;
}

std::vector<int> RunTableModel::mapColumns(const RunTable &table) const
{
    std::vector<int> mapping;
    mapping.reserve(d->columns.size());
    for (const ModelColumn &column : d->columns)
        mapping.push_back(table.findColumn(column.kind, column.key, column.stat));
    return mapping;
}
void RunTableModel::showView(std::shared_ptr<const RunTable> table, std::vector<int> mapping, View view)
{
    Q_EMIT layoutAboutToBeChanged();
    // Persistent indexes (a view's selection, current index, expanded groups) follow their run
    // or their group's value to wherever the new rows put them.
    const QModelIndexList before = persistentIndexList();
    std::vector<qint64> runs;
    QStringList groups;
    runs.reserve(std::size_t(before.size()));
    for (const QModelIndex &index : before) {
        const bool isGroup = d->grouped() && index.internalId() == 0;
        runs.push_back(isGroup ? 0 : runIdAt(index));
        groups << (isGroup ? d->view.groups[std::size_t(index.row())].key : QString());
    }
    m_table = std::move(table);
    d->tableColumns = std::move(mapping);
    d->view = std::move(view);
    QHash<QString, int> groupRows;
    for (int g = 0; g < int(d->view.groups.size()); ++g)
        groupRows.insert(d->view.groups[std::size_t(g)].key, g);
    QModelIndexList after;
    after.reserve(before.size());
    for (qsizetype i = 0; i < before.size(); ++i) {
        const int column = before.at(i).column();
        if (runs[std::size_t(i)] != 0) {
            after << indexForRun(runs[std::size_t(i)], column);
        } else {
            const int g = groupRows.value(groups.at(i), -1);
            after << (g >= 0 && d->grouped() ? createIndex(g, column, quintptr(0)) : QModelIndex());
        }
    }
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged();
}

void RunTableModel::relayout()
{
    if (!m_table)
        return;
    showView(m_table, d->tableColumns, computeView(*m_table, d->tableColumns));
}

bool RunTableModel::setFilter(const QString &expression)
{
    RunFilter filter = RunFilter::parse(expression);
    if (!filter.isValid()) {
        Q_EMIT filterError(filter.errorText(), filter.errorPosition());
        return false;
    }
    m_filter = std::move(filter);
    relayout();
    Q_EMIT filterError({}, -1);
    Q_EMIT filterApplied(visibleRunCount());
    return true;
}

void RunTableModel::setBrushedRuns(std::optional<QSet<qint64>> runIds)
{
    m_brush = std::move(runIds);
    relayout();
    Q_EMIT filterApplied(visibleRunCount());
}

void RunTableModel::setGroupColumn(int column)
{
    m_groupColumn = column >= 0 && column < columnCount() ? column : -1;
    relayout();
}

void RunTableModel::sort(int column, Qt::SortOrder order)
{
    m_sortColumn = column >= 0 && column < columnCount() ? column : -1;
    m_sortOrder = order;
    relayout();
}

int RunTableModel::tableColumn(int column) const
{
    return column >= 0 && column < int(d->tableColumns.size()) ? d->tableColumns[std::size_t(column)] : -1;
}

int RunTableModel::columnForKey(RunColumnKind kind, const QString &key, MetricStat stat) const
{
    return d->columnIndex.value(RunTable::columnIdentity(kind, key, stat), -1);
}

int RunTableModel::runCount() const
{
    return m_table ? m_table->rowCount() : 0;
}

int RunTableModel::visibleRunCount() const
{
    return int(d->view.rows.size());
}

std::vector<int> RunTableModel::visibleTableRows() const
{
    return d->view.rows;
}

QModelIndex RunTableModel::indexForRun(qint64 runId, int column) const
{
    if (!m_table || column < 0 || column >= columnCount())
        return {};
    const int row = m_table->rowOfRun(runId);
    if (row < 0 || d->view.rowInParent[std::size_t(row)] < 0)
        return {};
    const int group = d->view.groupOf[std::size_t(row)];
    // internalId: 0 on top-level rows, the group's number + 1 on a group's runs.
    return createIndex(d->view.rowInParent[std::size_t(row)], column, group < 0 ? quintptr(0) : quintptr(group) + 1);
}

int RunTableModel::tableRowAt(const QModelIndex &index) const
{
    if (!index.isValid() || !m_table)
        return -1;
    if (!d->grouped())
        return d->view.rows[std::size_t(index.row())];
    if (index.internalId() == 0)
        return -1; // a group row
    const Group &group = d->view.groups[std::size_t(index.internalId() - 1)];
    return d->view.rows[std::size_t(group.first) + std::size_t(index.row())];
}

qint64 RunTableModel::runIdAt(const QModelIndex &index) const
{
    const int row = tableRowAt(index);
    return row < 0 ? 0 : m_table->runId(row);
}
QModelIndex RunTableModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= columnCount())
        return {};
    if (!parent.isValid()) {
        const int rows = d->grouped() ? int(d->view.groups.size()) : int(d->view.rows.size());
        return row < rows ? createIndex(row, column, quintptr(0)) : QModelIndex();
    }
    if (!d->grouped() || parent.internalId() != 0 || parent.column() != 0)
        return {};
    if (row >= d->view.groups[std::size_t(parent.row())].count)
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex RunTableModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int RunTableModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return d->grouped() ? int(d->view.groups.size()) : int(d->view.rows.size());
    if (!d->grouped() || parent.internalId() != 0 || parent.column() != 0)
        return 0;
    return d->view.groups[std::size_t(parent.row())].count;
}

int RunTableModel::columnCount(const QModelIndex &) const
{
    return int(d->columns.size());
}

Qt::ItemFlags RunTableModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractItemModel::flags(index);
    if (index.isValid() && (!d->grouped() || index.internalId() != 0))
        flags |= Qt::ItemNeverHasChildren;
    return flags;
}

QVariant RunTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !m_table)
        return {};
    const int row = tableRowAt(index);
    if (row < 0)
        return groupData(d->view.groups[std::size_t(index.row())], index.column(), role);
    switch (role) {
    case RunIdRole:
        return m_table->runId(row);
    case StatusRole:
        return int(m_table->status(row));
    case IsGroupRole:
        return false;
    default:
        break;
    }
    const int source = tableColumn(index.column());
    if (source < 0)
        return {};
    const RunTable::Column &column = m_table->column(source);
    switch (role) {
    case Qt::DisplayRole:
        return column.displayText(row);
    case Qt::ToolTipRole: {
        const QString exact = column.exactText(row);
        return exact.isEmpty() ? QVariant() : QVariant(exact);
    }
    case Qt::TextAlignmentRole:
        if (!column.text || column.allNumeric)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case ValueRole: {
        if (column.isMissing(row))
            return {};
        const double number = column.number(row);
        if (!std::isnan(number))
            return number;
        return column.exactText(row);
    }
    default:
        return {};
    }
}
QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    const ModelColumn &column = d->columns[std::size_t(section)];
    switch (role) {
    case Qt::DisplayRole:
        return column.label;
    case Qt::ToolTipRole:
        return tr("%1 · %2").arg(column.baseFilterName, kindText(column.kind, column.stat));
    case FilterNameRole:
        return column.filterName;
    case ColumnKindRole:
        return int(column.kind);
    default:
        return {};
    }
}

} // namespace kiln
