// The handlers of kiln-serve's HTTP API (serving/serveagent.h): routing, inference, /version,
// the admin endpoints and their tokens. The threads that call them are in serveagent.cpp.
#include "serving/oip.h"
#include "serving/serveagent_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace kiln {

namespace {

using Internal::AgentState;
using Internal::Reply;
using Method = QHttpServerRequest::Method;

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

QJsonValue modelJson(const std::shared_ptr<const ServedModel> &model)
{
    if (!model)
        return QJsonValue::Null;
    return QJsonObject {{QLatin1String("name"), model->name},
                        {QLatin1String("version"), model->version},
                        {QLatin1String("sha256"), model->sha256}};
}

// The predictions for a request's rows (or why there are none), fed to the model's input
// statistics.
Expected<Predictions> predicted(const ServedModel &model, const Expected<PredictionInput> &input)
{
    if (!input)
        return input.error();
    Expected<Predictions> predictions = model.model->predict(*input, ExtraColumns::Reject);
    if (predictions && model.inputStats)
        model.inputStats->record(*input, *predictions);
    return predictions;
}

} // namespace

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
    const Expected<Predictions> predictions
        = predicted(model, csv ? predictionInputFromCsv(body) : predictionInputFromJson(body));
    if (!predictions)
        return errorReply(400, predictions.errorMessage());
    Reply reply;
    reply.body = predictions->toJsonBytes(); // the bytes jsonReply(predictions->toJson()) sends
    return reply;
}

Reply ServeAgent::Private::infer(const QHttpServerRequest &request, const ServedModel &model)
{
    QString requestId;
    const Expected<Predictions> predictions = predicted(model, oip::requestToInput(request.body(), &requestId));
    if (!predictions)
        return errorReply(400, predictions.errorMessage());
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

} // namespace kiln
