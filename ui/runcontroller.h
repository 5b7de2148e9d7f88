#pragma once

#include "runs/runtypes.h"
#include "util/expected.h"

#include <QObject>

#include <memory>

namespace kiln {

class RunScheduler;
class TaskManager;
class Workspace;

/// Runs the runs of the open workspace in this app: owns the RunScheduler that claims queued
/// runs onto the window's TaskManager (one scheduler per workspace, made again on a switch),
/// and submits and cancels runs for the dialogs and panels. Lives on the GUI thread and uses
/// the workspace's GUI-thread connection for the few small writes a submission makes.
class RunController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunController)

public:
    explicit RunController(TaskManager *tasks, QObject *parent = nullptr);
    ~RunController() override;

    /// Stops serving the previous workspace's queue and starts serving `workspace`'s (null:
    /// none). Runs already running go on to their end, recorded by the old scheduler; the
    /// start marks runs that a dead process left running as interrupted.
    void setWorkspace(Workspace *workspace);
    Workspace *workspace() const { return m_workspace; }
    RunScheduler *scheduler() const { return m_scheduler.get(); }

    /// Queues `spec` (a sweep queues its points) and has the scheduler look at the queue.
    Expected<RunRecord> submit(const RunSpec &spec);
    /// Cancels a queued or running run (a sweep: its points that have not ended).
    Status cancel(qint64 runId);
    /// The experiments of the workspace, for the dialogs' experiment choosers.
    QStringList experiments() const;

Q_SIGNALS:
    void runSubmitted(qint64 runId);
    void runStarted(qint64 runId);
    void runEnded(qint64 runId, kiln::RunStatus status);
    /// The scheduler could not start or read the queue.
    void errorOccurred(const QString &message);

private:
    void retireScheduler();

    TaskManager *m_tasks = nullptr;
    Workspace *m_workspace = nullptr;
    std::unique_ptr<RunScheduler> m_scheduler;
};

} // namespace kiln
