#pragma once

#include "data/columnprofile.h"
#include "registry/predictor.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <array>
#include <atomic>
#include <memory>
#include <vector>

namespace kiln {

struct ServedModel;

/// Inference endpoints counted apart in /metrics.
enum class ServeEndpoint { Invocations, V2Infer, Other };

/// Live statistics of the inputs a model version received and of its predictions, binned the
/// way its training profile is, so that drift (PSI, KS) can be computed from two scrapes.
/// Numeric, boolean and date-time features: the profile's equal-width histogram bins, plus an
/// "under" and "over" bin for values outside [lower, upper]; categorical features: each of the
/// profile's top values, plus "__other__"; every feature: "__missing__". Predictions:
/// classification counts per predicted class; regression a 20-bin histogram over the
/// training target's range (plus under/over). record() is lock-free (relaxed atomics) and
/// safe from any number of threads.
class InputStats final
{
public:
    InputStats(const QList<ColumnProfile> &profile, const LoadedModel &model);
    ~InputStats();

    /// Counts each row's features (input columns named as in the model's signature, found once
    /// per call) and its prediction. Costs about a microsecond a row of 30 features.
    void record(const PredictionInput &input, const Predictions &predictions);
    /// Rows recorded (kiln_predicted_rows_total).
    quint64 rows() const;
    /// Appends kiln_feature_bin_total and kiln_prediction_bin_total (format in ServeMetrics).
    void writePrometheus(QByteArray &out) const;

private:
    struct Feature;
    std::vector<std::unique_ptr<Feature>> m_features;
    std::unique_ptr<Feature> m_predictions;
    std::atomic<quint64> m_rows {0};
};

/// Request counters and latency histograms for /metrics. Thread-safe, lock-free on the
/// request path. The Prometheus text (format 0.0.4) it writes, one family each:
///   kiln_requests_total{endpoint="invocations"|"v2_infer"|"other",code="200"}   counter
///   kiln_request_errors_total{endpoint="..."}                                    counter (status >= 400)
///   kiln_request_duration_seconds_bucket{endpoint="...",le="0.0001"...,"+Inf"}   histogram, with _sum, _count
///   kiln_predicted_rows_total                                                    counter (InputStats::rows)
///   kiln_model_info{name="churn",version="3",sha256="..."} 1                     gauge (absent when no model)
///   kiln_model_version 3                                                         gauge (0 when no model)
///   kiln_model_loaded_timestamp_seconds 1.7e9                                    gauge
///   kiln_model_swaps_total                                                       counter
///   kiln_feature_bin_total{feature="age",bin="3"|"under"|"over"|"__missing__"}   counter, numeric features
///   kiln_feature_bin_total{feature="city",value="Lyon"|"__other__"|"__missing__"} counter, categorical
///   kiln_prediction_bin_total{class="yes"} / {bin="0".."19"|"under"|"over"}      counter
/// Label values are escaped as the format says (\\, \", \n).
class ServeMetrics final
{
public:
    /// Latency bucket upper bounds, seconds.
    static const std::array<double, 13> &latencyBounds();

    ServeMetrics();
    ~ServeMetrics();

    void recordRequest(ServeEndpoint endpoint, int httpStatus, double seconds);
    /// A new model was loaded: counts the swap and starts the request counters and latency
    /// histograms afresh, so that, like the new model's InputStats, every counter but
    /// kiln_model_swaps_total is a total since the current model was loaded.
    void recordSwap();
    /// The whole /metrics body; `current` (may be null) adds the model gauges and its InputStats.
    QByteArray prometheusText(const ServedModel *current) const;

private:
    struct Counters;
    std::unique_ptr<Counters> m;
};

} // namespace kiln
