#include "runcontroller.h"

#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "slurm/slurmexecutor.h"
#include "storeworker.h"
#include "workspace/workspace.h"

#include <QFutureWatcher>

namespace kiln {

namespace {

const QString kSlurm = QStringLiteral("slurm");

/// What one look at Slurm came to.
struct SlurmRefresh
{
    bool jobsActive = false; ///< keep following
    QString problem;
};

} // namespace

RunController::RunController(TaskManager *tasks, QObject *parent)
    : QObject(parent)
    , m_tasks(tasks)
    , m_slurm(std::make_unique<StoreWorker>())
{
    m_slurmRefresh.setInterval(kSlurmRefreshMs);
    connect(&m_slurmRefresh, &QTimer::timeout, this, &RunController::refreshSlurm);
}

// The StoreWorker waits for a Slurm call in flight; the watchers, children of this object,
// are gone by then and hear nothing of it.
RunController::~RunController() = default;

void RunController::setWorkspace(Workspace *workspace)
{
    retireScheduler();
    m_slurmRefresh.stop();
    m_lastSlurmProblem.clear();
    m_workspace = workspace;
    m_slurm->setLocation(workspace ? workspace->location() : QString());
    if (!workspace)
        return;
    m_scheduler = std::make_unique<RunScheduler>(workspace->location(), *m_tasks);
    connect(m_scheduler.get(), &RunScheduler::runStarted, this, &RunController::runStarted);
    connect(m_scheduler.get(), &RunScheduler::runEnded, this, &RunController::runEnded);
    connect(m_scheduler.get(), &RunScheduler::error, this, &RunController::errorOccurred);
    if (const Status started = m_scheduler->start(); !started)
        Q_EMIT errorOccurred(tr("Runs cannot start in this workspace: %1").arg(started.errorMessage()));
    // Jobs of an earlier session, or submitted by kilnctl, may still be on the cluster.
    if (SlurmClient().isAvailable())
        refreshSlurm();
}

void RunController::retireScheduler()
{
    if (!m_scheduler)
        return;
    // The old workspace's scheduler claims nothing more, but its running runs go on to their
    // end and are recorded by it; it goes once the last one ended. The panels, now showing
    // another workspace, no longer hear from it.
    RunScheduler *old = m_scheduler.release();
    old->stop();
    disconnect(old, nullptr, this, nullptr);
    if (old->activeRuns() == 0) {
        delete old;
        return;
    }
    old->setParent(this);
    connect(old, &RunScheduler::runEnded, old, [old] {
        if (old->activeRuns() == 0)
            old->deleteLater();
    });
}

Expected<RunRecord> RunController::submit(const RunSpec &spec)
{
    if (!m_workspace)
        return Error {tr("No workspace is open.")};
    const bool slurm = spec.executor == kSlurm;
    RunStore store(m_workspace->db());
    Expected<RunRecord> run = submitRun(store, spec);
    if (!run)
        return run;
    Q_EMIT runSubmitted(run->id);
    if (slurm)
        submitToSlurm(run->id);
    else if (m_scheduler)
        m_scheduler->poke();
    return run;
}

void RunController::submitToSlurm(qint64 runId)
{
    const QString location = m_slurm->location();
    auto *watcher = new QFutureWatcher<Status>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, runId, location] {
        watcher->deleteLater();
        const Status submitted = watcher->result();
        if (!submitted) {
            Q_EMIT submissionFailed(runId, submitted.errorMessage());
            Q_EMIT errorOccurred(tr("Run %1 was not submitted to Slurm: %2").arg(runId).arg(submitted.errorMessage()));
        }
        if (location == m_slurm->location() && !m_slurmRefresh.isActive())
            m_slurmRefresh.start();
    });
    // sbatch may take seconds (or its timeout, when the controller does not answer).
    watcher->setFuture(m_slurm->run([runId](Expected<Workspace *> workspace) -> Status {
        if (!workspace)
            return workspace.error();
        return SlurmExecutor(**workspace, SlurmClient()).submit(runId);
    }));
}

void RunController::refreshSlurm()
{
    if (m_refreshing || m_slurm->location().isEmpty())
        return;
    m_refreshing = true;
    const QString location = m_slurm->location();
    auto *watcher = new QFutureWatcher<SlurmRefresh>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, location] {
        watcher->deleteLater();
        m_refreshing = false;
        if (location != m_slurm->location())
            return; // another workspace since
        const SlurmRefresh result = watcher->result();
        if (!result.problem.isEmpty() && result.problem != m_lastSlurmProblem)
            Q_EMIT errorOccurred(tr("Asking Slurm about the runs: %1").arg(result.problem));
        m_lastSlurmProblem = result.problem;
        if (!result.jobsActive)
            m_slurmRefresh.stop();
        else if (!m_slurmRefresh.isActive())
            m_slurmRefresh.start();
    });
    watcher->setFuture(m_slurm->run([](Expected<Workspace *> workspace) {
        SlurmRefresh result;
        if (!workspace) {
            result.problem = workspace.errorMessage();
            return result;
        }
        Expected<QList<RunJob>> active = RunStore((*workspace)->db()).activeJobs(kSlurm);
        if (!active) {
            result.problem = active.errorMessage();
            result.jobsActive = true; // unknown: look again
            return result;
        }
        if (active->isEmpty())
            return result;
        result.jobsActive = true;
        // It records what Slurm says and ends the runs whose jobs ended without their worker.
        const Expected<QList<qint64>> changed = SlurmExecutor(**workspace, SlurmClient()).refresh();
        if (!changed)
            result.problem = changed.errorMessage();
        return result;
    }));
}

Status RunController::cancel(qint64 runId)
{
    if (!m_workspace || !m_scheduler)
        return Error {tr("No workspace is open.")};
    // One row by its key: the executor decides who stops the run.
    const Expected<RunRecord> run = RunStore(m_workspace->db()).run(runId, false);
    if (!run)
        return run.error();
    if (run->spec.executor != kSlurm)
        return m_scheduler->cancel(runId);
    auto *watcher = new QFutureWatcher<Status>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, runId] {
        watcher->deleteLater();
        if (const Status cancelled = watcher->result(); !cancelled)
            Q_EMIT errorOccurred(tr("Run %1 was not cancelled: %2").arg(runId).arg(cancelled.errorMessage()));
        refreshSlurm();
    });
    watcher->setFuture(m_slurm->run([runId](Expected<Workspace *> workspace) -> Status {
        if (!workspace)
            return workspace.error();
        return SlurmExecutor(**workspace, SlurmClient()).cancel(runId);
    }));
    return {};
}

QStringList RunController::experiments() const
{
    if (!m_workspace)
        return {};
    return RunStore(m_workspace->db()).experiments();
}

} // namespace kiln
