// Kiln runs exported to an MLflow file store (mlruns/) and read back by Kiln's reader and by
// python3's yaml module, as MLflow's file store reads meta.yaml.
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

/// A workspace with a finished run (params, tags, metrics with NaN and infinity, a result,
/// an artifact), its failed child, a run imported from MLflow, and a queued run.
struct Made
{
    std::unique_ptr<Workspace> workspace;
    RunRecord first, child, imported, queued;
    QByteArray artifact = "{\"trees\": 3}\n";
};

void endRun(RunStore &store, const RunRecord &run, RunStatus status)
{
    if (!store.claimRun(run.id) || !store.markEnded(run.id, status, 0))
        qFatal("cannot end the run %s", qPrintable(run.name));
}

Made makeRuns(const QString &folder)
{
    Made made;
    made.workspace = test::openWorkspace(folder);
    RunStore store(made.workspace->db());
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = {QStringLiteral("python3"), QStringLiteral("train.py")};
    spec.experiment = QStringLiteral("alpha");
    spec.name = QStringLiteral("first");
    made.first = test::recordRun(
        store, spec,
        {{{QStringLiteral("lr"), QStringLiteral("0.1")}, {QStringLiteral("opt/beta"), QStringLiteral("0.9")}},
         {{QStringLiteral("owner"), QStringLiteral("bob")}},
         {{QStringLiteral("loss"), {1.0, std::nan(""), 0.1, 1e-7, HUGE_VAL, 3.0}}, {QStringLiteral("val/acc"), {0.5}}},
         {{QStringLiteral("accuracy"), 0.93}}});
    endRun(store, made.first, RunStatus::Finished);
    const QString artifactFile = test::writeFile(folder + QStringLiteral("-model.json"), made.artifact);
    const auto sha = made.workspace->blobs().addFile(artifactFile);
    if (!sha || !store.addArtifact(made.first.id, QStringLiteral("model/model.json"), *sha, made.artifact.size()))
        qFatal("cannot add the artifact");

    spec.name = QStringLiteral("child");
    made.child = test::recordRun(
        store, spec, {{{QStringLiteral("lr"), QStringLiteral("0.2")}}, {}, {{QStringLiteral("loss"), {0.2}}}, {}},
        made.first.id);
    endRun(store, made.child, RunStatus::Failed);

    RunSpec imported;
    imported.kind = RunSpec::Kind::Imported;
    imported.experiment = QStringLiteral("beta");
    imported.name = QStringLiteral("from-mlflow");
    imported.command = {QStringLiteral("notebook.ipynb")};
    made.imported = test::recordRun(store, imported,
                                    {{},
                                     {{QStringLiteral("mlflow.runName"), QStringLiteral("from-mlflow")},
                                      {QStringLiteral("mlflow.source.name"), QStringLiteral("notebook.ipynb")},
                                      {QStringLiteral("mlflow.source.type"), QStringLiteral("NOTEBOOK")},
                                      {QStringLiteral("mlflow.user"), QStringLiteral("carol")}},
                                     {},
                                     {}});
    if (!store.setReproducibility(
            made.imported.id,
            {{QStringLiteral("mlflow"), QJsonObject {{QStringLiteral("user"), QStringLiteral("carol")}}}}))
        qFatal("cannot set reproducibility");
    endRun(store, made.imported, RunStatus::Finished);

    spec.name = QStringLiteral("waiting");
    made.queued = test::recordRun(store, spec, {});
    made.first = *store.run(made.first.id);
    made.child = *store.run(made.child.id);
    made.imported = *store.run(made.imported.id);
    return made;
}

QList<QPair<QString, QString>> sorted(QList<QPair<QString, QString>> pairs)
{
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

/// What MLflow's own reading needs of every meta.yaml and metric line in `folder`, checked
/// with PyYAML: the types MLflow writes, and values that float() reads back to their repr.
const char *const kCheckExport = R"(
import math, os, sys
run_fields = dict(artifact_uri=str, end_time=int, entry_point_name=str, experiment_id=str, lifecycle_stage=str,
                  run_id=str, run_name=str, run_uuid=str, source_name=str, source_type=int, source_version=str,
                  start_time=int, status=int, tags=list, user_id=str)
experiment_fields = dict(artifact_location=str, creation_time=int, experiment_id=str, last_update_time=int,
                         lifecycle_stage=str, name=str)
problems, runs, lines = [], 0, 0
for path, dirs, files in os.walk(sys.argv[1]):
    if 'meta.yaml' in files:
        meta = yaml.safe_load(open(os.path.join(path, 'meta.yaml'), encoding='utf-8'))
        want = run_fields if 'run_id' in meta else experiment_fields
        runs += 'run_id' in meta
        for key, kind in want.items():
            if type(meta.get(key)) is not kind:
                problems.append('%s: %s is %r' % (path, key, meta.get(key)))
        if set(meta) != set(want):
            problems.append('%s: fields %s' % (path, sorted(set(meta) ^ set(want))))
    if '/metrics' in path[len(sys.argv[1]):]:
        for name in files:
            for text in open(os.path.join(path, name)):
                ts, value, step = text.rstrip('\n').split(' ')
                int(ts), int(step)
                if not math.isnan(float(value)) and repr(float(value)) != value:
                    problems.append('%s: %s' % (name, value))
                lines += 1
print('\n'.join(problems + ['runs %d lines %d' % (runs, lines)]))
)";

} // namespace

class TestMlflowExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exportsWhatMlflowReads();
    void exportAddsToAStoreAndSkipsWhatIsThere();
    void exportRefusesAForeignFolderAndCancels();
};

void TestMlflowExport::exportsWhatMlflowReads()
{
    QTemporaryDir dir;
    Made made = makeRuns(dir.filePath(QStringLiteral("ws")));
    const QString folder = dir.filePath(QStringLiteral("out/mlruns"));
    auto report = mlflow::exportRuns(*made.workspace, folder);
    QVERIFY2(report, qPrintable(errorOf(report)));
    QCOMPARE(report->folder, folder);
    QCOMPARE(report->runsWritten, 3);
    QCOMPARE(report->runsSkipped, 0);
    QCOMPARE(report->experiments, 3); // Default (0), alpha, beta
    QCOMPARE(report->metricPoints, qint64(9)); // 6 + 1 + the result + the child's point
    QCOMPARE(report->artifacts, 1);
    QCOMPARE(report->skipped.size(), 1);
    QCOMPARE(report->skipped[0].path, made.queued.uuid);

    auto reader = openStore(folder);
    auto experiments = reader->experiments();
    QCOMPARE(experiments->size(), 3);
    QCOMPARE(experiments->at(0).name, QStringLiteral("Default"));
    QCOMPARE(experiments->at(1).name, QStringLiteral("alpha"));
    const QList<mlflow::Run> alpha = runsOf(*reader, experiments->at(1).id);
    QCOMPARE(alpha.size(), 2);
    const mlflow::Run first = runWithId(alpha, made.first.uuid);
    QCOMPARE(first.name, QStringLiteral("first"));
    QCOMPARE(first.status, QStringLiteral("FINISHED"));
    QCOMPARE(first.startTimeMs, made.first.startedAt.toMSecsSinceEpoch());
    QCOMPARE(first.endTimeMs, made.first.endedAt.toMSecsSinceEpoch());
    QCOMPARE(first.artifactUri, mlruns::fileUri(first.sourcePath + QStringLiteral("/artifacts")));
    QCOMPARE(sorted(first.params), sorted(made.first.params));
    QCOMPARE(value(first.tags, QStringLiteral("owner")), QStringLiteral("bob"));
    QCOMPARE(value(first.tags, QStringLiteral("mlflow.runName")), QStringLiteral("first"));
    QCOMPARE(value(first.tags, QStringLiteral("mlflow.source.name")), QStringLiteral("python3 train.py"));
    QVERIFY(!first.userId.isEmpty()); // who exported it
    QCOMPARE(value(first.tags, QStringLiteral("mlflow.user")), first.userId);
    QCOMPARE(QFileInfo(first.sourcePath).permissions(), QFileInfo(folder).permissions());
    auto metrics = reader->metrics(first);
    RunStore store(made.workspace->db());
    for (const QString &key : {QStringLiteral("loss"), QStringLiteral("val/acc")}) {
        const std::vector<MetricPoint> original = *store.metricPoints(made.first.id, key);
        const std::vector<MetricPoint> &back = (*metrics)[key];
        QCOMPARE(back.size(), original.size());
        for (std::size_t i = 0; i < back.size(); ++i) {
            QVERIFY(sameDouble(back[i].value, original[i].value));
            QCOMPARE(back[i].step, original[i].step);
            QCOMPARE(back[i].timeMs, original[i].timeMs);
        }
    }
    QCOMPARE((*metrics)[QStringLiteral("accuracy")].size(), std::size_t(1));
    QCOMPARE((*metrics)[QStringLiteral("accuracy")][0].value, 0.93);
    const QList<mlflow::ArtifactFile> files = reader->artifacts(first);
    QCOMPARE(files.size(), 1);
    QCOMPARE(files[0].relativePath, QStringLiteral("model/model.json"));
    QCOMPARE(test::readFile(files[0].absolutePath), made.artifact);

    const mlflow::Run child = runWithId(alpha, made.child.uuid);
    QCOMPARE(child.status, QStringLiteral("FAILED"));
    QCOMPARE(child.parentRunId(), made.first.uuid);
    const mlflow::Run imported = runsOf(*reader, experiments->at(2).id).value(0);
    QCOMPARE(imported.id, made.imported.uuid);
    QCOMPARE(imported.userId, QStringLiteral("carol"));
    QCOMPARE(sorted(imported.tags), sorted(made.imported.tags)); // MLflow's own, as they were
    QVERIFY2(reader->issues().isEmpty(), qPrintable(issueLines(*reader).join(u'\n')));

    const auto checked = pythonYaml(QString::fromLatin1(kCheckExport), {}, {folder});
    if (!checked)
        QSKIP("python3 with the yaml module (Debian package python3-yaml) is not installed");
    QCOMPARE(QString::fromUtf8(*checked).trimmed(), QStringLiteral("runs 3 lines 9"));
}

void TestMlflowExport::exportAddsToAStoreAndSkipsWhatIsThere()
{
    QTemporaryDir dir;
    Made made = makeRuns(dir.filePath(QStringLiteral("ws")));
    const QString folder = dir.filePath(QStringLiteral("mlruns"));
    mlruns::createStore(folder);
    mlruns::writeExperiment(folder, QStringLiteral("5"), QStringLiteral("alpha"));
    mlruns::RunSpec theirs;
    theirs.id = kRunA;
    theirs.name = QStringLiteral("theirs");
    mlruns::writeRun(folder, QStringLiteral("5"), theirs);

    auto report = mlflow::exportRuns(*made.workspace, folder);
    QVERIFY2(report, qPrintable(errorOf(report)));
    QCOMPARE(report->runsWritten, 3);
    QCOMPARE(report->experiments, 1); // beta, numbered after 5
    auto reader = openStore(folder);
    QCOMPARE(runsOf(*reader, QStringLiteral("5")).size(), 3);
    QCOMPARE(runsOf(*reader, QStringLiteral("6")).size(), 1);
    const QString meta = folder + QStringLiteral("/5/") + made.first.uuid + QStringLiteral("/meta.yaml");
    const QByteArray before = test::readFile(meta);

    auto again = mlflow::exportRuns(*made.workspace, folder);
    QVERIFY2(again, qPrintable(errorOf(again)));
    QCOMPARE(again->runsWritten, 0);
    QCOMPARE(again->runsSkipped, 3);
    QCOMPARE(again->experiments, 0);
    QCOMPARE(again->toJson().value(QStringLiteral("runsSkipped")).toInt(), 3);
    QVERIFY2(again->summary().contains(QStringLiteral("3 already there")), qPrintable(again->summary()));
    QCOMPARE(test::readFile(meta), before);
    QCOMPARE(QDir(folder + QStringLiteral("/5")).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden).size(), 3);
}

void TestMlflowExport::exportRefusesAForeignFolderAndCancels()
{
    QTemporaryDir dir;
    Made made = makeRuns(dir.filePath(QStringLiteral("ws")));
    const QString foreign = dir.filePath(QStringLiteral("home"));
    mlruns::writeBytes(foreign + QStringLiteral("/README.md"), "mine\n");
    auto refused = mlflow::exportRuns(*made.workspace, foreign);
    QVERIFY(!refused);
    QVERIFY2(refused.errorMessage().contains(QStringLiteral("not an MLflow store")),
             qPrintable(refused.errorMessage()));
    QCOMPARE(QDir(foreign).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
             QStringList {QStringLiteral("README.md")});

    Feedback cancelled;
    cancelled.cancel();
    auto none = mlflow::exportRuns(*made.workspace, dir.filePath(QStringLiteral("cancelled")), {}, &cancelled);
    QVERIFY(none);
    QCOMPARE(none->runsWritten, 0);

    mlflow::ExportTask task(made.workspace->location(), dir.filePath(QStringLiteral("task")), {made.first.id});
    task.runHere();
    QCOMPARE(task.state(), Task::State::Succeeded);
    QCOMPARE(task.report().runsWritten, 1);
    QVERIFY2(task.message().startsWith(QStringLiteral("wrote 1 run in")), qPrintable(task.message()));
}

QTEST_GUILESS_MAIN(TestMlflowExport)
#include "tst_mlflowexport.moc"
