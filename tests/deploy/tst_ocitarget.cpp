// The "oci" target against a real docker-registry (Debian's distribution 2.8) on loopback,
// started by the test with its storage in a temporary folder. What the target pushed is read
// back over the registry's HTTP API (and with skopeo when it is installed) and checked byte
// for byte: digests, media types, annotations, the layer against the bundle file.
#include "deploytestsupport.h"
#include "ocitarget.h"
#include "servetestsupport.h"
#include "util/sha256.h"

#include "deploy/deploytarget.h"
#include "deploy/httpclient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace kiln;
using namespace kiln::test;
namespace oci = kiln::Internal::oci;

namespace {

const QString kRepository = QStringLiteral("kiln/loans-risk");

QString digestOf(const QByteArray &bytes)
{
    return QStringLiteral("sha256:") + QString::fromLatin1(Sha256::hexHash(bytes));
}

/// docker-registry on 127.0.0.1 and a free port, its storage and config in `dir`, deletes
/// enabled. Stopped by PID.
class RegistryServer : public LoopbackServer
{
public:
    using LoopbackServer::LoopbackServer;

    QString authority() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }

    /// An empty string, or why it did not come up. With `htpasswd` (user:bcrypt lines) it asks
    /// for Basic authentication.
    QString start(const QString &program, const QByteArray &htpasswd = {})
    {
        QByteArray config = "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n";
        if (!htpasswd.isEmpty())
            config += "auth:\n  htpasswd:\n    realm: kiln\n    path: "
                + QFile::encodeName(writeFile(m_dir + QStringLiteral("/htpasswd"), htpasswd)) + '\n';
        config += "storage:\n  filesystem:\n    rootdirectory: " + QFile::encodeName(m_dir) + "/data\n";
        config += "  delete:\n    enabled: true\n";
        config += "http:\n  addr: 127.0.0.1:" + QByteArray::number(m_port) + '\n';
        const QString configPath = writeFile(m_dir + QStringLiteral("/config.yml"), config);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(program, {QStringLiteral("serve"), configPath});
        if (!m_process.waitForStarted(10000))
            return QStringLiteral("docker-registry did not start: %1").arg(m_process.errorString());
        const QDeadlineTimer deadline(30000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            TestHttpClient client(m_port);
            const int status = client.request("GET", "/v2/").status;
            if (status == 200 || (status == 401 && !htpasswd.isEmpty()))
                return {};
            QThread::msleep(100);
        }
        m_process.waitForFinished(1000);
        return QStringLiteral("docker-registry did not answer on port %1: %2")
            .arg(m_port)
            .arg(QString::fromUtf8(m_process.readAll()));
    }
};

} // namespace

class TestOciTarget : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    ServedWorkspace m_served;
    std::unique_ptr<RegistryServer> m_registry;
    QString m_v1Digest;
    QString m_v2Digest;

    TargetConfig config() const
    {
        TargetConfig config;
        config.name = QStringLiteral("registry");
        config.kind = QStringLiteral("oci");
        config.location = QStringLiteral("http://%1/%2").arg(m_registry->authority(), kRepository);
        config.options.insert(QStringLiteral("insecure"), true);
        return config;
    }
    std::unique_ptr<DeployTarget> target() const
    {
        const Status valid = Internal::ociTargetKind()->validate(config());
        if (!valid)
            qFatal("invalid test target: %s", qPrintable(valid.errorMessage()));
        return Internal::ociTargetKind()->create(config(), {});
    }
    static PushRequest request(const QString &bundle, int version)
    {
        return PushRequest {bundle, QStringLiteral("loans-risk"), version,
                            QString::fromLatin1(Sha256::hexHash(readFile(bundle)))};
    }
    /// GET of the registry API under the repository, as any OCI client would send it.
    HttpResponse get(const QString &path) const
    {
        HttpRequest request;
        request.url = QUrl(QStringLiteral("http://%1/v2/%2%3").arg(m_registry->authority(), kRepository, path));
        request.headers.append({QByteArray("Accept"), QByteArray(oci::kManifestMediaType)});
        return sendHttp(request);
    }
    /// The manifest under `reference`, checked against its digest; its JSON.
    QJsonObject manifest(const QString &reference, QString *digest = nullptr) const
    {
        const HttpResponse response = get(QStringLiteral("/manifests/") + reference);
        if (response.status != 200)
            qFatal("GET manifest %s: HTTP %d %s", qPrintable(reference), response.status, response.body.constData());
        if (response.header("Content-Type") != oci::kManifestMediaType)
            qFatal("manifest %s has the media type %s", qPrintable(reference),
                   response.header("Content-Type").constData());
        if (QString::fromLatin1(response.header("Docker-Content-Digest")) != digestOf(response.body))
            qFatal("manifest %s: its digest header does not match its bytes", qPrintable(reference));
        if (digest)
            *digest = digestOf(response.body);
        return QJsonDocument::fromJson(response.body).object();
    }
    /// Checks a pushed manifest: media types, digests and sizes of its blobs (fetched back),
    /// the layer's bytes against `bundle`, the config against the bundle's manifest.
    void checkArtifact(const QJsonObject &manifest, const QString &bundle, int version)
    {
        QCOMPARE(manifest.value(QLatin1String("schemaVersion")).toInt(), 2);
        QCOMPARE(manifest.value(QLatin1String("mediaType")).toString(), QLatin1String(oci::kManifestMediaType));
        QCOMPARE(manifest.value(QLatin1String("artifactType")).toString(), QLatin1String(oci::kArtifactType));

        const QJsonObject config = manifest.value(QLatin1String("config")).toObject();
        QCOMPARE(config.value(QLatin1String("mediaType")).toString(), QLatin1String(oci::kConfigMediaType));
        const HttpResponse configBlob
            = get(QStringLiteral("/blobs/") + config.value(QLatin1String("digest")).toString());
        QCOMPARE(configBlob.status, 200);
        QCOMPARE(digestOf(configBlob.body), config.value(QLatin1String("digest")).toString());
        QCOMPARE(configBlob.body.size(), config.value(QLatin1String("size")).toInteger());
        auto contents = readBundle(bundle);
        QVERIFY2(contents, qPrintable(contents ? QString() : contents.errorMessage()));
        QCOMPARE(QJsonDocument::fromJson(configBlob.body).object(), contents->manifest);

        const QJsonArray layers = manifest.value(QLatin1String("layers")).toArray();
        QCOMPARE(layers.size(), 1);
        const QJsonObject layer = layers.at(0).toObject();
        QCOMPARE(layer.value(QLatin1String("mediaType")).toString(), QLatin1String(oci::kLayerMediaType));
        const QByteArray bundleBytes = readFile(bundle);
        QCOMPARE(layer.value(QLatin1String("digest")).toString(), digestOf(bundleBytes));
        QCOMPARE(layer.value(QLatin1String("size")).toInteger(), bundleBytes.size());
        QCOMPARE(
            layer.value(QLatin1String("annotations")).toObject().value(QLatin1String(oci::kTitleAnnotation)).toString(),
            QStringLiteral("loans-risk-v%1.kiln.tar.gz").arg(version));
        const HttpResponse layerBlob = get(QStringLiteral("/blobs/") + layer.value(QLatin1String("digest")).toString());
        QCOMPARE(layerBlob.status, 200);
        QVERIFY(layerBlob.body == bundleBytes);

        const QJsonObject annotations = manifest.value(QLatin1String("annotations")).toObject();
        QCOMPARE(annotations.value(QLatin1String(oci::kTitleAnnotation)).toString(),
                 QStringLiteral("loans-risk@%1").arg(version));
        QCOMPARE(annotations.value(QLatin1String(oci::kModelNameAnnotation)).toString(), QStringLiteral("loans-risk"));
        QCOMPARE(annotations.value(QLatin1String(oci::kModelVersionAnnotation)).toString(), QString::number(version));
        QCOMPARE(annotations.value(QLatin1String(oci::kBundleShaAnnotation)).toString(),
                 QString::fromLatin1(Sha256::hexHash(bundleBytes)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString program = QStandardPaths::findExecutable(QStringLiteral("docker-registry"));
        if (program.isEmpty()) {
            // QSKIP spelled out: clang -Wpedantic refuses its empty variadic part.
            QTest::qSkip(
                "docker-registry is not installed (Debian package docker-registry): the OCI target is not tested",
                __FILE__, __LINE__);
            return;
        }
        QVERIFY(m_root.isValid());
        ServedWorkspace::create(m_root.path(), m_served);
        if (QTest::currentTestFailed())
            return;
        const QString dir = m_root.filePath(QStringLiteral("registry"));
        QVERIFY(QDir().mkpath(dir));
        m_registry = std::make_unique<RegistryServer>(dir);
        const QString started = m_registry->start(program);
        QVERIFY2(started.isEmpty(), qPrintable(started));
    }

    void validate_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<bool>("insecure");
        QTest::addColumn<QString>("error"); // empty: valid
        QTest::newRow("https") << QStringLiteral("https://registry.example.com/kiln/churn") << false << QString();
        QTest::newRow("http, insecure") << QStringLiteral("http://127.0.0.1:5000/kiln/churn") << true << QString();
        QTest::newRow("http") << QStringLiteral("http://127.0.0.1:5000/kiln/churn") << false
                              << QStringLiteral("set the option insecure");
        QTest::newRow("no repository") << QStringLiteral("https://registry.example.com/") << false
                                       << QStringLiteral("names no repository");
        QTest::newRow("uppercase") << QStringLiteral("https://registry.example.com/Kiln/Churn") << false
                                   << QStringLiteral("not a valid repository name");
        QTest::newRow("ssh") << QStringLiteral("ssh://registry.example.com/kiln") << false
                             << QStringLiteral("is not http(s)://");
    }
    void validate()
    {
        QFETCH(QString, location);
        QFETCH(bool, insecure);
        QFETCH(QString, error);
        TargetConfig c;
        c.name = QStringLiteral("x");
        c.kind = QStringLiteral("oci");
        c.location = location;
        if (insecure)
            c.options.insert(QStringLiteral("insecure"), QStringLiteral("true")); // as kilnctl --option gives it
        const Status status = Internal::ociTargetKind()->validate(c);
        if (error.isEmpty()) {
            QVERIFY2(status.ok(), qPrintable(status.errorMessage()));
        } else {
            QVERIFY(!status.ok());
            QVERIFY2(status.errorMessage().contains(error), qPrintable(status.errorMessage()));
        }
    }

    void emptyRepository()
    {
        Feedback feedback;
        auto status = target()->status(feedback);
        QVERIFY(status);
        QVERIFY(status->reachable);
        QCOMPARE(status->health, QStringLiteral("empty"));
        const Status rolledBack = target()->rollback(feedback);
        QVERIFY(!rolledBack.ok());
        QVERIFY2(rolledBack.errorMessage().contains(QStringLiteral("nothing is deployed")),
                 qPrintable(rolledBack.errorMessage()));
    }

    void pushFirstVersion()
    {
        auto registry = target();
        Feedback feedback;
        const Status pushed = registry->push(request(m_served.riskV1, 1), feedback);
        QVERIFY2(pushed.ok(), qPrintable(pushed.errorMessage()));
        QCOMPARE(feedback.progress(), 1.0);

        const QJsonObject v1 = manifest(QStringLiteral("v1"), &m_v1Digest);
        checkArtifact(v1, m_served.riskV1, 1);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(!v1.value(QLatin1String("annotations"))
                     .toObject()
                     .contains(QLatin1String(oci::kPreviousManifestAnnotation)));
        QString currentDigest;
        manifest(QStringLiteral("current"), &currentDigest);
        QCOMPARE(currentDigest, m_v1Digest);

        auto status = registry->status(feedback);
        QVERIFY(status);
        QCOMPARE(status->health, QStringLiteral("stored"));
        QCOMPARE(status->modelName, QStringLiteral("loans-risk"));
        QCOMPARE(status->modelVersion, 1);
        QCOMPARE(status->sha256, QString::fromLatin1(Sha256::hexHash(readFile(m_served.riskV1))));
        QCOMPARE(status->previousVersion, 0);
        QVERIFY(status->metricsUrl.isEmpty());
    }

    void pushSecondVersion()
    {
        auto registry = target();
        Feedback feedback;
        const Status pushed = registry->push(request(m_served.riskV2, 2), feedback);
        QVERIFY2(pushed.ok(), qPrintable(pushed.errorMessage()));

        const QJsonObject v2 = manifest(QStringLiteral("v2"), &m_v2Digest);
        checkArtifact(v2, m_served.riskV2, 2);
        if (QTest::currentTestFailed())
            return;
        const QJsonObject annotations = v2.value(QLatin1String("annotations")).toObject();
        QCOMPARE(annotations.value(QLatin1String(oci::kPreviousNameAnnotation)).toString(),
                 QStringLiteral("loans-risk"));
        QCOMPARE(annotations.value(QLatin1String(oci::kPreviousVersionAnnotation)).toString(), QStringLiteral("1"));
        QCOMPARE(annotations.value(QLatin1String(oci::kPreviousManifestAnnotation)).toString(), m_v1Digest);
        QString currentDigest;
        manifest(QStringLiteral("current"), &currentDigest);
        QCOMPARE(currentDigest, m_v2Digest);
        QString v1Digest;
        manifest(QStringLiteral("v1"), &v1Digest);
        QCOMPARE(v1Digest, m_v1Digest); // v1 stays as it was

        auto status = registry->status(feedback);
        QVERIFY(status);
        QCOMPARE(status->modelVersion, 2);
        QCOMPARE(status->previousModel, QStringLiteral("loans-risk"));
        QCOMPARE(status->previousVersion, 1);
    }

    void skopeoReadsTheSameManifest()
    {
        const QString skopeo = QStandardPaths::findExecutable(QStringLiteral("skopeo"));
        if (skopeo.isEmpty()) {
            // QSKIP spelled out: clang -Wpedantic refuses its empty variadic part.
            QTest::qSkip("skopeo is not installed: the artifact is not read back with a second client", __FILE__,
                         __LINE__);
            return;
        }
        QProcess process;
        process.start(skopeo,
                      {QStringLiteral("inspect"), QStringLiteral("--raw"), QStringLiteral("--tls-verify=false"),
                       QStringLiteral("docker://%1/%2:current").arg(m_registry->authority(), kRepository)});
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        const QByteArray raw = process.readAllStandardOutput().trimmed();
        QCOMPARE(digestOf(raw), m_v2Digest);
        QCOMPARE(QJsonDocument::fromJson(raw).object().value(QLatin1String("artifactType")).toString(),
                 QLatin1String(oci::kArtifactType));
    }

    void rollbackPointsCurrentAtPrevious()
    {
        auto registry = target();
        Feedback feedback;
        const Status rolledBack = registry->rollback(feedback);
        QVERIFY2(rolledBack.ok(), qPrintable(rolledBack.errorMessage()));
        QString currentDigest;
        const QJsonObject current = manifest(QStringLiteral("current"), &currentDigest);
        QCOMPARE(currentDigest, m_v1Digest);
        QCOMPARE(current.value(QLatin1String("annotations"))
                     .toObject()
                     .value(QLatin1String(oci::kModelVersionAnnotation))
                     .toString(),
                 QStringLiteral("1"));
        auto status = registry->status(feedback);
        QVERIFY(status);
        QCOMPARE(status->modelVersion, 1);
        // v1 was the first push: there is nothing before it.
        QCOMPARE(status->previousVersion, 0);
        const Status again = registry->rollback(feedback);
        QVERIFY(!again.ok());
        QVERIFY2(again.errorMessage().contains(QStringLiteral("no previous version")),
                 qPrintable(again.errorMessage()));
        QCOMPARE(registry->lastFailureKind(), FailureKind::Permanent);
    }

    void undeployDeletesCurrent()
    {
        auto registry = target();
        Feedback feedback;
        const Status undeployed = registry->undeploy(feedback);
        QVERIFY2(undeployed.ok(), qPrintable(undeployed.errorMessage()));
        QCOMPARE(get(QStringLiteral("/manifests/current")).status, 404);
        // Deleting by digest drops every tag on that manifest (v1 here); v2 stays.
        QCOMPARE(get(QStringLiteral("/manifests/v1")).status, 404);
        QCOMPARE(get(QStringLiteral("/manifests/v2")).status, 200);
        auto status = registry->status(feedback);
        QVERIFY(status);
        QCOMPARE(status->health, QStringLiteral("empty"));
        QVERIFY(registry->undeploy(feedback).ok()); // nothing left to undeploy

        // A new push works on the emptied repository.
        const Status pushed = registry->push(request(m_served.riskV2, 2), feedback);
        QVERIFY2(pushed.ok(), qPrintable(pushed.errorMessage()));
        const QJsonObject annotations
            = manifest(QStringLiteral("current")).value(QLatin1String("annotations")).toObject();
        QCOMPARE(annotations.value(QLatin1String(oci::kModelVersionAnnotation)).toString(), QStringLiteral("2"));
        // What `current` held was deleted: this push has no previous.
        QVERIFY(!annotations.contains(QLatin1String(oci::kPreviousManifestAnnotation)));
    }

    void basicAuthentication_data()
    {
        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("right password") << QByteArray("kiln:s3cret") << true;
        QTest::newRow("wrong password") << QByteArray("kiln:nope") << false;
        QTest::newRow("no secret") << QByteArray() << false;
        QTest::newRow("a token") << QByteArray("s3cret") << false;
    }
    void basicAuthentication()
    {
        QFETCH(QByteArray, secret);
        QFETCH(bool, accepted);
        // A second registry that wants user kiln, password s3cret (bcrypt, as htpasswd -B writes it).
        const QString dir = m_root.filePath(QStringLiteral("registry-auth-%1")
                                                .arg(QString::fromLatin1(QTest::currentDataTag()))
                                                .replace(QLatin1Char(' '), QLatin1Char('-')));
        QVERIFY(QDir().mkpath(dir));
        RegistryServer registry(dir);
        const QString started = registry.start(QStandardPaths::findExecutable(QStringLiteral("docker-registry")),
                                               "kiln:$2b$04$hUzg4Ll6ECRE31ZU9hJ5n.GMh8mJskkaglZkxcWNy6y1Zo6HOHELa\n");
        QVERIFY2(started.isEmpty(), qPrintable(started));
        TargetConfig c = config();
        c.location = QStringLiteral("http://%1/%2").arg(registry.authority(), kRepository);
        auto target = Internal::ociTargetKind()->create(c, secret);
        Feedback feedback;
        const Status pushed = target->push(request(m_served.riskV1, 1), feedback);
        if (accepted) {
            QVERIFY2(pushed.ok(), qPrintable(pushed.errorMessage()));
            auto status = target->status(feedback);
            QVERIFY(status);
            QCOMPARE(status->health, QStringLiteral("stored"));
            QCOMPARE(status->modelVersion, 1);
        } else {
            QVERIFY(!pushed.ok());
            QVERIFY2(pushed.errorMessage().contains(QStringLiteral("HTTP 401: authentication refused")),
                     qPrintable(pushed.errorMessage()));
            QCOMPARE(target->lastFailureKind(), FailureKind::Permanent);
        }
    }

    void registryDownIsTransient()
    {
        m_registry->stop();
        auto registry = target();
        Feedback feedback;
        const Status pushed = registry->push(request(m_served.riskV1, 1), feedback);
        QVERIFY(!pushed.ok());
        QVERIFY2(pushed.errorMessage().startsWith(QStringLiteral("registry: ")), qPrintable(pushed.errorMessage()));
        QVERIFY2(pushed.errorMessage().contains(QStringLiteral("did not answer")), qPrintable(pushed.errorMessage()));
        QCOMPARE(registry->lastFailureKind(), FailureKind::Transient);
        auto status = registry->status(feedback);
        QVERIFY(status);
        QVERIFY(!status->reachable);
        QCOMPARE(status->health, QStringLiteral("down"));
        const Status rolledBack = registry->rollback(feedback);
        QVERIFY(!rolledBack.ok());
        QCOMPARE(registry->lastFailureKind(), FailureKind::Transient);
    }

    void cleanupTestCase() { m_registry.reset(); }
};

QTEST_GUILESS_MAIN(TestOciTarget)
#include "tst_ocitarget.moc"
