#include "slurm/slurmclient.h"

namespace kiln {

SlurmJobState slurmJobStateFromName(const QString &)
{
    return SlurmJobState::Unknown;
}

bool isTerminal(SlurmJobState)
{
    return false;
}

std::optional<RunStatus> runStatusForJob(SlurmJobState)
{
    return std::nullopt;
}

QString slurmEndReason(const QString &, SlurmJobState, const QString &, const ClusterResources &)
{
    return {};
}

QByteArray slurmBatchScript(const SlurmBatch &)
{
    return {};
}

SlurmClient::SlurmClient(Options options)
    : m_options(std::move(options))
{ }

bool SlurmClient::isAvailable() const
{
    return false;
}

Status SlurmClient::ping() const
{
    return Error {QStringLiteral("not implemented yet")};
}

Expected<QString> SlurmClient::submit(const QString &) const
{
    return Error {QStringLiteral("not implemented yet")};
}

Expected<QList<SlurmJobInfo>> SlurmClient::jobs(const QStringList &) const
{
    return Error {QStringLiteral("not implemented yet")};
}

Status SlurmClient::cancel(const QString &) const
{
    return Error {QStringLiteral("not implemented yet")};
}

} // namespace kiln
