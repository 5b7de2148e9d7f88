// The registry journey of a new user through the real window, offscreen: select the trained
// run in Experiments, Run ▸ Register Model… (Ctrl+Shift+M), name it, call it champion
// (Ctrl+L), read its card and lineage, export it as a bundle, open a fresh workspace, drop the
// data and the bundle onto the window, and get the same predictions there. A tampered bundle
// dropped onto the window is refused with its name and the reason, and nothing of it is kept.

#include "../registry/registrytestsupport.h"
#include "data/datasetcatalog.h"
#include "data/datasettable.h"
#include "experimentspanel.h"
#include "importcontroller.h"
#include "lineageview.h"
#include "mainwindow.h"
#include "modeldialogs.h"
#include "modelpages.h"
#include "modelspanel.h"
#include "registry/modelregistry.h"
#include "registry/predictor.h"
#include "runstableview.h"
#include "uitestsupport.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>

using namespace kiln;

namespace {

const QString kModel = QStringLiteral("loans-default");

/// Every prediction value of `ref` in `workspace` on the dataset version `datasetRef` there.
std::vector<double> predictionsOf(Workspace &workspace, const QString &ref, const QString &datasetRef)
{
    Expected<std::shared_ptr<const LoadedModel>> model = LoadedModel::load(workspace, ref);
    if (!model)
        qFatal("%s", qPrintable(model.errorMessage()));
    Expected<DatasetVersion> version = DatasetCatalog(workspace.db()).versionByRef(datasetRef);
    if (!version)
        qFatal("%s", qPrintable(version.errorMessage()));
    Expected<std::shared_ptr<const DatasetTable>> table = DatasetTable::open(workspace.blobs(), *version);
    if (!table)
        qFatal("%s", qPrintable(table.errorMessage()));
    Expected<Predictions> predictions = (*model)->predict(**table);
    if (!predictions)
        qFatal("%s", qPrintable(predictions.errorMessage()));
    return predictions->values;
}

QMessageBox *visibleErrorBox()
{
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (QWidget *window : windows) {
        if (auto *box = qobject_cast<QMessageBox *>(window); box && box->isVisible())
            return box;
    }
    return nullptr;
}

} // namespace

class TestModelsFlow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void registerNameChampionExportImport();

private:
    QTemporaryDir m_dir;
    test::TrainedRegistryWorkspace m_trained;
};

void TestModelsFlow::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::TrainedRegistryWorkspace::create(m_dir.filePath(QStringLiteral("workspace")), m_trained,
                                           m_dir.filePath(QStringLiteral("data")));
    QVERIFY(m_trained.workspace);
}

void TestModelsFlow::registerNameChampionExportImport()
{
    auto opened = Workspace::open(m_trained.workspace->root(), Workspace::OpenMode::OpenExisting);
    QVERIFY2(opened, opened ? "" : qPrintable(opened.errorMessage()));
    MainWindow window(std::move(opened).value());
    window.resize(1500, 950);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Experiments: the trained run is current; Register Model… is offered for it.
    window.showPanel(MainWindow::Panel::Experiments);
    ExperimentsPanel *experiments = window.experimentsPanel();
    QTRY_VERIFY(experiments->selectRun(m_trained.classifier));
    QTRY_VERIFY(experiments->registerModelAction()->isEnabled());
    QTest::keyClick(&window, Qt::Key_M, Qt::ControlModifier | Qt::ShiftModifier);
    RegisterModelDialog *registerDialog = nullptr;
    QTRY_VERIFY((registerDialog = test::visibleDialog<RegisterModelDialog>()));
    QCOMPARE(window.currentPanel(), MainWindow::Panel::Models);
    test::typeInto(registerDialog->nameCombo()->lineEdit(), kModel);
    QTest::mouseClick(registerDialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<RegisterModelDialog>());
    ModelsPanel *models = window.modelsPanel();
    QCOMPARE(models->currentModel(), kModel);
    QCOMPARE(models->currentVersion(), 1);

    // Name it champion: Ctrl+L from the versions table.
    auto *versions = models->findChild<QTableView *>(QStringLiteral("versionsTable"));
    QVERIFY(versions);
    versions->setFocus();
    QTest::keyClick(versions, Qt::Key_L, Qt::ControlModifier);
    SetAliasDialog *aliasDialog = nullptr;
    QTRY_VERIFY((aliasDialog = test::visibleDialog<SetAliasDialog>()));
    test::typeInto(aliasDialog->aliasCombo()->lineEdit(), QStringLiteral("champion"));
    QTest::mouseClick(aliasDialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<SetAliasDialog>());
    ModelRegistry registry(*window.workspace());
    const Expected<ModelVersion> champion = registry.version(kModel + QStringLiteral("@champion"));
    QVERIFY2(champion, champion ? "" : qPrintable(champion.errorMessage()));
    QCOMPARE(champion->version, 1);
    QCOMPARE(champion->runId, m_trained.classifier);

    // Its card reads as prefilled, with the data and the schema.
    auto *tabs = models->findChild<QTabWidget *>(QStringLiteral("versionTabs"));
    auto *card = models->findChild<ModelCardPage *>(QStringLiteral("modelCardPage"));
    QVERIFY(tabs && card);
    tabs->setCurrentWidget(card);
    const QString cardText = card->browser()->document()->toPlainText();
    QVERIFY2(cardText.contains(QStringLiteral("loans-default v1")), qPrintable(cardText));
    QVERIFY(cardText.contains(QStringLiteral("loans@1")));
    QVERIFY(cardText.contains(QStringLiteral("Input schema")));
    QVERIFY(test::savePng(&window, QStringLiteral("models-window-card.png")) > 10000);

    // The lineage graph clicks through to the run in Experiments.
    auto *lineage = models->findChild<LineageView *>(QStringLiteral("lineageView"));
    QVERIFY(lineage);
    for (int tab = 0; tab < tabs->count(); ++tab) {
        if (tabs->widget(tab) == lineage || tabs->widget(tab)->isAncestorOf(lineage))
            tabs->setCurrentIndex(tab);
    }
    QTRY_VERIFY(lineage->isVisible());
    QCOMPARE(lineage->nodeCount(), 4); // dataset, run, version, "not deployed"
    QVERIFY(test::savePng(&window, QStringLiteral("models-window-lineage.png")) > 10000);
    const QPoint runNode = lineage->mapFromScene(lineage->nodeCenter(LineageView::Node::Run));
    QTest::mouseClick(lineage->viewport(), Qt::LeftButton, Qt::NoModifier, runNode);
    QCOMPARE(window.currentPanel(), MainWindow::Panel::Experiments);
    QCOMPARE(experiments->runTable()->currentRunId(), m_trained.classifier);
    window.showPanel(MainWindow::Panel::Models);

    // Export the champion as a bundle.
    const QString bundlePath = m_dir.filePath(QStringLiteral("loans-default-v1.kiln.tar.gz"));
    QSignalSpy exported(models, &ModelsPanel::bundleExported);
    models->exportCurrentVersion(bundlePath);
    QVERIFY(exported.wait(60000));
    QVERIFY(QFileInfo::exists(bundlePath));

    // A fresh workspace: drop the data, then the bundle, onto the window.
    const QString fresh = m_dir.filePath(QStringLiteral("fresh"));
    QVERIFY(window.openWorkspace(fresh, Workspace::OpenMode::CreateIfMissing).ok());
    QSignalSpy dataImported(window.importController(), &ImportController::importFinished);
    QVERIFY(test::dropFiles(&window, {m_dir.filePath(QStringLiteral("data/loans.csv"))}));
    QVERIFY(dataImported.wait(60000));
    QTRY_COMPARE(window.currentPanel(), MainWindow::Panel::Data);
    QVERIFY(DatasetCatalog(window.workspace()->db()).versionByRef(QStringLiteral("loans@1")).ok());
    QVERIFY(test::dropFiles(&window, {bundlePath}));
    QTRY_COMPARE_WITH_TIMEOUT(models->currentModel(), kModel, 60000);
    QCOMPARE(window.currentPanel(), MainWindow::Panel::Models);
    QCOMPARE(models->currentVersion(), 1);
    const Expected<ModelVersion> imported = ModelRegistry(*window.workspace()).version(kModel + QStringLiteral("@1"));
    QVERIFY2(imported, imported ? "" : qPrintable(imported.errorMessage()));
    QCOMPARE(imported->lineage.source, QStringLiteral("bundle"));
    QCOMPARE(imported->modelSha256, champion->modelSha256);
    QVERIFY(test::savePng(&window, QStringLiteral("models-window-imported.png")) > 10000);

    // Same predictions on the same rows in both workspaces.
    const std::vector<double> here
        = predictionsOf(*window.workspace(), kModel + QStringLiteral("@1"), QStringLiteral("loans@1"));
    const std::vector<double> there
        = predictionsOf(*m_trained.workspace, kModel + QStringLiteral("@champion"), QStringLiteral("loans@1"));
    QCOMPARE(here.size(), std::size_t(test::kLoanRows) * 2);
    QVERIFY(here == there);

    // A tampered bundle: one byte of the model changed, the manifest intact. Refused by name,
    // and the registry is as it was.
    QByteArray bytes = test::readFile(bundlePath);
    QVERIFY(!bytes.isEmpty());
    const QString tampered = m_dir.filePath(QStringLiteral("tampered.kiln.tar.gz"));
    bytes[bytes.size() - 40] = char(bytes[bytes.size() - 40] ^ 0x5a);
    test::writeFile(tampered, bytes);
    QVERIFY(test::dropFiles(&window, {tampered}));
    QMessageBox *box = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((box = visibleErrorBox()), 60000);
    const QString message = box->text() + u' ' + box->informativeText();
    QVERIFY2(message.contains(QStringLiteral("tampered.kiln.tar.gz")), qPrintable(message));
    box->close();
    const Expected<QList<ModelVersion>> after = ModelRegistry(*window.workspace()).versions(kModel);
    QVERIFY(after);
    QCOMPARE(after->size(), 1);
}

QTEST_MAIN(TestModelsFlow)
#include "tst_modelsflow.moc"
