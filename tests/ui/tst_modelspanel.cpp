// The Models panel over a workspace with trained runs, offscreen, driven as a user drives it:
// register a run through the Register Model dialog (typed, clicked), set and move the
// champion alias through the Set Alias dialog, edit a version's tags (shortcut and context
// menu, typed into the tags table), read and edit the card, click through the
// lineage graph, read the signature, compare two versions, archive, delete (confirmed; and
// refused while deployed), export a bundle through its task and import it again. The test
// functions run in order on one panel; a screenshot of each state goes to the test output.

#include "../registry/registrytestsupport.h"
#include "elidedlabel.h"
#include "emptystatewidget.h"
#include "lineageview.h"
#include "modelcomparepage.h"
#include "modeldialogs.h"
#include "modelpages.h"
#include "models/registrymodels.h"
#include "models/texttablemodel.h"
#include "modelspanel.h"
#include "registry/bundle.h"
#include "registry/modelregistry.h"
#include "tasks/taskmanager.h"
#include "uitestsupport.h"

#include <QAbstractProxyModel>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QToolBar>

using namespace kiln;

namespace {

const QString kModel = QStringLiteral("loans-default");
constexpr int kExportTimeoutMs = 60000;

/// The headings of a rendered Markdown document, in order.
QStringList headings(const QTextDocument *document)
{
    QStringList texts;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        if (block.blockFormat().headingLevel() > 0)
            texts << block.text();
    }
    return texts;
}

/// Adds a tag in `dialog` as a user does: Add clicked, the key typed, Tab to the value, the
/// value typed. Returns the value's editor, still open; null when an editor did not open.
QWidget *addTypedTag(ModelDetailsDialog *dialog, const QString &key, const QString &value)
{
    QTableWidget *tags = dialog->tagsTable();
    QTest::mouseClick(dialog->addTagButton(), Qt::LeftButton);
    const int row = tags->rowCount() - 1;
    QWidget *keyEditor = tags->indexWidget(tags->model()->index(row, 0));
    if (!keyEditor)
        return nullptr;
    QTest::keyClicks(keyEditor, key);
    QTest::keyClick(keyEditor, Qt::Key_Tab);
    QWidget *valueEditor = tags->indexWidget(tags->model()->index(row, 1));
    if (valueEditor)
        QTest::keyClicks(valueEditor, value);
    return valueEditor;
}

/// The first "# " or "## " line of a Markdown text, without the marks.
QString firstHeading(const QString &markdown)
{
    const QStringList lines = markdown.split(u'\n');
    for (const QString &line : lines) {
        if (line.startsWith(u'#'))
            return line.section(u' ', 1).trimmed();
    }
    return {};
}

} // namespace

class TestModelsPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void emptyStateTellsHowToRegister();
    void registerRunsThroughTheDialog();
    void setAndMoveChampion();
    void editVersionTagsThroughTheDialog();
    void cardRendersAndSaves();
    void lineageClicksThrough();
    void signatureShowsInputsAndExample();
    void archiveAndCompare();
    void compareMarksWhatOneSideLacks();
    void deleteAskedAndRefusedWhileDeployed();
    void exportAndImportBundle();
    void layoutIsRemembered();

private:
    template<typename T>
    T *child(const QString &name) const
    {
        return test::namedChild<T>(m_panel.get(), name);
    }
    QTableView *table() const { return child<QTableView>(QStringLiteral("versionsTable")); }
    QToolBar *toolBar() const { return child<QToolBar>(QStringLiteral("modelsToolBar")); }
    QAction *action(const char *name) const { return child<QAction>(QString::fromLatin1(name)); }
    /// The versions table's row of `version`, or an invalid index.
    QModelIndex rowOf(int version) const;
    void clickVersion(int version);
    /// Makes the panel the active window with the versions table focused, as after a click
    /// there: shortcuts need both.
    void focusTable();
    void clickTab(int index);
    ModelRegistry registry() const { return ModelRegistry(*m_trained.workspace); }
    /// Opens Register Model for the classifier, types `name` and clicks Register.
    void registerClassifier(const QString &name, int expectedVersion);
    /// Opens Set Alias on the current version, types `alias`, checks the dialog's sentence
    /// and clicks Set Alias.
    void setAlias(const QString &alias, const QString &expectedSentence);

    QTemporaryDir m_dir;
    test::TrainedRegistryWorkspace m_trained;
    std::unique_ptr<TaskManager> m_tasks;
    std::unique_ptr<ModelsPanel> m_panel;
};

void TestModelsPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    test::TrainedRegistryWorkspace::create(m_dir.filePath(QStringLiteral("workspace")), m_trained,
                                           m_dir.filePath(QStringLiteral("data")));
    QVERIFY(m_trained.workspace);
    m_tasks = std::make_unique<TaskManager>();
    m_panel = std::make_unique<ModelsPanel>(m_tasks.get());
    m_panel->resize(1400, 900);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    m_panel->setWorkspace(m_trained.workspace.get());
}

void TestModelsPanel::cleanupTestCase()
{
    if (m_tasks)
        m_tasks->waitForIdle();
    m_panel.reset();
    m_tasks.reset();
}

QModelIndex TestModelsPanel::rowOf(int version) const
{
    QAbstractItemModel *model = table()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, ModelVersionsModel::VersionColumn);
        if (index.data(ModelVersionsModel::VersionRole).toInt() == version)
            return index;
    }
    return {};
}

void TestModelsPanel::clickVersion(int version)
{
    const QModelIndex index = rowOf(version);
    QVERIFY2(index.isValid(), qPrintable(QStringLiteral("no row for version %1").arg(version)));
    table()->scrollTo(index);
    QTest::mouseClick(table()->viewport(), Qt::LeftButton, {}, table()->visualRect(index).center());
    QCOMPARE(m_panel->currentVersion(), version);
}

void TestModelsPanel::focusTable()
{
    m_panel->activateWindow();
    QTRY_COMPARE(QApplication::activeWindow(), m_panel.get());
    table()->setFocus();
    QTRY_VERIFY(table()->hasFocus());
}

void TestModelsPanel::clickTab(int index)
{
    auto *tabs = child<QTabWidget>(QStringLiteral("versionTabs"));
    QVERIFY(tabs);
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(index).center());
    QCOMPARE(tabs->currentIndex(), index);
}

void TestModelsPanel::emptyStateTellsHowToRegister()
{
    auto *empty = child<EmptyStateWidget>(QStringLiteral("modelsEmptyState"));
    QVERIFY(empty);
    QVERIFY(empty->isVisible());
    QVERIFY2(empty->text().contains(QStringLiteral("Register Model")), qPrintable(empty->text()));
    QVERIFY(empty->text().contains(QStringLiteral("Ctrl+Shift+M")));
    auto *importButton = child<QPushButton>(QStringLiteral("emptyImportBundleButton"));
    QVERIFY(importButton && importButton->isVisible());
    QVERIFY(!table()->isVisible());
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("models-empty.png")) > 5000);
}

void TestModelsPanel::registerClassifier(const QString &name, int expectedVersion)
{
    QSignalSpy changed(m_panel.get(), &ModelsPanel::registryChanged);
    m_panel->registerRun(m_trained.classifier);
    RegisterModelDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<RegisterModelDialog>()));
    // The run and its metrics are there to decide on.
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("registerRunLabel"))->text().contains(QStringLiteral("trees")));
    auto *metrics = dialog->findChild<QTableView *>(QStringLiteral("registerMetricsTable"));
    QVERIFY(metrics && metrics->model()->rowCount() > 0);
    QLineEdit *edit = dialog->nameCombo()->lineEdit();
    QVERIFY(edit);
    if (expectedVersion == 1) {
        QCOMPARE(dialog->nameCombo()->currentText(), QStringLiteral("loans")); // the run's experiment
        // A name the registry would refuse is refused as it is typed.
        test::typeInto(edit, QStringLiteral("loans/default"));
        QVERIFY(dialog->errorLabel()->isVisible());
        QVERIFY(!dialog->errorLabel()->text().isEmpty());
        QVERIFY(!dialog->buttons()->button(QDialogButtonBox::Ok)->isEnabled());
    }
    test::typeInto(edit, name);
    QVERIFY(!dialog->errorLabel()->isVisible());
    const QString outcome = dialog->outcomeLabel()->text();
    if (expectedVersion == 1)
        QVERIFY2(outcome.contains(QStringLiteral("Creates")), qPrintable(outcome));
    else
        QVERIFY2(outcome.contains(QStringLiteral("Adds version %1").arg(expectedVersion)), qPrintable(outcome));
    if (expectedVersion == 1) {
        QTest::keyClicks(dialog->descriptionEdit(), QStringLiteral("Who is likely to default on a loan."));
        QVERIFY(test::savePng(dialog, QStringLiteral("models-register.png")) > 5000);
    }
    QPushButton *ok = dialog->buttons()->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<RegisterModelDialog>());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_panel->currentModel(), name);
    QCOMPARE(m_panel->currentVersion(), expectedVersion);
    QVERIFY(rowOf(expectedVersion).isValid());
}

void TestModelsPanel::registerRunsThroughTheDialog()
{
    registerClassifier(kModel, 1);
    QVERIFY(table()->isVisible());
    QCOMPARE(table()->model()->rowCount(), 1);
    auto *list = child<QListView>(QStringLiteral("modelsList"));
    QCOMPARE(list->model()->rowCount(), 1);
    QCOMPARE(list->currentIndex().data(RegisteredModelListModel::NameRole).toString(), kModel);
    QCOMPARE(child<ElidedLabel>(QStringLiteral("modelNameLabel"))->fullText(), kModel);
    QCOMPARE(child<QLabel>(QStringLiteral("modelDescriptionLabel"))->text(),
             QStringLiteral("Who is likely to default on a loan."));

    registerClassifier(kModel, 2);
    QCOMPARE(table()->model()->rowCount(), 2);
    // Newest first; every metric of the run has a column.
    QCOMPARE(table()->model()->index(0, 0).data(ModelVersionsModel::VersionRole).toInt(), 2);
    bool accuracy = false;
    for (int column = 0; column < table()->model()->columnCount(); ++column)
        accuracy = accuracy
            || table()->model()->headerData(column, Qt::Horizontal, ModelVersionsModel::MetricKeyRole).toString()
                == QLatin1String("accuracy");
    QVERIFY(accuracy);
    const Expected<ModelVersion> stored = registry().version(kModel, 2);
    QVERIFY2(stored, stored ? "" : qPrintable(stored.errorMessage()));
    QCOMPARE(stored->runId, m_trained.classifier);
}

void TestModelsPanel::setAlias(const QString &alias, const QString &expectedSentence)
{
    QSignalSpy changed(m_panel.get(), &ModelsPanel::registryChanged);
    // Ctrl+L from the versions table, as the toolbar button's tooltip says.
    focusTable();
    QTest::keyClick(table(), Qt::Key_L, Qt::ControlModifier);
    SetAliasDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<SetAliasDialog>()));
    QLineEdit *edit = dialog->aliasCombo()->lineEdit();
    // Names that name versions are not aliases.
    test::typeInto(edit, QStringLiteral("latest"));
    QVERIFY(dialog->errorLabel()->isVisible());
    QVERIFY(!dialog->buttons()->button(QDialogButtonBox::Ok)->isEnabled());
    test::typeInto(edit, alias);
    QVERIFY(!dialog->errorLabel()->isVisible());
    QCOMPARE(dialog->moveLabel()->text(), expectedSentence);
    if (expectedSentence.contains(QStringLiteral("moves")))
        QVERIFY(test::savePng(dialog, QStringLiteral("models-alias.png")) > 3000);
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<SetAliasDialog>());
    QCOMPARE(changed.count(), 1);
}

void TestModelsPanel::setAndMoveChampion()
{
    const QString champion = QStringLiteral("champion");
    clickVersion(1);
    setAlias(champion, QStringLiteral("champion will point at version 1 (a new alias)."));
    QCOMPARE(m_panel->currentVersion(), 1);
    QVERIFY(rowOf(1).data(ModelVersionsModel::AliasesRole).toStringList().contains(champion));

    clickVersion(2);
    setAlias(champion, QStringLiteral("champion moves from version 1 to version 2."));
    // The table shows the move; the registry has it.
    QVERIFY(rowOf(2).data(ModelVersionsModel::AliasesRole).toStringList().contains(champion));
    QVERIFY(!rowOf(1).data(ModelVersionsModel::AliasesRole).toStringList().contains(champion));
    const Expected<ModelVersion> byAlias = registry().version(kModel + QStringLiteral("@champion"));
    QVERIFY(byAlias);
    QCOMPARE(byAlias->version, 2);
    const QString listText = child<QListView>(QStringLiteral("modelsList"))->model()->index(0, 0).data().toString();
    QVERIFY2(listText.contains(QStringLiteral("champion → v2")), qPrintable(listText));
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("models-versions.png")) > 20000);
    // However long a name or a sentence, the panel fits beside the window's sidebar.
    QVERIFY2(m_panel->minimumSizeHint().width() <= 900,
             qPrintable(QString::number(m_panel->minimumSizeHint().width())));
}

void TestModelsPanel::editVersionTagsThroughTheDialog()
{
    using Tags = ModelDetailsDialog::Tags;
    // Ctrl+Shift+T from the versions table: the current version's tags, none yet, and no
    // description (that belongs to the model).
    clickVersion(2);
    QSignalSpy changed(m_panel.get(), &ModelsPanel::registryChanged);
    focusTable();
    QTest::keyClick(table(), Qt::Key_T, Qt::ControlModifier | Qt::ShiftModifier);
    ModelDetailsDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<ModelDetailsDialog>()));
    QCOMPARE(dialog->objectName(), QStringLiteral("versionTagsDialog"));
    QVERIFY(!dialog->descriptionEdit());
    QCOMPARE(dialog->tagsTable()->rowCount(), 0);
    // Two tags typed; Save clicked while the last value is still being typed in.
    QVERIFY(addTypedTag(dialog, QStringLiteral("stage"), QStringLiteral("production")));
    QVERIFY(addTypedTag(dialog, QStringLiteral("team"), QStringLiteral("risk")));
    QVERIFY(test::savePng(dialog, QStringLiteral("models-version-tags.png")) > 3000);
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<ModelDetailsDialog>());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_panel->currentVersion(), 2);
    QCOMPARE(registry().version(kModel, 2)->tags,
             (Tags {{QStringLiteral("stage"), QStringLiteral("production")},
                    {QStringLiteral("team"), QStringLiteral("risk")}}));
    QVERIFY(registry().version(kModel, 1)->tags.isEmpty());

    // The versions table has them in its Tags column, the card under its title.
    QCOMPARE(table()->model()->headerData(ModelVersionsModel::TagsColumn, Qt::Horizontal).toString(),
             QStringLiteral("Tags"));
    QCOMPARE(rowOf(2).siblingAtColumn(ModelVersionsModel::TagsColumn).data().toString(),
             QStringLiteral("stage=production, team=risk"));
    QCOMPARE(rowOf(1).siblingAtColumn(ModelVersionsModel::TagsColumn).data().toString(), QString());
    QCOMPARE(child<ModelCardPage>(QStringLiteral("modelCardPage"))->tagsLabel()->text(),
             QStringLiteral("stage: production · team: risk"));
    // A click on the column's header sorts by it: no tags first.
    QHeaderView *header = table()->horizontalHeader();
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      QPoint(header->sectionViewportPosition(ModelVersionsModel::TagsColumn)
                                 + header->sectionSize(ModelVersionsModel::TagsColumn) / 2,
                             header->height() / 2));
    QCOMPARE(header->sortIndicatorSection(), int(ModelVersionsModel::TagsColumn));
    QCOMPARE(table()->model()->index(0, 0).data(ModelVersionsModel::VersionRole).toInt(), 1);
    QCOMPARE(table()->model()->index(1, 0).data(ModelVersionsModel::VersionRole).toInt(), 2);
    table()->sortByColumn(ModelVersionsModel::VersionColumn, Qt::DescendingOrder);

    // The version's context menu has every version action; Edit Version Tags… from it.
    Q_EMIT table()->customContextMenuRequested(table()->visualRect(rowOf(2)).center());
    QMenu *menu = nullptr;
    QTRY_VERIFY((menu = test::visibleDialog<QMenu>()));
    const QList<QAction *> entries = menu->actions();
    for (const char *name : {"setAliasAction", "editVersionTagsAction", "archiveVersionAction", "deleteVersionAction",
                             "exportBundleAction"})
        QVERIFY2(entries.contains(action(name)), name);
    QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(action("editVersionTagsAction")).center());
    QTRY_VERIFY((dialog = test::visibleDialog<ModelDetailsDialog>()));
    QTRY_VERIFY(!test::visibleDialog<QMenu>());
    // The team row clicked and removed, a tag added; Return ends the value, Return again saves.
    QTableWidget *tags = dialog->tagsTable();
    QCOMPARE(tags->rowCount(), 2);
    QCOMPARE(tags->item(1, 0)->text(), QStringLiteral("team"));
    QTest::mouseClick(tags->viewport(), Qt::LeftButton, {}, tags->visualItemRect(tags->item(1, 0)).center());
    QCOMPARE(tags->currentRow(), 1);
    QTest::mouseClick(dialog->removeTagButton(), Qt::LeftButton);
    QCOMPARE(tags->rowCount(), 1);
    QWidget *value = addTypedTag(dialog, QStringLiteral("reviewed"), QStringLiteral("yes"));
    QVERIFY(value);
    QTest::keyClick(value, Qt::Key_Return);
    QTRY_COMPARE(tags->item(1, 1)->text(), QStringLiteral("yes"));
    QTest::keyClick(tags, Qt::Key_Return);
    QTRY_VERIFY(!test::visibleDialog<ModelDetailsDialog>());
    QCOMPARE(changed.count(), 2);
    QCOMPARE(registry().version(kModel, 2)->tags,
             (Tags {{QStringLiteral("reviewed"), QStringLiteral("yes")},
                    {QStringLiteral("stage"), QStringLiteral("production")}}));
    QCOMPARE(rowOf(2).siblingAtColumn(ModelVersionsModel::TagsColumn).data().toString(),
             QStringLiteral("reviewed=yes, stage=production"));
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("models-tags.png")) > 20000);
    // The offscreen platform activates no window once a dialog opened from a popup menu closes
    // (a window manager would): the panel again, as the next tests type into it.
    m_panel->activateWindow();
    QTRY_COMPARE(QApplication::activeWindow(), m_panel.get());
}

void TestModelsPanel::cardRendersAndSaves()
{
    clickTab(0);
    auto *page = child<ModelCardPage>(QStringLiteral("modelCardPage"));
    QVERIFY(page);
    const Expected<ModelVersion> version = registry().version(kModel, 2);
    QVERIFY(version);
    const QString title = firstHeading(version->card);
    QVERIFY2(!title.isEmpty(), qPrintable(version->card));
    QVERIFY2(headings(page->browser()->document()).contains(title),
             qPrintable(headings(page->browser()->document()).join(u'|')));
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("models-card.png")) > 20000);

    QTest::mouseClick(page->editButton(), Qt::LeftButton);
    QVERIFY(page->isEditing());
    QVERIFY(page->editor()->isVisible());
    QTRY_VERIFY(page->editor()->hasFocus());
    QCOMPARE(page->editor()->toPlainText(), version->card);
    page->editor()->moveCursor(QTextCursor::End);
    QTest::keyClick(page->editor(), Qt::Key_Return);
    QTest::keyClicks(page->editor(), QStringLiteral("## Approval"));
    QTest::keyClick(page->editor(), Qt::Key_Return);
    QTest::keyClicks(page->editor(), QStringLiteral("Approved by the risk team."));
    QSignalSpy changed(m_panel.get(), &ModelsPanel::registryChanged);
    QTest::keyClick(page->editor(), Qt::Key_S, Qt::ControlModifier);
    QVERIFY(!page->isEditing());
    QCOMPARE(changed.count(), 1);
    const Expected<ModelVersion> saved = registry().version(kModel, 2);
    QVERIFY(saved);
    QVERIFY2(saved->card.endsWith(QStringLiteral("## Approval\nApproved by the risk team.")), qPrintable(saved->card));
    QVERIFY(headings(page->browser()->document()).contains(QStringLiteral("Approval")));
    // Cancel drops an edit.
    QTest::mouseClick(page->editButton(), Qt::LeftButton);
    QTest::keyClicks(page->editor(), QStringLiteral("scribble"));
    QTest::mouseClick(page->cancelButton(), Qt::LeftButton);
    QVERIFY(!page->isEditing());
    QCOMPARE(registry().version(kModel, 2)->card, saved->card);
}

void TestModelsPanel::lineageClicksThrough()
{
    clickTab(1);
    auto *view = child<LineageView>(QStringLiteral("lineageView"));
    QVERIFY(view && view->isVisible());
    // dataset version → run → model version → (not deployed)
    QTRY_VERIFY(view->nodeCount() >= 3);
    const QPointF run = view->nodeCenter(LineageView::Node::Run);
    QVERIFY(!run.isNull());
    QVERIFY(!view->nodeCenter(LineageView::Node::Dataset).isNull());
    QVERIFY(!view->nodeCenter(LineageView::Node::Version).isNull());
    QSignalSpy runs(m_panel.get(), &ModelsPanel::runActivated);
    QSignalSpy datasets(m_panel.get(), &ModelsPanel::datasetVersionActivated);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(run));
    QCOMPARE(runs.count(), 1);
    QCOMPARE(runs.constFirst().at(0).toLongLong(), m_trained.classifier);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->mapFromScene(view->nodeCenter(LineageView::Node::Dataset)));
    QCOMPARE(datasets.count(), 1);
    QCOMPARE(datasets.constFirst().at(0).toString(), QStringLiteral("loans"));
    QCOMPARE(datasets.constFirst().at(1).toInt(), 1);
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("models-lineage.png")) > 20000);
}

void TestModelsPanel::signatureShowsInputsAndExample()
{
    clickTab(2);
    auto *page = child<ModelSignaturePage>(QStringLiteral("modelSignaturePage"));
    QVERIFY(page);
    TextTableModel *inputs = page->inputsModel();
    QCOMPARE(inputs->rowCount(), 6);
    QStringList columns;
    for (int row = 0; row < inputs->rowCount(); ++row)
        columns << inputs->index(row, 0).data().toString();
    QCOMPARE(columns.size(), 6);
    QVERIFY(columns.contains(QStringLiteral("purpose")));
    const int purpose = int(columns.indexOf(QStringLiteral("purpose")));
    QCOMPARE(inputs->index(purpose, 1).data().toString(), QStringLiteral("categorical"));
    QStringList categories = inputs->index(purpose, 2).data().toString().split(QStringLiteral(", "));
    categories.sort(); // listed most frequent first
    QCOMPARE(categories,
             (QStringList {QStringLiteral("car"), QStringLiteral("home"), QStringLiteral("study"),
                           QStringLiteral("travel")}));
    // 80 branches, truncated in training: others are read as "other".
    const int branch = int(columns.indexOf(QStringLiteral("branch")));
    QVERIFY2(inputs->index(branch, 2).data().toString().contains(QStringLiteral("other")),
             qPrintable(inputs->index(branch, 2).data().toString()));
    QStringList outputs;
    for (int row = 0; row < page->outputsModel()->rowCount(); ++row)
        outputs << page->outputsModel()->index(row, 0).data().toString();
    QCOMPARE(outputs, (QStringList {QStringLiteral("label"), QStringLiteral("p_no"), QStringLiteral("p_yes")}));
    QCOMPARE(page->exampleModel()->rowCount(), RegisterOptions().exampleRows);
    QCOMPARE(page->exampleModel()->columnCount(), 6);
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("models-signature.png")) > 20000);
}

void TestModelsPanel::archiveAndCompare()
{
    clickVersion(1);
    QAction *archive = action("archiveVersionAction");
    QCOMPARE(archive->text(), QStringLiteral("Archive"));
    test::clickAction(toolBar(), archive);
    QCOMPARE(m_panel->currentVersion(), 1);
    QCOMPARE(rowOf(1).data(ModelVersionsModel::StatusRole).toString(), QStringLiteral("archived"));
    QCOMPARE(registry().version(kModel, 1)->status, VersionStatus::Archived);
    QCOMPARE(archive->text(), QStringLiteral("Restore"));

    // Compare starts with the current version against the one before it.
    clickVersion(2);
    clickTab(3);
    auto *page = child<ModelComparePage>(QStringLiteral("modelComparePage"));
    QVERIFY(page);
    QCOMPARE(page->leftVersion(), 2);
    QCOMPARE(page->rightVersion(), 1);
    VersionDiffModel *diff = page->model();
    const int status = diff->rowOf(VersionDiffLine::Section::Model, QStringLiteral("status"));
    QVERIFY(status >= 0);
    QVERIFY(diff->index(status, 0).data(VersionDiffModel::DiffersRole).toBool());
    QCOMPARE(diff->index(status, VersionDiffModel::LeftColumn).data().toString(), QStringLiteral("ready"));
    QCOMPARE(diff->index(status, VersionDiffModel::RightColumn).data().toString(), QStringLiteral("archived"));
    // The tint the table draws on a difference, and none on an equal line.
    const QModelIndex shownStatus = page->table()->model()->index(status, VersionDiffModel::LeftColumn);
    QVERIFY(shownStatus.data(Qt::BackgroundRole).isValid());
    const int accuracy = diff->rowOf(VersionDiffLine::Section::Metric, QStringLiteral("accuracy"));
    QVERIFY(accuracy >= 0);
    QVERIFY(!diff->index(accuracy, 0).data(VersionDiffModel::DiffersRole).toBool());
    QVERIFY(!page->table()->model()->index(accuracy, VersionDiffModel::LeftColumn).data(Qt::BackgroundRole).isValid());
    QVERIFY(diff->rowOf(VersionDiffLine::Section::Schema, QStringLiteral("branch")) >= 0);
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("models-compare.png")) > 20000);

    // Only differences: the status line stays, the equal metric goes.
    QTest::mouseClick(page->onlyDifferencesBox(), Qt::LeftButton);
    QVERIFY(page->onlyDifferencesBox()->isChecked());
    QVERIFY(diff->rowOf(VersionDiffLine::Section::Model, QStringLiteral("status")) >= 0);
    QCOMPARE(diff->rowOf(VersionDiffLine::Section::Metric, QStringLiteral("accuracy")), -1);
    QTest::mouseClick(page->onlyDifferencesBox(), Qt::LeftButton);
    QVERIFY(diff->rowOf(VersionDiffLine::Section::Metric, QStringLiteral("accuracy")) >= 0);
}

void TestModelsPanel::compareMarksWhatOneSideLacks()
{
    const Expected<ModelVersion> registered = registry().version(kModel, 2);
    QVERIFY(registered);
    QVERIFY(!registered->lineage.params.isEmpty());
    ModelVersion without = *registered;
    without.version = 1;
    const QString dropped = without.lineage.params.takeFirst().first;
    ModelComparePage page;
    page.setVersions({*registered, without}, registered->version);
    const int row = page.model()->rowOf(VersionDiffLine::Section::Param, dropped);
    QVERIFY(row >= 0);
    QVERIFY(page.model()->index(row, VersionDiffModel::RightColumn).data(VersionDiffModel::MissingRole).toBool());
    QVERIFY(!page.model()->index(row, VersionDiffModel::LeftColumn).data(VersionDiffModel::MissingRole).toBool());
    // The table: a grey dash on the side without the param, the line tinted, headings across.
    const QModelIndex shown = page.table()->model()->index(row, VersionDiffModel::RightColumn);
    QCOMPARE(shown.data().toString(), QStringLiteral("—"));
    QVERIFY(shown.data(Qt::BackgroundRole).isValid());
    QCOMPARE(page.table()->columnSpan(0, 0), int(VersionDiffModel::ColumnCount));
}

void TestModelsPanel::deleteAskedAndRefusedWhileDeployed()
{
    // Deleting asks first; Yes deletes version 1, its number is not given again.
    clickVersion(1);
    QSignalSpy changed(m_panel.get(), &ModelsPanel::registryChanged);
    focusTable();
    QTest::keyClick(table(), Qt::Key_Delete);
    QMessageBox *question = nullptr;
    QTRY_VERIFY((question = test::visibleDialog<QMessageBox>()));
    QCOMPARE(question->objectName(), QStringLiteral("deleteVersionConfirmation"));
    QVERIFY2(question->text().contains(QStringLiteral("version 1 of loans-default")), qPrintable(question->text()));
    QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_COMPARE(changed.count(), 1);
    QVERIFY(!rowOf(1).isValid());
    QCOMPARE(table()->model()->rowCount(), 1);
    QVERIFY(!registry().version(kModel, 1));
    QCOMPARE(m_panel->currentVersion(), 2);

    // A deployed version is not deleted; the message names the target.
    const Expected<ModelVersion> deployed = registry().version(kModel, 2);
    QVERIFY(deployed);
    QVERIFY(registry().recordDeployment(deployed->id, QStringLiteral("prod-eu")));
    QSignalSpy errors(m_panel.get(), &ModelsPanel::errorOccurred);
    test::clickAction(toolBar(), action("deleteVersionAction"));
    QMessageBox *refusal = nullptr;
    QTRY_VERIFY((refusal = test::visibleDialog<QMessageBox>()));
    QCOMPARE(refusal->objectName(), QStringLiteral("modelsErrorDialog"));
    QVERIFY2(refusal->informativeText().contains(QStringLiteral("prod-eu")), qPrintable(refusal->informativeText()));
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.constFirst().at(0).toString().contains(QStringLiteral("prod-eu")));
    QTest::mouseClick(refusal->button(QMessageBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<QMessageBox>());
    QVERIFY(registry().version(kModel, 2));
    QVERIFY(rowOf(2).isValid());
}

void TestModelsPanel::exportAndImportBundle()
{
    clickVersion(2);
    const QString path = m_dir.filePath(QStringLiteral("loans-default-v2.kiln.tar.gz"));
    QSignalSpy started(m_tasks.get(), &TaskManager::taskStarted);
    QSignalSpy exported(m_panel.get(), &ModelsPanel::bundleExported);
    focusTable();
    QTest::keyClick(table(), Qt::Key_E, Qt::ControlModifier | Qt::ShiftModifier);
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<QFileDialog>()));
    QCOMPARE(dialog->objectName(), QStringLiteral("exportBundleDialog"));
    QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
    QVERIFY2(dialog->selectedFiles().value(0).endsWith(QStringLiteral(".kiln.tar.gz")),
             qPrintable(dialog->selectedFiles().join(u',')));
    // The file chosen and Save clicked, as a user saves.
    dialog->selectFile(path);
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QVERIFY(buttons && buttons->button(QDialogButtonBox::Save));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Save), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<QFileDialog>());
    QCOMPARE(started.count(), 1); // the export runs as a task, with progress and cancel
    QVERIFY(exported.wait(kExportTimeoutMs));
    QCOMPARE(exported.constFirst().at(0).toString(), path);
    QVERIFY(QFileInfo(path).size() > 0);
    QVERIFY(isModelBundle(path));

    // Imported again: a new version (3: numbers are never given twice) whose source is the bundle.
    QSignalSpy changed(m_panel.get(), &ModelsPanel::registryChanged);
    m_panel->importBundles({path});
    QVERIFY(changed.wait(kExportTimeoutMs));
    QCOMPARE(m_panel->currentModel(), kModel);
    QCOMPARE(m_panel->currentVersion(), 3);
    const Expected<ModelVersion> imported = registry().version(kModel, 3);
    QVERIFY(imported);
    QCOMPARE(imported->lineage.source, QStringLiteral("bundle"));
    QCOMPARE(imported->lineage.bundleFile, QFileInfo(path).fileName());
    auto *versions
        = qobject_cast<ModelVersionsModel *>(qobject_cast<QAbstractProxyModel *>(table()->model())->sourceModel());
    QVERIFY(versions);
    const QString source = rowOf(3).siblingAtColumn(versions->sourceColumn()).data().toString();
    QVERIFY2(source.contains(QFileInfo(path).fileName()), qPrintable(source));

    // A file that is no bundle is refused, naming it; nothing comes in.
    const QString notBundle = test::writeFile(m_dir.filePath(QStringLiteral("notes.kiln.tar.gz")), "not a bundle");
    QSignalSpy errors(m_panel.get(), &ModelsPanel::errorOccurred);
    m_panel->importBundles({notBundle});
    QVERIFY(errors.wait(kExportTimeoutMs));
    QVERIFY2(errors.constFirst().at(0).toString().contains(QStringLiteral("notes.kiln.tar.gz")),
             qPrintable(errors.constFirst().at(0).toString()));
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = test::visibleDialog<QMessageBox>()));
    QCOMPARE(box->objectName(), QStringLiteral("modelsErrorDialog"));
    QVERIFY(box->informativeText().contains(QStringLiteral("notes.kiln.tar.gz")));
    box->close();
    QCOMPARE(table()->model()->rowCount(), 2);
}

void TestModelsPanel::layoutIsRemembered()
{
    auto *tabs = child<QTabWidget>(QStringLiteral("versionTabs"));
    tabs->setCurrentIndex(3);
    auto *splitter = child<QSplitter>(QStringLiteral("modelsSplitter"));
    splitter->setSizes({320, 1080});
    const QList<int> sizes = splitter->sizes();
    auto *versionSplitter = child<QSplitter>(QStringLiteral("modelsVersionSplitter"));
    versionSplitter->setSizes({400, 300});
    const QList<int> versionSizes = versionSplitter->sizes();
    m_tasks->waitForIdle();
    m_panel.reset(); // saves the layout
    m_panel = std::make_unique<ModelsPanel>(m_tasks.get());
    m_panel->resize(1400, 900);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    QCOMPARE(child<QTabWidget>(QStringLiteral("versionTabs"))->currentIndex(), 3);
    QCOMPARE(child<QSplitter>(QStringLiteral("modelsSplitter"))->sizes(), sizes);
    // The panel shows its empty state (no workspace): the hidden splitters were restored too.
    m_panel->setWorkspace(m_trained.workspace.get());
    QVERIFY(table()->isVisible());
    QCOMPARE(child<QSplitter>(QStringLiteral("modelsSplitter"))->sizes(), sizes);
    QCOMPARE(child<QSplitter>(QStringLiteral("modelsVersionSplitter"))->sizes(), versionSizes);
}

QTEST_MAIN(TestModelsPanel)
#include "tst_modelspanel.moc"
