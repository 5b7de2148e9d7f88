#pragma once

#include "runs/runtypes.h"
#include "util/expected.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QTimer>

#include <memory>
#include <vector>

namespace kiln {

class Database;

/// The runs of a workspace as a tree: experiments at the top, their runs (newest first)
/// below, and under a sweep its points. Reads the run store on the connection it is given,
/// so it lives on that connection's thread (the GUI thread in the app).
///
/// refresh() reads everything again; while any run is queued or running, a one-second poll
/// re-reads only those runs (one small query each) and notices runs that are new, so a
/// live status costs nothing once every run has ended.
class RunListModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunListModel)

public:
    // Results come right after the status: they are what a reader compares; the rest of
    // what a run was (trainer, dataset, start) follows.
    enum Column {
        IdColumn,
        NameColumn,
        StatusColumn,
        AccuracyColumn,
        F1Column,
        RocAucColumn,
        RmseColumn,
        R2Column,
        DurationColumn,
        SourceColumn, ///< trainer or command
        DatasetColumn,
        StartedColumn,
        ColumnCount
    };
    enum Role {
        RunIdRole = Qt::UserRole + 1, ///< the run's number; 0 on experiment rows
        StatusRole, ///< RunStatus as int; -1 on experiment rows
        IsExperimentRole,
        ExperimentRole, ///< the experiment's name (on every row)
        IsSweepRole,
        ValueRole, ///< the raw number behind a result or duration cell, when there is one
    };

    explicit RunListModel(QObject *parent = nullptr);
    ~RunListModel() override;

    /// The connection refresh() and the poll read; null empties the model and stops polling.
    void setDatabase(Database *db);
    /// Reads every run again. Keeps the rows (and so a view's selection) when no run came or
    /// went; on error the model keeps what it had.
    Status refresh();
    /// Re-reads the runs that have not ended (and reads everything when a run is new).
    Status poll();
    /// The poll's period; 0 turns the automatic poll off (tests drive poll() themselves).
    void setPollInterval(int milliseconds);
    bool isPolling() const { return m_poll.isActive(); }

    /// The row of run `runId` (in `column`), or an invalid index.
    QModelIndex indexForRun(qint64 runId, int column = IdColumn) const;
    QModelIndex indexForExperiment(const QString &name) const;
    /// The run as last read, or null.
    const RunRecord *run(qint64 runId) const;
    int runCount() const { return int(m_runs.size()); }
    int experimentCount() const { return int(m_experiments.size()); }
    bool hasActiveRuns() const;
    /// Whether any run has a value in `column` (views hide result columns nobody fills).
    bool columnHasValues(int column) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// A run changed status, or its results arrived; emitted after the rows were updated.
    void runChanged(qint64 runId, kiln::RunStatus status);
    /// A poll or refresh started by the timer failed (a locked or vanished database).
    void pollFailed(const QString &message);

private:
    struct Node
    {
        Node *parent = nullptr;
        QString experiment; ///< set on experiment rows
        qint64 runId = 0; ///< set on run rows
        std::vector<std::unique_ptr<Node>> children;
    };

    Node *nodeFor(const QModelIndex &index) const;
    int rowOf(const Node *node) const;
    QVariant experimentData(const Node &node, int column, int role) const;
    QVariant runData(const RunRecord &run, int column, int role) const;
    QString displayName(const RunRecord &run) const;
    static std::unique_ptr<Node> buildTree(const QList<RunRecord> &runs);
    static bool sameShape(const Node &a, const Node &b);
    void indexNodes(Node *node);
    void updatePolling();
    void onPollTimer();

    Database *m_db = nullptr;
    std::unique_ptr<Node> m_root;
    QHash<qint64, RunRecord> m_runs;
    QHash<qint64, Node *> m_runNodes;
    QHash<QString, Node *> m_experiments;
    qint64 m_newestId = 0;
    QTimer m_poll;
    int m_pollInterval = 1000;
};

} // namespace kiln
