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

} // namespace kiln
