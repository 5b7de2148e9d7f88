#pragma once

#include "serving/servedmodel.h"
#include "util/expected.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

namespace kiln {

class AgentStore;
class ServeMetrics;

/// kiln-serve's HTTP API (docs/SERVING.md), served by Qt HttpServer:
///   POST /invocations            MLflow scoring: JSON with exactly one of dataframe_split,
///                                dataframe_records, instances, inputs; or Content-Type text/csv.
///                                200 {"predictions": [...]} (Predictions::toJson)
///   POST /v2/models/{name}/infer Open Inference Protocol v2 (serving/oip.h)
///   GET  /v2/models/{name}       v2 model metadata; GET /v2/models/{name}/ready
///   GET  /v2/health/live         200 while the process runs
///   GET  /v2/health/ready, /ping 200 when a model is loaded, else 503
///   GET  /version                {"name", "version", "sha256", "trainer", "loadedAt",
///                                 "previous": {"name", "version", "sha256"} | null, "agent": "kiln-serve 0.1.0"}
///   GET  /metrics                Prometheus text (serving/servemetrics.h)
///   PUT  /bundle                 body: a bundle (.kiln.tar.gz); bearer token; verified, then
///                                swapped in atomically; 200 with the /version JSON
///   POST /rollback               bearer token; back to the previous bundle; 409 when none
///   DELETE /bundle               bearer token; unload (503 on inference until the next push)
/// Also GET /health (as /ping), GET /v2 (server metadata) and /v2/models/{name}/versions/{v}/...
/// Every answer given with a model carries "X-Kiln-Model: NAME@VERSION", the version that
/// answered. Errors are JSON {"error_code": "BAD_REQUEST"|"UNAUTHORIZED"|..., "message": "..."}
/// with 400 (malformed, missing/extra column, wrong type), 401, 403 (admin endpoints on an agent
/// without an admin token), 404, 405, 409, 411 (chunked body), 413 (body over the limit, refused
/// from its headers before it is read), 422 (a bundle the agent refuses), 431 (headers over
/// 64 KiB), 500 (the data folder cannot be written), 503 (no model). Nothing a client sends
/// crashes the agent. The admin token is accepted where the inference token is asked for.
struct ServeOptions
{
    QString dataDir; ///< AgentStore's folder (required)
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 8080; ///< 0: any free port (see ServeAgent::port())
    QByteArray adminToken; ///< bearer token for PUT /bundle, /rollback, DELETE; empty refuses them all
    QByteArray inferenceToken; ///< when set, inference and /metrics need it too
    qint64 maxBodyBytes = 16 * 1024 * 1024; ///< inference requests
    qint64 maxBundleBytes = 1024LL * 1024 * 1024; ///< PUT /bundle
    int threads = 0; ///< HTTP server threads (SO_REUSEPORT); 0: QThread::idealThreadCount()
    QString initialBundle; ///< installed at start when set (kiln-serve --bundle FILE)
};

/// --host as kiln-serve and `kilnctl serve` take it: an IP address (127.0.0.1, 0.0.0.0, ::1)
/// or "localhost"; empty is localhost.
Expected<QHostAddress> parseServeHost(const QString &text);
/// A token from a file (--token-file, --inference-token-file), trimmed; an error naming the
/// file when it cannot be read or is empty. `warning` is set when others may read the file.
Expected<QByteArray> readTokenFile(const QString &path, QString *warning = nullptr);
/// Writes a log line as kiln-serve and `kilnctl serve` do: on stderr, UTC time first
/// ("2024-05-01T12:00:00Z kiln-serve: LINE"), flushed.
void printServeLog(const QString &line);

/// The serving agent: owns the store, the current and previous ServedModel (swapped with
/// std::atomic_store on a shared_ptr, so a request sees the old or the new model, never half
/// of one) and the HTTP server threads. Used by kiln-serve and `kilnctl serve`. Lives on the
/// thread that creates it; each server thread runs its own QAbstractHttpServer on a
/// GuardedTcpServer (serving/requestguard.h) sharing the port, and answers requests there
/// without a lock. logMessage() is emitted from those threads too (queued to receivers).
class ServeAgent final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServeAgent)

public:
    explicit ServeAgent(ServeOptions options, QObject *parent = nullptr);
    ~ServeAgent() override;

    /// Loads the current model (or options.initialBundle) and starts listening. Errors: the
    /// port is taken, the data folder is not writable, the initial bundle is refused.
    Status start();
    quint16 port() const;
    /// "http://127.0.0.1:8080", "http://[::1]:8080": where it listens (after start()).
    QString url() const;
    std::shared_ptr<const ServedModel> current() const;

Q_SIGNALS:
    /// A one-line log message ("loaded churn@3 (sha256 1a2b…)", "refused bundle: ...").
    void logMessage(const QString &line);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace kiln
