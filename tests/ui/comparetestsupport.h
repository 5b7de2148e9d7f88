#pragma once

// The workspace the comparison-view tests compare runs in: a CSV imported by the real importer,
// three runs trained by the built-in trainers through the real scheduler, and one plain run
// without an evaluation. A test class derives from TrainedWorkspaceTest and calls
// setUpWorkspace() in its initTestCase(). Header-only, like uitestsupport.h.

#include "builtinplugins.h"
#include "compare/comparisonview.h"
#include "data/datasetimport.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "runs/sweep.h"
#include "tasks/feedback.h"
#include "tasks/taskmanager.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QObject>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

namespace kiln::test {

inline constexpr int kRows = 300;
inline constexpr int kRunTimeoutMs = 240000;

/// Three grades that follow height, weight and colour, with noise: learnable, not trivially.
inline QByteArray gradesCsv()
{
    QRandomGenerator random(20240917);
    QByteArray csv = "height,weight,colour,noise,grade\n";
    static const char *const colours[] = {"red", "green", "blue"};
    for (int i = 0; i < kRows; ++i) {
        const double height = random.bounded(100.0);
        const double weight = random.bounded(50.0);
        const int colour = int(random.bounded(3));
        const double noise = random.generateDouble();
        const double score
            = height / 100 + weight / 50 + (colour == 0 ? 0.3 : 0.0) + (random.generateDouble() - 0.5) * 0.5;
        const char *grade = score < 0.85 ? "low" : score < 1.35 ? "mid" : "high";
        csv += QByteArray::number(height, 'f', 2) + ',' + QByteArray::number(weight, 'f', 2) + ',' + colours[colour]
            + ',' + QByteArray::number(noise, 'f', 3) + ',' + grade + '\n';
    }
    return csv;
}

inline RunSpec trainerSpec(const QString &trainer, const QString &name, int rounds, int depth)
{
    RunSpec spec;
    spec.experiment = QStringLiteral("grades");
    spec.name = name;
    spec.trainer = trainer;
    spec.datasetRef = QStringLiteral("grades@1");
    spec.target = QStringLiteral("grade");
    spec.params.insert(QStringLiteral("n_estimators"), rounds);
    spec.params.insert(QStringLiteral("max_depth"), depth);
    spec.params.insert(QStringLiteral("n_threads"), 1);
    return spec;
}

/// Shows `view` at `size`, exposed: what every comparison-view test starts with.
inline bool showAt(QWidget &view, QSize size)
{
    view.resize(size);
    view.show();
    return QTest::qWaitForWindowExposed(&view);
}

/// A test class over the trained workspace: setUpWorkspace() in initTestCase(),
/// tearDownWorkspace() in cleanupTestCase().
class TrainedWorkspaceTest : public QObject
{
protected:
    void setUpWorkspace();
    void tearDownWorkspace();
    Comparison comparisonOf(const QList<qint64> &runIds) const;
    QString outputPath(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_workspace;
    std::shared_ptr<const RunTable> m_table;
    qint64 m_plain = 0;
    qint64 m_shallow = 0; ///< boosted trees, max_depth 2
    qint64 m_deep = 0; ///< boosted trees, max_depth 4
    qint64 m_forest = 0; ///< random forest, max_depth 3, fewer trees
};

inline void TrainedWorkspaceTest::setUpWorkspace()
{
    QStandardPaths::setTestModeEnabled(true);
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
    auto workspace = Workspace::open(m_dir.filePath(QStringLiteral("workspace")));
    QVERIFY2(workspace, workspace ? "" : qPrintable(workspace.errorMessage()));
    m_workspace = std::move(workspace).value();

    ImportRequest request;
    request.paths = {test::writeFile(m_dir.filePath(QStringLiteral("data/grades.csv")), gradesCsv())};
    Feedback feedback;
    const ImportReport report = importPaths(*m_workspace, request, feedback);
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));
    QCOMPARE(report.imported.size(), 1);
    QCOMPARE(report.imported.constFirst().name, QStringLiteral("grades"));

    // A plain run, as a notebook logs it: a param, a tag, a loss curve, no evaluation.
    RunStore store(m_workspace->db());
    RunSpec plainSpec;
    plainSpec.kind = RunSpec::Kind::Command;
    plainSpec.experiment = QStringLiteral("grades");
    plainSpec.name = QStringLiteral("notebook");
    plainSpec.command = {QStringLiteral("/bin/true")};
    Expected<RunRecord> plain = store.createRun(plainSpec);
    QVERIFY2(plain, plain ? "" : qPrintable(plain.errorMessage()));
    m_plain = plain->id;
    Expected<std::optional<RunRecord>> claimed = store.claimNextQueued();
    QVERIFY(claimed && claimed->has_value());
    QCOMPARE((*claimed)->id, m_plain);
    QVERIFY(store.setParams(m_plain, {{QStringLiteral("optimizer"), QStringLiteral("adam")}}).ok());
    QVERIFY(store.setTags(m_plain, {{QStringLiteral("origin"), QStringLiteral("notebook")}}).ok());
    std::vector<MetricPoint> loss;
    loss.reserve(5);
    for (int step = 0; step < 5; ++step)
        loss.push_back({step, QDateTime::currentMSecsSinceEpoch(), 1.0 / (step + 1)});
    QVERIFY(store.appendMetrics(m_plain, {{QStringLiteral("loss"), loss}}).ok());
    QVERIFY(store.markEnded(m_plain, RunStatus::Finished, 0).ok());

    // Three trained runs, through the scheduler the app uses.
    const auto submit = [&](const RunSpec &spec) {
        Expected<RunRecord> run = submitRun(store, spec);
        if (!run)
            qFatal("%s", qPrintable(run.errorMessage()));
        return run->id;
    };
    m_shallow = submit(trainerSpec(QStringLiteral("boosted-trees"), QStringLiteral("shallow"), 15, 2));
    m_deep = submit(trainerSpec(QStringLiteral("boosted-trees"), QStringLiteral("deep"), 15, 4));
    m_forest = submit(trainerSpec(QStringLiteral("random-forest"), QStringLiteral("forest"), 10, 3));
    TaskManager tasks;
    RunScheduler scheduler(m_workspace->root(), tasks);
    scheduler.setConcurrency(2);
    QVERIFY(scheduler.start().ok());
    scheduler.poke();
    for (qint64 runId : {m_shallow, m_deep, m_forest}) {
        QVERIFY(QTest::qWaitFor([&] { return isTerminal(store.run(runId, false)->status); }, kRunTimeoutMs));
        const Expected<RunRecord> run = store.run(runId, false);
        QVERIFY2(run->status == RunStatus::Finished, qPrintable(run->error));
    }
    scheduler.stop();

    Expected<std::shared_ptr<const RunTable>> table = RunTable::load(m_workspace->db());
    QVERIFY2(table, table ? "" : qPrintable(table.errorMessage()));
    m_table = *table;
    QCOMPARE(m_table->rowCount(), 4);
}

inline void TrainedWorkspaceTest::tearDownWorkspace()
{
    m_table.reset();
    m_workspace.reset();
}

inline Comparison TrainedWorkspaceTest::comparisonOf(const QList<qint64> &runIds) const
{
    Comparison comparison;
    comparison.table = m_table;
    comparison.workspace = m_workspace.get();
    for (qint64 runId : runIds)
        comparison.rows.push_back(m_table->rowOfRun(runId));
    return comparison;
}

} // namespace kiln::test
