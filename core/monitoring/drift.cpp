// Drift of live inputs against the training profile: PSI and KS per feature over the bins
// kiln-serve counts (driftbins), between two scrapes of /metrics.
#include "monitoring/drift.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

constexpr double kProportionFloor = 1e-4;
const QString kUnder = QStringLiteral("under");
const QString kOver = QStringLiteral("over");
const QString kMissing = QStringLiteral("__missing__");
const QString kOther = QStringLiteral("__other__");

// A window's counts are `to` minus `from`; a counter that went down means the model was
// reloaded in between, and then `to` alone is the window.
bool countsWentDown(const QHash<QString, double> &from, const QHash<QString, double> &to)
{
    for (auto it = from.begin(); it != from.end(); ++it) {
        if (to.value(it.key()) < it.value())
            return true;
    }
    return false;
}

QHash<QString, double> difference(const QHash<QString, double> &to, const QHash<QString, double> *from)
{
    QHash<QString, double> window = to;
    if (from) {
        for (auto it = window.begin(); it != window.end(); ++it)
            it.value() -= from->value(it.key());
    }
    return window;
}

double total(const QHash<QString, double> &counts)
{
    double sum = 0;
    for (double c : counts)
        sum += c;
    return sum;
}

double psiOf(const QHash<QString, double> &train, const QHash<QString, double> &live)
{
    const double trainTotal = total(train);
    const double liveTotal = total(live);
    if (trainTotal <= 0 || liveTotal <= 0)
        return 0;
    QSet<QString> labels;
    for (auto it = train.begin(); it != train.end(); ++it)
        labels.insert(it.key());
    for (auto it = live.begin(); it != live.end(); ++it)
        labels.insert(it.key());
    double psi = 0;
    for (const QString &label : labels) {
        const double t = std::max(train.value(label) / trainTotal, kProportionFloor);
        const double l = std::max(live.value(label) / liveTotal, kProportionFloor);
        psi += (l - t) * std::log(l / t);
    }
    return psi;
}

// KS over the ordered bins under, 0..n-1, over (missing values have no place in the order).
double ksOf(int bins, const QHash<QString, double> &train, const QHash<QString, double> &live)
{
    QStringList order {kUnder};
    for (int i = 0; i < bins; ++i)
        order.append(QString::number(i));
    order.append(kOver);
    double trainTotal = 0;
    double liveTotal = 0;
    for (const QString &label : order) {
        trainTotal += train.value(label);
        liveTotal += live.value(label);
    }
    if (trainTotal <= 0 || liveTotal <= 0)
        return 0;
    double trainCdf = 0;
    double liveCdf = 0;
    double ks = 0;
    for (const QString &label : order) {
        trainCdf += train.value(label) / trainTotal;
        liveCdf += live.value(label) / liveTotal;
        ks = std::max(ks, std::abs(liveCdf - trainCdf));
    }
    return ks;
}

} // namespace

bool DriftReport::anyDrift() const
{
    return std::any_of(features.begin(), features.end(), [](const FeatureDrift &f) { return f.drifted; });
}

DriftReport computeDrift(const QList<ColumnProfile> &profile, const MetricsSnapshot &from, const MetricsSnapshot &to,
                         const DriftThresholds &thresholds)
{
    bool reset = !from.sameModel(to) || countsWentDown(from.predictionBins, to.predictionBins);
    for (auto it = from.featureBins.begin(); !reset && it != from.featureBins.end(); ++it)
        reset = countsWentDown(it.value(), to.featureBins.value(it.key()));

    DriftReport report;
    report.predictionBins = difference(to.predictionBins, reset ? nullptr : &from.predictionBins);
    for (const ColumnProfile &column : profile) {
        const auto bins = to.featureBins.constFind(column.name);
        if (bins == to.featureBins.constEnd())
            continue; // not an input of the model
        const QHash<QString, double> before = reset ? QHash<QString, double>() : from.featureBins.value(column.name);
        const QHash<QString, double> live = difference(*bins, &before);
        const QHash<QString, double> train = driftbins::trainingCounts(column);
        FeatureDrift drift;
        drift.feature = column.name;
        drift.liveRows = total(live);
        drift.psi = psiOf(train, live);
        const bool numeric = driftbins::isNumeric(column.type);
        if (numeric)
            drift.ks = ksOf(int(driftbins::histogramOf(column).counts.size()), train, live);
        drift.drifted = drift.liveRows >= thresholds.minRows
            && (drift.psi > thresholds.psi || (numeric && drift.ks > thresholds.ks));
        report.liveRows = std::max(report.liveRows, drift.liveRows);
        report.features.append(drift);
    }
    return report;
}

namespace driftbins {

bool isNumeric(ColumnType type)
{
    switch (type) {
    case ColumnType::Boolean:
    case ColumnType::Integer:
    case ColumnType::Float:
    case ColumnType::DateTime:
        return true;
    case ColumnType::Categorical:
    case ColumnType::Text:
        break;
    }
    return false;
}

Histogram histogramOf(const ColumnProfile &profile)
{
    if (profile.type != ColumnType::Boolean || !profile.histogram.counts.empty())
        return profile.histogram;
    Histogram h;
    h.lower = 0;
    h.upper = 1;
    const qint64 present = profile.count - profile.missing;
    const auto trueCount = qint64(std::llround(profile.mean.value_or(0) * double(present)));
    h.counts = {present - trueCount, trueCount};
    return h;
}

NumericBins::NumericBins(const Histogram &histogram)
    : lower(histogram.lower)
    , upper(histogram.upper)
    , count(int(histogram.counts.size()))
{
    scale = upper > lower ? double(count) / (upper - lower) : 0.0;
}

QHash<QString, double> trainingCounts(const ColumnProfile &profile)
{
    QHash<QString, double> counts;
    counts.insert(kMissing, double(profile.missing));
    if (isNumeric(profile.type)) {
        const Histogram h = histogramOf(profile);
        for (std::size_t i = 0; i < h.counts.size(); ++i)
            counts.insert(QString::number(i), double(h.counts[i]));
        counts.insert(kUnder, 0);
        counts.insert(kOver, 0);
        return counts;
    }
    qint64 top = 0;
    for (const auto &[value, count] : profile.topValues) {
        counts.insert(value, double(count));
        top += count;
    }
    counts.insert(kOther, double(std::max<qint64>(0, profile.count - profile.missing - top)));
    return counts;
}

} // namespace driftbins
} // namespace kiln
