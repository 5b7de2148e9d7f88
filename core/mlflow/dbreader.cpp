// Reads MLflow's SQLite database (mlflow.db, the SQLAlchemy tracking and registry stores),
// read-only through the SQLite C API. The schema is whatever alembic revision the file is at:
// the reader looks at which tables and columns exist (PRAGMA table_info) and reads those it
// knows, so an older or newer MLflow's file still reads; what it has to leave out is an Issue.

#include "mlflow/dbreader_p.h"
#include "mlflow/mlflowreaders_p.h"

#include "util/sha256.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace kiln::mlflow::Internal {

namespace {

/// MLflow's released schema revisions, oldest first: the revision/down_revision chain of
/// mlflow/store/db_migrations/versions (1.0 … 3.x).
// clang-format off
const char *const kRevisions[] = {
    "451aebb31d03", "90e64c465722", "181f10493468", "df50e92ffc5e", "7ac759974ad8", "89d4b8295536", "2b4d017a5e9b",
    "cfd24bdc0731", "0a8213491aaa", "728d730b5ebd", "27a6a02d2cf1", "84291f40a231", "a8c4a736bde6", "39d1c3be5f05",
    "c48cb773bb87", "bd07f7e963c5", "0c779009ac13", "cc1f77228345", "97727af70f4d", "3500859a5d39", "7f2a7d5fae7d",
    "2d6e25af4d3e", "acf3f17fdcc7", "867495a8f9d4", "5b0e9adcef9c", "4465047574b1", "f5a4f2784254", "0584bdc529eb",
    "400f98739977", "6953534de441", "bda7b8c39065", "cbc13b556ace", "770bee3ae1dd", "a1b2c3d4e5f6", "de4033877273",
    "1a0cddfcaa16", "534353b11cbc", "71994744cf8e", "3da73c924c2f", "bf29a5ff90ea", "1bd49d398cd23", "b7c8d9e0f1a2",
    "5d2d30f0abce", "c9d4e5f6a7b8", "c8d9e0f1a2b3", "1b5f0d9ad7c1"};
// clang-format on

int revisionIndex(const QString &revision)
{
    const auto begin = std::begin(kRevisions);
    const auto it = std::find_if(begin, std::end(kRevisions),
                                 [&](const char *known) { return revision == QLatin1String(known); });
    return it == std::end(kRevisions) ? -1 : int(it - begin);
}

/// MLflow's stand-in for ±infinity (Python's sys.float_info.max).
constexpr double kMlflowInfinity = std::numeric_limits<double>::max();

/// The tables whose columns the reader looks at.
const char *const kTables = "experiments experiment_tags runs params tags metrics registered_models "
                            "registered_model_tags model_versions model_version_tags registered_model_aliases "
                            "alembic_version";

/// The first bytes of `file` when it starts with SQLite's header; else `error` says why not.
QByteArray sqliteHeader(const QString &file, QString *error = nullptr)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read it: %1").arg(f.errorString());
        return {};
    }
    QByteArray header = f.read(100);
    if (!header.startsWith(QByteArray("SQLite format 3\0", 16))) {
        if (error)
            *error = QStringLiteral("not an SQLite database (it does not start with SQLite's header)");
        return {};
    }
    return header;
}

/// One prepared statement; finalized when it goes.

/// Opens `file` read-only, creating no file next to it where it can: a database in WAL mode
/// (header bytes 18-19 = 2) whose -wal file is gone has nothing beyond the main file and is
/// opened immutable (no -shm); one with a -wal needs its -shm, and where SQLite can neither
/// open nor create that (a read-only folder) the main file is read alone.
Expected<Connection> openReadOnly(const QString &file, const QByteArray &header)
{
    const bool walMode = header.size() > 19 && header.at(18) == 2 && header.at(19) == 2;
    const bool hasWal = QFileInfo::exists(file + QStringLiteral("-wal"));
    QString firstError;
    for (const bool immutable : {walMode && !hasWal, true}) {
        QString uri = QUrl::fromLocalFile(file).toString(QUrl::FullyEncoded) + QStringLiteral("?mode=ro");
        if (immutable)
            uri += QStringLiteral("&immutable=1");
        sqlite3 *db = nullptr;
        const int rc = sqlite3_open_v2(uri.toUtf8().constData(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
        if (rc == SQLITE_OK) {
            sqlite3_busy_timeout(db, 5000);
            Query probe(db, QStringLiteral("SELECT count(*) FROM sqlite_master"));
            if (probe.next())
                return Connection {db, immutable && hasWal};
        }
        if (firstError.isEmpty())
            firstError = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("out of memory");
        sqlite3_close(db);
        if (immutable)
            break;
    }
    return Error {QStringLiteral("%1: cannot read the database: %2").arg(QDir::toNativeSeparators(file), firstError)};
}

/// table → its columns, for the tables of kTables that exist.
QHash<QString, QStringList> readColumns(sqlite3 *db)
{
    QHash<QString, QStringList> columns;
    for (const QString &table : QString::fromLatin1(kTables).split(QLatin1Char(' '))) {
        Query info(db, QStringLiteral("PRAGMA table_info(\"%1\")").arg(table));
        QStringList names;
        while (info.next())
            names.append(info.text(1));
        if (!names.isEmpty())
            columns.insert(table, names);
    }
    return columns;
}

/// Why `columns` is not MLflow's tracking schema, empty when it is.
QString notMlflow(const QHash<QString, QStringList> &columns)
{
    const std::pair<const char *, const char *> required[] = {{"experiments", "experiment_id"}, {"runs", "run_uuid"}};
    for (const auto &[table, column] : required) {
        if (!columns.contains(QLatin1String(table)))
            return QStringLiteral("not an MLflow database: no table '%1'").arg(QLatin1String(table));
        if (!columns.value(QLatin1String(table)).contains(QLatin1String(column)))
            return QStringLiteral("not an MLflow database: table '%1' has no column '%2'")
                .arg(QLatin1String(table), QLatin1String(column));
    }
    return {};
}

double pointValue(double stored, bool isNan)
{
    if (isNan)
        return std::numeric_limits<double>::quiet_NaN();
    if (stored >= kMlflowInfinity)
        return std::numeric_limits<double>::infinity();
    if (stored <= -kMlflowInfinity)
        return -std::numeric_limits<double>::infinity();
    return stored;
}

} // namespace

DbReader::DbReader(const QString &file, Connection connection, QHash<QString, QStringList> columns)
    : m_db(connection.db)
    , m_path(file)
    , m_name(QFileInfo(file).fileName())
    , m_columns(std::move(columns))
{
    if (connection.withoutWal)
        addIssue(m_name,
                 QStringLiteral("read without its write-ahead log (the folder is read-only and the "
                                "database is in WAL mode): changes MLflow has not checkpointed yet may "
                                "be missing"));
    if (m_columns.value(QStringLiteral("alembic_version")).contains(QLatin1String("version_num"))) {
        Query version(m_db, QStringLiteral("SELECT version_num FROM alembic_version"));
        if (version.next())
            m_revision = version.text(0);
    }
    m_revisionIndex = revisionIndex(m_revision);
    if (m_revisionIndex < 0) {
        const QString shown = m_revision.isEmpty() ? QStringLiteral("(none: no alembic_version)") : m_revision;
        addIssue(m_name,
                 QStringLiteral("unknown schema revision %1 (MLflow newer than Kiln knows?): read the "
                                "tables and columns Kiln knows")
                     .arg(shown));
    }
}

void DbReader::missing(const QString &what, const char *introducedIn, const QString &consequence)
{
    if (m_reported.contains(what))
        return;
    m_reported.insert(what);
    const bool olderThanFeature
        = m_revisionIndex >= 0 && introducedIn && m_revisionIndex < revisionIndex(QLatin1String(introducedIn));
    if (!olderThanFeature)
        addIssue(QStringLiteral("%1: %2").arg(m_name, what), QStringLiteral("missing: %1").arg(consequence));
}

bool DbReader::table(const QString &name, const char *introducedIn)
{
    if (m_columns.contains(name))
        return true;
    missing(QStringLiteral("table %1").arg(name), introducedIn, QStringLiteral("its rows are not read"));
    return false;
}

QString DbReader::column(const QString &table, const char *name, const char *introducedIn)
{
    if (m_columns.value(table).contains(QLatin1String(name)))
        return QLatin1String(name);
    missing(QStringLiteral("table %1 column %2").arg(table, QLatin1String(name)), introducedIn,
            QStringLiteral("read as empty"));
    return QStringLiteral("NULL");
}

Expected<QList<Experiment>> DbReader::experiments()
{
    const QString e = QStringLiteral("experiments");
    Query query(m_db,
                QStringLiteral("SELECT experiment_id, %1, %2, %3, %4, %5 FROM experiments ORDER BY experiment_id")
                    .arg(column(e, "name"), column(e, "artifact_location"), column(e, "lifecycle_stage"),
                         column(e, "creation_time", "97727af70f4d"), column(e, "last_update_time", "97727af70f4d")));
    QList<Experiment> experiments;
    QHash<QString, int> byId;
    while (query.next()) {
        Experiment experiment;
        experiment.id = query.text(0);
        experiment.name = query.text(1);
        experiment.artifactLocation = query.text(2);
        experiment.lifecycleStage = query.isNull(3) ? QStringLiteral("active") : query.text(3);
        experiment.creationTimeMs = query.integer(4);
        experiment.lastUpdateTimeMs = query.integer(5);
        byId.insert(experiment.id, int(experiments.size()));
        experiments.append(experiment);
    }
    if (!query.finished())
        return readError(e);

    const QString tags = QStringLiteral("experiment_tags");
    if (table(tags)) {
        const QString sql
            = QStringLiteral("SELECT experiment_id, key, value FROM experiment_tags ORDER BY experiment_id, key");
        if (auto error = eachRow(tags, sql, [&](const Query &row) {
                const auto it = byId.constFind(row.text(0));
                if (it != byId.constEnd())
                    experiments[*it].tags.append({row.text(1), row.text(2)});
            }))
            return *error;
    }
    return experiments;
}

Expected<QList<Run>> DbReader::runs(const Experiment &experiment)
{
    const QString r = QStringLiteral("runs");
    const QString startTime = column(r, "start_time");
    Query query(m_db,
                QStringLiteral("SELECT run_uuid, %1, %2, %3, %4, %5, %6, %7 FROM runs WHERE experiment_id = ? "
                               "ORDER BY %3, run_uuid")
                    .arg(column(r, "name"), column(r, "status"), startTime, column(r, "end_time"),
                         column(r, "lifecycle_stage"), column(r, "user_id"), column(r, "artifact_uri")));
    query.bindId(1, experiment.id);
    QList<Run> runs;
    QHash<QString, int> byId;
    while (query.next()) {
        Run run;
        run.id = query.text(0);
        run.experimentId = experiment.id;
        run.name = query.text(1);
        run.status = query.text(2);
        run.startTimeMs = query.integer(3);
        run.endTimeMs = query.integer(4);
        run.lifecycleStage = query.isNull(5) ? QStringLiteral("active") : query.text(5);
        run.userId = query.text(6);
        run.artifactUri = query.text(7);
        run.sourcePath = runLabel(run.id);
        byId.insert(run.id, int(runs.size()));
        runs.append(run);
    }
    if (!query.finished())
        return readError(r);

    // Params and tags of every run of the experiment in one query each (not one per run).
    for (const QString &name : {QStringLiteral("params"), QStringLiteral("tags")}) {
        if (!table(name))
            continue;
        const QString sql = QStringLiteral("SELECT v.run_uuid, v.key, v.value FROM %1 v JOIN runs r ON r.run_uuid = "
                                           "v.run_uuid WHERE r.experiment_id = ? ORDER BY v.run_uuid, v.key")
                                .arg(name);
        const auto add = [&](const Query &row) {
            const auto it = byId.constFind(row.text(0));
            if (it != byId.constEnd())
                (name == QLatin1String("params") ? runs[*it].params : runs[*it].tags)
                    .append({row.text(1), row.text(2)});
        };
        if (auto error = eachRow(name, sql, add, experiment.id))
            return *error;
    }

    // Metric keys, and what the fingerprint needs of the points: their number and latest time.
    QHash<QString, QByteArray> metricSummary;
    if (table(QStringLiteral("metrics"))) {
        const QString step = column(QStringLiteral("metrics"), "step", "451aebb31d03");
        const QString sql
            = QStringLiteral("SELECT m.run_uuid, m.key, count(*), max(m.timestamp), max(%1) FROM metrics m "
                             "JOIN runs r ON r.run_uuid = m.run_uuid WHERE r.experiment_id = ? "
                             "GROUP BY m.run_uuid, m.key ORDER BY m.run_uuid, m.key")
                  .arg(step == QLatin1String("NULL") ? step : QStringLiteral("m.step"));
        const auto add = [&](const Query &row) {
            const auto it = byId.constFind(row.text(0));
            if (it == byId.constEnd())
                return;
            runs[*it].metricKeys.append(row.text(1));
            metricSummary[row.text(0)] += QStringLiteral("%1 %2 %3 %4\n")
                                              .arg(row.text(1), QString::number(row.integer(2)),
                                                   QString::number(row.integer(3)), QString::number(row.integer(4)))
                                              .toUtf8();
        };
        if (auto error = eachRow(QStringLiteral("metrics"), sql, add, experiment.id))
            return *error;
    }

    for (Run &run : runs) {
        if (run.name.isEmpty()) {
            for (const auto &tag : std::as_const(run.tags)) {
                if (tag.first == QLatin1String("mlflow.runName"))
                    run.name = tag.second;
            }
        }
        QByteArray fingerprint = QStringLiteral("%1 %2 %3 %4 %5\n")
                                     .arg(run.status, run.name, run.lifecycleStage, QString::number(run.startTimeMs),
                                          QString::number(run.endTimeMs))
                                     .toUtf8();
        for (const auto *values : {&run.params, &run.tags}) {
            for (const auto &[key, value] : *values)
                fingerprint += key.toUtf8() + '=' + value.toUtf8() + '\n';
            fingerprint += '\n';
        }
        fingerprint += metricSummary.value(run.id);
        run.fingerprint = QString::fromLatin1(Sha256::hexHash(fingerprint));
    }
    return runs;
}

Expected<QHash<QString, std::vector<MetricPoint>>> DbReader::metrics(const Run &run)
{
    QHash<QString, std::vector<MetricPoint>> points;
    if (!table(QStringLiteral("metrics")))
        return points;
    const QString m = QStringLiteral("metrics");
    const QString step = column(m, "step", "451aebb31d03");
    const QString isNan = column(m, "is_nan", "181f10493468");
    Query query(m_db,
                QStringLiteral("SELECT key, value, timestamp, %1, %2 FROM metrics WHERE run_uuid = ? "
                               "ORDER BY timestamp, %1, rowid")
                    .arg(step, isNan));
    query.bindId(1, run.id);
    // Rows come in time order, keys interleaved: a run's few keys are matched by their bytes,
    // so a point costs no string of its own.
    std::vector<std::pair<QByteArray, std::vector<MetricPoint>>> series;
    while (query.next()) {
        const QByteArrayView keyBytes = query.bytes(0);
        auto found = std::find_if(series.begin(), series.end(), [&](const auto &s) { return s.first == keyBytes; });
        if (found == series.end())
            found = series.insert(series.end(), {keyBytes.toByteArray(), {}});
        const bool nan = query.integer(4) != 0;
        MetricPoint point;
        point.timeMs = query.integer(2);
        point.step = query.integer(3);
        if (query.isNull(1) && !nan) {
            addIssue(QStringLiteral("%1, metric %2").arg(runLabel(run.id), QString::fromUtf8(found->first)),
                     QStringLiteral("the point at step %1 (time %2) has no value: skipped")
                         .arg(point.step)
                         .arg(point.timeMs));
            continue;
        }
        point.value = pointValue(query.real(1), nan);
        found->second.push_back(point);
    }
    if (!query.finished())
        return readError(m);
    for (auto &[key, keyPoints] : series)
        points[QString::fromUtf8(key)].swap(keyPoints);
    return points;
}

QString DbReader::artifactFolder(const QString &artifactUri) const
{
    const QString dbFolder = QFileInfo(m_path).absolutePath();
    QString local;
    if (artifactUri.startsWith(QLatin1String("mlflow-artifacts:"))) {
        // Served by `mlflow server`, stored under its --artifacts-destination (./mlartifacts by default).
        const QString root = QDir(dbFolder).filePath(QStringLiteral("mlartifacts"));
        if (!QFileInfo(root).isDir())
            return {};
        local = root + QLatin1Char('/') + QUrl(artifactUri).path();
    } else if (artifactUri.startsWith(QLatin1String("file:"))) {
        const QUrl url(artifactUri);
        local = url.isLocalFile() ? url.toLocalFile() : url.path();
    } else {
        static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]+:"));
        if (scheme.match(artifactUri).hasMatch())
            return {}; // s3://, gs://, http://, dbfs:/ …: not on this machine
        local = artifactUri;
    }
    if (local.isEmpty())
        return {};
    return QDir::cleanPath(QDir(dbFolder).absoluteFilePath(local));
}

QList<ArtifactFile> DbReader::artifacts(const Run &run)
{
    QList<ArtifactFile> files;
    const QString folder = artifactFolder(run.artifactUri);
    if (folder.isEmpty() || !QFileInfo(folder).isDir())
        return files;
    const QDir root(folder);
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        files.append({root.relativeFilePath(file), file});
    }
    std::sort(files.begin(), files.end(),
              [](const ArtifactFile &a, const ArtifactFile &b) { return a.relativePath < b.relativePath; });
    return files;
}

Expected<std::unique_ptr<Reader>> openDatabase(const QString &file)
{
    const QString shown = QDir::toNativeSeparators(file);
    QString why;
    const QByteArray header = sqliteHeader(file, &why);
    if (header.isEmpty())
        return Error {QStringLiteral("%1: %2").arg(shown, why)};
    Expected<Connection> connection = openReadOnly(file, header);
    if (!connection)
        return connection.error();
    QHash<QString, QStringList> columns = readColumns(connection->db);
    why = notMlflow(columns);
    if (!why.isEmpty()) {
        sqlite3_close(connection->db);
        return Error {QStringLiteral("%1: %2").arg(shown, why)};
    }
    return std::unique_ptr<Reader>(
        std::make_unique<DbReader>(QFileInfo(file).absoluteFilePath(), *connection, std::move(columns)));
}

bool isDatabase(const QString &file)
{
    const QByteArray header = sqliteHeader(file);
    if (header.isEmpty())
        return false;
    Expected<Connection> connection = openReadOnly(file, header);
    if (!connection)
        return false;
    const bool mlflow = notMlflow(readColumns(connection->db)).isEmpty();
    sqlite3_close(connection->db);
    return mlflow;
}

} // namespace kiln::mlflow::Internal
