// RunStore's cluster jobs (table run_jobs, schema v6).
#include "runs/runstore.h"

namespace kiln {
namespace {

constexpr const char kJobColumns[]
    = "SELECT j.run_id, j.executor, j.job_id, j.node, j.state, j.reason, j.script, j.submitted_at, j.updated_at "
      "FROM run_jobs j ";

RunJob jobFrom(const Statement &row)
{
    RunJob job;
    job.runId = row.int64(0);
    job.executor = row.text(1);
    job.jobId = row.text(2);
    job.node = row.text(3);
    job.state = row.text(4);
    job.reason = row.text(5);
    job.script = row.text(6);
    job.submittedAt = storedTime(row, 7);
    job.updatedAt = storedTime(row, 8);
    return job;
}

} // namespace

Status RunStore::setJob(const RunJob &job)
{
    auto upsert = m_db.prepare(
        "INSERT INTO run_jobs(run_id, executor, job_id, node, state, reason, script, submitted_at, updated_at) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET executor = excluded.executor, "
        "job_id = excluded.job_id, node = excluded.node, state = excluded.state, reason = excluded.reason, "
        "script = excluded.script, submitted_at = excluded.submitted_at, updated_at = excluded.updated_at");
    if (!upsert)
        return upsert.error();
    upsert->bind(1, job.runId).bind(2, job.executor).bind(3, job.jobId).bind(4, job.node).bind(5, job.state);
    upsert->bind(6, job.reason).bind(7, job.script);
    if (job.submittedAt.isValid())
        upsert->bind(8, job.submittedAt.toUTC().toString(Qt::ISODateWithMs));
    else
        upsert->bindNull(8);
    upsert->bind(9, storedNow());
    return upsert->exec();
}

Expected<std::optional<RunJob>> RunStore::job(qint64 runId) const
{
    const QByteArray sql = QByteArray(kJobColumns) + "WHERE j.run_id = ?";
    auto stmt = m_db.prepare(sql.constData());
    if (!stmt)
        return stmt.error();
    stmt->bind(1, runId);
    if (!stmt->next())
        return std::optional<RunJob>();
    return std::optional<RunJob>(jobFrom(*stmt));
}

Expected<QList<RunJob>> RunStore::activeJobs(const QString &executor) const
{
    // A run's job stays of interest after the run ended until the scheduler's word on the job is
    // an end too (it refines the worker's end and the run page shows it), or "UNKNOWN": the
    // scheduler no longer lists it.
    const QByteArray sql = QByteArray(kJobColumns)
        + "JOIN runs r ON r.id = j.run_id WHERE j.executor = ? AND (r.status IN ('queued', 'running') "
          "OR (j.job_id != '' AND j.state NOT IN ('COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', "
          "'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'UNKNOWN'))) ORDER BY j.run_id";
    auto stmt = m_db.prepare(sql.constData());
    if (!stmt)
        return stmt.error();
    stmt->bind(1, executor);
    QList<RunJob> jobs;
    while (stmt->next())
        jobs.append(jobFrom(*stmt));
    return jobs;
}

} // namespace kiln
