// The model registry of an mlflow.db: registered models, their versions (deleted ones left
// out), tags and aliases, at whatever revision the file is (see dbreader.cpp).

#include "mlflow/dbreader_p.h"

namespace kiln::mlflow::Internal {

Expected<QList<RegisteredModel>> DbReader::models()
{
    QList<RegisteredModel> models;
    if (!table(QStringLiteral("registered_models"), "2b4d017a5e9b"))
        return models;
    // MLflow 3 keeps the registry per workspace; (workspace, name) then names a model.
    const auto workspaceOf = [this](const QString &table) {
        return m_columns.value(table).contains(QLatin1String("workspace")) ? QStringLiteral("workspace")
                                                                           : QStringLiteral("'default'");
    };
    const auto keyOf
        = [](const QString &workspace, const QString &name) -> QString { return workspace + QLatin1Char('\n') + name; };
    QHash<QString, int> byKey;
    QSet<QString> names;

    const QString rm = QStringLiteral("registered_models");
    Query query(m_db,
                QStringLiteral("SELECT %1, name, %2, %3, %4 FROM registered_models ORDER BY name, %1")
                    .arg(workspaceOf(rm), column(rm, "description"), column(rm, "creation_time"),
                         column(rm, "last_updated_time")));
    while (query.next()) {
        RegisteredModel model;
        model.name = query.text(1);
        model.description = query.text(2);
        model.creationTimeMs = query.integer(3);
        model.lastUpdatedTimeMs = query.integer(4);
        if (names.contains(model.name)) {
            addIssue(QStringLiteral("%1: registered model %2").arg(m_name, model.name),
                     QStringLiteral("also in MLflow workspace '%1': only the first one is read").arg(query.text(0)));
            continue;
        }
        names.insert(model.name);
        byKey.insert(keyOf(query.text(0), model.name), int(models.size()));
        models.append(model);
    }
    if (!query.finished())
        return readError(rm);

    const QString mv = QStringLiteral("model_versions");
    if (table(mv, "2b4d017a5e9b")) {
        Query versions(m_db,
                       QStringLiteral("SELECT %1, name, version, %2, %3, %4, %5, %6, %7, %8, %9, %10 FROM "
                                      "model_versions ORDER BY name, version")
                           .arg(workspaceOf(mv), column(mv, "current_stage"), column(mv, "status"),
                                column(mv, "description"), column(mv, "source"), column(mv, "run_id"),
                                column(mv, "storage_location", "acf3f17fdcc7"), column(mv, "user_id"),
                                column(mv, "creation_time"), column(mv, "last_updated_time")));
        while (versions.next()) {
            const auto it = byKey.constFind(keyOf(versions.text(0), versions.text(1)));
            if (it == byKey.constEnd() || versions.text(3) == QLatin1String("Deleted_Internal"))
                continue;
            ModelVersion version;
            version.version = int(versions.integer(2));
            version.currentStage = versions.isNull(3) ? QStringLiteral("None") : versions.text(3);
            version.status = versions.text(4);
            version.description = versions.text(5);
            version.source = versions.text(6);
            version.runId = versions.text(7);
            version.storageLocation = versions.text(8);
            version.userId = versions.text(9);
            version.creationTimeMs = versions.integer(10);
            version.lastUpdatedTimeMs = versions.integer(11);
            models[*it].versions.append(version);
        }
        if (!versions.finished())
            return readError(mv);
    }

    const QString rmt = QStringLiteral("registered_model_tags");
    if (table(rmt, "728d730b5ebd")) {
        const QString sql = QStringLiteral("SELECT %1, name, key, value FROM registered_model_tags ORDER BY name, key")
                                .arg(workspaceOf(rmt));
        if (auto error = eachRow(rmt, sql, [&](const Query &row) {
                const auto it = byKey.constFind(keyOf(row.text(0), row.text(1)));
                if (it != byKey.constEnd())
                    models[*it].tags.append({row.text(2), row.text(3)});
            }))
            return *error;
    }

    const QString mvt = QStringLiteral("model_version_tags");
    if (table(mvt, "27a6a02d2cf1")) {
        const QString sql = QStringLiteral("SELECT %1, name, version, key, value FROM model_version_tags "
                                           "ORDER BY name, version, key")
                                .arg(workspaceOf(mvt));
        if (auto error = eachRow(mvt, sql, [&](const Query &row) {
                const auto it = byKey.constFind(keyOf(row.text(0), row.text(1)));
                if (it == byKey.constEnd())
                    return;
                for (ModelVersion &version : models[*it].versions) {
                    if (version.version == int(row.integer(2)))
                        version.tags.append({row.text(3), row.text(4)});
                }
            }))
            return *error;
    }

    const QString rma = QStringLiteral("registered_model_aliases");
    if (table(rma, "3500859a5d39")) {
        const QString sql = QStringLiteral("SELECT %1, name, alias, version FROM registered_model_aliases "
                                           "ORDER BY name, alias")
                                .arg(workspaceOf(rma));
        if (auto error = eachRow(rma, sql, [&](const Query &row) {
                const auto it = byKey.constFind(keyOf(row.text(0), row.text(1)));
                if (it != byKey.constEnd())
                    models[*it].aliases.insert(row.text(2), int(row.integer(3)));
            }))
            return *error;
    }
    return models;
}

} // namespace kiln::mlflow::Internal
