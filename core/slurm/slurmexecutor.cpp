#include "slurm/slurmexecutor.h"

#include "runs/processidentity.h"
#include "runs/runtask.h"
#include "runs/sweep.h"
#include "tasks/taskmanager.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QPointer>
#include <QSaveFile>
#include <QSet>
#include <QSocketNotifier>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace kiln {
namespace {

const QString kSlurm = QStringLiteral("slurm");

/// The point runs of sweep `parentId`, oldest first.
Expected<QList<RunRecord>> sweepPoints(const RunStore &store, qint64 parentId)
{
    auto children = store.runs(RunQuery {{}, {}, parentId, 0, false});
    if (!children)
        return children.error();
    QList<RunRecord> points = std::move(children).value();
    std::sort(points.begin(), points.end(), [](const RunRecord &a, const RunRecord &b) { return a.id < b.id; });
    return points;
}

/// Ends sweep `parentId` once every point has: finished when any point finished, else cancelled
/// when any was cancelled, else failed (the rule of RunScheduler's sweeps). Whether it ended now.
/// The job's output file: submit() names it <script without .sh>-<job id>.out ("%j" alone,
/// "%A_%a" in an array).
QString jobOutputPath(const RunJob &job)
{
    QString path = job.script;
    if (path.endsWith(QLatin1String(".sh")))
        path.chop(3);
    return path + QLatin1Char('-') + job.jobId + QLatin1String(".out");
}

/// A location a process on another node can open: folders absolute.
QString portableLocation(const QString &location)
{
    return Workspace::isStoreUrl(location) ? location : QFileInfo(location).absoluteFilePath();
}

// SIGTERM (scancel, the time limit) and SIGINT reach the worker's event loop through a pipe.
int g_stopPipe[2] = {-1, -1};
volatile std::sig_atomic_t g_stopSignal = 0;

extern "C" void onWorkerStopSignal(int signal)
{
    g_stopSignal = signal;
    if (g_stopPipe[1] >= 0) {
        const char byte = 1;
        [[maybe_unused]] const ssize_t written = ::write(g_stopPipe[1], &byte, 1);
    }
}

/// While it lives, SIGTERM and SIGINT are noted instead of ending the process.
class StopSignals final
{
public:
    StopSignals()
    {
        g_stopSignal = 0;
        if (::pipe2(g_stopPipe, O_CLOEXEC | O_NONBLOCK) != 0)
            g_stopPipe[0] = g_stopPipe[1] = -1;
        struct sigaction action = {};
        action.sa_handler = onWorkerStopSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(SIGTERM, &action, &m_previousTerm);
        // A second Ctrl+C ends the process the usual way.
        action.sa_flags = SA_RESTART | SA_RESETHAND;
        ::sigaction(SIGINT, &action, &m_previousInt);
    }
    ~StopSignals()
    {
        ::sigaction(SIGTERM, &m_previousTerm, nullptr);
        ::sigaction(SIGINT, &m_previousInt, nullptr);
        for (int &fd : g_stopPipe) {
            if (fd >= 0)
                ::close(fd);
            fd = -1;
        }
    }
    StopSignals(const StopSignals &) = delete;
    StopSignals &operator=(const StopSignals &) = delete;

    int readFd() const { return g_stopPipe[0]; }
    static int signal() { return int(g_stopSignal); }

private:
    struct sigaction m_previousTerm = {};
    struct sigaction m_previousInt = {};
};

void say(const QString &line)
{
    std::fprintf(stdout, "kiln worker: %s\n", line.toUtf8().constData());
    std::fflush(stdout);
}

int fail(const QString &reason)
{
    std::fprintf(stderr, "kiln worker: %s\n", reason.toUtf8().constData());
    return 1;
}

/// How one RunTask ended, captured before the TaskManager deletes it.
struct AttemptEnd
{
    Task::State state = Task::State::Failed;
    QString message;
    bool requeued = false;
    RunStatus outcome = RunStatus::Failed;
};

/// Runs `run` as a RunTask on `tasks` and waits; a stop signal cancels it.
AttemptEnd runAttempt(TaskManager &tasks, const StopSignals &stopSignals, const QString &location, const RunRecord &run)
{
    AttemptEnd end;
    QEventLoop loop;
    QPointer<RunTask> task = new RunTask(location, run);
    QObject::connect(task, &Task::finished, &loop, [&end, &loop, task] {
        end = {task->state(), task->message(), task->requeued(), task->outcome()};
        loop.quit();
    });
    std::unique_ptr<QSocketNotifier> notifier;
    if (stopSignals.readFd() >= 0) {
        notifier = std::make_unique<QSocketNotifier>(stopSignals.readFd(), QSocketNotifier::Read);
        QObject::connect(notifier.get(), &QSocketNotifier::activated, &loop, [&stopSignals, task] {
            char byte = 0;
            while (::read(stopSignals.readFd(), &byte, 1) > 0) { }
            if (task)
                task->cancel();
        });
    }
    tasks.start(task);
    // A signal that came before the notifier existed.
    if (StopSignals::signal() != 0)
        task->cancel();
    loop.exec();
    return end;
}

} // namespace

SlurmExecutor::SlurmExecutor(Workspace &workspace, SlurmClient client, QString kilnctl)
    : m_workspace(workspace)
    , m_client(std::move(client))
    , m_kilnctl(kilnctl.isEmpty() ? kilnctlPath() : std::move(kilnctl))
{ }

QString SlurmExecutor::kilnctlPath()
{
    QString fromEnvironment = qEnvironmentVariable("KILN_KILNCTL");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    if (QCoreApplication::instance()) {
        QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("kilnctl"));
        if (QFileInfo(beside).isExecutable())
            return beside;
    }
    return QStringLiteral("kilnctl");
}

Status SlurmExecutor::submit(qint64 runId)
{
    RunStore store(m_workspace.db());
    auto run = store.run(runId, false);
    if (!run)
        return run.error();
    if (run->spec.executor != kSlurm)
        return Error {
            QStringLiteral("run %1 is not for Slurm (its executor is %2)").arg(runId).arg(run->spec.executor)};
    const bool sweep = run->spec.kind == RunSpec::Kind::Sweep;
    // A sweep goes out as one job array over its queued points that have no job yet (it is
    // running already when some points were sent before); any other run alone.
    QList<RunRecord> points;
    if (sweep) {
        if (isTerminal(run->status))
            return Error {QStringLiteral("sweep %1 is %2").arg(runId).arg(runStatusName(run->status))};
        auto all = sweepPoints(store, runId);
        if (!all)
            return all.error();
        for (const RunRecord &point : std::as_const(*all)) {
            auto job = store.job(point.id);
            if (!job)
                return job.error();
            if (point.status == RunStatus::Queued && !job->has_value())
                points << point;
        }
        if (points.isEmpty())
            return Error {QStringLiteral("sweep %1 has no queued point left to submit").arg(runId)};
    } else {
        if (run->status != RunStatus::Queued)
            return Error {QStringLiteral("run %1 is %2, not queued").arg(runId).arg(runStatusName(run->status))};
        auto job = store.job(runId);
        if (!job)
            return job.error();
        if (job->has_value() && !(*job)->jobId.isEmpty())
            return Error {QStringLiteral("run %1 is Slurm job %2 already").arg(runId).arg((*job)->jobId)};
        points << *run;
    }

    const auto failAll = [&](const QString &reason) -> Status {
        for (const RunRecord &point : std::as_const(points))
            store.markEnded(point.id, RunStatus::Failed, std::nullopt, reason);
        if (sweep)
            finishSweepIfDone(store, runId);
        return Error {reason};
    };

    const QString folder = QDir(m_workspace.root()).filePath(QStringLiteral("slurm"));
    if (!QDir().mkpath(folder))
        return failAll(QStringLiteral("cannot create the folder %1 for the batch script").arg(folder));
    SlurmBatch batch;
    batch.jobName = QStringLiteral("kiln-%1-%2").arg(runId).arg(run->name);
    batch.resources = run->spec.resources;
    batch.outputPath
        = QDir(folder).filePath(run->uuid + (sweep ? QStringLiteral("-%A_%a.out") : QStringLiteral("-%j.out")));
    batch.workingDir = folder;
    batch.command = QStringList {m_kilnctl,
                                 QStringLiteral("--workspace"),
                                 portableLocation(m_workspace.location()),
                                 QStringLiteral("worker"),
                                 QStringLiteral("--run"),
                                 run->uuid};
    batch.arrayTasks = sweep ? int(points.size()) : 0;
    const QString scriptPath = QDir(folder).filePath(run->uuid + QStringLiteral(".sh"));
    QSaveFile script(scriptPath);
    if (!script.open(QIODevice::WriteOnly) || script.write(slurmBatchScript(batch)) < 0 || !script.commit())
        return failAll(QStringLiteral("cannot write the batch script %1: %2").arg(scriptPath, script.errorString()));

    auto jobId = m_client.submit(scriptPath);
    if (!jobId)
        return failAll(QStringLiteral("Slurm did not take the job: %1").arg(jobId.errorMessage()));

    // Task i of an array runs point i: the worker finds its point by this job id.
    Transaction tx(m_workspace.db());
    if (!tx.isActive())
        return tx.beginStatus();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (qsizetype i = 0; i < points.size(); ++i) {
        RunJob job;
        job.runId = points[i].id;
        job.executor = kSlurm;
        job.jobId = sweep ? QStringLiteral("%1_%2").arg(*jobId).arg(i) : *jobId;
        job.state = QStringLiteral("PENDING");
        job.script = scriptPath;
        job.submittedAt = now;
        if (Status s = store.setJob(job); !s)
            return s;
    }
    return tx.commit();
}

Expected<int> SlurmExecutor::submitQueued()
{
    RunStore store(m_workspace.db());
    auto queued = store.runs(RunQuery {{}, RunStatus::Queued, std::nullopt, 0, false});
    if (!queued)
        return queued.error();
    // Oldest first; a sweep's points go out with their sweep.
    QList<qint64> targets;
    for (auto it = queued->crbegin(); it != queued->crend(); ++it) {
        if (it->spec.executor != kSlurm)
            continue;
        const qint64 target = it->parentId > 0 ? it->parentId : it->id;
        if (targets.contains(target))
            continue;
        if (it->spec.kind != RunSpec::Kind::Sweep) {
            auto job = store.job(it->id);
            if (!job)
                return job.error();
            if (job->has_value())
                continue;
        }
        targets << target;
    }
    int submitted = 0;
    Status firstError;
    for (qint64 target : std::as_const(targets)) {
        Status s = submit(target);
        if (s)
            ++submitted;
        else if (firstError.ok() && !s.errorMessage().contains(QLatin1String("no queued point left")))
            firstError = s;
    }
    if (!firstError.ok())
        return firstError.error();
    return submitted;
}

Expected<QList<qint64>> SlurmExecutor::refresh()
{
    RunStore store(m_workspace.db());
    auto active = store.activeJobs(kSlurm);
    if (!active)
        return active.error();
    QStringList ids;
    for (const RunJob &job : std::as_const(*active)) {
        if (!job.jobId.isEmpty())
            ids << job.jobId;
    }
    QList<qint64> changed;
    if (ids.isEmpty())
        return changed;
    // Slurm first, the runs after: a job Slurm calls ended has no worker left that could still write.
    auto infos = m_client.jobs(ids);
    if (!infos)
        return infos.error();
    QHash<QString, SlurmJobInfo> byId;
    for (const SlurmJobInfo &info : std::as_const(*infos))
        byId.insert(info.jobId, info);

    QSet<qint64> sweeps;
    for (const RunJob &job : std::as_const(*active)) {
        if (job.jobId.isEmpty())
            continue;
        auto run = store.run(job.runId, false);
        if (!run)
            continue;
        RunJob updated = job;
        std::optional<RunStatus> endAs;
        std::optional<int> exitCode = run->exitCode;
        QString error;
        const auto found = byId.constFind(job.jobId);
        if (found == byId.constEnd()) {
            updated.state = QStringLiteral("UNKNOWN");
            updated.reason = QStringLiteral("Slurm no longer lists the job");
            if (!isTerminal(run->status)) {
                endAs = RunStatus::Failed;
                error = QStringLiteral("%1, and its run recorded no end")
                            .arg(slurmEndReason(job.jobId, SlurmJobState::Unknown, {}, run->spec.resources));
            }
        } else {
            const SlurmJobInfo &info = *found;
            updated.state = info.stateName;
            updated.reason = info.reason;
            if (!info.node.isEmpty())
                updated.node = info.node;
            const std::optional<RunStatus> jobEnd = runStatusForJob(info.state);
            const QString reason = slurmEndReason(job.jobId, info.state, info.reason, run->spec.resources);
            if (info.exitCode >= 0 && !run->exitCode)
                exitCode = info.exitCode;
            if (jobEnd && !isTerminal(run->status)) {
                // The worker did not record an end: killed at the time limit or for memory,
                // the node failed, cancelled while pending, or the job never reached the worker.
                endAs = *jobEnd;
                error = reason;
                if (*jobEnd == RunStatus::Cancelled) {
                    if (run->cancelRequested)
                        error = QStringLiteral("cancelled");
                } else if (run->status == RunStatus::Queued || *jobEnd == RunStatus::Finished) {
                    // The batch script ended without its worker ending the run (kilnctl or the
                    // workspace missing on the node...): its output says why.
                    endAs = RunStatus::Failed;
                    error = QStringLiteral("Slurm job %1 ended (%2) without its worker %3 the run; see %4")
                                .arg(job.jobId, info.stateName,
                                     run->status == RunStatus::Queued ? QStringLiteral("starting")
                                                                      : QStringLiteral("ending"),
                                     jobOutputPath(job));
                }
            } else if (jobEnd && run->status != RunStatus::Finished && !run->cancelRequested) {
                // The worker's end was a consequence of what Slurm did: say what it was.
                const bool killed = info.state == SlurmJobState::Timeout || info.state == SlurmJobState::OutOfMemory
                    || info.state == SlurmJobState::NodeFail || info.state == SlurmJobState::Preempted;
                const RunStatus status
                    = info.state == SlurmJobState::Cancelled ? RunStatus::Cancelled : RunStatus::Failed;
                if ((killed || info.state == SlurmJobState::Cancelled)
                    && (run->status != status || run->error != reason)) {
                    endAs = status;
                    error = reason;
                }
            }
        }
        if (endAs) {
            store.markEnded(run->id, *endAs, exitCode, error);
            changed << run->id;
            if (run->parentId > 0)
                sweeps.insert(run->parentId);
        }
        if (updated.state != job.state || updated.node != job.node || updated.reason != job.reason) {
            if (Status s = store.setJob(updated); !s)
                return s.error();
            if (!changed.contains(run->id))
                changed << run->id;
        }
        if (run->parentId > 0 && isTerminal(run->status))
            sweeps.insert(run->parentId);
    }
    for (qint64 sweep : std::as_const(sweeps)) {
        if (finishSweepIfDone(store, sweep))
            changed << sweep;
    }
    return changed;
}

Status SlurmExecutor::cancel(qint64 runId)
{
    RunStore store(m_workspace.db());
    auto run = store.run(runId, false);
    if (!run)
        return run.error();
    QList<RunRecord> targets;
    if (run->spec.kind == RunSpec::Kind::Sweep) {
        auto points = sweepPoints(store, runId);
        if (!points)
            return points.error();
        for (const RunRecord &point : std::as_const(*points)) {
            if (!isTerminal(point.status))
                targets << point;
        }
    } else {
        if (isTerminal(run->status))
            return Error {QStringLiteral("run %1 already %2").arg(runId).arg(runStatusName(run->status))};
        targets << *run;
    }
    // The request first: the worker that gets scancel's SIGTERM reads it and ends as cancelled.
    QStringList jobIds;
    for (const RunRecord &target : std::as_const(targets)) {
        if (Status s = store.requestCancel(target.id); !s)
            return s;
        auto job = store.job(target.id);
        if (job && job->has_value() && !(*job)->jobId.isEmpty())
            jobIds << (*job)->jobId;
    }
    if (run->spec.kind == RunSpec::Kind::Sweep)
        finishSweepIfDone(store, runId);
    for (const QString &jobId : std::as_const(jobIds)) {
        if (Status s = m_client.cancel(jobId); !s)
            return Error {QStringLiteral("cancel of run %1 requested, but Slurm did not cancel job %2: %3")
                              .arg(runId)
                              .arg(jobId, s.errorMessage())};
    }
    return {};
}

int runClusterWorker(const QString &workspaceLocation, const QString &runRef)
{
    QElapsedTimer clock;
    clock.start();
    const StopSignals stopSignals;
    auto workspace = Workspace::open(workspaceLocation, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return fail(workspace.errorMessage());
    RunStore store((*workspace)->db());
    auto named = store.runByRef(runRef);
    if (!named)
        return fail(named.errorMessage());
    RunRecord run = std::move(named).value();

    const QString arrayJob = qEnvironmentVariable("SLURM_ARRAY_JOB_ID");
    const QString arrayTask = qEnvironmentVariable("SLURM_ARRAY_TASK_ID");
    const QString jobId = !arrayJob.isEmpty() && !arrayTask.isEmpty() ? QStringLiteral("%1_%2").arg(arrayJob, arrayTask)
                                                                      : qEnvironmentVariable("SLURM_JOB_ID");
    if (run.spec.kind == RunSpec::Kind::Sweep) {
        // Task i of the sweep's array: the point whose job is "ARRAY_i". The submitter records
        // the jobs right after sbatch answered, so a task that starts at once may wait a moment.
        if (arrayJob.isEmpty() || arrayTask.isEmpty())
            return fail(QStringLiteral("run %1 is a sweep: a worker runs one of its points, as a task of the sweep's "
                                       "Slurm job array")
                            .arg(run.id));
        std::optional<RunRecord> point;
        for (int attempt = 0; attempt < 60 && !point; ++attempt) {
            if (attempt > 0)
                QThread::msleep(500);
            auto points = sweepPoints(store, run.id);
            if (!points)
                return fail(points.errorMessage());
            for (const RunRecord &candidate : std::as_const(*points)) {
                auto job = store.job(candidate.id);
                if (job && job->has_value() && (*job)->jobId == jobId) {
                    point = candidate;
                    break;
                }
            }
        }
        if (!point)
            return fail(QStringLiteral("no point of sweep %1 is Slurm job %2").arg(run.id).arg(jobId));
        run = *point;
    }

    auto claimed = store.claimRun(run.id);
    if (!claimed)
        return fail(claimed.errorMessage());
    const QString nodeName = qEnvironmentVariable("SLURMD_NODENAME");
    auto existing = store.job(run.id);
    RunJob job = existing && existing->has_value() ? **existing : RunJob {};
    job.runId = run.id;
    job.executor = kSlurm;
    if (!jobId.isEmpty())
        job.jobId = jobId;
    job.node = nodeName.isEmpty() ? ProcessIdentity::hostName() : nodeName;
    job.state = QStringLiteral("RUNNING");
    job.reason = QStringLiteral("None");
    store.setJob(job);
    say(QStringLiteral("run %1 (%2) on %3 as Slurm job %4").arg(run.id).arg(run.uuid, job.node, job.jobId));

    // Retries happen here, inside the job, so the run keeps its job.
    TaskManager tasks;
    RunRecord attempt = std::move(claimed).value();
    AttemptEnd end;
    for (;;) {
        end = runAttempt(tasks, stopSignals, workspaceLocation, attempt);
        if (!end.requeued || StopSignals::signal() != 0)
            break;
        auto again = store.claimRun(run.id);
        if (!again)
            break;
        attempt = std::move(again).value();
        say(QStringLiteral("retrying run %1 (attempt %2)").arg(run.id).arg(attempt.attempt));
    }
    tasks.waitForIdle();

    const int stopSignal = StopSignals::signal();
    if (stopSignal != 0) {
        // scancel or the time limit: Slurm sends SIGTERM, then SIGKILL after its KillWait.
        if (store.cancelRequested(run.id)) {
            store.markEnded(run.id, RunStatus::Cancelled, std::nullopt, QStringLiteral("cancelled"));
        } else {
            const int limit = run.spec.resources.timeLimitMinutes;
            const qint64 limitMs = qint64(limit) * 60'000;
            const bool nearLimit = limit > 0 && clock.elapsed() >= limitMs - std::max<qint64>(30'000, limitMs / 20);
            const QString reason = nearLimit
                ? slurmEndReason(jobId, SlurmJobState::Timeout, QStringLiteral("TimeLimit"), run.spec.resources)
                : QStringLiteral("Slurm stopped job %1 with %2 before the run ended")
                      .arg(jobId, stopSignal == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"));
            store.markEnded(run.id, RunStatus::Failed, std::nullopt, reason);
        }
    } else if (end.requeued) {
        store.markEnded(run.id, RunStatus::Failed, std::nullopt, end.message);
    } else if (end.state == Task::State::Failed) {
        // The task could not record an end itself (its workspace did not open).
        store.markEnded(run.id, RunStatus::Failed, std::nullopt, end.message);
    }
    if (run.parentId > 0)
        finishSweepIfDone(store, run.parentId);

    auto ended = store.run(run.id, false);
    if (!ended)
        return fail(ended.errorMessage());
    say(QStringLiteral("run %1 %2%3")
            .arg(run.id)
            .arg(runStatusName(ended->status),
                 ended->error.isEmpty() ? QString() : QLatin1String(": ") + ended->error));
    return ended->status == RunStatus::Finished ? 0 : 1;
}

} // namespace kiln
