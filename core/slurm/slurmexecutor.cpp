#include "slurm/slurmexecutor.h"

#include "workspace/workspace.h"

namespace kiln {

SlurmExecutor::SlurmExecutor(Workspace &workspace, SlurmClient client, QString kilnctl)
    : m_workspace(workspace)
    , m_client(std::move(client))
    , m_kilnctl(std::move(kilnctl))
{ }

QString SlurmExecutor::kilnctlPath()
{
    return QStringLiteral("kilnctl");
}

Status SlurmExecutor::submit(qint64)
{
    return Error {QStringLiteral("not implemented yet")};
}

Expected<int> SlurmExecutor::submitQueued()
{
    return Error {QStringLiteral("not implemented yet")};
}

Expected<QList<qint64>> SlurmExecutor::refresh()
{
    return Error {QStringLiteral("not implemented yet")};
}

Status SlurmExecutor::cancel(qint64)
{
    return Error {QStringLiteral("not implemented yet")};
}

int runClusterWorker(const QString &, const QString &)
{
    return 1;
}

} // namespace kiln
