// RunStore's cluster jobs (table run_jobs, schema v6).
#include "runs/runstore.h"

namespace kiln {

Status RunStore::setJob(const RunJob &)
{
    return Error {QStringLiteral("not implemented yet")};
}

Expected<std::optional<RunJob>> RunStore::job(qint64) const
{
    return Error {QStringLiteral("not implemented yet")};
}

Expected<QList<RunJob>> RunStore::activeJobs(const QString &) const
{
    return Error {QStringLiteral("not implemented yet")};
}

} // namespace kiln
