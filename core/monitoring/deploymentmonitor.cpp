// Polls a kiln-serve agent's /metrics without blocking and turns scrapes into traffic and
// drift samples.
#include "monitoring/deploymentmonitor.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>
#include <utility>

namespace kiln {

namespace {

/// About three hours of two-second scrapes.
constexpr std::size_t kMaxSamples = 5000;
constexpr int kMinTimeoutMs = 5000;

} // namespace

DeploymentMonitor::DeploymentMonitor(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    connect(&m_timer, &QTimer::timeout, this, &DeploymentMonitor::poll);
}

DeploymentMonitor::~DeploymentMonitor()
{
    stop();
}

void DeploymentMonitor::start(const QUrl &metricsUrl, const QList<ColumnProfile> &profile, const QByteArray &token,
                              int intervalMs)
{
    stop();
    m_url = metricsUrl;
    m_profile = profile;
    m_token = token;
    m_samples.clear();
    m_drifted.clear();
    m_timer.start(std::max(10, intervalMs));
    poll();
}

void DeploymentMonitor::stop()
{
    m_timer.stop();
    if (QNetworkReply *reply = std::exchange(m_pending, nullptr)) {
        reply->abort();
        reply->deleteLater();
    }
}

bool DeploymentMonitor::isRunning() const
{
    return m_timer.isActive();
}

void DeploymentMonitor::setThresholds(const DriftThresholds &thresholds)
{
    m_thresholds = thresholds;
}

void DeploymentMonitor::setDriftWindowSeconds(int seconds)
{
    m_windowSeconds = std::max(1, seconds);
}

void DeploymentMonitor::poll()
{
    if (m_pending)
        return; // one scrape at a time: a slow agent is not asked twice
    QNetworkRequest request(m_url);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setTransferTimeout(std::max(kMinTimeoutMs, m_timer.interval()));
    QNetworkReply *reply = m_network->get(request);
    m_pending = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { handleReply(reply); });
}

void DeploymentMonitor::handleReply(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_pending)
        return; // stopped or restarted meanwhile
    m_pending = nullptr;

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400) {
        const QString phrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        Q_EMIT unreachable(phrase.isEmpty() ? QStringLiteral("HTTP %1").arg(status)
                                            : QStringLiteral("HTTP %1 %2").arg(status).arg(phrase));
        return;
    }
    if (reply->error() != QNetworkReply::NoError) {
        Q_EMIT unreachable(reply->error() == QNetworkReply::OperationCanceledError
                               ? QStringLiteral("no answer from %1 in time").arg(m_url.toDisplayString())
                               : reply->errorString());
        return;
    }
    Expected<MetricsSnapshot> snapshot = MetricsSnapshot::parse(reply->readAll());
    if (!snapshot) {
        Q_EMIT unreachable(
            QStringLiteral("%1 is not kiln-serve metrics: %2").arg(m_url.toDisplayString(), snapshot.errorMessage()));
        return;
    }
    snapshot->at = QDateTime::currentDateTimeUtc();

    Sample sample;
    sample.traffic = trafficBetween(m_samples.empty() ? MetricsSnapshot() : m_samples.back().snapshot, *snapshot);
    // The window starts at its oldest scrape of the same model (at least the previous one);
    // without one, at the model's load.
    const QDateTime windowStart = snapshot->at.addSecs(-m_windowSeconds);
    const MetricsSnapshot *base = nullptr;
    for (auto it = m_samples.rbegin(); it != m_samples.rend() && it->snapshot.sameModel(*snapshot); ++it) {
        if (base && it->snapshot.at < windowStart)
            break;
        base = &it->snapshot;
    }
    sample.drift = computeDrift(m_profile, base ? *base : MetricsSnapshot(), *snapshot, m_thresholds);
    sample.snapshot = std::move(*snapshot);

    // Only the window needs bins: older scrapes keep their totals and their reports.
    for (auto it = m_samples.rbegin(); it != m_samples.rend(); ++it) {
        if (it->snapshot.at >= windowStart)
            continue;
        if (it->snapshot.featureBins.isEmpty() && it->snapshot.predictionBins.isEmpty())
            break;
        it->snapshot.featureBins.clear();
        it->snapshot.predictionBins.clear();
    }
    m_samples.push_back(std::move(sample));
    while (m_samples.size() > kMaxSamples)
        m_samples.pop_front();

    // A copy: a receiver of sampled() may restart the monitor, which clears the samples.
    const QList<FeatureDrift> features = m_samples.back().drift.features;
    Q_EMIT sampled(m_samples.back());
    for (const FeatureDrift &feature : features) {
        if (feature.drifted && !m_drifted.contains(feature.feature)) {
            m_drifted.append(feature.feature);
            Q_EMIT driftAlert(feature.feature, feature.psi, feature.ks);
        } else if (!feature.drifted && feature.liveRows >= m_thresholds.minRows) {
            m_drifted.removeAll(feature.feature); // back within bounds, with enough rows to say so
        }
    }
}

} // namespace kiln
