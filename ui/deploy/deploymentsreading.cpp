// The Deployments panel's reading: the workspace's targets and deployments (a snapshot read on
// a worker), each target's own status (a worker per target, polled while the panel is shown),
// and a DeploymentMonitor per active deployment with a metrics endpoint (traffic in the table,
// the charts and drift of the one shown, drift alerts of all).

#include "deploy/deploymentspanel_p.h"

#include "deploy/driftview.h"
#include "deploy/trafficcharts.h"
#include "tasks/feedback.h"

#include <QFrame>
#include <QLabel>
#include <QTableView>
#include <QtConcurrent>

namespace kiln {

void DeploymentsPanel::Private::load()
{
    if (m_root.isEmpty())
        return;
    if (m_loader) {
        m_loadAgain = true; // what changed since that read started is read next
        return;
    }
    m_loader = new QFutureWatcher<DeploymentsSnapshot>(q);
    const int generation = m_generation;
    QObject::connect(m_loader, &QFutureWatcher<DeploymentsSnapshot>::finished, q, [this, generation] {
        const DeploymentsSnapshot snapshot = m_loader->result();
        m_loader->deleteLater();
        m_loader = nullptr;
        if (generation == m_generation)
            applySnapshot(snapshot);
        if (m_loadAgain) {
            m_loadAgain = false;
            load();
        }
    });
    m_loader->setFuture(QtConcurrent::run(loadDeploymentsSnapshot, m_root));
}

void DeploymentsPanel::Private::applySnapshot(const DeploymentsSnapshot &snapshot)
{
    if (!snapshot.error.isEmpty() && snapshot.error != m_lastLoadError)
        Q_EMIT q->errorOccurred(DeploymentsPanel::tr("Deployments could not be read"), snapshot.error);
    m_lastLoadError = snapshot.error;
    m_snapshot = snapshot;
    m_loaded = true;

    m_selecting = true; // the resets below say nothing about what the user chose
    m_targets->setTargets(snapshot.targets);
    QList<DeploymentEntry> active;
    QStringList activeTargets;
    for (const TargetConfig &target : snapshot.targets) {
        if (const DeploymentEntry *entry = snapshot.active(target.name)) {
            active.append(*entry);
            activeTargets << target.name;
        }
    }
    m_deployments->setDeployments(active);
    m_selecting = false;
    stopMonitorsNotIn(activeTargets);
    // Columns fit their first rows once; after that they keep what the user (or the saved
    // layout) made of them.
    if (!m_tableSized && !active.isEmpty()) {
        m_tableSized = true;
        m_table->resizeColumnsToContents();
    }

    // The target shown stays; its history and deployment may have changed, so all is shown
    // again. One this read does not know yet (just added; a newer read is queued) stays too.
    if (m_targets->rowOf(m_current) < 0 && !(m_loadAgain && !m_current.isEmpty()))
        m_current = !activeTargets.isEmpty() ? activeTargets.constFirst() : m_targets->nameAt(0);
    selectInViews();
    updateDetail();
    updateActions();
    updateStack();
    pollStatuses(true);
    if (m_deployPending && !m_loadAgain) {
        m_deployPending = false;
        openDeployDialog(m_pendingRef, m_current);
    }
}

void DeploymentsPanel::Private::pollStatuses(bool again)
{
    if (!m_loaded)
        return;
    for (const TargetConfig &target : std::as_const(m_snapshot.targets))
        pollStatus(target, again);
}

void DeploymentsPanel::Private::pollStatus(const TargetConfig &target, bool again)
{
    if (m_statusWatchers.contains(target.name)) {
        // The last question is still out (a down host may take its timeout).
        if (again)
            m_statusAgain.insert(target.name);
        return;
    }
    auto feedback = std::make_shared<Feedback>();
    auto *watcher = new QFutureWatcher<TargetStatusReport>(q);
    m_statusWatchers.insert(target.name, watcher);
    m_statusFeedback.insert(target.name, feedback);
    const int generation = m_generation;
    const QString name = target.name;
    QObject::connect(watcher, &QFutureWatcher<TargetStatusReport>::finished, q, [this, watcher, name, generation] {
        watcher->deleteLater();
        if (m_statusWatchers.value(name) == watcher) {
            m_statusWatchers.remove(name);
            m_statusFeedback.remove(name);
        }
        if (generation != m_generation)
            return;
        applyStatus(watcher->result());
        if (m_statusAgain.remove(name)) {
            if (const TargetConfig *config = m_snapshot.target(name))
                pollStatus(*config, false);
        }
    });
    // The worker holds copies of what it needs: the panel may be gone when it ends.
    const CredentialStore credentials = m_credentials;
    watcher->setFuture(QtConcurrent::run(
        [target, credentials, feedback] { return readTargetStatus(target, credentials, *feedback); }));
}

void DeploymentsPanel::Private::applyStatus(const TargetStatusReport &report)
{
    const TargetStatus &status = report.status;
    m_targets->setStatus(report.target, status);
    m_deployments->setStatus(report.target, status);
    const DeploymentEntry *entry = m_snapshot.active(report.target);
    if (entry && !status.metricsUrl.isEmpty())
        ensureMonitor(report.target, *entry, status.metricsUrl, report.token);
    else if (!entry)
        stopMonitor(report.target);
    if (report.target == m_current) {
        updateTraffic();
        updateActions();
    }
}

void DeploymentsPanel::Private::cancelWork()
{
    for (const std::shared_ptr<Feedback> &feedback : std::as_const(m_statusFeedback))
        feedback->cancel();
    for (QFutureWatcher<TargetStatusReport> *watcher : std::as_const(m_statusWatchers)) {
        watcher->disconnect(q);
        watcher->deleteLater();
    }
    m_statusWatchers.clear();
    m_statusFeedback.clear();
    m_statusAgain.clear();
    if (m_loader) {
        m_loader->disconnect(q);
        m_loader->deleteLater();
        m_loader = nullptr;
    }
    m_loadAgain = false;
    stopMonitorsNotIn({});
}

void DeploymentsPanel::Private::ensureMonitor(const QString &target, const DeploymentEntry &entry,
                                              const QString &metricsUrl, const QByteArray &token)
{
    auto it = m_monitors.find(target);
    if (it != m_monitors.end() && it->deploymentId == entry.record.id && it->url == metricsUrl)
        return;
    if (it == m_monitors.end()) {
        Monitor monitor;
        monitor.monitor = new DeploymentMonitor(q);
        monitor.monitor->setObjectName(QStringLiteral("deploymentMonitor_") + target);
        monitor.monitor->setThresholds(m_thresholds);
        QObject::connect(monitor.monitor, &DeploymentMonitor::sampled, q,
                         [this, target](const DeploymentMonitor::Sample &sample) { onSampled(target, sample); });
        QObject::connect(
            monitor.monitor, &DeploymentMonitor::driftAlert, q,
            [this, target](const QString &feature, double psi, double ks) { onDriftAlert(target, feature, psi, ks); });
        it = m_monitors.insert(target, monitor);
    }
    it->deploymentId = entry.record.id;
    it->url = metricsUrl;
    it->monitor->start(QUrl(metricsUrl), entry.profile, token);
    if (target == m_current)
        updateTraffic();
}

void DeploymentsPanel::Private::stopMonitor(const QString &target)
{
    const auto it = m_monitors.find(target);
    if (it == m_monitors.end())
        return;
    it->monitor->stop();
    it->monitor->deleteLater();
    m_monitors.erase(it);
    if (target == m_current)
        updateTraffic();
}

void DeploymentsPanel::Private::stopMonitorsNotIn(const QStringList &activeTargets)
{
    const QStringList monitored = m_monitors.keys();
    for (const QString &target : monitored) {
        const DeploymentEntry *entry = m_snapshot.active(target);
        if (!activeTargets.contains(target) || !entry || entry->record.id != m_monitors.value(target).deploymentId)
            stopMonitor(target);
    }
}

void DeploymentsPanel::Private::onSampled(const QString &target, const DeploymentMonitor::Sample &sample)
{
    m_deployments->setTraffic(target, sample.traffic);
    if (target != m_current)
        return;
    m_traffic->addSample(sample);
    m_drift->addSample(sample);
}

void DeploymentsPanel::Private::onDriftAlert(const QString &target, const QString &feature, double psi, double ks)
{
    const DeploymentEntry *entry = m_snapshot.active(target);
    const QString deployment = entry ? QStringLiteral("%1 on %2").arg(entry->ref(), target) : target;
    const QString text = DeploymentsPanel::tr("Drift in %1: the live inputs of “%2” moved away from the training "
                                              "data (PSI %3, KS %4; alert from PSI %5).")
                             .arg(deployment, feature)
                             .arg(psi, 0, 'f', 2)
                             .arg(ks, 0, 'f', 2)
                             .arg(m_thresholds.psi, 0, 'f', 2);
    m_bannerTarget = target;
    m_bannerText->setText(text);
    m_banner->show();
    notifyDesktop(DeploymentsPanel::tr("Drift in %1").arg(deployment), text);
}

} // namespace kiln
