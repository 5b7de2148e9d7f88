#include "runs/runstore.h"

#include "runs/processidentity.h"

#include <QJsonDocument>
#include <QUuid>

namespace kiln {
namespace {

constexpr const char kRunColumns[]
    = "SELECT r.id, r.uuid, e.name, COALESCE(r.parent_id, 0), r.name, r.spec, r.status, r.attempt, "
      "r.cancel_requested, r.created_at, r.started_at, r.ended_at, r.exit_code, r.error, r.host, "
      "r.reproducibility FROM runs r JOIN experiments e ON e.id = r.experiment_id ";

RunRecord runFrom(const Statement &row)
{
    RunRecord run;
    run.id = row.int64(0);
    run.uuid = row.text(1);
    run.experiment = row.text(2);
    run.parentId = row.int64(3);
    run.name = row.text(4);
    run.spec = RunSpec::fromJson(QJsonDocument::fromJson(row.text(5).toUtf8()).object());
    run.status = runStatusFromName(row.text(6)).value_or(RunStatus::Failed);
    run.attempt = int(row.int64(7));
    run.cancelRequested = row.int64(8) != 0;
    run.createdAt = storedTime(row, 9);
    run.startedAt = storedTime(row, 10);
    run.endedAt = storedTime(row, 11);
    if (!row.isNull(12))
        run.exitCode = int(row.int64(12));
    run.error = row.text(13);
    run.host = row.text(14);
    run.reproducibility = QJsonDocument::fromJson(row.text(15).toUtf8()).object();
    return run;
}

} // namespace

Expected<qint64> RunStore::ensureExperiment(const QString &name)
{
    if (name.trimmed().isEmpty())
        return Error {QStringLiteral("an experiment needs a name")};
    auto find = m_db.prepare("SELECT id FROM experiments WHERE name = ?");
    if (!find)
        return find.error();
    find->bind(1, name);
    if (find->next())
        return find->int64(0);
    auto insert = m_db.prepare("INSERT INTO experiments(name, created_at) VALUES(?, ?)");
    if (!insert)
        return insert.error();
    insert->bind(1, name).bind(2, storedNow());
    if (Status s = insert->exec(); !s)
        return s.error();
    return m_db.lastInsertId();
}

QStringList RunStore::experiments() const
{
    QStringList names;
    auto stmt = m_db.prepare("SELECT name FROM experiments ORDER BY lower(name), name");
    while (stmt && stmt->next())
        names << stmt->text(0);
    return names;
}

Expected<RunRecord> RunStore::createRun(const RunSpec &spec, qint64 parentId)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginStatus().error();
    auto experiment = ensureExperiment(spec.experiment);
    if (!experiment)
        return experiment.error();
    auto insert = m_db.prepare("INSERT INTO runs(uuid, experiment_id, parent_id, name, kind, status, spec, created_at, "
                               "executor, queued_host) VALUES(?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)");
    if (!insert)
        return insert.error();
    const QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces).remove(QLatin1Char('-'));
    const QByteArray specJson = QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact);
    insert->bind(1, uuid).bind(2, *experiment);
    if (parentId > 0)
        insert->bind(3, parentId);
    else
        insert->bindNull(3);
    QString name = spec.name;
    if (name.isEmpty())
        name = spec.kind == RunSpec::Kind::Command ? spec.command.value(0) : spec.trainer;
    insert->bind(4, name).bind(5, spec.kindName());
    insert->bind(6, std::string_view(specJson.constData(), std::size_t(specJson.size()))).bind(7, storedNow());
    insert->bind(8, spec.executor.isEmpty() ? QStringLiteral("local") : spec.executor);
    insert->bind(9, ProcessIdentity::hostName());
    if (Status s = insert->exec(); !s)
        return s.error();
    const qint64 id = m_db.lastInsertId();
    QList<QPair<QString, QString>> params;
    for (auto it = spec.params.begin(); it != spec.params.end(); ++it)
        params.append({it.key(), it.value().toVariant().toString()});
    if (Status s = setParams(id, params); !s)
        return s.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return run(id);
}

Expected<std::optional<RunRecord>> RunStore::claimNextQueued()
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginStatus().error();
    // Sweep parents are bookkeeping: they never run themselves; cluster runs wait for their job;
    // a run queued on another machine of a team store waits for a Kiln on that machine.
    auto next = m_db.prepare("SELECT id FROM runs WHERE status = 'queued' AND kind != 'sweep' AND executor = 'local' "
                             "AND (queued_host = '' OR queued_host = ?) ORDER BY id LIMIT 1");
    if (!next)
        return next.error();
    next->bind(1, ProcessIdentity::hostName());
    if (!next->next())
        return std::optional<RunRecord>();
    const qint64 id = next->int64(0);
    next = Statement();
    if (Status s = markClaimed(id); !s)
        return s.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    auto claimed = run(id);
    if (!claimed)
        return claimed.error();
    return std::optional<RunRecord>(std::move(claimed).value());
}

Expected<RunRecord> RunStore::claimRun(qint64 runId)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginStatus().error();
    auto current = run(runId, false);
    if (!current)
        return current.error();
    if (current->status != RunStatus::Queued)
        return Error {QStringLiteral("run %1 is %2, not queued").arg(runId).arg(runStatusName(current->status))};
    if (Status s = markClaimed(runId); !s)
        return s.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return run(runId);
}

Status RunStore::markClaimed(qint64 id)
{
    const ProcessIdentity me = ProcessIdentity::current();
    auto update = m_db.prepare("UPDATE runs SET status = 'running', started_at = ?, ended_at = NULL, host = ?, "
                               "runner_pid = ?, runner_start = ?, attempt = attempt + 1 WHERE id = ?");
    if (!update)
        return update.error();
    update->bind(1, storedNow()).bind(2, me.host).bind(3, me.pid).bind(4, me.start).bind(5, id);
    if (Status s = update->exec(); !s)
        return s;
    // A sweep runs while any of its points does.
    auto parent = m_db.prepare("UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?) "
                               "WHERE status = 'queued' AND id = (SELECT parent_id FROM runs WHERE id = ?)");
    if (!parent)
        return parent.error();
    parent->bind(1, storedNow()).bind(2, id);
    return parent->exec();
}

Status RunStore::markEnded(qint64 runId, RunStatus status, std::optional<int> exitCode, const QString &error)
{
    auto update = m_db.prepare("UPDATE runs SET status = ?, ended_at = ?, exit_code = ?, error = ? WHERE id = ?");
    if (!update)
        return update.error();
    update->bind(1, runStatusName(status)).bind(2, storedNow());
    if (exitCode)
        update->bind(3, *exitCode);
    else
        update->bindNull(3);
    update->bind(4, error).bind(5, runId);
    return update->exec();
}

Status RunStore::requeue(qint64 runId)
{
    auto update = m_db.prepare("UPDATE runs SET status = 'queued', ended_at = NULL WHERE id = ?");
    if (!update)
        return update.error();
    update->bind(1, runId);
    return update->exec();
}

Status RunStore::requestCancel(qint64 runId)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginStatus();
    auto current = run(runId, false);
    if (!current)
        return current.error();
    if (isTerminal(current->status))
        return Error {QStringLiteral("run %1 already %2").arg(runId).arg(runStatusName(current->status))};
    if (current->spec.kind == RunSpec::Kind::Imported)
        return Error {QStringLiteral("run %1 was imported from MLflow, where it is %2: Kiln does not run it, so "
                                     "it cannot cancel it; the next import brings its end")
                          .arg(runId)
                          .arg(runStatusName(current->status))};
    const bool queued = current->status == RunStatus::Queued;
    auto update = m_db.prepare(queued ? "UPDATE runs SET status = 'cancelled', cancel_requested = 1, ended_at = ?2 "
                                        "WHERE id = ?1"
                                      : "UPDATE runs SET cancel_requested = 1 WHERE id = ?1");
    if (!update)
        return update.error();
    update->bind(1, runId);
    if (queued)
        update->bind(2, storedNow());
    if (Status s = update->exec(); !s)
        return s;
    return tx.commit();
}

bool RunStore::cancelRequested(qint64 runId) const
{
    auto stmt = m_db.prepare("SELECT cancel_requested FROM runs WHERE id = ?");
    if (!stmt)
        return false;
    stmt->bind(1, runId);
    return stmt->next() && stmt->int64(0) != 0;
}

Expected<int> RunStore::markInterrupted()
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginStatus().error();
    auto running = m_db.prepare("SELECT id, runner_pid, runner_start FROM runs WHERE status = 'running' AND host = ?");
    if (!running)
        return running.error();
    running->bind(1, ProcessIdentity::hostName());
    QList<qint64> dead;
    while (running->next()) {
        if (!ProcessIdentity::isAlive(running->int64(1), running->text(2)))
            dead << running->int64(0);
    }
    running = Statement();
    for (qint64 id : dead) {
        if (Status s = markEnded(id, RunStatus::Interrupted, std::nullopt,
                                 QStringLiteral("the process running it ended without finishing it"));
            !s)
            return s.error();
    }
    if (Status s = tx.commit(); !s)
        return s.error();
    return int(dead.size());
}

Status RunStore::setPairs(const char *sql, qint64 runId, const QList<QPair<QString, QString>> &pairs)
{
    auto stmt = m_db.prepare(sql);
    if (!stmt)
        return stmt.error();
    for (const auto &[key, value] : pairs) {
        stmt->bind(1, runId).bind(2, key).bind(3, value);
        if (Status s = stmt->exec(); !s)
            return s;
    }
    return {};
}

Status RunStore::setParams(qint64 runId, const QList<QPair<QString, QString>> &params)
{
    return setPairs("INSERT INTO run_params(run_id, key, value) VALUES(?, ?, ?) "
                    "ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value",
                    runId, params);
}

Status RunStore::setTags(qint64 runId, const QList<QPair<QString, QString>> &tags)
{
    return setPairs("INSERT INTO run_tags(run_id, key, value) VALUES(?, ?, ?) "
                    "ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value",
                    runId, tags);
}

Status RunStore::setResults(qint64 runId, const QMap<QString, double> &results)
{
    auto stmt = m_db.prepare("INSERT INTO run_results(run_id, key, value) VALUES(?, ?, ?) "
                             "ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value");
    if (!stmt)
        return stmt.error();
    for (auto it = results.begin(); it != results.end(); ++it) {
        stmt->bind(1, runId).bind(2, it.key()).bind(3, it.value());
        if (Status s = stmt->exec(); !s)
            return s;
    }
    return {};
}

Status RunStore::setReproducibility(qint64 runId, const QJsonObject &info)
{
    auto stmt = m_db.prepare("UPDATE runs SET reproducibility = ? WHERE id = ?");
    if (!stmt)
        return stmt.error();
    const QByteArray json = QJsonDocument(info).toJson(QJsonDocument::Compact);
    stmt->bind(1, std::string_view(json.constData(), std::size_t(json.size()))).bind(2, runId);
    return stmt->exec();
}

Status RunStore::setDatasetVersion(qint64 runId, qint64 datasetVersionId)
{
    auto stmt = m_db.prepare("UPDATE runs SET dataset_version_id = ? WHERE id = ?");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, datasetVersionId).bind(2, runId);
    return stmt->exec();
}

Status RunStore::addArtifact(qint64 runId, const QString &path, const QString &sha256, qint64 size)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginStatus();
    auto blob = m_db.prepare("INSERT INTO blobs(sha256, size, created_at) VALUES(?, ?, ?) ON CONFLICT DO NOTHING");
    auto artifact = m_db.prepare(
        "INSERT INTO run_artifacts(run_id, path, blob_sha256, size, created_at) VALUES(?, ?, ?, ?, ?) "
        "ON CONFLICT(run_id, path) DO UPDATE SET blob_sha256 = excluded.blob_sha256, size = excluded.size, "
        "created_at = excluded.created_at");
    if (!blob)
        return blob.error();
    if (!artifact)
        return artifact.error();
    blob->bind(1, sha256).bind(2, size).bind(3, storedNow());
    if (Status s = blob->exec(); !s)
        return s;
    artifact->bind(1, runId).bind(2, path).bind(3, sha256).bind(4, size).bind(5, storedNow());
    if (Status s = artifact->exec(); !s)
        return s;
    return tx.commit();
}

Expected<RunRecord> RunStore::run(qint64 runId, bool withDetails) const
{
    const QByteArray sql = QByteArray(kRunColumns) + "WHERE r.id = ?";
    auto stmt = m_db.prepare(sql.constData());
    if (!stmt)
        return stmt.error();
    stmt->bind(1, runId);
    if (!stmt->next())
        return Error {QStringLiteral("no run %1").arg(runId)};
    QList<RunRecord> one {runFrom(*stmt)};
    if (withDetails) {
        if (Status st = loadDetails(one); !st)
            return st.error();
    }
    RunRecord record = std::move(one.first());
    return record;
}

Expected<RunRecord> RunStore::runByRef(const QString &ref) const
{
    bool isNumber = false;
    const qint64 id = ref.toLongLong(&isNumber);
    // A uuid prefix can be all digits: a number of 8 or more digits that is no run's number
    // is looked up as a prefix.
    if (isNumber) {
        Expected<RunRecord> byNumber = run(id);
        if (byNumber || ref.size() < 8)
            return byNumber;
    }
    if (ref.size() < 8)
        return Error {QStringLiteral("'%1' is not a run: give its number or at least 8 characters of its id").arg(ref)};
    auto stmt = m_db.prepare("SELECT id FROM runs WHERE uuid LIKE ? || '%' LIMIT 2");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, ref);
    QList<qint64> ids;
    while (stmt->next())
        ids << stmt->int64(0);
    if (ids.isEmpty())
        return Error {QStringLiteral("no run with id %1").arg(ref)};
    if (ids.size() > 1)
        return Error {QStringLiteral("'%1' matches several runs: give more of its id").arg(ref)};
    return run(ids.first());
}

Expected<QList<RunRecord>> RunStore::runs(const RunQuery &query) const
{
    QByteArray sql = QByteArray(kRunColumns) + "WHERE 1 = 1";
    if (!query.experiment.isEmpty())
        sql += " AND e.name = ?";
    if (query.status)
        sql += " AND r.status = ?";
    if (query.parentId)
        sql += *query.parentId == 0 ? " AND r.parent_id IS NULL" : " AND r.parent_id = ?";
    sql += " ORDER BY r.id DESC";
    if (query.limit > 0)
        sql += " LIMIT " + QByteArray::number(query.limit);
    auto stmt = m_db.prepare(sql.constData());
    if (!stmt)
        return stmt.error();
    int index = 1;
    if (!query.experiment.isEmpty())
        stmt->bind(index++, query.experiment);
    if (query.status)
        stmt->bind(index++, runStatusName(*query.status));
    if (query.parentId && *query.parentId != 0)
        stmt->bind(index++, *query.parentId);
    QList<RunRecord> result;
    while (stmt->next())
        result.append(runFrom(*stmt));
    if (Status s = m_db.lastStepStatus(); !s)
        return s.error();
    if (query.withDetails) {
        if (Status s = loadDetails(result); !s)
            return s.error();
    }
    return result;
}

Status RunStore::loadDetails(QList<RunRecord> &runs) const
{
    if (runs.isEmpty())
        return {};
    // Four queries for any number of runs (not four per run): the ids go in as one JSON array.
    QHash<qint64, qsizetype> index;
    QByteArray ids = "[";
    for (qsizetype i = 0; i < runs.size(); ++i) {
        index.insert(runs[i].id, i);
        if (i > 0)
            ids += ',';
        ids += QByteArray::number(runs[i].id);
    }
    ids += ']';
    const std::string_view idList(ids.constData(), std::size_t(ids.size()));
    const auto query = [this, idList](const char *sql, auto &&onRow) -> Status {
        auto stmt = m_db.prepare(sql);
        if (!stmt)
            return stmt.error();
        stmt->bind(1, idList);
        while (stmt->next())
            onRow(*stmt);
        return m_db.lastStepStatus();
    };
    const auto target
        = [&runs, &index](const Statement &row) -> RunRecord & { return runs[index.value(row.int64(0))]; };
    if (Status s = query("SELECT run_id, key, value FROM run_params WHERE run_id IN (SELECT CAST(value AS BIGINT) FROM "
                         "json_each(?)) "
                         "ORDER BY run_id, key",
                         [&](const Statement &row) {
                             target(row).params.append({row.text(1), row.text(2)});
                         });
        !s)
        return s;
    if (Status s = query(
            "SELECT run_id, key, value FROM run_tags WHERE run_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?)) "
            "ORDER BY run_id, key",
            [&](const Statement &row) {
                target(row).tags.append({row.text(1), row.text(2)});
            });
        !s)
        return s;
    if (Status s = query("SELECT run_id, key, value FROM run_results WHERE run_id IN (SELECT CAST(value AS BIGINT) "
                         "FROM json_each(?))",
                         [&](const Statement &row) { target(row).results.insert(row.text(1), row.real(2)); });
        !s)
        return s;
    return query("SELECT run_id, key, count, last_step, last_value, min_value, max_value FROM metric_series "
                 "WHERE run_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?)) ORDER BY run_id, key",
                 [&](const Statement &row) {
                     target(row).metrics.append(
                         {row.text(1), row.int64(2), row.int64(3), row.real(4), row.real(5), row.real(6)});
                 });
}

Expected<QHash<qint64, QString>> RunStore::artifactBlobs(const std::vector<qint64> &runIds, const QString &path) const
{
    QHash<qint64, QString> blobs;
    if (runIds.empty())
        return blobs;
    QByteArray ids = "[";
    for (std::size_t i = 0; i < runIds.size(); ++i) {
        if (i > 0)
            ids += ',';
        ids += QByteArray::number(runIds[i]);
    }
    ids += ']';
    auto stmt = m_db.prepare("SELECT run_id, blob_sha256 FROM run_artifacts "
                             "WHERE path = ? AND run_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?))");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, path).bind(2, std::string_view(ids.constData(), std::size_t(ids.size())));
    while (stmt->next())
        blobs.insert(stmt->int64(0), stmt->text(1));
    return blobs;
}

Expected<QList<ArtifactInfo>> RunStore::artifacts(qint64 runId) const
{
    auto stmt = m_db.prepare("SELECT path, blob_sha256, size FROM run_artifacts WHERE run_id = ? ORDER BY path");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, runId);
    QList<ArtifactInfo> list;
    while (stmt->next())
        list.append({stmt->text(0), stmt->text(1), stmt->int64(2)});
    return list;
}

} // namespace kiln
