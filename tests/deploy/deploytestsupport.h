#pragma once

// Helpers of the deploy tests: a free loopback port and the server processes they start
// (sshd, docker-registry), stopped by PID.

#include <QHostAddress>
#include <QProcess>
#include <QString>
#include <QTcpServer>

namespace kiln::test {

/// A loopback port nothing listens on (bound, then released).
inline quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port on 127.0.0.1");
    return server.serverPort();
}

/// A server process on 127.0.0.1 and a free port, with its files in `dir`; stop() (and the
/// destructor) ends it by PID: SIGTERM, then SIGKILL when it does not exit.
class LoopbackServer
{
public:
    explicit LoopbackServer(QString dir)
        : m_dir(std::move(dir))
        , m_port(freePort())
    { }
    ~LoopbackServer() { stop(); }
    LoopbackServer(const LoopbackServer &) = delete;
    LoopbackServer &operator=(const LoopbackServer &) = delete;

    quint16 port() const { return m_port; }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate(); // SIGTERM to its PID
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(10000);
        }
    }

protected:
    QString m_dir;
    quint16 m_port;
    QProcess m_process;
};

} // namespace kiln::test
