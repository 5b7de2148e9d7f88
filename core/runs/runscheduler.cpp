#include "runs/runscheduler.h"

#include "runs/runstore.h"
#include "runs/runtask.h"
#include "runs/sweep.h"
#include "workspace/workspace.h"

#include <QThread>

namespace kiln {

RunScheduler::RunScheduler(QString workspaceRoot, TaskManager &tasks, QObject *parent)
    : QObject(parent)
    , m_root(std::move(workspaceRoot))
    , m_tasks(tasks)
    , m_concurrency(std::max(1, QThread::idealThreadCount()))
{
    // Other processes may queue runs: look again every second.
    m_poll.setInterval(1000);
    connect(&m_poll, &QTimer::timeout, this, &RunScheduler::poke);
}

RunScheduler::~RunScheduler() = default;

void RunScheduler::setConcurrency(int runs)
{
    m_concurrency = std::max(1, runs);
    poke();
}

Status RunScheduler::start()
{
    auto workspace = Workspace::open(m_root, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error();
    m_workspace = std::move(workspace).value();
    m_stopped = false;
    auto interrupted = RunStore(m_workspace->db()).markInterrupted();
    if (!interrupted)
        return interrupted.error();
    finishSweepParents();
    m_poll.start();
    poke();
    return {};
}

void RunScheduler::stop()
{
    m_stopped = true;
    m_poll.stop();
}

void RunScheduler::poke()
{
    if (!m_workspace || m_stopped)
        return;
    RunStore store(m_workspace->db());
    while (int(m_active.size()) < m_concurrency) {
        auto next = store.claimNextQueued();
        if (!next) {
            Q_EMIT error(next.errorMessage());
            return;
        }
        if (!next->has_value())
            break;
        const RunRecord run = std::move(next).value().value();
        m_active.insert(run.id);
        auto *task = new RunTask(m_root, run);
        connect(task, &Task::finished, this, [this, task] {
            const qint64 id = task->runId();
            m_active.remove(id);
            // A task cancelled before it could record an end still leaves a terminal run.
            RunStatus status = task->outcome();
            if (task->state() == Task::State::Cancelled || task->state() == Task::State::Failed) {
                status = task->state() == Task::State::Cancelled ? RunStatus::Cancelled : RunStatus::Failed;
                RunStore(m_workspace->db()).markEnded(id, status, std::nullopt, task->message());
            }
            finishSweepParents();
            Q_EMIT runEnded(id, status);
            poke();
        });
        m_tasks.start(task);
        Q_EMIT runStarted(run.id);
    }
}

Status RunScheduler::cancel(qint64 runId)
{
    if (!m_workspace)
        return Error {QStringLiteral("the scheduler is not started")};
    RunStore store(m_workspace->db());
    auto run = store.run(runId, false);
    if (!run)
        return run.error();
    if (run->spec.kind == RunSpec::Kind::Sweep) {
        // Cancelling a sweep cancels every point that has not ended.
        auto children = store.runs(RunQuery {{}, {}, runId, 0, false});
        if (!children)
            return children.error();
        for (const RunRecord &child : *children) {
            if (!isTerminal(child.status))
                store.requestCancel(child.id);
        }
        finishSweepParents();
        return {};
    }
    if (Status s = store.requestCancel(runId); !s)
        return s;
    for (Task *task : m_tasks.activeTasks()) {
        if (auto *runTask = qobject_cast<RunTask *>(task); runTask && runTask->runId() == runId)
            runTask->cancel();
    }
    return {};
}

void RunScheduler::finishSweepParents()
{
    RunStore store(m_workspace->db());
    auto parents = store.runs(RunQuery {{}, {}, 0, 0, false});
    if (!parents)
        return;
    for (const RunRecord &parent : *parents) {
        if (parent.spec.kind == RunSpec::Kind::Sweep && !isTerminal(parent.status))
            finishSweepIfDone(store, parent.id);
    }
}

} // namespace kiln
