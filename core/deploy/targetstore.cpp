// TargetStore: rows of deploy_targets (schema v5) on the workspace's connection; secrets go to
// the CredentialStore under CredentialStore::keyFor(kind, location).
#include "deploy/targetstore.h"

#include "deploy/credentialstore.h"
#include "plugin/pluginmanager.h"
#include "registry/modelregistry_p.h"
#include "workspace/workspace.h"

#include <QJsonObject>
#include <QStringList>

namespace kiln {

using namespace Internal;

namespace {

TargetConfig configFromRow(const Statement &row)
{
    TargetConfig config;
    config.name = row.text(0);
    config.kind = row.text(1);
    config.location = row.text(2);
    config.options = parseJson(row.text(3)).object();
    config.createdAt = storedTime(row, 4);
    return config;
}

QString knownKinds()
{
    QStringList ids;
    for (const TargetKind *kind : PluginManager::instance().targetKinds())
        ids.append(kind->id());
    ids.sort();
    return ids.isEmpty() ? QStringLiteral("none") : ids.join(QStringLiteral(", "));
}

Expected<const TargetKind *> kindOf(const QString &kindId)
{
    const TargetKind *kind = PluginManager::instance().targetKind(kindId);
    if (!kind)
        return Error {QStringLiteral("unknown target kind '%1' (known: %2)").arg(kindId, knownKinds())};
    return kind;
}

Status checkName(const QString &name)
{
    if (name.trimmed().isEmpty())
        return Error {QStringLiteral("a target needs a name")};
    if (name != name.trimmed())
        return Error {QStringLiteral("the target name '%1' starts or ends with a space").arg(name)};
    if (name.size() > 128)
        return Error {QStringLiteral("the target name '%1…' is longer than 128 characters").arg(name.left(32))};
    for (const QChar c : name) {
        if (c.category() == QChar::Other_Control)
            return Error {QStringLiteral("the target name '%1' holds a control character").arg(name.simplified())};
    }
    return Status::success();
}

Status checkUnused(Database &db, const QString &name)
{
    auto existing = prepared(db, "SELECT 1 FROM deploy_targets WHERE name = ?", name);
    if (!existing)
        return existing.error();
    if (existing->next())
        return Error {QStringLiteral("a target named '%1' exists").arg(name)};
    return Status::success();
}

} // namespace

TargetStore::TargetStore(Workspace &workspace)
    : m_workspace(workspace)
{ }

Expected<QList<TargetConfig>> TargetStore::list() const
{
    auto rows = m_workspace.db().prepare(
        "SELECT name, kind, location, options, created_at FROM deploy_targets ORDER BY name");
    if (!rows)
        return rows.error();
    QList<TargetConfig> configs;
    while (rows->next())
        configs.append(configFromRow(*rows));
    return configs;
}

Expected<TargetConfig> TargetStore::get(const QString &name) const
{
    auto row = prepared(m_workspace.db(),
                        "SELECT name, kind, location, options, created_at FROM deploy_targets WHERE name = ?", name);
    if (!row)
        return row.error();
    if (row->next())
        return configFromRow(*row);
    QStringList names;
    if (auto all = list()) {
        for (const TargetConfig &config : *all)
            names.append(config.name);
    }
    return Error {
        names.isEmpty()
            ? QStringLiteral("no target named '%1' (this workspace has none; add one first)").arg(name)
            : QStringLiteral("no target named '%1' (targets: %2)").arg(name, names.join(QStringLiteral(", ")))};
}

Status TargetStore::add(const TargetConfig &config, const QByteArray &secret, CredentialStore &credentials)
{
    if (Status named = checkName(config.name); !named)
        return named;
    auto kind = kindOf(config.kind);
    if (!kind)
        return kind.error();
    if (Status valid = (*kind)->validate(config); !valid)
        return Error {QStringLiteral("target '%1': %2").arg(config.name, valid.errorMessage())};
    for (const TargetField &field : (*kind)->fields()) {
        if (field.secret && field.required && secret.isEmpty())
            return Error {QStringLiteral("target '%1': %2 is required").arg(config.name, field.label)};
    }

    Database &db = m_workspace.db();
    if (Status unused = checkUnused(db, config.name); !unused)
        return unused;

    // The secret first: a target row without its secret would fail at its first push.
    if (!secret.isEmpty()) {
        if (Status stored = credentials.setSecret(CredentialStore::keyFor(config.kind, config.location), secret);
            !stored)
            return stored;
    }
    return inTransaction(db, [&]() -> Status {
        if (Status unused = checkUnused(db, config.name); !unused)
            return unused;
        return execute(db,
                       "INSERT INTO deploy_targets(name, kind, location, options, created_at) VALUES(?, ?, ?, ?, ?)",
                       config.name, config.kind, config.location.trimmed(), compactJson(config.options), storedNow());
    });
}

Status TargetStore::remove(const QString &name, CredentialStore &credentials)
{
    auto config = get(name);
    if (!config)
        return config.error();
    Database &db = m_workspace.db();
    Status removed = inTransaction(db, [&]() -> Status {
        auto active = prepared(db,
                               "SELECT m.name, v.version FROM deployments d "
                               "JOIN model_versions v ON v.id = d.version_id "
                               "JOIN registered_models m ON m.id = v.model_id "
                               "WHERE d.target = ? AND d.status = 'active' ORDER BY d.created_at DESC LIMIT 1",
                               name);
        if (!active)
            return active.error();
        if (active->next())
            return Error {QStringLiteral("'%1' serves %2: undeploy it first")
                              .arg(name, versionRef(active->text(0), int(active->int64(1))))};
        active = Statement();
        return execute(db, "DELETE FROM deploy_targets WHERE name = ?", name);
    });
    if (!removed)
        return removed;

    // Another target of this workspace may name the same place, and so use the same secret.
    auto sharing
        = prepared(db, "SELECT 1 FROM deploy_targets WHERE kind = ? AND location = ?", config->kind, config->location);
    if (!sharing)
        return sharing.error();
    if (sharing->next())
        return Status::success();
    return credentials.removeSecret(CredentialStore::keyFor(config->kind, config->location));
}

Expected<std::unique_ptr<DeployTarget>> TargetStore::open(const QString &name, CredentialStore &credentials) const
{
    auto config = get(name);
    if (!config)
        return config.error();
    auto kind = kindOf(config->kind);
    if (!kind)
        return Error {QStringLiteral("target '%1': %2").arg(name, kind.errorMessage())};
    auto secret = credentials.secret(CredentialStore::keyFor(config->kind, config->location));
    if (!secret)
        return Error {QStringLiteral("target '%1': %2").arg(name, secret.errorMessage())};
    std::unique_ptr<DeployTarget> target = (*kind)->create(*config, *secret);
    if (!target)
        return Error {QStringLiteral("target '%1': the %2 kind could not create it").arg(name, config->kind)};
    return target;
}

} // namespace kiln
