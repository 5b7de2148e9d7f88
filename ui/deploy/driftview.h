#pragma once

#include "monitoring/deploymentmonitor.h"

#include <QWidget>

#include <memory>

namespace kiln {

/// Drift of a deployment's live inputs against its training profile: a table of features
/// (PSI, KS, live rows, drifted ones marked), a chart of PSI over time for the selected
/// features (one line each, the threshold drawn), and the prediction distribution over time
/// (the window's share per class or bin, as stacked areas or lines). Fed with the monitor's
/// samples; draws every sample it was given.
class DriftView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DriftView)

public:
    explicit DriftView(QWidget *parent = nullptr);
    ~DriftView() override;

    void setThresholds(const DriftThresholds &thresholds);
    /// Replaces everything with `samples` (a deployment was selected).
    void setSamples(const std::deque<DeploymentMonitor::Sample> &samples);
    /// Appends one sample (the monitor's sampled()).
    void addSample(const DeploymentMonitor::Sample &sample);
    void clear();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace kiln
