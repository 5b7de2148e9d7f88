#pragma once

#include "data/columnprofile.h"
#include "monitoring/metricssnapshot.h"

#include <QList>
#include <QString>

namespace kiln {

struct DriftThresholds
{
    double psi = 0.2; ///< population stability index above which a feature has drifted
    double ks = 0.2; ///< Kolmogorov-Smirnov statistic (over the binned distributions)
    double minRows = 50; ///< fewer live rows in the window: no verdict
};

struct FeatureDrift
{
    QString feature;
    double psi = 0;
    double ks = 0; ///< numeric features only (0 for categorical)
    double liveRows = 0;
    bool drifted = false; ///< psi or ks past its threshold, with enough rows
};

/// Drift of the live inputs in a window (the bins of `to` minus those of `from`; `from` may be
/// empty: since the model was loaded) against the training profile carried in the bundle.
/// PSI = Σ (live% − train%) · ln(live% / train%) over the profile's bins (with under/over and
/// missing), each proportion floored at 1e-4; KS = max |CDF_live − CDF_train| over the ordered
/// bins of numeric features. Also the predicted distribution in the window.
struct DriftReport
{
    QList<FeatureDrift> features; ///< in profile order; features the model does not take are left out
    double liveRows = 0;
    QHash<QString, double> predictionBins; ///< window counts
    bool anyDrift() const;
};
DriftReport computeDrift(const QList<ColumnProfile> &profile, const MetricsSnapshot &from, const MetricsSnapshot &to,
                         const DriftThresholds &thresholds = {});

/// The binning rules kiln-serve's InputStats counts live values with and computeDrift reads
/// the training profile with, kept in one place so that both always agree.
namespace driftbins {

/// Boolean, integer, float and date-time columns are binned by value; the rest by category.
bool isNumeric(ColumnType type);
/// The bins of a numeric column: its profile's histogram; for a boolean column (whose profile
/// has none) two bins, false (0) and true (1), counted from the profile's mean.
Histogram histogramOf(const ColumnProfile &profile);
/// Equal-width bins over [lower, upper], as the profile's histogram cut them.
struct NumericBins
{
    double lower = 0;
    double upper = 0;
    double scale = 0; ///< bins per unit
    int count = 0;

    NumericBins() = default;
    explicit NumericBins(const Histogram &histogram);
    /// The bin `value` falls in: 0..count-1 within [lower, upper] (upper itself in the last
    /// bin), -1 below, count above. Not NaN (a missing value).
    int of(double value) const
    {
        if (value < lower)
            return -1;
        if (value > upper)
            return count;
        const int bin = int((value - lower) * scale);
        return bin < count ? bin : count - 1;
    }
};
/// The training data's count per bin label, as kiln_feature_bin_total labels them: numeric
/// "0".."n-1", "under", "over"; categorical each top value and "__other__"; both "__missing__".
QHash<QString, double> trainingCounts(const ColumnProfile &profile);

} // namespace driftbins

} // namespace kiln
