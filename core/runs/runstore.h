#pragma once

#include "runs/runtypes.h"
#include "storage/database.h"
#include "util/expected.h"

#include <QHash>

#include <vector>

namespace kiln {

/// Which runs to list.
struct RunQuery
{
    QString experiment; ///< empty: all
    std::optional<RunStatus> status;
    std::optional<qint64> parentId; ///< 0: top-level runs only
    int limit = 0; ///< 0: no limit
    bool withDetails = true; ///< params, tags, results and metric summaries
};

/// The cluster job that runs a run of executor "slurm" (table run_jobs).
struct RunJob
{
    qint64 runId = 0;
    QString executor; ///< "slurm"
    QString jobId; ///< "123", or "123_4" for task 4 of array job 123; empty before submission
    QString node; ///< where it runs (empty while pending)
    QString state; ///< the scheduler's last word: "PENDING", "RUNNING", "TIMEOUT"...
    QString reason; ///< why it waits or why it ended, as the scheduler says
    QString script; ///< the batch script's path
    QDateTime submittedAt;
    QDateTime updatedAt;
};

/// The runs of a workspace: experiments, runs and their status, params, tags, step metrics
/// (stored as packed chunks, so a million points cost a few hundred rows), results and
/// artifacts. Works on the connection it is given, on that connection's thread.
class RunStore final
{
public:
    explicit RunStore(Database &db)
        : m_db(db)
    { }

    Expected<qint64> ensureExperiment(const QString &name);
    QStringList experiments() const;

    /// A new queued run for `spec` (under `parentId` for a sweep's points).
    Expected<RunRecord> createRun(const RunSpec &spec, qint64 parentId = 0);

    /// Takes the oldest queued local run queued on this host and marks it running by this
    /// process, atomically: two schedulers (an app and a kilnctl) never start the same run.
    /// Empty when none waits.
    Expected<std::optional<RunRecord>> claimNextQueued();
    /// Claims queued run `runId` for this process whatever its executor (a cluster job's
    /// worker does). Fails naming the run's status when it is not queued.
    Expected<RunRecord> claimRun(qint64 runId);
    Status markEnded(qint64 runId, RunStatus status, std::optional<int> exitCode = std::nullopt,
                     const QString &error = {});
    /// Back to the queue for another attempt (retries).
    Status requeue(qint64 runId);
    /// Queued runs end as cancelled at once; running ones are asked to stop (their runner
    /// polls cancelRequested()).
    Status requestCancel(qint64 runId);
    bool cancelRequested(qint64 runId) const;

    /// Runs marked running by a process of this host that no longer exists become
    /// interrupted. Returns how many.
    Expected<int> markInterrupted();

    Status setParams(qint64 runId, const QList<QPair<QString, QString>> &params);
    Status setTags(qint64 runId, const QList<QPair<QString, QString>> &tags);
    Status setResults(qint64 runId, const QMap<QString, double> &results);
    Status setReproducibility(qint64 runId, const QJsonObject &info);
    Status setDatasetVersion(qint64 runId, qint64 datasetVersionId);
    Status addArtifact(qint64 runId, const QString &path, const QString &sha256, qint64 size);

    /// Appends points to metric series in one transaction (batch them: thousands per call).
    Status appendMetrics(qint64 runId, const QHash<QString, std::vector<MetricPoint>> &points);

    Expected<RunRecord> run(qint64 runId, bool withDetails = true) const;
    Expected<RunRecord> runByRef(const QString &ref) const; ///< id or uuid (prefix of 8+)
    Expected<QList<RunRecord>> runs(const RunQuery &query = {}) const;
    Expected<QList<MetricSummary>> metricSummaries(qint64 runId) const;
    /// The series' points from the `fromIndex`-th on (a live chart reads only what is new:
    /// whole chunks before it are skipped without decoding).
    Expected<std::vector<MetricPoint>> metricPoints(qint64 runId, const QString &key, qint64 fromIndex = 0) const;
    Expected<QList<ArtifactInfo>> artifacts(qint64 runId) const;

    // Cluster jobs (runjobs.cpp).
    /// Inserts or replaces the job row of `job.runId` (updatedAt is set to now).
    Status setJob(const RunJob &job);
    /// Empty when the run has no job.
    Expected<std::optional<RunJob>> job(qint64 runId) const;
    /// The jobs of `executor` that are not over: their run has not ended, or the scheduler's
    /// last word on the job is not an end state (COMPLETED, FAILED, CANCELLED, TIMEOUT,
    /// OUT_OF_MEMORY, NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE, or UNKNOWN for a job it no
    /// longer lists); oldest first.
    Expected<QList<RunJob>> activeJobs(const QString &executor) const;
    /// The blob of artifact `path` of each of `runIds` that has one, in one query.
    Expected<QHash<qint64, QString>> artifactBlobs(const std::vector<qint64> &runIds, const QString &path) const;

private:
    Status setPairs(const char *table, qint64 runId, const QList<QPair<QString, QString>> &pairs);
    Status loadDetails(QList<RunRecord> &runs) const;
    Status markClaimed(qint64 runId);

    Database &m_db;
};

} // namespace kiln
