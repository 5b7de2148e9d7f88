// CredentialStore against a real Secret Service: gnome-keyring-daemon on a private session bus
// (dbus-daemon with a config of its own, so nothing is D-Bus activated behind the test's back),
// both started here in a temporary HOME and stopped by PID at the end.
#include "deploy/credentialstore.h"
#include "testsupport.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace kiln;
using namespace kiln::test;

namespace {

constexpr int kStartTimeoutMs = 20000;
const QString kKeyringPassword = QStringLiteral("kiln-test-keyring");

/// The items of the Secret Service with these attributes, asked over D-Bus by dbus-send: what
/// the keychain holds, seen without CredentialStore. Each line of the answer naming an item path.
QStringList searchItems(const QString &key)
{
    QProcess send;
    send.start(QStringLiteral("dbus-send"),
               {QStringLiteral("--session"), QStringLiteral("--print-reply"),
                QStringLiteral("--dest=org.freedesktop.secrets"), QStringLiteral("/org/freedesktop/secrets"),
                QStringLiteral("org.freedesktop.Secret.Service.SearchItems"),
                QStringLiteral("dict:string:string:key,%1,xdg:schema,org.kiln.DeployTarget").arg(key)});
    if (!send.waitForFinished(kStartTimeoutMs) || send.exitCode() != 0)
        return {QStringLiteral("dbus-send failed: ") + QString::fromUtf8(send.readAllStandardError())};
    QStringList items;
    const QStringList lines = QString::fromUtf8(send.readAllStandardOutput()).split(QLatin1Char('\n'));
    for (const QString &line : lines)
        if (line.contains(QLatin1String("object path \"/org/freedesktop/secrets/collection/")))
            items.append(line.trimmed());
    return items;
}

} // namespace

class tst_CredentialKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void choosesTheKeychain();
    void roundTripInTheKeychain();
    void binarySecretRoundTrip();
    void explicitFileWinsOverTheKeychain();
    void fallsBackToTheFileWithoutABus();

private:
    QString defaultFile() const { return m_home.filePath(QStringLiteral("xdg_config_home/kiln/credentials.json")); }

    QTemporaryDir m_home;
    QByteArray m_busAddress;
    qint64 m_busPid = 0;
    QProcess m_keyring;
};

void tst_CredentialKeychain::initTestCase()
{
    const QString busDaemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    const QString keyringDaemon = QStandardPaths::findExecutable(QStringLiteral("gnome-keyring-daemon"));
    if (busDaemon.isEmpty() || keyringDaemon.isEmpty()
        || QStandardPaths::findExecutable(QStringLiteral("dbus-send")).isEmpty()) {
        // QSKIP spelled out: clang -Wpedantic refuses its empty variadic part.
        QTest::qSkip("dbus-daemon, dbus-send or gnome-keyring-daemon is not installed (Debian: dbus, gnome-keyring): "
                     "the keychain is not tested",
                     __FILE__, __LINE__);
        return;
    }
    QVERIFY(m_home.isValid());

    // Everything the daemons and CredentialStore write goes to the temporary folder.
    qunsetenv("KILN_CREDENTIALS_FILE");
    qputenv("HOME", QFile::encodeName(m_home.path()));
    for (const char *name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"}) {
        const QString folder = m_home.filePath(QString::fromLatin1(name).toLower());
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(
            QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        qputenv(name, QFile::encodeName(folder));
    }
    QCOMPARE(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation),
             m_home.filePath(QStringLiteral("xdg_config_home")));

    const QString config
        = writeFile(m_home.filePath(QStringLiteral("bus.conf")),
                    QStringLiteral("<busconfig><type>session</type><listen>unix:dir=%1</listen>"
                                   "<policy context=\"default\"><allow send_destination=\"*\"/>"
                                   "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n")
                        .arg(m_home.path())
                        .toUtf8());
    QProcess bus;
    bus.start(busDaemon,
              {QStringLiteral("--config-file=") + config, QStringLiteral("--fork"), QStringLiteral("--print-address=1"),
               QStringLiteral("--print-pid=1")});
    QVERIFY2(bus.waitForFinished(kStartTimeoutMs), "dbus-daemon did not fork");
    const QList<QByteArray> lines = bus.readAllStandardOutput().trimmed().split('\n');
    QVERIFY2(bus.exitCode() == 0 && lines.size() == 2, bus.readAllStandardError().constData());
    m_busAddress = lines.at(0).trimmed();
    m_busPid = lines.at(1).trimmed().toLongLong();
    QVERIFY(m_busPid > 0);
    qputenv("DBUS_SESSION_BUS_ADDRESS", m_busAddress);

    // Without a keyring on the bus (and nothing activatable), there is no keychain.
    QVERIFY(!CredentialStore::keychainAvailable());
    QCOMPARE(CredentialStore().backend(), CredentialStore::Backend::File);

    // The headless recipe: --unlock reads the login keyring's password on stdin and creates it.
    m_keyring.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_keyring.start(
        keyringDaemon,
        {QStringLiteral("--foreground"), QStringLiteral("--unlock"), QStringLiteral("--components=secrets")});
    QVERIFY2(m_keyring.waitForStarted(kStartTimeoutMs), qPrintable(m_keyring.errorString()));
    m_keyring.write(kKeyringPassword.toUtf8());
    m_keyring.closeWriteChannel();
    QTRY_VERIFY_WITH_TIMEOUT(CredentialStore::keychainAvailable(), kStartTimeoutMs);
}

void tst_CredentialKeychain::cleanupTestCase()
{
    if (m_keyring.state() != QProcess::NotRunning) {
        m_keyring.terminate();
        if (!m_keyring.waitForFinished(kStartTimeoutMs))
            m_keyring.kill();
        m_keyring.waitForFinished(kStartTimeoutMs);
    }
    if (m_busPid > 0) {
        ::kill(pid_t(m_busPid), SIGTERM);
        QTRY_VERIFY_WITH_TIMEOUT(!processAlive(m_busPid), kStartTimeoutMs);
    }
}

void tst_CredentialKeychain::choosesTheKeychain()
{
    const CredentialStore store;
    QCOMPARE(store.backend(), CredentialStore::Backend::Keychain);
    QCOMPARE(store.backendName(), QStringLiteral("keychain"));
    // filePath() still names the file that would be used without a keychain.
    QCOMPARE(store.filePath(), defaultFile());
}

void tst_CredentialKeychain::roundTripInTheKeychain()
{
    CredentialStore store;
    QCOMPARE(store.backend(), CredentialStore::Backend::Keychain);
    const QString key = CredentialStore::keyFor(QStringLiteral("agent"), QStringLiteral("http://edge:8080/"));
    QCOMPARE(store.secret(key).value(), QByteArray());

    QVERIFY2(store.setSecret(key, "s3cret-tøken"), "setSecret failed");
    QCOMPARE(store.secret(key).value(), QByteArray("s3cret-tøken"));
    // A second store (as kilnctl in another process would make) sees it.
    QCOMPARE(CredentialStore().secret(key).value(), QByteArray("s3cret-tøken"));
    // It is an item of the Secret Service, with the schema and key attribute...
    QCOMPARE(searchItems(key).size(), 1);
    // ...and nothing went to the file.
    QVERIFY(!QFileInfo::exists(store.filePath()));
    QVERIFY(QDir(m_home.filePath(QStringLiteral("xdg_config_home"))).isEmpty());

    // Replacing keeps one item.
    QVERIFY(store.setSecret(key, "rotated"));
    QCOMPARE(CredentialStore().secret(key).value(), QByteArray("rotated"));
    QCOMPARE(searchItems(key).size(), 1);

    QVERIFY(store.removeSecret(key));
    QCOMPARE(store.secret(key).value(), QByteArray());
    QCOMPARE(CredentialStore().secret(key).value(), QByteArray());
    QCOMPARE(searchItems(key).size(), 0);
    // Removing what is not there is fine.
    QVERIFY(store.removeSecret(key));
    QVERIFY(!QFileInfo::exists(store.filePath()));
}

void tst_CredentialKeychain::binarySecretRoundTrip()
{
    CredentialStore store;
    const QString key = CredentialStore::keyFor(QStringLiteral("oci"), QStringLiteral("registry.local:5000"));
    const QByteArray binary("\x00\xff\xfe key\x80\x01", 10);
    QVERIFY(store.setSecret(key, binary));
    QCOMPARE(CredentialStore().secret(key).value(), binary);
    QCOMPARE(searchItems(key).size(), 1);
    // Text over binary (a different encoding): still one item, the new secret.
    QVERIFY(store.setSecret(key, "plain"));
    QCOMPARE(CredentialStore().secret(key).value(), QByteArray("plain"));
    QCOMPARE(searchItems(key).size(), 1);
    QVERIFY(store.setSecret(key, binary));
    QCOMPARE(store.secret(key).value(), binary);
    QCOMPARE(searchItems(key).size(), 1);
    QVERIFY(store.removeSecret(key));
    QCOMPARE(searchItems(key).size(), 0);
    QVERIFY(!QFileInfo::exists(store.filePath()));
}

void tst_CredentialKeychain::explicitFileWinsOverTheKeychain()
{
    const QString path = m_home.filePath(QStringLiteral("chosen/credentials.json"));
    const QString key = CredentialStore::keyFor(QStringLiteral("agent"), QStringLiteral("http://chosen:1"));

    CredentialStore explicitStore(path);
    QCOMPARE(explicitStore.backend(), CredentialStore::Backend::File);
    QCOMPARE(explicitStore.backendName(), QStringLiteral("file: ") + path);

    qputenv("KILN_CREDENTIALS_FILE", QFile::encodeName(path));
    const CredentialStore fromEnvironment;
    qunsetenv("KILN_CREDENTIALS_FILE");
    QCOMPARE(fromEnvironment.backend(), CredentialStore::Backend::File);
    QCOMPARE(fromEnvironment.filePath(), path);

    QVERIFY(explicitStore.setSecret(key, "in-the-file"));
    QVERIFY(QFileInfo::exists(path));
    QCOMPARE(fromEnvironment.secret(key).value(), QByteArray("in-the-file"));
    QCOMPARE(searchItems(key).size(), 0);
    QCOMPARE(CredentialStore().secret(key).value(), QByteArray());
}

void tst_CredentialKeychain::fallsBackToTheFileWithoutABus()
{
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    QVERIFY(!CredentialStore::keychainAvailable());
    CredentialStore store;
    qputenv("DBUS_SESSION_BUS_ADDRESS", m_busAddress);
    QCOMPARE(store.backend(), CredentialStore::Backend::File);
    QCOMPARE(store.backendName(), QStringLiteral("file: ") + defaultFile());

    const QString key = CredentialStore::keyFor(QStringLiteral("agent"), QStringLiteral("http://no-bus:1"));
    QVERIFY(store.setSecret(key, "on-disk"));
    QVERIFY(QFileInfo::exists(defaultFile()));
    QCOMPARE(store.secret(key).value(), QByteArray("on-disk"));
    // The keychain store (the bus is back) does not see the file's secret.
    QCOMPARE(CredentialStore().backend(), CredentialStore::Backend::Keychain);
    QCOMPARE(CredentialStore().secret(key).value(), QByteArray());
    QCOMPARE(searchItems(key).size(), 0);
}

QTEST_GUILESS_MAIN(tst_CredentialKeychain)
#include "tst_credentialkeychain.moc"
