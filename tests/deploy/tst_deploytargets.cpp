// Deployment targets and the deployer against real peers: kiln-serve processes on loopback
// ports, local folders, the credentials file and the workspace's SQLite database.
#include "deploy/credentialstore.h"
#include "deploy/deployer.h"
#include "deploy/httpclient.h"
#include "deploy/targetstore.h"
#include "deploytestsupport.h"
#include "foldertarget.h"
#include "plugin/pluginmanager.h"
#include "registry/bundle.h"
#include "registry/modelregistry.h"
#include "servetestsupport.h"
#include "tasks/taskmanager.h"
#include "util/sha256.h"

#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QtConcurrent>

#include <sys/stat.h>

using namespace kiln;
using namespace kiln::test;

namespace {

constexpr int kRetryTimeoutMs = 120000;

int fileMode(const QString &path)
{
    struct stat info
    { };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 0777);
}

RetryPolicy quickRetries(int attempts)
{
    RetryPolicy retry;
    retry.attempts = attempts;
    retry.initialDelay = std::chrono::milliseconds(10);
    retry.factor = 2.0;
    retry.maxDelay = std::chrono::milliseconds(40);
    return retry;
}

} // namespace

class tst_DeployTargets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void credentialStoreIsPrivate();
    void credentialStoreRefusesReadableFile();
    void folderStateRoundTrip();
    void targetStoreValidates();
    void targetStoreKeepsSecretsOutOfTheDatabase();

    void folderTargetRoundTrip();
    void folderRemoveRefusedWhileActive();
    void deployTaskRunsOnTheTaskManager();

    void agentPushStatusRollbackUndeploy();
    void agentWrongTokenIsPermanent();
    void agentDownIsRetriedThenFails();
    void agentComingUpDuringRetriesSucceeds();
    void cancelledPushLeavesTargetUnchanged();
    void cancelledUploadLeavesAgentUnchanged();

private:
    Workspace &workspace() { return *m_served.trained.workspace; }
    QString root() { return workspace().root(); }
    void addTarget(const QString &name, const QString &kind, const QString &location, const QByteArray &secret = {});
    /// A running kiln-serve with its own data folder; fails the test when it does not start.
    std::unique_ptr<AgentProcess> startAgent(const QString &name, const QStringList &extraArgs = {});
    QJsonObject agentVersion(quint16 port);
    QList<DeploymentRecord> deploymentsOn(const QString &target);

    QTemporaryDir m_dir;
    ServedWorkspace m_served;
    QString m_credentials;
};

void tst_DeployTargets::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Secrets of this test go to its own file (never the user's).
    m_credentials = m_dir.filePath(QStringLiteral("config/kiln/credentials.json"));
    qputenv("KILN_CREDENTIALS_FILE", QFile::encodeName(m_credentials));
    ServedWorkspace::create(m_dir.filePath(QStringLiteral("served")), m_served);
    QVERIFY(m_served.trained.workspace);
    QVERIFY(PluginManager::instance().targetKind(QStringLiteral("agent")));
    QVERIFY(PluginManager::instance().targetKind(QStringLiteral("folder")));
}

void tst_DeployTargets::addTarget(const QString &name, const QString &kind, const QString &location,
                                  const QByteArray &secret)
{
    TargetConfig config;
    config.name = name;
    config.kind = kind;
    config.location = location;
    CredentialStore credentials;
    const Status added = TargetStore(workspace()).add(config, secret, credentials);
    QVERIFY2(added, added ? "" : qPrintable(added.errorMessage()));
}

std::unique_ptr<AgentProcess> tst_DeployTargets::startAgent(const QString &name, const QStringList &extraArgs)
{
    QString error;
    auto agent = AgentProcess::start(m_dir.filePath(QStringLiteral("agents/") + name), extraArgs, &error);
    if (!agent)
        qWarning("%s", qPrintable(error));
    return agent;
}

QJsonObject tst_DeployTargets::agentVersion(quint16 port)
{
    TestHttpClient client(port);
    const TestHttpClient::Reply reply = client.request("GET", "/version");
    if (reply.status != 200)
        return {};
    return QJsonDocument::fromJson(reply.body).object();
}

QList<DeploymentRecord> tst_DeployTargets::deploymentsOn(const QString &target)
{
    QList<DeploymentRecord> records;
    ModelRegistry registry(workspace());
    for (const QString &model : {QStringLiteral("loans-risk"), QStringLiteral("loans-amount")}) {
        const auto versions = registry.versions(model);
        if (!versions)
            continue;
        for (const ModelVersion &version : *versions) {
            for (const DeploymentRecord &record : version.deployments) {
                if (record.target == target)
                    records.append(record);
            }
        }
    }
    std::sort(records.begin(), records.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    return records;
}

// --- credentials and target configuration -------------------------------------------------

void tst_DeployTargets::credentialStoreIsPrivate()
{
    const QString folder = m_dir.filePath(QStringLiteral("private/a/b"));
    CredentialStore store(folder + QStringLiteral("/credentials.json"));
    const QString key = CredentialStore::keyFor(QStringLiteral("agent"), QStringLiteral("http://edge:8080/"));
    QCOMPARE(key, QStringLiteral("agent:http://edge:8080"));
    QCOMPARE(store.secret(key).value(), QByteArray()); // no file yet: nothing stored
    QVERIFY(store.setSecret(key, "s3cret-token"));
    const QByteArray binary("\xff\x00\xfe pass", 8);
    QVERIFY(store.setSecret(QStringLiteral("ssh:ssh://u@h/srv"), binary));

    QCOMPARE(fileMode(store.filePath()), 0600);
    QCOMPARE(fileMode(folder), 0700);
    QCOMPARE(fileMode(m_dir.filePath(QStringLiteral("private"))), 0700);
    QCOMPARE(store.secret(key).value(), QByteArray("s3cret-token"));
    QCOMPARE(store.secret(QStringLiteral("ssh:ssh://u@h/srv")).value(), binary);
    // Another object on the same file sees the same secrets.
    QCOMPARE(CredentialStore(store.filePath()).secret(key).value(), QByteArray("s3cret-token"));

    QVERIFY(store.removeSecret(key));
    QCOMPARE(store.secret(key).value(), QByteArray());
    QCOMPARE(store.secret(QStringLiteral("ssh:ssh://u@h/srv")).value(), binary);
    QVERIFY(store.removeSecret(QStringLiteral("never-stored")));
    QCOMPARE(fileMode(store.filePath()), 0600);

    // The default follows $KILN_CREDENTIALS_FILE.
    QCOMPARE(CredentialStore().filePath(), m_credentials);
}

void tst_DeployTargets::credentialStoreRefusesReadableFile()
{
    const QString path
        = writeFile(m_dir.filePath(QStringLiteral("shared/credentials.json")),
                    R"({"format": "kiln-credentials", "formatVersion": 1, "secrets": {"agent:x": "t"}})");
    QVERIFY(QFile::setPermissions(
        path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    QCOMPARE(fileMode(path), 0644);
    CredentialStore store(path);
    const auto secret = store.secret(QStringLiteral("agent:x"));
    QVERIFY(!secret);
    QVERIFY2(secret.errorMessage().contains(path), qPrintable(secret.errorMessage()));
    QVERIFY2(secret.errorMessage().contains(QLatin1String("0644")), qPrintable(secret.errorMessage()));
    QVERIFY2(secret.errorMessage().contains(QLatin1String("readable")), qPrintable(secret.errorMessage()));
    // Not used for writing either: the file stays as it was.
    const Status set = store.setSecret(QStringLiteral("agent:y"), "u");
    QVERIFY(!set);
    QVERIFY(set.errorMessage().contains(path));
    QCOMPARE(fileMode(path), 0644);
    QVERIFY(!readFile(path).contains("agent:y"));

    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QCOMPARE(store.secret(QStringLiteral("agent:x")).value(), QByteArray("t"));
}

void tst_DeployTargets::folderStateRoundTrip()
{
    // The state file shared with the SSH target's remote folder.
    auto empty = Internal::DeployFolderState::fromJson({});
    QVERIFY(empty);
    QVERIFY(!empty->current && !empty->previous);

    Internal::DeployFolderState state;
    state.current = Internal::DeployFolderState::Entry {QStringLiteral("churn"), 3, QStringLiteral("ab12"),
                                                        QDateTime(QDate(2024, 5, 1), QTime(9, 30), Qt::UTC)};
    auto back = Internal::DeployFolderState::fromJson(state.toJson());
    QVERIFY2(back, back ? "" : qPrintable(back.errorMessage()));
    QVERIFY(back->current && !back->previous);
    QCOMPARE(back->current->name, QStringLiteral("churn"));
    QCOMPARE(back->current->version, 3);
    QCOMPARE(back->current->sha256, QStringLiteral("ab12"));
    QCOMPARE(back->current->deployedAt, state.current->deployedAt);
    back->swap();
    QVERIFY(!back->current && back->previous);

    const auto bad = Internal::DeployFolderState::fromJson(
        R"({"format": "kiln-deploy", "formatVersion": 1, "current": {"name": "churn", "version": "3"}})");
    QVERIFY(!bad);
    QVERIFY2(bad.errorMessage().contains(QLatin1String(Internal::kDeployStateFile))
                 && bad.errorMessage().contains(QLatin1String("current.version")),
             qPrintable(bad.errorMessage()));
    QVERIFY(!Internal::DeployFolderState::fromJson("{not json"));
}

void tst_DeployTargets::targetStoreValidates()
{
    TargetStore store(workspace());
    CredentialStore credentials;
    const auto add
        = [&](const QString &name, const QString &kind, const QString &location, const QByteArray &secret = "token") {
              TargetConfig config;
              config.name = name;
              config.kind = kind;
              config.location = location;
              return store.add(config, secret, credentials);
          };
    QVERIFY(add(QStringLiteral("zeta"), QStringLiteral("folder"), m_dir.filePath(QStringLiteral("zeta"))));
    QVERIFY(add(QStringLiteral("alpha"), QStringLiteral("agent"), QStringLiteral("http://127.0.0.1:9")));

    const struct
    {
        QString name, kind, location;
        QByteArray secret;
        const char *expected;
    } refused[] = {
        {QStringLiteral("zeta"), QStringLiteral("folder"), m_dir.filePath(QStringLiteral("z2")), "", "exists"},
        {QString(), QStringLiteral("folder"), m_dir.filePath(QStringLiteral("z3")), "", "needs a name"},
        {QStringLiteral("x"), QStringLiteral("ftp"), QStringLiteral("/srv"), "", "unknown target kind 'ftp'"},
        {QStringLiteral("x"), QStringLiteral("agent"), QStringLiteral("htp://x"), "t", "is not an http(s) URL"},
        {QStringLiteral("x"), QStringLiteral("agent"), QStringLiteral("http://127.0.0.1:9"), "", "Admin token"},
        {QStringLiteral("x"), QStringLiteral("folder"), QStringLiteral("relative/dir"), "", "absolute"},
    };
    for (const auto &r : refused) {
        const Status s = add(r.name, r.kind, r.location, r.secret);
        QVERIFY2(!s, qPrintable(r.name + QLatin1Char('/') + r.location));
        QVERIFY2(s.errorMessage().contains(QLatin1String(r.expected)), qPrintable(s.errorMessage()));
    }

    const auto all = store.list();
    QVERIFY(all);
    QStringList names;
    for (const TargetConfig &config : *all)
        names.append(config.name);
    QVERIFY(names.indexOf(QStringLiteral("alpha")) < names.indexOf(QStringLiteral("zeta")));
    QVERIFY(!names.contains(QStringLiteral("x")));
    const auto alpha = store.get(QStringLiteral("alpha"));
    QVERIFY(alpha);
    QCOMPARE(alpha->kind, QStringLiteral("agent"));
    QVERIFY(alpha->createdAt.isValid());
    QVERIFY(!store.get(QStringLiteral("nope")));
    QVERIFY(store.get(QStringLiteral("nope")).errorMessage().contains(QLatin1String("no target named 'nope'")));

    auto target = store.open(QStringLiteral("alpha"), credentials);
    QVERIFY(target);
    QCOMPARE((*target)->config().location, QStringLiteral("http://127.0.0.1:9"));

    // Removing a target removes its secret too.
    const QString key = CredentialStore::keyFor(QStringLiteral("agent"), QStringLiteral("http://127.0.0.1:9"));
    QCOMPARE(credentials.secret(key).value(), QByteArray("token"));
    QVERIFY(store.remove(QStringLiteral("alpha"), credentials));
    QCOMPARE(credentials.secret(key).value(), QByteArray());
    QVERIFY(!store.get(QStringLiteral("alpha")));
    QVERIFY(store.remove(QStringLiteral("zeta"), credentials));
}

void tst_DeployTargets::targetStoreKeepsSecretsOutOfTheDatabase()
{
    const QByteArray token = "tok-7f3a9c1e55d24b0e-never-in-db";
    addTarget(QStringLiteral("secretive"), QStringLiteral("agent"), QStringLiteral("http://127.0.0.1:7"), token);
    QVERIFY(readFile(m_credentials).contains(token));
    QCOMPARE(fileMode(m_credentials), 0600);
    // The database and its write-ahead log, byte for byte.
    const QString db = workspace().databasePath();
    QVERIFY(QFileInfo::exists(db));
    for (const QString &path : QStringList {db, db + QStringLiteral("-wal"), db + QStringLiteral("-shm")}) {
        QVERIFY2(!readFile(path).contains(token), qPrintable(path));
        QVERIFY2(!readFile(path).contains(token.toBase64()), qPrintable(path));
    }
    QVERIFY(readFile(db).contains("secretive") || readFile(db + QStringLiteral("-wal")).contains("secretive"));
    CredentialStore credentials;
    QVERIFY(TargetStore(workspace()).remove(QStringLiteral("secretive"), credentials));
    QVERIFY(!readFile(m_credentials).contains(token));
}

// --- the folder target ----------------------------------------------------------------------

void tst_DeployTargets::folderTargetRoundTrip()
{
    const QString folder = m_dir.filePath(QStringLiteral("folders/shelf"));
    addTarget(QStringLiteral("shelf"), QStringLiteral("folder"), folder);
    Feedback feedback;
    auto empty = deploy::status(root(), QStringLiteral("shelf"), feedback);
    QVERIFY(empty);
    QCOMPARE(empty->health, QStringLiteral("empty"));

    double lastProgress = 0;
    bool monotonic = true;
    feedback.setProgressCallback([&](double p) {
        monotonic = monotonic && p >= lastProgress - 1e-9;
        lastProgress = p;
    });
    auto first = deploy::push(root(), QStringLiteral("loans-risk@1"), QStringLiteral("shelf"), feedback);
    QVERIFY2(first, first ? "" : qPrintable(first.errorMessage()));
    QVERIFY(first->isActive());
    QVERIFY(monotonic);
    QCOMPARE(feedback.progress(), 1.0);
    Feedback second;
    auto v2 = deploy::push(root(), QStringLiteral("loans-risk@2"), QStringLiteral("shelf"), second);
    QVERIFY2(v2, v2 ? "" : qPrintable(v2.errorMessage()));
    QCOMPARE(v2->detail.value(QLatin1String("kind")).toString(), QStringLiteral("folder"));
    QCOMPARE(v2->detail.value(QLatin1String("attempts")).toInt(), 1);

    const QString current = folder + QLatin1Char('/') + QLatin1String(Internal::kCurrentBundleFile);
    const QString previous = folder + QLatin1Char('/') + QLatin1String(Internal::kPreviousBundleFile);
    auto bundle = readBundle(current);
    QVERIFY2(bundle, bundle ? "" : qPrintable(bundle.errorMessage()));
    QCOMPARE(bundle->modelVersion, 2);
    QCOMPARE(readBundle(previous)->modelVersion, 1);
    QCOMPARE(QString::fromLatin1(Sha256::hexHash(readFile(current))),
             v2->detail.value(QLatin1String("sha256")).toString());
    auto state = Internal::DeployFolderState::fromJson(
        readFile(folder + QLatin1Char('/') + QLatin1String(Internal::kDeployStateFile)));
    QVERIFY(state && state->current && state->previous);
    QCOMPARE(state->current->version, 2);
    QCOMPARE(state->previous->version, 1);
    QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden).filter(QStringLiteral(".upload-")), QStringList());

    Feedback check;
    auto stored = deploy::status(root(), QStringLiteral("shelf"), check);
    QVERIFY(stored);
    QCOMPARE(stored->health, QStringLiteral("stored"));
    QCOMPARE(stored->modelName, QStringLiteral("loans-risk"));
    QCOMPARE(stored->modelVersion, 2);
    QCOMPARE(stored->previousVersion, 1);
    QVERIFY(stored->metricsUrl.isEmpty());

    Feedback back;
    auto rolledBack = deploy::rollback(root(), QStringLiteral("shelf"), back);
    QVERIFY2(rolledBack, rolledBack ? "" : qPrintable(rolledBack.errorMessage()));
    QCOMPARE(readBundle(current)->modelVersion, 1);
    QCOMPARE(readBundle(previous)->modelVersion, 2);
    ModelRegistry registry(workspace());
    QCOMPARE(rolledBack->versionId, registry.version(QStringLiteral("loans-risk@1"))->id);
    QVERIFY(rolledBack->isActive());

    Feedback off;
    QVERIFY(deploy::undeploy(root(), QStringLiteral("shelf"), off));
    QVERIFY(!QFileInfo::exists(current));
    QCOMPARE(readBundle(previous)->modelVersion, 1);
    auto after = deploy::status(root(), QStringLiteral("shelf"), off);
    QVERIFY(after);
    QCOMPARE(after->health, QStringLiteral("empty"));
    QCOMPARE(after->previousVersion, 1);

    // The history, as lineage shows it.
    const QList<DeploymentRecord> history = deploymentsOn(QStringLiteral("shelf"));
    QStringList statuses;
    for (const DeploymentRecord &record : history)
        statuses.append(
            QStringLiteral("%1:%2").arg(registry.versionById(record.versionId)->version).arg(record.status));
    QCOMPARE(
        statuses,
        (QStringList {QStringLiteral("1:replaced"), QStringLiteral("2:rolled back"), QStringLiteral("1:undeployed")}));
    for (const DeploymentRecord &record : history)
        QVERIFY(record.endedAt.isValid());

    // Nothing to roll back to twice in a row from an empty folder: the previous one comes back.
    Feedback again;
    QVERIFY(deploy::rollback(root(), QStringLiteral("shelf"), again));
    QCOMPARE(readBundle(current)->modelVersion, 1);
    QVERIFY(!QFileInfo::exists(previous));
    Feedback none;
    const auto nothing = deploy::rollback(root(), QStringLiteral("shelf"), none);
    QVERIFY(!nothing);
    QVERIFY2(nothing.errorMessage().startsWith(QLatin1String("shelf: ")), qPrintable(nothing.errorMessage()));
    QVERIFY(deploy::undeploy(root(), QStringLiteral("shelf"), none));
}

void tst_DeployTargets::folderRemoveRefusedWhileActive()
{
    addTarget(QStringLiteral("locker"), QStringLiteral("folder"), m_dir.filePath(QStringLiteral("folders/locker")));
    Feedback feedback;
    QVERIFY(deploy::push(root(), QStringLiteral("loans-amount@1"), QStringLiteral("locker"), feedback));
    CredentialStore credentials;
    TargetStore store(workspace());
    const Status refused = store.remove(QStringLiteral("locker"), credentials);
    QVERIFY(!refused);
    QCOMPARE(refused.errorMessage(), QStringLiteral("'locker' serves loans-amount@1: undeploy it first"));
    QVERIFY(store.get(QStringLiteral("locker")));
    // The registry's own protection reads the same record.
    QVERIFY(!ModelRegistry(workspace()).deleteVersion(QStringLiteral("loans-amount"), 1));
    QVERIFY(deploy::undeploy(root(), QStringLiteral("locker"), feedback));
    QVERIFY(store.remove(QStringLiteral("locker"), credentials));
}

void tst_DeployTargets::deployTaskRunsOnTheTaskManager()
{
    addTarget(QStringLiteral("crate"), QStringLiteral("folder"), m_dir.filePath(QStringLiteral("folders/crate")));
    TaskManager tasks;
    auto *deployTask = new DeployTask(root(), QStringLiteral("loans-risk@champion"), QStringLiteral("crate"));
    QSignalSpy failedAlias(deployTask, &Task::finished);
    tasks.start(deployTask);
    QVERIFY(failedAlias.wait(60000));
    QCOMPARE(deployTask->state(), Task::State::Failed); // no such alias: nothing pushed, nothing recorded
    QVERIFY(deploymentsOn(QStringLiteral("crate")).isEmpty());

    auto *task = new DeployTask(root(), QStringLiteral("loans-risk@2"), QStringLiteral("crate"));
    QSignalSpy finished(task, &Task::finished);
    tasks.start(task);
    QVERIFY(finished.wait(60000));
    QCOMPARE(task->state(), Task::State::Succeeded);
    QVERIFY(task->record().isActive());
    QCOMPARE(task->record().target, QStringLiteral("crate"));

    auto *undeploy = new TargetActionTask(root(), QStringLiteral("crate"), TargetActionTask::Action::Undeploy);
    QSignalSpy undeployed(undeploy, &Task::finished);
    tasks.start(undeploy);
    QVERIFY(undeployed.wait(60000));
    QCOMPARE(undeploy->state(), Task::State::Succeeded);
    QCOMPARE(deploymentsOn(QStringLiteral("crate")).last().status, QStringLiteral("undeployed"));
}

// --- the agent target -----------------------------------------------------------------------

void tst_DeployTargets::agentPushStatusRollbackUndeploy()
{
    auto agent = startAgent(QStringLiteral("main"));
    QVERIFY(agent);
    addTarget(QStringLiteral("prod"), QStringLiteral("agent"), agent->baseUrl(), agent->token);

    Feedback feedback;
    auto down = deploy::status(root(), QStringLiteral("prod"), feedback);
    QVERIFY(down);
    QCOMPARE(down->health, QStringLiteral("empty"));
    QVERIFY(down->reachable);

    auto v1 = deploy::push(root(), QStringLiteral("loans-risk@1"), QStringLiteral("prod"), feedback);
    QVERIFY2(v1, v1 ? "" : qPrintable(v1.errorMessage()));
    QCOMPARE(agentVersion(agent->port).value(QLatin1String("version")).toInt(), 1);
    auto v2 = deploy::push(root(), QStringLiteral("loans-risk@2"), QStringLiteral("prod"), feedback);
    QVERIFY2(v2, v2 ? "" : qPrintable(v2.errorMessage()));
    const QJsonObject version = agentVersion(agent->port);
    QCOMPARE(version.value(QLatin1String("name")).toString(), QStringLiteral("loans-risk"));
    QCOMPARE(version.value(QLatin1String("version")).toInt(), 2);
    QCOMPARE(version.value(QLatin1String("sha256")).toString(), v2->detail.value(QLatin1String("sha256")).toString());

    // It predicts, in MLflow's format, with the version's own input example.
    const ModelVersion risk2 = ModelRegistry(workspace()).version(QStringLiteral("loans-risk@2")).value();
    TestHttpClient client(agent->port);
    const QByteArray body = QJsonDocument(QJsonObject {{QStringLiteral("dataframe_records"), risk2.inputExample}})
                                .toJson(QJsonDocument::Compact);
    const TestHttpClient::Reply predicted = client.request("POST", "/invocations", body);
    QCOMPARE(predicted.status, 200);
    QCOMPARE(QJsonDocument::fromJson(predicted.body).object().value(QLatin1String("predictions")).toArray().size(),
             risk2.inputExample.size());

    auto serving = deploy::status(root(), QStringLiteral("prod"), feedback);
    QVERIFY(serving);
    QCOMPARE(serving->health, QStringLiteral("serving"));
    QCOMPARE(serving->modelVersion, 2);
    QCOMPARE(serving->previousModel, QStringLiteral("loans-risk"));
    QCOMPARE(serving->previousVersion, 1);
    QCOMPARE(serving->metricsUrl, agent->baseUrl() + QStringLiteral("/metrics"));
    QCOMPARE(client.request("GET", "/metrics").status, 200);

    auto rolledBack = deploy::rollback(root(), QStringLiteral("prod"), feedback);
    QVERIFY2(rolledBack, rolledBack ? "" : qPrintable(rolledBack.errorMessage()));
    QCOMPARE(agentVersion(agent->port).value(QLatin1String("version")).toInt(), 1);
    QCOMPARE(rolledBack->versionId, v1->versionId);
    QCOMPARE(rolledBack->detail.value(QLatin1String("sha256")).toString(),
             v1->detail.value(QLatin1String("sha256")).toString());
    QCOMPARE(client.request("POST", "/invocations", body).status, 200);

    QVERIFY(deploy::undeploy(root(), QStringLiteral("prod"), feedback));
    QCOMPARE(client.request("GET", "/v2/health/ready").status, 503);
    auto empty = deploy::status(root(), QStringLiteral("prod"), feedback);
    QVERIFY(empty);
    QCOMPARE(empty->health, QStringLiteral("empty"));

    QStringList statuses;
    for (const DeploymentRecord &record : deploymentsOn(QStringLiteral("prod")))
        statuses.append(record.status);
    QCOMPARE(statuses,
             (QStringList {QStringLiteral("replaced"), QStringLiteral("rolled back"), QStringLiteral("undeployed")}));
    CredentialStore credentials;
    QVERIFY(TargetStore(workspace()).remove(QStringLiteral("prod"), credentials));
}

void tst_DeployTargets::agentWrongTokenIsPermanent()
{
    auto agent = startAgent(QStringLiteral("token"));
    QVERIFY(agent);
    addTarget(QStringLiteral("guarded"), QStringLiteral("agent"), agent->baseUrl(), agent->token);
    Feedback feedback;
    auto good = deploy::push(root(), QStringLiteral("loans-risk@1"), QStringLiteral("guarded"), feedback);
    QVERIFY2(good, good ? "" : qPrintable(good.errorMessage()));

    // The stored token goes stale (the agent's was changed).
    CredentialStore credentials;
    const QString key = CredentialStore::keyFor(QStringLiteral("agent"), agent->baseUrl());
    QVERIFY(credentials.setSecret(key, "not-the-token"));
    auto refused
        = deploy::push(root(), QStringLiteral("loans-risk@2"), QStringLiteral("guarded"), feedback, quickRetries(4));
    QVERIFY(!refused);
    QCOMPARE(refused.errorMessage(), QStringLiteral("guarded: HTTP 401: wrong token"));

    const QList<DeploymentRecord> history = deploymentsOn(QStringLiteral("guarded"));
    QCOMPARE(history.size(), 2);
    QCOMPARE(history.last().status, QStringLiteral("failed"));
    QCOMPARE(history.last().detail.value(QLatin1String("attempts")).toInt(), 1); // never retried
    QVERIFY(history.last().detail.value(QLatin1String("error")).toString().contains(QLatin1String("401")));
    QVERIFY(history.first().isActive()); // v1 still is what it serves
    QCOMPARE(agentVersion(agent->port).value(QLatin1String("version")).toInt(), 1);

    // A wrong token cannot roll back or undeploy either.
    QVERIFY(!deploy::undeploy(root(), QStringLiteral("guarded"), feedback));
    QCOMPARE(agentVersion(agent->port).value(QLatin1String("version")).toInt(), 1);

    QVERIFY(credentials.setSecret(key, agent->token));
    QVERIFY(deploy::undeploy(root(), QStringLiteral("guarded"), feedback));
    QVERIFY(TargetStore(workspace()).remove(QStringLiteral("guarded"), credentials));
}

void tst_DeployTargets::agentDownIsRetriedThenFails()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    addTarget(QStringLiteral("nowhere"), QStringLiteral("agent"), QStringLiteral("http://127.0.0.1:%1").arg(port),
              "token");
    Feedback feedback;
    auto down = deploy::status(root(), QStringLiteral("nowhere"), feedback);
    QVERIFY(down);
    QVERIFY(!down->reachable);
    QCOMPARE(down->health, QStringLiteral("down"));
    QVERIFY2(!down->detail.isEmpty(), "a down target says why");

    auto failed
        = deploy::push(root(), QStringLiteral("loans-risk@1"), QStringLiteral("nowhere"), feedback, quickRetries(3));
    QVERIFY(!failed);
    QVERIFY2(failed.errorMessage().startsWith(QLatin1String("nowhere: cannot reach")),
             qPrintable(failed.errorMessage()));
    const QList<DeploymentRecord> history = deploymentsOn(QStringLiteral("nowhere"));
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().status, QStringLiteral("failed"));
    QCOMPARE(history.first().detail.value(QLatin1String("attempts")).toInt(), 3);
    QVERIFY(history.first().endedAt.isValid());
}

void tst_DeployTargets::agentComingUpDuringRetriesSucceeds()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    addTarget(QStringLiteral("late"), QStringLiteral("agent"), QStringLiteral("http://127.0.0.1:%1").arg(port),
              "test-admin-token");
    RetryPolicy retry;
    retry.attempts = 40;
    retry.initialDelay = std::chrono::milliseconds(100);
    retry.factor = 1.5;
    retry.maxDelay = std::chrono::milliseconds(1000);
    Feedback feedback;
    const QString workspaceRoot = root();
    QFuture<Expected<DeploymentRecord>> pushed = QtConcurrent::run([&feedback, workspaceRoot, retry] {
        return deploy::push(workspaceRoot, QStringLiteral("loans-risk@2"), QStringLiteral("late"), feedback, retry);
    });
    // After the first failed attempt, the agent comes up on that port.
    QTRY_VERIFY_WITH_TIMEOUT(feedback.statusText().contains(QLatin1String("attempt 2")), kRetryTimeoutMs);
    auto agent = startAgent(QStringLiteral("late"), {QStringLiteral("--port"), QString::number(port)});
    QVERIFY(agent);
    QCOMPARE(agent->port, port);
    QTRY_VERIFY_WITH_TIMEOUT(pushed.isFinished(), kRetryTimeoutMs);
    const Expected<DeploymentRecord> record = pushed.result();
    QVERIFY2(record, record ? "" : qPrintable(record.errorMessage()));
    QVERIFY(record->detail.value(QLatin1String("attempts")).toInt() >= 2);
    QCOMPARE(agentVersion(port).value(QLatin1String("version")).toInt(), 2);
    QVERIFY(deploy::undeploy(root(), QStringLiteral("late"), feedback));
}

void tst_DeployTargets::cancelledPushLeavesTargetUnchanged()
{
    auto agent = startAgent(QStringLiteral("cancel"));
    QVERIFY(agent);
    addTarget(QStringLiteral("steady"), QStringLiteral("agent"), agent->baseUrl(), agent->token);
    Feedback first;
    QVERIFY(deploy::push(root(), QStringLiteral("loans-risk@1"), QStringLiteral("steady"), first));

    // Cancelled as the upload starts.
    Feedback feedback;
    feedback.setProgressCallback([&feedback](double p) {
        if (p >= 0.2)
            feedback.cancel();
    });
    auto cancelled = deploy::push(root(), QStringLiteral("loans-risk@2"), QStringLiteral("steady"), feedback);
    QVERIFY(!cancelled);
    QVERIFY2(cancelled.errorMessage().contains(QLatin1String("cancelled")), qPrintable(cancelled.errorMessage()));
    QCOMPARE(agentVersion(agent->port).value(QLatin1String("version")).toInt(), 1);

    // Cancelled while waiting to retry a target that is down.
    const quint16 port = freePort();
    addTarget(QStringLiteral("steady-down"), QStringLiteral("agent"), QStringLiteral("http://127.0.0.1:%1").arg(port),
              "token");
    RetryPolicy slow;
    slow.attempts = 50;
    slow.initialDelay = std::chrono::milliseconds(200);
    Feedback waiting;
    const QString workspaceRoot = root();
    QFuture<Expected<DeploymentRecord>> pushed = QtConcurrent::run([&waiting, workspaceRoot, slow] {
        return deploy::push(workspaceRoot, QStringLiteral("loans-risk@2"), QStringLiteral("steady-down"), waiting,
                            slow);
    });
    QTRY_VERIFY_WITH_TIMEOUT(waiting.statusText().contains(QLatin1String("attempt 2")), kRetryTimeoutMs);
    waiting.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(pushed.isFinished(), kRetryTimeoutMs);
    QVERIFY(!pushed.result());

    const QList<DeploymentRecord> history = deploymentsOn(QStringLiteral("steady"));
    QCOMPARE(history.size(), 2);
    QVERIFY(history.first().isActive());
    QCOMPARE(history.last().status, QStringLiteral("cancelled"));
    QCOMPARE(deploymentsOn(QStringLiteral("steady-down")).last().status, QStringLiteral("cancelled"));
    QVERIFY(deploymentsOn(QStringLiteral("steady-down")).last().detail.value(QLatin1String("attempts")).toInt() < 50);
    QVERIFY(deploy::undeploy(root(), QStringLiteral("steady"), first));
}

void tst_DeployTargets::cancelledUploadLeavesAgentUnchanged()
{
    auto agent = startAgent(QStringLiteral("upload"));
    QVERIFY(agent);
    addTarget(QStringLiteral("upload"), QStringLiteral("agent"), agent->baseUrl(), agent->token);
    Feedback first;
    QVERIFY(deploy::push(root(), QStringLiteral("loans-amount@1"), QStringLiteral("upload"), first));

    // A big body, cancelled part way through the transfer (progress comes from the socket).
    const QString big = m_dir.filePath(QStringLiteral("big.kiln.tar.gz"));
    {
        QFile file(big);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(qint64(256) << 20));
    }
    CredentialStore credentials;
    auto target = TargetStore(workspace()).open(QStringLiteral("upload"), credentials);
    QVERIFY(target);
    Feedback feedback;
    feedback.setProgressCallback([&feedback](double p) {
        if (p > 0.0 && p < 1.0)
            feedback.cancel();
    });
    PushRequest request;
    request.bundlePath = big;
    request.modelName = QStringLiteral("loans-amount");
    request.version = 9;
    const Status pushed = (*target)->push(request, feedback);
    QVERIFY(!pushed);
    QCOMPARE(pushed.errorMessage(), QStringLiteral("upload: cancelled"));
    QCOMPARE((*target)->lastFailureKind(), FailureKind::Permanent);
    const QJsonObject version = agentVersion(agent->port);
    QCOMPARE(version.value(QLatin1String("name")).toString(), QStringLiteral("loans-amount"));
    QCOMPARE(version.value(QLatin1String("version")).toInt(), 1);
    QVERIFY(deploy::undeploy(root(), QStringLiteral("upload"), first));
}

QTEST_GUILESS_MAIN(tst_DeployTargets)
#include "tst_deploytargets.moc"
