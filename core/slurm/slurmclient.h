#pragma once

#include "runs/runtypes.h"
#include "util/expected.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace kiln {

/// A Slurm job's state as Slurm names it (JOB_STATE in squeue/scontrol), reduced to what Kiln
/// acts on.
enum class SlurmJobState {
    Pending,
    Running, ///< RUNNING, COMPLETING, CONFIGURING, SUSPENDED
    Completed,
    Failed, ///< FAILED, BOOT_FAIL, DEADLINE
    Cancelled,
    Timeout,
    OutOfMemory,
    NodeFail,
    Preempted,
    Unknown ///< a state this Kiln does not know, or a job Slurm no longer lists
};

SlurmJobState slurmJobStateFromName(const QString &name);
bool isTerminal(SlurmJobState state);
/// The run status a job's terminal state leaves its run in when the run's own worker did not
/// record an end (Completed → Finished, Cancelled → Cancelled, all others → Failed); empty for
/// Pending, Running and Unknown.
std::optional<RunStatus> runStatusForJob(SlurmJobState state);
/// One sentence for the run's error, e.g. "Slurm ended job 12 at its time limit (1 min)" or
/// "Slurm killed job 12: it ran out of memory (512 MB)".
QString slurmEndReason(const QString &jobId, SlurmJobState state, const QString &slurmReason,
                       const ClusterResources &requested);

/// One job (or one task of an array) as Slurm reports it.
struct SlurmJobInfo
{
    QString jobId; ///< "123", or "123_4" for array task 4
    SlurmJobState state = SlurmJobState::Unknown;
    QString stateName; ///< Slurm's word, e.g. "TIMEOUT"
    QString reason; ///< Slurm's reason ("None", "Resources", "TimeLimit"...)
    QString node; ///< the node list; empty while pending
    int exitCode = -1; ///< of the batch script, -1 when unknown
    int timeLimitMinutes = 0;
};

/// What goes into a batch script.
struct SlurmBatch
{
    QString jobName;
    ClusterResources resources;
    QString outputPath; ///< --output (%A and %a expand to the array job id and task index)
    QString workingDir; ///< --chdir
    /// The command to run: program and arguments, quoted by the writer. In an array job the
    /// literal argument "{task}" is replaced by the task index ($SLURM_ARRAY_TASK_ID).
    QStringList command;
    int arrayTasks = 0; ///< > 0: a job array of tasks 0..arrayTasks-1
    QMap<QString, QString> environment; ///< exported before the command
};

/// The text of the batch script (`#!/bin/sh`, #SBATCH lines, exports, `exec` of the command).
QByteArray slurmBatchScript(const SlurmBatch &batch);

/// Talks to a Slurm cluster through its command-line tools (sbatch, squeue, scontrol,
/// scancel), which follow $SLURM_CONF. Blocking (each call waits for the tool, up to
/// `timeoutMs`): call it from a worker thread, never the GUI thread. Tool errors come back
/// as Errors carrying Slurm's own message ("Unable to contact slurm controller").
class SlurmClient final
{
public:
    struct Options
    {
        QString binDir; ///< where sbatch & co live; empty: $PATH
        QString slurmConf; ///< sets SLURM_CONF for the tools; empty: inherited
        int timeoutMs = 30000;
    };

    SlurmClient() = default;
    explicit SlurmClient(Options options);

    /// Whether sbatch can be found (the executor is offered only then).
    bool isAvailable() const;
    /// `scontrol ping`: ok when the controller answers; else Slurm's reason.
    Status ping() const;
    /// `sbatch --parsable SCRIPT`: the job id.
    Expected<QString> submit(const QString &scriptPath) const;
    /// The jobs asked for, as Slurm lists them (array tasks each as "123_4"). A job Slurm no
    /// longer knows is absent from the answer, not an error.
    Expected<QList<SlurmJobInfo>> jobs(const QStringList &jobIds) const;
    /// `scancel JOBID` (an array id cancels every task).
    Status cancel(const QString &jobId) const;

private:
    Options m_options;
};

} // namespace kiln
