#pragma once

#include "runs/runfilter.h"
#include "runs/runtable.h"
#include "util/expected.h"

#include <QAbstractItemModel>
#include <QIODevice>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace kiln {

/// The runs table of the Experiments panel: a virtual model over a RunTable snapshot of
/// every run of the chosen experiments, 100,000 runs and more. Loading happens on a worker
/// thread (RunTable::load on its own connection), so the GUI thread never waits for SQLite;
/// filtering, sorting and grouping work on the columnar snapshot in milliseconds.
///
/// Columns: one per RunTable column (attributes, params, metric last/min/max, tags). Model
/// columns are stable while the model lives: when a reload brings a new key its columns are
/// appended (beginInsertColumns), so a view's hidden columns and widths stay put.
/// Rows: the runs that pass the filter (and the brush), sorted; grouped by a column they
/// become children of one group row per distinct value ("max_depth = 6 (12 runs)").
///
/// Live: while a run is queued or running, a poll (pollInterval, 1 s) re-reads those runs and
/// any new ones (RunTableQuery's delta) on the worker and merges them; a table with none checks
/// the store every 2 s (one aggregate query on the worker) and reads only when runs were added,
/// removed or revived by another process or machine. Rows keep their selection through
/// layoutChanged with persistent indexes moved by run id.
class RunTableModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunTableModel)

public:
    enum Role {
        RunIdRole = Qt::UserRole + 1, ///< the run's number; 0 on group rows
        StatusRole, ///< RunStatus as int; -1 on group rows
        IsGroupRole,
        ValueRole, ///< the number behind a cell (double), or its text; invalid when missing
        FilterNameRole, ///< on headers: "params.max_depth" (what the filter language calls it)
        ColumnKindRole, ///< on headers: RunColumnKind as int
    };

    explicit RunTableModel(QObject *parent = nullptr);
    ~RunTableModel() override;

    /// The workspace database to read (empty: the model empties and stops polling). Starts a load.
    void setDatabasePath(const QString &path);
    QString databasePath() const { return m_databasePath; }
    /// The experiments whose runs are shown; empty: all. Starts a load.
    void setExperiments(const QStringList &experiments);
    QStringList experiments() const { return m_experiments; }
    /// Reads every run again (asynchronously); loaded() or loadFailed() follows.
    void reload();
    /// Re-reads the runs that have not ended and any new ones (asynchronously).
    void poll();
    bool isLoading() const;
    /// The poll's period; 0 turns the automatic poll off (tests call poll() themselves).
    void setPollInterval(int milliseconds);
    bool isPolling() const { return m_poll.isActive(); }

    /// Applies `expression` (RunFilter syntax). An invalid one is refused: false, the rows
    /// stay those of the last valid filter and filterError() says where it failed.
    bool setFilter(const QString &expression);
    const RunFilter &filter() const { return m_filter; }
    /// Only these runs (on top of the filter), as parallel coordinates' brushing asks; nullopt: no brush.
    void setBrushedRuns(std::optional<QSet<qint64>> runIds);
    bool isBrushed() const { return m_brush.has_value(); }
    /// Groups rows by model column `column` (a param or tag usually); -1: no groups.
    void setGroupColumn(int column);
    int groupColumn() const { return m_groupColumn; }
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    /// The snapshot the model shows (null before the first load).
    std::shared_ptr<const RunTable> table() const { return m_table; }
    /// The RunTable column behind model column `column` (-1 when the table lacks it now).
    int tableColumn(int column) const;
    /// The model column that shows `filterName` ("params.max_depth", "metrics.auc") with
    /// `stat`; -1 when none.
    int columnForKey(RunColumnKind kind, const QString &key, MetricStat stat = MetricStat::Last) const;
    /// Every run in the snapshot, and those passing the filter and the brush.
    int runCount() const;
    int visibleRunCount() const;
    /// The visible runs' table rows in display order (groups flattened).
    std::vector<int> visibleTableRows() const;
    QModelIndex indexForRun(qint64 runId, int column = 0) const;
    qint64 runIdAt(const QModelIndex &index) const; ///< 0 on group rows

    /// Writes the visible runs, in display order, as CSV (RFC 4180, UTF-8, header row) with
    /// the model columns `columns` (all when empty), exact values.
    Status writeCsv(QIODevice &device, const QList<int> &columns = {}) const;
    /// What writeCsv() would write now, captured (the snapshot, the visible rows, the columns)
    /// as a function that may run later on any thread while the model moves on: the runs
    /// table exports on a worker. Formatting 100,000 runs takes about a second.
    std::function<Status(QIODevice &)> csvWriter(const QList<int> &columns = {}) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

Q_SIGNALS:
    /// A load or poll finished and the rows show it; `milliseconds` is the load's time.
    void loaded(double milliseconds);
    void loadFailed(const QString &message);
    /// The filter changed (valid) or was refused (`error` set, `position` 0-based).
    void filterError(const QString &error, int position);
    void filterApplied(int visibleRuns);
    /// A run changed status (a poll saw it); after the rows were updated.
    void runChanged(qint64 runId, kiln::RunStatus status);

private:
    struct ModelColumn;
    struct Group;
    struct View;
    struct Private;

    Qt::ItemFlags flags(const QModelIndex &index) const override;
    void startLoad(const RunTableQuery &query, std::shared_ptr<const RunTable> base);
    void updatePolling();
    /// Shows `table` (a poll's merge when `update` is set): new columns, rows, values, statuses.
    void adoptTable(const std::shared_ptr<const RunTable> &table, const RunTable *update);
    /// Appends `added` to the model's columns (not yet mapped to the shown snapshot: -1).
    void addColumns(std::vector<ModelColumn> added);
    std::vector<ModelColumn> newColumns(const RunTable &table) const;
    std::vector<int> mapColumns(const RunTable &table) const;
    View computeView(const RunTable &table, const std::vector<int> &mapping) const;
    static bool sameRows(const RunTable &oldTable, const View &oldView, const RunTable &newTable, const View &newView);
    /// Swaps in a snapshot and its rows as one layout change, persistent indexes following runs.
    void showView(std::shared_ptr<const RunTable> table, std::vector<int> mapping, View view);
    void relayout();
    int tableRowAt(const QModelIndex &index) const; ///< -1 on group rows
    QVariant groupData(const Group &group, int column, int role) const;

    std::unique_ptr<Private> d;
    QString m_databasePath;
    QStringList m_experiments;
    RunFilter m_filter;
    std::optional<QSet<qint64>> m_brush;
    std::shared_ptr<const RunTable> m_table;
    int m_groupColumn = -1;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    QTimer m_poll;
};

} // namespace kiln
