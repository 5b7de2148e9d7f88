#pragma once

// What serveagent.cpp (threads, start-up) and serveroutes.cpp (the HTTP API's handlers) share:
// ServeAgent's private part. Not part of Kiln's API.

#include "serving/agentstore.h"
#include "serving/requestguard.h"
#include "serving/serveagent.h"
#include "serving/servemetrics.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHttpServerRequest>
#include <QThread>

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

class QTcpSocket;

namespace kiln {

namespace Internal {

/// One answer before it is written: status, body and any headers beyond the usual.
struct Reply
{
    int status = 200;
    QByteArrayView contentType = "application/json";
    QByteArray body;
    QByteArray headers; ///< "Name: value\r\n" lines
};

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

} // namespace Internal

class ServeAgent::Private final : public Internal::RequestHandler
{
public:
    using Reply = Internal::Reply;

    Private(ServeAgent *agent, ServeOptions serveOptions)
        : q(agent)
        , options(std::move(serveOptions))
        , store(options.dataDir)
    { }

    void handle(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void refused(const RequestScanner::Refusal &refusal) override;
    void log(const QString &line) const { Q_EMIT q->logMessage(line); }
    void install(std::shared_ptr<const ServedModel> current, std::shared_ptr<const ServedModel> previous);

    ServeAgent *q;
    const ServeOptions options;
    AgentStore store;
    ServeMetrics metrics;
    /// The model requests use: std::atomic_load by each request, std::atomic_store on a swap.
    std::shared_ptr<const ServedModel> current;
    std::shared_ptr<const Internal::AgentState> state = std::make_shared<Internal::AgentState>();
    /// Serialises pushes, rollbacks and undeploys (never taken by a request that predicts).
    std::mutex controlMutex;
    std::vector<std::unique_ptr<QThread>> threads;
    quint16 port = 0;

private:
    // The handlers of the HTTP API, in serveroutes.cpp. `model` is set to the model that
    // answered, if one did.
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

} // namespace kiln
