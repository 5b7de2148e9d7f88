#include "deploy/deployer.h"

namespace kiln {

// Stub: the owner of this file replaces it.
DeployTask::DeployTask(QString workspaceRoot, QString modelRef, QString targetName, RetryPolicy retry, QObject *parent)
    : Task(tr("Deploy"), parent)
    , m_root(std::move(workspaceRoot))
    , m_ref(std::move(modelRef))
    , m_target(std::move(targetName))
    , m_retry(retry)
{
}

Status DeployTask::run(Feedback &)
{
    return Error {QStringLiteral("not implemented")};
}

TargetActionTask::TargetActionTask(QString workspaceRoot, QString targetName, Action action, QObject *parent)
    : Task(tr("Roll back"), parent)
    , m_root(std::move(workspaceRoot))
    , m_target(std::move(targetName))
    , m_action(action)
{
}

Status TargetActionTask::run(Feedback &)
{
    return Error {QStringLiteral("not implemented")};
}

} // namespace kiln
