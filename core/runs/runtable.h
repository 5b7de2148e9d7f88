#pragma once

#include "runs/runtypes.h"
#include "util/expected.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace kiln {

class Database;

/// The attribute columns every runs table starts with, in this order (column index ==
/// int(RunAttribute)). Filter names follow MLflow where MLflow has one.
enum class RunAttribute {
    Id, ///< attributes.id: the run's number
    Name, ///< attributes.run_name
    Experiment, ///< attributes.experiment
    Status, ///< attributes.status: "FINISHED", "RUNNING"… match case-insensitively
    Source, ///< attributes.source: the trainer or the command
    Dataset, ///< attributes.dataset: "iris@2"
    Parent, ///< attributes.parent_id: the sweep a point belongs to (missing for top-level runs)
    Created, ///< attributes.created: ms since the epoch
    Started, ///< attributes.start_time: ms since the epoch
    Ended, ///< attributes.end_time: ms since the epoch
    Duration, ///< attributes.duration: seconds (to now while running)
    Uuid, ///< attributes.run_id
    Count
};

/// What a column holds. Metric columns come three to a key: last, min and max; a run's
/// results (test-set accuracy, RMSE…) are metrics with one point (last = min = max).
enum class RunColumnKind { Attribute, Param, Metric, Tag };
enum class MetricStat { Last, Min, Max };

/// Which runs RunTable::load reads.
struct RunTableQuery
{
    QStringList experiments; ///< empty: every experiment
    /// When set (non-empty or `newerThan` >= 0), only these runs and those with an id above
    /// `newerThan`: the delta a live table re-reads while runs are training.
    std::vector<qint64> runIds;
    qint64 newerThan = -1;
};

/// Every run of a workspace (or of some experiments) as an immutable, column-oriented
/// snapshot: one column per attribute, param, metric statistic and tag. Text columns are
/// dictionary-coded, so a filter or sort over 100,000 runs compares each distinct value once.
/// Built on any thread (load() opens its own connection) and shared read-only across threads.
class RunTable final
{
public:
    struct Column
    {
        RunColumnKind kind = RunColumnKind::Attribute;
        RunAttribute attribute = RunAttribute::Count; ///< attribute columns only
        QString key; ///< attribute filter name ("status"), param, metric or tag key
        MetricStat stat = MetricStat::Last; ///< metric columns only
        bool text = false; ///< coded strings (`codes`/`dictionary`); else `numbers`
        std::vector<double> numbers; ///< per row; NaN: missing
        std::vector<qint32> codes; ///< per row; -1: missing
        QStringList dictionary; ///< distinct values, in first-seen order
        std::vector<double> dictionaryNumbers; ///< each dictionary entry as a number, or NaN
        bool allNumeric = false; ///< text column whose every present value is a number
        bool stepSeries = false; ///< metric columns: some run logs the key per step (a chart can draw it)

        bool isMissing(int row) const;
        /// The number in the cell (text columns: its dictionary number); NaN when missing or not one.
        double number(int row) const;
        /// The cell as a user reads it: numbers with up to 6 significant digits, times as
        /// "yyyy-MM-dd HH:mm:ss" local time, durations as "1 h 02 m", empty when missing.
        QString displayText(int row) const;
        /// The cell exactly (full precision, times as ISO 8601), for CSV and JSON.
        QString exactText(int row) const;
        /// "max_depth", "validation/auc (min)", "Status": a column header.
        QString label() const;
        /// "params.max_depth", "metrics.`validation/auc`", "attributes.status": how a
        /// filter names it (quoted with backticks when the key has spaces, dots or quotes).
        /// Min and max columns have no filter name of their own (empty).
        QString filterName() const;
    };

    RunTable();

    /// Reads the runs on a connection of its own to the database at `databasePath`; any thread.
    static Expected<std::shared_ptr<const RunTable>> load(const QString &databasePath, const RunTableQuery &query = {});
    /// The same on an open connection (its thread).
    static Expected<std::shared_ptr<const RunTable>> load(Database &db, const RunTableQuery &query = {});

    /// A table with the rows of `update` replacing this table's rows of the same run and the
    /// rest appended (new params, metrics and tags become new columns). This table is untouched.
    std::shared_ptr<const RunTable> merged(const RunTable &update) const;

    int rowCount() const { return int(m_runIds.size()); }
    int columnCount() const { return int(m_columns.size()); }
    const Column &column(int index) const { return m_columns[std::size_t(index)]; }
    /// The column of `kind` and `key` (and `stat` for metrics); -1 when no run has it.
    int findColumn(RunColumnKind kind, const QString &key, MetricStat stat = MetricStat::Last) const;
    /// How the filter language names a key of `kind`: "params.max_depth", "tags.`my team`".
    static QString filterName(RunColumnKind kind, const QString &key);
    /// A column's identity as a hash key: kind, key and (metrics only) stat; what findColumn()
    /// looks up, and what a model keeps its columns by across snapshots.
    static QString columnIdentity(RunColumnKind kind, const QString &key, MetricStat stat = MetricStat::Last);

    qint64 runId(int row) const { return m_runIds[std::size_t(row)]; }
    int rowOfRun(qint64 runId) const; ///< -1 when absent
    RunStatus status(int row) const { return m_statuses[std::size_t(row)]; }
    bool hasActiveRuns() const; ///< any run queued or running
    std::vector<qint64> activeRunIds() const;
    qint64 maxRunId() const;

    QStringList paramKeys() const;
    QStringList metricKeys() const; ///< step metrics and results, sorted
    QStringList tagKeys() const;
    /// Whether some run logs metric `key` as a step series, not only as a final result.
    bool isStepMetric(const QString &key) const;

    /// The param and tag columns whose values are not all the same over `rows` (a run
    /// without the key counts as a value of its own): first those whose values differ, then
    /// those only some runs have, each in column order (legends read the telling ones first).
    std::vector<int> differingColumns(const std::vector<int> &rows) const;
    /// "#12 max_depth=6 eta=0.3": the run's number and its values in `columns`, for legends.
    QString legendLabel(int row, const std::vector<int> &columns) const;

    /// `rows` ordered by `column` (missing values last in either order; ties by run id,
    /// newest first), without touching the table.
    std::vector<int> sortedRows(std::vector<int> rows, int column, Qt::SortOrder order) const;
    /// Every row, newest run first.
    std::vector<int> allRows() const;

private:
    friend class RunTableBuilder;

    void indexColumns();

    std::vector<qint64> m_runIds;
    std::vector<RunStatus> m_statuses;
    std::vector<Column> m_columns;
    QHash<qint64, int> m_rowOfRun;
    QHash<QString, int> m_columnIndex; ///< columnIdentity() → column
};

} // namespace kiln
