#pragma once

#include "runs/runtypes.h"
#include "util/expected.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace kiln {

class RunScheduler;
class StoreWorker;
class TaskManager;
class Workspace;

/// Runs the runs of the open workspace in this app: owns the RunScheduler that claims queued
/// local runs onto the window's TaskManager (one scheduler per workspace, made again on a
/// switch), sends runs of executor "slurm" to the cluster (SlurmExecutor, on a worker), and
/// submits and cancels runs for the dialogs and panels. Lives on the GUI thread and uses the
/// workspace's GUI-thread connection for the few small writes a submission makes; everything
/// that waits on Slurm's tools runs on its StoreWorker.
class RunController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunController)

public:
    /// How often Slurm is asked about the workspace's active jobs.
    static constexpr int kSlurmRefreshMs = 2000;

    explicit RunController(TaskManager *tasks, QObject *parent = nullptr);
    ~RunController() override;

    /// Stops serving the previous workspace's queue and starts serving `workspace`'s (null:
    /// none). Runs already running go on to their end, recorded by the old scheduler; the
    /// start marks runs that a dead process left running as interrupted.
    void setWorkspace(Workspace *workspace);
    Workspace *workspace() const { return m_workspace; }
    RunScheduler *scheduler() const { return m_scheduler.get(); }

    /// Queues `spec` (a sweep queues its points): a local run for the scheduler, a Slurm run
    /// submitted (a sweep as one job array) on a worker; a refused submission ends the runs as
    /// failed with Slurm's reason and is announced by submissionFailed().
    Expected<RunRecord> submit(const RunSpec &spec);
    /// Cancels a queued or running run (a sweep: its points that have not ended); a Slurm
    /// run through scancel, on a worker.
    Status cancel(qint64 runId);
    /// The experiments of the workspace, for the dialogs' experiment choosers.
    QStringList experiments() const;

Q_SIGNALS:
    void runSubmitted(qint64 runId);
    void runStarted(qint64 runId);
    void runEnded(qint64 runId, kiln::RunStatus status);
    /// Slurm did not take run `runId` (sbatch refused it, the controller is down): the run
    /// ended as failed with `reason`.
    void submissionFailed(qint64 runId, const QString &reason);
    /// The scheduler could not start or read the queue; Slurm could not be asked.
    void errorOccurred(const QString &message);

private:
    void retireScheduler();
    void submitToSlurm(qint64 runId);
    void refreshSlurm();

    TaskManager *m_tasks = nullptr;
    Workspace *m_workspace = nullptr;
    std::unique_ptr<RunScheduler> m_scheduler;
    std::unique_ptr<StoreWorker> m_slurm;
    QTimer m_slurmRefresh;
    bool m_refreshing = false;
    QString m_lastSlurmProblem; ///< said once, not at every refresh
};

} // namespace kiln
