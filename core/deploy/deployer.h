#pragma once

#include "deploy/deploytarget.h"
#include "registry/registrytypes.h"
#include "tasks/task.h"

#include <QString>

#include <chrono>

namespace kiln {

/// How a push is retried after a transient failure: `attempts` tries in all, waiting
/// initialDelay, then ×factor each time, at most maxDelay (the wait is cancellable).
struct RetryPolicy
{
    int attempts = 4;
    std::chrono::milliseconds initialDelay {500};
    double factor = 2.0;
    std::chrono::milliseconds maxDelay {8000};
};

/// The deployment operations, blocking (kilnctl, tests, and the tasks below). Each records
/// what happened in the workspace's deployments table through ModelRegistry: a successful
/// push ends the target's previous active deployment (status "replaced") and records the new
/// one as "active" with detail {"sha256", "kind", "location", "attempts"}; a failed or cancelled push is
/// recorded as "failed" / "cancelled" (never "active") with the error in detail; rollback
/// ends the current one ("rolled back") and records the version the target now serves as
/// active; undeploy ends it ("undeployed").
namespace deploy {

/// Exports `modelRef` ("churn@3", "churn@champion") from the workspace at `workspaceRoot` to a
/// temporary bundle, pushes it to target `targetName` with retries, records it.
Expected<DeploymentRecord> push(const QString &workspaceRoot, const QString &modelRef, const QString &targetName,
                                Feedback &feedback, const RetryPolicy &retry = {});
Expected<DeploymentRecord> rollback(const QString &workspaceRoot, const QString &targetName, Feedback &feedback);
Status undeploy(const QString &workspaceRoot, const QString &targetName, Feedback &feedback);
/// The target's own report (not the database's).
Expected<TargetStatus> status(const QString &workspaceRoot, const QString &targetName, Feedback &feedback);

} // namespace deploy

/// deploy::push on a worker (TaskManager), with progress and cancel; record() once it succeeded.
class DeployTask final : public Task
{
    Q_OBJECT
public:
    DeployTask(QString workspaceRoot, QString modelRef, QString targetName, RetryPolicy retry = {},
               QObject *parent = nullptr);
    QString targetName() const { return m_target; }
    const DeploymentRecord &record() const { return m_record; }

protected:
    Status run(Feedback &feedback) override;

private:
    QString m_root;
    QString m_ref;
    QString m_target;
    RetryPolicy m_retry;
    DeploymentRecord m_record;
};

/// deploy::rollback or deploy::undeploy on a worker.
class TargetActionTask final : public Task
{
    Q_OBJECT
public:
    enum class Action { Rollback, Undeploy };
    TargetActionTask(QString workspaceRoot, QString targetName, Action action, QObject *parent = nullptr);
    QString targetName() const { return m_target; }
    Action action() const { return m_action; }

protected:
    Status run(Feedback &feedback) override;

private:
    QString m_root;
    QString m_target;
    Action m_action;
};

} // namespace kiln
