// MLflow in the desktop app, driven as a user drives it: an mlruns folder and an mlflow.db
// dropped on the real window (import with progress, the skipped report, the imported runs
// selected beside Kiln's own and drawn by the metric overlay), File ▸ Export Runs to MLflow…
// through its folder dialog, files given on the command line, and the layout kept across
// restarts. Screenshots under KILN_TEST_OUTPUT.

#include "../mlflow/mlflowdbwriter.h"
#include "../mlflow/mlrunswriter.h"
#include "../registry/registrytestsupport.h"
#include "builtinplugins.h"
#include "compare/metricoverlayview.h"
#include "datapanel.h"
#include "dropoverlay.h"
#include "elidedlabel.h"
#include "experimentspanel.h"
#include "mainwindow.h"
#include "mlflow/mlflowstore.h"
#include "mlflowcontroller.h"
#include "models/runtablemodel.h"
#include "models/texttablemodel.h"
#include "modelspanel.h"
#include "plotwidget.h"
#include "registry/bundle.h"
#include "registry/modelregistry.h"
#include "runoverview.h"
#include "runpage.h"
#include "runs/runstore.h"
#include "runstableview.h"
#include "tasks/taskmanager.h"
#include "testsupport.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QTreeWidget>

using namespace kiln;
namespace mlruns = kiln::test::mlruns;

namespace {

constexpr int kImportTimeoutMs = 120000;
constexpr int kSteps = 40;
const QString kExperiment = QStringLiteral("mnist");
const QString kRunA = QStringLiteral("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1");
const QString kRunB = QStringLiteral("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2");
const QString kChild = QStringLiteral("c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3");
const QString kBroken = QStringLiteral("d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4");
const QString kDbRun1 = QStringLiteral("e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5");
const QString kDbRun2 = QStringLiteral("f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6");

/// A loss curve that falls from `start` over kSteps steps, as MLflow's metric lines.
QStringList lossLines(double start)
{
    QStringList lines;
    for (int step = 0; step < kSteps; ++step)
        lines << mlruns::metricLine(mlruns::kTime + step * 1000, QString::number(start / (1.0 + step * 0.1)), step);
    return lines;
}

mlruns::RunSpec mlflowRun(const QString &id, const QString &name, double start)
{
    mlruns::RunSpec run;
    run.id = id;
    run.name = name;
    run.user = QStringLiteral("ada");
    run.params = {{QStringLiteral("lr"), QString::number(start / 100.0)},
                  {QStringLiteral("optimizer"), QStringLiteral("adam")}};
    run.tags = {{QStringLiteral("mlflow.source.name"), QStringLiteral("train.py")},
                {QStringLiteral("mlflow.source.type"), QStringLiteral("LOCAL")},
                {QStringLiteral("mlflow.user"), QStringLiteral("ada")}};
    run.metricLines.insert(QStringLiteral("loss"), lossLines(start));
    return run;
}

/// The status bar's task row for a task, or the task itself: started tasks by object name.
QStringList taskNames(const QSignalSpy &started)
{
    QStringList names;
    for (const QList<QVariant> &arguments : started)
        names << arguments.at(0).value<Task *>()->objectName();
    return names;
}

QString reproducibilityText(const RunOverview *overview)
{
    QStringList lines;
    const TextTableModel *model = overview->reproducibilityModel();
    for (int row = 0; row < model->rowCount(); ++row)
        lines << model->index(row, 0).data().toString() + QStringLiteral(": ") + model->index(row, 1).data().toString();
    return lines.join(u'\n');
}

} // namespace

class TestMlflowUi final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dropMlrunsComparesWithKilnRuns();
    void importedRunPage();
    void dropDatabase();
    void storeThatDoesNotOpenShowsError();
    void exportThroughTheMenu();
    void commandLineFiles();
    void layoutIsRestored();

private:
    std::unique_ptr<Workspace> openWorkspace();
    /// A window on the test workspace, shown (at a fixed size unless not `fixedSize`: as restored).
    std::unique_ptr<MainWindow> showWindow(bool fixedSize = true);
    qint64 runIdOf(const QString &uuid);

    QTemporaryDir m_dir;
    QString m_workspaceFolder;
    QString m_project; ///< holds mlruns/
    QString m_database; ///< an mlflow.db
    qint64 m_kilnRun = 0;
};

void TestMlflowUi::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
    m_workspaceFolder = m_dir.filePath(QStringLiteral("workspace"));

    // Kiln's own run of the same experiment: a finished command run with a loss curve.
    {
        auto workspace = openWorkspace();
        QVERIFY(workspace);
        RunStore store(workspace->db());
        RunSpec spec;
        spec.kind = RunSpec::Kind::Command;
        spec.experiment = kExperiment;
        spec.name = QStringLiteral("kiln-baseline");
        spec.command = {QStringLiteral("python3"), QStringLiteral("train.py")};
        Expected<RunRecord> run = store.createRun(spec);
        QVERIFY2(run, run ? "" : qPrintable(run.errorMessage()));
        m_kilnRun = run->id;
        QVERIFY(store.claimRun(m_kilnRun));
        std::vector<MetricPoint> loss;
        for (int step = 0; step < kSteps; ++step)
            loss.push_back({step, mlruns::kTime + step * 1000, 1.5 / (1.0 + step * 0.05)});
        QVERIFY(store.appendMetrics(m_kilnRun, {{QStringLiteral("loss"), loss}}).ok());
        QVERIFY(store.markEnded(m_kilnRun, RunStatus::Finished, 0).ok());
    }

    // project/mlruns: experiment "mnist" with two runs, a nested run, and a run whose
    // meta.yaml is malformed (reported as skipped, with its path).
    m_project = m_dir.filePath(QStringLiteral("project"));
    const QString root = m_project + QStringLiteral("/mlruns");
    mlruns::createStore(root);
    mlruns::writeExperiment(root, QStringLiteral("1"), kExperiment);
    mlruns::writeRun(root, QStringLiteral("1"), mlflowRun(kRunA, QStringLiteral("mlflow-adam"), 2.0));
    mlruns::writeRun(root, QStringLiteral("1"), mlflowRun(kRunB, QStringLiteral("mlflow-sgd"), 2.6));
    mlruns::RunSpec child = mlflowRun(kChild, QStringLiteral("mlflow-fold-1"), 2.2);
    child.tags.append({QStringLiteral("mlflow.parentRunId"), kRunA});
    mlruns::writeRun(root, QStringLiteral("1"), child);
    mlruns::corruptMeta(mlruns::writeRun(root, QStringLiteral("1"), mlflowRun(kBroken, QStringLiteral("broken"), 3.0)));

    // db/mlflow.db: another experiment with two runs.
    m_database = m_dir.filePath(QStringLiteral("db/mlflow.db"));
    QDir().mkpath(QFileInfo(m_database).path());
    ::test::mlflowdb::DbWriter db(m_database);
    db.addExperiment(1, QStringLiteral("from-db"));
    db.addRun(kDbRun1, 1, QStringLiteral("db-run-1"));
    db.addRun(kDbRun2, 1, QStringLiteral("db-run-2"));
    for (int step = 0; step < kSteps; ++step) {
        db.addMetric(kDbRun1, QStringLiteral("loss"), 1.8 / (1.0 + step * 0.1), mlruns::kTime + step, step);
        db.addMetric(kDbRun2, QStringLiteral("loss"), 1.9 / (1.0 + step * 0.2), mlruns::kTime + step, step);
    }
    db.setParam(kDbRun1, QStringLiteral("lr"), QStringLiteral("0.1"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    db.close();
    QVERIFY(mlflow::Reader::looksLikeStore(m_project));
    QVERIFY(mlflow::Reader::looksLikeStore(m_database));
}

std::unique_ptr<Workspace> TestMlflowUi::openWorkspace()
{
    Expected<std::unique_ptr<Workspace>> workspace = Workspace::open(m_workspaceFolder);
    if (!workspace)
        qWarning("%s", qPrintable(workspace.errorMessage()));
    return workspace ? std::move(workspace).value() : nullptr;
}

std::unique_ptr<MainWindow> TestMlflowUi::showWindow(bool fixedSize)
{
    auto window = std::make_unique<MainWindow>(openWorkspace());
    if (fixedSize)
        window->resize(1500, 950);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        qWarning("window not exposed");
    window->activateWindow();
    return window;
}

qint64 TestMlflowUi::runIdOf(const QString &uuid)
{
    auto workspace = openWorkspace();
    const Expected<RunRecord> run = RunStore(workspace->db()).runByRef(uuid);
    return run ? run->id : 0;
}

void TestMlflowUi::dropMlrunsComparesWithKilnRuns()
{
    auto window = showWindow();
    ExperimentsPanel *panel = window->experimentsPanel();
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Data);
    auto *overlay = window->findChild<DropOverlay *>(QStringLiteral("dropOverlay"));
    QVERIFY(overlay);
    QVERIFY2(overlay->text().contains(QStringLiteral("MLflow")), qPrintable(overlay->text()));

    // The folder that holds mlruns/, dropped on the Data panel: imported as MLflow, not as data.
    QSignalSpy started(window->taskManager(), &TaskManager::taskStarted);
    QSignalSpy imported(window->mlflowController(), &MlflowController::storeImported);
    QVERIFY(kiln::test::dropFiles(window->dataPanel(), {m_project}));
    QCOMPARE(taskNames(started), QStringList {QStringLiteral("mlflowImportTask")});
    QVERIFY(imported.wait(kImportTimeoutMs));
    const auto report = imported.constFirst().at(1).value<mlflow::ImportReport>();
    QCOMPARE(report.runsAdded, 3);
    for (const QString &uuid : {kRunA, kRunB, kChild})
        QVERIFY2(report.runUuids.contains(uuid), qPrintable(report.runUuids.join(u',')));

    // The Experiments panel shows, the imported runs selected.
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Experiments);
    const qint64 runA = runIdOf(kRunA);
    const qint64 runB = runIdOf(kRunB);
    const qint64 child = runIdOf(kChild);
    QVERIFY(runA != 0 && runB != 0 && child != 0);
    QTRY_VERIFY(panel->selectedRunIds().size() == 3);
    for (qint64 id : {runA, runB, child})
        QVERIFY(panel->selectedRunIds().contains(id));
    QVERIFY(window->statusBar()->currentMessage().contains(report.summary()));

    // The report lists the malformed run by its path, copyable.
    MlflowReportDialog *dialog = window->mlflowController()->reportDialog();
    QTRY_VERIFY(dialog && dialog->isVisible());
    QVERIFY(!dialog->isModal());
    QVERIFY(dialog->list()->topLevelItemCount() >= 1);
    QVERIFY2(dialog->text().contains(kBroken), qPrintable(dialog->text()));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("copyReportButton")), Qt::LeftButton);
    QVERIFY(QGuiApplication::clipboard()->text().contains(kBroken));
    QVERIFY(kiln::test::savePng(dialog, QStringLiteral("mlflow-report.png")) > 5000);
    dialog->close();

    // Kiln's own run added to the selection (Ctrl+click), as a user compares them.
    QTreeView *tree = panel->runTree();
    kiln::test::clickRow(tree, panel->runModel()->indexForRun(m_kilnRun, int(RunAttribute::Name)), Qt::ControlModifier);
    QTRY_COMPARE(panel->selectedRunIds().size(), 4);
    QVERIFY(panel->selectedRunIds().contains(m_kilnRun));
    QVERIFY(kiln::test::savePng(window.get(), QStringLiteral("mlflow-imported-runs.png")) > 20000);

    // The metric overlay draws one loss series per run, MLflow's and Kiln's.
    kiln::test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Overlay));
    auto *view = qobject_cast<MetricOverlayView *>(panel->comparisonView(ExperimentsPanel::Tab::Overlay));
    QVERIFY(view);
    QTRY_VERIFY(view->metrics().contains(QStringLiteral("loss")));
    view->setCurrentMetric(QStringLiteral("loss"));
    QTRY_VERIFY(!view->isLoading() && view->plot()->series().size() == 4);
    QSet<qint64> drawn;
    for (const PlotSeries &series : view->plot()->series()) {
        drawn.insert(series.runId);
        QCOMPARE(qsizetype(series.y->size()), qsizetype(kSteps));
    }
    QCOMPARE(drawn, (QSet<qint64> {runA, runB, child, m_kilnRun}));
    QVERIFY(kiln::test::savePng(window.get(), QStringLiteral("mlflow-compare.png")) > 20000);

    // Dropped again: nothing new, no duplicate runs.
    imported.clear();
    QVERIFY(kiln::test::dropFiles(panel->runTree()->viewport(), {m_project + QStringLiteral("/mlruns")}));
    QVERIFY(imported.wait(kImportTimeoutMs));
    const auto again = imported.constFirst().at(1).value<mlflow::ImportReport>();
    QCOMPARE(again.runsAdded, 0);
    QCOMPARE(again.runsUnchanged, 3);
    window->close();
}

void TestMlflowUi::importedRunPage()
{
    auto window = showWindow();
    window->showPanel(MainWindow::Panel::Experiments);
    ExperimentsPanel *panel = window->experimentsPanel();
    const qint64 child = runIdOf(kChild);
    const qint64 parent = runIdOf(kRunA);
    QTRY_VERIFY(panel->selectRun(child));
    kiln::test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Run));
    RunPage *page = panel->runPage();
    QTRY_COMPARE(page->runId(), child);
    QCOMPARE(page->run().spec.kind, RunSpec::Kind::Imported);
    auto *details = page->findChild<ElidedLabel *>(QStringLiteral("runDetails"));
    QVERIFY(details);
    QVERIFY2(details->fullText().contains(QStringLiteral("MLflow: train.py")), qPrintable(details->fullText()));

    // Where it came from: MLflow's run id, store and user; its parent like a sweep point's.
    const QString text = reproducibilityText(page->overview());
    QVERIFY2(text.contains(QStringLiteral("Source: MLflow: train.py")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Parent run: Run %1 · mlflow-adam").arg(parent)), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("MLflow run id: ") + kChild), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("MLflow user: ada")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("MLflow store: ") + QDir::toNativeSeparators(m_project)), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("fingerprint")), qPrintable(text));
    QVERIFY2(!text.contains(QStringLiteral("Seed")), qPrintable(text));
    // Nothing on the page or the Run menu runs it again: it ran elsewhere.
    const QList<QAction *> actions = window->findChildren<QAction *>();
    for (QAction *action : actions)
        QVERIFY2(!action->text().contains(QStringLiteral("again"), Qt::CaseInsensitive), qPrintable(action->text()));
    window->close();
}

void TestMlflowUi::dropDatabase()
{
    auto window = showWindow();
    QSignalSpy imported(window->mlflowController(), &MlflowController::storeImported);
    QVERIFY(kiln::test::dropFiles(window.get(), {m_database}));
    QVERIFY(imported.wait(kImportTimeoutMs));
    const auto report = imported.constFirst().at(1).value<mlflow::ImportReport>();
    QCOMPARE(report.runsAdded, 2);
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Experiments);
    const qint64 first = runIdOf(kDbRun1);
    const qint64 second = runIdOf(kDbRun2);
    QVERIFY(first != 0 && second != 0);
    QTRY_VERIFY(window->experimentsPanel()->selectedRunIds().contains(first));
    QVERIFY(window->experimentsPanel()->selectedRunIds().contains(second));
    QVERIFY(!window->mlflowController()->errorDialog());
    window->close();
}

void TestMlflowUi::storeThatDoesNotOpenShowsError()
{
    auto window = showWindow();
    // An SQLite file without MLflow's tables, chosen with File ▸ Import MLflow Database….
    const QString notMlflow = m_dir.filePath(QStringLiteral("other/other.db"));
    QDir().mkpath(QFileInfo(notMlflow).path());
    {
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(notMlflow.toUtf8().constData(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "CREATE TABLE notes (text TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    window->importMlflowDatabaseAction()->trigger();
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = kiln::test::visibleDialog<QFileDialog>()) != nullptr);
    QCOMPARE(dialog->objectName(), QStringLiteral("importMlflowDatabaseDialog"));
    dialog->selectFile(notMlflow);
    static_cast<QDialog *>(dialog)->accept();
    QMessageBox *box = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((box = window->mlflowController()->errorDialog()) != nullptr, kImportTimeoutMs);
    QVERIFY(box->isVisible());
    QVERIFY2(box->text().contains(QStringLiteral("other.db")), qPrintable(box->text()));
    box->close();
    window->close();
}

void TestMlflowUi::exportThroughTheMenu()
{
    auto window = showWindow();
    window->showPanel(MainWindow::Panel::Experiments);
    ExperimentsPanel *panel = window->experimentsPanel();
    const qint64 runA = runIdOf(kRunA);
    QTRY_VERIFY(panel->runModel()->indexForRun(m_kilnRun).isValid() && panel->runModel()->indexForRun(runA).isValid());
    panel->selectRuns({m_kilnRun, runA});
    QTRY_COMPARE(panel->selectedRunIds().size(), 2);

    // Ctrl+Alt+E, a folder chosen in the dialog: the two runs go to <folder>/mlruns.
    const QString folder = m_dir.filePath(QStringLiteral("exported"));
    QVERIFY(QDir().mkpath(folder));
    QCOMPARE(window->exportMlflowAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E));
    QSignalSpy exported(window->mlflowController(), &MlflowController::runsExported);
    QSignalSpy started(window->taskManager(), &TaskManager::taskStarted);
    QTest::keyClick(window.get(), Qt::Key_E, Qt::ControlModifier | Qt::AltModifier);
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = kiln::test::visibleDialog<QFileDialog>()) != nullptr);
    QCOMPARE(dialog->objectName(), QStringLiteral("exportMlflowDialog"));
    dialog->setDirectory(folder);
    dialog->selectFile(folder);
    static_cast<QDialog *>(dialog)->accept();
    QTRY_VERIFY(!kiln::test::visibleDialog<QFileDialog>());
    QCOMPARE(taskNames(started), QStringList {QStringLiteral("mlflowExportTask")});
    QVERIFY(exported.wait(kImportTimeoutMs));
    const auto report = exported.constFirst().at(1).value<mlflow::ExportReport>();
    QCOMPARE(report.runsWritten, 2);
    const QString mlrunsFolder = folder + QStringLiteral("/mlruns");
    QCOMPARE(QDir::cleanPath(report.folder), QDir::cleanPath(mlrunsFolder));
    QVERIFY(window->statusBar()->currentMessage().contains(report.summary()));

    // MLflow's layout, read back by the reader: both runs under their ids.
    QVERIFY(QFileInfo(mlrunsFolder).isDir());
    Expected<std::unique_ptr<mlflow::Reader>> reader = mlflow::Reader::open(mlrunsFolder);
    QVERIFY2(reader, reader ? "" : qPrintable(reader.errorMessage()));
    QStringList ids;
    const Expected<QList<mlflow::Experiment>> experiments = (*reader)->experiments();
    QVERIFY(experiments);
    for (const mlflow::Experiment &experiment : *experiments) {
        const Expected<QList<mlflow::Run>> runs = (*reader)->runs(experiment);
        QVERIFY(runs);
        for (const mlflow::Run &run : *runs) {
            ids << run.id;
            QVERIFY(QFileInfo(run.sourcePath + QStringLiteral("/meta.yaml")).isFile());
        }
    }
    auto workspace = openWorkspace();
    const QString kilnUuid = RunStore(workspace->db()).run(m_kilnRun)->uuid;
    ids.sort();
    QStringList expected {kilnUuid, kRunA};
    expected.sort();
    QCOMPARE(ids, expected);
    window->close();
}

void TestMlflowUi::commandLineFiles()
{
    // A bundle: a trained, registered model exported from another workspace.
    kiln::test::TrainedRegistryWorkspace trained;
    kiln::test::TrainedRegistryWorkspace::create(m_dir.filePath(QStringLiteral("trained")), trained,
                                                 m_dir.filePath(QStringLiteral("trained-data")));
    QVERIFY(trained.workspace);
    ModelRegistry registry(*trained.workspace);
    Expected<ModelVersion> version = registry.registerRun(trained.classifier, QStringLiteral("loans-default"));
    QVERIFY2(version, version ? "" : qPrintable(version.errorMessage()));
    const QString bundlePath
        = m_dir.filePath(QStringLiteral("bundles/loans-default-v1") + QLatin1String(bundle::kSuffix));
    QDir().mkpath(QFileInfo(bundlePath).path());
    const Status exported = exportBundle(*trained.workspace, QStringLiteral("loans-default@1"), bundlePath);
    QVERIFY2(exported, exported ? "" : qPrintable(exported.errorMessage()));
    const QString csv = kiln::test::writeFile(m_dir.filePath(QStringLiteral("cli/readings.csv")), "a,b\n1,2\n3,4\n");
    const QString missing = m_dir.filePath(QStringLiteral("cli/nowhere.csv"));

    // `kiln BUNDLE FILE MISSING`: nothing happens before the event loop runs, then the
    // bundle goes to the Models panel's import, the CSV to a dataset import, and the
    // missing file is named in an error.
    auto window = std::make_unique<MainWindow>(openWorkspace());
    QSignalSpy started(window->taskManager(), &TaskManager::taskStarted);
    window->openFiles({bundlePath, csv, missing});
    QCOMPARE(started.count(), 0);
    window->resize(1400, 900);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    QTRY_COMPARE(started.count(), 2);
    const QStringList names = taskNames(started);
    QVERIFY2(names.contains(QStringLiteral("importBundleTask")), qPrintable(names.join(u',')));
    QVERIFY2(names.contains(QStringLiteral("importTask")), qPrintable(names.join(u',')));
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Models);
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = kiln::test::visibleDialog<QMessageBox>()) != nullptr);
    QVERIFY2(box->text().contains(QDir::toNativeSeparators(missing)), qPrintable(box->text()));
    box->close();
    QTRY_VERIFY_WITH_TIMEOUT(ModelRegistry(*window->workspace()).version(QStringLiteral("loans-default"), 1),
                             kImportTimeoutMs);

    // `kiln mlflow.db`: an MLflow store on the command line is imported as a drop is.
    QSignalSpy imported(window->mlflowController(), &MlflowController::storeImported);
    window->openFiles({m_database});
    QVERIFY(imported.wait(kImportTimeoutMs));
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Experiments);
    window->close();
}

void TestMlflowUi::layoutIsRestored()
{
    QList<int> sizes;
    QSize size;
    {
        auto window = showWindow();
        window->resize(1300, 880);
        window->showPanel(MainWindow::Panel::Experiments);
        ExperimentsPanel *panel = window->experimentsPanel();
        QTRY_VERIFY(panel->runModel()->runCount() > 0);
        QSplitter *splitter = panel->splitter();
        splitter->setSizes({260, splitter->height() - 260 - splitter->handleWidth()});
        sizes = splitter->sizes();
        // The Source column hidden, as the header's menu hides it.
        panel->runTable()->setColumnShown(int(RunAttribute::Source), false);
        panel->showTab(ExperimentsPanel::Tab::Diff);
        size = window->size();
        QVERIFY(window->close());
    }
    auto window = showWindow(false);
    QTRY_COMPARE(window->size(), size);
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Experiments);
    ExperimentsPanel *panel = window->experimentsPanel();
    QCOMPARE(panel->currentTab(), ExperimentsPanel::Tab::Diff);
    QTRY_VERIFY(panel->runModel()->runCount() > 0);
    QTRY_COMPARE(panel->splitter()->sizes(), sizes);
    QVERIFY(!panel->runTable()->isColumnShown(int(RunAttribute::Source)));
    QVERIFY(panel->runTree()->isColumnHidden(int(RunAttribute::Source)));
    QVERIFY(!panel->runTree()->isColumnHidden(int(RunAttribute::Name)));
    window->close();
}

QTEST_MAIN(TestMlflowUi)
#include "tst_mlflowui.moc"
