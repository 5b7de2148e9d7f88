// The team store through the real window, offscreen, against a real PostgreSQL server and a
// real single-node Slurm cluster: File › Open Team Store… (a new database made a Kiln store),
// a teammate's kilnctl run appearing and ending live in the runs table, a wrong password, a
// server that does not answer and a store of a newer Kiln each refused with the store named,
// a recent team store opened again from the keychain, and a sweep sent from the New Run
// dialog to Slurm as one job array whose runs land in the comparison charts.

#include "builtinplugins.h"
#include "compare/metricoverlayview.h"
#include "experimentspanel.h"
#include "mainwindow.h"
#include "models/runtablemodel.h"
#include "newrundialog.h"
#include "plotwidget.h"
#include "postgresserver.h"
#include "runcontroller.h"
#include "runoptionfields.h"
#include "runpage.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "runstableview.h"
#include "slurmcluster.h"
#include "storage/database.h"
#include "teamstoredialog.h"
#include "testsupport.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTcpServer>
#include <QTest>
#include <QThreadPool>
#include <QToolBar>
#include <QTreeView>

using namespace kiln;

namespace {

constexpr int kConnectTimeoutMs = 30000;
constexpr int kRunTimeoutMs = 60000;
constexpr int kSlurmTimeoutMs = 120000;
constexpr int kSweepPoints = 3;

/// Clicks `menuTitle` in the window's menu bar, then `action` in the menu it opens (and the
/// submenu `submenu` on the way when one is given), as a user does.
void clickMenu(QMainWindow *window, const QString &menuTitle, QAction *action, QMenu *submenu = nullptr)
{
    QMenuBar *bar = window->menuBar();
    QAction *menuAction = nullptr;
    const QList<QAction *> actions = bar->actions();
    for (QAction *candidate : actions) {
        if (candidate->text() == menuTitle)
            menuAction = candidate;
    }
    QVERIFY2(menuAction && menuAction->menu(), qPrintable(menuTitle));
    QMenu *menu = menuAction->menu();
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(menuAction).center());
    QTRY_VERIFY(menu->isVisible());
    if (submenu) {
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(submenu->menuAction()).center());
        QTRY_VERIFY(submenu->isVisible());
        menu = submenu;
    }
    QVERIFY(menu->actions().contains(action));
    QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(action).center());
    QTRY_VERIFY(!menu->isVisible());
}

/// The visible message box called `name`, or null.
QMessageBox *messageBox(const QString &name)
{
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (QWidget *window : windows) {
        if (auto *box = qobject_cast<QMessageBox *>(window); box && box->isVisible() && box->objectName() == name)
            return box;
    }
    return nullptr;
}

/// The run called `name` in the window's runs table; 0 while it has none.
qint64 runNamed(ExperimentsPanel *panel, const QString &name)
{
    const std::shared_ptr<const RunTable> table = panel->runModel()->table();
    if (!table)
        return 0;
    const RunTable::Column &names = table->column(int(RunAttribute::Name));
    for (int row = 0; row < table->rowCount(); ++row) {
        if (names.exactText(row) == name)
            return table->runId(row);
    }
    return 0;
}

RunStatus shownStatus(ExperimentsPanel *panel, qint64 runId)
{
    const QModelIndex index = panel->runModel()->indexForRun(runId);
    return index.isValid() ? RunStatus(index.data(RunTableModel::StatusRole).toInt()) : RunStatus::Queued;
}

} // namespace

class TestTeamStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void openThroughFileMenu();
    void teammatesRunShowsLive();
    void refusalNamesTheStore_data();
    void refusalNamesTheStore();
    void cancelStopsWaiting();
    void recentTeamStoreOpensAgain();
    void sweepRunsOnSlurm();

private:
    TeamStoreDialog *openDialogFromMenu();
    QAction *fileAction(const QString &objectName) const;

    QTemporaryDir m_dir;
    test::PostgresServer *m_server = nullptr;
    QString m_blobs;
    QString m_shownUrl; ///< the store as Kiln names it: no password
    std::unique_ptr<MainWindow> m_window;
};

void TestTeamStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
    if (!test::PostgresServer::isInstalled()) {
        // QSKIP spelled out: clang -Wpedantic refuses its empty variadic part.
        QTest::qSkip("PostgreSQL 15 is not installed (apt-get install postgresql)", __FILE__, __LINE__);
        return;
    }
    // The keychain of this test: a private file, which the kilnctl processes and Slurm jobs
    // started from here find through the environment they inherit.
    qputenv("KILN_CREDENTIALS_FILE", m_dir.filePath(QStringLiteral("credentials/credentials.json")).toUtf8());
    qputenv("KILN_KILNCTL", test::kilnctlPath().toUtf8());
    QString why;
    m_server = test::PostgresServer::shared(&why);
    QVERIFY2(m_server, qPrintable(why));
    // An empty database: not a Kiln store until the dialog makes it one.
    QVERIFY(!m_server->createDatabase(QStringLiteral("team")).isEmpty());
    // A store a newer Kiln made.
    QVERIFY(!m_server->createDatabase(QStringLiteral("future")).isEmpty());
    const Status future = m_server->execute(QStringLiteral("future"),
                                            "CREATE TABLE kiln_schema(version BIGINT NOT NULL); "
                                            "INSERT INTO kiln_schema(version) VALUES(999)");
    QVERIFY2(future.ok(), future.ok() ? "" : qPrintable(future.errorMessage()));
    m_shownUrl = QStringLiteral("postgresql://kiln@127.0.0.1:%1/team").arg(m_server->port());
    m_blobs = m_dir.filePath(QStringLiteral("shared-blobs"));

    auto local = Workspace::open(m_dir.filePath(QStringLiteral("local")));
    QVERIFY2(local, local ? "" : qPrintable(local.errorMessage()));
    m_window = std::make_unique<MainWindow>(std::move(local).value());
    m_window->resize(1500, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestTeamStore::cleanupTestCase()
{
    m_window.reset();
}

QAction *TestTeamStore::fileAction(const QString &objectName) const
{
    return m_window->findChild<QAction *>(objectName);
}

TeamStoreDialog *TestTeamStore::openDialogFromMenu()
{
    QAction *open = fileAction(QStringLiteral("openTeamStoreAction"));
    if (!open)
        return nullptr;
    clickMenu(m_window.get(), QStringLiteral("&File"), open);
    TeamStoreDialog *dialog = nullptr;
    if (!QTest::qWaitFor([&dialog] { return (dialog = test::visibleDialog<TeamStoreDialog>()) != nullptr; }, 5000))
        qWarning("File › Open Team Store… showed no dialog");
    return dialog;
}

void TestTeamStore::openThroughFileMenu()
{
    TeamStoreDialog *dialog = openDialogFromMenu();
    QVERIFY(dialog);
    QVERIFY(!dialog->isBusy());
    QVERIFY(!dialog->busyIndicator()->isVisible());

    test::typeInto(dialog->hostEdit(), QStringLiteral("127.0.0.1"));
    dialog->portSpin()->selectAll();
    QTest::keyClicks(dialog->portSpin(), QString::number(m_server->port()));
    QCOMPARE(dialog->portSpin()->value(), int(m_server->port()));
    test::typeInto(dialog->databaseEdit(), QStringLiteral("team"));
    test::typeInto(dialog->userEdit(), QLatin1String(test::PostgresServer::kUser));
    test::typeInto(dialog->passwordEdit(), QLatin1String(test::PostgresServer::kPassword));
    if (!dialog->rememberCheck()->isChecked())
        QTest::mouseClick(dialog->rememberCheck(), Qt::LeftButton);
    QVERIFY(dialog->rememberCheck()->isChecked());
    test::typeInto(dialog->blobFolderEdit(), m_blobs);
    // The fields make the URL (never with the password); what it names is what opens.
    QVERIFY2(dialog->urlEdit()->text().startsWith(m_shownUrl), qPrintable(dialog->urlEdit()->text()));
    QVERIFY(!dialog->urlEdit()->text().contains(QLatin1String(test::PostgresServer::kPassword)));
    QCOMPARE(dialog->passwordEdit()->echoMode(), QLineEdit::Password);
    QVERIFY(test::savePng(dialog, QStringLiteral("teamstore-open-dialog.png")) > 5000);

    QTest::mouseClick(dialog->openButton(), Qt::LeftButton);
    // Connecting happens on a worker: the dialog shows it is busy and stays responsive.
    QVERIFY(dialog->isBusy());
    QVERIFY(dialog->busyIndicator()->isVisible());
    QVERIFY(!dialog->openButton()->isEnabled());
    QVERIFY(dialog->cancelButton()->isEnabled());

    // The database is empty: the dialog offers to make it a Kiln store, naming it.
    QMessageBox *offer = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((offer = messageBox(QStringLiteral("teamStoreNotKiln"))) != nullptr, kConnectTimeoutMs);
    QVERIFY2(offer->text().contains(m_shownUrl), qPrintable(offer->text()));
    QVERIFY(!offer->text().contains(QLatin1String(test::PostgresServer::kPassword)));
    auto *make = offer->findChild<QPushButton *>(QStringLiteral("makeStoreButton"));
    QVERIFY(make);
    QTest::mouseClick(make, Qt::LeftButton);

    QTRY_VERIFY_WITH_TIMEOUT(m_window->workspace()->isTeamStore(), kConnectTimeoutMs);
    QTRY_VERIFY(!test::visibleDialog<TeamStoreDialog>());
    Workspace *store = m_window->workspace();
    QVERIFY2(store->location().startsWith(m_shownUrl), qPrintable(Database::displayUrl(store->location())));
    // Remembered in the keychain, so the location that travels to workers holds no password.
    QVERIFY(!store->location().contains(QLatin1String(test::PostgresServer::kPassword)));
    QCOMPARE(store->root(), m_blobs);
    QVERIFY2(m_window->windowTitle().contains(m_shownUrl), qPrintable(m_window->windowTitle()));
    auto *label = m_window->findChild<QLabel *>(QStringLiteral("workspaceLabel"));
    QVERIFY(label);
    QVERIFY2(label->text().remove(QChar(0x200b)).contains(m_shownUrl), qPrintable(label->text()));
    const QStringList recent = QSettings().value(QStringLiteral("recentWorkspaces")).toStringList();
    QVERIFY2(!recent.isEmpty() && recent.constFirst().startsWith(m_shownUrl), qPrintable(recent.join(u' ')));
    for (const QString &entry : recent)
        QVERIFY(!entry.contains(QLatin1String(test::PostgresServer::kPassword)));
    QSettings().sync();
    const QByteArray settings = test::readFile(QSettings().fileName());
    QVERIFY(!settings.contains(test::PostgresServer::kPassword));
}

void TestTeamStore::teammatesRunShowsLive()
{
    QVERIFY(m_window->workspace() && m_window->workspace()->isTeamStore());
    m_window->showPanel(MainWindow::Panel::Experiments);
    ExperimentsPanel *panel = m_window->experimentsPanel();
    QTRY_VERIFY(panel->runModel()->table() != nullptr);
    QCOMPARE(panel->runModel()->runCount(), 0);
    // Any Kiln on a store serves its queue of local runs; this window's scheduler stops (a new
    // one comes with the next workspace), so the teammate's own kilnctl runs what it queues
    // and this window only watches.
    m_window->runController()->scheduler()->stop();

    // The teammate: another process, on the same store, knowing its password from the
    // keychain (the location it is given has none).
    test::writeFile(m_dir.filePath(QStringLiteral("teammate.sh")),
                    "for i in 1 2 3 4 5 6 7 8; do\n"
                    "  echo \"{\\\"kiln\\\": \\\"metric\\\", \\\"key\\\": \\\"loss\\\", \\\"value\\\": 0.$i, "
                    "\\\"step\\\": $i}\"\n"
                    "  sleep 1\n"
                    "done\n");
    QProcess teammate;
    teammate.setWorkingDirectory(m_dir.path());
    test::startKilnctl(teammate, m_window->workspace()->location(),
                       {QStringLiteral("run"), QStringLiteral("--run-name"), QStringLiteral("teammate run"),
                        QStringLiteral("--"), QStringLiteral("/bin/sh"),
                        m_dir.filePath(QStringLiteral("teammate.sh"))});
    QVERIFY(teammate.waitForStarted());

    // It shows up without anyone touching this window, while it still runs.
    qint64 runId = 0;
    QTRY_VERIFY_WITH_TIMEOUT((runId = runNamed(panel, QStringLiteral("teammate run"))) != 0, 15000);
    QVERIFY2(!isTerminal(shownStatus(panel, runId)), qPrintable(runStatusName(shownStatus(panel, runId))));
    QVERIFY(teammate.state() == QProcess::Running);
    // And ends in it, with its metric.
    QTRY_COMPARE_WITH_TIMEOUT(shownStatus(panel, runId), RunStatus::Finished, kRunTimeoutMs);
    const int loss = panel->runModel()->columnForKey(RunColumnKind::Metric, QStringLiteral("loss"));
    QVERIFY(loss >= 0);
    QTRY_COMPARE(panel->runModel()->indexForRun(runId, loss).data().toString(), QStringLiteral("0.8"));
    // (false when the event loop of the waits above already saw it end)
    if (teammate.state() != QProcess::NotRunning)
        QVERIFY(teammate.waitForFinished(kRunTimeoutMs));
    QCOMPARE(teammate.exitStatus(), QProcess::NormalExit);
    QVERIFY2(teammate.exitCode() == 0, teammate.readAllStandardError().constData());
    QVERIFY(test::savePng(m_window.get(), QStringLiteral("teamstore-runs.png")) > 20000);
}

void TestTeamStore::refusalNamesTheStore_data()
{
    QTest::addColumn<QString>("database");
    QTest::addColumn<bool>("deadPort");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("screenshot");
    const QString password = QLatin1String(test::PostgresServer::kPassword);
    QTest::newRow("wrong password") << QStringLiteral("team") << false << QStringLiteral("not-the-password")
                                    << QStringLiteral("password authentication failed")
                                    << QStringLiteral("teamstore-error.png");
    QTest::newRow("server unreachable") << QStringLiteral("team") << true << password
                                        << QStringLiteral("Connection refused") << QString();
    QTest::newRow("schema newer than this Kiln")
        << QStringLiteral("future") << false << password << QStringLiteral("newer than this Kiln") << QString();
}

void TestTeamStore::refusalNamesTheStore()
{
    QFETCH(QString, database);
    QFETCH(bool, deadPort);
    QFETCH(QString, password);
    QFETCH(QString, reason);
    QFETCH(QString, screenshot);
    const QString location = m_window->workspace()->location();
    TeamStoreDialog *dialog = openDialogFromMenu();
    QVERIFY(dialog);
    // The last store opened is filled in, without its password.
    QVERIFY2(dialog->location().startsWith(m_shownUrl), qPrintable(dialog->location()));
    QVERIFY(dialog->passwordEdit()->text().isEmpty());
    quint16 port = m_server->port();
    if (deadPort) {
        QTcpServer probe; // a port nobody listens on once it is closed
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    dialog->portSpin()->selectAll();
    QTest::keyClicks(dialog->portSpin(), QString::number(port));
    test::typeInto(dialog->databaseEdit(), database);
    test::typeInto(dialog->passwordEdit(), password);
    const QString shown = QStringLiteral("postgresql://kiln@127.0.0.1:%1/%2").arg(port).arg(database);
    QTest::mouseClick(dialog->openButton(), Qt::LeftButton);

    QMessageBox *error = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((error = messageBox(QStringLiteral("teamStoreError"))) != nullptr, kConnectTimeoutMs);
    QVERIFY2(error->text().contains(shown), qPrintable(error->text()));
    QVERIFY2(error->informativeText().contains(reason), qPrintable(error->informativeText()));
    QVERIFY(!error->text().contains(password));
    QVERIFY(!error->informativeText().contains(password));
    if (!screenshot.isEmpty())
        QVERIFY(test::savePng(error, screenshot) > 3000);
    QTest::mouseClick(error->button(QMessageBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!messageBox(QStringLiteral("teamStoreError")));

    // Nothing changed: the window still shows the store it had, the dialog waits for a fix.
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->isBusy());
    QVERIFY(dialog->openButton()->isEnabled());
    QCOMPARE(m_window->workspace()->location(), location);
    QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<TeamStoreDialog>());
}

void TestTeamStore::cancelStopsWaiting()
{
    // A server that takes the connection and never answers: libpq waits for its connect_timeout.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    TeamStoreDialog *dialog = openDialogFromMenu();
    QVERIFY(dialog);
    dialog->portSpin()->selectAll();
    QTest::keyClicks(dialog->portSpin(), QString::number(silent.serverPort()));
    QTest::mouseClick(dialog->openButton(), Qt::LeftButton);
    QVERIFY(dialog->isBusy());
    QVERIFY(dialog->busyIndicator()->isVisible());
    QVERIFY(!dialog->hostEdit()->isEnabled());
    QTRY_VERIFY(silent.hasPendingConnections() || silent.waitForNewConnection(0));

    // Cancel stops the waiting, not the dialog: the fields come back to be changed.
    QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->isBusy());
    QVERIFY(!dialog->busyIndicator()->isVisible());
    QVERIFY(dialog->hostEdit()->isEnabled());
    QVERIFY(dialog->openButton()->isEnabled());
    auto *status = dialog->findChild<QLabel *>(QStringLiteral("teamStoreStatus"));
    QVERIFY(status);
    QVERIFY2(status->text().startsWith(QStringLiteral("Stopped waiting for postgresql://")),
             qPrintable(status->text()));
    // The abandoned attempt ends on its worker without a word to the user.
    QVERIFY(QThreadPool::globalInstance()->waitForDone(30000));
    QVERIFY(!QTest::qWaitFor([] { return messageBox(QStringLiteral("teamStoreError")) != nullptr; }, 500));
    QCOMPARE(m_window->workspace()->isTeamStore(), true);
    QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<TeamStoreDialog>());
}

void TestTeamStore::recentTeamStoreOpensAgain()
{
    QVERIFY(m_window->openWorkspace(m_dir.filePath(QStringLiteral("local")), Workspace::OpenMode::OpenExisting).ok());
    QVERIFY(!m_window->workspace()->isTeamStore());

    // File › Open Recent lists the store by its URL; its password comes from the keychain.
    QMenu *recentMenu = nullptr;
    const QList<QMenu *> menus = m_window->menuBar()->findChildren<QMenu *>();
    for (QMenu *menu : menus) {
        if (menu->title() == QStringLiteral("Open &Recent"))
            recentMenu = menu;
    }
    QVERIFY(recentMenu);
    QAction *entry = nullptr;
    const QList<QAction *> entries = recentMenu->actions();
    for (QAction *action : entries) {
        if (action->text().contains(m_shownUrl))
            entry = action;
    }
    QVERIFY(entry);
    QVERIFY(!entry->text().contains(QLatin1String(test::PostgresServer::kPassword)));
    clickMenu(m_window.get(), QStringLiteral("&File"), entry, recentMenu);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->workspace()->isTeamStore(), kConnectTimeoutMs);
    QVERIFY(m_window->workspace()->location().startsWith(m_shownUrl));
    QTRY_VERIFY(runNamed(m_window->experimentsPanel(), QStringLiteral("teammate run")) != 0);
}

void TestTeamStore::sweepRunsOnSlurm()
{
    if (const QString missing = test::SlurmCluster::missing(); !missing.isEmpty()) {
        QTest::qSkip(
            qPrintable(QStringLiteral("Slurm is not installed (%1): apt-get install slurm-wlm munge").arg(missing)),
            __FILE__, __LINE__);
        return;
    }
    test::SlurmCluster cluster;
    if (const QString failed = cluster.start(); !failed.isEmpty()) {
        if (failed.startsWith(QLatin1String("slurmd must run as root"))) {
            QTest::qSkip(qPrintable(failed), __FILE__, __LINE__);
            return;
        }
        QFAIL(qPrintable(failed));
    }
    QVERIFY(m_window->workspace() && m_window->workspace()->isTeamStore());
    const QString location = m_window->workspace()->location();
    ExperimentsPanel *panel = m_window->experimentsPanel();
    m_window->showPanel(MainWindow::Panel::Experiments);

    // Each point logs a loss curve of its own: lr then the step, "0.21" … "0.25".
    test::writeFile(m_dir.filePath(QStringLiteral("fit.sh")),
                    "for i in 1 2 3 4 5; do\n"
                    "  echo \"{\\\"kiln\\\": \\\"metric\\\", \\\"key\\\": \\\"loss\\\", \\\"value\\\": "
                    "${KILN_PARAM_LR}$i, \\\"step\\\": $i}\"\n"
                    "  sleep 0.5\n"
                    "done\n");
    test::clickAction(panel->runTable()->toolBar(), panel->newRunAction());
    NewRunDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<NewRunDialog>()) != nullptr);
    QTest::keyClicks(dialog->commandEdit(), QStringLiteral("/bin/sh fit.sh"));
    test::typeInto(dialog->workingFolderEdit(), m_dir.path());
    test::typeInto(dialog->runFields().name, QStringLiteral("slurm sweep"));
    dialog->addParam(QStringLiteral("lr"), QStringLiteral("0.1"), QStringLiteral("0.1, 0.2, 0.3"));

    // Run on: the cluster, offered because sbatch is here; with what it asks of Slurm.
    const RunOptionFields &fields = dialog->runFields();
    QComboBox *runOn = fields.runOn;
    QVERIFY(!fields.cpus->isEnabled());
    runOn->setFocus();
    QTest::keyClick(runOn, Qt::Key_Down);
    QCOMPARE(runOn->currentIndex(), int(RunOptionFields::SlurmCluster));
    QVERIFY(fields.cpus->isEnabled());
    fields.cpus->selectAll();
    QTest::keyClicks(fields.cpus, QStringLiteral("1"));
    fields.memory->selectAll();
    QTest::keyClicks(fields.memory, QStringLiteral("200"));
    fields.timeLimit->selectAll();
    QTest::keyClicks(fields.timeLimit, QStringLiteral("10"));
    test::typeInto(fields.partition, QStringLiteral("debug"));
    QVERIFY(test::savePng(dialog, QStringLiteral("slurm-run-dialog.png")) > 10000);
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(!dialog->isVisible(), qPrintable(dialog->errorLabel()->text()));
    const qint64 sweepId = dialog->submittedRunId();
    QVERIFY(sweepId > 0);
    QCOMPARE(QSettings().value(QStringLiteral("runPlacement/executor")).toInt(), int(RunOptionFields::SlurmCluster));

    // The points went to Slurm as one job array: task i runs point i.
    auto watcher = Workspace::open(location, Workspace::OpenMode::OpenExisting);
    QVERIFY2(watcher, watcher ? "" : qPrintable(watcher.errorMessage()));
    const RunStore store((*watcher)->db());
    Expected<QList<RunRecord>> points = store.runs(RunQuery {{}, {}, sweepId, 0, false});
    QVERIFY(points);
    QCOMPARE(points->size(), kSweepPoints);
    QList<qint64> pointIds;
    for (const RunRecord &point : *points) {
        pointIds << point.id;
        QCOMPARE(point.spec.executor, QStringLiteral("slurm"));
        QCOMPARE(point.spec.resources.memoryMb, 200);
        QCOMPARE(point.spec.resources.timeLimitMinutes, 10);
    }
    std::sort(pointIds.begin(), pointIds.end());
    const auto jobIdOf = [&store](qint64 runId) {
        Expected<std::optional<RunJob>> job = store.job(runId);
        return job && job->has_value() ? (*job)->jobId : QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!jobIdOf(pointIds.constLast()).isEmpty(), kSlurmTimeoutMs);
    const QString arrayId = jobIdOf(pointIds.constFirst()).section(u'_', 0, 0);
    for (int i = 0; i < pointIds.size(); ++i)
        QCOMPARE(jobIdOf(pointIds.at(i)), QStringLiteral("%1_%2").arg(arrayId).arg(i));

    // They run on the node and finish; the table hears it from the store.
    for (qint64 id : std::as_const(pointIds))
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(shownStatus(panel, id)), kSlurmTimeoutMs);
    for (qint64 id : std::as_const(pointIds)) {
        const Expected<RunRecord> run = store.run(id, false);
        QVERIFY(run);
        QVERIFY2(run->status == RunStatus::Finished, qPrintable(run->error));
        QCOMPARE(shownStatus(panel, id), RunStatus::Finished);
    }

    // A point's page names its job, its node and Slurm's last word on it.
    QTreeView *tree = panel->runTree();
    test::clickRow(tree, panel->runModel()->indexForRun(pointIds.at(1), int(RunAttribute::Name)));
    QTRY_COMPARE(panel->runPage()->runId(), pointIds.at(1));
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Run));
    QLabel *job = panel->runPage()->jobLabel();
    QTRY_VERIFY(job->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(job->text(), QStringLiteral("Slurm job %1_1 on localhost — COMPLETED").arg(arrayId),
                              30000);
    QVERIFY(test::savePng(panel, QStringLiteral("slurm-run-page.png")) > 20000);

    // Selected together, the three points share the metric overlay: one series a run.
    test::clickRow(tree, panel->runModel()->indexForRun(pointIds.constLast(), int(RunAttribute::Name)));
    test::clickRow(tree, panel->runModel()->indexForRun(pointIds.constFirst(), int(RunAttribute::Name)),
                   Qt::ShiftModifier);
    QTRY_COMPARE(panel->selectedRunIds().size(), kSweepPoints);
    for (qint64 id : std::as_const(pointIds))
        QVERIFY(panel->selectedRunIds().contains(id));
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Overlay));
    auto *overlay = qobject_cast<MetricOverlayView *>(panel->comparisonView(ExperimentsPanel::Tab::Overlay));
    QVERIFY(overlay);
    QTRY_VERIFY(overlay->metrics().contains(QStringLiteral("loss")));
    overlay->setCurrentMetric(QStringLiteral("loss"));
    QTRY_VERIFY(!overlay->isLoading() && overlay->plot()->series().size() == kSweepPoints);
    QVERIFY(test::savePng(panel, QStringLiteral("slurm-sweep-overlay.png")) > 20000);

    // A long run cancelled from the toolbar: scancel ends its job, the run ends cancelled.
    test::writeFile(m_dir.filePath(QStringLiteral("long.sh")), "echo started\nsleep 300\n");
    test::clickAction(panel->runTable()->toolBar(), panel->newRunAction());
    QTRY_VERIFY((dialog = test::visibleDialog<NewRunDialog>()) != nullptr);
    QTest::keyClicks(dialog->commandEdit(), QStringLiteral("/bin/sh long.sh"));
    test::typeInto(dialog->workingFolderEdit(), m_dir.path());
    test::typeInto(dialog->runFields().name, QStringLiteral("long slurm run"));
    QCOMPARE(dialog->runFields().runOn->currentIndex(), int(RunOptionFields::SlurmCluster)); // the last choice
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(!dialog->isVisible(), qPrintable(dialog->errorLabel()->text()));
    const qint64 longId = dialog->submittedRunId();
    QVERIFY(longId > 0);
    QTRY_COMPARE_WITH_TIMEOUT(shownStatus(panel, longId), RunStatus::Running, kSlurmTimeoutMs);
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Run));
    test::clickRow(tree, panel->runModel()->indexForRun(longId, int(RunAttribute::Name)));
    QTRY_COMPARE(panel->runPage()->runId(), longId);
    QTRY_VERIFY_WITH_TIMEOUT(job->text().endsWith(QStringLiteral(" on localhost — RUNNING")), 30000);
    QTRY_VERIFY(panel->cancelAction()->isEnabled());
    test::clickAction(panel->runTable()->toolBar(), panel->cancelAction());
    QTRY_COMPARE_WITH_TIMEOUT(shownStatus(panel, longId), RunStatus::Cancelled, kSlurmTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(job->text().endsWith(QStringLiteral("— CANCELLED")), 30000);

    // A controller that does not answer: the submission fails, the window says why, and the
    // run ends failed with that reason.
    const QByteArray liveConf = qgetenv("SLURM_CONF");
    qputenv("SLURM_CONF", cluster.deadControllerConf().toUtf8());
    test::clickAction(panel->runTable()->toolBar(), panel->newRunAction());
    QTRY_VERIFY((dialog = test::visibleDialog<NewRunDialog>()) != nullptr);
    QTest::keyClicks(dialog->commandEdit(), QStringLiteral("/bin/sh fit.sh"));
    test::typeInto(dialog->workingFolderEdit(), m_dir.path());
    test::typeInto(dialog->runFields().name, QStringLiteral("nobody home"));
    QCOMPARE(dialog->runFields().runOn->currentIndex(), int(RunOptionFields::SlurmCluster)); // the last choice
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QVERIFY2(!dialog->isVisible(), qPrintable(dialog->errorLabel()->text()));
    const qint64 refusedId = dialog->submittedRunId();
    QVERIFY(refusedId > 0);
    QMessageBox *refusal = nullptr;
    const QString title = QStringLiteral("Run %1 was not submitted to Slurm").arg(refusedId);
    QTRY_VERIFY_WITH_TIMEOUT(
        (refusal = test::visibleDialog<QMessageBox>()) != nullptr && refusal->windowTitle() == title, kSlurmTimeoutMs);
    QVERIFY2(refusal->text().contains(QStringLiteral("Slurm did not take the job")), qPrintable(refusal->text()));
    qputenv("SLURM_CONF", liveConf);
    QTRY_COMPARE_WITH_TIMEOUT(shownStatus(panel, refusedId), RunStatus::Failed, kRunTimeoutMs);
    const Expected<RunRecord> refused = store.run(refusedId, false);
    QVERIFY(refused);
    QVERIFY2(refused->error.contains(QStringLiteral("Slurm did not take the job")), qPrintable(refused->error));
    QTest::mouseClick(refusal->button(QMessageBox::Ok), Qt::LeftButton);
}

QTEST_MAIN(TestTeamStore)
#include "tst_teamstore.moc"
