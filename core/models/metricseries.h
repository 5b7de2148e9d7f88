#pragma once

#include "runs/runtypes.h"

#include <QHash>
#include <QString>

#include <vector>

namespace kiln {

/// Where a metric key is drawn: the chart (group) and the line in it. "train/logloss" and
/// "validation/logloss" share the chart "logloss" as the lines "train" and "validation";
/// system metrics and plain keys ("loss") get a chart each.
struct MetricPlacement
{
    QString group;
    QString line;
    bool system = false; ///< sampled by Kiln (CPU, memory): drawn after the model's metrics
};
MetricPlacement placeMetric(const QString &key);

/// The points of a run's step metrics that a chart does not have yet.
struct MetricSeriesBatch
{
    QHash<QString, std::vector<MetricPoint>> points; ///< per key, the points after the known ones
    QHash<QString, qint64> counts; ///< per key, how many points the store holds now
    QString error;
};

/// Reads, on a database connection of its own, the points of run `runId`'s series beyond the
/// counts in `known` (series whose count did not grow are not read at all). Runs on any thread:
/// meant for QtConcurrent, so that a long series never loads on the GUI thread.
MetricSeriesBatch loadMetricSeries(const QString &databasePath, qint64 runId, const QHash<QString, qint64> &known);

/// At most about `maxPoints` points that keep the shape of `points`: each bucket of
/// consecutive points keeps its lowest and highest value, so spikes survive. Fewer points
/// come back unchanged.
std::vector<MetricPoint> decimatePoints(const std::vector<MetricPoint> &points, std::size_t maxPoints);

} // namespace kiln
