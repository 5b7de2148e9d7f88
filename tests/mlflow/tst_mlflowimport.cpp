// MLflow stores written to MLflow's own formats (mlruns/ trees and mlflow.db files) imported into
// real workspaces: what a run keeps, how imported runs compare beside Kiln's own, re-import,
// bad input, cancel, export and back, and kilnctl mlflow import|export.
#include "mlflowdbwriter.h"
#include "mlflowtestsupport.h"
#include "mlrunswriter.h"
#include "testsupport.h"

#include "mlflow/mlflowexport.h"
#include "mlflow/mlflowimport.h"
#include "registry/modelregistry.h"
#include "runs/runfilter.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "tasks/feedback.h"
#include "workspace/workspace.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace kiln;
namespace mlruns = kiln::test::mlruns;
namespace mlflowdb = ::test::mlflowdb;
using namespace kiln::test::mlflowtest;

namespace {

const QString kParent = QStringLiteral("fa00000000000000000000000000000a"); // listed after its child
const QString kChild = QStringLiteral("0c00000000000000000000000000000c");
const QString kRunning = QStringLiteral("5500000000000000000000000000000d");
const QString kDeleted = QStringLiteral("de00000000000000000000000000000e");
const QString kTrashed = QStringLiteral("7700000000000000000000000000000f");
const QString kOrphan = QStringLiteral("0900000000000000000000000000000b");
const QString kMissing = QStringLiteral("ee0000000000000000000000000000ee");

const QByteArray kMlmodel = "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
                            "  sklearn:\n    sklearn_version: 1.3.0\nrun_id: fa00000000000000000000000000000a\n";

/// A store with everything a user's mlruns/ holds: nested runs listed child first, NaN and
/// infinity, a legacy two-field line, keys with '/', artifacts, a running run, a deleted run
/// and a deleted experiment, an orphan child, and a registry with stages, tags and an alias.
void writeFileStore(const QString &root)
{
    mlruns::createStore(root);
    mlruns::writeExperiment(root, QStringLiteral("1"), QStringLiteral("vision"));
    mlruns::writeExperiment(root, QStringLiteral("2"), QStringLiteral("old"), QStringLiteral("deleted"), true);

    mlruns::RunSpec parent;
    parent.id = kParent;
    parent.name = QStringLiteral("sweep-parent");
    parent.start = mlruns::kTime + 123;
    parent.end = mlruns::kTime + 60'456;
    parent.params
        = {{QStringLiteral("y"), QStringLiteral("3")}, {QStringLiteral("optimizer/lr"), QStringLiteral("0.1")}};
    parent.tags = {{QStringLiteral("team"), QStringLiteral("cv")},
                   {QStringLiteral("mlflow.source.name"), QStringLiteral("train.py")}};
    parent.metricLines[QStringLiteral("x")]
        = {line(mlruns::kTime, "0.25", 0), line(mlruns::kTime + 1, "nan", 1), line(mlruns::kTime + 2, "0.75", 2)};
    parent.metricLines[QStringLiteral("val/loss")]
        = {line(mlruns::kTime, "inf", 0), line(mlruns::kTime + 5, "-inf", 1)};
    parent.metricLines[QStringLiteral("legacy")] = {QStringLiteral("1700000000000 1.5")};
    parent.metricLines[QStringLiteral("only_nan")] = {line(mlruns::kTime, "nan", 0)};
    parent.artifacts[QStringLiteral("model/MLmodel")] = kMlmodel;
    parent.artifacts[QStringLiteral("notes/readme.txt")] = "hello from mlflow\n";
    mlruns::writeRun(root, QStringLiteral("1"), parent);

    mlruns::RunSpec child;
    child.id = kChild;
    child.name = QStringLiteral("point-1");
    child.status = QStringLiteral("FAILED");
    child.params = {{QStringLiteral("y"), QStringLiteral("4")}};
    child.tags = {{QStringLiteral("mlflow.parentRunId"), kParent}};
    child.metricLines[QStringLiteral("x")] = {line(mlruns::kTime, "0.9", 0)};
    mlruns::writeRun(root, QStringLiteral("1"), child);

    mlruns::RunSpec running;
    running.id = kRunning;
    running.name = QStringLiteral("still-going");
    running.status = QStringLiteral("RUNNING");
    running.end = mlruns::kNoEnd;
    running.metricLines[QStringLiteral("x")] = {line(mlruns::kTime, "0.1", 0)};
    mlruns::writeRun(root, QStringLiteral("0"), running);

    mlruns::RunSpec orphan;
    orphan.id = kOrphan;
    orphan.name = QStringLiteral("orphan");
    orphan.tags = {{QStringLiteral("mlflow.parentRunId"), kMissing}};
    mlruns::writeRun(root, QStringLiteral("0"), orphan);

    mlruns::RunSpec deleted;
    deleted.id = kDeleted;
    deleted.name = QStringLiteral("thrown-away");
    deleted.lifecycle = QStringLiteral("deleted");
    mlruns::writeRun(root, QStringLiteral("0"), deleted);

    mlruns::RunSpec trashed;
    trashed.id = kTrashed;
    trashed.name = QStringLiteral("in-trash");
    mlruns::writeRun(root, QStringLiteral("2"), trashed);

    mlruns::writeModel(root, QStringLiteral("churn"), QStringLiteral("predicts churn"),
                       {{QStringLiteral("owner"), QStringLiteral("ml-team")}});
    mlruns::writeModelVersion(root, QStringLiteral("churn"), 1, kParent, QStringLiteral("runs:/%1/model").arg(kParent),
                              QStringLiteral("Production"), {{QStringLiteral("validated"), QStringLiteral("yes")}});
    mlruns::writeModelVersion(root, QStringLiteral("churn"), 3, QString(), QStringLiteral("s3://bucket/churn/3"),
                              QStringLiteral("Staging"));
    mlruns::writeAlias(root, QStringLiteral("churn"), QStringLiteral("champion"), 1);
}

std::vector<MetricPoint> pointsOf(RunStore &store, qint64 runId, const QString &key)
{
    auto points = store.metricPoints(runId, key);
    if (!points)
        qFatal("no points of %s: %s", qPrintable(key), qPrintable(errorOf(points)));
    return std::move(points).value();
}

QString tagOf(const RunRecord &run, const QString &key)
{
    for (const auto &tag : run.tags) {
        if (tag.first == key)
            return tag.second;
    }
    return {};
}

bool skippedNames(const mlflow::ImportReport &report, const QString &pathPart, const QString &reasonPart)
{
    for (const mlflow::Issue &issue : report.skipped) {
        if (issue.path.contains(pathPart) && issue.reason.contains(reasonPart, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

QString describe(const mlflow::ImportReport &report)
{
    QStringList lines {report.summary()};
    for (const mlflow::Issue &issue : report.skipped)
        lines << issue.path + QStringLiteral(": ") + issue.reason;
    return lines.join(u'\n');
}

mlflow::ImportReport importOk(Workspace &workspace, const QString &path, const mlflow::ImportOptions &options = {},
                              Feedback *feedback = nullptr)
{
    auto report = mlflow::importStore(workspace, path, options, feedback);
    if (!report)
        qFatal("import of %s failed: %s", qPrintable(path), qPrintable(errorOf(report)));
    return std::move(report).value();
}

qint64 timeMs(const QDateTime &time)
{
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

} // namespace

class TestMlflowImport : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Workspace> workspaceIn(const QTemporaryDir &dir, const QString &name = QStringLiteral("ws"))
    {
        const QString folder = dir.filePath(name);
        auto workspace = Workspace::open(kiln::test::storeLocation(folder));
        if (!workspace)
            qFatal("cannot open %s: %s", qPrintable(folder), qPrintable(errorOf(workspace)));
        return std::move(workspace).value();
    }

private Q_SLOTS:
    void fileStoreRunsKeepWhatMlflowRecorded();
    void registryKeepsNumbersAliasesAndStages();
    void importedRunsCompareBesideKilnRuns();
    void reimportAddsOnlyWhatChanged();
    void badInputIsReportedAndTheRestImported();
    void databaseStore();
    void unknownDatabaseRevision();
    void cancelLeavesWholeRuns();
    void taskImportsOnItsOwnConnection();
    void exportThenImportGivesTheSameRuns();
    void kilnctlImportAndExport();
};

void TestMlflowImport::fileStoreRunsKeepWhatMlflowRecorded()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeFileStore(root);
    auto ws = workspaceIn(dir);
    const mlflow::ImportReport report = importOk(*ws, root);
    QCOMPARE(report.kind, QStringLiteral("file store"));
    QVERIFY2(report.runsAdded == 4, qPrintable(describe(report))); // parent, child, running, orphan
    QCOMPARE(report.runsUpdated, 0);
    QCOMPARE(report.artifacts, 2);
    QVERIFY(skippedNames(report, kDeleted, QStringLiteral("deleted in MLflow")));
    QVERIFY(skippedNames(report, QStringLiteral(".trash/2"), QStringLiteral("deleted in MLflow")));
    QVERIFY(skippedNames(report, kOrphan, kMissing));
    // Parents before children, whatever order the store lists them in.
    QVERIFY(report.runUuids.indexOf(kParent) < report.runUuids.indexOf(kChild));

    RunStore store(ws->db());
    auto parent = store.runByRef(kParent);
    QVERIFY2(parent, qPrintable(errorOf(parent)));
    QCOMPARE(parent->uuid, kParent);
    QCOMPARE(parent->name, QStringLiteral("sweep-parent"));
    QCOMPARE(parent->experiment, QStringLiteral("vision"));
    QCOMPARE(parent->spec.kind, RunSpec::Kind::Imported);
    QCOMPARE(parent->spec.command, QStringList {QStringLiteral("train.py")});
    QCOMPARE(parent->status, RunStatus::Finished);
    QCOMPARE(timeMs(parent->startedAt), mlruns::kTime + 123);
    QCOMPARE(timeMs(parent->endedAt), mlruns::kTime + 60'456);
    QVERIFY(parent->host.isEmpty());
    const QJsonObject info = parent->reproducibility.value(QLatin1String("mlflow")).toObject();
    QCOMPARE(info.value(QLatin1String("runId")).toString(), kParent);
    QCOMPARE(info.value(QLatin1String("experimentId")).toString(), QStringLiteral("1"));
    QCOMPARE(info.value(QLatin1String("user")).toString(), QStringLiteral("alice"));
    QVERIFY(!info.value(QLatin1String("fingerprint")).toString().isEmpty());
    QVERIFY(parent->params.contains({QStringLiteral("y"), QStringLiteral("3")}));
    QVERIFY(parent->params.contains({QStringLiteral("optimizer/lr"), QStringLiteral("0.1")}));
    QCOMPARE(tagOf(*parent, QStringLiteral("team")), QStringLiteral("cv"));
    QCOMPARE(tagOf(*parent, QStringLiteral("mlflow.runName")), QStringLiteral("sweep-parent"));

    // NaN stays a point (a gap in a chart); the summary is over the numbers.
    const std::vector<MetricPoint> x = pointsOf(store, parent->id, QStringLiteral("x"));
    QCOMPARE(x.size(), std::size_t(3));
    QCOMPARE(x[0].value, 0.25);
    QVERIFY(std::isnan(x[1].value));
    QCOMPARE(x[1].step, qint64(1));
    QCOMPARE(x[2].timeMs, mlruns::kTime + 2);
    const std::vector<MetricPoint> loss = pointsOf(store, parent->id, QStringLiteral("val/loss"));
    QCOMPARE(loss.size(), std::size_t(2));
    QVERIFY(std::isinf(loss[0].value) && loss[0].value > 0);
    QVERIFY(std::isinf(loss[1].value) && loss[1].value < 0);
    const std::vector<MetricPoint> legacy = pointsOf(store, parent->id, QStringLiteral("legacy"));
    QCOMPARE(legacy.size(), std::size_t(1));
    QCOMPARE(legacy[0].step, qint64(0));
    QCOMPARE(legacy[0].value, 1.5);
    auto summaries = store.metricSummaries(parent->id);
    QVERIFY(summaries);
    QHash<QString, MetricSummary> byKey;
    for (const MetricSummary &s : *summaries)
        byKey.insert(s.key, s);
    QCOMPARE(byKey.value(QStringLiteral("x")).count, qint64(3));
    QCOMPARE(byKey.value(QStringLiteral("x")).min, 0.25);
    QCOMPARE(byKey.value(QStringLiteral("x")).max, 0.75);
    QCOMPARE(byKey.value(QStringLiteral("x")).last, 0.75);
    QVERIFY(std::isinf(byKey.value(QStringLiteral("val/loss")).max));
    QCOMPARE(byKey.value(QStringLiteral("only_nan")).count, qint64(1)); // stored, and no NOT NULL failure

    // Artifacts: the same bytes, in the blob store.
    auto artifacts = store.artifacts(parent->id);
    QVERIFY(artifacts);
    QCOMPARE(artifacts->size(), 2);
    for (const ArtifactInfo &artifact : *artifacts) {
        const QByteArray expected
            = artifact.path == QLatin1String("model/MLmodel") ? kMlmodel : QByteArray("hello from mlflow\n");
        QCOMPARE(kiln::test::readFile(ws->blobs().pathFor(artifact.sha256)), expected);
    }

    auto child = store.runByRef(kChild);
    QVERIFY(child);
    QCOMPARE(child->parentId, parent->id);
    QCOMPARE(child->status, RunStatus::Failed);
    auto orphan = store.runByRef(kOrphan);
    QVERIFY(orphan);
    QCOMPARE(orphan->parentId, qint64(0));

    // A run MLflow still has running stays running: no process of this host runs it, and
    // the start-up sweep for dead runners passes it by.
    auto running = store.runByRef(kRunning);
    QVERIFY(running);
    QCOMPARE(running->status, RunStatus::Running);
    QVERIFY(!running->endedAt.isValid());
    auto flipped = store.markInterrupted();
    QVERIFY(flipped);
    QCOMPARE(*flipped, 0);
    QCOMPARE(store.runByRef(kRunning)->status, RunStatus::Running);
    // Nor can it be cancelled here: Kiln does not run it.
    const Status cancel = store.requestCancel(running->id);
    QVERIFY(!cancel);
    QVERIFY2(cancel.errorMessage().contains(QStringLiteral("imported from MLflow")), qPrintable(cancel.errorMessage()));
    QVERIFY(!store.cancelRequested(running->id));
    QVERIFY(!store.runByRef(kDeleted));

    // With --include-deleted the deleted ones come too, tagged.
    auto all = workspaceIn(dir, QStringLiteral("all"));
    mlflow::ImportOptions options;
    options.includeDeleted = true;
    const mlflow::ImportReport allReport = importOk(*all, root, options);
    QCOMPARE(allReport.runsAdded, 6);
    RunStore allStore(all->db());
    QCOMPARE(tagOf(*allStore.runByRef(kDeleted), QStringLiteral("kiln.mlflow.deleted")), QStringLiteral("true"));
    QCOMPARE(allStore.runByRef(kTrashed)->experiment, QStringLiteral("old"));
}

void TestMlflowImport::registryKeepsNumbersAliasesAndStages()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeFileStore(root);
    auto ws = workspaceIn(dir);
    const mlflow::ImportReport report = importOk(*ws, root);
    QCOMPARE(report.modelsAdded, 1);
    QCOMPARE(report.versionsAdded, 2);
    QCOMPARE(report.aliases, 1);

    ModelRegistry registry(*ws);
    auto model = registry.model(QStringLiteral("churn"));
    QVERIFY2(model, qPrintable(errorOf(model)));
    QCOMPARE(model->description, QStringLiteral("predicts churn"));
    QVERIFY(model->tags.contains({QStringLiteral("owner"), QStringLiteral("ml-team")}));
    QCOMPARE(model->aliases.value(QStringLiteral("champion")), 1);
    auto v1 = registry.version(QStringLiteral("churn"), 1);
    QVERIFY2(v1, qPrintable(errorOf(v1)));
    QCOMPARE(v1->status, VersionStatus::Production);
    QCOMPARE(v1->modelFormat, QStringLiteral("mlflow"));
    QCOMPARE(v1->trainer, QStringLiteral("sklearn"));
    QVERIFY(v1->tags.contains({QStringLiteral("validated"), QStringLiteral("yes")}));
    QCOMPARE(v1->runId, RunStore(ws->db()).runByRef(kParent)->id);
    QCOMPARE(kiln::test::readFile(ws->blobs().pathFor(v1->modelSha256)), kMlmodel); // the MLmodel file only
    auto v3 = registry.version(QStringLiteral("churn"), 3);
    QVERIFY2(v3, qPrintable(errorOf(v3)));
    QCOMPARE(v3->status, VersionStatus::Staging);
    QCOMPARE(v3->trainer, QStringLiteral("mlflow"));
    QCOMPARE(v3->runId, qint64(0));
    QVERIFY(kiln::test::readFile(ws->blobs().pathFor(v3->modelSha256)).contains("s3://bucket/churn/3"));

    // Again: nothing new. A stage moved in MLflow moves the status here.
    mlruns::writeModelVersion(root, QStringLiteral("churn"), 3, QString(), QStringLiteral("s3://bucket/churn/3"),
                              QStringLiteral("Archived"));
    const mlflow::ImportReport again = importOk(*ws, root);
    QCOMPARE(again.versionsAdded, 0);
    QCOMPARE(again.versionsUnchanged, 2);
    QCOMPARE(again.aliases, 0);
    QCOMPARE(registry.version(QStringLiteral("churn"), 3)->status, VersionStatus::Archived);

    // A number Kiln gave its own version is not overwritten.
    auto fresh = workspaceIn(dir, QStringLiteral("fresh"));
    ModelRegistry freshRegistry(*fresh);
    auto blob
        = fresh->blobs().addFile(root + QStringLiteral("/1/") + kParent + QStringLiteral("/artifacts/model/MLmodel"));
    QVERIFY2(blob, qPrintable(errorOf(blob)));
    kiln::ModelVersion own;
    own.trainer = QStringLiteral("boosted-trees");
    own.modelFormat = QStringLiteral("xgboost-ubj");
    own.modelSha256 = *blob;
    own.modelSize = kMlmodel.size();
    own.encoding.target = QStringLiteral("churned");
    EncodedColumn feature;
    feature.name = QStringLiteral("age");
    feature.type = ColumnType::Float;
    own.encoding.columns = {feature};
    own.signature = ModelSignature::fromEncoding(own.encoding, {});
    auto ownAdded = freshRegistry.addVersion(QStringLiteral("churn"), own, {}, 3);
    QVERIFY2(ownAdded, qPrintable(errorOf(ownAdded)));
    const mlflow::ImportReport conflict = importOk(*fresh, root);
    QCOMPARE(conflict.versionsAdded, 1);
    QVERIFY2(skippedNames(conflict, QStringLiteral("churn"), QStringLiteral("Kiln's own version 3")),
             qPrintable(describe(conflict)));
    QCOMPARE(freshRegistry.version(QStringLiteral("churn"), 3)->trainer, QStringLiteral("boosted-trees"));
}

void TestMlflowImport::importedRunsCompareBesideKilnRuns()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeFileStore(root);
    auto ws = workspaceIn(dir);
    RunStore store(ws->db());
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.experiment = QStringLiteral("vision");
    spec.name = QStringLiteral("kiln-run");
    const RunRecord own = kiln::test::recordRun(
        store, spec, {{{QStringLiteral("y"), QStringLiteral("3")}}, {}, {{QStringLiteral("x"), {0.2, 0.6}}}, {}});
    importOk(*ws, root);

    auto table = RunTable::load(ws->db());
    QVERIFY2(table, qPrintable(errorOf(table)));
    QCOMPARE((*table)->rowCount(), 5);
    const int xLast = (*table)->findColumn(RunColumnKind::Metric, QStringLiteral("x"));
    const int yParam = (*table)->findColumn(RunColumnKind::Param, QStringLiteral("y"));
    const int lossMax = (*table)->findColumn(RunColumnKind::Metric, QStringLiteral("val/loss"), MetricStat::Max);
    QVERIFY(xLast >= 0 && yParam >= 0 && lossMax >= 0);
    const int parentRow = (*table)->rowOfRun(store.runByRef(kParent)->id);
    QCOMPARE((*table)->column(xLast).number(parentRow), 0.75);
    QCOMPARE((*table)->column(yParam).displayText(parentRow), QStringLiteral("3"));

    const RunFilter filter = RunFilter::parse(QStringLiteral("metrics.x > 0.5 and params.y = '3'"));
    QVERIFY2(filter.isValid(), qPrintable(filter.errorText()));
    QSet<qint64> matched;
    for (int row : filter.matchingRows(**table))
        matched.insert((*table)->runId(row));
    // The imported parent (x last 0.75, y 3) and Kiln's run (0.6, 3); not the child (y 4) nor
    // the running run (x 0.1, no y).
    QCOMPARE(matched, (QSet<qint64> {own.id, store.runByRef(kParent)->id}));
}

void TestMlflowImport::reimportAddsOnlyWhatChanged()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeFileStore(root);
    auto ws = workspaceIn(dir);
    const mlflow::ImportReport first = importOk(*ws, root);
    const mlflow::ImportReport second = importOk(*ws, root);
    QCOMPARE(second.runsAdded, 0);
    QCOMPARE(second.runsUpdated, 0);
    QCOMPARE(second.runsUnchanged, first.runsAdded);
    QCOMPARE(second.metricPoints, qint64(0));
    QCOMPARE(second.versionsAdded, 0);
    QVERIFY(second.runUuids.isEmpty());

    // MLflow goes on: the running run logs more and finishes, a new run appears.
    mlruns::RunSpec finished;
    finished.id = kRunning;
    finished.name = QStringLiteral("still-going");
    finished.end = mlruns::kTime + 90'000;
    finished.metricLines[QStringLiteral("x")]
        = {line(mlruns::kTime, "0.1", 0), line(mlruns::kTime + 10, "0.2", 1), line(mlruns::kTime + 20, "0.3", 2)};
    mlruns::writeRun(root, QStringLiteral("0"), finished);
    mlruns::RunSpec fresh;
    fresh.id = QStringLiteral("ab0000000000000000000000000000ab");
    fresh.name = QStringLiteral("new-one");
    fresh.metricLines[QStringLiteral("x")] = {line(mlruns::kTime, "0.4", 0)};
    mlruns::writeRun(root, QStringLiteral("1"), fresh);

    const mlflow::ImportReport third = importOk(*ws, root);
    QVERIFY2(third.runsAdded == 1 && third.runsUpdated == 1, qPrintable(describe(third)));
    QCOMPARE(third.runsUnchanged, first.runsAdded - 1);
    QCOMPARE(third.runUuids, (QStringList {kRunning, fresh.id}));
    RunStore store(ws->db());
    auto updated = store.runByRef(kRunning);
    QVERIFY(updated);
    QCOMPARE(updated->status, RunStatus::Finished);
    QCOMPARE(timeMs(updated->endedAt), mlruns::kTime + 90'000);
    QCOMPARE(pointsOf(store, updated->id, QStringLiteral("x")).size(), std::size_t(3)); // replaced, not appended
    auto all = store.runs();
    QVERIFY(all);
    QCOMPARE(all->size(), first.runsAdded + 1);
}

void TestMlflowImport::badInputIsReportedAndTheRestImported()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeFileStore(root);
    // A run whose meta.yaml does not parse, one without meta.yaml, and a bad metric line.
    const QString broken = QStringLiteral("b100000000000000000000000000000b");
    mlruns::RunSpec spec;
    spec.id = broken;
    spec.name = QStringLiteral("broken");
    mlruns::corruptMeta(mlruns::writeRun(root, QStringLiteral("1"), spec));
    const QString bare = QStringLiteral("b200000000000000000000000000000b");
    spec.id = bare;
    mlruns::removeMeta(mlruns::writeRun(root, QStringLiteral("1"), spec));
    mlruns::appendMetricLines(root + QStringLiteral("/1/") + kChild, QStringLiteral("x"),
                              {QStringLiteral("1700000000005 abc 1"), line(mlruns::kTime + 6, "0.95", 2)});

    auto ws = workspaceIn(dir);
    const mlflow::ImportReport report = importOk(*ws, root);
    QVERIFY2(report.runsAdded == 4, qPrintable(describe(report)));
    QVERIFY2(skippedNames(report, broken + QStringLiteral("/meta.yaml"), QStringLiteral("line ")),
             qPrintable(describe(report)));
    QVERIFY2(skippedNames(report, bare, QString()), qPrintable(describe(report)));
    QVERIFY2(skippedNames(report, kChild + QStringLiteral("/metrics/x"), QStringLiteral("abc")),
             qPrintable(describe(report)));
    RunStore store(ws->db());
    QVERIFY(!store.runByRef(broken));
    // The good lines around the bad one are kept.
    const std::vector<MetricPoint> x = pointsOf(store, store.runByRef(kChild)->id, QStringLiteral("x"));
    QCOMPARE(x.size(), std::size_t(2));
    QCOMPARE(x.back().value, 0.95);

    // Not a store at all: an error naming the path, nothing written.
    const QString empty = dir.filePath(QStringLiteral("nothing"));
    QDir().mkpath(empty);
    auto none = mlflow::importStore(*ws, empty, {});
    QVERIFY(!none);
    QVERIFY2(none.errorMessage().contains(QStringLiteral("nothing")), qPrintable(errorOf(none)));
}

void TestMlflowImport::databaseStore()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mlflow.db"));
    const QString parent = QStringLiteral("0123456789abcdef0123456789abcdef");
    const QString child = QStringLiteral("c0000000000000000000000000000001");
    {
        mlflowdb::DbWriter db(path);
        db.addExperiment(0, QStringLiteral("Default"));
        db.addExperiment(1, QStringLiteral("tabular"));
        db.addExperiment(2, QStringLiteral("gone"), QStringLiteral("deleted"));
        mlflowdb::RunRow row;
        row.id = parent;
        row.experimentId = 1;
        row.name = QStringLiteral("db-parent");
        row.startTimeMs = mlflowdb::kBaseTimeMs + 7;
        row.endTimeMs = mlflowdb::kBaseTimeMs + 9007;
        db.addRun(row);
        db.addChildRun(child, 1, parent, QStringLiteral("db-child"));
        db.addRun(QStringLiteral("22222222222222222222222222222222"), 2, QStringLiteral("in-deleted"));
        db.setParam(parent, QStringLiteral("y"), QStringLiteral("3"));
        db.addMetric(parent, QStringLiteral("x"), 0.5, mlflowdb::kBaseTimeMs, 0);
        db.addMetric(parent, QStringLiteral("x"), qQNaN(), mlflowdb::kBaseTimeMs + 1, 1);
        db.addMetric(parent, QStringLiteral("x"), qInf(), mlflowdb::kBaseTimeMs + 2, 2);
        db.addMetric(parent, QStringLiteral("x"), 0.8, mlflowdb::kBaseTimeMs + 3, 3);
        db.addRegisteredModel(QStringLiteral("fraud"), QStringLiteral("catches fraud"));
        db.setRegisteredModelTag(QStringLiteral("fraud"), QStringLiteral("team"), QStringLiteral("risk"));
        db.addModelVersion(QStringLiteral("fraud"), 2, parent, QStringLiteral("Production"));
        db.addModelVersion(QStringLiteral("fraud"), 5, QString(), QStringLiteral("Archived"));
        db.setModelVersionTag(QStringLiteral("fraud"), 2, QStringLiteral("approved"), QStringLiteral("true"));
        db.setAlias(QStringLiteral("fraud"), QStringLiteral("champion"), 2);
        QVERIFY2(db.ok(), qPrintable(db.error()));
    }
    auto ws = workspaceIn(dir);
    const mlflow::ImportReport report = importOk(*ws, path);
    QCOMPARE(report.kind, QStringLiteral("SQLite database"));
    QVERIFY(!report.schemaRevision.isEmpty());
    QVERIFY2(report.runsAdded == 2, qPrintable(describe(report)));
    QVERIFY(skippedNames(report, QString(), QStringLiteral("deleted in MLflow")));

    RunStore store(ws->db());
    auto p = store.runByRef(parent);
    QVERIFY(p);
    QCOMPARE(p->name, QStringLiteral("db-parent"));
    QCOMPARE(p->experiment, QStringLiteral("tabular"));
    QCOMPARE(timeMs(p->startedAt), mlflowdb::kBaseTimeMs + 7);
    QCOMPARE(timeMs(p->endedAt), mlflowdb::kBaseTimeMs + 9007);
    QCOMPARE(p->spec.command, QStringList {QStringLiteral("train.py")});
    const std::vector<MetricPoint> x = pointsOf(store, p->id, QStringLiteral("x"));
    QCOMPARE(x.size(), std::size_t(4));
    QVERIFY(std::isnan(x[1].value));
    QVERIFY(std::isinf(x[2].value));
    QCOMPARE(store.runByRef(child)->parentId, p->id);

    ModelRegistry registry(*ws);
    auto v2 = registry.version(QStringLiteral("fraud"), 2);
    QVERIFY2(v2, qPrintable(errorOf(v2)));
    QCOMPARE(v2->status, VersionStatus::Production);
    QCOMPARE(v2->runId, p->id);
    QVERIFY(v2->tags.contains({QStringLiteral("approved"), QStringLiteral("true")}));
    QCOMPARE(registry.version(QStringLiteral("fraud"), 5)->status, VersionStatus::Archived);
    QCOMPARE(registry.model(QStringLiteral("fraud"))->aliases.value(QStringLiteral("champion")), 2);

    const mlflow::ImportReport again = importOk(*ws, path);
    QCOMPARE(again.runsAdded + again.runsUpdated + again.versionsAdded, 0);
}

void TestMlflowImport::unknownDatabaseRevision()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mlflow.db"));
    {
        mlflowdb::DbWriter db(path);
        db.addExperiment(0, QStringLiteral("Default"));
        db.addRun(QStringLiteral("0123456789abcdef0123456789abcdef"), 0, QStringLiteral("future"));
        db.setRevision(QStringLiteral("ffffffffffff"));
        QVERIFY2(db.ok(), qPrintable(db.error()));
    }
    auto ws = workspaceIn(dir);
    auto report = mlflow::importStore(*ws, path, {});
    // Either refused as a whole naming the revision, or read as far as it goes with the
    // revision among the skipped reasons: never silently.
    if (!report) {
        QVERIFY2(report.errorMessage().contains(QStringLiteral("ffffffffffff")), qPrintable(errorOf(report)));
        return;
    }
    QVERIFY2(skippedNames(*report, QStringLiteral("mlflow.db"), QStringLiteral("ffffffffffff")),
             qPrintable(describe(*report)));
}

void TestMlflowImport::cancelLeavesWholeRuns()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    mlruns::createStore(root);
    for (int i = 0; i < 8; ++i) {
        mlruns::RunSpec spec;
        spec.id = QStringLiteral("a%1").arg(i + 1, 31, 10, QLatin1Char('0'));
        spec.name = QStringLiteral("run-%1").arg(i);
        spec.params = {{QStringLiteral("i"), QString::number(i)}};
        for (int step = 0; step < 50; ++step)
            spec.metricLines[QStringLiteral("loss")].append(line(mlruns::kTime + step, "0.5", step));
        mlruns::writeRun(root, QStringLiteral("0"), spec);
    }
    auto ws = workspaceIn(dir);
    Feedback feedback;
    int steps = 0;
    feedback.setProgressCallback([&](double) {
        if (++steps == 4)
            feedback.cancel();
    });
    const mlflow::ImportReport report = importOk(*ws, root, {}, &feedback);
    QVERIFY(report.runsAdded >= 1 && report.runsAdded < 8);
    RunStore store(ws->db());
    auto runs = store.runs();
    QVERIFY(runs);
    QCOMPARE(runs->size(), report.runsAdded);
    for (const RunRecord &run : *runs) {
        QVERIFY(report.runUuids.contains(run.uuid));
        QCOMPARE(run.params.size(), 1);
        QCOMPARE(pointsOf(store, run.id, QStringLiteral("loss")).size(), std::size_t(50));
    }
    // Again, uncancelled: the rest.
    const mlflow::ImportReport rest = importOk(*ws, root);
    QCOMPARE(rest.runsAdded, 8 - report.runsAdded);
    QCOMPARE(rest.runsUnchanged, report.runsAdded);
}

void TestMlflowImport::taskImportsOnItsOwnConnection()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeFileStore(root);
    auto ws = workspaceIn(dir);
    mlflow::ImportTask task(ws->location(), root);
    task.runHere();
    QCOMPARE(task.state(), Task::State::Succeeded);
    QCOMPARE(task.report().runsAdded, 4);
    QCOMPARE(task.message(), task.report().summary());
    QVERIFY(RunStore(ws->db()).runByRef(kParent)); // committed, seen by the workspace's own connection

    mlflow::ImportTask missing(ws->location(), dir.filePath(QStringLiteral("nope")));
    missing.runHere();
    QCOMPARE(missing.state(), Task::State::Failed);
    QVERIFY2(missing.message().contains(QStringLiteral("nope")), qPrintable(missing.message()));
}

void TestMlflowImport::exportThenImportGivesTheSameRuns()
{
    QTemporaryDir dir;
    auto source = workspaceIn(dir, QStringLiteral("source"));
    RunStore store(source->db());
    QList<RunRecord> made;
    for (int i = 0; i < 3; ++i) {
        RunSpec spec;
        spec.kind = RunSpec::Kind::Command;
        spec.command = {QStringLiteral("python3"), QStringLiteral("train.py")};
        spec.experiment = i < 2 ? QStringLiteral("alpha") : QStringLiteral("beta");
        spec.name = QStringLiteral("run-%1").arg(i);
        const RunRecord run = kiln::test::recordRun(
            store, spec,
            {{{QStringLiteral("lr"), QString::number(0.1 * (i + 1))},
              {QStringLiteral("layers/n"), QStringLiteral("2")}},
             {{QStringLiteral("owner"), QStringLiteral("bob")}},
             {{QStringLiteral("loss"), {1.0, std::nan(""), 0.25 * i}}, {QStringLiteral("val/acc"), {0.5, 0.6}}},
             {}});
        QVERIFY(store.claimRun(run.id));
        QVERIFY(store.markEnded(run.id, i == 1 ? RunStatus::Failed : RunStatus::Finished, 0));
        made.append(*store.run(run.id));
    }
    const QString folder = dir.filePath(QStringLiteral("exported/mlruns"));
    auto exported = mlflow::exportRuns(*source, folder);
    QVERIFY2(exported, qPrintable(errorOf(exported)));
    QCOMPARE(exported->runsWritten, 3);

    auto target = workspaceIn(dir, QStringLiteral("target"));
    const mlflow::ImportReport report = importOk(*target, folder);
    QVERIFY2(report.runsAdded == 3, qPrintable(describe(report)));
    RunStore back(target->db());
    for (const RunRecord &original : made) {
        auto run = back.runByRef(original.uuid);
        QVERIFY2(run, qPrintable(errorOf(run)));
        QCOMPARE(run->uuid, original.uuid);
        QCOMPARE(run->name, original.name);
        QCOMPARE(run->experiment, original.experiment);
        QCOMPARE(run->status, original.status);
        QCOMPARE(timeMs(run->startedAt), timeMs(original.startedAt));
        QCOMPARE(timeMs(run->endedAt), timeMs(original.endedAt));
        for (const auto &param : original.params)
            QVERIFY2(run->params.contains(param), qPrintable(param.first));
        QCOMPARE(run->params.size(), original.params.size());
        for (const auto &tag : original.tags)
            QCOMPARE(tagOf(*run, tag.first), tag.second);
        for (const QString &key : {QStringLiteral("loss"), QStringLiteral("val/acc")}) {
            const std::vector<MetricPoint> before = pointsOf(store, original.id, key);
            const std::vector<MetricPoint> after = pointsOf(back, run->id, key);
            QCOMPARE(after.size(), before.size());
            for (std::size_t i = 0; i < before.size(); ++i) {
                QCOMPARE(after[i].step, before[i].step);
                QCOMPARE(after[i].timeMs, before[i].timeMs);
                QVERIFY(after[i].value == before[i].value
                        || (std::isnan(after[i].value) && std::isnan(before[i].value)));
            }
        }
    }
    // Exported runs are Kiln's own in the source: importing them there is a conflict, not a copy.
    const mlflow::ImportReport home = importOk(*source, folder);
    QCOMPARE(home.runsAdded + home.runsUpdated, 0);
    QVERIFY2(skippedNames(home, QString(), QStringLiteral("Kiln's own run")), qPrintable(describe(home)));
}

void TestMlflowImport::kilnctlImportAndExport()
{
    if (kiln::test::onPostgres())
        QSKIP("kilnctl runs against a folder workspace here; the store suites cover PostgreSQL");
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("mlruns"));
    writeFileStore(root);
    const QString ws = dir.filePath(QStringLiteral("ws"));
    kiln::test::runKilnctl(ws, {QStringLiteral("workspace"), QStringLiteral("init"), ws});

    const kiln::test::KilnctlResult imported = kiln::test::runKilnctl(
        ws, {QStringLiteral("mlflow"), QStringLiteral("import"), root, QStringLiteral("--json")});
    QVERIFY2(imported.exitCode == 0, imported.err.constData());
    const QJsonObject json = imported.json();
    QCOMPARE(json.value(QLatin1String("runsAdded")).toInt(), 4);
    QCOMPARE(json.value(QLatin1String("versionsAdded")).toInt(), 2);
    QVERIFY(!json.value(QLatin1String("skipped")).toArray().isEmpty());
    QVERIFY(json.value(QLatin1String("runs")).toArray().contains(kParent));

    const kiln::test::KilnctlResult again = kiln::test::runKilnctl(
        ws, {QStringLiteral("mlflow"), QStringLiteral("import"), root, QStringLiteral("--json")});
    QCOMPARE(again.exitCode, 0);
    QCOMPARE(again.json().value(QLatin1String("runsAdded")).toInt(), 0);
    QCOMPARE(again.json().value(QLatin1String("runsUnchanged")).toInt(), 4);

    const kiln::test::KilnctlResult missing = kiln::test::runKilnctl(
        ws, {QStringLiteral("mlflow"), QStringLiteral("import"), dir.filePath(QStringLiteral("nope"))});
    QVERIFY(missing.exitCode != 0);
    QVERIFY2(missing.err.contains("nope"), missing.err.constData());

    const QString out = dir.filePath(QStringLiteral("out"));
    const kiln::test::KilnctlResult exported
        = kiln::test::runKilnctl(ws,
                                 {QStringLiteral("mlflow"), QStringLiteral("export"), out, QStringLiteral("--run"),
                                  kParent, QStringLiteral("--json")});
    QVERIFY2(exported.exitCode == 0, exported.err.constData());
    QCOMPARE(exported.json().value(QLatin1String("runsWritten")).toInt(), 1);
    // Under the experiment's folder, whatever number the export gave it.
    QStringList written;
    for (QDirIterator it(out, {QStringLiteral("meta.yaml")}, QDir::Files, QDirIterator::Subdirectories); it.hasNext();)
        written << QFileInfo(it.next()).dir().dirName();
    QVERIFY2(written.contains(kParent), qPrintable(written.join(u' ')));
}

QTEST_GUILESS_MAIN(TestMlflowImport)
#include "tst_mlflowimport.moc"
