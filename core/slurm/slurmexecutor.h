#pragma once

#include "runs/runstore.h"
#include "slurm/slurmclient.h"
#include "util/expected.h"

#include <QList>
#include <QString>

namespace kiln {

class Workspace;

/// Runs of executor "slurm" (RunSpec::executor): sends them to a Slurm cluster and keeps them
/// in step with what Slurm says. The job itself is `kilnctl worker --run UUID` on the node it
/// is given; it writes metrics, results and the end into the workspace (a shared folder or a
/// PostgreSQL store), so they stream back as with local runs. Blocking (it runs Slurm's tools):
/// use it on a worker thread with a connection of that thread (Workspace::open(location)).
class SlurmExecutor final
{
public:
    /// `kilnctl` is the path the batch scripts call; empty: kilnctlPath().
    SlurmExecutor(Workspace &workspace, SlurmClient client, QString kilnctl = {});

    /// Where batch scripts find kilnctl: $KILN_KILNCTL, else kilnctl beside this executable,
    /// else "kilnctl" (from $PATH).
    static QString kilnctlPath();

    /// Submits queued slurm run `runId`; for a sweep parent, its queued points as one job
    /// array (task i runs point i). Writes the batch script under <root>/slurm/ and records the
    /// job (RunStore::setJob). When sbatch refuses or the controller is down, the runs end as
    /// failed with Slurm's reason and the error is returned.
    Status submit(qint64 runId);
    /// Submits every queued slurm run that has no job yet (runs queued by any process).
    Expected<int> submitQueued();
    /// Asks Slurm about every active job: records node, state and reason; a job that ended
    /// without its worker recording the end (time limit, memory, node failure, cancelled while
    /// pending, killed) ends its run with slurmEndReason(); a worker's generic failure is
    /// replaced by Slurm's reason when Slurm names one. Returns the runs whose row changed.
    Expected<QList<qint64>> refresh();
    /// Cancels a run (a sweep: each point): RunStore::requestCancel, then scancel of its job.
    Status cancel(qint64 runId);

private:
    Workspace &m_workspace;
    SlurmClient m_client;
    QString m_kilnctl;
};

/// The body of `kilnctl worker --run UUID` on a cluster node: claims the run, records the
/// job id and node from SLURM_JOB_ID / SLURM_ARRAY_JOB_ID+SLURM_ARRAY_TASK_ID /
/// SLURMD_NODENAME, runs it like the local queue does (RunTask), and on SIGTERM (scancel, the
/// time limit) stops it: cancelled when a cancel was requested, else failed naming the signal
/// and, near the requested time limit, the limit. Returns the process exit code (0 finished).
int runClusterWorker(const QString &workspaceLocation, const QString &runRef);

} // namespace kiln
