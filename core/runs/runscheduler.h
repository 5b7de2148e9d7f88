#pragma once

#include "runs/runtypes.h"
#include "tasks/taskmanager.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

namespace kiln {

class Workspace;

/// Starts the queued runs of a workspace, at most concurrency() at a time, each as a RunTask
/// on the TaskManager. Several schedulers (the app, a kilnctl) may serve one workspace: each
/// claims runs atomically. Lives on the thread of its TaskManager (the GUI thread in the app).
class RunScheduler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunScheduler)

public:
    RunScheduler(QString workspaceRoot, TaskManager &tasks, QObject *parent = nullptr);
    ~RunScheduler() override;

    /// Default: the number of cores.
    void setConcurrency(int runs);
    int concurrency() const { return m_concurrency; }

    /// Marks runs left running by dead processes as interrupted, then starts serving the queue.
    Status start();
    /// Looks at the queue now (after submitting runs).
    void poke();
    /// Stops claiming new runs; runs already started still end and are recorded.
    void stop();
    int activeRuns() const { return int(m_active.size()); }
    /// Whether this scheduler started run `runId` and it has not ended yet.
    bool isRunning(qint64 runId) const { return m_active.contains(runId); }
    /// Cancels a run, queued or running, here or in another process.
    Status cancel(qint64 runId);

Q_SIGNALS:
    void runStarted(qint64 runId);
    /// `status` is Queued when the run went back to the queue for a retry.
    void runEnded(qint64 runId, kiln::RunStatus status);
    void error(const QString &message);

private:
    void finishSweepParents();

    QString m_root;
    TaskManager &m_tasks;
    std::unique_ptr<Workspace> m_workspace;
    QTimer m_poll;
    int m_concurrency;
    QSet<qint64> m_active;
    bool m_stopped = false;
};

} // namespace kiln
