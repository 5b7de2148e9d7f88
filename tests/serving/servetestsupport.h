#pragma once
// Shared by the serving, deployment, kilnctl and GUI tests: a trained workspace with
// registered versions exported as bundles, a real kiln-serve process on a free loopback port,
// and a small blocking HTTP/1.1 client for tests (keep-alive, one request at a time).
// Header-only; include after registrytestsupport.h's dependencies are linked (kiln_core,
// kiln_builtin_plugins).

#include "registry/bundle.h"
#include "registry/modelregistry.h"
#include "registrytestsupport.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QTcpSocket>
#include <QTest>

#include <csignal>
#include <memory>

#include <sys/types.h>

namespace kiln::test {

inline QString kilnServePath()
{
    return QStringLiteral(KILN_SERVE_PATH);
}

/// TrainedRegistryWorkspace with the classifier registered as "loans-risk" versions 1 and 2
/// (the same run twice: two versions a client tells apart by /version) and the regressor as
/// "loans-amount" version 1; each exported as a bundle into `bundleDir`.
struct ServedWorkspace
{
    TrainedRegistryWorkspace trained;
    QString riskV1; ///< bundle paths
    QString riskV2;
    QString amountV1;

    static void create(const QString &root, ServedWorkspace &out)
    {
        TrainedRegistryWorkspace::create(root + QStringLiteral("/workspace"), out.trained, root);
        QVERIFY(out.trained.workspace);
        Workspace &ws = *out.trained.workspace;
        ModelRegistry registry(ws);
        QVERIFY(registry.registerRun(out.trained.classifier, QStringLiteral("loans-risk")));
        QVERIFY(registry.registerRun(out.trained.classifier, QStringLiteral("loans-risk")));
        QVERIFY(registry.registerRun(out.trained.regressor, QStringLiteral("loans-amount")));
        const QString dir = root + QStringLiteral("/bundles");
        QVERIFY(QDir().mkpath(dir));
        out.riskV1 = dir + QStringLiteral("/loans-risk-v1.kiln.tar.gz");
        out.riskV2 = dir + QStringLiteral("/loans-risk-v2.kiln.tar.gz");
        out.amountV1 = dir + QStringLiteral("/loans-amount-v1.kiln.tar.gz");
        QVERIFY(exportBundle(ws, QStringLiteral("loans-risk@1"), out.riskV1));
        QVERIFY(exportBundle(ws, QStringLiteral("loans-risk@2"), out.riskV2));
        QVERIFY(exportBundle(ws, QStringLiteral("loans-amount@1"), out.amountV1));
    }
};

/// A kiln-serve process on 127.0.0.1 and a free port (it is started with --port 0 and prints
/// "kiln-serve listening on http://127.0.0.1:PORT"). The admin token is passed through the
/// environment (KILN_SERVE_TOKEN). Stopped by PID when destroyed.
class AgentProcess
{
public:
    QByteArray token = "test-admin-token";
    QString dataDir;
    quint16 port = 0;
    QProcess process;

    /// Starts it; null (and a QTest failure message in `error`) when it did not come up in 30 s.
    static std::unique_ptr<AgentProcess> start(const QString &dataDir, const QStringList &extraArgs = {},
                                               QString *error = nullptr, const QByteArray &token = "test-admin-token")
    {
        auto agent = std::make_unique<AgentProcess>();
        agent->token = token;
        agent->dataDir = dataDir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("KILN_SERVE_TOKEN"), QString::fromLatin1(token));
        agent->process.setProcessEnvironment(env);
        agent->process.setProcessChannelMode(QProcess::SeparateChannels);
        agent->process.start(
            kilnServePath(),
            QStringList {QStringLiteral("--data"), dataDir, QStringLiteral("--port"), QStringLiteral("0")} + extraArgs);
        QByteArray out;
        const QDeadlineTimer deadline(30000);
        while (!deadline.hasExpired() && agent->process.state() != QProcess::NotRunning) {
            agent->process.waitForReadyRead(200);
            out += agent->process.readAllStandardOutput();
            const qsizetype at = out.indexOf("listening on http://127.0.0.1:");
            if (at >= 0) {
                const qsizetype end = out.indexOf('\n', at);
                if (end < 0)
                    continue;
                const QByteArray port = out.mid(at + 30, end - at - 30).trimmed();
                agent->port = quint16(port.toUInt());
                if (agent->port != 0)
                    return agent;
            }
        }
        if (error)
            *error = QStringLiteral("kiln-serve did not start: %1 %2")
                         .arg(QString::fromUtf8(out), QString::fromUtf8(agent->process.readAllStandardError()));
        return nullptr;
    }

    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(port); }

    /// kill -9, as a crash or a power cut would.
    void kill9()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        ::kill(pid_t(process.processId()), SIGKILL);
        process.waitForFinished(10000);
    }

    ~AgentProcess()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        process.terminate();
        if (!process.waitForFinished(10000))
            kill9();
    }
};

/// A blocking HTTP/1.1 client over one keep-alive connection to 127.0.0.1:port: enough for
/// tests and load generators on their own threads (no event loop needed).
class TestHttpClient
{
public:
    struct Reply
    {
        int status = 0; ///< 0: the connection failed or the answer was malformed
        QByteArray body;
        QByteArray headers; ///< raw header block
        QByteArray header(const QByteArray &name) const
        {
            for (const QByteArray &line : headers.split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                    return line.mid(colon + 1).trimmed();
            }
            return {};
        }
    };

    explicit TestHttpClient(quint16 port)
        : m_port(port)
    { }

    Reply request(const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                  const QByteArray &contentType = "application/json", const QByteArray &bearer = {})
    {
        if (m_socket.state() != QAbstractSocket::ConnectedState) {
            m_socket.abort();
            m_socket.connectToHost(QStringLiteral("127.0.0.1"), m_port);
            if (!m_socket.waitForConnected(5000))
                return {};
        }
        QByteArray head = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (!body.isEmpty() || method == "POST" || method == "PUT")
            head += "Content-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
        if (!bearer.isEmpty())
            head += "Authorization: Bearer " + bearer + "\r\n";
        head += "\r\n";
        m_socket.write(head + body);
        m_buffer.clear();
        Reply reply;
        const QDeadlineTimer deadline(30000);
        qsizetype headerEnd = -1;
        qint64 contentLength = -1;
        while (!deadline.hasExpired()) {
            if (headerEnd < 0) {
                headerEnd = m_buffer.indexOf("\r\n\r\n");
                if (headerEnd >= 0) {
                    reply.headers = m_buffer.left(headerEnd);
                    const QList<QByteArray> statusLine = reply.headers.left(reply.headers.indexOf('\r')).split(' ');
                    reply.status = statusLine.size() > 1 ? statusLine.at(1).toInt() : 0;
                    const QByteArray length = reply.header("Content-Length");
                    contentLength = length.isEmpty() ? 0 : length.toLongLong();
                }
            }
            if (headerEnd >= 0 && m_buffer.size() >= headerEnd + 4 + contentLength) {
                reply.body = m_buffer.mid(headerEnd + 4, contentLength);
                if (reply.header("Connection").compare("close", Qt::CaseInsensitive) == 0)
                    m_socket.abort();
                return reply;
            }
            if (!m_socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())))) {
                if (m_socket.state() != QAbstractSocket::ConnectedState)
                    break;
                continue;
            }
            m_buffer += m_socket.readAll();
        }
        m_socket.abort();
        return {};
    }

private:
    quint16 m_port;
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace kiln::test
