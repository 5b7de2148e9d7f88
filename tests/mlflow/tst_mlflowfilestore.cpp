// MLflow's file store (mlruns/): the reader over trees written to MLflow's exact format by
// mlrunswriter.h (itself checked against python3's yaml module), and bad input reported with
// its path and reason (export: tst_mlflowexport).
#include "mlflowtestsupport.h"
#include "mlrunswriter.h"
#include "testsupport.h"

#include "mlflow/filestore_p.h"
#include "mlflow/mlflowexport.h"
#include "mlflow/mlflowstore.h"
#include "runs/runstore.h"
#include "tasks/feedback.h"
#include "workspace/blobstore.h"
#include "workspace/workspace.h"

#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstdio>

using namespace kiln;
namespace mlruns = kiln::test::mlruns;
using namespace kiln::test::mlflowtest;

namespace {

const QString kRunA = QStringLiteral("aa00000000000000000000000000000a");
const QString kRunB = QStringLiteral("bb00000000000000000000000000000b");
const QString kRunC = QStringLiteral("cc00000000000000000000000000000c");
const QString kRunD = QStringLiteral("dd00000000000000000000000000000d");

/// A store with two experiments (one deleted), runs with every kind of value, and a registry.
void writeStore(const QString &root)
{
    mlruns::createStore(root);
    mlruns::ExperimentSpec vision;
    vision.id = QStringLiteral("12");
    vision.name = QStringLiteral("vision: resnet");
    vision.tags = {{QStringLiteral("mlflow.note.content"), QStringLiteral("notes\nline 2")}};
    mlruns::writeExperiment(root, vision);
    mlruns::writeExperiment(root, QStringLiteral("3"), QStringLiteral("old"), QStringLiteral("deleted"), true);

    mlruns::RunSpec a;
    a.id = kRunA;
    a.name = QStringLiteral("bright-owl-7");
    a.start = mlruns::kTime + 123;
    a.end = mlruns::kTime + 60'456;
    a.params = {{QStringLiteral("lr"), QStringLiteral("0.001")},
                {QStringLiteral("optimizer/beta1"), QStringLiteral("0.9")},
                {QStringLiteral("empty"), QString()}};
    a.tags = {{QStringLiteral("mlflow.source.name"), QStringLiteral("train.py")},
              {QStringLiteral("note"), QStringLiteral("  two lines\nkept exactly  ")}};
    a.metricLines[QStringLiteral("loss")]
        = {line(mlruns::kTime, "0.5", 0),      line(mlruns::kTime + 1, "nan", 1),   line(mlruns::kTime + 2, "inf", 2),
           line(mlruns::kTime + 3, "-inf", 3), line(mlruns::kTime + 4, "1e-05", 4), line(mlruns::kTime + 5, "1.0", 5)};
    a.metricLines[QStringLiteral("val/acc")] = {QStringLiteral("1700000000000 0.75")}; // legacy: no step
    a.artifacts[QStringLiteral("model/MLmodel")] = "artifact_path: model\n";
    a.artifacts[QStringLiteral("plot.png")] = QByteArray("\x89PNG\r\n", 6);
    mlruns::writeRun(root, QStringLiteral("12"), a);

    mlruns::RunSpec b; // running, named only by its tag, status written as a name (old stores)
    b.id = kRunB;
    b.name = QStringLiteral("from-tag");
    b.status = QStringLiteral("RUNNING");
    b.end = mlruns::kNoEnd;
    b.metaRemove = {QStringLiteral("run_name")};
    b.metaOverrides = {{QStringLiteral("status"), QStringLiteral("RUNNING")}};
    b.tags = {{QStringLiteral("mlflow.parentRunId"), kRunA}};
    b.artifactUri = QStringLiteral("s3://bucket/12/bb/artifacts");
    mlruns::writeRun(root, QStringLiteral("12"), b);

    mlruns::RunSpec c; // deleted
    c.id = kRunC;
    c.name = QStringLiteral("gone");
    c.status = QStringLiteral("KILLED");
    c.lifecycle = QStringLiteral("deleted");
    mlruns::writeRun(root, QStringLiteral("12"), c);

    mlruns::RunSpec d; // in the deleted experiment, legacy int experiment id, run_uuid only
    d.id = kRunD;
    d.name = QStringLiteral("trashed");
    d.metaRemove = {QStringLiteral("run_id")};
    d.metaOverrides = {{QStringLiteral("experiment_id"), 3}};
    mlruns::writeRun(root, QStringLiteral("3"), d);

    mlruns::writeModel(root, QStringLiteral("resnet"), QStringLiteral("image classifier"),
                       {{QStringLiteral("team"), QStringLiteral("cv")}});
    mlruns::writeModelVersion(root, QStringLiteral("resnet"), 1, kRunA, QStringLiteral("runs:/%1/model").arg(kRunA),
                              QStringLiteral("Production"), {{QStringLiteral("validated"), QStringLiteral("yes")}});
    mlruns::writeModelVersion(root, QStringLiteral("resnet"), 2, kRunA, QStringLiteral("runs:/%1/model").arg(kRunA),
                              QStringLiteral("Deleted_Internal"));
    mlruns::writeModelVersion(root, QStringLiteral("resnet"), 10, QString(), QStringLiteral("file:///models/m"));
    mlruns::writeAlias(root, QStringLiteral("resnet"), QStringLiteral("champion"), 1);
    mlruns::writeAlias(root, QStringLiteral("resnet"), QStringLiteral("old"), 2);
    mlruns::writeModel(root, QStringLiteral("empty-model"));
}

} // namespace

class TestMlflowFileStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writerWritesWhatPyYamlWrites();
    void floatsAsPythonWritesThem();
    void readsExperiments();
    void readsRuns();
    void readsMetricsAndReportsBadLines();
    void readsArtifacts();
    void readsRegistry();
    void reportsBadMeta_data();
    void reportsBadMeta();
    void reportsAMissingExperimentFolder();
    void fingerprintFollowsTheRun();
    void opensTheParentOfMlruns();
    void looksLikeStore_data();
    void looksLikeStore();
};

void TestMlflowFileStore::writerWritesWhatPyYamlWrites()
{
    QVariantMap map {{QStringLiteral("artifact_location"), QStringLiteral("file:///tmp/my runs/mlruns/0")},
                     {QStringLiteral("experiment_id"), QStringLiteral("0")},
                     {QStringLiteral("time"), qint64(1'700'000'000'123)},
                     {QStringLiteral("end_time"), QVariant()},
                     {QStringLiteral("tags"), QVariantList()},
                     {QStringLiteral("aliases"), QVariantMap {{QStringLiteral("champion"), QStringLiteral("1")}}}};
    const QStringList strings {QStringLiteral("yes"),
                               QStringLiteral("null"),
                               QStringLiteral("1e5"),
                               QStringLiteral("1.5"),
                               QStringLiteral("0x1F"),
                               QStringLiteral("2024-01-01"),
                               QStringLiteral("a: b"),
                               QStringLiteral("- x"),
                               QStringLiteral("-x"),
                               QStringLiteral("#x"),
                               QStringLiteral("a #b"),
                               QStringLiteral("it's"),
                               QStringLiteral(" lead"),
                               QStringLiteral("trail "),
                               QStringLiteral("été ü"),
                               QStringLiteral("tab\there"),
                               QStringLiteral("two\n\nbreaks"),
                               QStringLiteral("line1\nline2"),
                               QStringLiteral("~"),
                               QStringLiteral("<<"),
                               QStringLiteral("word ").repeated(30),
                               QStringLiteral("don't stop, it's a long sentence ").repeated(4),
                               QStringLiteral("a  b  ").repeated(20),
                               QStringLiteral("?x"),
                               QStringLiteral("x:"),
                               QStringLiteral("@a")};
    for (qsizetype i = 0; i < strings.size(); ++i)
        map.insert(QStringLiteral("s%1").arg(i, 2, 10, QLatin1Char('0')), strings[i]);
    const auto dumped
        = pythonYaml(QStringLiteral("import json, sys\n"
                                    "sys.stdout.write(yaml.dump(json.load(sys.stdin), default_flow_style=False,"
                                    " allow_unicode=True, sort_keys=True, Dumper=yaml.SafeDumper))"),
                     QJsonDocument::fromVariant(map).toJson());
    if (!dumped)
        QSKIP("python3 with the yaml module (Debian package python3-yaml) is not installed");
    QCOMPARE(QString::fromUtf8(mlruns::safeDump(map)), QString::fromUtf8(*dumped));
}

void TestMlflowFileStore::floatsAsPythonWritesThem()
{
    using mlflow::Internal::filestore::parsePythonFloat;
    using mlflow::Internal::filestore::pythonFloat;
    const std::vector<double> values {0.1,
                                      1.0,
                                      -0.0,
                                      2.5,
                                      100.0,
                                      1e16,
                                      1.5e16,
                                      1e-5,
                                      0.0001,
                                      1.2e-4,
                                      3.14159,
                                      1e22,
                                      5e-324,
                                      -2.5e-7,
                                      1e15,
                                      1234567890123456.0,
                                      12345678901234567.0,
                                      1.7976931348623157e308,
                                      0.3 - 0.1,
                                      1.0 / 3.0,
                                      HUGE_VAL,
                                      -HUGE_VAL,
                                      std::nan("")};
    QStringList arguments;
    for (const double v : values) {
        char text[64];
        std::snprintf(text, sizeof text, "%.17g", v);
        arguments << QString::fromLatin1(text);
    }
    QProcess process;
    process.start(QStringLiteral("python3"),
                  QStringList {QStringLiteral("-c"),
                               QStringLiteral("import sys\nprint('\\n'.join(repr(float(x)) for x in sys.argv[1:]))")}
                      + arguments);
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        QSKIP("python3 is not installed");
    const QStringList reprs = QString::fromLatin1(process.readAllStandardOutput()).trimmed().split(u'\n');
    QCOMPARE(reprs.size(), qsizetype(values.size()));
    for (std::size_t i = 0; i < values.size(); ++i) {
        QCOMPARE(pythonFloat(values[i]), reprs[qsizetype(i)]);
        const std::optional<double> back = parsePythonFloat(reprs[qsizetype(i)]);
        QVERIFY2(back && sameDouble(*back, values[i]) && std::signbit(*back) == std::signbit(values[i]),
                 qPrintable(reprs[qsizetype(i)]));
    }
    for (const char *text : {"NaN", "Infinity", "+inf", "-INF", "1_000.5", " 2 ", ".5", "5."})
        QVERIFY2(parsePythonFloat(QString::fromLatin1(text)), text);
    for (const char *text : {"abc", "", "1.2.3", "0x10", "1e", "--1"})
        QVERIFY2(!parsePythonFloat(QString::fromLatin1(text)), text);
}

void TestMlflowFileStore::readsExperiments()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeStore(root);
    auto reader = openStore(root);
    QCOMPARE(reader->kind(), QStringLiteral("file store"));
    QCOMPARE(reader->path(), root);
    auto experiments = reader->experiments();
    QVERIFY2(experiments, qPrintable(errorOf(experiments)));
    QCOMPARE(experiments->size(), 3);
    QCOMPARE(experiments->at(0).id, QStringLiteral("0"));
    QCOMPARE(experiments->at(0).name, QStringLiteral("Default"));
    QCOMPARE(experiments->at(0).artifactLocation, mlruns::fileUri(root + QStringLiteral("/0")));
    QCOMPARE(experiments->at(1).id, QStringLiteral("3"));
    QVERIFY(experiments->at(1).deleted());
    const mlflow::Experiment &vision = experiments->at(2);
    QCOMPARE(vision.id, QStringLiteral("12"));
    QCOMPARE(vision.name, QStringLiteral("vision: resnet"));
    QCOMPARE(vision.lifecycleStage, QStringLiteral("active"));
    QCOMPARE(vision.creationTimeMs, mlruns::kTime);
    QCOMPARE(vision.lastUpdateTimeMs, mlruns::kTime);
    QCOMPARE(value(vision.tags, QStringLiteral("mlflow.note.content")), QStringLiteral("notes\nline 2"));
    QVERIFY2(reader->issues().isEmpty(), qPrintable(issueLines(*reader).join(u'\n')));
}

void TestMlflowFileStore::readsRuns()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeStore(root);
    auto reader = openStore(root);
    const QList<mlflow::Run> runs = runsOf(*reader, QStringLiteral("12"));
    QCOMPARE(runs.size(), 3);

    const mlflow::Run a = runWithId(runs, kRunA);
    QCOMPARE(a.experimentId, QStringLiteral("12"));
    QCOMPARE(a.name, QStringLiteral("bright-owl-7"));
    QCOMPARE(a.status, QStringLiteral("FINISHED"));
    QCOMPARE(a.startTimeMs, mlruns::kTime + 123);
    QCOMPARE(a.endTimeMs, mlruns::kTime + 60'456);
    QCOMPARE(a.userId, QStringLiteral("alice"));
    QCOMPARE(a.lifecycleStage, QStringLiteral("active"));
    QCOMPARE(a.artifactUri, mlruns::fileUri(root + QStringLiteral("/12/") + kRunA + QStringLiteral("/artifacts")));
    QCOMPARE(a.params.size(), 3);
    QCOMPARE(value(a.params, QStringLiteral("optimizer/beta1")), QStringLiteral("0.9"));
    QCOMPARE(value(a.params, QStringLiteral("empty")), QString());
    QCOMPARE(value(a.tags, QStringLiteral("note")), QStringLiteral("  two lines\nkept exactly  "));
    QCOMPARE(value(a.tags, QStringLiteral("mlflow.runName")), QStringLiteral("bright-owl-7"));
    QCOMPARE(a.metricKeys, (QStringList {QStringLiteral("loss"), QStringLiteral("val/acc")}));
    QCOMPARE(a.sourcePath, root + QStringLiteral("/12/") + kRunA);
    QVERIFY(a.parentRunId().isEmpty());

    const mlflow::Run b = runWithId(runs, kRunB);
    QCOMPARE(b.name, QStringLiteral("from-tag"));
    QCOMPARE(b.status, QStringLiteral("RUNNING"));
    QCOMPARE(b.endTimeMs, qint64(0));
    QCOMPARE(b.parentRunId(), kRunA);

    const mlflow::Run c = runWithId(runs, kRunC);
    QCOMPARE(c.status, QStringLiteral("KILLED"));
    QVERIFY(c.deleted());

    const QList<mlflow::Run> trashed = runsOf(*reader, QStringLiteral("3"));
    QCOMPARE(trashed.size(), 1);
    QCOMPARE(trashed[0].id, kRunD);
    QCOMPARE(trashed[0].experimentId, QStringLiteral("3"));
    QVERIFY2(reader->issues().isEmpty(), qPrintable(issueLines(*reader).join(u'\n')));
}

void TestMlflowFileStore::readsMetricsAndReportsBadLines()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeStore(root);
    const QString runFolder = root + QStringLiteral("/12/") + kRunA;
    mlruns::writeBytes(runFolder + QStringLiteral("/metrics/bad"),
                       "1700000000000 0.1 0\nabc\n1700000000001 x 1\n1700000000002 0.3 1.5\n1 2 3 4\n\n"
                       "1700000000009 0.9 9\n");
    auto reader = openStore(root);
    const mlflow::Run a = runWithId(runsOf(*reader, QStringLiteral("12")), kRunA);
    auto metrics = reader->metrics(a);
    QVERIFY2(metrics, qPrintable(errorOf(metrics)));
    const std::vector<MetricPoint> &loss = (*metrics)[QStringLiteral("loss")];
    const std::vector<double> expected {0.5, std::nan(""), HUGE_VAL, -HUGE_VAL, 1e-5, 1.0};
    QCOMPARE(loss.size(), expected.size());
    for (std::size_t i = 0; i < loss.size(); ++i) {
        QVERIFY2(sameDouble(loss[i].value, expected[i]), qPrintable(QString::number(loss[i].value)));
        QCOMPARE(loss[i].step, qint64(i));
        QCOMPARE(loss[i].timeMs, mlruns::kTime + qint64(i));
    }
    const std::vector<MetricPoint> &acc = (*metrics)[QStringLiteral("val/acc")];
    QCOMPARE(acc.size(), std::size_t(1));
    QCOMPARE(acc[0].step, qint64(0));
    QCOMPARE(acc[0].value, 0.75);

    const std::vector<MetricPoint> &bad = (*metrics)[QStringLiteral("bad")];
    QCOMPARE(bad.size(), std::size_t(2)); // the first and the last line
    QCOMPARE(bad[1].step, qint64(9));
    const QString path = QStringLiteral("mlruns/12/%1/metrics/bad").arg(kRunA);
    const QStringList issues = issueLines(*reader);
    QVERIFY2(hasIssue(*reader, path, QStringLiteral("line 2: 1 fields")), qPrintable(issues.join(u'\n')));
    QVERIFY2(hasIssue(*reader, path, QStringLiteral("line 3: 'x' is not a number")), qPrintable(issues.join(u'\n')));
    QVERIFY2(hasIssue(*reader, path, QStringLiteral("line 4: step '1.5'")), qPrintable(issues.join(u'\n')));
    QVERIFY2(hasIssue(*reader, path, QStringLiteral("line 5: 4 fields")), qPrintable(issues.join(u'\n')));
    QVERIFY2(hasIssue(*reader, path, QStringLiteral("line 6: 0 fields")), qPrintable(issues.join(u'\n')));
    QCOMPARE(issues.size(), 5);
}

void TestMlflowFileStore::readsArtifacts()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeStore(root);
    // A run whose artifact root is elsewhere on this machine.
    const QString elsewhere = dir.filePath(QStringLiteral("artifact-root/run-e"));
    mlruns::writeBytes(elsewhere + QStringLiteral("/weights.bin"), "0123");
    mlruns::RunSpec e;
    e.id = QStringLiteral("ee00000000000000000000000000000e");
    e.name = QStringLiteral("elsewhere");
    e.artifactUri = mlruns::fileUri(elsewhere);
    mlruns::writeRun(root, QStringLiteral("12"), e);

    auto reader = openStore(root);
    const QList<mlflow::Run> runs = runsOf(*reader, QStringLiteral("12"));
    const QList<mlflow::ArtifactFile> files = reader->artifacts(runWithId(runs, kRunA));
    QCOMPARE(files.size(), 2);
    QCOMPARE(files[0].relativePath, QStringLiteral("model/MLmodel"));
    QCOMPARE(test::readFile(files[0].absolutePath), QByteArray("artifact_path: model\n"));
    QCOMPARE(files[1].relativePath, QStringLiteral("plot.png"));
    QVERIFY(reader->artifacts(runWithId(runs, kRunB)).isEmpty()); // on S3
    const QList<mlflow::ArtifactFile> remote = reader->artifacts(runWithId(runs, e.id));
    QCOMPARE(remote.size(), 1);
    QCOMPARE(remote[0].absolutePath, elsewhere + QStringLiteral("/weights.bin"));
}

void TestMlflowFileStore::readsRegistry()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeStore(root);
    auto reader = openStore(root);
    auto models = reader->models();
    QVERIFY2(models, qPrintable(errorOf(models)));
    QCOMPARE(models->size(), 2);
    QCOMPARE(models->at(0).name, QStringLiteral("empty-model"));
    QVERIFY(models->at(0).versions.isEmpty());
    const mlflow::RegisteredModel &resnet = models->at(1);
    QCOMPARE(resnet.description, QStringLiteral("image classifier"));
    QCOMPARE(resnet.creationTimeMs, mlruns::kTime);
    QCOMPARE(value(resnet.tags, QStringLiteral("team")), QStringLiteral("cv"));
    QCOMPARE(resnet.versions.size(), 2); // version 2 is Deleted_Internal
    QCOMPARE(resnet.versions[0].version, 1);
    QCOMPARE(resnet.versions[0].currentStage, QStringLiteral("Production"));
    QCOMPARE(resnet.versions[0].status, QStringLiteral("READY"));
    QCOMPARE(resnet.versions[0].runId, kRunA);
    QCOMPARE(resnet.versions[0].source, QStringLiteral("runs:/%1/model").arg(kRunA));
    QCOMPARE(resnet.versions[0].storageLocation, resnet.versions[0].source);
    QCOMPARE(value(resnet.versions[0].tags, QStringLiteral("validated")), QStringLiteral("yes"));
    QCOMPARE(resnet.versions[1].version, 10);
    QCOMPARE(resnet.versions[1].currentStage, QStringLiteral("None"));
    QVERIFY(resnet.versions[1].runId.isEmpty());
    QCOMPARE(resnet.aliases, (QMap<QString, int> {{QStringLiteral("champion"), 1}}));
    QVERIFY2(hasIssue(*reader, QStringLiteral("mlruns/models/resnet/aliases/old"), QStringLiteral("version 2")),
             qPrintable(issueLines(*reader).join(u'\n')));
}

void TestMlflowFileStore::reportsBadMeta_data()
{
    QTest::addColumn<QString>("file"); // relative to the store
    QTest::addColumn<QByteArray>("content"); // empty: the file is removed
    QTest::addColumn<QString>("reason");
    const QString run = QStringLiteral("12/") + kRunA + QStringLiteral("/meta.yaml");
    QTest::newRow("malformed run") << run << mlruns::malformedYaml() << QStringLiteral("line 3, column 14");
    QTest::newRow("run without meta.yaml") << run << QByteArray() << QStringLiteral("no meta.yaml");
    QTest::newRow("empty run meta") << run << QByteArray("\n") << QStringLiteral("empty meta.yaml");
    QTest::newRow("run meta is a list") << run << QByteArray("- a\n- b\n") << QStringLiteral("not a mapping");
    QTest::newRow("ill-typed start_time")
        << run << QByteArray("experiment_id: '12'\nrun_id: x\nstart_time: soon\n") << QStringLiteral("'start_time'");
    QTest::newRow("run without experiment_id")
        << run << QByteArray("run_id: x\nstatus: 3\n") << QStringLiteral("no 'experiment_id'");
    QTest::newRow("run in the wrong experiment")
        << run << QByteArray("experiment_id: '7'\nrun_id: x\nstatus: 3\n") << QStringLiteral("'7'");
    QTest::newRow("unknown status") << run << QByteArray("experiment_id: '12'\nrun_id: x\nstatus: 9\n")
                                    << QStringLiteral("unknown status");
    QTest::newRow("malformed experiment")
        << QStringLiteral("12/meta.yaml") << mlruns::malformedYaml() << QStringLiteral("line 3, column 14");
    QTest::newRow("experiment id not its folder")
        << QStringLiteral("12/meta.yaml") << QByteArray("experiment_id: '13'\nname: x\n") << QStringLiteral("'13'");
    QTest::newRow("malformed model version")
        << QStringLiteral("models/resnet/version-1/meta.yaml") << QByteArray("version: [1\n") << QStringLiteral("line");
    QTest::newRow("model without name") << QStringLiteral("models/resnet/meta.yaml") << QByteArray("description: x\n")
                                        << QStringLiteral("no 'name'");
}

void TestMlflowFileStore::reportsBadMeta()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeStore(root);
    const QString path = root + u'/' + file;
    if (content.isEmpty())
        QVERIFY(QFile::remove(path));
    else
        mlruns::writeBytes(path, content);

    auto reader = openStore(root);
    auto experiments = reader->experiments();
    QVERIFY(experiments);
    int runs = 0;
    for (const mlflow::Experiment &experiment : std::as_const(*experiments))
        runs += int(reader->runs(experiment)->size());
    auto models = reader->models();
    QVERIFY(models);
    const QString shown = QStringLiteral("mlruns/") + (content.isEmpty() ? QFileInfo(file).path() : file);
    QVERIFY2(hasIssue(*reader, shown, reason), qPrintable(issueLines(*reader).join(u'\n')));
    // Nothing else, but for the store's alias of a deleted version (and of a version lost).
    const QList<mlflow::Issue> issues = reader->issues();
    QCOMPARE(
        std::count_if(issues.begin(), issues.end(),
                      [](const mlflow::Issue &issue) { return !issue.path.contains(QStringLiteral("/aliases/")); }),
        1);
    // The rest is still read: 4 runs in all, one fewer when that run or its experiment is bad.
    const bool runLost = file.contains(kRunA);
    const bool experimentLost = file == QLatin1String("12/meta.yaml");
    QCOMPARE(runs, experimentLost ? 1 : runLost ? 3 : 4);
    QCOMPARE(models->size(), file.startsWith(QLatin1String("models/resnet/meta")) ? 1 : 2);
}

void TestMlflowFileStore::reportsAMissingExperimentFolder()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeStore(root);
    QDir().mkpath(root + QStringLiteral("/99")); // an experiment folder without meta.yaml
    auto reader = openStore(root);
    auto experiments = reader->experiments();
    QCOMPARE(experiments->size(), 3);
    QVERIFY2(hasIssue(*reader, QStringLiteral("mlruns/99"), QStringLiteral("no meta.yaml")),
             qPrintable(issueLines(*reader).join(u'\n')));
    mlruns::removeFolder(root + QStringLiteral("/12"));
    auto gone = reader->runs(experiments->at(2));
    QVERIFY(!gone);
    QVERIFY2(gone.errorMessage().contains(QStringLiteral("mlruns/12")), qPrintable(gone.errorMessage()));
}

void TestMlflowFileStore::fingerprintFollowsTheRun()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeStore(root);
    const auto fingerprint = [&] {
        auto reader = openStore(root);
        return runWithId(runsOf(*reader, QStringLiteral("12")), kRunA).fingerprint;
    };
    const QString first = fingerprint();
    QVERIFY(!first.isEmpty());
    QCOMPARE(fingerprint(), first);
    const QString runFolder = root + QStringLiteral("/12/") + kRunA;
    mlruns::appendMetricLines(runFolder, QStringLiteral("loss"), {line(mlruns::kTime + 9, "0.1", 9)});
    const QString appended = fingerprint();
    QVERIFY(appended != first);
    mlruns::writeBytes(runFolder + QStringLiteral("/tags/new"), "x");
    const QString tagged = fingerprint();
    QVERIFY(tagged != appended);
    mlruns::RunSpec killed;
    killed.id = kRunA;
    killed.name = QStringLiteral("bright-owl-7");
    killed.status = QStringLiteral("KILLED");
    killed.start = mlruns::kTime + 123;
    killed.end = mlruns::kTime + 60'456;
    QFile::remove(runFolder + QStringLiteral("/meta.yaml"));
    mlruns::writeYaml(runFolder + QStringLiteral("/meta.yaml"),
                      {{QStringLiteral("experiment_id"), QStringLiteral("12")},
                       {QStringLiteral("run_id"), kRunA},
                       {QStringLiteral("run_name"), killed.name},
                       {QStringLiteral("start_time"), killed.start},
                       {QStringLiteral("end_time"), killed.end},
                       {QStringLiteral("status"), 5}});
    QVERIFY(fingerprint() != tagged);
}

void TestMlflowFileStore::opensTheParentOfMlruns()
{
    QTemporaryDir dir;
    writeStore(dir.filePath(QStringLiteral("mlruns")));
    auto reader = openStore(dir.path());
    QCOMPARE(reader->path(), dir.filePath(QStringLiteral("mlruns")));
    QCOMPARE(reader->experiments()->size(), 3);
    auto none = mlflow::Reader::open(dir.filePath(QStringLiteral("mlruns/12/") + kRunA + QStringLiteral("/params")));
    QVERIFY(!none);
    QVERIFY2(none.errorMessage().contains(QStringLiteral("not an MLflow store")), qPrintable(none.errorMessage()));
}

void TestMlflowFileStore::looksLikeStore_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<bool>("store");
    QTest::newRow("store") << "store" << true;
    QTest::newRow("parent of mlruns") << "parent" << true;
    QTest::newRow("only .trash") << "trash" << true;
    QTest::newRow("only a registry") << "registry" << true;
    QTest::newRow("one experiment") << "experiment" << true;
    QTest::newRow("empty folder") << "empty" << false;
    QTest::newRow("project folder") << "project" << false;
    QTest::newRow("models/ of something else") << "models" << false;
    QTest::newRow("a text file") << "file" << false;
    QTest::newRow("nothing there") << "missing" << false;
}

void TestMlflowFileStore::looksLikeStore()
{
    QFETCH(QString, layout);
    QFETCH(bool, store);
    QTemporaryDir dir;
    QString path = dir.filePath(QStringLiteral("target"));
    if (layout == QLatin1String("store")) {
        writeStore(path);
    } else if (layout == QLatin1String("parent")) {
        writeStore(path + QStringLiteral("/mlruns"));
    } else if (layout == QLatin1String("trash")) {
        QDir().mkpath(path + QStringLiteral("/.trash"));
    } else if (layout == QLatin1String("registry")) {
        mlruns::writeModel(path, QStringLiteral("m"));
    } else if (layout == QLatin1String("experiment")) {
        mlruns::writeExperiment(path, QStringLiteral("0"), QStringLiteral("Default"));
    } else if (layout == QLatin1String("empty")) {
        QDir().mkpath(path);
    } else if (layout == QLatin1String("project")) {
        mlruns::writeBytes(path + QStringLiteral("/src/meta.yaml"), "name: not mlflow\n");
        mlruns::writeBytes(path + QStringLiteral("/README.md"), "# project\n");
    } else if (layout == QLatin1String("models")) {
        mlruns::writeBytes(path + QStringLiteral("/models/bert/config.json"), "{}");
    } else if (layout == QLatin1String("file")) {
        path = mlruns::writeBytes(path + QStringLiteral(".txt"), "SQLite format 2 no\n");
    }
    QCOMPARE(mlflow::Reader::looksLikeStore(path), store);
    QCOMPARE(bool(mlflow::Reader::open(path)), store);
}

QTEST_GUILESS_MAIN(TestMlflowFileStore)
#include "tst_mlflowfilestore.moc"
