#include "runs/runtask.h"

#include "runs/externalrun.h"
#include "runs/processidentity.h"
#include "runs/runrecorder.h"
#include "runs/runstore.h"
#include "runs/trainingrun.h"
#include "workspace/workspace.h"

#include <QJsonArray>
#include <QSysInfo>

namespace kiln {

RunTask::RunTask(QString workspaceRoot, RunRecord run, QObject *parent)
    : Task(QStringLiteral("Run %1: %2").arg(run.id).arg(run.name), parent)
    , m_workspaceRoot(std::move(workspaceRoot))
    , m_run(std::move(run))
{ }

Status RunTask::run(Feedback &feedback)
{
    auto workspace = Workspace::open(m_workspaceRoot, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error();
    RunStore store((*workspace)->db());
    RunRecorder recorder(**workspace, m_run);

    QJsonObject reproducibility {{QLatin1String("kiln"), QStringLiteral(KILN_VERSION)},
                                 {QLatin1String("host"), ProcessIdentity::hostName()},
                                 {QLatin1String("os"), QSysInfo::prettyProductName()},
                                 {QLatin1String("attempt"), m_run.attempt},
                                 {QLatin1String("seed"), QString::number(m_run.spec.seed)}};
    RunStatus status = RunStatus::Failed;
    std::optional<int> exitCode;
    QString error;
    const auto cancelRequested = [&store, this] { return store.cancelRequested(m_run.id); };
    if (m_run.spec.kind == RunSpec::Kind::Command) {
        reproducibility.insert(QLatin1String("command"), QJsonArray::fromStringList(m_run.spec.command));
        reproducibility.insert(QLatin1String("workingDir"), m_run.spec.workingDir);
        store.setReproducibility(m_run.id, reproducibility);
        const ExternalRunOutcome outcome
            = runExternalCommand(m_run, (*workspace)->root(), recorder, feedback, cancelRequested);
        status = outcome.status;
        exitCode = outcome.exitCode;
        error = outcome.error;
    } else {
        const TrainingOutcome outcome
            = runTrainer(m_run, **workspace, recorder, reproducibility, feedback, cancelRequested);
        store.setReproducibility(m_run.id, reproducibility);
        status = outcome.status;
        error = outcome.error;
    }
    if (!error.isEmpty())
        recorder.logLine(QStringLiteral("[kiln] %1").arg(error));
    recorder.flush();
    recorder.storeLog();
    if (!recorder.status().ok() && status == RunStatus::Finished) {
        status = RunStatus::Failed;
        error = recorder.status().errorMessage();
    }
    // A failed attempt with retries left goes back to the queue (attempt counts claims).
    if (status == RunStatus::Failed && m_run.attempt <= m_run.spec.maxRetries) {
        m_requeued = true;
        store.requeue(m_run.id);
        m_outcome = RunStatus::Queued;
    } else {
        store.markEnded(m_run.id, status, exitCode, error);
        m_outcome = status;
    }
    setMessage(error.isEmpty() ? runStatusName(m_outcome) : error);
    return {};
}

} // namespace kiln
