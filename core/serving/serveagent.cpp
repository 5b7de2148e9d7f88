// ServeAgent: kiln-serve's HTTP API over Qt HttpServer, one server per thread on a shared
// SO_REUSEPORT port; the model read lock-free by requests and swapped atomically.
#include "serving/serveagent.h"

#include "serving/agentstore.h"
#include "serving/oip.h"
#include "serving/requestguard.h"
#include "serving/servemetrics.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSemaphore>
#include <QTcpSocket>
#include <QThread>
#include <QUrl>
#include <QtHttpServer/QAbstractHttpServer>

#include <atomic>
#include <mutex>
#include <optional>
#include <vector>

#include <unistd.h>

namespace kiln {

namespace {

using Method = QHttpServerRequest::Method;

/// One answer before it is written: status, body and any headers beyond the usual.
struct Reply
{
    int status = 200;
    QByteArrayView contentType = "application/json";
    QByteArray body;
    QByteArray headers; ///< "Name: value\r\n" lines
};

Reply jsonReply(const QJsonObject &object, int status = 200)
{
    Reply reply;
    reply.status = status;
    reply.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return reply;
}

Reply errorReply(int status, const QString &message)
{
    Reply reply;
    reply.status = status;
    reply.body = http::errorBody(status, message);
    if (status == 401)
        reply.headers = "WWW-Authenticate: Bearer realm=\"kiln-serve\"\r\n";
    return reply;
}

Reply methodNotAllowed(const QString &path, QByteArrayView allowed)
{
    Reply reply = errorReply(405, QStringLiteral("%1 takes %2").arg(path, QString::fromLatin1(allowed)));
    reply.headers = "Allow: " + allowed.toByteArray() + "\r\n";
    return reply;
}

Reply noModel()
{
    return errorReply(503, QStringLiteral("no model is loaded: push a bundle first (PUT /bundle)"));
}

ServeEndpoint endpointOf(QByteArrayView path)
{
    if (path == "/invocations")
        return ServeEndpoint::Invocations;
    if (path.startsWith("/v2/models/") && path.endsWith("/infer"))
        return ServeEndpoint::V2Infer;
    return ServeEndpoint::Other;
}

ServeEndpoint endpointOf(const QString &path)
{
    if (path == QLatin1String("/invocations"))
        return ServeEndpoint::Invocations;
    if (path.startsWith(QLatin1String("/v2/models/")) && path.endsWith(QLatin1String("/infer")))
        return ServeEndpoint::V2Infer;
    return ServeEndpoint::Other;
}

QJsonValue modelJson(const std::shared_ptr<const ServedModel> &model)
{
    if (!model)
        return QJsonValue::Null;
    return QJsonObject {{QLatin1String("name"), model->name},
                        {QLatin1String("version"), model->version},
                        {QLatin1String("sha256"), model->sha256}};
}

// The header a response carries to say which version answered, control characters left out.
QByteArray modelHeader(const ServedModel &model)
{
    QByteArray ref = model.ref().toUtf8();
    ref.removeIf([](char c) { return uchar(c) < 0x20 || c == 0x7f; });
    return "X-Kiln-Model: " + ref + "\r\n";
}

/// What the server threads call into: the agent's router and its metrics.
class RequestHandler
{
public:
    virtual void handle(const QHttpServerRequest &request, QTcpSocket *socket) = 0;
    /// A request the guard refused from its head (already answered).
    virtual void refused(const RequestScanner::Refusal &refusal) = 0;

protected:
    ~RequestHandler() = default;
};

/// What /version reports, swapped whole so that a reader never pairs a new current with an
/// old previous.
struct AgentState
{
    std::shared_ptr<const ServedModel> current;
    std::shared_ptr<const ServedModel> previous;
};

} // namespace

class ServeAgent::Private final : public RequestHandler
{
public:
    Private(ServeAgent *agent, ServeOptions serveOptions)
        : q(agent)
        , options(std::move(serveOptions))
        , store(options.dataDir)
    { }

    void handle(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void refused(const RequestScanner::Refusal &refusal) override
    {
        metrics.recordRequest(endpointOf(QByteArrayView(refusal.path)), refusal.status, 0);
    }
    void log(const QString &line) const { Q_EMIT q->logMessage(line); }
    void install(std::shared_ptr<const ServedModel> current, std::shared_ptr<const ServedModel> previous);

    ServeAgent *q;
    const ServeOptions options;
    AgentStore store;
    ServeMetrics metrics;
    /// The model requests use: std::atomic_load by each request, std::atomic_store on a swap.
    std::shared_ptr<const ServedModel> current;
    std::shared_ptr<const AgentState> state = std::make_shared<AgentState>();
    /// Serialises pushes, rollbacks and undeploys (never taken by a request that predicts).
    std::mutex controlMutex;
    std::vector<std::unique_ptr<QThread>> threads;
    quint16 port = 0;

private:
    Reply route(const QHttpServerRequest &request, const QString &path, std::shared_ptr<const ServedModel> &model);
    Reply v2Model(const QHttpServerRequest &request, const QString &path, std::shared_ptr<const ServedModel> &model);
    Reply invocations(const QHttpServerRequest &request, const ServedModel &model);
    Reply infer(const QHttpServerRequest &request, const ServedModel &model);
    Reply version() const;
    Reply push(const QHttpServerRequest &request, std::shared_ptr<const ServedModel> &model);
    Reply rollback(const QHttpServerRequest &request, std::shared_ptr<const ServedModel> &model);
    Reply undeploy(const QHttpServerRequest &request);
    std::optional<Reply> deniedInference(const QHttpServerRequest &request) const;
    std::optional<Reply> deniedAdmin(const QHttpServerRequest &request) const;
};

namespace {

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
    auto newState = std::make_shared<AgentState>();
    newState->current = newCurrent;
    newState->previous = std::move(newPrevious);
    std::atomic_store(&state, std::shared_ptr<const AgentState>(std::move(newState)));
    std::atomic_store(&current, std::move(newCurrent));
}

void ServeAgent::Private::handle(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QElapsedTimer timer;
    timer.start();
    const QString path = request.url().path();
    std::shared_ptr<const ServedModel> model; // the model that answered, if one did
    Reply reply = route(request, path, model);
    if (model)
        reply.headers += modelHeader(*model);
    // "Connection: close", or HTTP/1.0 without keep-alive: the guard saw the request's head.
    const bool close = socket->property(GuardedTcpServer::kCloseProperty).toBool();
    socket->write(http::response(reply.status, reply.contentType, reply.body, reply.headers, close));
    if (close)
        socket->disconnectFromHost();
    metrics.recordRequest(endpointOf(path), reply.status, double(timer.nsecsElapsed()) / 1e9);
}

Reply ServeAgent::Private::route(const QHttpServerRequest &request, const QString &path,
                                 std::shared_ptr<const ServedModel> &model)
{
    const Method method = request.method();
    const bool get = method == Method::Get;
    if (path == QLatin1String("/invocations")) {
        if (method != Method::Post)
            return methodNotAllowed(path, "POST");
        if (std::optional<Reply> denied = deniedInference(request))
            return *denied;
        model = std::atomic_load(&current);
        return model ? invocations(request, *model) : noModel();
    }
    if (path.startsWith(QLatin1String("/v2/models/")))
        return v2Model(request, path, model);
    if (path == QLatin1String("/ping") || path == QLatin1String("/health")
        || path == QLatin1String("/v2/health/ready")) {
        if (!get)
            return methodNotAllowed(path, "GET");
        model = std::atomic_load(&current);
        if (!model)
            return noModel();
        return jsonReply({{QLatin1String("ready"), true}, {QLatin1String("model"), model->ref()}});
    }
    if (path == QLatin1String("/v2/health/live")) {
        if (!get)
            return methodNotAllowed(path, "GET");
        return jsonReply({{QLatin1String("live"), true}});
    }
    if (path == QLatin1String("/v2")) {
        if (!get)
            return methodNotAllowed(path, "GET");
        return jsonReply({{QLatin1String("name"), QLatin1String("kiln-serve")},
                          {QLatin1String("version"), QLatin1String(KILN_VERSION)},
                          {QLatin1String("extensions"), QJsonArray()}});
    }
    if (path == QLatin1String("/version")) {
        if (!get)
            return methodNotAllowed(path, "GET");
        return version();
    }
    if (path == QLatin1String("/metrics")) {
        if (!get)
            return methodNotAllowed(path, "GET");
        if (std::optional<Reply> denied = deniedInference(request))
            return *denied;
        const std::shared_ptr<const ServedModel> served = std::atomic_load(&current);
        Reply reply;
        reply.contentType = "text/plain; version=0.0.4; charset=utf-8";
        reply.body = metrics.prometheusText(served.get());
        return reply;
    }
    if (path == QLatin1String("/bundle")) {
        if (method == Method::Put)
            return push(request, model);
        if (method == Method::Delete) {
            if (std::optional<Reply> denied = deniedAdmin(request))
                return *denied;
            return undeploy(request);
        }
        return methodNotAllowed(path, "PUT, DELETE");
    }
    if (path == QLatin1String("/rollback")) {
        if (method != Method::Post)
            return methodNotAllowed(path, "POST");
        if (std::optional<Reply> denied = deniedAdmin(request))
            return *denied;
        return rollback(request, model);
    }
    return errorReply(404, QStringLiteral("no endpoint %1 (see docs/SERVING.md)").arg(path));
}

// /v2/models/{name}[/versions/{version}][/ready|/infer]
Reply ServeAgent::Private::v2Model(const QHttpServerRequest &request, const QString &path,
                                   std::shared_ptr<const ServedModel> &model)
{
    QStringList parts = path.mid(int(qstrlen("/v2/models/"))).split(QLatin1Char('/'));
    const QString name = parts.takeFirst();
    QString wantedVersion;
    if (parts.size() >= 2 && parts.front() == QLatin1String("versions")) {
        wantedVersion = parts.at(1);
        parts.remove(0, 2);
    }
    const QString action = parts.isEmpty() ? QString() : parts.takeFirst();
    if (!parts.isEmpty() || (action != QLatin1String("infer") && action != QLatin1String("ready") && !action.isEmpty()))
        return errorReply(404, QStringLiteral("no endpoint %1 (see docs/SERVING.md)").arg(path));
    const Method method = request.method();
    const bool infer = action == QLatin1String("infer");
    if (infer && method != Method::Post)
        return methodNotAllowed(path, "POST");
    if (!infer && method != Method::Get)
        return methodNotAllowed(path, "GET");
    if (infer) {
        if (std::optional<Reply> denied = deniedInference(request))
            return *denied;
    }

    const std::shared_ptr<const ServedModel> served = std::atomic_load(&current);
    if (!served)
        return noModel();
    if (name != served->name)
        return errorReply(
            404, QStringLiteral("model '%1' is not served here; this agent serves '%2'").arg(name, served->name));
    if (!wantedVersion.isEmpty() && wantedVersion != QString::number(served->version))
        return errorReply(404,
                          QStringLiteral("version %1 of '%2' is not served here; this agent serves version %3")
                              .arg(wantedVersion, name)
                              .arg(served->version));
    model = served;
    if (infer)
        return this->infer(request, *served);
    if (action == QLatin1String("ready"))
        return jsonReply({{QLatin1String("name"), served->name}, {QLatin1String("ready"), true}});
    return jsonReply(oip::metadata(*served));
}

Reply ServeAgent::Private::invocations(const QHttpServerRequest &request, const ServedModel &model)
{
    const QByteArray body = request.body();
    const bool csv = request.value("Content-Type").trimmed().toLower().startsWith("text/csv");
    const Expected<PredictionInput> input = csv ? predictionInputFromCsv(body) : predictionInputFromJson(body);
    if (!input)
        return errorReply(400, input.errorMessage());
    const Expected<Predictions> predictions = model.model->predict(*input, ExtraColumns::Reject);
    if (!predictions)
        return errorReply(400, predictions.errorMessage());
    if (model.inputStats)
        model.inputStats->record(*input, *predictions);
    return jsonReply(predictions->toJson());
}

Reply ServeAgent::Private::infer(const QHttpServerRequest &request, const ServedModel &model)
{
    QString requestId;
    const Expected<PredictionInput> input = oip::requestToInput(request.body(), &requestId);
    if (!input)
        return errorReply(400, input.errorMessage());
    const Expected<Predictions> predictions = model.model->predict(*input, ExtraColumns::Reject);
    if (!predictions)
        return errorReply(400, predictions.errorMessage());
    if (model.inputStats)
        model.inputStats->record(*input, *predictions);
    return jsonReply(oip::response(model, *predictions, requestId));
}

Reply ServeAgent::Private::version() const
{
    const std::shared_ptr<const AgentState> now = std::atomic_load(&state);
    const ServedModel *model = now->current.get();
    const auto orNull = [model](const QJsonValue &value) { return model ? value : QJsonValue(QJsonValue::Null); };
    return jsonReply({
        {QLatin1String("name"), orNull(model ? model->name : QString())},
        {QLatin1String("version"), orNull(model ? model->version : 0)},
        {QLatin1String("sha256"), orNull(model ? model->sha256 : QString())},
        {QLatin1String("trainer"), orNull(model ? model->trainer : QString())},
        {QLatin1String("loadedAt"), orNull(model ? model->loadedAt.toString(Qt::ISODateWithMs) : QString())},
        {QLatin1String("previous"), modelJson(now->previous)},
        {QLatin1String("agent"), QStringLiteral("kiln-serve " KILN_VERSION)},
    });
}

std::optional<Reply> ServeAgent::Private::deniedInference(const QHttpServerRequest &request) const
{
    if (options.inferenceToken.isEmpty())
        return std::nullopt;
    const QByteArray given = http::bearerToken(request.value("Authorization"));
    if (given.isEmpty())
        return errorReply(401, QStringLiteral("this agent needs a bearer token: send Authorization: Bearer TOKEN"));
    if (!http::sameToken(given, options.inferenceToken) && !http::sameToken(given, options.adminToken))
        return errorReply(401, QStringLiteral("wrong bearer token"));
    return std::nullopt;
}

std::optional<Reply> ServeAgent::Private::deniedAdmin(const QHttpServerRequest &request) const
{
    if (options.adminToken.isEmpty())
        return errorReply(403,
                          QStringLiteral("this agent was started without an admin token (--token-file or "
                                         "KILN_SERVE_TOKEN): pushes, rollback and undeploy are refused"));
    const QByteArray given = http::bearerToken(request.value("Authorization"));
    if (given.isEmpty())
        return errorReply(401,
                          QStringLiteral("pushes, rollback and undeploy need the admin token: send "
                                         "Authorization: Bearer TOKEN"));
    if (!http::sameToken(given, options.adminToken)) {
        log(QStringLiteral("refused %1 from %2: wrong admin token")
                .arg(request.url().path(), request.remoteAddress().toString()));
        return errorReply(401, QStringLiteral("wrong admin token"));
    }
    return std::nullopt;
}

Reply ServeAgent::Private::push(const QHttpServerRequest &request, std::shared_ptr<const ServedModel> &model)
{
    if (std::optional<Reply> denied = deniedAdmin(request))
        return *denied;
    const QByteArray body = request.body();
    if (body.isEmpty())
        return errorReply(400,
                          QStringLiteral("PUT /bundle takes a bundle file as its body (curl --data-binary @FILE)"));
    std::lock_guard lock(controlMutex);
    const std::shared_ptr<const AgentState> before = std::atomic_load(&state);
    bool refused = false;
    Expected<std::shared_ptr<const ServedModel>> installed = store.install(body, &refused);
    if (!installed) {
        log(QStringLiteral("refused a bundle pushed from %1: %2")
                .arg(request.remoteAddress().toString(), installed.errorMessage()));
        return errorReply(refused ? 422 : 500, installed.errorMessage());
    }
    // The store decided which bundle is previous now: one of the two we had.
    std::shared_ptr<const ServedModel> previous;
    for (const auto &candidate : {before->current, before->previous}) {
        if (candidate && candidate->sha256 == store.previousSha256())
            previous = candidate;
    }
    model = *installed;
    install(model, previous);
    metrics.recordSwap();
    log(QStringLiteral("now serving %1 (sha256 %2), pushed from %3")
            .arg(model->ref(), model->sha256.left(12), request.remoteAddress().toString()));
    return version();
}

Reply ServeAgent::Private::rollback(const QHttpServerRequest &request, std::shared_ptr<const ServedModel> &model)
{
    std::lock_guard lock(controlMutex);
    if (!store.hasPrevious())
        return errorReply(409, QStringLiteral("there is no previous bundle to roll back to"));
    const std::shared_ptr<const AgentState> before = std::atomic_load(&state);
    Expected<std::shared_ptr<const ServedModel>> restored = store.rollback();
    if (!restored) {
        log(QStringLiteral("rollback failed: %1").arg(restored.errorMessage()));
        return errorReply(500, restored.errorMessage());
    }
    model = *restored;
    install(model, before->current);
    metrics.recordSwap();
    log(QStringLiteral("rolled back from %1: now serving %2 (sha256 %3)")
            .arg(request.remoteAddress().toString(), model->ref(), model->sha256.left(12)));
    return version();
}

Reply ServeAgent::Private::undeploy(const QHttpServerRequest &request)
{
    std::lock_guard lock(controlMutex);
    const std::shared_ptr<const AgentState> before = std::atomic_load(&state);
    if (Status cleared = store.clear(); !cleared)
        return errorReply(500, cleared.errorMessage());
    if (before->current) {
        install(nullptr, before->current);
        metrics.recordSwap();
        log(QStringLiteral("undeployed %1 from %2: no model is served")
                .arg(before->current->ref(), request.remoteAddress().toString()));
    }
    return version();
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

std::shared_ptr<const ServedModel> ServeAgent::current() const
{
    return std::atomic_load(&d->current);
}

} // namespace kiln
