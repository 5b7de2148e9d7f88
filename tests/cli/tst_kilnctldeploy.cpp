#include "deploy/credentialstore.h"
#include "registry/modelregistry.h"
#include "servetestsupport.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QtTest>

#include <csignal>
#include <memory>

#include <sys/types.h>

using Result = kiln::test::KilnctlResult;

namespace {

constexpr int kProcessTimeoutMs = 120000;

/// A loopback port nothing listens on (taken from the system, then let go).
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        qFatal("cannot find a free port: %s", qPrintable(server.errorString()));
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

QString sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

/// "ref status" of each deployment of a `deployments list --json`, newest first.
QStringList historyOf(const Result &r)
{
    QStringList lines;
    for (const QJsonValue d : r.json().value(QStringLiteral("deployments")).toArray())
        lines << d[QStringLiteral("ref")].toString() + u' ' + d[QStringLiteral("status")].toString();
    return lines;
}

/// Waits until `process` wrote `lines` lines to stderr (it keeps what it read in `seen`).
bool waitForStderrLines(QProcess &process, qsizetype lines, QByteArray &seen)
{
    const QDeadlineTimer deadline(kProcessTimeoutMs);
    while (seen.count('\n') < lines && !deadline.hasExpired() && process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(200);
        seen += process.readAllStandardError();
    }
    seen += process.readAllStandardError();
    return seen.count('\n') >= lines;
}

} // namespace

/// kilnctl's deployment commands as a script runs them: real kilnctl processes on a workspace
/// with trained, registered versions, pushing to real kiln-serve agents on loopback and to a
/// folder; secrets in a credential file of the test's own ($KILN_CREDENTIALS_FILE).
class tst_KilnctlDeploy final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void addAndListTargets();
    void addRefused_data();
    void addRefused();
    void secretKeptOutOfWorkspace();
    void listKinds();
    void deployToAgent();
    void deployNextAndRollBack();
    void historyAndFilters();
    void rollbackWithoutPreviousRefused();
    void wrongTokenRefused();
    void targetDownFailsAfterRetries();
    void interruptCancelsPush();
    void unknownTargetRefused();
    void folderTarget();
    void removeTargets();
    void serveInForeground();
    void usageErrors_data();
    void usageErrors();

private:
    Result kilnctl(const QStringList &args) const { return kiln::test::runKilnctl(m_ws, args, m_dir.path()); }
    /// kilnctl with `input` on its stdin.
    Result kilnctlWithInput(const QStringList &args, const QByteArray &input) const
    {
        QProcess process;
        kiln::test::startKilnctl(process, m_ws, args);
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(kProcessTimeoutMs))
            qFatal("kilnctl %s did not finish", qPrintable(args.join(u' ')));
        return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
    }
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString expand(const QString &arg) const
    {
        QString a = arg;
        return a.replace(QLatin1String("{url}"), m_agent->baseUrl())
            .replace(QLatin1String("{token}"), m_tokenFile)
            .replace(QLatin1String("{dir}"), m_dir.path());
    }
    QJsonObject versionOf(quint16 port) const
    {
        kiln::test::TestHttpClient client(port);
        const auto reply = client.request("GET", "/version");
        return QJsonDocument::fromJson(reply.body).object();
    }

    QTemporaryDir m_dir;
    QString m_ws;
    QString m_credentials;
    QString m_tokenFile; ///< holds prod's token
    QString m_downLocation;
    kiln::test::ServedWorkspace m_served;
    std::unique_ptr<kiln::test::AgentProcess> m_agent; ///< "prod"
    std::unique_ptr<kiln::test::AgentProcess> m_edge; ///< "edge", a second agent
};

void tst_KilnctlDeploy::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_credentials = path(QStringLiteral("credentials.json"));
    qputenv("KILN_CREDENTIALS_FILE", m_credentials.toLocal8Bit());
    kiln::test::ServedWorkspace::create(m_dir.path(), m_served);
    QVERIFY(m_served.trained.workspace);
    m_ws = m_served.trained.workspace->root();
    QString error;
    m_agent = kiln::test::AgentProcess::start(path(QStringLiteral("agent")), {}, &error, "prod-token-5b1e9a77");
    QVERIFY2(m_agent, qPrintable(error));
    m_edge = kiln::test::AgentProcess::start(path(QStringLiteral("edge")), {}, &error, "edge-token-c40f");
    QVERIFY2(m_edge, qPrintable(error));
    m_tokenFile = kiln::test::writeFile(path(QStringLiteral("prod-token.txt")), m_agent->token + '\n');
    m_downLocation = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
}

void tst_KilnctlDeploy::addAndListTargets()
{
    Result r = kilnctl({QStringLiteral("targets"), QStringLiteral("add"), QStringLiteral("prod"),
                        QStringLiteral("--kind"), QStringLiteral("agent"), QStringLiteral("--location"),
                        m_agent->baseUrl(), QStringLiteral("--secret-file"), m_tokenFile});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith(QStringLiteral("Added target prod (agent %1").arg(m_agent->baseUrl()).toUtf8()),
             r.out.constData());

    // The second agent's token from the environment, the unreachable one's from stdin.
    qputenv("KILN_TEST_EDGE_TOKEN", m_edge->token);
    r = kilnctl({QStringLiteral("targets"), QStringLiteral("add"), QStringLiteral("edge"), QStringLiteral("--kind"),
                 QStringLiteral("agent"), QStringLiteral("--location"), m_edge->baseUrl(),
                 QStringLiteral("--secret-env"), QStringLiteral("KILN_TEST_EDGE_TOKEN"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json()[QStringLiteral("target")][QStringLiteral("name")].toString(), QStringLiteral("edge"));
    r = kilnctlWithInput({QStringLiteral("targets"), QStringLiteral("add"), QStringLiteral("down"),
                          QStringLiteral("--kind"), QStringLiteral("agent"), QStringLiteral("--location"),
                          m_downLocation, QStringLiteral("--secret-stdin")},
                         "down-token-99d2\n");
    QVERIFY2(r.exitCode == 0, r.err.constData());

    r = kilnctl({QStringLiteral("targets"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray targets = r.json()[QStringLiteral("targets")].toArray();
    QCOMPARE(targets.size(), 3);
    QStringList names;
    for (const QJsonValue t : targets)
        names << t[QStringLiteral("name")].toString();
    QCOMPARE(names, (QStringList {QStringLiteral("down"), QStringLiteral("edge"), QStringLiteral("prod")}));
    const QJsonObject prod = targets.at(2).toObject();
    QCOMPARE(prod[QStringLiteral("kind")].toString(), QStringLiteral("agent"));
    QCOMPARE(prod[QStringLiteral("location")].toString(), m_agent->baseUrl());

    r = kilnctl({QStringLiteral("targets"), QStringLiteral("list")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines.at(0).startsWith("NAME"));
    QVERIFY(lines.at(3).startsWith("prod"));
    QVERIFY(lines.at(3).contains(m_agent->baseUrl().toUtf8()));
}

void tst_KilnctlDeploy::addRefused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    const auto add = [](const char *name, std::initializer_list<const char *> words) {
        QStringList args {QStringLiteral("targets"), QStringLiteral("add")};
        if (name)
            args << QString::fromLatin1(name);
        for (const char *w : words)
            args << QString::fromLatin1(w);
        return args;
    };
    kiln::test::writeFile(path(QStringLiteral("empty.txt")), {});
    QTest::newRow("duplicate name") << add("prod",
                                           {"--kind", "agent", "--location", "{url}", "--secret-file", "{token}"})
                                    << 1 << QStringLiteral("prod");
    QTest::newRow("unknown kind") << add("x", {"--kind", "ftp", "--location", "{dir}/x"}) << 2
                                  << QStringLiteral("the kinds are");
    QTest::newRow("no kind") << add("x", {"--location", "{dir}/x"}) << 2 << QStringLiteral("--kind");
    QTest::newRow("no name") << add(nullptr, {"--kind", "folder", "--location", "{dir}/x"}) << 2
                             << QStringLiteral("name");
    QTest::newRow("no location") << add("x", {"--kind", "folder"}) << 2
                                 << QStringLiteral("needs --location LOC; folder fields: ");
    QTest::newRow("secret as an option") << add("x",
                                                {"--kind", "agent", "--location", "{url}", "--option", "secret=abc"})
                                         << 2 << QStringLiteral("never on the command line");
    QTest::newRow("unknown option") << add("x", {"--kind", "folder", "--location", "{dir}/x", "--option", "colour=red"})
                                    << 2 << QStringLiteral("colour");
    QTest::newRow("option without value")
        << add("x", {"--kind", "folder", "--location", "{dir}/x", "--option", "colour"}) << 2
        << QStringLiteral("KEY=VALUE");
    QTest::newRow("two secret sources") << add(
        "x", {"--kind", "agent", "--location", "{url}", "--secret-file", "{token}", "--secret-env", "HOME"})
                                        << 2 << QStringLiteral("one way");
    QTest::newRow("secret for a folder") << add(
        "x", {"--kind", "folder", "--location", "{dir}/x", "--secret-file", "{token}"})
                                         << 2 << QStringLiteral("takes no secret");
    QTest::newRow("missing secret file") << add(
        "x", {"--kind", "agent", "--location", "{url}", "--secret-file", "{dir}/nothing.txt"})
                                         << 1 << QStringLiteral("nothing.txt");
    QTest::newRow("empty secret file") << add(
        "x", {"--kind", "agent", "--location", "{url}", "--secret-file", "{dir}/empty.txt"})
                                       << 1 << QStringLiteral("empty");
    QTest::newRow("unset secret variable")
        << add("x", {"--kind", "agent", "--location", "{url}", "--secret-env", "KILN_TEST_NOT_SET"}) << 1
        << QStringLiteral("KILN_TEST_NOT_SET");
    QTest::newRow("not a URL") << add("x", {"--kind", "agent", "--location", "htp://x", "--secret-file", "{token}"})
                               << 1 << QStringLiteral("htp://x");
}

void tst_KilnctlDeploy::addRefused()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    for (QString &a : args)
        a = expand(a);
    const Result r = kilnctl(args);
    QVERIFY2(r.exitCode == exitCode, r.err.constData());
    QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1); // one line
    QVERIFY(r.out.isEmpty());

    const Result list = kilnctl({QStringLiteral("targets"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(list.json()[QStringLiteral("targets")].toArray().size(), 3);
    // prod kept its own location and token.
    QCOMPARE(list.json()[QStringLiteral("targets")].toArray().at(2)[QStringLiteral("location")].toString(),
             m_agent->baseUrl());
}

void tst_KilnctlDeploy::secretKeptOutOfWorkspace()
{
    const QString db = m_served.trained.workspace->databasePath();
    for (const QString &file : QStringList {db, db + QStringLiteral("-wal"), db + QStringLiteral("-journal")}) {
        const QByteArray bytes = kiln::test::readFile(file);
        QVERIFY2(!bytes.contains(m_agent->token), qPrintable(file));
        QVERIFY2(!bytes.contains(m_edge->token), qPrintable(file));
        QVERIFY2(!bytes.contains("down-token-99d2"), qPrintable(file));
    }
    QVERIFY(kiln::test::readFile(db).size() > 0);

    const QFile::Permissions permissions = QFile::permissions(m_credentials);
    QVERIFY(permissions & QFile::ReadOwner);
    QVERIFY(!(permissions & (QFile::ReadGroup | QFile::ReadOther)));
    const kiln::CredentialStore credentials(m_credentials);
    const auto prod = credentials.secret(kiln::CredentialStore::keyFor(QStringLiteral("agent"), m_agent->baseUrl()));
    QVERIFY2(prod, qPrintable(prod ? QString() : prod.errorMessage()));
    QCOMPARE(*prod, m_agent->token); // without the file's line break
    const auto edge = credentials.secret(kiln::CredentialStore::keyFor(QStringLiteral("agent"), m_edge->baseUrl()));
    QVERIFY2(edge, qPrintable(edge ? QString() : edge.errorMessage()));
    QCOMPARE(*edge, m_edge->token);
    const auto down = credentials.secret(kiln::CredentialStore::keyFor(QStringLiteral("agent"), m_downLocation));
    QVERIFY2(down, qPrintable(down ? QString() : down.errorMessage()));
    QCOMPARE(*down, QByteArray("down-token-99d2"));
}

void tst_KilnctlDeploy::listKinds()
{
    const Result r = kilnctl({QStringLiteral("targets"), QStringLiteral("kinds"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QStringList ids;
    bool agentTakesSecret = false;
    bool folderTakesLocation = false;
    for (const QJsonValue kind : r.json()[QStringLiteral("kinds")].toArray()) {
        ids << kind[QStringLiteral("id")].toString();
        for (const QJsonValue field : kind[QStringLiteral("fields")].toArray()) {
            if (kind[QStringLiteral("id")] == QStringLiteral("agent") && field[QStringLiteral("secret")].toBool())
                agentTakesSecret = true;
            if (kind[QStringLiteral("id")] == QStringLiteral("folder")
                && field[QStringLiteral("key")] == QStringLiteral("location"))
                folderTakesLocation = field[QStringLiteral("required")].toBool();
        }
    }
    ids.sort();
    QCOMPARE(ids,
             (QStringList {QStringLiteral("agent"), QStringLiteral("folder"), QStringLiteral("oci"),
                           QStringLiteral("ssh")}));
    QVERIFY(agentTakesSecret);
    QVERIFY(folderTakesLocation);

    const Result text = kilnctl({QStringLiteral("targets"), QStringLiteral("kinds")});
    QVERIFY2(text.exitCode == 0, text.err.constData());
    QVERIFY2(text.out.contains("(required): --secret-file FILE | --secret-env VAR | --secret-stdin\n"),
             text.out.constData());
    QVERIFY2(text.out.contains("(required): --location LOC, e.g. "), text.out.constData());
}

void tst_KilnctlDeploy::deployToAgent()
{
    Result r = kilnctl({QStringLiteral("deploy"), QStringLiteral("loans-risk@1"), QStringLiteral("--target"),
                        QStringLiteral("prod"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(!r.err.contains("%]"), r.err.constData()); // no progress lines with --json
    const QJsonObject deployment = r.json()[QStringLiteral("deployment")].toObject();
    QCOMPARE(deployment[QStringLiteral("target")].toString(), QStringLiteral("prod"));
    QCOMPARE(deployment[QStringLiteral("ref")].toString(), QStringLiteral("loans-risk@1"));
    QCOMPARE(deployment[QStringLiteral("status")].toString(), QStringLiteral("active"));
    QCOMPARE(deployment[QStringLiteral("sha256")].toString().size(), 64);
    QCOMPARE(deployment[QStringLiteral("attempts")].toInt(), 1);

    r = kilnctl(
        {QStringLiteral("deployments"), QStringLiteral("status"), QStringLiteral("prod"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject status = r.json();
    QCOMPARE(status[QStringLiteral("health")].toString(), QStringLiteral("serving"));
    QCOMPARE(status[QStringLiteral("ref")].toString(), QStringLiteral("loans-risk@1"));
    QCOMPARE(status[QStringLiteral("sha256")].toString(), deployment[QStringLiteral("sha256")].toString());
    QVERIFY(status[QStringLiteral("metricsUrl")].toString().startsWith(m_agent->baseUrl()));
    QCOMPARE(status[QStringLiteral("recorded")][QStringLiteral("ref")].toString(), QStringLiteral("loans-risk@1"));

    // A client of the agent, as curl would send it: MLflow's dataframe_records.
    const auto version = kiln::ModelRegistry(*m_served.trained.workspace).version(QStringLiteral("loans-risk@1"));
    QVERIFY(version);
    const QByteArray body
        = QJsonDocument(QJsonObject {{QStringLiteral("dataframe_records"), version->inputExample}}).toJson();
    kiln::test::TestHttpClient client(m_agent->port);
    const auto reply = client.request("POST", "/invocations", body);
    QVERIFY2(reply.status == 200, reply.body.constData());
    const QJsonArray predictions = QJsonDocument::fromJson(reply.body)[QStringLiteral("predictions")].toArray();
    QCOMPARE(predictions.size(), version->inputExample.size());
    QVERIFY(!predictions.isEmpty());
    QCOMPARE(versionOf(m_agent->port)[QStringLiteral("version")].toInt(), 1);
}

void tst_KilnctlDeploy::deployNextAndRollBack()
{
    Result r = kilnctl(
        {QStringLiteral("deploy"), QStringLiteral("loans-risk@2"), QStringLiteral("--target"), QStringLiteral("prod")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith("Deployed loans-risk@2 to prod (sha256 "), r.out.constData());
    QVERIFY2(r.err.startsWith("[  0%] "), r.err.constData()); // progress lines
    QCOMPARE(versionOf(m_agent->port)[QStringLiteral("version")].toInt(), 2);

    r = kilnctl(
        {QStringLiteral("deployments"), QStringLiteral("status"), QStringLiteral("prod"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json()[QStringLiteral("ref")].toString(), QStringLiteral("loans-risk@2"));
    QCOMPARE(r.json()[QStringLiteral("previous")].toString(), QStringLiteral("loans-risk@1"));

    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("rollback"), QStringLiteral("prod")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("Rolled back prod: it serves loans-risk@1 again"));
    QCOMPARE(versionOf(m_agent->port)[QStringLiteral("version")].toInt(), 1);

    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("status"), QStringLiteral("prod")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith("prod: serving loans-risk@1\n"), r.out.constData());
    QVERIFY2(r.out.contains("workspace: loans-risk@1 active since "), r.out.constData());
}

void tst_KilnctlDeploy::historyAndFilters()
{
    Result r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--all"),
                        QStringLiteral("--target"), QStringLiteral("prod"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(historyOf(r),
             (QStringList {QStringLiteral("loans-risk@1 active"), QStringLiteral("loans-risk@2 rolled back"),
                           QStringLiteral("loans-risk@1 replaced")}));
    const QJsonArray all = r.json()[QStringLiteral("deployments")].toArray();
    QVERIFY(all.at(0)[QStringLiteral("endedAt")].isNull());
    QVERIFY(!all.at(1)[QStringLiteral("endedAt")].toString().isEmpty());

    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(historyOf(r), QStringList {QStringLiteral("loans-risk@1 active")});
    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--all"),
                 QStringLiteral("--model"), QStringLiteral("loans-amount"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(historyOf(r), QStringList());

    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--all")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines.at(0).startsWith("ID"));
    QVERIFY(lines.at(2).contains("loans-risk@2") && lines.at(2).contains("rolled back"));
}

void tst_KilnctlDeploy::rollbackWithoutPreviousRefused()
{
    Result r = kilnctl({QStringLiteral("deploy"), QStringLiteral("loans-amount@1"), QStringLiteral("--target"),
                        QStringLiteral("edge")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("rollback"), QStringLiteral("edge")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("kilnctl: ") && r.err.contains("edge"), r.err.constData());
    QCOMPARE(versionOf(m_edge->port)[QStringLiteral("name")].toString(), QStringLiteral("loans-amount"));
    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--target"),
                 QStringLiteral("edge"), QStringLiteral("--json")});
    QCOMPARE(historyOf(r), QStringList {QStringLiteral("loans-amount@1 active")});
}

void tst_KilnctlDeploy::wrongTokenRefused()
{
    kiln::CredentialStore credentials(m_credentials);
    const QString key = kiln::CredentialStore::keyFor(QStringLiteral("agent"), m_edge->baseUrl());
    QVERIFY(credentials.setSecret(key, "not-the-token"));
    const Result r = kilnctl(
        {QStringLiteral("deploy"), QStringLiteral("loans-risk@1"), QStringLiteral("--target"), QStringLiteral("edge")});
    QVERIFY(credentials.setSecret(key, m_edge->token));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.trimmed().split('\n').last().contains("401"), r.err.constData());
    QCOMPARE(versionOf(m_edge->port)[QStringLiteral("name")].toString(), QStringLiteral("loans-amount"));
    const Result history = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--all"),
                                    QStringLiteral("--target"), QStringLiteral("edge"), QStringLiteral("--json")});
    QCOMPARE(historyOf(history),
             (QStringList {QStringLiteral("loans-risk@1 failed"), QStringLiteral("loans-amount@1 active")}));
}

void tst_KilnctlDeploy::targetDownFailsAfterRetries()
{
    Result r = kilnctl({QStringLiteral("deploy"), QStringLiteral("loans-risk@1"), QStringLiteral("--target"),
                        QStringLiteral("down"), QStringLiteral("--retries"), QStringLiteral("1")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.trimmed().split('\n').last().startsWith("kilnctl: "), r.err.constData());
    QVERIFY(r.out.isEmpty());
    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--all"),
                 QStringLiteral("--target"), QStringLiteral("down"), QStringLiteral("--json")});
    QCOMPARE(historyOf(r), QStringList {QStringLiteral("loans-risk@1 failed")});

    r = kilnctl(
        {QStringLiteral("deployments"), QStringLiteral("status"), QStringLiteral("down"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("'down' is down"), r.err.constData());
    QCOMPARE(r.json()[QStringLiteral("ok")].toBool(true), false);
    QCOMPARE(r.json()[QStringLiteral("health")].toString(), QStringLiteral("down"));
}

void tst_KilnctlDeploy::interruptCancelsPush()
{
    // Many retries with back-off against a closed port: the push is waiting to retry when
    // Ctrl+C comes (the third progress line is the second attempt), and must end at once,
    // cleanly, and be recorded as cancelled.
    QProcess process;
    kiln::test::startKilnctl(process, m_ws,
                             {QStringLiteral("deploy"), QStringLiteral("loans-risk@1"), QStringLiteral("--target"),
                              QStringLiteral("down"), QStringLiteral("--retries"), QStringLiteral("50")});
    QByteArray err;
    QVERIFY2(waitForStderrLines(process, 3, err), err.constData());
    QVERIFY2(err.startsWith("[  0%] deploying loans-risk@1 to 'down'\n"), err.constData());
    QVERIFY2(process.state() == QProcess::Running && process.processId() > 0, err.constData());
    QCOMPARE(::kill(pid_t(process.processId()), SIGINT), 0);
    QVERIFY(process.waitForFinished(kProcessTimeoutMs));
    err += process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    QVERIFY2(err.trimmed().split('\n').last().startsWith("kilnctl: "), err.constData());
    QVERIFY2(err.trimmed().split('\n').last().contains("cancelled"), err.constData());
    const Result r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--all"),
                              QStringLiteral("--target"), QStringLiteral("down"), QStringLiteral("--json")});
    QCOMPARE(historyOf(r).value(0), QStringLiteral("loans-risk@1 cancelled"));
}

void tst_KilnctlDeploy::unknownTargetRefused()
{
    for (const QStringList &args :
         {QStringList {QStringLiteral("deploy"), QStringLiteral("loans-risk@1"), QStringLiteral("--target"),
                       QStringLiteral("nowhere")},
          QStringList {QStringLiteral("deployments"), QStringLiteral("status"), QStringLiteral("nowhere")},
          QStringList {QStringLiteral("deployments"), QStringLiteral("rollback"), QStringLiteral("nowhere")},
          QStringList {QStringLiteral("deployments"), QStringLiteral("undeploy"), QStringLiteral("nowhere")},
          QStringList {QStringLiteral("targets"), QStringLiteral("remove"), QStringLiteral("nowhere")}}) {
        const Result r = kilnctl(args);
        QVERIFY2(r.exitCode == 1, qPrintable(args.join(u' ')));
        QVERIFY2(r.err.contains("nowhere"), r.err.constData());
    }
    const Result r = kilnctl(
        {QStringLiteral("deploy"), QStringLiteral("loans-risk@9"), QStringLiteral("--target"), QStringLiteral("prod")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("loans-risk"), r.err.constData());
    QCOMPARE(versionOf(m_agent->port)[QStringLiteral("version")].toInt(), 1);
}

void tst_KilnctlDeploy::folderTarget()
{
    const QString shelf = path(QStringLiteral("shelf"));
    QVERIFY(QDir().mkpath(shelf));
    Result r = kilnctl({QStringLiteral("targets"), QStringLiteral("add"), QStringLiteral("shelf"),
                        QStringLiteral("--kind"), QStringLiteral("folder"), QStringLiteral("--location"), shelf});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = kilnctl({QStringLiteral("deploy"), QStringLiteral("loans-amount@1"), QStringLiteral("--target"),
                 QStringLiteral("shelf"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString sha256 = r.json()[QStringLiteral("deployment")][QStringLiteral("sha256")].toString();
    QCOMPARE(sha256.size(), 64);
    QStringList matching; // the bundle, byte for byte, somewhere in the folder
    QDirIterator files(shelf, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString file = files.next();
        if (sha256Of(file) == sha256)
            matching << file;
    }
    QVERIFY2(!matching.isEmpty(), qPrintable(sha256));

    r = kilnctl(
        {QStringLiteral("deployments"), QStringLiteral("status"), QStringLiteral("shelf"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json()[QStringLiteral("health")].toString(), QStringLiteral("stored"));
    QCOMPARE(r.json()[QStringLiteral("ref")].toString(), QStringLiteral("loans-amount@1"));

    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("undeploy"), QStringLiteral("shelf")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("Undeployed shelf"));
    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--target"),
                 QStringLiteral("shelf"), QStringLiteral("--json")});
    QCOMPARE(historyOf(r), QStringList());
    r = kilnctl({QStringLiteral("deployments"), QStringLiteral("list"), QStringLiteral("--all"),
                 QStringLiteral("--target"), QStringLiteral("shelf"), QStringLiteral("--json")});
    QCOMPARE(historyOf(r), QStringList {QStringLiteral("loans-amount@1 undeployed")});
}

void tst_KilnctlDeploy::removeTargets()
{
    Result r = kilnctl({QStringLiteral("targets"), QStringLiteral("remove"), QStringLiteral("prod")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("undeploy"), r.err.constData());

    for (const char *name : {"shelf", "down"}) {
        r = kilnctl({QStringLiteral("targets"), QStringLiteral("remove"), QString::fromLatin1(name)});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out.trimmed(), QByteArray("Removed target ") + name);
    }
    r = kilnctl({QStringLiteral("targets"), QStringLiteral("list"), QStringLiteral("--json")});
    QStringList names;
    for (const QJsonValue t : r.json()[QStringLiteral("targets")].toArray())
        names << t[QStringLiteral("name")].toString();
    QCOMPARE(names, (QStringList {QStringLiteral("edge"), QStringLiteral("prod")}));
    // The removed target's secret went with it; the others stay.
    QVERIFY(!kiln::test::readFile(m_credentials).contains("down-token-99d2"));
    QVERIFY(kiln::test::readFile(m_credentials).contains(m_agent->token));
}

void tst_KilnctlDeploy::serveInForeground()
{
    QProcess process;
    kiln::test::startKilnctl(process, m_ws,
                             {QStringLiteral("serve"), QStringLiteral("--bundle"), m_served.riskV2,
                              QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data"),
                              path(QStringLiteral("serve-data")), QStringLiteral("--token-file"), m_tokenFile});
    QByteArray out;
    quint16 port = 0;
    const QDeadlineTimer deadline(kProcessTimeoutMs);
    const QByteArray prefix = "kiln-serve listening on http://127.0.0.1:";
    while (port == 0 && !deadline.hasExpired() && process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(200);
        out += process.readAllStandardOutput();
        const qsizetype at = out.indexOf(prefix);
        const qsizetype end = at < 0 ? -1 : out.indexOf('\n', at);
        if (end > 0)
            port = quint16(out.mid(at + prefix.size(), end - at - prefix.size()).toUInt());
    }
    out += process.readAllStandardError();
    QVERIFY2(port != 0, out.constData());

    kiln::test::TestHttpClient client(port);
    QCOMPARE(client.request("GET", "/ping").status, 200);
    const auto version = client.request("GET", "/version");
    QCOMPARE(version.status, 200);
    const QJsonObject v = QJsonDocument::fromJson(version.body).object();
    QCOMPARE(v[QStringLiteral("name")].toString(), QStringLiteral("loans-risk"));
    QCOMPARE(v[QStringLiteral("version")].toInt(), 2);
    // The admin token came from the file: a rollback with it reaches the agent (nothing to
    // roll back to), without it is refused.
    QCOMPARE(client.request("POST", "/rollback", {}, "application/json").status, 401);
    QCOMPARE(client.request("POST", "/rollback", {}, "application/json", m_agent->token).status, 409);

    process.terminate(); // SIGTERM
    QVERIFY(process.waitForFinished(kProcessTimeoutMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
}

void tst_KilnctlDeploy::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("deploy without target") << QStringList {QStringLiteral("deploy"), QStringLiteral("loans-risk@1")};
    QTest::newRow("deploy without version") << QStringList {QStringLiteral("deploy"), QStringLiteral("loans-risk"),
                                                            QStringLiteral("--target"), QStringLiteral("prod")};
    QTest::newRow("deploy bad retries") << QStringList {QStringLiteral("deploy"),    QStringLiteral("loans-risk@1"),
                                                        QStringLiteral("--target"),  QStringLiteral("prod"),
                                                        QStringLiteral("--retries"), QStringLiteral("many")};
    QTest::newRow("status without target") << QStringList {QStringLiteral("deployments"), QStringLiteral("status")};
    QTest::newRow("rollback two targets") << QStringList {QStringLiteral("deployments"), QStringLiteral("rollback"),
                                                          QStringLiteral("prod"), QStringLiteral("edge")};
    QTest::newRow("undeploy without target") << QStringList {QStringLiteral("deployments"), QStringLiteral("undeploy")};
    QTest::newRow("list with a word") << QStringList {QStringLiteral("deployments"), QStringLiteral("list"),
                                                      QStringLiteral("prod")};
    QTest::newRow("remove without name") << QStringList {QStringLiteral("targets"), QStringLiteral("remove")};
    QTest::newRow("serve without bundle") << QStringList {QStringLiteral("serve")};
    QTest::newRow("serve bad port") << QStringList {QStringLiteral("serve"), QStringLiteral("--bundle"),
                                                    QStringLiteral("x"), QStringLiteral("--port"),
                                                    QStringLiteral("70000")};
    QTest::newRow("serve bad host") << QStringList {QStringLiteral("serve"), QStringLiteral("--bundle"),
                                                    QStringLiteral("x"), QStringLiteral("--host"),
                                                    QStringLiteral("nowhere")};
}

void tst_KilnctlDeploy::usageErrors()
{
    QFETCH(QStringList, args);
    const Result r = kilnctl(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.startsWith("kilnctl: ") && r.err.contains("(see kilnctl --help)"), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(tst_KilnctlDeploy)
#include "tst_kilnctldeploy.moc"
