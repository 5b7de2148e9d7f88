#include "models/runlistmodel.h"

#include "models/runformat.h"
#include "runs/runstore.h"

#include <QLocale>
#include <QSet>

#include <algorithm>

namespace kiln {

namespace {

/// The result each result column shows.
QString resultKey(int column)
{
    switch (column) {
    case RunListModel::AccuracyColumn:
        return QStringLiteral("accuracy");
    case RunListModel::F1Column:
        return QStringLiteral("f1_macro");
    case RunListModel::RocAucColumn:
        return QStringLiteral("roc_auc");
    case RunListModel::RmseColumn:
        return QStringLiteral("rmse");
    case RunListModel::R2Column:
        return QStringLiteral("r2");
    default:
        return {};
    }
}

QString timeText(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    return time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

bool sameState(const RunRecord &a, const RunRecord &b)
{
    return a.status == b.status && a.attempt == b.attempt && a.startedAt == b.startedAt && a.endedAt == b.endedAt
        && a.error == b.error && a.cancelRequested == b.cancelRequested;
}

} // namespace

RunListModel::RunListModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{
    m_poll.setInterval(m_pollInterval);
    connect(&m_poll, &QTimer::timeout, this, &RunListModel::onPollTimer);
}

RunListModel::~RunListModel() = default;

void RunListModel::setDatabase(Database *db)
{
    m_db = db;
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_runs.clear();
    m_runNodes.clear();
    m_experiments.clear();
    m_newestId = 0;
    endResetModel();
    updatePolling();
}

std::unique_ptr<RunListModel::Node> RunListModel::buildTree(const QList<RunRecord> &runs)
{
    auto root = std::make_unique<Node>();
    QHash<QString, Node *> experiments;
    QHash<qint64, Node *> runNodes;
    QStringList names;
    for (const RunRecord &run : runs) {
        if (!experiments.contains(run.experiment)) {
            experiments.insert(run.experiment, nullptr);
            names << run.experiment;
        }
    }
    std::sort(names.begin(), names.end(),
              [](const QString &a, const QString &b) { return a.compare(b, Qt::CaseInsensitive) < 0; });
    for (const QString &name : std::as_const(names)) {
        auto node = std::make_unique<Node>();
        node->parent = root.get();
        node->experiment = name;
        experiments[name] = node.get();
        root->children.push_back(std::move(node));
    }
    // The store lists newest first: runs read top-down from the latest. A sweep's points are
    // added oldest first under it (point #1 on top), so they are collected before attaching.
    QList<const RunRecord *> children;
    for (const RunRecord &run : runs) {
        if (run.parentId != 0) {
            children.prepend(&run);
            continue;
        }
        Node *experiment = experiments.value(run.experiment);
        auto node = std::make_unique<Node>();
        node->parent = experiment;
        node->runId = run.id;
        runNodes.insert(run.id, node.get());
        experiment->children.push_back(std::move(node));
    }
    for (const RunRecord *run : std::as_const(children)) {
        // A point whose parent is missing (never, unless the store was edited) stays visible.
        Node *parent = runNodes.value(run->parentId, experiments.value(run->experiment));
        auto node = std::make_unique<Node>();
        node->parent = parent;
        node->runId = run->id;
        parent->children.push_back(std::move(node));
    }
    return root;
}

bool RunListModel::sameShape(const Node &a, const Node &b)
{
    if (a.runId != b.runId || a.experiment != b.experiment || a.children.size() != b.children.size())
        return false;
    for (std::size_t i = 0; i < a.children.size(); ++i) {
        if (!sameShape(*a.children[i], *b.children[i]))
            return false;
    }
    return true;
}

void RunListModel::indexNodes(Node *node)
{
    if (node->runId != 0)
        m_runNodes.insert(node->runId, node);
    else if (node->parent)
        m_experiments.insert(node->experiment, node);
    for (const auto &child : node->children)
        indexNodes(child.get());
}

Status RunListModel::refresh()
{
    if (!m_db)
        return Status::success();
    Expected<QList<RunRecord>> runs = RunStore(*m_db).runs();
    if (!runs)
        return runs.error();

    std::unique_ptr<Node> tree = buildTree(*runs);
    QHash<qint64, RunRecord> records;
    records.reserve(runs->size());
    qint64 newest = 0;
    for (RunRecord &run : *runs) {
        newest = std::max(newest, run.id);
        records.emplace(run.id, std::move(run));
    }
    m_newestId = newest;

    if (sameShape(*m_root, *tree)) {
        // Same rows: update them in place so that views keep selection, expansion and scroll.
        m_runs = std::move(records);
        const auto announce = [this](const auto &self, const Node *node) -> void {
            if (node->children.empty())
                return;
            const QModelIndex parent = node == m_root.get() ? QModelIndex() : createIndex(rowOf(node), 0, node);
            Q_EMIT dataChanged(index(0, 0, parent), index(int(node->children.size()) - 1, ColumnCount - 1, parent));
            for (const auto &child : node->children)
                self(self, child.get());
        };
        announce(announce, m_root.get());
    } else {
        beginResetModel();
        m_root = std::move(tree);
        m_runs = std::move(records);
        m_runNodes.clear();
        m_experiments.clear();
        indexNodes(m_root.get());
        endResetModel();
    }
    updatePolling();
    return Status::success();
}

Status RunListModel::poll()
{
    if (!m_db)
        return Status::success();
    const RunStore store(*m_db);
    // A run submitted elsewhere (kilnctl, another window) changes the rows: read everything.
    RunQuery newestQuery;
    newestQuery.limit = 1;
    newestQuery.withDetails = false;
    Expected<QList<RunRecord>> newest = store.runs(newestQuery);
    if (!newest)
        return newest.error();
    if (!newest->isEmpty() && newest->constFirst().id > m_newestId)
        return refresh();

    // Every run that has not ended, in two queries however many there are.
    QHash<qint64, RunRecord> active;
    for (RunStatus status : {RunStatus::Queued, RunStatus::Running}) {
        RunQuery query;
        query.status = status;
        query.withDetails = false;
        Expected<QList<RunRecord>> runs = store.runs(query);
        if (!runs)
            return runs.error();
        for (RunRecord &run : *runs)
            active.emplace(run.id, std::move(run));
    }

    QList<qint64> watched;
    for (auto it = m_runs.cbegin(); it != m_runs.cend(); ++it) {
        if (!isTerminal(it->status) || active.contains(it.key()))
            watched << it.key();
    }
    for (qint64 id : std::as_const(watched)) {
        RunRecord &known = m_runs[id];
        const auto current = active.constFind(id);
        if (current != active.cend() && sameState(known, *current)) {
            if (known.status == RunStatus::Running) {
                const QModelIndex cell = indexForRun(id, DurationColumn);
                Q_EMIT dataChanged(cell, cell, {Qt::DisplayRole});
            }
            continue;
        }
        // Changed, or no longer queued or running: it ended. Read it with its results.
        Expected<RunRecord> fresh = store.run(id);
        if (!fresh)
            return fresh.error();
        known = std::move(fresh).value();
        Q_EMIT dataChanged(indexForRun(id, 0), indexForRun(id, ColumnCount - 1));
        // A sweep's status line counts its points: the parent row changes with them.
        if (const Node *node = m_runNodes.value(id); node && node->parent && node->parent->runId != 0) {
            const qint64 parentId = node->parent->runId;
            Q_EMIT dataChanged(indexForRun(parentId, StatusColumn), indexForRun(parentId, StatusColumn));
        }
        Q_EMIT runChanged(id, known.status);
    }
    updatePolling();
    return Status::success();
}

void RunListModel::setPollInterval(int milliseconds)
{
    m_pollInterval = milliseconds;
    if (milliseconds > 0)
        m_poll.setInterval(milliseconds);
    updatePolling();
}

void RunListModel::onPollTimer()
{
    const Status status = poll();
    if (!status)
        Q_EMIT pollFailed(status.errorMessage());
}

void RunListModel::updatePolling()
{
    const bool wanted = m_db && m_pollInterval > 0 && hasActiveRuns();
    if (wanted && !m_poll.isActive())
        m_poll.start();
    else if (!wanted)
        m_poll.stop();
}

bool RunListModel::hasActiveRuns() const
{
    return std::any_of(m_runs.cbegin(), m_runs.cend(), [](const RunRecord &run) { return !isTerminal(run.status); });
}

bool RunListModel::columnHasValues(int column) const
{
    const QString key = resultKey(column);
    if (key.isEmpty())
        return true;
    return std::any_of(m_runs.cbegin(), m_runs.cend(),
                       [&key](const RunRecord &run) { return run.results.contains(key); });
}

QModelIndex RunListModel::indexForRun(qint64 runId, int column) const
{
    const Node *node = m_runNodes.value(runId);
    if (!node)
        return {};
    return createIndex(rowOf(node), column, node);
}

QModelIndex RunListModel::indexForExperiment(const QString &name) const
{
    const Node *node = m_experiments.value(name);
    if (!node)
        return {};
    return createIndex(rowOf(node), 0, node);
}

const RunRecord *RunListModel::run(qint64 runId) const
{
    const auto it = m_runs.constFind(runId);
    return it == m_runs.cend() ? nullptr : &*it;
}

RunListModel::Node *RunListModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

int RunListModel::rowOf(const Node *node) const
{
    const Node *parent = node->parent;
    if (!parent)
        return 0;
    const auto it = std::find_if(parent->children.cbegin(), parent->children.cend(),
                                 [node](const std::unique_ptr<Node> &child) { return child.get() == node; });
    return int(it - parent->children.cbegin());
}

QModelIndex RunListModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const Node *node = nodeFor(parent);
    if (!node || row >= int(node->children.size()))
        return {};
    return createIndex(row, column, node->children[std::size_t(row)].get());
}

QModelIndex RunListModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Node *node = nodeFor(child);
    if (!node->parent || node->parent == m_root.get())
        return {};
    return createIndex(rowOf(node->parent), 0, node->parent);
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    const Node *node = nodeFor(parent);
    return node ? int(node->children.size()) : 0;
}

int RunListModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node *node = nodeFor(index);
    if (node->runId == 0)
        return experimentData(*node, index.column(), role);
    const auto run = m_runs.constFind(node->runId);
    if (run == m_runs.cend())
        return {};
    return runData(*run, index.column(), role);
}

QVariant RunListModel::experimentData(const Node &node, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        if (column == IdColumn)
            return node.children.size() == 1 ? tr("%1 (1 run)").arg(node.experiment)
                                             : tr("%1 (%2 runs)").arg(node.experiment).arg(node.children.size());
        return {};
    case Qt::ToolTipRole:
        return tr("Experiment “%1”").arg(node.experiment);
    case RunIdRole:
        return qint64(0);
    case StatusRole:
        return -1;
    case IsExperimentRole:
        return true;
    case ExperimentRole:
        return node.experiment;
    case IsSweepRole:
        return false;
    default:
        return {};
    }
}

QVariant RunListModel::runData(const RunRecord &run, int column, int role) const
{
    const bool isSweep = run.spec.kind == RunSpec::Kind::Sweep;
    const QString key = resultKey(column);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case IdColumn:
            return QString::number(run.id);
        case NameColumn:
            return displayName(run);
        case StatusColumn: {
            const QString text = runformat::statusText(run.status);
            const Node *node = m_runNodes.value(run.id);
            if (!isSweep || !node || node->children.empty())
                return text;
            const auto ended = std::count_if(node->children.cbegin(), node->children.cend(), [this](const auto &child) {
                const auto point = m_runs.constFind(child->runId);
                return point != m_runs.cend() && isTerminal(point->status);
            });
            return tr("%1 (%2/%3)").arg(text).arg(ended).arg(node->children.size());
        }
        case SourceColumn:
            return runformat::sourceText(run.spec);
        case DatasetColumn:
            return run.spec.datasetRef;
        case StartedColumn:
            return timeText(run.startedAt);
        case DurationColumn:
            return runformat::duration(run.durationSeconds());
        default:
            if (run.results.contains(key))
                return runformat::metricValue(run.results.value(key));
            return {};
        }
    case Qt::ToolTipRole:
        switch (column) {
        case NameColumn:
        case StatusColumn:
            if (!run.error.isEmpty() && run.status != RunStatus::Finished)
                return tr("%1: %2").arg(runformat::statusText(run.status), run.error);
            return run.name;
        case SourceColumn:
            return run.spec.command.isEmpty() ? run.spec.trainer : run.spec.command.join(u' ');
        case StartedColumn:
            if (!run.startedAt.isValid())
                return tr("Queued since %1").arg(QLocale().toString(run.createdAt.toLocalTime(), QLocale::LongFormat));
            return QLocale().toString(run.startedAt.toLocalTime(), QLocale::LongFormat);
        default:
            if (run.results.contains(key))
                return QString::number(run.results.value(key), 'g', 17);
            return {};
        }
    case Qt::TextAlignmentRole:
        if (column == IdColumn || column == DurationColumn || !key.isEmpty())
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case RunIdRole:
        return run.id;
    case StatusRole:
        return int(run.status);
    case IsExperimentRole:
        return false;
    case ExperimentRole:
        return run.experiment;
    case IsSweepRole:
        return isSweep;
    case ValueRole:
        if (column == DurationColumn)
            return run.durationSeconds();
        if (column == IdColumn)
            return run.id;
        if (run.results.contains(key))
            return run.results.value(key);
        return {};
    default:
        return {};
    }
}

QString RunListModel::displayName(const RunRecord &run) const
{
    // A sweep's point is told apart from its siblings by the values it tries, not by the
    // sweep's name that every point repeats.
    const auto parent = m_runs.constFind(run.parentId);
    if (run.parentId == 0 || parent == m_runs.cend() || parent->spec.sweep.isEmpty())
        return run.name;
    QStringList values;
    for (auto it = parent->spec.sweep.cbegin(); it != parent->spec.sweep.cend(); ++it)
        values << it.key() % u'=' % run.spec.params.value(it.key()).toVariant().toString();
    const qsizetype hash = run.name.lastIndexOf(u'#');
    const QString number = hash >= 0 ? run.name.mid(hash) : QString();
    return number.isEmpty() ? values.join(QStringLiteral(", "))
                            : number % QStringLiteral(" · ") % values.join(QStringLiteral(", "));
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn:
        return tr("Run");
    case NameColumn:
        return tr("Name");
    case StatusColumn:
        return tr("Status");
    case SourceColumn:
        return tr("Trainer / command");
    case DatasetColumn:
        return tr("Dataset");
    case StartedColumn:
        return tr("Started");
    case DurationColumn:
        return tr("Duration");
    default:
        return runformat::resultLabel(resultKey(section));
    }
}

} // namespace kiln
