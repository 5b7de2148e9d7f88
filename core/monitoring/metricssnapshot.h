#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>

#include <vector>

namespace kiln {

/// One scrape of a kiln-serve agent's /metrics (format in serving/servemetrics.h), reduced to
/// what the Deployments panel charts. Counters are totals since the model was loaded.
struct MetricsSnapshot
{
    QDateTime at; ///< when it was scraped (set by the caller)
    QString modelName;
    int modelVersion = 0;
    QString sha256;
    QDateTime loadedAt; ///< kiln_model_loaded_timestamp_seconds; invalid when no model is loaded
    double requests = 0; ///< inference endpoints (invocations + v2_infer), all codes
    double errors = 0; ///< of those, status >= 400
    double predictedRows = 0;
    std::vector<double> latencyBounds; ///< seconds, ascending, +Inf last
    std::vector<double> latencyCumulative; ///< inference endpoints summed, per bound
    /// feature -> bin label ("0".."n-1", "under", "over", a category, "__other__",
    /// "__missing__") -> count
    QHash<QString, QHash<QString, double>> featureBins;
    QHash<QString, double> predictionBins; ///< class label or bin label -> count

    /// Whether `other` is a scrape of the same loaded model (name, version and bundle SHA-256).
    bool sameModel(const MetricsSnapshot &other) const
    {
        return modelName == other.modelName && modelVersion == other.modelVersion && sha256 == other.sha256;
    }

    /// Parses Prometheus text; unknown families are ignored. Errors: a malformed line, with
    /// its number.
    static Expected<MetricsSnapshot> parse(const QByteArray &text);
};

/// Traffic between two scrapes of the same model (a restart or swap: counters went down or the
/// version changed, so `from` is taken as empty).
struct TrafficSample
{
    double requestsPerSecond = 0;
    double errorsPerSecond = 0;
    double p50Ms = 0; ///< from the latency histogram, linear within a bucket; 0 without traffic
    double p99Ms = 0;
};
TrafficSample trafficBetween(const MetricsSnapshot &from, const MetricsSnapshot &to);

} // namespace kiln
