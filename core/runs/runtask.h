#pragma once

#include "runs/runtypes.h"
#include "tasks/task.h"

namespace kiln {

/// Executes one claimed run (a built-in trainer or an external command) on a worker thread
/// with its own workspace connection, records everything it reports, and leaves the run in a
/// terminal state (or back in the queue for a retry).
class RunTask final : public Task
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunTask)

public:
    RunTask(QString workspaceRoot, RunRecord run, QObject *parent = nullptr);

    qint64 runId() const { return m_run.id; }
    RunStatus outcome() const { return m_outcome; }
    bool requeued() const { return m_requeued; }

protected:
    Status run(Feedback &feedback) override;

private:
    QString m_workspaceRoot;
    RunRecord m_run;
    RunStatus m_outcome = RunStatus::Failed;
    bool m_requeued = false;
};

} // namespace kiln
