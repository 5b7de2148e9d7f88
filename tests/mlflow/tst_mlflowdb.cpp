// Reading MLflow's SQLite database (mlflow.db): files written by mlflowdbwriter.h to MLflow's
// schema at several alembic revisions, read through Reader::open like a dropped file.

#include "mlflow/mlflowstore.h"
#include "mlflowdbwriter.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using kiln::mlflow::Reader;
using test::mlflowdb::DbWriter;
using test::mlflowdb::Revision;

namespace {

const QString kRun = QStringLiteral("0123456789abcdef0123456789abcdef");
const QString kChild = QStringLiteral("fedcba9876543210fedcba9876543210");

std::unique_ptr<Reader> openReader(const QString &path)
{
    auto reader = Reader::open(path);
    if (!reader)
        qFatal("cannot open %s: %s", qPrintable(path), qPrintable(reader.errorMessage()));
    return std::move(reader).value();
}

/// The error of `result`, empty when it has a value (QVERIFY2 evaluates its message always).
template<typename T>
QByteArray why(const kiln::Expected<T> &result)
{
    return result ? QByteArray() : result.errorMessage().toLocal8Bit();
}

QString issuesText(const Reader &reader)
{
    QStringList lines;
    for (const auto &issue : reader.issues())
        lines.append(issue.path + QStringLiteral(" | ") + issue.reason);
    return lines.join(QLatin1Char('\n'));
}

QByteArray fileHash(const QString &path)
{
    return QCryptographicHash::hash(kiln::test::readFile(path), QCryptographicHash::Sha256);
}

/// A store with one experiment, a parent run with params, tags and metrics and a nested child.
void writeTracking(DbWriter &db)
{
    db.addExperiment(0, QStringLiteral("Default"));
    db.addExperiment(1, QStringLiteral("vision"), QStringLiteral("active"), QStringLiteral("/data/mlruns/1"));
    db.addExperiment(2, QStringLiteral("old"), QStringLiteral("deleted"));
    db.setExperimentTag(1, QStringLiteral("mlflow.note.content"), QStringLiteral("resnet sweep"));
    test::mlflowdb::RunRow parent;
    parent.id = kRun;
    parent.experimentId = 1;
    parent.name = QStringLiteral("lucky-cat-42");
    parent.status = QStringLiteral("FAILED");
    parent.startTimeMs = 1699999990000;
    parent.endTimeMs = 1700000061000;
    parent.userId = QStringLiteral("bob");
    db.addRun(parent);
    db.addChildRun(kChild, 1, kRun, QStringLiteral("fold-1"));
    db.setParam(kRun, QStringLiteral("lr"), QStringLiteral("0.01"));
    db.setParam(kRun, QStringLiteral("batch"), QStringLiteral("32"));
    db.setTag(kRun, QStringLiteral("team"), QStringLiteral("vision"));
    db.addMetric(kRun, QStringLiteral("loss"), 0.9, 1700000002000, 0);
    db.addMetric(kRun, QStringLiteral("loss"), 0.5, 1700000003000, 1);
    db.addMetric(kRun, QStringLiteral("loss"), qQNaN(), 1700000004000, 2);
    db.addMetric(kRun, QStringLiteral("val/acc"), qInf(), 1700000005000, 0);
    db.addMetric(kRun, QStringLiteral("val/acc"), -qInf(), 1700000006000, 1);
}

void writeRegistry(DbWriter &db)
{
    db.addRegisteredModel(QStringLiteral("classifier"), QStringLiteral("the cat classifier"), 1700000100000,
                          1700000200000);
    db.setRegisteredModelTag(QStringLiteral("classifier"), QStringLiteral("owner"), QStringLiteral("bob"));
    test::mlflowdb::VersionRow v1;
    v1.name = QStringLiteral("classifier");
    v1.version = 1;
    v1.runId = kRun;
    v1.currentStage = QStringLiteral("Production");
    v1.description = QStringLiteral("first");
    v1.userId = QStringLiteral("bob");
    v1.storageLocation = QStringLiteral("file:///data/models/m-1");
    db.addModelVersion(v1);
    db.addModelVersion(QStringLiteral("classifier"), 2, kChild, QStringLiteral("Deleted_Internal"));
    db.addModelVersion(QStringLiteral("classifier"), 3, kChild, QStringLiteral("Staging"));
    db.setModelVersionTag(QStringLiteral("classifier"), 1, QStringLiteral("validated"), QStringLiteral("yes"));
    db.addRegisteredModel(QStringLiteral("empty"));
    if (db.hasAliases()) {
        db.setAlias(QStringLiteral("classifier"), QStringLiteral("champion"), 1);
        db.setAlias(QStringLiteral("classifier"), QStringLiteral("challenger"), 3);
    }
}

} // namespace

class TestMlflowDb : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsExperiments()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        QVERIFY2(db.ok(), qPrintable(db.error()));
        auto reader = openReader(db.path());
        QCOMPARE(reader->kind(), QStringLiteral("SQLite database"));
        QCOMPARE(reader->path(), db.path());
        QCOMPARE(reader->schemaRevision(), test::mlflowdb::revisionId(Revision::Latest));

        auto experiments = reader->experiments();
        QVERIFY2(experiments, why(experiments).constData());
        QCOMPARE(experiments->size(), 3);
        const auto &vision = experiments->at(1);
        QCOMPARE(vision.id, QStringLiteral("1"));
        QCOMPARE(vision.name, QStringLiteral("vision"));
        QCOMPARE(vision.artifactLocation, QStringLiteral("/data/mlruns/1"));
        QCOMPARE(vision.creationTimeMs, test::mlflowdb::kBaseTimeMs);
        QVERIFY(!vision.deleted());
        QCOMPARE(vision.tags.size(), 1);
        QCOMPARE(vision.tags.first().second, QStringLiteral("resnet sweep"));
        QVERIFY(experiments->at(2).deleted());
        QVERIFY2(reader->issues().isEmpty(), qPrintable(issuesText(*reader)));
    }

    void readsRunsParamsTagsAndNesting()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        // A run of MLflow before 1.29 has no runs.name: its name is only the mlflow.runName tag.
        test::mlflowdb::RunRow legacy;
        legacy.id = QStringLiteral("11112222333344445555666677778888");
        legacy.experimentId = 1;
        legacy.startTimeMs = 1700000009000;
        legacy.endTimeMs = 0;
        legacy.status = QStringLiteral("RUNNING");
        legacy.lifecycleStage = QStringLiteral("deleted");
        db.addRun(legacy);
        db.setTag(legacy.id, QStringLiteral("mlflow.runName"), QStringLiteral("old-name"));
        QVERIFY2(db.ok(), qPrintable(db.error()));

        auto reader = openReader(db.path());
        auto experiments = reader->experiments();
        QVERIFY(experiments);
        auto runs = reader->runs(experiments->at(1));
        QVERIFY2(runs, why(runs).constData());
        QCOMPARE(runs->size(), 3);
        const kiln::mlflow::Run &parent = runs->at(0);
        QCOMPARE(parent.id, kRun);
        QCOMPARE(parent.experimentId, QStringLiteral("1"));
        QCOMPARE(parent.name, QStringLiteral("lucky-cat-42"));
        QCOMPARE(parent.status, QStringLiteral("FAILED"));
        QCOMPARE(parent.startTimeMs, 1699999990000);
        QCOMPARE(parent.endTimeMs, 1700000061000);
        QCOMPARE(parent.userId, QStringLiteral("bob"));
        QCOMPARE(parent.lifecycleStage, QStringLiteral("active"));
        QCOMPARE(parent.artifactUri, QStringLiteral("/data/mlruns/1/%1/artifacts").arg(kRun));
        QCOMPARE(parent.params,
                 (QList<QPair<QString, QString>> {{QStringLiteral("batch"), QStringLiteral("32")},
                                                  {QStringLiteral("lr"), QStringLiteral("0.01")}}));
        QVERIFY(parent.tags.contains(qMakePair(QStringLiteral("team"), QStringLiteral("vision"))));
        QVERIFY(parent.tags.contains(qMakePair(QStringLiteral("mlflow.source.name"), QStringLiteral("train.py"))));
        QCOMPARE(parent.metricKeys, (QStringList {QStringLiteral("loss"), QStringLiteral("val/acc")}));
        QVERIFY(parent.parentRunId().isEmpty());
        QVERIFY(parent.sourcePath.contains(kRun));

        const kiln::mlflow::Run &child = runs->at(1);
        QCOMPARE(child.id, kChild);
        QCOMPARE(child.name, QStringLiteral("fold-1"));
        QCOMPARE(child.parentRunId(), kRun);
        QVERIFY(child.metricKeys.isEmpty());

        const kiln::mlflow::Run &old = runs->at(2);
        QCOMPARE(old.name, QStringLiteral("old-name"));
        QCOMPARE(old.status, QStringLiteral("RUNNING"));
        QCOMPARE(old.endTimeMs, 0);
        QVERIFY(old.deleted());
        QCOMPARE(reader->runs(experiments->at(0))->size(), 0);
        QVERIFY2(reader->issues().isEmpty(), qPrintable(issuesText(*reader)));
    }

    void readsMetricPointsWithNanAndInfinity()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        QVERIFY2(db.ok(), qPrintable(db.error()));
        auto reader = openReader(db.path());
        auto runs = reader->runs(reader->experiments()->at(1));
        QVERIFY(runs);
        auto metrics = reader->metrics(runs->at(0));
        QVERIFY2(metrics, why(metrics).constData());
        QCOMPARE(metrics->size(), 2);
        const auto &loss = metrics->value(QStringLiteral("loss"));
        QCOMPARE(loss.size(), size_t(3));
        QCOMPARE(loss[0].value, 0.9);
        QCOMPARE(loss[0].step, 0);
        QCOMPARE(loss[0].timeMs, 1700000002000);
        QCOMPARE(loss[1].value, 0.5);
        QCOMPARE(loss[1].step, 1);
        QVERIFY(std::isnan(loss[2].value));
        QCOMPARE(loss[2].step, 2);
        const auto &acc = metrics->value(QStringLiteral("val/acc"));
        QCOMPARE(acc.size(), size_t(2));
        QVERIFY(std::isinf(acc[0].value) && acc[0].value > 0);
        QVERIFY(std::isinf(acc[1].value) && acc[1].value < 0);
        QVERIFY(reader->metrics(runs->at(1))->isEmpty());
    }

    void metricRowWithoutValueIsSkippedAndReported()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        db.allowNullMetricValues();
        db.addRawMetric(kRun, QStringLiteral("loss"), std::nullopt, false, 1700000007000, 3);
        db.addRawMetric(kRun, QStringLiteral("loss"), std::nullopt, true, 1700000008000, 4);
        QVERIFY2(db.ok(), qPrintable(db.error()));
        auto reader = openReader(db.path());
        auto runs = reader->runs(reader->experiments()->at(1));
        auto metrics = reader->metrics(runs->at(0));
        QVERIFY(metrics);
        const auto &loss = metrics->value(QStringLiteral("loss"));
        QCOMPARE(loss.size(), size_t(4)); // the NULL value with is_nan 1 is NaN, the other one skipped
        QCOMPARE(loss.back().step, 4);
        QVERIFY(std::isnan(loss.back().value));
        QCOMPARE(reader->issues().size(), 1);
        QVERIFY(reader->issues().first().path.contains(QStringLiteral("metric loss")));
        QVERIFY(reader->issues().first().reason.contains(QStringLiteral("step 3")));
    }

    void fingerprintChangesWithTheRun()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        const auto fingerprints = [&] {
            auto reader = openReader(db.path());
            auto runs = reader->runs(reader->experiments()->at(1));
            return std::make_pair(runs->at(0).fingerprint, runs->at(1).fingerprint);
        };
        const auto first = fingerprints();
        QCOMPARE(first.first.size(), 64);
        QVERIFY(first.first != first.second);
        QCOMPARE(fingerprints(), first);

        db.addMetric(kRun, QStringLiteral("loss"), 0.4, 1700000009000, 3);
        auto next = fingerprints();
        QVERIFY(next.first != first.first);
        QCOMPARE(next.second, first.second);

        const QString before = next.first;
        db.setTag(kRun, QStringLiteral("note"), QStringLiteral("x"));
        QVERIFY(fingerprints().first != before);
        const QString tagged = fingerprints().first;
        db.exec(QStringLiteral("UPDATE runs SET status = 'FINISHED' WHERE run_uuid = '%1'").arg(kRun));
        QVERIFY(fingerprints().first != tagged);
        QVERIFY2(db.ok(), qPrintable(db.error()));
    }

    void readsRegistry_data()
    {
        QTest::addColumn<Revision>("revision");
        QTest::newRow("latest (workspaces)") << Revision::Latest;
        QTest::newRow("mlflow 2") << Revision::Mlflow2;
        QTest::newRow("before storage_location") << Revision::BeforeStorageLocation;
        QTest::newRow("before aliases") << Revision::BeforeAliases;
    }
    void readsRegistry()
    {
        QFETCH(Revision, revision);
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")), revision);
        writeTracking(db);
        writeRegistry(db);
        QVERIFY2(db.ok(), qPrintable(db.error()));
        auto reader = openReader(db.path());
        QCOMPARE(reader->schemaRevision(), test::mlflowdb::revisionId(revision));
        QCOMPARE(reader->runs(reader->experiments()->at(1))->size(), 2);
        auto models = reader->models();
        QVERIFY2(models, why(models).constData());
        QCOMPARE(models->size(), 2);
        const kiln::mlflow::RegisteredModel &model = models->at(0);
        QCOMPARE(model.name, QStringLiteral("classifier"));
        QCOMPARE(model.description, QStringLiteral("the cat classifier"));
        QCOMPARE(model.creationTimeMs, 1700000100000);
        QCOMPARE(model.lastUpdatedTimeMs, 1700000200000);
        QCOMPARE(model.tags, (QList<QPair<QString, QString>> {{QStringLiteral("owner"), QStringLiteral("bob")}}));
        QCOMPARE(model.versions.size(), 2); // version 2 is deleted (Deleted_Internal)
        const kiln::mlflow::ModelVersion &v1 = model.versions.at(0);
        QCOMPARE(v1.version, 1);
        QCOMPARE(v1.currentStage, QStringLiteral("Production"));
        QCOMPARE(v1.status, QStringLiteral("READY"));
        QCOMPARE(v1.runId, kRun);
        QCOMPARE(v1.source, QStringLiteral("runs:/%1/model").arg(kRun));
        QCOMPARE(v1.description, QStringLiteral("first"));
        QCOMPARE(v1.userId, QStringLiteral("bob"));
        QCOMPARE(v1.tags.size(), 1);
        QCOMPARE(v1.storageLocation, db.hasStorageLocation() ? QStringLiteral("file:///data/models/m-1") : QString());
        QCOMPARE(model.versions.at(1).version, 3);
        QCOMPARE(model.versions.at(1).currentStage, QStringLiteral("Staging"));
        if (db.hasAliases())
            QCOMPARE(model.aliases,
                     (QMap<QString, int> {{QStringLiteral("champion"), 1}, {QStringLiteral("challenger"), 3}}));
        else
            QVERIFY(model.aliases.isEmpty());
        QVERIFY(models->at(1).versions.isEmpty());
        // A known older revision simply has fewer tables: nothing to report.
        QVERIFY2(reader->issues().isEmpty(), qPrintable(issuesText(*reader)));
    }

    void sameModelNameInTwoWorkspaces()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        writeRegistry(db);
        db.exec(QStringLiteral("INSERT INTO registered_models (name, workspace) VALUES ('classifier', 'team-b');"
                               "INSERT INTO model_versions (name, version, workspace, current_stage) "
                               "VALUES ('classifier', 7, 'team-b', 'None')"));
        QVERIFY2(db.ok(), qPrintable(db.error()));
        auto reader = openReader(db.path());
        auto models = reader->models();
        QVERIFY(models);
        QCOMPARE(models->size(), 2);
        QCOMPARE(models->at(0).versions.size(), 2); // the default workspace's, not version 7
        QCOMPARE(reader->issues().size(), 1);
        QVERIFY(reader->issues().first().reason.contains(QStringLiteral("team-b")));
    }

    void unknownRevisionStillReads()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        writeRegistry(db);
        db.setRevision(QStringLiteral("ffeeddccbbaa"));
        QVERIFY2(db.ok(), qPrintable(db.error()));
        auto reader = openReader(db.path());
        QCOMPARE(reader->schemaRevision(), QStringLiteral("ffeeddccbbaa"));
        QCOMPARE(reader->issues().size(), 1);
        QCOMPARE(reader->issues().first().path, QStringLiteral("mlflow.db"));
        QVERIFY(reader->issues().first().reason.contains(QStringLiteral("unknown schema revision ffeeddccbbaa")));
        QCOMPARE(reader->experiments()->size(), 3);
        QCOMPARE(reader->runs(reader->experiments()->at(1))->size(), 2);
        QCOMPARE(reader->models()->at(0).aliases.size(), 2);
        QCOMPARE(reader->issues().size(), 1);
    }

    void unknownRevisionWithoutOptionalParts()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")), Revision::Mlflow2);
        writeTracking(db);
        writeRegistry(db);
        db.exec(QStringLiteral(
            "DROP TABLE registered_model_aliases; DROP TABLE experiment_tags;"
            "ALTER TABLE runs DROP COLUMN name; ALTER TABLE model_versions DROP COLUMN storage_location"));
        db.setRevision(QStringLiteral("0000aaaa1111"));
        QVERIFY2(db.ok(), qPrintable(db.error()));
        auto reader = openReader(db.path());
        auto experiments = reader->experiments();
        QVERIFY(experiments);
        QVERIFY(experiments->at(1).tags.isEmpty());
        auto runs = reader->runs(experiments->at(1));
        QVERIFY(runs);
        QCOMPARE(runs->at(0).name, QStringLiteral("lucky-cat-42")); // from tag mlflow.runName
        auto models = reader->models();
        QVERIFY(models);
        QVERIFY(models->at(0).aliases.isEmpty());
        QCOMPARE(models->at(0).versions.size(), 2);
        const QString issues = issuesText(*reader);
        QVERIFY2(issues.contains(QStringLiteral("unknown schema revision 0000aaaa1111")), qPrintable(issues));
        QVERIFY2(issues.contains(QStringLiteral("mlflow.db: table registered_model_aliases")), qPrintable(issues));
        QVERIFY2(issues.contains(QStringLiteral("mlflow.db: table experiment_tags")), qPrintable(issues));
        QVERIFY2(issues.contains(QStringLiteral("table runs column name")), qPrintable(issues));
        QVERIFY2(issues.contains(QStringLiteral("table model_versions column storage_location")), qPrintable(issues));
        QCOMPARE(reader->issues().size(), 5);
    }

    void missingRunsTableFailsNamingFileAndTable()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        db.exec(QStringLiteral("DROP TABLE tags; DROP TABLE params; DROP TABLE metrics; DROP TABLE latest_metrics;"
                               "DROP TABLE runs"));
        QVERIFY2(db.ok(), qPrintable(db.error()));
        db.close();
        auto reader = Reader::open(db.path());
        QVERIFY(!reader);
        QVERIFY2(reader.errorMessage().contains(db.path()), why(reader).constData());
        QVERIFY2(reader.errorMessage().contains(QStringLiteral("no table 'runs'")), why(reader).constData());
        QVERIFY(!Reader::looksLikeStore(db.path()));
    }

    void corruptFilesFailClearly()
    {
        QTemporaryDir dir;
        const QString text
            = kiln::test::writeFile(dir.filePath(QStringLiteral("notes.db")), "just some text, not SQLite\n");
        auto reader = Reader::open(text);
        QVERIFY(!reader);
        QVERIFY2(reader.errorMessage().contains(text), why(reader).constData());
        QVERIFY2(reader.errorMessage().contains(QStringLiteral("not an SQLite database")), why(reader).constData());
        QVERIFY(!Reader::looksLikeStore(text));

        // SQLite's header, then garbage where the pages should be.
        QByteArray bytes("SQLite format 3\0", 16);
        bytes += QByteArray(4080, '\xab');
        const QString broken = kiln::test::writeFile(dir.filePath(QStringLiteral("broken.db")), bytes);
        auto brokenReader = Reader::open(broken);
        QVERIFY(!brokenReader);
        QVERIFY2(brokenReader.errorMessage().startsWith(broken), why(brokenReader).constData());
        QVERIFY(!Reader::looksLikeStore(broken));
    }

    void kilnWorkspaceDatabaseIsNotMlflow()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("workspace"));
        kiln::test::openWorkspace(folder).reset();
        const QString kilnDb = QDir(folder).filePath(QStringLiteral("kiln.db"));
        QVERIFY(QFileInfo::exists(kilnDb));
        QVERIFY(!Reader::looksLikeStore(kilnDb));
        auto reader = Reader::open(kilnDb);
        QVERIFY(!reader);
        QVERIFY2(reader.errorMessage().contains(QStringLiteral("not an MLflow database")), why(reader).constData());
    }

    void readingChangesNothing()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        writeTracking(db);
        writeRegistry(db);
        QVERIFY2(db.ok(), qPrintable(db.error()));
        db.close();
        QFile::setPermissions(db.path(), QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther);
        const QByteArray before = fileHash(db.path());
        const QStringList filesBefore = QDir(dir.path()).entryList(QDir::Files);
        QVERIFY(Reader::looksLikeStore(db.path()));
        readEverything(db.path());
        QCOMPARE(fileHash(db.path()), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), filesBefore);
    }

    void readsWalModeDatabase()
    {
        QTemporaryDir dir;
        DbWriter db(dir.filePath(QStringLiteral("mlflow.db")));
        QVERIFY(db.setWalMode());
        writeTracking(db);
        QVERIFY2(db.ok(), qPrintable(db.error()));
        // While MLflow still has it open, the newest rows are in mlflow.db-wal.
        QVERIFY(QFileInfo::exists(db.path() + QStringLiteral("-wal")));
        {
            auto reader = openReader(db.path());
            QCOMPARE(reader->runs(reader->experiments()->at(1))->size(), 2);
            QVERIFY2(reader->issues().isEmpty(), qPrintable(issuesText(*reader)));
        }
        db.close(); // checkpoints and removes -wal and -shm
        QVERIFY(!QFileInfo::exists(db.path() + QStringLiteral("-wal")));
        const QByteArray before = fileHash(db.path());
        readEverything(db.path());
        QCOMPARE(fileHash(db.path()), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList {QStringLiteral("mlflow.db")});
    }

    void artifactsOnThisMachine()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("project"));
        QDir().mkpath(folder);
        DbWriter db(QDir(folder).filePath(QStringLiteral("mlflow.db")));
        db.addExperiment(1, QStringLiteral("e"), QStringLiteral("active"), QStringLiteral("./mlruns/1"));
        const QStringList uris {
            QStringLiteral("./mlruns/1/a/artifacts"),
            QStringLiteral("file://%1/abs/artifacts").arg(dir.path()),
            QStringLiteral("mlflow-artifacts:/1/c/artifacts"),
            QStringLiteral("s3://bucket/1/d/artifacts"),
            QStringLiteral("%1/plain/artifacts").arg(dir.path()),
        };
        const QStringList folders {
            QDir(folder).filePath(QStringLiteral("mlruns/1/a/artifacts")),
            dir.filePath(QStringLiteral("abs/artifacts")),
            QDir(folder).filePath(QStringLiteral("mlartifacts/1/c/artifacts")),
            QString(),
            dir.filePath(QStringLiteral("plain/artifacts")),
        };
        for (int i = 0; i < uris.size(); ++i) {
            test::mlflowdb::RunRow row;
            row.id = QStringLiteral("run%1").arg(i);
            row.experimentId = 1;
            row.startTimeMs = test::mlflowdb::kBaseTimeMs + i;
            row.artifactUri = uris.at(i);
            db.addRun(row);
            if (!folders.at(i).isEmpty()) {
                kiln::test::writeFile(QDir(folders.at(i)).filePath(QStringLiteral("model/MLmodel")), "flavors: {}\n");
                kiln::test::writeFile(QDir(folders.at(i)).filePath(QStringLiteral("plot.png")), "png");
            }
        }
        QVERIFY2(db.ok(), qPrintable(db.error()));
        auto reader = openReader(db.path());
        auto runs = reader->runs(reader->experiments()->at(0));
        QVERIFY(runs);
        QCOMPARE(runs->size(), uris.size());
        for (int i = 0; i < uris.size(); ++i) {
            const auto files = reader->artifacts(runs->at(i));
            if (folders.at(i).isEmpty()) {
                QVERIFY2(files.isEmpty(), qPrintable(uris.at(i)));
                continue;
            }
            QCOMPARE(files.size(), 2);
            QCOMPARE(files.at(0).relativePath, QStringLiteral("model/MLmodel"));
            QCOMPARE(files.at(0).absolutePath, QDir(folders.at(i)).filePath(QStringLiteral("model/MLmodel")));
            QCOMPARE(files.at(1).relativePath, QStringLiteral("plot.png"));
        }
    }

private:
    static void readEverything(const QString &path)
    {
        auto reader = openReader(path);
        auto experiments = reader->experiments();
        QVERIFY(experiments);
        for (const auto &experiment : std::as_const(*experiments)) {
            auto runs = reader->runs(experiment);
            QVERIFY(runs);
            for (const auto &run : std::as_const(*runs)) {
                QVERIFY(reader->metrics(run));
                reader->artifacts(run);
            }
        }
        QVERIFY(reader->models());
    }
};

QTEST_GUILESS_MAIN(TestMlflowDb)
#include "tst_mlflowdb.moc"
