// ServeAgent: kiln-serve's HTTP API over Qt HttpServer, one server per thread on a shared
// SO_REUSEPORT port; the model read lock-free by requests and swapped atomically. The route
// handlers are in serveroutes.cpp.
#include "serving/serveagent.h"

#include "serving/serveagent_p.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QSemaphore>
#include <QTcpSocket>
#include <QUrl>
#include <QtHttpServer/QAbstractHttpServer>

#include <atomic>
#include <cstdio>

#include <unistd.h>

namespace kiln {

namespace {

using Internal::RequestHandler;

ServeEndpoint endpointOf(const QString &path)
{
    if (path == QLatin1String("/invocations"))
        return ServeEndpoint::Invocations;
    if (path.startsWith(QLatin1String("/v2/models/")) && path.endsWith(QLatin1String("/infer")))
        return ServeEndpoint::V2Infer;
    return ServeEndpoint::Other;
}

// The header a response carries to say which version answered, control characters left out.
QByteArray modelHeader(const ServedModel &model)
{
    QByteArray ref = model.ref().toUtf8();
    ref.removeIf([](char c) { return uchar(c) < 0x20 || c == 0x7f; });
    return "X-Kiln-Model: " + ref + "\r\n";
}

/// One server thread's HTTP server: every request goes to the agent's router.
class AgentHttpServer final : public QAbstractHttpServer
{
public:
    explicit AgentHttpServer(RequestHandler &agent)
        : m_agent(agent)
    { }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        m_agent.handle(request, socket);
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *socket) override
    {
        socket->write(
            http::response(404, "application/json", http::errorBody(404, QStringLiteral("no such endpoint"))));
    }

private:
    RequestHandler &m_agent;
};

/// A thread with its own event loop, Qt HttpServer and listening socket.
class ServerThread final : public QThread
{
public:
    ServerThread(RequestHandler &agent, int fd, const RequestLimits &limits)
        : m_agent(agent)
        , m_fd(fd)
        , m_limits(limits)
    { }

    /// Blocks until the server listens; the reason when it could not.
    QString waitUntilListening()
    {
        m_ready.acquire();
        return m_error;
    }

protected:
    void run() override
    {
        AgentHttpServer server(m_agent);
        auto *tcp = new GuardedTcpServer(m_limits);
        tcp->setRefusalHandler([this](const RequestScanner::Refusal &refusal) { m_agent.refused(refusal); });
        if (!tcp->setSocketDescriptor(m_fd)) {
            m_error = QStringLiteral("cannot listen: %1").arg(tcp->errorString());
            delete tcp;
            ::close(m_fd);
            m_ready.release();
            return;
        }
        server.bind(tcp);
        m_ready.release();
        exec();
    }

private:
    RequestHandler &m_agent;
    const int m_fd;
    const RequestLimits m_limits;
    QSemaphore m_ready;
    QString m_error;
};

} // namespace

void ServeAgent::Private::install(std::shared_ptr<const ServedModel> newCurrent,
                                  std::shared_ptr<const ServedModel> newPrevious)
{
    auto newState = std::make_shared<Internal::AgentState>();
    newState->current = newCurrent;
    newState->previous = std::move(newPrevious);
    std::atomic_store(&state, std::shared_ptr<const Internal::AgentState>(std::move(newState)));
    std::atomic_store(&current, std::move(newCurrent));
}

void ServeAgent::Private::refused(const RequestScanner::Refusal &refusal)
{
    metrics.recordRequest(endpointOf(QString::fromUtf8(refusal.path)), refusal.status, 0);
}

void ServeAgent::Private::handle(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QElapsedTimer timer;
    timer.start();
    const QString path = request.url().path();
    std::shared_ptr<const ServedModel> model; // the model that answered, if one did
    Internal::Reply reply = route(request, path, model);
    if (model)
        reply.headers += modelHeader(*model);
    // "Connection: close", or HTTP/1.0 without keep-alive: the guard saw the request's head.
    const bool close = socket->property(GuardedTcpServer::kCloseProperty).toBool();
    socket->write(http::response(reply.status, reply.contentType, reply.body, reply.headers, close));
    if (close)
        socket->disconnectFromHost();
    metrics.recordRequest(endpointOf(path), reply.status, double(timer.nsecsElapsed()) / 1e9);
}

ServeAgent::ServeAgent(ServeOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, std::move(options)))
{ }

ServeAgent::~ServeAgent()
{
    for (const auto &thread : d->threads)
        thread->quit();
    for (const auto &thread : d->threads)
        thread->wait();
}

Status ServeAgent::start()
{
    const ServeOptions &options = d->options;
    if (options.dataDir.isEmpty())
        return Error {QStringLiteral("no data folder given (--data DIR)")};
    const int threadCount = qBound(1, options.threads > 0 ? options.threads : QThread::idealThreadCount(), 64);

    // The port first: a port in use must not cost a push of --bundle into the data folder.
    ListeningSockets sockets;
    if (Status listening = sockets.open(options.host, options.port, threadCount); !listening)
        return listening;

    std::shared_ptr<const ServedModel> model;
    {
        std::lock_guard lock(d->controlMutex);
        QString warning;
        Expected<std::shared_ptr<const ServedModel>> loaded = d->store.loadCurrent(&warning);
        if (!loaded)
            return loaded.error();
        if (!warning.isEmpty())
            d->log(QStringLiteral("warning: %1").arg(warning));
        model = *loaded;
        if (!options.initialBundle.isEmpty()) {
            // Checked where it is first, so that a refusal names the user's file.
            if (auto checked = ServedModel::fromBundle(options.initialBundle); !checked)
                return Error {
                    QStringLiteral("refused --bundle %1: %2").arg(options.initialBundle, checked.errorMessage())};
            QFile file(options.initialBundle);
            if (!file.open(QIODevice::ReadOnly))
                return Error {
                    QStringLiteral("cannot read the bundle %1: %2").arg(options.initialBundle, file.errorString())};
            Expected<std::shared_ptr<const ServedModel>> installed = d->store.install(file.readAll());
            if (!installed)
                return Error {QStringLiteral("cannot install --bundle %1: %2")
                                  .arg(options.initialBundle, installed.errorMessage())};
            model = *installed;
        }
        std::shared_ptr<const ServedModel> previous;
        if (Expected<std::shared_ptr<const ServedModel>> loadedPrevious = d->store.loadPrevious(); loadedPrevious)
            previous = *loadedPrevious;
        else
            d->log(QStringLiteral("warning: the previous bundle does not load (rollback will fail): %1")
                       .arg(loadedPrevious.errorMessage()));
        d->install(model, previous);
        if (model)
            d->metrics.recordSwap();
    }

    const RequestLimits limits {options.maxBodyBytes, options.maxBundleBytes, 64 * 1024};
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        auto thread = std::make_unique<ServerThread>(*d, sockets.take(i), limits);
        thread->setObjectName(QStringLiteral("kiln-serve-http-%1").arg(i));
        thread->start();
        const QString error = thread->waitUntilListening();
        d->threads.push_back(std::move(thread));
        if (!error.isEmpty())
            return Error {error};
    }
    d->port = sockets.port();
    d->log(model ? QStringLiteral("serving %1 (sha256 %2) with %3 threads")
                       .arg(model->ref(), model->sha256.left(12))
                       .arg(threadCount)
                 : QStringLiteral("no model yet: push one with PUT /bundle (%1 threads)").arg(threadCount));
    return {};
}

quint16 ServeAgent::port() const
{
    return d->port;
}

QString ServeAgent::url() const
{
    QString address = d->options.host.toString();
    if (d->options.host.protocol() == QAbstractSocket::IPv6Protocol)
        address = QLatin1Char('[') + address + QLatin1Char(']');
    return QStringLiteral("http://%1:%2").arg(address).arg(d->port);
}

Expected<QHostAddress> parseServeHost(const QString &text)
{
    if (text.isEmpty() || text.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    QHostAddress address;
    if (!address.setAddress(text))
        return Error {QStringLiteral("--host takes an IP address (127.0.0.1, 0.0.0.0, ::1), not '%1'").arg(text)};
    return address;
}

Expected<QByteArray> readTokenFile(const QString &path, QString *warning)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read the token file %1: %2").arg(path, file.errorString())};
    const QByteArray token = file.readAll().trimmed();
    if (token.isEmpty())
        return Error {QStringLiteral("the token file %1 is empty").arg(path)};
    if (warning
        && (file.permissions()
            & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther)))
        *warning = QStringLiteral("the token file %1 can be read by other users (chmod 600 it)").arg(path);
    return token;
}

void printServeLog(const QString &line)
{
    const QByteArray text
        = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8() + " kiln-serve: " + line.toUtf8() + '\n';
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stderr);
    std::fflush(stderr);
}

std::shared_ptr<const ServedModel> ServeAgent::current() const
{
    return std::atomic_load(&d->current);
}

} // namespace kiln
