// ModelRegistry: registered models, their versions, aliases, tags, statuses and cards, in the
// workspace database (schema v4). registerRun() is in registerrun.cpp, the deployments that use
// a version in deployments.cpp.
#include "registry/modelregistry.h"
#include "registry/modelregistry_p.h"

#include "workspace/workspace.h"

namespace kiln {

namespace Internal {

Status inTransaction(Database &db, const std::function<Status()> &change)
{
    Transaction tx(db);
    if (!tx.isActive())
        return tx.beginStatus();
    if (Status s = change(); !s)
        return s;
    return tx.commit();
}

} // namespace Internal

using namespace Internal;

namespace {

Error noModel(const QString &name)
{
    return Error {QStringLiteral("no model named '%1'").arg(name)};
}

Error noVersion(const QString &name, int version)
{
    return Error {QStringLiteral("model '%1' has no version %2").arg(name).arg(version)};
}

constexpr const char kVersionColumns[]
    = "SELECT v.id, v.model_id, m.name, v.version, v.status, COALESCE(v.run_id, 0), v.source, v.trainer, "
      "v.model_format, v.model_sha256, v.model_size, v.encoding, v.input_example, v.metrics, v.evaluation, "
      "v.profile, v.lineage, v.card, v.created_at, v.updated_at "
      "FROM model_versions v JOIN registered_models m ON m.id = v.model_id ";

Expected<ModelVersion> versionFrom(const Statement &row)
{
    ModelVersion v;
    v.id = row.int64(0);
    v.modelId = row.int64(1);
    v.modelName = row.text(2);
    v.version = int(row.int64(3));
    v.status = versionStatusFromName(row.text(4)).value_or(VersionStatus::Ready);
    v.runId = row.int64(5);
    v.trainer = row.text(7);
    v.modelFormat = row.text(8);
    v.modelSha256 = row.text(9);
    v.modelSize = row.int64(10);
    const QJsonObject encodingJson = parseJson(row.text(11)).object();
    // A version imported from MLflow has no Kiln encoding: Kiln keeps its MLmodel and never
    // predicts with it.
    const bool foreign = v.modelFormat == QLatin1String("mlflow");
    if (!foreign) {
        auto encoding = FeatureEncoding::fromJson(encodingJson);
        if (!encoding)
            return Error {QStringLiteral("%1 is damaged: %2").arg(v.ref(), encoding.errorMessage())};
        v.encoding = std::move(encoding).value();
    }
    v.inputExample = parseJson(row.text(12)).array();
    const QJsonObject metrics = parseJson(row.text(13)).object();
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
        v.metrics.insert(it.key(), it.value().toDouble());
    v.evaluation = parseJson(row.text(14)).object();
    v.profile = profileFromJson(parseJson(row.text(15)).array());
    v.lineage = ModelLineage::fromJson(parseJson(row.text(16)).object());
    if (v.lineage.source.isEmpty())
        v.lineage.source = row.text(6);
    v.card = row.text(17);
    v.createdAt = storedTime(row, 18);
    v.updatedAt = storedTime(row, 19);
    // The signature is stored beside the encoding (see addVersion); derive it for rows without.
    if (foreign) {
        // no signature: MLflow's is in the MLmodel file
    } else if (encodingJson.contains(QLatin1String("signature"))) {
        auto signature = ModelSignature::fromJson(encodingJson.value(QLatin1String("signature")).toObject());
        if (!signature)
            return Error {QStringLiteral("%1 is damaged: %2").arg(v.ref(), signature.errorMessage())};
        v.signature = std::move(signature).value();
    } else {
        v.signature = ModelSignature::fromEncoding(v.encoding, v.profile);
    }
    return v;
}

/// Fills aliases, tags and deployments of each version.
Status loadDetails(Database &db, QList<ModelVersion> &versions)
{
    auto aliases = db.prepare("SELECT alias FROM model_aliases WHERE version_id = ? ORDER BY alias");
    if (!aliases)
        return aliases.error();
    auto tags = db.prepare("SELECT key, value FROM model_version_tags WHERE version_id = ? ORDER BY key");
    if (!tags)
        return tags.error();
    for (ModelVersion &v : versions) {
        aliases->reset();
        aliases->bind(1, v.id);
        while (aliases->next())
            v.aliases.append(aliases->text(0));
        tags->reset();
        tags->bind(1, v.id);
        while (tags->next())
            v.tags.append({tags->text(0), tags->text(1)});
    }
    return loadDeployments(db, versions);
}

/// The versions `whereAndOrder` selects (with `args` bound), with their details.
template<typename... Args>
Expected<QList<ModelVersion>> queryVersions(Database &db, const char *whereAndOrder, const Args &...args)
{
    const QByteArray sql = QByteArray(kVersionColumns) + whereAndOrder;
    auto stmt = prepared(db, sql.constData(), args...);
    if (!stmt)
        return stmt.error();
    QList<ModelVersion> result;
    while (stmt->next()) {
        auto v = versionFrom(*stmt);
        if (!v)
            return v.error();
        result.append(std::move(v).value());
    }
    if (Status s = loadDetails(db, result); !s)
        return s.error();
    return result;
}

/// The one version a query selects, or `missing`.
template<typename... Args>
Expected<ModelVersion> queryVersion(Database &db, const Error &missing, const char *whereAndOrder, const Args &...args)
{
    auto found = queryVersions(db, whereAndOrder, args...);
    if (!found)
        return found.error();
    if (found->isEmpty())
        return missing;
    return found->constFirst();
}

Expected<qint64> modelIdOf(Database &db, const QString &name)
{
    auto stmt = prepared(db, "SELECT id FROM registered_models WHERE name = ?", name);
    if (!stmt)
        return stmt.error();
    if (!stmt->next())
        return noModel(name);
    return qint64(stmt->int64(0));
}

Expected<qint64> versionIdOf(Database &db, const QString &modelName, int version)
{
    auto modelId = modelIdOf(db, modelName);
    if (!modelId)
        return modelId.error();
    auto stmt = prepared(db, "SELECT id FROM model_versions WHERE model_id = ? AND version = ?", *modelId, version);
    if (!stmt)
        return stmt.error();
    if (!stmt->next())
        return noVersion(modelName, version);
    return qint64(stmt->int64(0));
}

Status touchModel(Database &db, qint64 modelId)
{
    return execute(db, "UPDATE registered_models SET updated_at = ? WHERE id = ?", storedNow(), modelId);
}

/// In one transaction: runs `sql` with the model's id as ?1 (then `args`), touches the model,
/// and fails when the model does not exist. `missing` (optional) is the error when the
/// statement changed no row.
template<typename... Args>
Status changeModel(Database &db, const QString &modelName, const QString &missing, const char *sql, const Args &...args)
{
    return inTransaction(db, [&]() -> Status {
        auto modelId = modelIdOf(db, modelName);
        if (!modelId)
            return modelId.error();
        if (Status s = execute(db, sql, *modelId, args...); !s)
            return s;
        if (!missing.isEmpty() && db.changes() == 0)
            return Error {missing};
        return touchModel(db, *modelId);
    });
}

/// In one transaction: runs `sql` with the version's id as ?1 (then `args`), touches the
/// version, and fails when the version does not exist. `missing` (optional) is the error when
/// the statement changed no row.
template<typename... Args>
Status changeVersion(Database &db, const QString &modelName, int version, const QString &missing, const char *sql,
                     const Args &...args)
{
    return inTransaction(db, [&]() -> Status {
        auto versionId = versionIdOf(db, modelName, version);
        if (!versionId)
            return versionId.error();
        if (Status s = execute(db, sql, *versionId, args...); !s)
            return s;
        if (!missing.isEmpty() && db.changes() == 0)
            return Error {missing};
        return execute(db, "UPDATE model_versions SET updated_at = ? WHERE id = ?", storedNow(), *versionId);
    });
}

} // namespace

// ---- Reads -----------------------------------------------------------------------------------

Expected<QList<RegisteredModel>> ModelRegistry::models() const
{
    Database &db = m_workspace.db();
    auto stmt = db.prepare("SELECT m.id, m.name, m.description, m.created_at, m.updated_at, "
                           "COALESCE((SELECT MAX(version) FROM model_versions v WHERE v.model_id = m.id), 0), "
                           "(SELECT COUNT(*) FROM model_versions v WHERE v.model_id = m.id) "
                           "FROM registered_models m ORDER BY lower(m.name), m.name");
    if (!stmt)
        return stmt.error();
    QList<RegisteredModel> result;
    while (stmt->next()) {
        RegisteredModel m;
        m.id = stmt->int64(0);
        m.name = stmt->text(1);
        m.description = stmt->text(2);
        m.createdAt = storedTime(*stmt, 3);
        m.updatedAt = storedTime(*stmt, 4);
        m.latestVersion = int(stmt->int64(5));
        m.versionCount = int(stmt->int64(6));
        result.append(m);
    }
    auto tags = db.prepare("SELECT key, value FROM registered_model_tags WHERE model_id = ? ORDER BY key");
    if (!tags)
        return tags.error();
    auto aliases = db.prepare("SELECT a.alias, v.version FROM model_aliases a "
                              "JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = ?");
    if (!aliases)
        return aliases.error();
    for (RegisteredModel &m : result) {
        tags->reset();
        tags->bind(1, m.id);
        while (tags->next())
            m.tags.append({tags->text(0), tags->text(1)});
        aliases->reset();
        aliases->bind(1, m.id);
        while (aliases->next())
            m.aliases.insert(aliases->text(0), int(aliases->int64(1)));
    }
    return result;
}

Expected<RegisteredModel> ModelRegistry::model(const QString &name) const
{
    // models() is a handful of rows per model; one code path keeps both in agreement.
    auto all = models();
    if (!all)
        return all.error();
    for (const RegisteredModel &m : std::as_const(*all)) {
        if (m.name == name)
            return m;
    }
    return noModel(name);
}

Expected<QList<ModelVersion>> ModelRegistry::versions(const QString &modelName) const
{
    auto modelId = modelIdOf(m_workspace.db(), modelName);
    if (!modelId)
        return modelId.error();
    return queryVersions(m_workspace.db(), "WHERE v.model_id = ? ORDER BY v.version DESC", *modelId);
}

Expected<ModelVersion> ModelRegistry::version(const QString &ref) const
{
    auto parsed = ModelRef::parse(ref);
    if (!parsed)
        return parsed.error();
    if (parsed->version > 0)
        return version(parsed->name, parsed->version);
    Database &db = m_workspace.db();
    auto modelId = modelIdOf(db, parsed->name);
    if (!modelId)
        return modelId.error();
    if (!parsed->alias.isEmpty())
        return queryVersion(db, Error {QStringLiteral("model '%1' has no alias '%2'").arg(parsed->name, parsed->alias)},
                            "JOIN model_aliases a ON a.version_id = v.id WHERE a.model_id = ? AND a.alias = ?",
                            *modelId, parsed->alias);
    return queryVersion(db, Error {QStringLiteral("model '%1' has no versions (all were deleted)").arg(parsed->name)},
                        "WHERE v.model_id = ? ORDER BY v.version DESC LIMIT 1", *modelId);
}

Expected<ModelVersion> ModelRegistry::version(const QString &modelName, int version) const
{
    auto modelId = modelIdOf(m_workspace.db(), modelName);
    if (!modelId)
        return modelId.error();
    return queryVersion(m_workspace.db(), noVersion(modelName, version), "WHERE v.model_id = ? AND v.version = ?",
                        *modelId, version);
}

Expected<ModelVersion> ModelRegistry::versionById(qint64 versionId) const
{
    return queryVersion(m_workspace.db(), noVersionWithId(versionId), "WHERE v.id = ?", versionId);
}

Expected<QList<ModelVersion>> ModelRegistry::versionsOfRun(qint64 runId) const
{
    return queryVersions(m_workspace.db(), "WHERE v.run_id = ? ORDER BY v.id", runId);
}

// ---- Adding a version ------------------------------------------------------------------------

Expected<ModelVersion> ModelRegistry::addVersion(const QString &modelName, const ModelVersion &draft,
                                                 const QString &modelDescription, int keptNumber)
{
    if (Status s = validateModelName(modelName); !s)
        return s.error();
    if (draft.modelSha256.isEmpty() || !m_workspace.blobs().contains(draft.modelSha256))
        return Error {QStringLiteral("cannot add a version of '%1': its model file %2 is not in the workspace")
                          .arg(modelName, draft.modelSha256.left(12))};
    for (const auto &tag : draft.tags) {
        if (tag.first.trimmed().isEmpty())
            return Error {QStringLiteral("cannot add a version of '%1': a tag has no key").arg(modelName)};
    }
    Database &db = m_workspace.db();
    qint64 versionId = 0;
    Status added = inTransaction(db, [&]() -> Status {
        const QString time = storedNow();
        auto modelId = modelIdOf(db, modelName);
        if (!modelId) {
            if (Status s = execute(db,
                                   "INSERT INTO registered_models(name, description, created_at, updated_at) "
                                   "VALUES(?, ?, ?, ?)",
                                   modelName, modelDescription, time, time);
                !s)
                return s;
            modelId = qint64(db.lastInsertId());
        } else if (Status s = touchModel(db, *modelId); !s) {
            return s;
        }
        // Inside the write transaction, so two connections never pick the same number.
        auto next = prepared(
            db,
            "SELECT MAX(n) + 1 FROM (SELECT COALESCE(MAX(version), 0) AS n FROM model_versions WHERE model_id = ?1 "
            "UNION ALL SELECT CAST(value AS BIGINT) FROM workspace_info WHERE key = ?2) AS numbers",
            *modelId, highWaterKey(modelName));
        if (!next)
            return next.error();
        if (!next->next())
            return Error {db.lastError()};
        int number = int(next->int64(0));
        next = Statement();
        QString highWater = QString::number(number);
        if (keptNumber > 0) {
            // An imported version (MLflow's) keeps its number when no version has it; the
            // high-water mark never goes down, so a deleted number is still never given again.
            auto taken
                = prepared(db, "SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?", *modelId, keptNumber);
            if (!taken)
                return taken.error();
            if (taken->next())
                return Error {QStringLiteral("cannot add version %1 of '%2': the model has a version %1")
                                  .arg(keptNumber)
                                  .arg(modelName)};
            if (Status s = db.lastStepStatus(); !s)
                return s;
            highWater = QString::number(std::max(number - 1, keptNumber));
            number = keptNumber;
        }
        if (Status s = execute(db,
                               "INSERT INTO workspace_info(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET "
                               "value = excluded.value",
                               highWaterKey(modelName), highWater);
            !s)
            return s;
        if (Status s = execute(db, "INSERT INTO blobs(sha256, size, created_at) VALUES(?, ?, ?) ON CONFLICT DO NOTHING",
                               draft.modelSha256, draft.modelSize, time);
            !s)
            return s;

        QJsonObject metrics;
        for (auto it = draft.metrics.begin(); it != draft.metrics.end(); ++it)
            metrics.insert(it.key(), it.value());
        QJsonObject encoding = draft.encoding.toJson();
        encoding.insert(QLatin1String("signature"), draft.signature.toJson());
        const QString source = !draft.lineage.source.isEmpty() ? draft.lineage.source
            : draft.runId > 0                                  ? QStringLiteral("run")
                                                               : QStringLiteral("bundle");
        QString card = draft.card;
        if (card.isEmpty()) {
            ModelVersion named = draft;
            named.modelName = modelName;
            named.version = number;
            card = prefillModelCard(named);
        }
        if (Status s
            = execute(db,
                      "INSERT INTO model_versions(model_id, version, status, run_id, source, trainer, "
                      "model_format, model_sha256, model_size, encoding, input_example, metrics, "
                      "evaluation, profile, lineage, card, created_at, updated_at) VALUES(?1, ?2, ?3, "
                      "NULLIF(?4, 0), ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
                      *modelId, number, versionStatusName(draft.status), draft.runId, source, draft.trainer,
                      draft.modelFormat, draft.modelSha256, draft.modelSize, compactJson(encoding),
                      compactJson(draft.inputExample), compactJson(metrics), compactJson(draft.evaluation),
                      compactJson(profileToJson(draft.profile)), compactJson(draft.lineage.toJson()), card, time);
            !s)
            return s;
        versionId = db.lastInsertId();
        for (const auto &[key, value] : draft.tags) {
            if (Status s = execute(db,
                                   "INSERT INTO model_version_tags(version_id, key, value) VALUES(?, ?, ?) "
                                   "ON CONFLICT(version_id, key) DO UPDATE SET value = excluded.value",
                                   versionId, key, value);
                !s)
                return s;
        }
        return Status::success();
    });
    if (!added)
        return Error {QStringLiteral("cannot add a version of '%1': %2").arg(modelName, added.errorMessage())};
    return versionById(versionId);
}

// ---- Model and version facts -----------------------------------------------------------------

Status ModelRegistry::setModelDescription(const QString &modelName, const QString &description)
{
    return changeModel(m_workspace.db(), modelName, QString(),
                       "UPDATE registered_models SET description = ?2 WHERE id = ?1", description);
}

Status ModelRegistry::setModelTag(const QString &modelName, const QString &key, const QString &value)
{
    if (key.trimmed().isEmpty())
        return Error {QStringLiteral("a tag of model '%1' needs a key").arg(modelName)};
    return changeModel(m_workspace.db(), modelName, QString(),
                       "INSERT INTO registered_model_tags(model_id, key, value) VALUES(?1, ?2, ?3) "
                       "ON CONFLICT(model_id, key) DO UPDATE SET value = excluded.value",
                       key, value);
}

Status ModelRegistry::removeModelTag(const QString &modelName, const QString &key)
{
    return changeModel(m_workspace.db(), modelName, QStringLiteral("model '%1' has no tag '%2'").arg(modelName, key),
                       "DELETE FROM registered_model_tags WHERE model_id = ?1 AND key = ?2", key);
}

Status ModelRegistry::setVersionTag(const QString &modelName, int version, const QString &key, const QString &value)
{
    if (key.trimmed().isEmpty())
        return Error {QStringLiteral("a tag of %1 needs a key").arg(versionRef(modelName, version))};
    return changeVersion(m_workspace.db(), modelName, version, QString(),
                         "INSERT INTO model_version_tags(version_id, key, value) VALUES(?1, ?2, ?3) "
                         "ON CONFLICT(version_id, key) DO UPDATE SET value = excluded.value",
                         key, value);
}

Status ModelRegistry::removeVersionTag(const QString &modelName, int version, const QString &key)
{
    return changeVersion(m_workspace.db(), modelName, version,
                         QStringLiteral("%1 has no tag '%2'").arg(versionRef(modelName, version), key),
                         "DELETE FROM model_version_tags WHERE version_id = ?1 AND key = ?2", key);
}

Status ModelRegistry::setStatus(const QString &modelName, int version, VersionStatus status)
{
    return changeVersion(m_workspace.db(), modelName, version, QString(),
                         "UPDATE model_versions SET status = ?2 WHERE id = ?1", versionStatusName(status));
}

Status ModelRegistry::setCard(const QString &modelName, int version, const QString &markdown)
{
    return changeVersion(m_workspace.db(), modelName, version, QString(),
                         "UPDATE model_versions SET card = ?2 WHERE id = ?1", markdown);
}

// ---- Aliases ---------------------------------------------------------------------------------

Status ModelRegistry::setAlias(const QString &modelName, const QString &alias, int version)
{
    if (Status s = validateAliasName(alias); !s)
        return s;
    Database &db = m_workspace.db();
    return inTransaction(db, [&]() -> Status {
        auto versionId = versionIdOf(db, modelName, version);
        if (!versionId)
            return versionId.error();
        // The primary key (model, alias) makes this a move: the old row is replaced.
        return execute(db,
                       "INSERT INTO model_aliases(model_id, alias, version_id, updated_at) "
                       "SELECT model_id, ?1, id, ?2 FROM model_versions WHERE id = ?3 "
                       "ON CONFLICT(model_id, alias) DO UPDATE SET version_id = excluded.version_id, "
                       "updated_at = excluded.updated_at",
                       alias, storedNow(), *versionId);
    });
}

Status ModelRegistry::removeAlias(const QString &modelName, const QString &alias)
{
    Database &db = m_workspace.db();
    return inTransaction(db, [&]() -> Status {
        auto modelId = modelIdOf(db, modelName);
        if (!modelId)
            return modelId.error();
        if (Status s = execute(db, "DELETE FROM model_aliases WHERE model_id = ? AND alias = ?", *modelId, alias); !s)
            return s;
        if (db.changes() == 0)
            return Error {QStringLiteral("model '%1' has no alias '%2'").arg(modelName, alias)};
        return Status::success();
    });
}

// ---- Deleting --------------------------------------------------------------------------------

Status ModelRegistry::deleteVersion(const QString &modelName, int version)
{
    Database &db = m_workspace.db();
    return inTransaction(db, [&]() -> Status {
        auto versionId = versionIdOf(db, modelName, version);
        if (!versionId)
            return versionId.error();
        if (Status s = checkNotDeployed(db, "v.id", *versionId); !s)
            return s;
        // Ended deployments only; aliases and tags go by cascade.
        if (Status s = execute(db, "DELETE FROM deployments WHERE version_id = ?", *versionId); !s)
            return s;
        if (Status s = execute(db, "DELETE FROM model_versions WHERE id = ?", *versionId); !s)
            return s;
        return execute(db, "UPDATE registered_models SET updated_at = ? WHERE name = ?", storedNow(), modelName);
    });
}

Status ModelRegistry::deleteModel(const QString &modelName)
{
    Database &db = m_workspace.db();
    return inTransaction(db, [&]() -> Status {
        auto modelId = modelIdOf(db, modelName);
        if (!modelId)
            return modelId.error();
        if (Status s = checkNotDeployed(db, "v.model_id", *modelId); !s)
            return s;
        if (Status s = execute(db,
                               "DELETE FROM deployments WHERE version_id IN "
                               "(SELECT id FROM model_versions WHERE model_id = ?)",
                               *modelId);
            !s)
            return s;
        if (Status s = execute(db, "DELETE FROM registered_models WHERE id = ?", *modelId); !s)
            return s;
        // A model made again under this name starts from version 1.
        return execute(db, "DELETE FROM workspace_info WHERE key = ?", highWaterKey(modelName));
    });
}

} // namespace kiln
