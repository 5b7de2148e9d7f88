// Comparison in the real window, offscreen, driven as a user drives it: type a filter (and a
// wrong one), select runs with real clicks, open the metric overlay, parallel coordinates
// (brushing with a real drag) and the diff, export, save and reopen a named view, and open
// the demo workspace from the Help menu. A screenshot of each view goes to the test output.

#include "builtinplugins.h"
#include "compare/diffview.h"
#include "compare/metricoverlayview.h"
#include "compare/parallelcoordinatesview.h"
#include "experimentspanel.h"
#include "mainwindow.h"
#include "models/rundiffmodel.h"
#include "models/runtablemodel.h"
#include "modelspanel.h"
#include "plotwidget.h"
#include "registry/modelregistry.h"
#include "runcolors.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "runstableview.h"
#include "testsupport.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>

using namespace kiln;

namespace {

constexpr int kSteps = 5000; // more points than the chart has pixel columns: decimation at work
constexpr int kSweepRuns = 6;

/// The six points of a max_depth × eta sweep, each with a loss curve that has one spike at
/// a step of its own, a validation AUC, a test accuracy and the same team tag.
struct SweepRun
{
    qint64 id = 0;
    int depth = 0;
    QString eta;
    qint64 spikeStep = 0;
    double spike = 0;
};

void finishRun(RunStore &store, const RunSpec &spec, const QList<QPair<QString, QString>> &params,
               const QList<QPair<QString, QString>> &tags, const QHash<QString, std::vector<MetricPoint>> &metrics,
               const QMap<QString, double> &results, qint64 *id)
{
    Expected<RunRecord> run = store.createRun(spec);
    QVERIFY2(run, run ? "" : qPrintable(run.errorMessage()));
    Expected<std::optional<RunRecord>> claimed = store.claimNextQueued();
    QVERIFY(claimed && claimed->has_value());
    QVERIFY(store.setParams(run->id, params).ok());
    QVERIFY(store.setTags(run->id, tags).ok());
    QVERIFY(store.appendMetrics(run->id, metrics).ok());
    QVERIFY(store.setResults(run->id, results).ok());
    QVERIFY(store.markEnded(run->id, RunStatus::Finished, 0).ok());
    *id = run->id;
}

QModelIndex rowOf(RunTableModel *model, qint64 runId)
{
    return model->indexForRun(runId, int(RunAttribute::Name));
}

} // namespace

class TestComparison final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void runColoursAreStableAndDistinct();
    void compareSelectedRuns();
    void namedViewsReopen();
    void demoWorkspaceFromHelpMenu();

private:
    std::unique_ptr<MainWindow> openWindow(const QString &folder);

    QTemporaryDir m_dir;
    QString m_workspaceFolder;
    QList<SweepRun> m_sweep;
    qint64 m_otherRun = 0;
};

void TestComparison::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
    m_workspaceFolder = m_dir.filePath(QStringLiteral("workspace"));
    auto workspace = Workspace::open(m_workspaceFolder);
    QVERIFY(workspace);
    RunStore store((*workspace)->db());
    const QStringList etas = {QStringLiteral("0.1"), QStringLiteral("0.3")};
    for (int depth : {3, 5, 7}) {
        for (const QString &eta : etas) {
            SweepRun run;
            run.depth = depth;
            run.eta = eta;
            run.spikeStep = 500 + 611 * qint64(m_sweep.size());
            run.spike = 5.0 + double(m_sweep.size());
            std::vector<MetricPoint> loss;
            std::vector<MetricPoint> auc;
            for (qint64 step = 0; step < kSteps; ++step) {
                const double value = step == run.spikeStep ? run.spike : 1.0 / (1.0 + 0.001 * double(step * depth));
                loss.push_back({step, 1700000000000 + step * 10, value});
                if (step % 50 == 0)
                    auc.push_back({step, 1700000000000 + step * 10, 0.5 + 0.4 * double(step) / kSteps});
            }
            RunSpec spec;
            spec.kind = RunSpec::Kind::Command;
            spec.experiment = QStringLiteral("sweep");
            spec.name = QStringLiteral("depth %1 eta %2").arg(depth).arg(eta);
            spec.command = {QStringLiteral("python3"), QStringLiteral("train.py")};
            finishRun(store, spec,
                      {{QStringLiteral("max_depth"), QString::number(depth)}, {QStringLiteral("eta"), eta}},
                      {{QStringLiteral("team"), QStringLiteral("vision")}},
                      {{QStringLiteral("train/loss"), loss}, {QStringLiteral("validation/auc"), auc}},
                      {{QStringLiteral("accuracy"), 0.8 + 0.01 * depth + (eta == etas.at(0) ? 0.0 : 0.005)}}, &run.id);
            m_sweep.append(run);
        }
    }
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.experiment = QStringLiteral("other");
    spec.name = QStringLiteral("reinforcement");
    spec.command = {QStringLiteral("python3"), QStringLiteral("agent.py")};
    finishRun(store, spec, {{QStringLiteral("gamma"), QStringLiteral("0.99")}}, {},
              {{QStringLiteral("reward"), {{0, 1700000000000, 1.0}, {1, 1700000000100, 2.0}}}}, {}, &m_otherRun);
}

void TestComparison::runColoursAreStableAndDistinct()
{
    // 200 runs on one chart: each keeps its colour whatever else is selected, and almost
    // every one differs from the others.
    QSet<QRgb> colours;
    for (qint64 id = 1; id <= 200; ++id) {
        QCOMPARE(runColor(id), runColor(id));
        colours.insert(runColor(id).rgb());
        QVERIFY(runColor(id) != runColor(id + 1));
    }
    QVERIFY2(colours.size() >= 190, qPrintable(QString::number(colours.size())));
}

std::unique_ptr<MainWindow> TestComparison::openWindow(const QString &folder)
{
    auto workspace = Workspace::open(folder);
    if (!workspace) {
        qWarning("%s", qPrintable(workspace.errorMessage()));
        return {};
    }
    auto window = std::make_unique<MainWindow>(std::move(workspace).value());
    window->resize(1600, 1000);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return {};
    window->showPanel(MainWindow::Panel::Experiments);
    return window;
}

void TestComparison::compareSelectedRuns()
{
    std::unique_ptr<MainWindow> window = openWindow(m_workspaceFolder);
    QVERIFY(window);
    ExperimentsPanel *panel = window->experimentsPanel();
    RunTableModel *model = panel->runModel();
    QTRY_COMPARE(model->runCount(), kSweepRuns + 1);

    // A filter typed in MLflow's syntax narrows the table.
    QLineEdit *filter = panel->runTable()->filterEdit();
    test::typeInto(filter, QStringLiteral("params.max_depth >= 5 and tags.team = 'vision'"));
    QTest::keyClick(filter, Qt::Key_Return);
    QTRY_COMPARE(model->visibleRunCount(), 4);
    // A wrong one says where it fails and leaves the last good result, never an empty table.
    test::typeInto(filter, QStringLiteral("metrics.accuracy >"));
    QTest::keyClick(filter, Qt::Key_Return);
    QTRY_VERIFY(!panel->runTable()->filterError().isEmpty());
    QVERIFY2(panel->runTable()->filterError().startsWith(QStringLiteral("column 19")),
             qPrintable(panel->runTable()->filterError()));
    QCOMPARE(model->visibleRunCount(), 4);
    QVERIFY(test::savePng(panel, QStringLiteral("comparison-filter-error.png")) > 10000);
    test::typeInto(filter, QString());
    QTest::keyClick(filter, Qt::Key_Return);
    QTRY_COMPARE(model->visibleRunCount(), kSweepRuns + 1);
    QVERIFY(panel->runTable()->filterError().isEmpty());

    // Select the six sweep runs with a click and a Shift+click.
    QTreeView *tree = panel->runTree();
    test::clickRow(tree, rowOf(model, m_sweep.first().id));
    test::clickRow(tree, rowOf(model, m_sweep.last().id), Qt::ShiftModifier);
    QTRY_COMPARE(panel->selectedRunIds().size(), kSweepRuns);
    QVERIFY(!panel->selectedRunIds().contains(m_otherRun));

    // Overlay: every point of every run, in the run's colour; the legend says what differs.
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Overlay));
    auto *overlay = qobject_cast<MetricOverlayView *>(panel->comparisonView(ExperimentsPanel::Tab::Overlay));
    QVERIFY(overlay);
    QTRY_VERIFY(overlay->metrics().contains(QStringLiteral("train/loss")));
    overlay->metricCombo()->setCurrentIndex(overlay->metricCombo()->findData(QStringLiteral("train/loss")) >= 0
                                                ? overlay->metricCombo()->findData(QStringLiteral("train/loss"))
                                                : overlay->metricCombo()->findText(QStringLiteral("train/loss")));
    QCOMPARE(overlay->currentMetric(), QStringLiteral("train/loss"));
    QTRY_VERIFY(!overlay->isLoading() && overlay->plot()->series().size() == kSweepRuns);
    for (const PlotSeries &series : overlay->plot()->series()) {
        QCOMPARE(series.x->size(), std::size_t(kSteps));
        QCOMPARE(series.color, runColor(series.runId));
    }
    // Each run's spike is there to read at its step: nothing was sampled away.
    for (const SweepRun &run : std::as_const(m_sweep)) {
        bool found = false;
        const QList<PlotReadout> values = overlay->plot()->valuesAt(double(run.spikeStep));
        for (const PlotReadout &value : values) {
            if (value.runId == run.id) {
                QCOMPARE(value.y, run.spike);
                found = true;
            }
        }
        QVERIFY2(found, qPrintable(QStringLiteral("run %1 has no value at step %2").arg(run.id).arg(run.spikeStep)));
    }
    QCOMPARE(overlay->legend()->count(), kSweepRuns);
    const QString legendText = overlay->legend()->item(0)->text();
    QVERIFY2(legendText.contains(QStringLiteral("max_depth=")), qPrintable(legendText));
    QVERIFY2(!legendText.contains(QStringLiteral("team")), qPrintable(legendText));
    QVERIFY(test::savePng(panel, QStringLiteral("comparison-overlay.png")) > 20000);

    // Exports of what the user sees: PNG and SVG of the chart, CSV of the table.
    QString error;
    const QString png = m_dir.filePath(QStringLiteral("overlay.png"));
    QVERIFY2(panel->exportCurrentView(png, &error), qPrintable(error));
    QVERIFY(!QImage(png).isNull());
    const QString svg = m_dir.filePath(QStringLiteral("overlay.svg"));
    QVERIFY2(panel->exportCurrentView(svg, &error), qPrintable(error));
    QSvgRenderer svgRenderer(svg);
    QVERIFY(svgRenderer.isValid());
    QVERIFY(test::readFile(svg).contains("<polyline"));
    const QString csv = m_dir.filePath(QStringLiteral("runs.csv"));
    QSignalSpy exported(panel->runTable(), &RunsTableView::csvExported);
    panel->runTable()->exportCsv(csv);
    QVERIFY(exported.wait());
    QVERIFY2(exported.constFirst().at(1).toBool(), qPrintable(exported.constFirst().at(2).toString()));
    QCOMPARE(test::readFile(csv).count('\n'), kSweepRuns + 2); // the header and every run

    // Parallel coordinates: a line per run; brushing the top of max_depth filters the table.
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Parallel));
    auto *parallel = qobject_cast<ParallelCoordinatesView *>(panel->comparisonView(ExperimentsPanel::Tab::Parallel));
    QVERIFY(parallel);
    QTRY_COMPARE(parallel->lineCount(), kSweepRuns);
    const int depthAxis = int(parallel->axisLabels().indexOf(QStringLiteral("max_depth")));
    QVERIFY2(depthAxis >= 0, qPrintable(parallel->axisLabels().join(u',')));
    QVERIFY(parallel->axisLabels().contains(QStringLiteral("eta")));
    QSignalSpy brushed(parallel, &ParallelCoordinatesView::brushChanged);
    QWidget *canvas = parallel->canvas();
    QTest::mousePress(canvas, Qt::LeftButton, {}, parallel->axisPoint(depthAxis, 1.0));
    QTest::mouseMove(canvas, parallel->axisPoint(depthAxis, 0.8));
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, parallel->axisPoint(depthAxis, 0.75));
    QTRY_VERIFY(!brushed.isEmpty());
    QTRY_COMPARE(model->visibleRunCount(), 2); // the two runs of depth 7
    QCOMPARE(panel->selectedRunIds().size(), 2); // the compared runs the table still shows
    QCOMPARE(parallel->lineCount(), kSweepRuns);
    for (int row = 0; row < model->rowCount(); ++row) {
        const qint64 id = model->runIdAt(model->index(row, 0));
        QCOMPARE(model->indexForRun(id, model->columnForKey(RunColumnKind::Param, QStringLiteral("max_depth")))
                     .data()
                     .toString(),
                 QStringLiteral("7"));
    }
    QVERIFY(test::savePng(panel, QStringLiteral("comparison-parallel.png")) > 20000);
    // A click on the axis away from the brush clears it; the table shows every run again.
    QTest::mouseClick(canvas, Qt::LeftButton, {}, parallel->axisPoint(depthAxis, 0.1));
    QTRY_COMPARE(model->visibleRunCount(), kSweepRuns + 1);
    // The brush narrowed the table, not the comparison: the six runs are selected again.
    QTRY_COMPARE(panel->selectedRunIds().size(), kSweepRuns);
    QCOMPARE(parallel->lineCount(), kSweepRuns);

    // Diff: only what differs (max_depth, eta, accuracy), not the shared team tag.
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Diff));
    auto *diff = qobject_cast<DiffView *>(panel->comparisonView(ExperimentsPanel::Tab::Diff));
    QVERIFY(diff);
    QTRY_COMPARE(diff->model()->runCount(), kSweepRuns);
    QVERIFY(diff->onlyDifferencesBox()->isChecked());
    QVERIFY(diff->model()->indexOfField(QStringLiteral("params.max_depth")).isValid());
    QVERIFY(diff->model()->indexOfField(QStringLiteral("params.eta")).isValid());
    QVERIFY(diff->model()->indexOfField(QStringLiteral("metrics.accuracy")).isValid());
    QVERIFY(!diff->model()->indexOfField(QStringLiteral("tags.team")).isValid());
    QVERIFY(!diff->noteLabel()->isVisible());
    QVERIFY(test::savePng(panel, QStringLiteral("comparison-diff.png")) > 20000);
    const QString diffCsv = m_dir.filePath(QStringLiteral("diff.csv"));
    QVERIFY2(panel->exportCurrentView(diffCsv, &error), qPrintable(error));
    QVERIFY(test::readFile(diffCsv).contains("max_depth"));

    // Runs with no metric in common: the diff says so.
    test::clickRow(tree, rowOf(model, m_otherRun));
    test::clickRow(tree, rowOf(model, m_sweep.first().id), Qt::ControlModifier);
    QTRY_COMPARE(diff->model()->runCount(), 2);
    QTRY_VERIFY(diff->noteLabel()->isVisible());
    QVERIFY2(diff->noteLabel()->text().contains(QStringLiteral("no metric in common")),
             qPrintable(diff->noteLabel()->text()));
}

void TestComparison::namedViewsReopen()
{
    std::unique_ptr<MainWindow> window = openWindow(m_workspaceFolder);
    QVERIFY(window);
    ExperimentsPanel *panel = window->experimentsPanel();
    RunTableModel *model = panel->runModel();
    QTRY_COMPARE(model->runCount(), kSweepRuns + 1);
    QVERIFY(panel->runTable()->applyFilter(QStringLiteral("params.eta = '0.1'")));
    QTRY_COMPARE(model->visibleRunCount(), 3);
    const QList<qint64> chosen = {m_sweep.at(0).id, m_sweep.at(2).id};
    panel->selectRuns(chosen);
    QTRY_COMPARE(panel->selectedRunIds().size(), 2);
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Diff));
    QString error;
    QVERIFY2(panel->saveView(QStringLiteral("shallow vs medium"), &error), qPrintable(error));

    // Change everything, then reopen the view, in a new window on the same workspace.
    QVERIFY(panel->runTable()->applyFilter(QString()));
    panel->selectRuns({m_otherRun});
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Overlay));
    window.reset();
    window = openWindow(m_workspaceFolder);
    QVERIFY(window);
    panel = window->experimentsPanel();
    model = panel->runModel();
    QTRY_COMPARE(model->runCount(), kSweepRuns + 1);
    QVERIFY2(panel->openView(QStringLiteral("shallow vs medium"), &error), qPrintable(error));
    QTRY_COMPARE(panel->selectedRunIds().size(), 2);
    QList<qint64> selected = panel->selectedRunIds();
    std::sort(selected.begin(), selected.end());
    QCOMPARE(selected, chosen);
    QCOMPARE(panel->runTable()->filterEdit()->text(), QStringLiteral("params.eta = '0.1'"));
    QCOMPARE(model->visibleRunCount(), 3);
    QCOMPARE(panel->currentTab(), ExperimentsPanel::Tab::Diff);
    QVERIFY(!panel->openView(QStringLiteral("no such view"), &error));
    QVERIFY(error.contains(QStringLiteral("no such view")));
}

void TestComparison::demoWorkspaceFromHelpMenu()
{
    const QString demo = MainWindow::demoWorkspaceFolder();
    QVERIFY(QDir(demo).removeRecursively());
    std::unique_ptr<MainWindow> window = openWindow(m_workspaceFolder);
    QVERIFY(window);
    QAction *action = window->findChild<QAction *>(QStringLiteral("openDemoAction"));
    QVERIFY(action);
    action->trigger();
    // Real data imported and a real sweep trained: it takes seconds, not a minute.
    QTRY_VERIFY_WITH_TIMEOUT(window->workspace() && window->workspace()->root() == demo, 120000);
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Experiments);
    ExperimentsPanel *panel = window->experimentsPanel();
    QTRY_VERIFY(panel->runModel()->runCount() >= 10);
    const std::shared_ptr<const RunTable> table = panel->runModel()->table();
    for (int row = 0; row < table->rowCount(); ++row)
        QCOMPARE(table->status(row), RunStatus::Finished);
    const int accuracy = table->findColumn(RunColumnKind::Metric, QStringLiteral("accuracy"));
    QVERIFY(accuracy >= 0);
    int accurate = 0;
    for (int row = 0; row < table->rowCount(); ++row)
        accurate += table->column(accuracy).number(row) > 0.5 ? 1 : 0;
    QVERIFY(accurate >= 3);
    QTest::mouseClick(panel->runTree()->viewport(), Qt::LeftButton, {},
                      panel->runTree()->visualRect(panel->runModel()->index(0, 0)).center());
    QTest::keyClick(panel->runTree(), Qt::Key_A, Qt::ControlModifier);
    QTRY_COMPARE(panel->selectedRunIds().size(), table->rowCount());
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Overlay));
    auto *overlay = qobject_cast<MetricOverlayView *>(panel->comparisonView(ExperimentsPanel::Tab::Overlay));
    QTRY_VERIFY(!overlay->isLoading() && !overlay->plot()->series().isEmpty());
    QVERIFY(test::savePng(window.get(), QStringLiteral("demo-workspace.png")) > 20000);
    // The Models panel has each experiment's best run registered as champion.
    window->showPanel(MainWindow::Panel::Models);
    QTRY_COMPARE(window->modelsPanel()->currentModel(), QStringLiteral("churn"));
    QCOMPARE(window->modelsPanel()->currentVersion(), 1);
    const Expected<ModelVersion> champion
        = ModelRegistry(*window->workspace()).version(QStringLiteral("churn@champion"));
    QVERIFY2(champion, champion ? "" : qPrintable(champion.errorMessage()));
    QCOMPARE(champion->version, 1);
    QVERIFY(test::savePng(window.get(), QStringLiteral("demo-models.png")) > 20000);
    // Opening it again opens what is there.
    QVERIFY(window->openWorkspace(m_workspaceFolder, Workspace::OpenMode::OpenExisting).ok());
    action->trigger();
    QTRY_VERIFY(window->workspace()->root() == demo);
}

QTEST_MAIN(TestComparison)
#include "tst_comparison.moc"
