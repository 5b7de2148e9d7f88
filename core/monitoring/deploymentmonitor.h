#pragma once

#include "data/columnprofile.h"
#include "monitoring/drift.h"
#include "monitoring/metricssnapshot.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <deque>

class QNetworkAccessManager;
class QNetworkReply;

namespace kiln {

/// Polls one agent's /metrics on the thread it lives on (asynchronous QNetworkAccessManager:
/// safe on the GUI thread) and turns each scrape into traffic and drift samples.
/// Drift is computed over a sliding window (the scrapes of the last `driftWindowSeconds`).
class DeploymentMonitor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeploymentMonitor)

public:
    struct Sample
    {
        MetricsSnapshot snapshot;
        TrafficSample traffic;
        DriftReport drift;
    };

    explicit DeploymentMonitor(QObject *parent = nullptr);
    ~DeploymentMonitor() override;

    /// Starts polling `metricsUrl` every `intervalMs` (bearer `token` if not empty); `profile`
    /// is the deployed version's training profile. Calling it again restarts with new values.
    void start(const QUrl &metricsUrl, const QList<ColumnProfile> &profile, const QByteArray &token = {},
               int intervalMs = 2000);
    void stop();
    bool isRunning() const;
    void setThresholds(const DriftThresholds &thresholds);
    void setDriftWindowSeconds(int seconds);
    /// Every sample since start(), oldest first (at most a few hours' worth is kept).
    const std::deque<Sample> &samples() const { return m_samples; }

Q_SIGNALS:
    void sampled(const kiln::DeploymentMonitor::Sample &sample);
    /// A scrape failed ("connection refused", "HTTP 401"); polling goes on.
    void unreachable(const QString &reason);
    /// Emitted when a feature crosses into drift (once per crossing, not every scrape).
    void driftAlert(const QString &feature, double psi, double ks);

private:
    void poll();
    void handleReply(QNetworkReply *reply);

    QNetworkAccessManager *m_network = nullptr;
    QTimer m_timer;
    QUrl m_url;
    QByteArray m_token;
    QList<ColumnProfile> m_profile;
    DriftThresholds m_thresholds;
    int m_windowSeconds = 60;
    std::deque<Sample> m_samples;
    QStringList m_drifted;
    QNetworkReply *m_pending = nullptr;
};

} // namespace kiln
