// The "ssh" target against a real sshd (openssh-server) on loopback, started by the test with
// its own host key, config and authorized key, and a real kiln-serve that the reload command
// feeds with curl. One scenario, in order: push, push again, roll back, a failing reload, a
// cancelled upload, a wrong key, undeploy, a changed host key, sshd stopped.
#include "deploytestsupport.h"
#include "foldertarget.h"
#include "servetestsupport.h"
#include "sshtarget.h"
#include "util/sha256.h"

#include "deploy/deploytarget.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace kiln;
using namespace kiln::test;
using kiln::Internal::DeployFolderState;

namespace {

const QString kSshd = QStringLiteral("/usr/sbin/sshd");

QString currentUser()
{
    const passwd *entry = ::getpwuid(::getuid());
    return entry ? QString::fromLocal8Bit(entry->pw_name) : qEnvironmentVariable("USER");
}

/// Runs a program to its end; its stdout, or a test failure with its stderr.
QByteArray runTool(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        qFatal("%s %s failed: %s", qPrintable(program), qPrintable(arguments.join(u' ')),
               process.readAllStandardError().constData());
    return process.readAllStandardOutput();
}

/// A new ed25519 key pair at `path` (and `path`.pub), without a passphrase.
void makeKey(const QString &path)
{
    QFile::remove(path);
    QFile::remove(path + QStringLiteral(".pub"));
    runTool(QStringLiteral("ssh-keygen"),
            {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"), QString(),
             QStringLiteral("-C"), QStringLiteral("kiln-test"), QStringLiteral("-f"), path});
}

/// "SHA256:..." of a public key file, as ssh-keygen prints it.
QString fingerprint(const QString &publicKey)
{
    const QByteArray line
        = runTool(QStringLiteral("ssh-keygen"), {QStringLiteral("-l"), QStringLiteral("-f"), publicKey});
    return QString::fromLatin1(line.split(' ').value(1));
}

/// sshd on 127.0.0.1 and a free port, as the current user, with everything in `dir`: its
/// config, host key, authorized_keys, pid file and log. Stopped by PID.
class SshServer : public LoopbackServer
{
public:
    using LoopbackServer::LoopbackServer;

    QString hostKey() const { return m_dir + QStringLiteral("/host_ed25519"); }
    QString log() const { return QString::fromUtf8(readFile(m_dir + QStringLiteral("/sshd.log"))); }

    /// Starts it with the authorized key `clientPublicKey`; an empty string, or why it failed.
    QString start(const QString &clientPublicKey)
    {
        if (!QFile::exists(hostKey()))
            makeKey(hostKey());
        writeFile(m_dir + QStringLiteral("/authorized_keys"), readFile(clientPublicKey));
        QFile::setPermissions(m_dir + QStringLiteral("/authorized_keys"), QFile::ReadOwner | QFile::WriteOwner);
        QByteArray config;
        config += "ListenAddress 127.0.0.1\nPort " + QByteArray::number(m_port) + '\n';
        config += "HostKey " + QFile::encodeName(hostKey()) + '\n';
        config += "PidFile " + QFile::encodeName(m_dir) + "/sshd.pid\n";
        config += "AuthorizedKeysFile " + QFile::encodeName(m_dir) + "/authorized_keys\n";
        // The temporary folder's owner and modes are the test's, not a home folder's.
        config += "StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n";
        config += "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\n";
        const QString configPath = writeFile(m_dir + QStringLiteral("/sshd_config"), config);
        if (::getuid() == 0 && !QFileInfo::exists(QStringLiteral("/run/sshd")))
            ::mkdir("/run/sshd", 0755); // sshd's privilege separation folder
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(kSshd,
                        {QStringLiteral("-D"), QStringLiteral("-f"), configPath, QStringLiteral("-E"),
                         m_dir + QStringLiteral("/sshd.log")});
        if (!m_process.waitForStarted(10000))
            return QStringLiteral("sshd did not start: %1").arg(m_process.errorString());
        const QDeadlineTimer deadline(20000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            QTcpSocket socket;
            socket.connectToHost(QStringLiteral("127.0.0.1"), m_port);
            if (socket.waitForConnected(500) && socket.waitForReadyRead(2000) && socket.readAll().startsWith("SSH-2.0"))
                return {};
            QThread::msleep(100);
        }
        m_process.waitForFinished(1000);
        return QStringLiteral("sshd did not listen on port %1: %2 %3")
            .arg(m_port)
            .arg(QString::fromUtf8(m_process.readAll()), log());
    }
};

QByteArray sha256Of(const QString &path)
{
    return Sha256::hexHash(readFile(path));
}

} // namespace

class TestSshTarget : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    ServedWorkspace m_served;
    std::unique_ptr<SshServer> m_sshd;
    std::unique_ptr<AgentProcess> m_agent;
    QString m_clientKey;
    QString m_folder; ///< the "remote" folder, on this machine

    TargetConfig config(const QString &reloadCommand) const
    {
        TargetConfig config;
        config.name = QStringLiteral("edge");
        config.kind = QStringLiteral("ssh");
        config.location
            = QStringLiteral("ssh://%1@127.0.0.1:%2%3").arg(currentUser()).arg(m_sshd->port()).arg(m_folder);
        config.options.insert(QStringLiteral("identityFile"), m_clientKey);
        if (!reloadCommand.isEmpty())
            config.options.insert(QStringLiteral("reloadCommand"), reloadCommand);
        config.options.insert(QStringLiteral("statusUrl"), m_agent->baseUrl());
        return config;
    }
    /// The reload command a user would write for a kiln-serve on the host: PUT the bundle,
    /// or unload after an undeploy.
    QString agentReload() const
    {
        const QString auth = QStringLiteral("-H 'Authorization: Bearer %1'").arg(QString::fromLatin1(m_agent->token));
        return QStringLiteral("if [ -n \"$KILN_BUNDLE\" ]; then curl -sS --fail-with-body -X PUT %1 "
                              "-H 'Content-Type: application/octet-stream' --data-binary @\"$KILN_BUNDLE\" %2/bundle; "
                              "else curl -sS --fail-with-body -X DELETE %1 %2/bundle; fi")
            .arg(auth, m_agent->baseUrl());
    }
    std::unique_ptr<DeployTarget> target(const QString &reloadCommand, const QByteArray &secret = {}) const
    {
        const TargetKind *kind = Internal::sshTargetKind();
        const TargetConfig c = config(reloadCommand);
        const Status valid = kind->validate(c);
        if (!valid)
            qFatal("invalid test target: %s", qPrintable(valid.errorMessage()));
        return kind->create(c, secret);
    }
    static PushRequest request(const QString &bundle, int version)
    {
        return PushRequest {bundle, QStringLiteral("loans-risk"), version, QString::fromLatin1(sha256Of(bundle))};
    }
    DeployFolderState folderState() const
    {
        auto state = DeployFolderState::fromJson(readFile(m_folder + QStringLiteral("/kiln-deploy.json")));
        if (!state)
            qFatal("%s", qPrintable(state.errorMessage()));
        return *state;
    }
    QStringList leftovers() const
    {
        return QDir(m_folder).entryList({QStringLiteral(".*.part")}, QDir::Files | QDir::Hidden);
    }
    /// What the agent serves: "name@version", or the HTTP status when it serves nothing.
    QString served() const
    {
        TestHttpClient client(m_agent->port);
        const TestHttpClient::Reply reply = client.request("GET", "/version");
        if (reply.status != 200)
            return QStringLiteral("HTTP %1").arg(reply.status);
        const QJsonObject version = QJsonDocument::fromJson(reply.body).object();
        return QStringLiteral("%1@%2")
            .arg(version.value(QLatin1String("name")).toString())
            .arg(version.value(QLatin1String("version")).toInt());
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo(kSshd).isExecutable()) {
            // QSKIP spelled out: clang -Wpedantic refuses its empty variadic part.
            QTest::qSkip(
                "/usr/sbin/sshd is not installed (Debian package openssh-server): the SSH target is not tested",
                __FILE__, __LINE__);
            return;
        }
        QVERIFY(m_root.isValid());
        qputenv("KILN_KNOWN_HOSTS", QFile::encodeName(m_root.filePath(QStringLiteral("known_hosts"))));
        ServedWorkspace::create(m_root.path(), m_served);
        if (QTest::currentTestFailed())
            return;
        const QString keys = m_root.filePath(QStringLiteral("keys"));
        QVERIFY(QDir().mkpath(keys));
        m_clientKey = keys + QStringLiteral("/client_ed25519");
        makeKey(m_clientKey);
        m_folder = m_root.filePath(QStringLiteral("host/srv/kiln/loans"));
        const QString sshdDir = m_root.filePath(QStringLiteral("sshd"));
        QVERIFY(QDir().mkpath(sshdDir));
        m_sshd = std::make_unique<SshServer>(sshdDir);
        const QString started = m_sshd->start(m_clientKey + QStringLiteral(".pub"));
        QVERIFY2(started.isEmpty(), qPrintable(started));
        QString agentError;
        m_agent = AgentProcess::start(m_root.filePath(QStringLiteral("agent")), {}, &agentError);
        QVERIFY2(m_agent, qPrintable(agentError));
    }

    void validate_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("error"); // empty: valid
        QTest::newRow("full") << QStringLiteral("ssh://deploy@host.example:2222/srv/kiln") << QString();
        QTest::newRow("default port") << QStringLiteral("ssh://deploy@10.0.0.5/srv/kiln") << QString();
        QTest::newRow("no user") << QStringLiteral("ssh://host/srv/kiln") << QStringLiteral("names no user");
        QTest::newRow("no folder") << QStringLiteral("ssh://deploy@host") << QStringLiteral("names no folder");
        QTest::newRow("root folder") << QStringLiteral("ssh://deploy@host/") << QStringLiteral("names no folder");
        QTest::newRow("http") << QStringLiteral("http://deploy@host/srv") << QStringLiteral("is not ssh://");
        QTest::newRow("password in URL") << QStringLiteral("ssh://deploy:pw@host/srv")
                                         << QStringLiteral("put it in the secret");
    }
    void validate()
    {
        QFETCH(QString, location);
        QFETCH(QString, error);
        TargetConfig c;
        c.name = QStringLiteral("x");
        c.kind = QStringLiteral("ssh");
        c.location = location;
        const Status status = Internal::sshTargetKind()->validate(c);
        if (error.isEmpty()) {
            QVERIFY2(status.ok(), qPrintable(status.errorMessage()));
        } else {
            QVERIFY(!status.ok());
            QVERIFY2(status.errorMessage().contains(error), qPrintable(status.errorMessage()));
        }
    }

    void pushServesAndStores()
    {
        auto ssh = target(agentReload());
        Feedback feedback;
        const Status pushed = ssh->push(request(m_served.riskV1, 1), feedback);
        QVERIFY2(pushed.ok(), qPrintable(pushed.errorMessage() + m_sshd->log()));
        QCOMPARE(feedback.progress(), 1.0);
        QCOMPARE(served(), QStringLiteral("loans-risk@1"));
        QCOMPARE(readFile(m_folder + QStringLiteral("/current.kiln.tar.gz")), readFile(m_served.riskV1));
        QVERIFY(!QFile::exists(m_folder + QStringLiteral("/previous.kiln.tar.gz")));
        const DeployFolderState state = folderState();
        QVERIFY(state.current);
        QCOMPARE(state.current->name, QStringLiteral("loans-risk"));
        QCOMPARE(state.current->version, 1);
        QCOMPARE(state.current->sha256, QString::fromLatin1(sha256Of(m_served.riskV1)));
        QVERIFY(!state.previous);
        QCOMPARE(leftovers(), QStringList());
        // Trust on first use: the host key is now in Kiln's known_hosts.
        QVERIFY(readFile(m_root.filePath(QStringLiteral("known_hosts"))).contains(QByteArray::number(m_sshd->port())));

        auto status = ssh->status(feedback);
        QVERIFY2(status, qPrintable(status ? QString() : status.errorMessage()));
        QVERIFY(status->reachable);
        QCOMPARE(status->health, QStringLiteral("serving"));
        QCOMPARE(status->modelName, QStringLiteral("loans-risk"));
        QCOMPARE(status->modelVersion, 1);
        QCOMPARE(status->metricsUrl, m_agent->baseUrl() + QStringLiteral("/metrics"));
    }

    void pushSecondThenRollBack()
    {
        auto ssh = target(agentReload());
        Feedback feedback;
        Status done = ssh->push(request(m_served.riskV2, 2), feedback);
        QVERIFY2(done.ok(), qPrintable(done.errorMessage()));
        QCOMPARE(served(), QStringLiteral("loans-risk@2"));
        QCOMPARE(readFile(m_folder + QStringLiteral("/current.kiln.tar.gz")), readFile(m_served.riskV2));
        QCOMPARE(readFile(m_folder + QStringLiteral("/previous.kiln.tar.gz")), readFile(m_served.riskV1));
        DeployFolderState state = folderState();
        QCOMPARE(state.current->version, 2);
        QVERIFY(state.previous);
        QCOMPARE(state.previous->version, 1);
        auto status = ssh->status(feedback);
        QVERIFY(status);
        QCOMPARE(status->modelVersion, 2);
        QCOMPARE(status->previousVersion, 1);

        done = ssh->rollback(feedback);
        QVERIFY2(done.ok(), qPrintable(done.errorMessage()));
        QCOMPARE(served(), QStringLiteral("loans-risk@1"));
        QCOMPARE(readFile(m_folder + QStringLiteral("/current.kiln.tar.gz")), readFile(m_served.riskV1));
        QCOMPARE(readFile(m_folder + QStringLiteral("/previous.kiln.tar.gz")), readFile(m_served.riskV2));
        state = folderState();
        QCOMPARE(state.current->version, 1);
        QCOMPARE(state.previous->version, 2);
        QCOMPARE(leftovers(), QStringList());
    }

    void failingReloadKeepsCurrent()
    {
        const QByteArray stateBefore = readFile(m_folder + QStringLiteral("/kiln-deploy.json"));
        auto ssh = target(QStringLiteral("echo \"kiln-serve: unit not found\" >&2; exit 3"));
        Feedback feedback;
        const Status pushed = ssh->push(request(m_served.riskV2, 2), feedback);
        QVERIFY(!pushed.ok());
        QVERIFY2(pushed.errorMessage().startsWith(QStringLiteral("edge: ")), qPrintable(pushed.errorMessage()));
        QVERIFY2(pushed.errorMessage().contains(QStringLiteral("exit 3")), qPrintable(pushed.errorMessage()));
        QVERIFY2(pushed.errorMessage().contains(QStringLiteral("unit not found")), qPrintable(pushed.errorMessage()));
        QVERIFY2(pushed.errorMessage().contains(QStringLiteral("loans-risk@1 is current again")),
                 qPrintable(pushed.errorMessage()));
        QCOMPARE(ssh->lastFailureKind(), FailureKind::Permanent);
        QCOMPARE(readFile(m_folder + QStringLiteral("/current.kiln.tar.gz")), readFile(m_served.riskV1));
        QCOMPARE(readFile(m_folder + QStringLiteral("/previous.kiln.tar.gz")), readFile(m_served.riskV2));
        QCOMPARE(readFile(m_folder + QStringLiteral("/kiln-deploy.json")), stateBefore);
        QCOMPARE(leftovers(), QStringList());
        QCOMPARE(served(), QStringLiteral("loans-risk@1"));
    }

    void cancelMidUploadLeavesCurrent()
    {
        // A bundle of 3 MiB, so the upload takes several chunks; cancelled a third of the way.
        QByteArray bytes(3 * 1024 * 1024, '\0');
        for (qsizetype i = 0; i < bytes.size(); ++i)
            bytes[i] = char((i * 7919) % 251);
        const QString big = writeFile(m_root.filePath(QStringLiteral("big.kiln.tar.gz")), bytes);
        const QByteArray stateBefore = readFile(m_folder + QStringLiteral("/kiln-deploy.json"));
        auto ssh = target(agentReload());
        Feedback feedback;
        bool cancelledMidway = false;
        feedback.setProgressCallback([&](double progress) {
            if (progress > 0.3 && progress < 0.85 && !feedback.isCanceled()) {
                cancelledMidway = true;
                feedback.cancel();
            }
        });
        const Status pushed = ssh->push(
            PushRequest {big, QStringLiteral("loans-risk"), 3, QString::fromLatin1(sha256Of(big))}, feedback);
        QVERIFY(!pushed.ok());
        QVERIFY(cancelledMidway);
        QVERIFY2(pushed.errorMessage().contains(QStringLiteral("cancelled")), qPrintable(pushed.errorMessage()));
        QVERIFY(feedback.progress() < 0.9);
        QCOMPARE(readFile(m_folder + QStringLiteral("/current.kiln.tar.gz")), readFile(m_served.riskV1));
        QCOMPARE(readFile(m_folder + QStringLiteral("/kiln-deploy.json")), stateBefore);
        QCOMPARE(leftovers(), QStringList());
        QCOMPARE(served(), QStringLiteral("loans-risk@1"));
    }

    void wrongKeyIsPermanent()
    {
        const QString wrongKey = m_root.filePath(QStringLiteral("keys/wrong_ed25519"));
        makeKey(wrongKey);
        TargetConfig c = config(agentReload());
        c.options.insert(QStringLiteral("identityFile"), wrongKey);
        auto ssh = Internal::sshTargetKind()->create(c, {});
        Feedback feedback;
        const Status pushed = ssh->push(request(m_served.riskV2, 2), feedback);
        QVERIFY(!pushed.ok());
        QVERIFY2(pushed.errorMessage().contains(QStringLiteral("authentication refused")),
                 qPrintable(pushed.errorMessage()));
        QVERIFY2(pushed.errorMessage().contains(wrongKey), qPrintable(pushed.errorMessage()));
        QCOMPARE(ssh->lastFailureKind(), FailureKind::Permanent);

        // A key that cannot be read at all says so.
        c.options.insert(QStringLiteral("identityFile"), m_root.filePath(QStringLiteral("keys/missing")));
        ssh = Internal::sshTargetKind()->create(c, {});
        const Status missing = ssh->push(request(m_served.riskV2, 2), feedback);
        QVERIFY(!missing.ok());
        QVERIFY2(missing.errorMessage().contains(QStringLiteral("cannot read the private key")),
                 qPrintable(missing.errorMessage()));
        QCOMPARE(served(), QStringLiteral("loans-risk@1"));
    }

    void undeployKeepsItAsPrevious()
    {
        auto ssh = target(agentReload());
        Feedback feedback;
        const Status done = ssh->undeploy(feedback);
        QVERIFY2(done.ok(), qPrintable(done.errorMessage()));
        QVERIFY(!QFile::exists(m_folder + QStringLiteral("/current.kiln.tar.gz")));
        QCOMPARE(readFile(m_folder + QStringLiteral("/previous.kiln.tar.gz")), readFile(m_served.riskV1));
        const DeployFolderState state = folderState();
        QVERIFY(!state.current);
        QCOMPARE(state.previous->version, 1);
        QCOMPARE(leftovers(), QStringList());
        TestHttpClient client(m_agent->port);
        QCOMPARE(client.request("GET", "/ping").status, 503);
        auto status = ssh->status(feedback);
        QVERIFY(status);
        QCOMPARE(status->health, QStringLiteral("empty"));
        QCOMPARE(status->previousVersion, 1);

        // A rollback brings the undeployed version back.
        const Status back = ssh->rollback(feedback);
        QVERIFY2(back.ok(), qPrintable(back.errorMessage()));
        QCOMPARE(served(), QStringLiteral("loans-risk@1"));
        QCOMPARE(readFile(m_folder + QStringLiteral("/current.kiln.tar.gz")), readFile(m_served.riskV1));
        QVERIFY(!QFile::exists(m_folder + QStringLiteral("/previous.kiln.tar.gz")));
    }

    void changedHostKeyIsRefused()
    {
        // The host is "reinstalled": same address, new host key.
        m_sshd->stop();
        makeKey(m_sshd->hostKey());
        const QString restarted = m_sshd->start(m_clientKey + QStringLiteral(".pub"));
        QVERIFY2(restarted.isEmpty(), qPrintable(restarted));
        auto ssh = target(agentReload());
        Feedback feedback;
        const Status pushed = ssh->push(request(m_served.riskV2, 2), feedback);
        QVERIFY(!pushed.ok());
        QVERIFY2(pushed.errorMessage().contains(QStringLiteral("host key changed")), qPrintable(pushed.errorMessage()));
        QVERIFY2(pushed.errorMessage().contains(m_root.filePath(QStringLiteral("known_hosts"))),
                 qPrintable(pushed.errorMessage()));
        QCOMPARE(ssh->lastFailureKind(), FailureKind::Permanent);
        QCOMPARE(served(), QStringLiteral("loans-risk@1"));
        QCOMPARE(readFile(m_folder + QStringLiteral("/current.kiln.tar.gz")), readFile(m_served.riskV1));

        // Pinning the new fingerprint is how a user accepts it; another pin is refused.
        TargetConfig c = config(agentReload());
        c.options.insert(QStringLiteral("hostKeySha256"), fingerprint(m_sshd->hostKey() + QStringLiteral(".pub")));
        QVERIFY(Internal::sshTargetKind()->validate(c).ok());
        auto pinned = Internal::sshTargetKind()->create(c, {});
        auto status = pinned->status(feedback);
        QVERIFY(status);
        QVERIFY2(status->reachable, qPrintable(status->detail));
        QCOMPARE(status->modelVersion, 1);
        c.options.insert(QStringLiteral("hostKeySha256"), fingerprint(m_clientKey + QStringLiteral(".pub")));
        pinned = Internal::sshTargetKind()->create(c, {});
        const Status refused = pinned->push(request(m_served.riskV2, 2), feedback);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("host key mismatch")),
                 qPrintable(refused.errorMessage()));
        QCOMPARE(pinned->lastFailureKind(), FailureKind::Permanent);
    }

    void stoppedSshdIsTransient()
    {
        m_sshd->stop();
        auto ssh = target(agentReload());
        Feedback feedback;
        const Status pushed = ssh->push(request(m_served.riskV2, 2), feedback);
        QVERIFY(!pushed.ok());
        QVERIFY2(pushed.errorMessage().contains(QStringLiteral("cannot connect")), qPrintable(pushed.errorMessage()));
        QCOMPARE(ssh->lastFailureKind(), FailureKind::Transient);
        auto status = ssh->status(feedback);
        QVERIFY(status);
        QVERIFY(!status->reachable);
        QCOMPARE(status->health, QStringLiteral("down"));
        QVERIFY(!status->detail.isEmpty());
        QCOMPARE(served(), QStringLiteral("loans-risk@1"));
    }

    void cleanupTestCase()
    {
        m_sshd.reset();
        m_agent.reset();
    }
};

QTEST_GUILESS_MAIN(TestSshTarget)
#include "tst_sshtarget.moc"
