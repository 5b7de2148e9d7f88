#pragma once

// What modelregistry.cpp and deployments.cpp share: statements bound in one call, a change as
// one transaction, JSON as the registry stores it, and the deployments of a version (read for
// ModelVersion::deployments, checked before a delete). Not part of Kiln's API.

#include "registry/registrytypes.h"
#include "storage/database.h"

#include <QJsonDocument>
#include <QList>
#include <QString>

#include <functional>

namespace kiln::Internal {

/// The version numbers a model has given out are kept in workspace_info so that a number is
/// never given twice, even after the newest version was deleted (a bundle or a log that says
/// "loans@3" must not come to mean another model). Its key there.
inline QString highWaterKey(const QString &modelName)
{
    return QStringLiteral("registry.lastVersion:") + modelName;
}

/// JSON as a registry column holds it: one compact line.
template<typename Json>
QString compactJson(const Json &json)
{
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

inline QJsonDocument parseJson(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8());
}

inline QString versionRef(const QString &modelName, int version)
{
    return modelName + QLatin1Char('@') + QString::number(version);
}

inline Error noVersionWithId(qint64 versionId)
{
    return Error {QStringLiteral("no model version with id %1 (was it deleted?)").arg(versionId)};
}

/// `sql` prepared with `args` bound to ?1, ?2, ... in order.
template<typename... Args>
Expected<Statement> prepared(Database &db, const char *sql, const Args &...args)
{
    auto stmt = db.prepare(sql);
    if (!stmt)
        return stmt.error();
    int index = 0;
    (stmt->bind(++index, args), ...);
    return stmt;
}

/// Runs an INSERT, UPDATE or DELETE with `args` bound in order.
template<typename... Args>
Status execute(Database &db, const char *sql, const Args &...args)
{
    auto stmt = prepared(db, sql, args...);
    if (!stmt)
        return stmt.error();
    return stmt->exec();
}

/// Runs `change` in one transaction and commits it when it succeeds.
Status inTransaction(Database &db, const std::function<Status()> &change);

/// Fills the deployments of each version, newest first (deployments.cpp).
Status loadDeployments(Database &db, QList<ModelVersion> &versions);

/// Fails, with the reason, while a version is deployed (`which` "v.id", `id` its id) or any
/// version of a model is (`which` "v.model_id", `id` the model's id): "loans@2 is deployed to
/// 'prod': undeploy it first". What deleting checks first (deployments.cpp).
Status checkNotDeployed(Database &db, const char *which, qint64 id);

} // namespace kiln::Internal
