#include "deploy/deploymentsdata.h"

#include "deploy/targetstore.h"
#include "plugin/pluginmanager.h"
#include "registry/modelregistry.h"
#include "tasks/feedback.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QJsonValue>

#include <algorithm>

namespace kiln {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("DeploymentsPanel", text);
}

} // namespace

const DeploymentEntry *DeploymentsSnapshot::active(const QString &target) const
{
    for (const DeploymentEntry &entry : deployments) {
        if (entry.record.target == target && entry.record.isActive())
            return &entry;
    }
    return nullptr;
}

QList<DeploymentEntry> DeploymentsSnapshot::history(const QString &target) const
{
    QList<DeploymentEntry> rows;
    for (const DeploymentEntry &entry : deployments) {
        if (entry.record.target == target)
            rows.append(entry);
    }
    return rows;
}

const TargetConfig *DeploymentsSnapshot::target(const QString &name) const
{
    for (const TargetConfig &config : targets) {
        if (config.name == name)
            return &config;
    }
    return nullptr;
}

DeploymentsSnapshot loadDeploymentsSnapshot(const QString &workspaceRoot)
{
    DeploymentsSnapshot snapshot;
    snapshot.workspaceRoot = workspaceRoot;
    Expected<std::unique_ptr<Workspace>> opened = Workspace::open(workspaceRoot, Workspace::OpenMode::OpenExisting);
    if (!opened) {
        snapshot.error = opened.errorMessage();
        return snapshot;
    }
    Workspace &workspace = **opened;
    QStringList errors;
    Expected<QList<TargetConfig>> targets = TargetStore(workspace).list();
    if (targets)
        snapshot.targets = std::move(targets).value();
    else
        errors << tr("targets: %1").arg(targets.errorMessage());

    // The registry knows deployments by version: every version of every model, read once.
    const ModelRegistry registry(workspace);
    Expected<QList<RegisteredModel>> models = registry.models();
    if (!models)
        errors << tr("models: %1").arg(models.errorMessage());
    for (const RegisteredModel &model : models ? *models : QList<RegisteredModel>()) {
        Expected<QList<ModelVersion>> versions = registry.versions(model.name);
        if (!versions) {
            errors << tr("%1: %2").arg(model.name, versions.errorMessage());
            continue;
        }
        ModelChoice choice;
        choice.name = model.name;
        for (const ModelVersion &version : std::as_const(*versions)) {
            choice.versions.append({version.version, version.aliases, version.status, version.createdAt});
            for (const DeploymentRecord &record : version.deployments) {
                DeploymentEntry entry;
                entry.record = record;
                entry.modelName = version.modelName;
                entry.version = version.version;
                if (record.isActive())
                    entry.profile = version.profile;
                snapshot.deployments.append(std::move(entry));
            }
        }
        snapshot.models.append(std::move(choice));
    }
    std::sort(snapshot.deployments.begin(), snapshot.deployments.end(),
              [](const DeploymentEntry &a, const DeploymentEntry &b) {
                  if (a.record.createdAt != b.record.createdAt)
                      return a.record.createdAt > b.record.createdAt;
                  return a.record.id > b.record.id;
              });
    snapshot.error = errors.join(QStringLiteral("; "));
    return snapshot;
}

TargetStatusReport readTargetStatus(const TargetConfig &config, const CredentialStore &credentials, Feedback &feedback)
{
    TargetStatusReport report;
    report.target = config.name;
    report.status.health = QStringLiteral("down");
    const TargetKind *kind = PluginManager::instance().targetKind(config.kind);
    if (!kind) {
        report.status.detail = tr("no target kind '%1' is loaded").arg(config.kind);
        return report;
    }
    const Expected<QByteArray> secret = credentials.secret(CredentialStore::keyFor(config.kind, config.location));
    if (!secret) {
        report.status.detail = secret.errorMessage();
        return report;
    }
    std::unique_ptr<DeployTarget> target = kind->create(config, *secret);
    if (!target) {
        report.status.detail = tr("the target could not be opened");
        return report;
    }
    Expected<TargetStatus> status = target->status(feedback);
    if (!status) {
        report.status.detail = status.errorMessage();
        return report;
    }
    report.status = std::move(status).value();
    if (report.status.health.isEmpty())
        report.status.health = report.status.reachable ? QStringLiteral("empty") : QStringLiteral("down");
    report.token = *secret;
    return report;
}

QString deploymentDetailText(const QJsonObject &detail)
{
    for (const char *key : {"error", "message", "reason"}) {
        QString text = detail.value(QLatin1String(key)).toString();
        if (!text.isEmpty())
            return text;
    }
    QStringList parts;
    const QString sha = detail.value(QLatin1String("sha256")).toString();
    if (!sha.isEmpty())
        parts << tr("sha256 %1…").arg(sha.left(12));
    const int attempts = detail.value(QLatin1String("attempts")).toInt();
    if (attempts > 1)
        parts << tr("%1 attempts").arg(attempts);
    for (auto it = detail.constBegin(); it != detail.constEnd(); ++it) {
        if (it.key() == QLatin1String("sha256") || it.key() == QLatin1String("attempts")
            || it.key() == QLatin1String("kind") || it.key() == QLatin1String("location"))
            continue;
        if (it.value().isString())
            parts << QStringLiteral("%1 %2").arg(it.key(), it.value().toString());
        else if (it.value().isDouble())
            parts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value().toDouble());
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace kiln
