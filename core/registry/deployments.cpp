// ModelRegistry's deployments: which target serves a version, recorded by the deployment work
// and ended on undeploy. Lineage shows them; deleteVersion() and deleteModel() refuse while
// one is active (checkNotDeployed).
#include "registry/modelregistry.h"
#include "registry/modelregistry_p.h"

#include "workspace/workspace.h"

namespace kiln {

namespace Internal {

namespace {

// The columns id, version_id, target, status, detail, created_at, ended_at, first in `row`.
DeploymentRecord deploymentAt(Statement &row)
{
    DeploymentRecord d;
    d.id = row.int64(0);
    d.versionId = row.int64(1);
    d.target = row.text(2);
    d.status = row.text(3);
    d.detail = parseJson(row.text(4)).object();
    d.createdAt = storedTime(row, 5);
    d.endedAt = storedTime(row, 6);
    return d;
}

} // namespace

Status loadDeployments(Database &db, QList<ModelVersion> &versions)
{
    auto deployments = db.prepare("SELECT id, version_id, target, status, detail, created_at, ended_at "
                                  "FROM deployments WHERE version_id = ? ORDER BY created_at DESC, id DESC");
    if (!deployments)
        return deployments.error();
    for (ModelVersion &v : versions) {
        deployments->reset();
        deployments->bind(1, v.id);
        while (deployments->next())
            v.deployments.append(deploymentAt(*deployments));
    }
    return Status::success();
}

Status checkNotDeployed(Database &db, const char *which, qint64 id)
{
    const QByteArray sql = QByteArray("SELECT m.name, v.version, d.target FROM deployments d "
                                      "JOIN model_versions v ON v.id = d.version_id "
                                      "JOIN registered_models m ON m.id = v.model_id WHERE d.status = 'active' AND ")
        + which + " = ? ORDER BY v.version, d.created_at LIMIT 1";
    auto stmt = prepared(db, sql.constData(), id);
    if (!stmt)
        return stmt.error();
    if (!stmt->next())
        return Status::success();
    return Error {QStringLiteral("%1 is deployed to '%2': undeploy it first")
                      .arg(versionRef(stmt->text(0), int(stmt->int64(1))), stmt->text(2))};
}

} // namespace Internal

using namespace Internal;

Expected<qint64> ModelRegistry::recordDeployment(qint64 versionId, const QString &target, const QJsonObject &detail,
                                                 const QString &status)
{
    if (target.trimmed().isEmpty())
        return Error {QStringLiteral("a deployment needs a target")};
    Database &db = m_workspace.db();
    qint64 id = 0;
    const auto now = storedNow();
    Status recorded = inTransaction(db, [&]() -> Status {
        auto exists = prepared(db, "SELECT 1 FROM model_versions WHERE id = ?", versionId);
        if (!exists)
            return exists.error();
        if (!exists->next())
            return noVersionWithId(versionId);
        exists = Statement();
        if (Status s = execute(db,
                               "INSERT INTO deployments(version_id, target, status, detail, created_at, ended_at) "
                               "VALUES(?, ?, ?, ?, ?, CASE WHEN ? = 'active' THEN NULL ELSE ? END)",
                               versionId, target, status, compactJson(detail), now, status, now);
            !s)
            return s;
        id = db.lastInsertId();
        return Status::success();
    });
    if (!recorded)
        return recorded.error();
    return id;
}

Status ModelRegistry::endDeployment(qint64 deploymentId, const QString &status)
{
    if (status.isEmpty() || status == QLatin1String("active"))
        return Error {QStringLiteral("a deployment ends as 'ended', 'failed' or another status, not '%1'").arg(status)};
    Database &db = m_workspace.db();
    return inTransaction(db, [&]() -> Status {
        auto current = prepared(db, "SELECT status, target FROM deployments WHERE id = ?", deploymentId);
        if (!current)
            return current.error();
        if (!current->next())
            return Error {QStringLiteral("no deployment with id %1").arg(deploymentId)};
        if (current->text(0) != QLatin1String("active"))
            return Error {QStringLiteral("deployment %1 to '%2' has already ended (%3)")
                              .arg(deploymentId)
                              .arg(current->text(1), current->text(0))};
        current = Statement();
        return execute(db, "UPDATE deployments SET status = ?, ended_at = ? WHERE id = ?", status, storedNow(),
                       deploymentId);
    });
}

Expected<QList<VersionDeployment>> ModelRegistry::deploymentHistory() const
{
    auto rows = m_workspace.db().prepare(
        "SELECT d.id, d.version_id, d.target, d.status, d.detail, d.created_at, d.ended_at, m.name, v.version "
        "FROM deployments d JOIN model_versions v ON v.id = d.version_id "
        "JOIN registered_models m ON m.id = v.model_id ORDER BY d.created_at DESC, d.id DESC");
    if (!rows)
        return rows.error();
    QList<VersionDeployment> history;
    while (rows->next())
        history.append({deploymentAt(*rows), rows->text(7), int(rows->int64(8))});
    return history;
}

} // namespace kiln
