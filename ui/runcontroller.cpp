#include "runcontroller.h"

#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "workspace/workspace.h"

namespace kiln {

RunController::RunController(TaskManager *tasks, QObject *parent)
    : QObject(parent)
    , m_tasks(tasks)
{ }

RunController::~RunController() = default;

void RunController::setWorkspace(Workspace *workspace)
{
    retireScheduler();
    m_workspace = workspace;
    if (!workspace)
        return;
    m_scheduler = std::make_unique<RunScheduler>(workspace->location(), *m_tasks);
    connect(m_scheduler.get(), &RunScheduler::runStarted, this, &RunController::runStarted);
    connect(m_scheduler.get(), &RunScheduler::runEnded, this, &RunController::runEnded);
    connect(m_scheduler.get(), &RunScheduler::error, this, &RunController::errorOccurred);
    if (const Status started = m_scheduler->start(); !started)
        Q_EMIT errorOccurred(tr("Runs cannot start in this workspace: %1").arg(started.errorMessage()));
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
    RunStore store(m_workspace->db());
    Expected<RunRecord> run = submitRun(store, spec);
    if (!run)
        return run;
    Q_EMIT runSubmitted(run->id);
    if (m_scheduler)
        m_scheduler->poke();
    return run;
}

Status RunController::cancel(qint64 runId)
{
    if (!m_scheduler)
        return Error {tr("No workspace is open.")};
    return m_scheduler->cancel(runId);
}

QStringList RunController::experiments() const
{
    if (!m_workspace)
        return {};
    return RunStore(m_workspace->db()).experiments();
}

} // namespace kiln
