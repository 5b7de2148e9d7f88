#pragma once
// Writes mlflow.db files as MLflow's SQLAlchemy tracking and registry stores leave them on
// SQLite (test fixture, header-only, SQLite C API). The DDL follows MLflow's own schema dumps
// (tests/resources/db/latest_schema.sql) at the revision chosen; rows are written the way the
// stores write them: NaN metrics as value 0 with is_nan 1, ±infinity as ±1.7976931348623157e308,
// latest_metrics kept up to date, a run's name in runs.name and in tag mlflow.runName.
//
//   test::mlflowdb::DbWriter db(dir.filePath("mlflow.db"));
//   db.addExperiment(1, "exp");
//   db.addRun(runId, 1, "lucky-cat-42");
//   db.setParam(runId, "lr", "0.01");
//   db.addMetric(runId, "loss", 0.5, 1700000000000, 0);
//   QVERIFY2(db.ok(), qPrintable(db.error()));
//   db.close(); // optional: the destructor closes too

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <optional>

namespace test::mlflowdb {

/// Schema revisions the writer can lay out, newest first (alembic_version in revisionId()).
enum class Revision {
    /// MLflow 3 (1b5f0d9ad7c1): workspace columns on experiments and the registry (primary keys
    /// (workspace, name…)), logged_models, workspaces, trace tables; tags.value 8000 characters
    Latest,
    /// MLflow 2 (867495a8f9d4, trace tables added): storage_location, aliases, datasets/inputs
    Mlflow2,
    /// 2d6e25af4d3e: aliases and datasets, no model_versions.storage_location (added by acf3f17fdcc7)
    BeforeStorageLocation,
    /// 97727af70f4d: no registered_model_aliases (3500859a5d39), no datasets/inputs tables
    BeforeAliases,
};

/// The alembic_version the writer stores for `rev`.
inline QString revisionId(Revision rev)
{
    switch (rev) {
    case Revision::Latest:
        return QStringLiteral("1b5f0d9ad7c1");
    case Revision::Mlflow2:
        return QStringLiteral("867495a8f9d4");
    case Revision::BeforeStorageLocation:
        return QStringLiteral("2d6e25af4d3e");
    case Revision::BeforeAliases:
        return QStringLiteral("97727af70f4d");
    }
    return {};
}

/// MLflow's stand-in for ±infinity in the metrics tables (sys.float_info.max).
constexpr double kMlflowMaxDouble = 1.7976931348623157e308;
constexpr qint64 kBaseTimeMs = 1700000000000; ///< 2023-11-14, the writer's default clock

/// One row of the runs table. Defaults are those of a finished local run.
struct RunRow
{
    QString id; ///< run_uuid (32 hex digits in MLflow)
    qint64 experimentId = 0;
    QString name; ///< runs.name; also written as tag mlflow.runName when `nameTag`
    bool nameTag = true;
    QString status = QStringLiteral("FINISHED"); ///< SCHEDULED, RUNNING, FINISHED, FAILED, KILLED
    qint64 startTimeMs = kBaseTimeMs;
    qint64 endTimeMs = kBaseTimeMs + 60000; ///< 0 → NULL (not ended)
    QString lifecycleStage = QStringLiteral("active"); ///< "active" or "deleted"
    QString userId = QStringLiteral("alice");
    QString sourceName = QStringLiteral("train.py"); ///< also tag mlflow.source.name when non-empty
    /// Empty: "<experiment's artifact_location>/<run id>/artifacts", as MLflow derives it.
    QString artifactUri;
};

/// One row of model_versions.
struct VersionRow
{
    QString name;
    int version = 1;
    QString runId; ///< empty → NULL
    QString source; ///< empty: "runs:/<runId>/model" (or NULL without run)
    QString currentStage = QStringLiteral("None"); ///< None, Staging, Production, Archived, Deleted_Internal
    QString status = QStringLiteral("READY");
    QString description;
    QString userId;
    QString storageLocation; ///< ignored by revisions without the column
    qint64 creationTimeMs = kBaseTimeMs;
    qint64 lastUpdatedTimeMs = kBaseTimeMs;
};

/// Creates (or replaces) an mlflow.db at `path` with MLflow's tables at `rev` and writes rows
/// into it. Every writer returns false on an SQLite error and keeps the first error in error().
class DbWriter
{
public:
    explicit DbWriter(const QString &path, Revision rev = Revision::Latest)
        : m_path(QFileInfo(path).absoluteFilePath())
        , m_revision(rev)
    {
        QFile::remove(m_path);
        if (sqlite3_open_v2(m_path.toUtf8().constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
            != SQLITE_OK) {
            fail(QStringLiteral("open"));
            return;
        }
        // No fsync per row: the file's content is the same, the tests are faster.
        exec(QStringLiteral("PRAGMA synchronous=OFF"));
        for (const QString &statement : schema(rev))
            exec(statement);
        setRevision(revisionId(rev));
    }
    ~DbWriter() { close(); }
    DbWriter(const DbWriter &) = delete;
    DbWriter &operator=(const DbWriter &) = delete;

    QString path() const { return m_path; }
    QString folder() const { return QFileInfo(m_path).absolutePath(); }
    Revision revision() const { return m_revision; }
    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    bool hasWorkspaces() const { return m_revision == Revision::Latest; }
    bool hasAliases() const { return m_revision != Revision::BeforeAliases; }
    bool hasStorageLocation() const { return m_revision == Revision::Latest || m_revision == Revision::Mlflow2; }

    /// Closes the database (all rows are on disk after); later writes fail.
    void close()
    {
        if (m_db)
            sqlite3_close(m_db);
        m_db = nullptr;
    }

    /// Runs any SQL (several statements allowed), e.g. "DROP TABLE runs".
    bool exec(const QString &sql)
    {
        if (!m_db)
            return fail(QStringLiteral("closed"), sql);
        char *message = nullptr;
        const int rc = sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, &message);
        const QString text = QString::fromUtf8(message ? message : "");
        sqlite3_free(message);
        return rc == SQLITE_OK || fail(text, sql);
    }
    /// One statement with `?` placeholders bound to `values` (null QVariant → NULL).
    bool run(const QString &sql, const QVariantList &values)
    {
        if (!m_db)
            return fail(QStringLiteral("closed"), sql);
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.toUtf8().constData(), -1, &stmt, nullptr) != SQLITE_OK)
            return fail(QString::fromUtf8(sqlite3_errmsg(m_db)), sql);
        for (int i = 0; i < values.size(); ++i) {
            const QVariant &v = values.at(i);
            if (v.isNull())
                sqlite3_bind_null(stmt, i + 1);
            else if (v.typeId() == QMetaType::Double)
                sqlite3_bind_double(stmt, i + 1, v.toDouble());
            else if (v.typeId() == QMetaType::Int || v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Bool)
                sqlite3_bind_int64(stmt, i + 1, v.toLongLong());
            else
                sqlite3_bind_text(stmt, i + 1, v.toString().toUtf8().constData(), -1, SQLITE_TRANSIENT);
        }
        const int rc = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        return rc == SQLITE_DONE || fail(QString::fromUtf8(sqlite3_errmsg(m_db)), sql);
    }

    /// alembic_version.version_num := `revision` (empty: no row at all).
    bool setRevision(const QString &revision)
    {
        exec(QStringLiteral("DELETE FROM alembic_version"));
        return revision.isEmpty()
            || run(QStringLiteral("INSERT INTO alembic_version (version_num) VALUES (?)"), {revision});
    }
    /// Journal mode WAL, as a server that enabled it leaves the file (-wal/-shm next to it).
    bool setWalMode() { return exec(QStringLiteral("PRAGMA journal_mode=WAL")); }

    // --- tracking store ---

    /// Experiment `id`; `artifactLocation` empty: "<db folder>/mlruns/<id>" (MLflow's default
    /// artifact root ./mlruns resolved to an absolute path).
    bool addExperiment(qint64 id, const QString &name, const QString &lifecycle = QStringLiteral("active"),
                       const QString &artifactLocation = {}, qint64 creationTimeMs = kBaseTimeMs)
    {
        const QString location = artifactLocation.isEmpty()
            ? QDir(folder()).filePath(QStringLiteral("mlruns/%1").arg(id))
            : artifactLocation;
        return run(QStringLiteral("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, "
                                  "creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?)"),
                   {id, name, location, lifecycle, creationTimeMs, creationTimeMs});
    }
    bool setExperimentTag(qint64 experimentId, const QString &key, const QString &value)
    {
        return run(QStringLiteral("INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, ?, ?)"),
                   {key, value, experimentId});
    }

    bool addRun(const RunRow &row)
    {
        QString uri = row.artifactUri;
        if (uri.isEmpty())
            uri = experimentArtifactLocation(row.experimentId) + QLatin1Char('/') + row.id
                + QStringLiteral("/artifacts");
        const bool written = run(
            QStringLiteral("INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, "
                           "status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, "
                           "experiment_id, deleted_time) VALUES (?, ?, 'UNKNOWN', '', '', ?, ?, ?, ?, '', ?, ?, ?, ?)"),
            {row.id, nullIfEmpty(row.name), row.userId, row.status, row.startTimeMs,
             row.endTimeMs ? QVariant(row.endTimeMs) : QVariant(), row.lifecycleStage, uri, row.experimentId,
             row.lifecycleStage == QLatin1String("deleted") ? QVariant(row.endTimeMs) : QVariant()});
        if (!written)
            return false;
        bool tagged = true;
        if (row.nameTag && !row.name.isEmpty())
            tagged &= setTag(row.id, QStringLiteral("mlflow.runName"), row.name);
        if (!row.userId.isEmpty())
            tagged &= setTag(row.id, QStringLiteral("mlflow.user"), row.userId);
        if (!row.sourceName.isEmpty()) {
            tagged &= setTag(row.id, QStringLiteral("mlflow.source.name"), row.sourceName);
            tagged &= setTag(row.id, QStringLiteral("mlflow.source.type"), QStringLiteral("LOCAL"));
        }
        return tagged;
    }
    bool addRun(const QString &id, qint64 experimentId, const QString &name = {},
                const QString &status = QStringLiteral("FINISHED"))
    {
        RunRow row;
        row.id = id;
        row.experimentId = experimentId;
        row.name = name;
        row.status = status;
        return addRun(row);
    }
    /// A nested run: tag mlflow.parentRunId = `parentId`, as MLflow's start_run(nested=True).
    bool addChildRun(const QString &id, qint64 experimentId, const QString &parentId, const QString &name = {})
    {
        return addRun(id, experimentId, name) && setTag(id, QStringLiteral("mlflow.parentRunId"), parentId);
    }
    bool setParam(const QString &runId, const QString &key, const QString &value)
    {
        return run(QStringLiteral("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)"), {key, value, runId});
    }
    /// Inserts or replaces a run tag (MLflow's set_tag overwrites).
    bool setTag(const QString &runId, const QString &key, const QString &value)
    {
        return run(QStringLiteral("DELETE FROM tags WHERE key = ? AND run_uuid = ?"), {key, runId})
            && run(QStringLiteral("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)"), {key, value, runId});
    }
    /// One metric point, stored as MLflow's log_metric does (NaN → 0 + is_nan, ±inf → ±max
    /// double) with latest_metrics updated.
    bool addMetric(const QString &runId, const QString &key, double value, qint64 timestampMs, qint64 step = 0)
    {
        const bool isNan = std::isnan(value);
        double stored = value;
        if (isNan)
            stored = 0;
        else if (std::isinf(value))
            stored = value > 0 ? kMlflowMaxDouble : -kMlflowMaxDouble;
        return addRawMetric(runId, key, stored, isNan, timestampMs, step)
            && updateLatest(runId, key, stored, isNan, timestampMs, step);
    }
    /// A metrics row exactly as given (no latest_metrics update); `value` nullopt → NULL,
    /// which needs allowNullMetricValues() first.
    bool addRawMetric(const QString &runId, const QString &key, std::optional<double> value, bool isNan,
                      qint64 timestampMs, qint64 step)
    {
        return run(QStringLiteral("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                                  "VALUES (?, ?, ?, ?, ?, ?)"),
                   {key, value ? QVariant(*value) : QVariant(), timestampMs, runId, step, isNan ? 1 : 0});
    }
    /// Rebuilds metrics with a nullable value column (as some migrated databases have it).
    bool allowNullMetricValues()
    {
        return exec(QStringLiteral(
            "ALTER TABLE metrics RENAME TO metrics_old;"
            "CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT, timestamp BIGINT NOT NULL, "
            "run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL, "
            "FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid));"
            "INSERT INTO metrics SELECT key, value, timestamp, run_uuid, step, is_nan FROM metrics_old;"
            "DROP TABLE metrics_old;"));
    }

    // --- model registry ---

    bool addRegisteredModel(const QString &name, const QString &description = {}, qint64 creationTimeMs = kBaseTimeMs,
                            qint64 lastUpdatedTimeMs = kBaseTimeMs)
    {
        return run(QStringLiteral("INSERT INTO registered_models (name, creation_time, last_updated_time, description) "
                                  "VALUES (?, ?, ?, ?)"),
                   {name, creationTimeMs, lastUpdatedTimeMs, nullIfEmpty(description)});
    }
    bool setRegisteredModelTag(const QString &name, const QString &key, const QString &value)
    {
        return run(QStringLiteral("INSERT INTO registered_model_tags (key, value, name) VALUES (?, ?, ?)"),
                   {key, value, name});
    }
    bool addModelVersion(const VersionRow &row)
    {
        QString source = row.source;
        if (source.isEmpty() && !row.runId.isEmpty())
            source = QStringLiteral("runs:/%1/model").arg(row.runId);
        QString columns = QStringLiteral("name, version, creation_time, last_updated_time, description, user_id, "
                                         "current_stage, source, run_id, status, status_message, run_link");
        QString marks = QStringLiteral("?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ''");
        QVariantList values {row.name,
                             row.version,
                             row.creationTimeMs,
                             row.lastUpdatedTimeMs,
                             nullIfEmpty(row.description),
                             nullIfEmpty(row.userId),
                             row.currentStage,
                             nullIfEmpty(source),
                             nullIfEmpty(row.runId),
                             row.status};
        if (hasStorageLocation()) {
            columns += QStringLiteral(", storage_location");
            marks += QStringLiteral(", ?");
            values.append(nullIfEmpty(row.storageLocation));
        }
        return run(QStringLiteral("INSERT INTO model_versions (%1) VALUES (%2)").arg(columns, marks), values);
    }
    bool addModelVersion(const QString &name, int version, const QString &runId = {},
                         const QString &stage = QStringLiteral("None"))
    {
        VersionRow row;
        row.name = name;
        row.version = version;
        row.runId = runId;
        row.currentStage = stage;
        return addModelVersion(row);
    }
    bool setModelVersionTag(const QString &name, int version, const QString &key, const QString &value)
    {
        return run(QStringLiteral("INSERT INTO model_version_tags (key, value, name, version) VALUES (?, ?, ?, ?)"),
                   {key, value, name, version});
    }
    bool setAlias(const QString &name, const QString &alias, int version)
    {
        return run(QStringLiteral("INSERT INTO registered_model_aliases (alias, version, name) VALUES (?, ?, ?)"),
                   {alias, version, name});
    }

    /// The DDL the writer runs for `rev` (one statement per entry).
    static QStringList schema(Revision rev)
    {
        const bool workspaces = rev == Revision::Latest;
        const bool aliases = rev != Revision::BeforeAliases;
        const bool storageLocation = rev == Revision::Latest || rev == Revision::Mlflow2;
        const bool traces = rev == Revision::Latest || rev == Revision::Mlflow2;
        const QString ws
            = workspaces ? QStringLiteral("\tworkspace VARCHAR(63) DEFAULT 'default' NOT NULL,\n") : QString();
        QStringList ddl;
        ddl << QStringLiteral("CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL,\n"
                              "\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)");
        ddl << QStringLiteral(
                   "CREATE TABLE experiments (\n\texperiment_id INTEGER NOT NULL,\n\tname VARCHAR(256) NOT NULL,\n"
                   "\tartifact_location VARCHAR(256),\n\tlifecycle_stage VARCHAR(32),\n\tcreation_time BIGINT,\n"
                   "\tlast_update_time BIGINT,\n%1\tCONSTRAINT experiment_pk PRIMARY KEY (experiment_id),\n"
                   "\t%2,\n\tCONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', "
                   "'deleted'))\n)")
                   .arg(ws,
                        workspaces ? QStringLiteral("CONSTRAINT uq_experiments_workspace_name UNIQUE (workspace, name)")
                                   : QStringLiteral("UNIQUE (name)"));
        ddl << QStringLiteral(
            "CREATE TABLE experiment_tags (\n\tkey VARCHAR(250) NOT NULL,\n\tvalue VARCHAR(5000),\n"
            "\texperiment_id INTEGER NOT NULL,\n\tCONSTRAINT experiment_tag_pk PRIMARY KEY (key, "
            "experiment_id),\n\tFOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)\n)");
        ddl << QStringLiteral(
            "CREATE TABLE runs (\n\trun_uuid VARCHAR(32) NOT NULL,\n\tname VARCHAR(250),\n\tsource_type VARCHAR(20),\n"
            "\tsource_name VARCHAR(500),\n\tentry_point_name VARCHAR(50),\n\tuser_id VARCHAR(256),\n\tstatus "
            "VARCHAR(9),\n"
            "\tstart_time BIGINT,\n\tend_time BIGINT,\n\tsource_version VARCHAR(50),\n\tlifecycle_stage VARCHAR(20),\n"
            "\tartifact_uri VARCHAR(200),\n\texperiment_id INTEGER,\n\tdeleted_time BIGINT,\n"
            "\tCONSTRAINT run_pk PRIMARY KEY (run_uuid),\n\tFOREIGN KEY(experiment_id) REFERENCES experiments "
            "(experiment_id),\n\tCONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),\n"
            "\tCONSTRAINT source_type CHECK (source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')),\n"
            "\tCHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED'))\n)");
        ddl << QStringLiteral("CREATE TABLE params (\n\tkey VARCHAR(250) NOT NULL,\n\tvalue VARCHAR(%1) NOT NULL,\n"
                              "\trun_uuid VARCHAR(32) NOT NULL,\n\tCONSTRAINT param_pk PRIMARY KEY (key, run_uuid),\n"
                              "\tFOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)\n)")
                   .arg(rev == Revision::BeforeAliases ? 500 : 8000);
        ddl << QStringLiteral("CREATE TABLE tags (\n\tkey VARCHAR(250) NOT NULL,\n\tvalue VARCHAR(%1),\n"
                              "\trun_uuid VARCHAR(32) NOT NULL,\n\tCONSTRAINT tag_pk PRIMARY KEY (key, run_uuid),\n"
                              "\tFOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)\n)")
                   .arg(workspaces ? 8000 : 5000);
        ddl << QStringLiteral("CREATE TABLE metrics (\n\tkey VARCHAR(250) NOT NULL,\n\tvalue FLOAT NOT NULL,\n"
                              "\ttimestamp BIGINT NOT NULL,\n\trun_uuid VARCHAR(32) NOT NULL,\n"
                              "\tstep BIGINT DEFAULT '0' NOT NULL,\n\tis_nan BOOLEAN DEFAULT '0' NOT NULL,\n"
                              "\tCONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan),\n"
                              "\tFOREIGN KEY(run_uuid) REFERENCES runs (run_uuid),\n\tCHECK (is_nan IN (0, 1))\n)");
        ddl << QStringLiteral("CREATE TABLE latest_metrics (\n\tkey VARCHAR(250) NOT NULL,\n\tvalue FLOAT NOT NULL,\n"
                              "\ttimestamp BIGINT,\n\tstep BIGINT NOT NULL,\n\tis_nan BOOLEAN NOT NULL,\n"
                              "\trun_uuid VARCHAR(32) NOT NULL,\n\tCONSTRAINT latest_metric_pk PRIMARY KEY (key, "
                              "run_uuid),\n\tFOREIGN KEY(run_uuid) REFERENCES runs (run_uuid),\n"
                              "\tCHECK (is_nan IN (0, 1))\n)");
        ddl << QStringLiteral("CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid)")
            << QStringLiteral("CREATE INDEX index_params_run_uuid ON params (run_uuid)")
            << QStringLiteral("CREATE INDEX index_tags_run_uuid ON tags (run_uuid)")
            << QStringLiteral("CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid)");

        // Model registry.
        ddl << QStringLiteral(
                   "CREATE TABLE registered_models (\n\tname VARCHAR(256) NOT NULL,\n\tcreation_time BIGINT,\n"
                   "\tlast_updated_time BIGINT,\n\tdescription VARCHAR(5000),\n%1"
                   "\tCONSTRAINT registered_model_pk PRIMARY KEY (%2)\n)")
                   .arg(ws, workspaces ? QStringLiteral("workspace, name") : QStringLiteral("name),\n\tUNIQUE (name"));
        const auto modelFk = [workspaces](const char *table) {
            return workspaces ? QStringLiteral("CONSTRAINT fk_%1_registered_models FOREIGN KEY(workspace, name) "
                                               "REFERENCES registered_models (workspace, name)")
                                    .arg(QLatin1String(table))
                              : QStringLiteral("FOREIGN KEY(name) REFERENCES registered_models (name)");
        };
        ddl << QStringLiteral(
                   "CREATE TABLE model_versions (\n\tname VARCHAR(256) NOT NULL,\n\tversion INTEGER NOT NULL,\n"
                   "\tcreation_time BIGINT,\n\tlast_updated_time BIGINT,\n\tdescription VARCHAR(5000),\n"
                   "\tuser_id VARCHAR(256),\n\tcurrent_stage VARCHAR(20),\n\tsource VARCHAR(500),\n"
                   "\trun_id VARCHAR(32),\n\tstatus VARCHAR(20),\n\tstatus_message VARCHAR(500),\n"
                   "\trun_link VARCHAR(500),\n%1%2\tCONSTRAINT model_version_pk PRIMARY KEY (%3),\n"
                   "\t%4 ON UPDATE CASCADE\n)")
                   .arg(storageLocation ? QStringLiteral("\tstorage_location VARCHAR(500),\n") : QString(), ws,
                        workspaces ? QStringLiteral("workspace, name, version") : QStringLiteral("name, version"),
                        modelFk("model_versions"));
        ddl << QStringLiteral(
                   "CREATE TABLE registered_model_tags (\n\tkey VARCHAR(250) NOT NULL,\n\tvalue VARCHAR(5000),\n"
                   "\tname VARCHAR(256) NOT NULL,\n%1\tCONSTRAINT registered_model_tag_pk PRIMARY KEY (%2),\n"
                   "\t%3 ON UPDATE CASCADE\n)")
                   .arg(ws, workspaces ? QStringLiteral("workspace, key, name") : QStringLiteral("key, name"),
                        modelFk("registered_model_tags"));
        ddl << QStringLiteral("CREATE TABLE model_version_tags (\n\tkey VARCHAR(250) NOT NULL,\n\tvalue %1,\n"
                              "\tname VARCHAR(256) NOT NULL,\n\tversion INTEGER NOT NULL,\n%2"
                              "\tCONSTRAINT model_version_tag_pk PRIMARY KEY (%3),\n\t%4 ON UPDATE CASCADE\n)")
                   .arg(workspaces ? QStringLiteral("TEXT") : QStringLiteral("VARCHAR(5000)"), ws,
                        workspaces ? QStringLiteral("workspace, key, name, version")
                                   : QStringLiteral("key, name, version"),
                        workspaces
                            ? QStringLiteral("CONSTRAINT fk_model_version_tags_model_versions FOREIGN "
                                             "KEY(workspace, name, version) REFERENCES model_versions "
                                             "(workspace, name, version)")
                            : QStringLiteral("FOREIGN KEY(name, version) REFERENCES model_versions (name, version)"));
        if (aliases) {
            ddl << QStringLiteral("CREATE TABLE registered_model_aliases (\n\talias VARCHAR(256) NOT NULL,\n"
                                  "\tversion INTEGER NOT NULL,\n\tname VARCHAR(256) NOT NULL,\n%1"
                                  "\tCONSTRAINT registered_model_alias_pk PRIMARY KEY (%2),\n\t%3 ON DELETE CASCADE "
                                  "ON UPDATE CASCADE\n)")
                       .arg(ws, workspaces ? QStringLiteral("workspace, name, alias") : QStringLiteral("name, alias"),
                            workspaces ? modelFk("registered_model_aliases")
                                       : QStringLiteral("CONSTRAINT registered_model_alias_name_fkey FOREIGN KEY(name) "
                                                        "REFERENCES registered_models (name)"));
            // Datasets came with MLflow 2.4 (7f2a7d5fae7d), after the aliases (3500859a5d39).
            ddl << QStringLiteral(
                "CREATE TABLE datasets (\n\tdataset_uuid VARCHAR(36) NOT NULL,\n\texperiment_id INTEGER NOT NULL,\n"
                "\tname VARCHAR(500) NOT NULL,\n\tdigest VARCHAR(36) NOT NULL,\n\tdataset_source_type VARCHAR(36) NOT "
                "NULL,\n"
                "\tdataset_source TEXT NOT NULL,\n\tdataset_schema TEXT,\n\tdataset_profile TEXT,\n"
                "\tCONSTRAINT dataset_pk PRIMARY KEY (experiment_id, name, digest),\n"
                "\tFOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)\n)");
            ddl << QStringLiteral("CREATE TABLE inputs (\n\tinput_uuid VARCHAR(36) NOT NULL,\n\tsource_type "
                                  "VARCHAR(36) NOT NULL,\n"
                                  "\tsource_id VARCHAR(36) NOT NULL,\n\tdestination_type VARCHAR(36) NOT NULL,\n"
                                  "\tdestination_id VARCHAR(36) NOT NULL,\n%1\tCONSTRAINT inputs_pk PRIMARY KEY "
                                  "(source_type, source_id, "
                                  "destination_type, destination_id)\n)")
                       .arg(workspaces ? QStringLiteral("\tstep BIGINT DEFAULT '0' NOT NULL,\n") : QString());
            ddl << QStringLiteral("CREATE TABLE input_tags (\n\tinput_uuid VARCHAR(36) NOT NULL,\n\tname VARCHAR(255) "
                                  "NOT NULL,\n\tvalue VARCHAR(500) NOT NULL,\n\tCONSTRAINT input_tags_pk PRIMARY KEY "
                                  "(input_uuid, name)\n)");
        }
        if (traces) {
            ddl << QStringLiteral(
                "CREATE TABLE trace_info (\n\trequest_id VARCHAR(50) NOT NULL,\n\texperiment_id INTEGER "
                "NOT NULL,\n\ttimestamp_ms BIGINT NOT NULL,\n\texecution_time_ms BIGINT,\n\tstatus "
                "VARCHAR(50) NOT NULL,\n\tCONSTRAINT trace_info_pk PRIMARY KEY (request_id),\n"
                "\tCONSTRAINT fk_trace_info_experiment_id FOREIGN KEY(experiment_id) REFERENCES "
                "experiments (experiment_id)\n)");
            ddl << QStringLiteral("CREATE TABLE trace_tags (\n\tkey VARCHAR(250) NOT NULL,\n\tvalue VARCHAR(8000),\n"
                                  "\trequest_id VARCHAR(50) NOT NULL,\n\tCONSTRAINT trace_tag_pk PRIMARY KEY (key, "
                                  "request_id),\n\tCONSTRAINT fk_trace_tags_request_id FOREIGN KEY(request_id) "
                                  "REFERENCES trace_info (request_id)\n)");
        }
        if (workspaces) {
            ddl << QStringLiteral("CREATE TABLE workspaces (\n\tname VARCHAR(63) NOT NULL,\n\tdescription TEXT,\n"
                                  "\tdefault_artifact_root TEXT,\n\tCONSTRAINT workspaces_pk PRIMARY KEY (name)\n)");
            ddl << QStringLiteral("INSERT INTO workspaces (name, description) VALUES ('default', 'Default workspace "
                                  "for legacy resources')");
            ddl << QStringLiteral(
                "CREATE TABLE logged_models (\n\tmodel_id VARCHAR(36) NOT NULL,\n\texperiment_id INTEGER NOT NULL,\n"
                "\tname VARCHAR(500) NOT NULL,\n\tartifact_location VARCHAR(1000) NOT NULL,\n"
                "\tcreation_timestamp_ms BIGINT NOT NULL,\n\tlast_updated_timestamp_ms BIGINT NOT NULL,\n"
                "\tstatus INTEGER NOT NULL,\n\tlifecycle_stage VARCHAR(32),\n\tmodel_type VARCHAR(500),\n"
                "\tsource_run_id VARCHAR(32),\n\tstatus_message VARCHAR(1000),\n"
                "\tCONSTRAINT logged_models_pk PRIMARY KEY (model_id),\n\tCONSTRAINT fk_logged_models_experiment_id "
                "FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id) ON DELETE CASCADE\n)");
            ddl << QStringLiteral("CREATE INDEX idx_experiments_workspace ON experiments (workspace)")
                << QStringLiteral("CREATE INDEX idx_registered_models_workspace ON registered_models (workspace)");
        }
        return ddl;
    }

private:
    static QVariant nullIfEmpty(const QString &text) { return text.isEmpty() ? QVariant() : QVariant(text); }

    QString experimentArtifactLocation(qint64 experimentId)
    {
        QString location;
        sqlite3_stmt *stmt = nullptr;
        if (m_db
            && sqlite3_prepare_v2(m_db, "SELECT artifact_location FROM experiments WHERE experiment_id = ?", -1, &stmt,
                                  nullptr)
                == SQLITE_OK) {
            sqlite3_bind_int64(stmt, 1, experimentId);
            if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
                location = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0)));
        }
        sqlite3_finalize(stmt);
        return location.isEmpty() ? QDir(folder()).filePath(QStringLiteral("mlruns/%1").arg(experimentId)) : location;
    }

    /// latest_metrics keeps the point with the greatest (step, timestamp, value), NaN counting
    /// as greater than any number, as MLflow's _update_latest_metrics_if_necessary.
    bool updateLatest(const QString &runId, const QString &key, double value, bool isNan, qint64 ts, qint64 step)
    {
        sqlite3_stmt *stmt = nullptr;
        bool replace = true;
        if (sqlite3_prepare_v2(
                m_db, "SELECT step, timestamp, value, is_nan FROM latest_metrics WHERE run_uuid = ? AND key = ?", -1,
                &stmt, nullptr)
            != SQLITE_OK)
            return fail(QString::fromUtf8(sqlite3_errmsg(m_db)), QStringLiteral("latest_metrics"));
        const QByteArray runBytes = runId.toUtf8();
        const QByteArray keyBytes = key.toUtf8();
        sqlite3_bind_text(stmt, 1, runBytes.constData(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, keyBytes.constData(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            const qint64 oldStep = sqlite3_column_int64(stmt, 0);
            const qint64 oldTs = sqlite3_column_int64(stmt, 1);
            const double oldValue = sqlite3_column_int(stmt, 3) ? std::numeric_limits<double>::infinity()
                                                                : sqlite3_column_double(stmt, 2);
            const double newValue = isNan ? std::numeric_limits<double>::infinity() : value;
            replace = step > oldStep || (step == oldStep && (ts > oldTs || (ts == oldTs && newValue >= oldValue)));
        }
        sqlite3_finalize(stmt);
        if (!replace)
            return true;
        return run(QStringLiteral("DELETE FROM latest_metrics WHERE run_uuid = ? AND key = ?"), {runId, key})
            && run(QStringLiteral("INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) "
                                  "VALUES (?, ?, ?, ?, ?, ?)"),
                   {key, value, ts, step, isNan ? 1 : 0, runId});
    }

    bool fail(const QString &what, const QString &sql = {})
    {
        if (m_error.isEmpty()) {
            const QString reason = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("not open");
            m_error = QStringLiteral("%1: %2 (%3)%4")
                          .arg(m_path, what, reason, sql.isEmpty() ? QString() : QStringLiteral(" in: ") + sql);
        }
        return false;
    }

    QString m_path;
    Revision m_revision;
    sqlite3 *m_db = nullptr;
    QString m_error;
};

} // namespace test::mlflowdb
