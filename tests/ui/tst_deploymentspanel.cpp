// The Deployments panel against a real kiln-serve process on loopback, offscreen, driven as a
// user drives it: add the agent as a target through the Add Target dialog (typed, its token
// in a password field, checked as it is typed), deploy loans-risk@1 through the Deploy
// dialog, watch health and traffic (a load thread sends predictions; the request rate and the
// traffic chart grow), send shifted inputs until the drift banner names the feature, deploy
// version 2, roll back with the confirmation and see the agent serve version 1 again with
// the history showing it, undeploy, remove the target. Then the main window: the Models
// panel's Deploy… opens the Deployments panel's dialog. The functions run in order on one
// panel; screenshots go to the test output folder.

#include "deploy/credentialstore.h"
#include "deploy/deploydialogs.h"
#include "deploy/deploymentmodels.h"
#include "deploy/deploymentspanel.h"
#include "deploy/trafficcharts.h"
#include "emptystatewidget.h"
#include "mainwindow.h"
#include "models/texttablemodel.h"
#include "modelspanel.h"
#include "servetestsupport.h"
#include "tasks/taskmanager.h"
#include "uitestsupport.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QToolBar>

#include <atomic>

using namespace kiln;

namespace {

const QString kTarget = QStringLiteral("prod");
constexpr int kDeployTimeoutMs = 120000;
constexpr int kTrafficTimeoutMs = 90000;
constexpr int kDriftTimeoutMs = 180000;
constexpr int kRowsPerRequest = 20;

/// Bodies of /invocations requests in MLflow's dataframe_split form, made of the training
/// rows themselves (so live inputs match the profile), or with income shifted far past
/// anything seen in training.
QList<QByteArray> predictionBodies(bool shiftIncome)
{
    const QList<QStringList> csv = test::parseCsv(QString::fromUtf8(test::loansCsv()));
    const QStringList header = csv.value(0);
    const QStringList columns = {QStringLiteral("income"),  QStringLiteral("age"),    QStringLiteral("owner"),
                                 QStringLiteral("purpose"), QStringLiteral("branch"), QStringLiteral("opened")};
    QList<QByteArray> bodies;
    QJsonArray data;
    for (qsizetype row = 1; row < csv.size(); ++row) {
        const QStringList &record = csv.at(row);
        const auto field = [&](const QString &name) { return record.value(header.indexOf(name)); };
        double income = field(QStringLiteral("income")).toDouble();
        if (shiftIncome)
            income = income * 10 + 500000;
        data.append(QJsonArray {
            income, field(QStringLiteral("age")).toInt(), field(QStringLiteral("owner")) == QLatin1String("true"),
            field(QStringLiteral("purpose")), field(QStringLiteral("branch")), field(QStringLiteral("opened"))});
        if (data.size() == kRowsPerRequest) {
            const QJsonObject split {{QStringLiteral("columns"), QJsonArray::fromStringList(columns)},
                                     {QStringLiteral("data"), data}};
            bodies << QJsonDocument(QJsonObject {{QStringLiteral("dataframe_split"), split}})
                          .toJson(QJsonDocument::Compact);
            data = QJsonArray();
        }
    }
    return bodies;
}

/// Predictions sent from a thread of its own over one keep-alive connection until stopped;
/// counts answers that were not 200.
class LoadThread
{
public:
    LoadThread(quint16 port, QList<QByteArray> bodies)
    {
        m_thread.reset(QThread::create([this, port, bodies = std::move(bodies)] {
            test::TestHttpClient client(port);
            for (qsizetype i = 0; !m_stop.load(); ++i) {
                const test::TestHttpClient::Reply reply
                    = client.request("POST", "/invocations", bodies.at(i % bodies.size()));
                if (reply.status == 200) {
                    ++m_ok;
                } else {
                    ++m_failed;
                    m_lastFailure.store(reply.status);
                }
                // A steady stream, not a flood: the GUI thread under test shares two cores.
                QThread::msleep(15);
            }
        }));
        m_thread->start();
    }
    ~LoadThread() { stop(); }

    void stop()
    {
        m_stop.store(true);
        m_thread->wait();
    }
    int ok() const { return m_ok.load(); }
    int failed() const { return m_failed.load(); }
    int lastFailure() const { return m_lastFailure.load(); }

private:
    std::unique_ptr<QThread> m_thread;
    std::atomic<bool> m_stop {false};
    std::atomic<int> m_ok {0};
    std::atomic<int> m_failed {0};
    std::atomic<int> m_lastFailure {0};
};

} // namespace

class TestDeploymentsPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void emptyStateTellsWhatToDo();
    void addAgentThroughTheDialog();
    void deployThroughTheDialog();
    void trafficShowsInTableAndChart();
    void shiftedInputsRaiseTheDriftBanner();
    void removeRefusedWhileDeployed();
    void wrongTokenFailsWithTheReason();
    void deployAnotherVersionAndRollBack();
    void undeployAfterAsking();
    void sameAgentTwiceSharesTheSecret();
    void removeTargetAfterAsking();
    void layoutIsRemembered();
    void modelsPanelDeployOpensTheDialog();

private:
    template<typename T>
    T *child(const QString &name) const
    {
        return test::namedChild<T>(m_panel.get(), name);
    }
    QToolBar *toolBar() const { return child<QToolBar>(QStringLiteral("deploymentsToolBar")); }
    QTableView *table() const { return child<QTableView>(QStringLiteral("deploymentsTable")); }
    /// The text of `column` in the deployments table's row of `target`; empty when no row.
    QString cell(const QString &target, int column) const;
    QString agentVersion() const;
    QStringList historyStatuses() const;
    void clickTab(int index);
    /// Opens Deploy… (the toolbar, or deployVersion(`ref`) as the Models panel does), picks
    /// `ref` and the target, checks the summary says `expectedSummary`, clicks Deploy.
    void deployThroughDialog(const QString &ref, bool fromModelsPanel, const QString &expectedSummary);
    /// Answers the visible question `objectName` (its text must contain `text`) with Yes.
    void answerYes(const QString &objectName, const QString &text);
    /// Adds `name` for the agent at `url` with `token` through the Add Target dialog.
    void addAgentTarget(const QString &name, const QString &url, const QString &token);
    /// Makes the panel the active window, as after a click in it: shortcuts need it.
    void activatePanel();
    QString errors() const;
    /// Waits until the table shows `ref` on the target, or an error came.
    void waitForDeployment(const QString &ref);

    QTemporaryDir m_dir;
    test::ServedWorkspace m_served;
    std::unique_ptr<test::AgentProcess> m_agent;
    std::unique_ptr<TaskManager> m_tasks;
    std::unique_ptr<DeploymentsPanel> m_panel;
    std::unique_ptr<QSignalSpy> m_errors;
    std::unique_ptr<QSignalSpy> m_changed;
    std::unique_ptr<LoadThread> m_load;
};

void TestDeploymentsPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    // Secrets go to a file of this test's own, never the user's.
    qputenv("KILN_CREDENTIALS_FILE", m_dir.filePath(QStringLiteral("secrets/credentials.json")).toUtf8());
    test::ServedWorkspace::create(m_dir.path(), m_served);
    QVERIFY(m_served.trained.workspace);
    QString error;
    m_agent = test::AgentProcess::start(m_dir.filePath(QStringLiteral("agent")), {}, &error);
    QVERIFY2(m_agent, qPrintable(error));

    m_tasks = std::make_unique<TaskManager>();
    m_panel = std::make_unique<DeploymentsPanel>(m_tasks.get());
    m_errors = std::make_unique<QSignalSpy>(m_panel.get(), &DeploymentsPanel::errorOccurred);
    m_changed = std::make_unique<QSignalSpy>(m_panel.get(), &DeploymentsPanel::deploymentsChanged);
    m_panel->resize(1500, 950);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    m_panel->setWorkspace(m_served.trained.workspace.get());
}

void TestDeploymentsPanel::cleanupTestCase()
{
    m_load.reset();
    if (m_tasks)
        m_tasks->waitForIdle();
    m_panel.reset();
    m_tasks.reset();
    m_agent.reset();
}

QString TestDeploymentsPanel::errors() const
{
    QStringList texts;
    for (const QList<QVariant> &error : std::as_const(*m_errors))
        texts << error.value(0).toString() + QStringLiteral(": ") + error.value(1).toString();
    return texts.join(u'\n');
}

QString TestDeploymentsPanel::cell(const QString &target, int column) const
{
    QAbstractItemModel *model = table()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, column);
        if (index.data(DeploymentTableModel::TargetRole).toString() == target)
            return index.data().toString();
    }
    return {};
}

QString TestDeploymentsPanel::agentVersion() const
{
    test::TestHttpClient client(m_agent->port);
    const test::TestHttpClient::Reply reply = client.request("GET", "/version");
    if (reply.status != 200)
        return QStringLiteral("HTTP %1").arg(reply.status);
    const QJsonObject json = QJsonDocument::fromJson(reply.body).object();
    return json.value(QLatin1String("name")).toString() + u'@'
        + QString::number(json.value(QLatin1String("version")).toInt());
}

QStringList TestDeploymentsPanel::historyStatuses() const
{
    auto *view = child<QTableView>(QStringLiteral("historyTable"));
    QStringList statuses;
    if (!view)
        return statuses;
    for (int row = 0; row < view->model()->rowCount(); ++row)
        statuses << view->model()->index(row, 0).data().toString() + u' '
                + view->model()->index(row, 1).data().toString();
    return statuses;
}

void TestDeploymentsPanel::clickTab(int index)
{
    auto *tabs = child<QTabWidget>(QStringLiteral("deploymentTabs"));
    QVERIFY(tabs);
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(index).center());
    QCOMPARE(tabs->currentIndex(), index);
}

void TestDeploymentsPanel::answerYes(const QString &objectName, const QString &text)
{
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = test::visibleDialog<QMessageBox>()));
    QCOMPARE(box->objectName(), objectName);
    QVERIFY2(box->text().contains(text), qPrintable(box->text()));
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::No));
    QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<QMessageBox>());
}

void TestDeploymentsPanel::addAgentTarget(const QString &name, const QString &url, const QString &token)
{
    test::clickAction(toolBar(), m_panel->addTargetAction());
    AddTargetDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<AddTargetDialog>()));
    QVERIFY(dialog->setKind(QStringLiteral("agent")));
    test::typeInto(dialog->nameEdit(), name);
    test::typeInto(dialog->fieldEdit(QStringLiteral("location")), url);
    test::typeInto(dialog->fieldEdit(QStringLiteral("secret")), token);
    QPushButton *ok = dialog->buttons()->button(QDialogButtonBox::Ok);
    QVERIFY2(ok->isEnabled(), qPrintable(dialog->errorLabel()->text() + dialog->hintLabel()->text()));
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<AddTargetDialog>());
    auto *list = child<QListView>(QStringLiteral("targetsList"));
    QTRY_COMPARE(list->currentIndex().data(TargetListModel::NameRole).toString(), name);
    QCOMPARE(m_panel->currentTarget(), name);
}

void TestDeploymentsPanel::waitForDeployment(const QString &ref)
{
    QTRY_VERIFY_WITH_TIMEOUT(cell(kTarget, DeploymentTableModel::ModelColumn) == ref || !m_errors->isEmpty(),
                             kDeployTimeoutMs);
    QVERIFY2(m_errors->isEmpty(), qPrintable(errors()));
}

void TestDeploymentsPanel::activatePanel()
{
    m_panel->activateWindow();
    QTRY_COMPARE(QApplication::activeWindow(), m_panel.get());
}

void TestDeploymentsPanel::emptyStateTellsWhatToDo()
{
    auto *empty = child<EmptyStateWidget>(QStringLiteral("deploymentsEmptyState"));
    QVERIFY(empty);
    QTRY_COMPARE(empty->title(), QStringLiteral("No deployment targets yet"));
    QVERIFY(empty->isVisible());
    QVERIFY2(empty->text().contains(QStringLiteral("Add Target…")), qPrintable(empty->text()));
    QVERIFY(empty->text().contains(QStringLiteral("kiln-serve")));
    QVERIFY(child<QPushButton>(QStringLiteral("emptyAddTargetButton"))->isVisible());
    QVERIFY(!table()->isVisible());
    // Nothing selected, nothing to act on; adding and deploying are open.
    QVERIFY(m_panel->addTargetAction()->isEnabled());
    QVERIFY(!m_panel->rollbackAction()->isEnabled());
    QVERIFY(!m_panel->undeployAction()->isEnabled());
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("deployments-empty.png")) > 5000);
}

void TestDeploymentsPanel::addAgentThroughTheDialog()
{
    QTest::mouseClick(child<QPushButton>(QStringLiteral("emptyAddTargetButton")), Qt::LeftButton);
    AddTargetDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<AddTargetDialog>()));
    QPushButton *ok = dialog->buttons()->button(QDialogButtonBox::Ok);
    // Nothing typed: nothing to complain about yet, but OK waits for the required fields.
    QVERIFY(!ok->isEnabled());
    QVERIFY(dialog->hintLabel()->isVisible());
    QVERIFY2(!dialog->errorLabel()->isVisible(), qPrintable(dialog->errorLabel()->text()));

    const int agentKind = dialog->kindCombo()->findData(QStringLiteral("agent"));
    QVERIFY(agentKind >= 0);
    dialog->kindCombo()->setCurrentIndex(agentKind);
    QLineEdit *location = dialog->fieldEdit(QStringLiteral("location"));
    QLineEdit *secret = dialog->fieldEdit(QStringLiteral("secret"));
    QVERIFY(location && secret);
    QCOMPARE(secret->echoMode(), QLineEdit::Password);
    test::typeInto(dialog->nameEdit(), kTarget);
    test::typeInto(secret, QString::fromLatin1(m_agent->token));
    // The kind's own check speaks as soon as the form is complete.
    test::typeInto(location, QStringLiteral("htp://127.0.0.1"));
    QVERIFY(dialog->errorLabel()->isVisible());
    QVERIFY2(dialog->errorLabel()->text().contains(QStringLiteral("http")), qPrintable(dialog->errorLabel()->text()));
    QVERIFY(!ok->isEnabled());
    test::typeInto(location, m_agent->baseUrl());
    QVERIFY2(!dialog->errorLabel()->isVisible(), qPrintable(dialog->errorLabel()->text()));
    QVERIFY(!dialog->hintLabel()->isVisible());
    QVERIFY(ok->isEnabled());
    QVERIFY(test::savePng(dialog, QStringLiteral("deployments-add-target.png")) > 5000);
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<AddTargetDialog>());

    auto *list = child<QListView>(QStringLiteral("targetsList"));
    QTRY_COMPARE(list->model()->rowCount(), 1);
    QCOMPARE(m_panel->currentTarget(), kTarget);
    QVERIFY(list->isVisible());
    // The agent answers: reachable, nothing loaded yet.
    QTRY_COMPARE_WITH_TIMEOUT(list->model()->index(0, 0).data(TargetListModel::HealthRole).toString(),
                              QStringLiteral("empty"), kTrafficTimeoutMs);
    QVERIFY(child<QLabel>(QStringLiteral("deploymentsNote"))->isVisible());

    // The token is in the credentials file, not in the workspace.
    const Expected<QByteArray> stored
        = CredentialStore().secret(CredentialStore::keyFor(QStringLiteral("agent"), m_agent->baseUrl()));
    QVERIFY2(stored, qPrintable(stored ? QString() : stored.errorMessage()));
    QCOMPARE(*stored, m_agent->token);
    const QString db = m_served.trained.workspace->root() + QStringLiteral("/kiln.db");
    const QByteArray database = test::readFile(db) + test::readFile(db + QStringLiteral("-wal"));
    QVERIFY(!database.isEmpty());
    QVERIFY(!database.contains(m_agent->token));
    QVERIFY2(m_errors->isEmpty(), qPrintable(errors()));
}

void TestDeploymentsPanel::deployThroughDialog(const QString &ref, bool fromModelsPanel, const QString &expectedSummary)
{
    if (fromModelsPanel)
        m_panel->deployVersion(ref);
    else
        test::clickAction(toolBar(), m_panel->deployAction());
    DeployDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<DeployDialog>()));
    if (!fromModelsPanel) {
        const Expected<ModelRef> parsed = ModelRef::parse(ref);
        QVERIFY(parsed);
        const int model = dialog->modelCombo()->findData(parsed->name);
        QVERIFY(model >= 0);
        dialog->modelCombo()->setCurrentIndex(model);
        const int version = dialog->versionCombo()->findData(QString::number(parsed->version));
        QVERIFY(version >= 0);
        dialog->versionCombo()->setCurrentIndex(version);
    }
    QCOMPARE(dialog->modelRef(), ref);
    QCOMPARE(dialog->targetName(), kTarget);
    QVERIFY2(dialog->summaryLabel()->text().contains(expectedSummary), qPrintable(dialog->summaryLabel()->text()));
    if (!fromModelsPanel)
        QVERIFY(test::savePng(dialog, QStringLiteral("deployments-deploy-dialog.png")) > 5000);
    QPushButton *deploy = dialog->buttons()->button(QDialogButtonBox::Ok);
    QVERIFY(deploy->isEnabled());
    QTest::mouseClick(deploy, Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<DeployDialog>());
}

void TestDeploymentsPanel::deployThroughTheDialog()
{
    deployThroughDialog(QStringLiteral("loans-risk@1"), false, QStringLiteral("serves nothing"));
    // While it runs, the target takes no second push; the task shows in the TaskManager.
    waitForDeployment(QStringLiteral("loans-risk@1"));
    QTRY_COMPARE_WITH_TIMEOUT(cell(kTarget, DeploymentTableModel::HealthColumn), QStringLiteral("serving"),
                              kTrafficTimeoutMs);
    QCOMPARE(agentVersion(), QStringLiteral("loans-risk@1"));
    QVERIFY(table()->isVisible());
    QCOMPARE(m_changed->count(), 1);
    QVERIFY(m_panel->undeployAction()->isEnabled());
    // Nothing served before: nothing to roll back to.
    QVERIFY(!m_panel->rollbackAction()->isEnabled());
    QCOMPARE(child<QLabel>(QStringLiteral("deploymentDetailTitle"))->text(), QStringLiteral("loans-risk@1 on prod"));
}

void TestDeploymentsPanel::trafficShowsInTableAndChart()
{
    auto *charts = child<TrafficCharts>(QStringLiteral("trafficCharts"));
    QVERIFY(charts);
    clickTab(0);
    m_load = std::make_unique<LoadThread>(m_agent->port, predictionBodies(false));
    QTRY_VERIFY_WITH_TIMEOUT(cell(kTarget, DeploymentTableModel::RateColumn).toDouble() > 0, kTrafficTimeoutMs);
    QVERIFY(cell(kTarget, DeploymentTableModel::P99Column).toDouble() > 0);
    QVERIFY(cell(kTarget, DeploymentTableModel::P99Column).toDouble()
            >= cell(kTarget, DeploymentTableModel::P50Column).toDouble());

    QLineSeries *rate = test::lineNamed(charts->rateChart(), QStringLiteral("requests/s"));
    QLineSeries *p99 = test::lineNamed(charts->latencyChart(), QStringLiteral("p99"));
    QVERIFY(rate && p99);
    QVERIFY(rate->isVisible());
    const int before = int(rate->count());
    QTRY_VERIFY_WITH_TIMEOUT(rate->count() >= before + 3, kTrafficTimeoutMs);
    const QList<QPointF> points = rate->points();
    QVERIFY(std::any_of(points.cbegin(), points.cend(), [](const QPointF &point) { return point.y() > 0; }));
    QVERIFY(p99->count() == rate->count());
    QVERIFY2(m_load->failed() == 0, qPrintable(QStringLiteral("HTTP %1").arg(m_load->lastFailure())));
    QVERIFY(m_load->ok() > 0);
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("deployments-traffic.png")) > 20000);
}

void TestDeploymentsPanel::shiftedInputsRaiseTheDriftBanner()
{
    m_load.reset();
    auto *banner = child<QWidget>(QStringLiteral("driftBanner"));
    auto *bannerText = child<QLabel>(QStringLiteral("driftBannerText"));
    QVERIFY(banner && bannerText);
    m_load = std::make_unique<LoadThread>(m_agent->port, predictionBodies(true));
    // The newest alert is the one shown: income, pushed far past everything in training.
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible() && bannerText->text().contains(QStringLiteral("“income”")),
                             kDriftTimeoutMs);
    QVERIFY2(bannerText->text().contains(QStringLiteral("PSI")), qPrintable(bannerText->text()));
    QVERIFY(bannerText->text().contains(QStringLiteral("loans-risk@1 on prod")));
    m_load.reset();
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("deployments-drift-alert.png")) > 20000);
    // Show Drift opens the drift tab of that deployment.
    QTest::mouseClick(child<QPushButton>(QStringLiteral("driftBannerShow")), Qt::LeftButton);
    QCOMPARE(child<QTabWidget>(QStringLiteral("deploymentTabs"))->currentIndex(), 1);
    QVERIFY(child<QWidget>(QStringLiteral("driftView"))->isVisible());
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("deployments-drift.png")) > 20000);
    QTest::mouseClick(child<QWidget>(QStringLiteral("driftBannerDismiss")), Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    QVERIFY2(m_errors->isEmpty(), qPrintable(errors()));
}

void TestDeploymentsPanel::removeRefusedWhileDeployed()
{
    test::clickAction(toolBar(), m_panel->removeTargetAction());
    QCOMPARE(m_errors->count(), 1);
    QVERIFY2(errors().contains(QStringLiteral("undeploy it first")), qPrintable(errors()));
    QVERIFY(!test::visibleDialog<QMessageBox>()); // refused at once, not asked first
    m_errors->clear();
}

void TestDeploymentsPanel::wrongTokenFailsWithTheReason()
{
    // A second target on the same agent (by another name: a secret is kept per kind and
    // location) with a token it refuses: the push fails at once (no retries for a 401), says
    // why, is recorded, and prod keeps serving.
    const QString staging = QStringLiteral("staging");
    addAgentTarget(staging, QStringLiteral("http://localhost:%1").arg(m_agent->port), QStringLiteral("not-the-token"));
    QVERIFY2(m_errors->isEmpty(), qPrintable(errors()));
    m_panel->deployVersion(QStringLiteral("loans-risk@2"));
    DeployDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<DeployDialog>()));
    QCOMPARE(dialog->targetName(), staging);
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!m_errors->isEmpty(), kDeployTimeoutMs);
    QVERIFY2(errors().contains(QStringLiteral("loans-risk@2 was not deployed to staging")), qPrintable(errors()));
    QVERIFY2(errors().contains(QStringLiteral("401")), qPrintable(errors()));
    QTRY_VERIFY(historyStatuses().contains(QStringLiteral("loans-risk@2 failed")));
    QCOMPARE(cell(staging, DeploymentTableModel::ModelColumn), QString());
    QCOMPARE(agentVersion(), QStringLiteral("loans-risk@1"));
    QCOMPARE(m_changed->count(), 2); // a failed push is recorded too
    m_errors->clear();

    test::clickAction(toolBar(), m_panel->removeTargetAction());
    answerYes(QStringLiteral("removeTargetQuestion"), QStringLiteral("Remove the target staging?"));
    QTRY_COMPARE(child<QListView>(QStringLiteral("targetsList"))->model()->rowCount(), 1);
    QTRY_COMPARE(m_panel->currentTarget(), kTarget);
    QVERIFY2(m_errors->isEmpty(), qPrintable(errors()));
}

void TestDeploymentsPanel::deployAnotherVersionAndRollBack()
{
    // A steady stream during the swap and the rollback: no request fails.
    m_load = std::make_unique<LoadThread>(m_agent->port, predictionBodies(false));
    deployThroughDialog(QStringLiteral("loans-risk@2"), true, QStringLiteral("serves loans-risk@1 now"));
    waitForDeployment(QStringLiteral("loans-risk@2"));
    QCOMPARE(agentVersion(), QStringLiteral("loans-risk@2"));
    QCOMPARE(m_changed->count(), 3);
    // The agent reports what it would return to.
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->rollbackAction()->isEnabled(), kTrafficTimeoutMs);

    test::clickAction(toolBar(), m_panel->rollbackAction());
    answerYes(QStringLiteral("rollbackQuestion"), QStringLiteral("Roll prod back from loans-risk@2 to loans-risk@1?"));
    waitForDeployment(QStringLiteral("loans-risk@1"));
    QCOMPARE(agentVersion(), QStringLiteral("loans-risk@1"));
    QCOMPARE(m_changed->count(), 4);
    QTRY_COMPARE_WITH_TIMEOUT(cell(kTarget, DeploymentTableModel::HealthColumn), QStringLiteral("serving"),
                              kTrafficTimeoutMs);
    m_load->stop();
    QVERIFY2(
        m_load->failed() == 0,
        qPrintable(
            QStringLiteral("%1 failed requests, the last HTTP %2").arg(m_load->failed()).arg(m_load->lastFailure())));

    clickTab(2);
    const QStringList history = historyStatuses();
    QVERIFY2(history.value(0) == QStringLiteral("loans-risk@1 active"), qPrintable(history.join(u'|')));
    QVERIFY2(history.contains(QStringLiteral("loans-risk@2 rolled back")), qPrintable(history.join(u'|')));
    QVERIFY2(history.contains(QStringLiteral("loans-risk@1 replaced")), qPrintable(history.join(u'|')));
    QVERIFY(test::savePng(m_panel.get(), QStringLiteral("deployments-history.png")) > 20000);
    m_load.reset();
}

void TestDeploymentsPanel::undeployAfterAsking()
{
    // By its shortcut this time.
    activatePanel();
    QTest::keyClick(m_panel.get(), Qt::Key_U, Qt::ControlModifier | Qt::ShiftModifier);
    answerYes(QStringLiteral("undeployQuestion"), QStringLiteral("Undeploy loans-risk@1 from prod?"));
    QTRY_COMPARE_WITH_TIMEOUT(table()->model()->rowCount(), 0, kDeployTimeoutMs);
    QVERIFY2(m_errors->isEmpty(), qPrintable(errors()));
    QVERIFY(child<QLabel>(QStringLiteral("deploymentsNote"))->isVisible());
    QCOMPARE(m_changed->count(), 5);
    test::TestHttpClient client(m_agent->port);
    QCOMPARE(client.request("GET", "/ping").status, 503);
    QTRY_VERIFY(historyStatuses().contains(QStringLiteral("loans-risk@1 undeployed")));
    QVERIFY(!m_panel->undeployAction()->isEnabled());
    QVERIFY(!m_panel->rollbackAction()->isEnabled());
}

void TestDeploymentsPanel::sameAgentTwiceSharesTheSecret()
{
    // Secrets are kept per kind and location: the dialog says so, and removing one of two
    // targets at the same agent leaves the other its token.
    test::clickAction(toolBar(), m_panel->addTargetAction());
    AddTargetDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<AddTargetDialog>()));
    QVERIFY(dialog->setKind(QStringLiteral("agent")));
    test::typeInto(dialog->nameEdit(), QStringLiteral("prod-copy"));
    test::typeInto(dialog->fieldEdit(QStringLiteral("secret")), QString::fromLatin1(m_agent->token));
    QVERIFY(!dialog->sharedLabel()->isVisible());
    test::typeInto(dialog->fieldEdit(QStringLiteral("location")), m_agent->baseUrl());
    QVERIFY(dialog->sharedLabel()->isVisible());
    QVERIFY2(dialog->sharedLabel()->text().startsWith(QStringLiteral("prod uses this location")),
             qPrintable(dialog->sharedLabel()->text()));
    QTest::mouseClick(dialog->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<AddTargetDialog>());
    auto *list = child<QListView>(QStringLiteral("targetsList"));
    QTRY_COMPARE(list->model()->rowCount(), 2);
    QTRY_COMPARE(m_panel->currentTarget(), QStringLiteral("prod-copy"));

    test::clickAction(toolBar(), m_panel->removeTargetAction());
    answerYes(QStringLiteral("removeTargetQuestion"), QStringLiteral("Remove the target prod-copy?"));
    QTRY_COMPARE(list->model()->rowCount(), 1);
    QVERIFY2(m_errors->isEmpty(), qPrintable(errors()));
    const Expected<QByteArray> stored
        = CredentialStore().secret(CredentialStore::keyFor(QStringLiteral("agent"), m_agent->baseUrl()));
    QVERIFY(stored);
    QCOMPARE(*stored, m_agent->token);
    QTRY_COMPARE(m_panel->currentTarget(), kTarget);
}

void TestDeploymentsPanel::removeTargetAfterAsking()
{
    test::clickAction(toolBar(), m_panel->removeTargetAction());
    answerYes(QStringLiteral("removeTargetQuestion"), QStringLiteral("Remove the target prod?"));
    auto *empty = child<EmptyStateWidget>(QStringLiteral("deploymentsEmptyState"));
    QTRY_VERIFY(empty->isVisible());
    QVERIFY2(m_errors->isEmpty(), qPrintable(errors()));
    const Expected<QByteArray> stored
        = CredentialStore().secret(CredentialStore::keyFor(QStringLiteral("agent"), m_agent->baseUrl()));
    QVERIFY(stored);
    QVERIFY(stored->isEmpty());
}

void TestDeploymentsPanel::layoutIsRemembered()
{
    auto *splitter = child<QSplitter>(QStringLiteral("deploymentsSplitter"));
    QVERIFY(splitter);
    splitter->setSizes({380, 1000});
    const QList<int> sizes = splitter->sizes();
    m_panel.reset();
    const QSettings settings;
    QVERIFY(settings.contains(QStringLiteral("deploymentsPanel/splitter")));
    QVERIFY(settings.contains(QStringLiteral("deploymentsPanel/tableHeader")));
    QCOMPARE(settings.value(QStringLiteral("deploymentsPanel/tab")).toInt(), 2);

    m_panel = std::make_unique<DeploymentsPanel>(m_tasks.get());
    m_panel->resize(1500, 950);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    QCOMPARE(child<QSplitter>(QStringLiteral("deploymentsSplitter"))->sizes(), sizes);
    QCOMPARE(child<QTabWidget>(QStringLiteral("deploymentTabs"))->currentIndex(), 2);
    m_panel.reset();
}

void TestDeploymentsPanel::modelsPanelDeployOpensTheDialog()
{
    auto workspace = Workspace::open(m_served.trained.workspace->root(), Workspace::OpenMode::OpenExisting);
    QVERIFY(workspace);
    MainWindow window(std::move(workspace).value());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // The Deploy menu holds the panel's actions.
    QMenu *deployMenu = nullptr;
    for (QAction *action : window.menuBar()->actions()) {
        if (action->text() == QStringLiteral("&Deploy"))
            deployMenu = action->menu();
    }
    QVERIFY(deployMenu);
    DeploymentsPanel *panel = window.deploymentsPanel();
    QVERIFY(panel);
    QCOMPARE(panel->objectName(), QStringLiteral("deploymentsPanel"));
    QVERIFY(deployMenu->actions().contains(panel->addTargetAction()));
    QVERIFY(deployMenu->actions().contains(panel->deployAction()));
    QVERIFY(deployMenu->actions().contains(panel->rollbackAction()));
    QVERIFY(deployMenu->actions().contains(panel->undeployAction()));

    window.showPanel(MainWindow::Panel::Models);
    window.modelsPanel()->selectVersion(QStringLiteral("loans-risk"), 1);
    QCOMPARE(window.modelsPanel()->currentVersion(), 1);
    auto *modelsToolBar = window.modelsPanel()->findChild<QToolBar *>(QStringLiteral("modelsToolBar"));
    QVERIFY(modelsToolBar);
    // No target in this workspace any more: Deploy… asks for one first, then deploys.
    test::clickAction(modelsToolBar, window.modelsPanel()->deployVersionAction());
    QTRY_COMPARE(window.currentPanel(), MainWindow::Panel::Deployments);
    AddTargetDialog *addTarget = nullptr;
    QTRY_VERIFY((addTarget = test::visibleDialog<AddTargetDialog>()));
    addTarget->kindCombo()->setCurrentIndex(addTarget->kindCombo()->findData(QStringLiteral("agent")));
    test::typeInto(addTarget->nameEdit(), kTarget);
    test::typeInto(addTarget->fieldEdit(QStringLiteral("location")), m_agent->baseUrl());
    test::typeInto(addTarget->fieldEdit(QStringLiteral("secret")), QString::fromLatin1(m_agent->token));
    QTest::mouseClick(addTarget->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    DeployDialog *deploy = nullptr;
    QTRY_VERIFY((deploy = test::visibleDialog<DeployDialog>()));
    QCOMPARE(deploy->modelRef(), QStringLiteral("loans-risk@1"));
    QCOMPARE(deploy->targetName(), kTarget);
    QTest::mouseClick(deploy->buttons()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
    QTRY_VERIFY(!test::visibleDialog<DeployDialog>());
    QVERIFY(test::savePng(&window, QStringLiteral("deployments-window.png")) > 20000);
}

QTEST_MAIN(TestDeploymentsPanel)
#include "tst_deploymentspanel.moc"
