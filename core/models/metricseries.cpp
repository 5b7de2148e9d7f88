#include "models/metricseries.h"

#include "runs/runstore.h"
#include "storage/database.h"

#include <QSet>

namespace kiln {

MetricPlacement placeMetric(const QString &key)
{
    static const QSet<QString> splits
        = {QStringLiteral("train"),      QStringLiteral("training"), QStringLiteral("val"), QStringLiteral("valid"),
           QStringLiteral("validation"), QStringLiteral("test"),     QStringLiteral("eval")};
    const qsizetype slash = key.indexOf(u'/');
    if (slash > 0 && slash < key.size() - 1) {
        const QString prefix = key.left(slash);
        if (prefix == u"system")
            return {key, key.mid(slash + 1), true};
        if (splits.contains(prefix.toLower()))
            return {key.mid(slash + 1), prefix, false};
    }
    return {key, key, false};
}

MetricSeriesBatch loadMetricSeries(const QString &databasePath, qint64 runId, const QHash<QString, qint64> &known)
{
    MetricSeriesBatch batch;
    Expected<std::unique_ptr<Database>> db = Database::open(databasePath);
    if (!db) {
        batch.error = db.errorMessage();
        return batch;
    }
    const RunStore store(**db);
    Expected<QList<MetricSummary>> summaries = store.metricSummaries(runId);
    if (!summaries) {
        batch.error = summaries.errorMessage();
        return batch;
    }
    for (const MetricSummary &summary : std::as_const(*summaries)) {
        batch.counts.insert(summary.key, summary.count);
        const qint64 have = known.value(summary.key, 0);
        if (summary.count <= have)
            continue;
        // Points are only appended, so the ones past the known count are the new ones; the
        // store skips the chunks before them.
        Expected<std::vector<MetricPoint>> points = store.metricPoints(runId, summary.key, have);
        if (!points) {
            batch.error = points.errorMessage();
            return batch;
        }
        batch.counts[summary.key] = have + qint64(points->size());
        batch.points.emplace(summary.key, std::move(points).value());
    }
    return batch;
}

std::vector<MetricPoint> decimatePoints(const std::vector<MetricPoint> &points, std::size_t maxPoints)
{
    if (maxPoints < 4 || points.size() <= maxPoints)
        return points;
    const std::size_t bucket = (points.size() * 2 + maxPoints - 1) / maxPoints;
    std::vector<MetricPoint> kept;
    kept.reserve(maxPoints + 2);
    for (std::size_t start = 0; start < points.size(); start += bucket) {
        const std::size_t end = std::min(points.size(), start + bucket);
        std::size_t low = start;
        std::size_t high = start;
        for (std::size_t i = start + 1; i < end; ++i) {
            if (points[i].value < points[low].value)
                low = i;
            if (points[i].value > points[high].value)
                high = i;
        }
        kept.push_back(points[std::min(low, high)]);
        if (low != high)
            kept.push_back(points[std::max(low, high)]);
    }
    return kept;
}

} // namespace kiln
