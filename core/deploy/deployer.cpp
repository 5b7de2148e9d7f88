// The deployment operations: export a version to a temporary bundle, push it with retries,
// and record what happened in the registry's deployments table. Blocking, on a worker thread
// (or kilnctl's main thread); each call opens the workspace itself.
#include "deploy/deployer.h"

#include "deploy/credentialstore.h"
#include "deploy/targetstore.h"
#include "registry/bundle.h"
#include "registry/modelregistry.h"
#include "registry/modelregistry_p.h"
#include "util/sha256.h"
#include "workspace/workspace.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace kiln {

using namespace Internal;

namespace {

constexpr double kExportShare = 0.2;
constexpr double kUploadEnd = 0.95;
constexpr int kCancelPollMs = 20;

/// A Feedback for one step of a longer operation: its progress in [0, 1] lands in
/// [from, to] of `outer`, its status text is passed on, and a cancel of `outer` reaches it
/// (a small watcher thread, since the step polls only the Feedback it was given).
class StepFeedback final
{
public:
    StepFeedback(Feedback &outer, double from, double to)
        : m_outer(outer)
    {
        m_inner.setProgressCallback([this, from, to](double fraction) {
            if (m_outer.isCanceled())
                m_inner.cancel();
            m_outer.setProgress(from + (to - from) * fraction);
            const QString text = m_inner.statusText();
            if (!text.isEmpty() && text != m_outer.statusText())
                m_outer.setStatusText(text);
        });
        m_watcher = std::thread([this] {
            std::unique_lock<std::mutex> lock(m_mutex);
            while (!m_stop) {
                if (m_outer.isCanceled()) {
                    m_inner.cancel();
                    return;
                }
                m_wake.wait_for(lock, std::chrono::milliseconds(kCancelPollMs));
            }
        });
    }
    ~StepFeedback()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_watcher.join();
    }
    StepFeedback(const StepFeedback &) = delete;
    StepFeedback &operator=(const StepFeedback &) = delete;

    Feedback &feedback() { return m_inner; }

private:
    Feedback &m_outer;
    Feedback m_inner;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::thread m_watcher;
};

/// Everything an operation on one target needs: the workspace and the target (its row is
/// target->config()).
struct TargetContext
{
    std::unique_ptr<Workspace> workspace;
    std::unique_ptr<DeployTarget> target;
};

Expected<TargetContext> openTarget(const QString &workspaceRoot, const QString &targetName)
{
    auto workspace = Workspace::open(workspaceRoot, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error();
    TargetContext context;
    context.workspace = std::move(workspace).value();
    CredentialStore credentials;
    auto target = TargetStore(*context.workspace).open(targetName, credentials);
    if (!target)
        return target.error();
    context.target = std::move(target).value();
    return context;
}

/// The active deployments on `target` (ids), oldest first.
Expected<QList<qint64>> activeDeployments(Database &db, const QString &target)
{
    auto rows = prepared(
        db, "SELECT id FROM deployments WHERE target = ? AND status = 'active' ORDER BY created_at, id", target);
    if (!rows)
        return rows.error();
    QList<qint64> ids;
    while (rows->next())
        ids.append(rows->int64(0));
    return ids;
}

Status endActive(ModelRegistry &registry, Database &db, const QString &target, const QString &status)
{
    auto active = activeDeployments(db, target);
    if (!active)
        return active.error();
    for (const qint64 id : *active) {
        if (Status ended = registry.endDeployment(id, status); !ended)
            return ended;
    }
    return Status::success();
}

/// The record `id` as stored (with its dates).
Expected<DeploymentRecord> storedRecord(ModelRegistry &registry, qint64 versionId, qint64 id)
{
    auto version = registry.versionById(versionId);
    if (!version)
        return version.error();
    for (const DeploymentRecord &record : version->deployments) {
        if (record.id == id)
            return record;
    }
    return Error {QStringLiteral("deployment %1 was not recorded").arg(id)};
}

/// Waits `delay`, returning early (false) when cancelled.
bool cancellableWait(std::chrono::milliseconds delay, const Feedback &feedback)
{
    const QDeadlineTimer deadline(delay.count());
    while (!deadline.hasExpired()) {
        if (feedback.isCanceled())
            return false;
        QThread::msleep(ulong(std::clamp<qint64>(deadline.remainingTime(), 1, kCancelPollMs)));
    }
    return !feedback.isCanceled();
}

std::chrono::milliseconds retryDelay(const RetryPolicy &retry, int failedAttempts)
{
    const double ms = double(retry.initialDelay.count()) * std::pow(retry.factor, failedAttempts - 1);
    return std::chrono::milliseconds(qint64(std::min(ms, double(retry.maxDelay.count()))));
}

/// Which version of this workspace the target serves now: the latest deployment to it with
/// the same bundle SHA-256, else the registry's version by name and number.
Expected<qint64> versionServed(ModelRegistry &registry, Database &db, const QString &target, const TargetStatus &status)
{
    if (!status.sha256.isEmpty()) {
        auto rows = prepared(db,
                             "SELECT version_id, detail FROM deployments WHERE target = ? "
                             "AND status NOT IN ('failed', 'cancelled') ORDER BY created_at DESC, id DESC",
                             target);
        if (!rows)
            return rows.error();
        while (rows->next()) {
            if (parseJson(rows->text(1)).object().value(QLatin1String("sha256")).toString() == status.sha256)
                return qint64(rows->int64(0));
        }
    }
    auto version = registry.version(status.modelName, status.modelVersion);
    if (!version)
        return Error {QStringLiteral("'%1' now serves %2, which is not in this workspace's registry")
                          .arg(target, versionRef(status.modelName, status.modelVersion))};
    return version->id;
}

} // namespace

namespace deploy {

Expected<DeploymentRecord> push(const QString &workspaceRoot, const QString &modelRef, const QString &targetName,
                                Feedback &feedback, const RetryPolicy &retry)
{
    auto context = openTarget(workspaceRoot, targetName);
    if (!context)
        return context.error();
    Workspace &workspace = *context->workspace;
    ModelRegistry registry(workspace);
    auto version = registry.version(modelRef);
    if (!version)
        return version.error();
    const QString ref = version->ref();

    QJsonObject detail {{QStringLiteral("kind"), context->target->config().kind},
                        {QStringLiteral("location"), context->target->config().location}};
    int attempts = 0;
    // Every attempt that got this far is recorded: deployed, failed or cancelled.
    auto finish = [&](const QString &error) -> Expected<DeploymentRecord> {
        detail.insert(QStringLiteral("attempts"), attempts);
        const bool cancelled = feedback.isCanceled();
        detail.insert(QStringLiteral("error"), error);
        auto id = registry.recordDeployment(version->id, targetName, detail,
                                            cancelled ? QStringLiteral("cancelled") : QStringLiteral("failed"));
        if (cancelled)
            return Error {QStringLiteral("%1: the push of %2 was cancelled").arg(targetName, ref)};
        const QString message
            = error.startsWith(targetName + QLatin1Char(':')) ? error : QStringLiteral("%1: %2").arg(targetName, error);
        if (!id)
            return Error {QStringLiteral("%1 (and it was not recorded: %2)").arg(message, id.errorMessage())};
        return Error {message};
    };

    QTemporaryDir temp(QDir::tempPath() + QStringLiteral("/kiln-deploy-XXXXXX"));
    if (!temp.isValid())
        return finish(QStringLiteral("cannot make a temporary folder for the bundle: %1").arg(temp.errorString()));
    const QString bundlePath = temp.filePath(suggestedBundleName(*version));
    feedback.setStatusText(QStringLiteral("exporting %1").arg(ref));
    {
        StepFeedback step(feedback, 0.0, kExportShare * 0.9);
        if (Status exported = exportBundle(workspace, ref, bundlePath, &step.feedback()); !exported)
            return finish(exported.errorMessage());
    }
    auto sha = fileSha256(bundlePath, &feedback);
    if (!sha)
        return finish(sha.errorMessage());
    detail.insert(QStringLiteral("sha256"), *sha);
    feedback.setProgress(kExportShare);

    PushRequest request;
    request.bundlePath = bundlePath;
    request.modelName = version->modelName;
    request.version = version->version;
    request.sha256 = *sha;
    const int maxAttempts = std::max(1, retry.attempts);
    QString lastError;
    for (attempts = 1; attempts <= maxAttempts; ++attempts) {
        if (feedback.isCanceled())
            return finish(QStringLiteral("cancelled"));
        feedback.setStatusText(maxAttempts == 1 || attempts == 1
                                   ? QStringLiteral("pushing %1 to '%2'").arg(ref, targetName)
                                   : QStringLiteral("pushing %1 to '%2' (attempt %3 of %4; last: %5)")
                                         .arg(ref, targetName)
                                         .arg(attempts)
                                         .arg(maxAttempts)
                                         .arg(lastError));
        Status pushed = [&] {
            StepFeedback step(feedback, kExportShare, kUploadEnd);
            return context->target->push(request, step.feedback());
        }();
        if (pushed)
            break;
        lastError = pushed.errorMessage();
        if (feedback.isCanceled() || context->target->lastFailureKind() == FailureKind::Permanent
            || attempts == maxAttempts)
            return finish(lastError);
        if (!cancellableWait(retryDelay(retry, attempts), feedback))
            return finish(QStringLiteral("cancelled"));
    }

    detail.insert(QStringLiteral("attempts"), attempts);
    if (Status ended = endActive(registry, workspace.db(), targetName, QStringLiteral("replaced")); !ended)
        return Error {QStringLiteral("%1: %2 was pushed, but recording it failed: %3")
                          .arg(targetName, ref, ended.errorMessage())};
    auto id = registry.recordDeployment(version->id, targetName, detail);
    if (!id)
        return Error {
            QStringLiteral("%1: %2 was pushed, but recording it failed: %3").arg(targetName, ref, id.errorMessage())};
    feedback.setProgress(1.0);
    return storedRecord(registry, version->id, *id);
}

Expected<DeploymentRecord> rollback(const QString &workspaceRoot, const QString &targetName, Feedback &feedback)
{
    auto context = openTarget(workspaceRoot, targetName);
    if (!context)
        return context.error();
    Workspace &workspace = *context->workspace;
    {
        StepFeedback step(feedback, 0.0, 0.8);
        if (Status rolledBack = context->target->rollback(step.feedback()); !rolledBack)
            return rolledBack.error();
    }
    // What the target serves now is its own answer, not what the database last saw.
    auto now = context->target->status(feedback);
    ModelRegistry registry(workspace);
    if (Status ended = endActive(registry, workspace.db(), targetName, QStringLiteral("rolled back")); !ended)
        return ended.error();
    if (!now)
        return Error {QStringLiteral("%1: rolled back, but its status could not be read: %2")
                          .arg(targetName, now.errorMessage())};
    if (now->modelName.isEmpty())
        return Error {QStringLiteral("%1: rolled back, but it reports no model (%2)")
                          .arg(targetName, now->detail.isEmpty() ? now->health : now->detail)};
    auto versionId = versionServed(registry, workspace.db(), targetName, *now);
    if (!versionId)
        return versionId.error();
    const QJsonObject detail {{QStringLiteral("sha256"), now->sha256},
                              {QStringLiteral("kind"), context->target->config().kind},
                              {QStringLiteral("location"), context->target->config().location},
                              {QStringLiteral("attempts"), 1},
                              {QStringLiteral("rollback"), true}};
    auto id = registry.recordDeployment(*versionId, targetName, detail);
    if (!id)
        return Error {
            QStringLiteral("%1: rolled back, but recording it failed: %2").arg(targetName, id.errorMessage())};
    feedback.setProgress(1.0);
    return storedRecord(registry, *versionId, *id);
}

Status undeploy(const QString &workspaceRoot, const QString &targetName, Feedback &feedback)
{
    auto context = openTarget(workspaceRoot, targetName);
    if (!context)
        return context.error();
    if (Status undeployed = context->target->undeploy(feedback); !undeployed)
        return undeployed;
    ModelRegistry registry(*context->workspace);
    if (Status ended = endActive(registry, context->workspace->db(), targetName, QStringLiteral("undeployed")); !ended)
        return Error {
            QStringLiteral("%1: undeployed, but recording it failed: %2").arg(targetName, ended.errorMessage())};
    feedback.setProgress(1.0);
    return Status::success();
}

Expected<TargetStatus> status(const QString &workspaceRoot, const QString &targetName, Feedback &feedback)
{
    auto context = openTarget(workspaceRoot, targetName);
    if (!context)
        return context.error();
    return context->target->status(feedback);
}

} // namespace deploy

DeployTask::DeployTask(QString workspaceRoot, QString modelRef, QString targetName, RetryPolicy retry, QObject *parent)
    : Task(QStringLiteral("Deploy %1 to %2").arg(modelRef, targetName), parent)
    , m_root(std::move(workspaceRoot))
    , m_ref(std::move(modelRef))
    , m_target(std::move(targetName))
    , m_retry(retry)
{ }

Status DeployTask::run(Feedback &feedback)
{
    auto record = deploy::push(m_root, m_ref, m_target, feedback, m_retry);
    if (!record)
        return record.error();
    // Read on the task's thread only after finished(), which the queued completion orders
    // after this write.
    m_record = std::move(record).value();
    setMessage(QStringLiteral("Deployed %1 to '%2'").arg(m_ref, m_target));
    return {};
}

TargetActionTask::TargetActionTask(QString workspaceRoot, QString targetName, Action action, QObject *parent)
    : Task(action == Action::Rollback ? QStringLiteral("Roll back %1").arg(targetName)
                                      : QStringLiteral("Undeploy %1").arg(targetName),
           parent)
    , m_root(std::move(workspaceRoot))
    , m_target(std::move(targetName))
    , m_action(action)
{ }

Status TargetActionTask::run(Feedback &feedback)
{
    if (m_action == Action::Undeploy) {
        if (Status undeployed = deploy::undeploy(m_root, m_target, feedback); !undeployed)
            return undeployed;
        setMessage(QStringLiteral("Undeployed '%1'").arg(m_target));
        return {};
    }
    auto record = deploy::rollback(m_root, m_target, feedback);
    if (!record)
        return record.error();
    setMessage(QStringLiteral("Rolled back '%1'").arg(m_target));
    return {};
}

} // namespace kiln
