#pragma once

// What deploymentspanel.cpp (layout, reading, monitoring) and deploymentsactions.cpp (the
// actions, their dialogs and tasks) share. Not part of Kiln's API.

#include "deploy/credentialstore.h"
#include "deploy/deploymentmodels.h"
#include "deploy/deploymentsdata.h"
#include "deploy/deploymentspanel.h"
#include "monitoring/deploymentmonitor.h"

#include <QFutureWatcher>
#include <QHash>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>

#include <memory>

class QFrame;
class QLabel;
class QListView;
class QPushButton;
class QSortFilterProxyModel;
class QSplitter;
class QStackedWidget;
class QSystemTrayIcon;
class QTabWidget;
class QTableView;
class QToolBar;

namespace kiln {

class DriftView;
class EmptyStateWidget;
class Feedback;
class Task;
class TaskManager;
class TextTableModel;
class TrafficCharts;
class Workspace;

class DeploymentsPanel::Private
{
public:
    Private(DeploymentsPanel *panel, TaskManager *tasks, CredentialStore *credentials);

    // deploymentspanel.cpp: layout
    void createActions();
    QWidget *createEmptyPage();
    QWidget *createMainPage();
    QWidget *createBanner();
    QWidget *createTargetsPane();
    QWidget *createDeploymentsPane();
    QWidget *createDetailTabs();
    void restoreLayout();
    void saveLayout() const;

    // deploymentspanel.cpp: reading and monitoring
    void load();
    void applySnapshot(const DeploymentsSnapshot &snapshot);
    /// Asks every target; `again`: a target whose answer is still out is asked once more
    /// when it comes (it may predate a change).
    void pollStatuses(bool again = false);
    void pollStatus(const TargetConfig &target, bool again);
    void applyStatus(const TargetStatusReport &report);
    void cancelWork();
    void ensureMonitor(const QString &target, const DeploymentEntry &entry, const QString &metricsUrl,
                       const QByteArray &token);
    void stopMonitor(const QString &target);
    void stopMonitorsNotIn(const QStringList &activeTargets);
    void onSampled(const QString &target, const DeploymentMonitor::Sample &sample);
    void onDriftAlert(const QString &target, const QString &feature, double psi, double ks);

    // deploymentspanel.cpp: selection and what the panel shows for it
    void setCurrent(const QString &target);
    void selectInViews();
    void updateDetail();
    void updateHistory();
    void updateTraffic();
    void updateStack();
    void updateActions();

    // deploymentsactions.cpp
    void openAddTargetDialog(bool deployAfterwards);
    void confirmRemoveTarget();
    void removeTarget(const QString &name);
    void openDeployDialog(const QString &modelRef, const QString &target);
    void startDeploy(const QString &modelRef, const QString &target);
    void confirmRollback();
    void confirmUndeploy();
    void startTargetAction(const QString &target, int action);
    void taskEnded(Task *task, const QString &target, const QString &what);
    /// The version `target` goes back to on rollback ("loans-risk@1"), or empty.
    QString rollbackVersion(const QString &target) const;
    bool isBusy(const QString &target) const;
    QWidget *dialogParent() const;
    void showTargetMenu(const QPoint &position);
    void showDeploymentMenu(const QPoint &position);
    void notifyDesktop(const QString &title, const QString &message);

    struct Monitor
    {
        DeploymentMonitor *monitor = nullptr;
        qint64 deploymentId = 0;
        QString url;
    };

    DeploymentsPanel *q;
    TaskManager *m_tasks;
    CredentialStore m_credentials;
    Workspace *m_workspace = nullptr;
    QString m_root;
    int m_generation = 0; ///< which workspace a worker's answer belongs to
    DeploymentsSnapshot m_snapshot;
    bool m_loaded = false;
    bool m_loadAgain = false;
    QString m_lastLoadError;
    QFutureWatcher<DeploymentsSnapshot> *m_loader = nullptr;
    QHash<QString, QFutureWatcher<TargetStatusReport> *> m_statusWatchers;
    QHash<QString, std::shared_ptr<Feedback>> m_statusFeedback;
    QSet<QString> m_statusAgain;
    QHash<QString, Monitor> m_monitors;
    QHash<QString, QPointer<Task>> m_busy; ///< target → the push, rollback or undeploy running
    QTimer m_statusTimer;
    QString m_current; ///< the target shown
    bool m_selecting = false;
    bool m_layoutRestored = false;
    bool m_tableSized = false; ///< the deployments table's columns were fitted or restored
    bool m_deployPending = false; ///< open Deploy once the snapshot is read
    QString m_pendingRef;
    DriftThresholds m_thresholds;

    TargetListModel *m_targets = nullptr;
    DeploymentTableModel *m_deployments = nullptr;
    QSortFilterProxyModel *m_sortedDeployments = nullptr;
    TextTableModel *m_history = nullptr;

    QToolBar *m_toolBar = nullptr;
    QFrame *m_banner = nullptr;
    QLabel *m_bannerText = nullptr;
    QString m_bannerTarget;
    QStackedWidget *m_stack = nullptr;
    EmptyStateWidget *m_empty = nullptr;
    QPushButton *m_emptyAddButton = nullptr;
    QSplitter *m_splitter = nullptr;
    QSplitter *m_centreSplitter = nullptr;
    QListView *m_targetList = nullptr;
    QStackedWidget *m_tableStack = nullptr;
    QLabel *m_tableNote = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_detailTitle = nullptr;
    QTabWidget *m_tabs = nullptr;
    TrafficCharts *m_traffic = nullptr;
    DriftView *m_drift = nullptr;
    QTableView *m_historyView = nullptr;
    QPointer<QSystemTrayIcon> m_tray;

    QAction *m_addTarget = nullptr;
    QAction *m_removeTarget = nullptr;
    QAction *m_deploy = nullptr;
    QAction *m_rollback = nullptr;
    QAction *m_undeploy = nullptr;
    QAction *m_refresh = nullptr;
};

} // namespace kiln
