// The Experiments panel offscreen, driven as a user drives it: Train… from the Data panel, a
// Python script through New Run…, Cancel from the toolbar; runs go through the app's own
// scheduler, and the run page is read back from its real widgets.

#include "builtinplugins.h"
#include "datapanel.h"
#include "datasetbrowser.h"
#include "evaluationview.h"
#include "experimentspanel.h"
#include "hyperparameterform.h"
#include "mainwindow.h"
#include "models/confusionmatrixmodel.h"
#include "models/runtablemodel.h"
#include "models/texttablemodel.h"
#include "newrundialog.h"
#include "runartifactsview.h"
#include "runcontroller.h"
#include "runcurvesview.h"
#include "runlogview.h"
#include "runoverview.h"
#include "runpage.h"
#include "runs/processidentity.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "runstableview.h"
#include "tasks/taskmanager.h"
#include "taskstatuswidget.h"
#include "testsupport.h"
#include "traindialog.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScatterSeries>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>

using namespace kiln;

namespace {

constexpr int kRows = 600;
constexpr int kRounds = 60;
constexpr double kAccuracyBar = 0.75;
constexpr int kRunTimeoutMs = 180000;

/// A binary target that follows age, income and city, with noise: learnable, not trivially.
QByteArray binaryCsv()
{
    QRandomGenerator random(20240611);
    QByteArray csv = "age,income,city,noise,label\n";
    static const char *const cities[] = {"paris", "lyon", "nice"};
    for (int i = 0; i < kRows; ++i) {
        const int age = 18 + int(random.bounded(62));
        const double income = 20000 + random.bounded(60000.0);
        const int city = int(random.bounded(3));
        const double noise = random.generateDouble();
        const double score = (age - 49) / 18.0 + (income - 50000) / 17000.0 + (city == 0 ? 0.8 : -0.4)
            + (random.generateDouble() - 0.5) * 1.2;
        csv += QByteArray::number(age) + ',' + QByteArray::number(qRound(income)) + ',' + cities[city] + ','
            + QByteArray::number(noise, 'f', 3) + ',' + (score > 0 ? "yes" : "no") + '\n';
    }
    return csv;
}

/// The run's status as the runs table shows it (Queued until the table has read the run).
RunStatus statusOf(ExperimentsPanel *panel, qint64 runId)
{
    const std::shared_ptr<const RunTable> table = panel->runModel()->table();
    const int row = table ? table->rowOfRun(runId) : -1;
    return row >= 0 ? table->status(row) : RunStatus::Queued;
}

/// The run as stored, for what the table does not show (errors, results, params).
RunRecord storedRun(MainWindow &window, qint64 runId)
{
    Expected<RunRecord> run = RunStore(window.workspace()->db()).run(runId);
    return run ? *run : RunRecord();
}

/// The model column of metric `key`'s last value.
int metricColumn(ExperimentsPanel *panel, const QString &key)
{
    return panel->runModel()->columnForKey(RunColumnKind::Metric, key);
}

} // namespace

class TestExperimentsPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trainFromDataPanel();
    void externalPythonRun();
    void regressionRunShowsPredictions();
    void cancelRunFromToolbar();
    void runLeftRunningShowsInterrupted();
    void workspaceSwitchServesTheNewWorkspace();

private:
    std::unique_ptr<MainWindow> openWindow();
    qint64 startCommand(MainWindow &window, const QString &command, const QList<QStringList> &params = {});

    QTemporaryDir m_dir;
    QString m_workspaceFolder;
    QString m_csv;
};

void TestExperimentsPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
    m_workspaceFolder = m_dir.filePath(QStringLiteral("workspace"));
    m_csv = test::writeFile(m_dir.filePath(QStringLiteral("data/customers.csv")), binaryCsv());
}

std::unique_ptr<MainWindow> TestExperimentsPanel::openWindow()
{
    auto workspace = Workspace::open(m_workspaceFolder);
    if (!workspace) {
        qWarning("%s", qPrintable(workspace.errorMessage()));
        return {};
    }
    auto window = std::make_unique<MainWindow>(std::move(workspace).value());
    window->resize(1400, 860);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return {};
    return window;
}

void TestExperimentsPanel::trainFromDataPanel()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    ExperimentsPanel *experiments = window->experimentsPanel();
    QTRY_COMPARE(experiments->runModel()->runCount(), 0);
    window->showPanel(MainWindow::Panel::Experiments);
    QVERIFY(test::savePng(window.get(), QStringLiteral("experiments-panel-no-runs.png")) > 10000);

    // Import the CSV; the Data panel opens the new version.
    QSignalSpy imported(window->taskManager(), &TaskManager::taskFinished);
    window->importPaths({m_csv});
    QVERIFY(imported.wait(60000));
    DataPanel *data = window->dataPanel();
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Data);
    QCOMPARE(data->currentVersion().datasetName, QStringLiteral("customers"));

    // Train… on the version, with the real button.
    QPushButton *trainButton = data->browser()->trainButton();
    QVERIFY(trainButton->isVisible());
    QTest::mouseClick(trainButton, Qt::LeftButton);
    TrainDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<TrainDialog>()) != nullptr);
    QVERIFY(dialog->isModal() || dialog->windowModality() == Qt::WindowModal);

    QComboBox *target = dialog->targetCombo();
    target->setCurrentIndex(target->findText(QStringLiteral("label")));
    QCOMPARE(target->currentText(), QStringLiteral("label"));
    QComboBox *trainer = dialog->trainerCombo();
    trainer->setCurrentIndex(trainer->findData(QStringLiteral("boosted-trees")));
    QVERIFY(trainer->currentIndex() >= 0);
    // The target is no feature; every other column is.
    int features = 0;
    for (int row = 0; row < dialog->featureList()->count(); ++row)
        features += dialog->featureList()->item(row)->checkState() == Qt::Checked ? 1 : 0;
    QCOMPARE(features, 4);
    auto *rounds = qobject_cast<QSpinBox *>(dialog->parameterForm()->editor(QStringLiteral("n_estimators")));
    QVERIFY(rounds);
    QCOMPARE(rounds->value(), 100); // the trainer's declared default
    QVERIFY(!rounds->toolTip().isEmpty());
    rounds->selectAll();
    QTest::keyClicks(rounds, QString::number(kRounds));
    QCOMPARE(rounds->value(), kRounds);

    // A sweep value out of range is refused in the dialog, which stays open.
    QLineEdit *depthSweep = dialog->parameterForm()->sweepEdit(QStringLiteral("max_depth"));
    QVERIFY(depthSweep);
    QTest::keyClicks(depthSweep, QStringLiteral("3, 0"));
    QPushButton *ok = dialog->buttons()->button(QDialogButtonBox::Ok);
    QTest::mouseClick(ok, Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->errorLabel()->isVisible());
    QVERIFY2(dialog->errorLabel()->text().contains(QStringLiteral("max_depth must be an integer from 1 to 20")),
             qPrintable(dialog->errorLabel()->text()));
    test::typeInto(depthSweep, QString());
    QVERIFY(dialog->parameterForm()->sweep().isEmpty());
    QVERIFY(test::savePng(dialog, QStringLiteral("train-dialog.png")) > 10000);

    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());
    const qint64 runId = dialog->submittedRunId();
    QVERIFY(runId > 0);

    // The app's own scheduler runs it; the Experiments panel shows it selected.
    QCOMPARE(window->currentPanel(), MainWindow::Panel::Experiments);
    QTRY_COMPARE(experiments->runTable()->currentRunId(), runId);
    RunPage *page = experiments->runPage();
    QCOMPARE(page->runId(), runId);
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(statusOf(experiments, runId)), kRunTimeoutMs);
    const RunRecord stored = storedRun(*window, runId);
    const RunRecord *run = &stored;
    QVERIFY2(run->status == RunStatus::Finished, qPrintable(run->error));
    QTRY_COMPARE(page->statusLabel()->text(), QStringLiteral("Finished"));

    const int accuracyColumn = metricColumn(experiments, QStringLiteral("accuracy"));
    QVERIFY(accuracyColumn >= 0);
    const QModelIndex accuracyCell = experiments->runModel()->indexForRun(runId, accuracyColumn);
    const double accuracy = accuracyCell.data(RunTableModel::ValueRole).toDouble();
    qInfo("accuracy on the test set: %.4f (fit in %.2f s, run took %.1f s)", accuracy,
          run->results.value(QStringLiteral("fit_seconds")), run->durationSeconds());
    QVERIFY2(accuracy > kAccuracyBar, qPrintable(accuracyCell.data().toString()));
    QVERIFY(!experiments->runTree()->isColumnHidden(accuracyColumn));
    QCOMPARE(metricColumn(experiments, QStringLiteral("rmse")), -1); // no regression run yet
    QCOMPARE(experiments->runModel()->indexForRun(runId, int(RunAttribute::Status)).data().toString(),
             QStringLiteral("Finished"));

    // Overview: the params as trained, the results, what reproduces the run.
    QTabWidget *tabs = page->tabs();
    tabs->setCurrentIndex(RunPage::OverviewTab);
    QList<QVariantList> params = page->overview()->paramsModel()->rows();
    QVERIFY(params.contains(QVariantList {QStringLiteral("n_estimators"), QString::number(kRounds)}));
    QVERIFY(params.contains(QVariantList {QStringLiteral("target"), QStringLiteral("label")}));
    QVERIFY(page->overview()->resultsModel()->rowCount() >= 8);
    QCOMPARE(page->overview()->resultsModel()->index(0, 0).data().toString(), QStringLiteral("Accuracy"));
    bool hashShown = false;
    for (const QVariantList &row : page->overview()->reproducibilityModel()->rows())
        hashShown
            = hashShown || (row.value(0) == QStringLiteral("Dataset SHA-256") && row.value(1).toString().size() == 64);
    QVERIFY(hashShown);
    QVERIFY(test::savePng(window.get(), QStringLiteral("run-page-overview.png")) > 20000);

    // Curves: train and validation log loss overlaid, one point per round.
    tabs->setCurrentIndex(RunPage::CurvesTab);
    RunCurvesView *curves = page->curves();
    QTRY_VERIFY(test::lineNamed(curves->chart(QStringLiteral("logloss")), QStringLiteral("validation")) != nullptr);
    QTRY_COMPARE(test::lineNamed(curves->chart(QStringLiteral("logloss")), QStringLiteral("train"))->count(), kRounds);
    QTRY_COMPARE(test::lineNamed(curves->chart(QStringLiteral("logloss")), QStringLiteral("validation"))->count(),
                 kRounds);
    QLineSeries *train = test::lineNamed(curves->chart(QStringLiteral("logloss")), QStringLiteral("train"));
    QCOMPARE(train->at(0).x(), 1.0);
    QCOMPARE(train->at(kRounds - 1).x(), double(kRounds));
    QVERIFY(train->at(kRounds - 1).y() < train->at(0).y()); // the loss went down
    QVERIFY(curves->groups().contains(QStringLiteral("auc")));
    QVERIFY(test::savePng(window.get(), QStringLiteral("run-page-curves.png")) > 20000);

    // Evaluation: a confusion matrix over every test row, and a ROC curve with its AUC.
    tabs->setCurrentIndex(RunPage::EvaluationTab);
    EvaluationView *evaluation = page->evaluation();
    QTRY_VERIFY(evaluation->hasEvaluation());
    const QJsonObject split = page->run().reproducibility.value(QStringLiteral("split")).toObject();
    const qint64 testRows = split.value(QStringLiteral("test")).toInteger();
    QVERIFY(testRows > 0);
    ConfusionMatrixModel *confusion = evaluation->confusionModel();
    QCOMPARE(confusion->rowCount(), 2);
    qint64 cells = 0;
    for (int r = 0; r < confusion->rowCount(); ++r) {
        for (int c = 0; c < confusion->columnCount(); ++c)
            cells += confusion->index(r, c).data(ConfusionMatrixModel::CountRole).toLongLong();
    }
    QCOMPARE(cells, testRows);
    QVERIFY(evaluation->confusionView()->isVisible());
    bool rocWithAuc = false;
    const QList<QAbstractSeries *> rocSeries = evaluation->rocView()->chart()->series();
    for (QAbstractSeries *series : rocSeries) {
        auto *line = qobject_cast<QLineSeries *>(series);
        rocWithAuc = rocWithAuc || (line && series->name().contains(QStringLiteral("AUC")) && line->count() >= 3);
    }
    QVERIFY(rocWithAuc);
    QCOMPARE(evaluation->classModel()->rowCount(), 2);
    QVERIFY(!evaluation->importanceView()->chart()->series().isEmpty());
    QVERIFY(test::savePng(window.get(), QStringLiteral("run-page-evaluation.png")) > 20000);

    // Log: the training lines.
    tabs->setCurrentIndex(RunPage::LogTab);
    const QString log = page->log()->editor()->toPlainText();
    QVERIFY2(log.contains(QStringLiteral("Training Boosted trees (XGBoost) on")), qPrintable(log));
    QVERIFY(log.contains(QStringLiteral("accuracy = ")));
    QVERIFY(page->log()->editor()->isReadOnly());

    // Artifacts: Save As… copies the blob out.
    tabs->setCurrentIndex(RunPage::ArtifactsTab);
    RunArtifactsView *artifacts = page->artifacts();
    QStringList paths;
    for (const QVariantList &row : artifacts->model()->rows())
        paths << row.value(0).toString();
    QVERIFY2(paths.contains(QStringLiteral("evaluation.json")), qPrintable(paths.join(u',')));
    QVERIFY(paths.contains(QStringLiteral("model.xgboost-ubj")));
    QVERIFY(paths.contains(QStringLiteral("log.txt")));
    QSignalSpy saved(artifacts, &RunArtifactsView::artifactSaved);
    const QString copy = m_dir.filePath(QStringLiteral("evaluation-copy.json"));
    artifacts->saveArtifact(QStringLiteral("evaluation.json"), copy);
    QVERIFY(saved.wait(10000));
    QVERIFY(saved.constFirst().at(1).toBool());
    QVERIFY(test::readFile(copy).contains("\"confusion\""));
    QVERIFY(test::savePng(window.get(), QStringLiteral("run-page-artifacts.png")) > 10000);

    // A sweep from the dialog, opened with Ctrl+T: one run per value, under one parent.
    window->showPanel(MainWindow::Panel::Data);
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    QTest::keyClick(window.get(), Qt::Key_T, Qt::ControlModifier);
    QTRY_VERIFY((dialog = test::visibleDialog<TrainDialog>()) != nullptr);
    dialog->targetCombo()->setCurrentIndex(dialog->targetCombo()->findText(QStringLiteral("label")));
    auto *sweepRounds = qobject_cast<QSpinBox *>(dialog->parameterForm()->editor(QStringLiteral("n_estimators")));
    sweepRounds->setValue(20);
    QTest::keyClicks(dialog->parameterForm()->sweepEdit(QStringLiteral("max_depth")), QStringLiteral("2, 4"));
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());
    const qint64 sweepId = dialog->submittedRunId();
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(statusOf(experiments, sweepId)), kRunTimeoutMs);
    QCOMPARE(statusOf(experiments, sweepId), RunStatus::Finished);
    // The sweep's points are runs of their own in the table, their parent the sweep.
    std::shared_ptr<const RunTable> table = experiments->runModel()->table();
    QList<qint64> points;
    for (int row = 0; row < table->rowCount(); ++row) {
        if (table->column(int(RunAttribute::Parent)).number(row) == double(sweepId))
            points.append(table->runId(row));
    }
    QCOMPARE(points.size(), 2);
    QStringList depths;
    for (qint64 point : std::as_const(points)) {
        QCOMPARE(statusOf(experiments, point), RunStatus::Finished);
        depths.append(
            experiments->runModel()
                ->indexForRun(point,
                              experiments->runModel()->columnForKey(RunColumnKind::Param, QStringLiteral("max_depth")))
                .data()
                .toString());
    }
    depths.sort();
    QCOMPARE(depths, (QStringList {QStringLiteral("2"), QStringLiteral("4")}));
    QVERIFY(experiments->selectRun(runId));
    page->tabs()->setCurrentIndex(RunPage::CurvesTab);
    QTRY_VERIFY(page->curves()->chart(QStringLiteral("logloss")) != nullptr);
    QTRY_COMPARE(window->findChild<TaskStatusWidget *>()->rowCount(), 0);
    QVERIFY(test::savePng(window.get(), QStringLiteral("experiments-panel.png")) > 20000);
}

void TestExperimentsPanel::regressionRunShowsPredictions()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    DataPanel *data = window->dataPanel();
    QVERIFY(data->selectVersion(QStringLiteral("customers")));
    QTest::mouseClick(data->browser()->trainButton(), Qt::LeftButton);
    TrainDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<TrainDialog>()) != nullptr);
    dialog->targetCombo()->setCurrentIndex(dialog->targetCombo()->findText(QStringLiteral("income")));
    qobject_cast<QSpinBox *>(dialog->parameterForm()->editor(QStringLiteral("n_estimators")))->setValue(30);
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());
    const qint64 runId = dialog->submittedRunId();

    ExperimentsPanel *experiments = window->experimentsPanel();
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(statusOf(experiments, runId)), kRunTimeoutMs);
    const RunRecord stored = storedRun(*window, runId);
    const RunRecord *run = &stored;
    QVERIFY2(run->status == RunStatus::Finished, qPrintable(run->error));
    QVERIFY(run->results.contains(QStringLiteral("rmse")));
    QTRY_VERIFY(metricColumn(experiments, QStringLiteral("rmse")) >= 0);
    QVERIFY(!experiments->runTree()->isColumnHidden(metricColumn(experiments, QStringLiteral("rmse"))));

    RunPage *page = experiments->runPage();
    page->tabs()->setCurrentIndex(RunPage::EvaluationTab);
    EvaluationView *evaluation = page->evaluation();
    QTRY_VERIFY(evaluation->hasEvaluation());
    QCOMPARE(evaluation->evaluation()->kind, EvaluationData::Kind::Regression);
    QCOMPARE(evaluation->metricsModel()->index(0, 0).data().toString(), QStringLiteral("RMSE"));
    QVERIFY(evaluation->scatterView()->isVisible());
    QVERIFY(!evaluation->confusionView()->isVisible());
    const qint64 testRows = page->run()
                                .reproducibility.value(QStringLiteral("split"))
                                .toObject()
                                .value(QStringLiteral("test"))
                                .toInteger();
    bool scatterOfEveryRow = false;
    const QList<QAbstractSeries *> series = evaluation->scatterView()->chart()->series();
    for (QAbstractSeries *s : series) {
        if (auto *points = qobject_cast<QScatterSeries *>(s))
            scatterOfEveryRow = points->count() == testRows;
    }
    QVERIFY(scatterOfEveryRow);
    QVERIFY(test::savePng(window.get(), QStringLiteral("run-page-regression.png")) > 20000);
}

qint64 TestExperimentsPanel::startCommand(MainWindow &window, const QString &command, const QList<QStringList> &params)
{
    ExperimentsPanel *experiments = window.experimentsPanel();
    window.showPanel(MainWindow::Panel::Experiments);
    test::clickAction(experiments->runTable()->toolBar(), experiments->newRunAction());
    NewRunDialog *dialog = nullptr;
    if (!QTest::qWaitFor([&] { return (dialog = test::visibleDialog<NewRunDialog>()) != nullptr; }, 5000))
        return 0;
    QTest::keyClicks(dialog->commandEdit(), command);
    test::typeInto(dialog->workingFolderEdit(), m_dir.path());
    for (const QStringList &param : params)
        dialog->addParam(param.value(0), param.value(1), param.value(2));
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    if (dialog->isVisible()) {
        qWarning("New Run refused: %s", qPrintable(dialog->errorLabel()->text()));
        dialog->reject();
        return 0;
    }
    return dialog->submittedRunId();
}

void TestExperimentsPanel::externalPythonRun()
{
    // Slow enough (about 4 s) for the page to show its curve and log growing while it runs.
    test::writeFile(m_dir.filePath(QStringLiteral("fit.py")), R"(import sys, time
import kiln_tracking as kiln
epochs = int(kiln.params().get("epochs", "3"))
for epoch in range(epochs):
    kiln.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
    print("epoch", epoch, "done", flush=True)
    time.sleep(0.5)
kiln.log_result("accuracy", 0.9)
)");
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    ExperimentsPanel *experiments = window->experimentsPanel();

    // Ctrl+Shift+R opens New Run…; the dialog refuses a program that does not exist, in place.
    window->showPanel(MainWindow::Panel::Experiments);
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    QTest::keyClick(window.get(), Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
    NewRunDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<NewRunDialog>()) != nullptr);
    QTest::keyClicks(dialog->commandEdit(), QStringLiteral("no-such-program-kiln --fast"));
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY2(dialog->errorLabel()->text().contains(QStringLiteral("no-such-program-kiln was not found")),
             qPrintable(dialog->errorLabel()->text()));
    test::typeInto(dialog->commandEdit(), QStringLiteral("/usr/bin/python3 fit.py"));
    test::typeInto(dialog->workingFolderEdit(), m_dir.path());
    dialog->addParam(QStringLiteral("epochs"), QStringLiteral("8"));
    QVERIFY(test::savePng(dialog, QStringLiteral("new-run-dialog.png")) > 10000);
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());
    const qint64 runId = dialog->submittedRunId();
    QVERIFY(runId > 0);
    QTRY_COMPARE(experiments->runTable()->currentRunId(), runId);

    // While it runs, the page's curve and log grow: points and lines appear before the end.
    RunPage *page = experiments->runPage();
    page->tabs()->setCurrentIndex(RunPage::CurvesTab);
    const auto lossLine
        = [page] { return test::lineNamed(page->curves()->chart(QStringLiteral("loss")), QStringLiteral("loss")); };
    QTRY_VERIFY_WITH_TIMEOUT(lossLine() && lossLine()->count() >= 2, 30000);
    const int pointsWhileRunning = lossLine()->count();
    const bool stillRunning = statusOf(experiments, runId) == RunStatus::Running;
    QTRY_VERIFY(page->log()->editor()->toPlainText().contains(QStringLiteral("epoch 1 done")));
    qInfo("live: %d of 8 points on the chart while the run was %s", pointsWhileRunning,
          stillRunning ? "running" : "already over");
    QVERIFY(stillRunning);
    QVERIFY(pointsWhileRunning < 8);

    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(statusOf(experiments, runId)), kRunTimeoutMs);
    const RunRecord stored = storedRun(*window, runId);
    const RunRecord *run = &stored;
    QVERIFY2(run->status == RunStatus::Finished, qPrintable(run->error));
    QCOMPARE(run->results.value(QStringLiteral("accuracy")), 0.9);
    QCOMPARE(run->name, QStringLiteral("python3 fit.py"));

    QTRY_VERIFY(test::lineNamed(page->curves()->chart(QStringLiteral("loss")), QStringLiteral("loss")) != nullptr);
    QTRY_COMPARE(test::lineNamed(page->curves()->chart(QStringLiteral("loss")), QStringLiteral("loss"))->count(), 8);
    // Kiln sampled the script's CPU and memory every second, in charts of their own.
    QTRY_VERIFY(page->curves()->chart(QStringLiteral("system/memory_mib")) != nullptr);
    QVERIFY(test::savePng(window.get(), QStringLiteral("run-page-script-curves.png")) > 10000);
    page->tabs()->setCurrentIndex(RunPage::LogTab);
    QTRY_VERIFY(page->log()->editor()->toPlainText().contains(QStringLiteral("epoch 7 done")));
    // Protocol lines are recorded, not logged.
    QVERIFY(!page->log()->editor()->toPlainText().contains(QStringLiteral("\"kiln\"")));
    QVERIFY(test::savePng(window.get(), QStringLiteral("run-page-log.png")) > 10000);
}

void TestExperimentsPanel::cancelRunFromToolbar()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    ExperimentsPanel *experiments = window->experimentsPanel();
    auto *taskStatus = window->findChild<TaskStatusWidget *>();
    QVERIFY(taskStatus);

    const qint64 runId = startCommand(*window, QStringLiteral("sleep 300"));
    QVERIFY(runId > 0);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(experiments, runId), RunStatus::Running, 30000);
    // The running run is a task in the status bar, with its own Cancel.
    QTRY_VERIFY(taskStatus->rowCount() >= 1);
    QTRY_COMPARE(experiments->runTable()->currentRunId(), runId);
    QTRY_VERIFY(experiments->cancelAction()->isEnabled());
    QTRY_COMPARE(experiments->runPage()->statusLabel()->text(), QStringLiteral("Running"));

    test::clickAction(experiments->runTable()->toolBar(), experiments->cancelAction());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(experiments, runId), RunStatus::Cancelled, 30000);
    QTRY_COMPARE(experiments->runPage()->statusLabel()->text(), QStringLiteral("Cancelled"));
    experiments->runPage()->tabs()->setCurrentIndex(RunPage::OverviewTab);
    QVERIFY(test::savePng(window.get(), QStringLiteral("run-page-cancelled.png")) > 10000);
    QTRY_COMPARE(taskStatus->rowCount(), 0);
    QVERIFY(!experiments->cancelAction()->isEnabled());
}

void TestExperimentsPanel::runLeftRunningShowsInterrupted()
{
    // A run marked running by a process that has since died, as after a crash.
    qint64 runId = 0;
    {
        auto workspace = Workspace::open(m_workspaceFolder);
        QVERIFY(workspace);
        RunStore store((*workspace)->db());
        RunSpec spec;
        spec.kind = RunSpec::Kind::Command;
        spec.command = {QStringLiteral("/bin/true")};
        spec.name = QStringLiteral("orphan");
        Expected<RunRecord> run = store.createRun(spec);
        QVERIFY(run);
        runId = run->id;
        QProcess gone;
        gone.start(QStringLiteral("/bin/true"), {});
        QVERIFY(gone.waitForFinished(10000));
        const qint64 deadPid = gone.processId() > 0 ? gone.processId() : 999999;
        auto claim = (*workspace)
                         ->db()
                         .prepare("UPDATE runs SET status = 'running', started_at = ?, host = ?, runner_pid = ?, "
                                  "runner_start = 'gone' "
                                  "WHERE id = ?");
        QVERIFY(claim);
        claim->bind(1, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs))
            .bind(2, ProcessIdentity::hostName())
            .bind(3, deadPid)
            .bind(4, runId);
        QVERIFY(claim->exec().ok());
    }
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    ExperimentsPanel *experiments = window->experimentsPanel();
    QCOMPARE(statusOf(experiments, runId), RunStatus::Interrupted);
    QVERIFY(experiments->selectRun(runId));
    QCOMPARE(experiments->runPage()->statusLabel()->text(), QStringLiteral("Interrupted"));
    QVERIFY(
        experiments->runPage()->findChild<QLabel *>(QStringLiteral("runError"))->isVisibleTo(experiments->runPage()));
}

void TestExperimentsPanel::workspaceSwitchServesTheNewWorkspace()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    ExperimentsPanel *experiments = window->experimentsPanel();
    QTRY_VERIFY(experiments->runModel()->runCount() > 0);
    QVERIFY(window->runController()->scheduler());

    // A run still going in the old workspace when the window switches goes on to its end.
    const qint64 oldRun = startCommand(*window, QStringLiteral("/bin/sh -c \"sleep 1; echo done\""));
    QVERIFY(oldRun > 0);
    // The store says so at once; the table's poll may see it only after the run ended.
    QTRY_COMPARE_WITH_TIMEOUT(storedRun(*window, oldRun).status, RunStatus::Running, 30000);

    const QString other = m_dir.filePath(QStringLiteral("other-workspace"));
    QVERIFY(window->openWorkspace(other, Workspace::OpenMode::CreateIfMissing).ok());
    QVERIFY(window->runController()->scheduler());
    QTRY_COMPARE(experiments->runModel()->runCount(), 0);
    QCOMPARE(experiments->runPage()->runId(), qint64(0));
    {
        auto previous = Workspace::open(m_workspaceFolder, Workspace::OpenMode::OpenExisting);
        QVERIFY(previous);
        const RunStore store((*previous)->db());
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(store.run(oldRun, false)->status), kRunTimeoutMs);
        QCOMPARE(store.run(oldRun, false)->status, RunStatus::Finished);
    }

    // Runs submitted now run in the new workspace, through its own scheduler.
    const qint64 runId = startCommand(*window, QStringLiteral("/bin/sh -c \"echo hello from the other workspace\""));
    QVERIFY(runId > 0);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(experiments, runId), RunStatus::Finished, kRunTimeoutMs);
    QCOMPARE(window->runController()->workspace()->root(), QDir(other).absolutePath());
    QTRY_VERIFY(
        experiments->runPage()->log()->editor()->toPlainText().contains(QStringLiteral("hello from the other")));
}

QTEST_MAIN(TestExperimentsPanel)
#include "tst_experimentspanel.moc"
