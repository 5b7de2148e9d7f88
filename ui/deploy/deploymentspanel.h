#pragma once

#include <QWidget>

#include <memory>

class QAction;

namespace kiln {

class CredentialStore;
class TaskManager;
class Workspace;

/// The Deployments panel: targets (add, remove), deployments (target, model version, health,
/// request rate, p50/p99 latency), live traffic charts polled from the selected target's
/// /metrics (DeploymentMonitor), the drift view (DriftView), the deployment history, and the
/// actions Deploy… (a model version to a target, with progress and cancel), Roll Back (one
/// action, confirmation names both versions) and Undeploy (confirmation). Drift alerts show
/// in the panel and as a desktop notification where a system tray exists.
class DeploymentsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeploymentsPanel)

public:
    /// `credentials` may be null: the default CredentialStore is used.
    explicit DeploymentsPanel(TaskManager *tasks, CredentialStore *credentials = nullptr, QWidget *parent = nullptr);
    ~DeploymentsPanel() override;

    /// The workspace whose targets and deployments are shown (null: none); never owned.
    void setWorkspace(Workspace *workspace);
    /// Re-reads targets and deployments, keeping the selection.
    void refresh();
    /// Opens the Deploy dialog with `modelRef` ("churn@3") chosen (Models panel's Deploy…).
    void deployVersion(const QString &modelRef);

    /// Shows `target` (its deployment, charts, drift and history); false when there is none.
    bool selectTarget(const QString &target);
    QString currentTarget() const;

    QAction *addTargetAction() const;
    QAction *removeTargetAction() const;
    QAction *deployAction() const;
    QAction *rollbackAction() const;
    QAction *undeployAction() const;
    /// Re-reads everything (F5 in the panel; the main window's View › Refresh calls refresh()).
    QAction *refreshAction() const;

Q_SIGNALS:
    void errorOccurred(const QString &title, const QString &message);
    /// A deployment, rollback or undeploy finished: the Models panel refreshes its lineage.
    void deploymentsChanged();
    void modelVersionActivated(const QString &modelName, int version);

protected:
    /// Restores the splitters once the panel has its size; polls the targets while shown.
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace kiln
