// The Deployments panel's actions: Add Target… and Remove Target… (with their dialog and
// question), Deploy… (dialog, then a DeployTask), Roll Back and Undeploy… (a question, then a
// TargetActionTask), the context menus, and desktop notifications.

#include "deploy/deploymentspanel_p.h"

#include "deploy/deploydialogs.h"
#include "deploy/deployer.h"
#include "deploy/targetstore.h"
#include "icons.h"
#include "tasks/taskmanager.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSystemTrayIcon>
#include <QTableView>

namespace kiln {

namespace {

constexpr int kNotificationMs = 10000;

/// A question with Yes relabelled `yesText` and No as the default, to open().
QMessageBox *newQuestion(const QString &objectName, const QString &title, const QString &text,
                         const QString &informative, const QString &yesText, QWidget *parent)
{
    auto *box = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::Yes | QMessageBox::No, parent);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(informative);
    box->button(QMessageBox::Yes)->setText(yesText);
    box->setDefaultButton(QMessageBox::No);
    return box;
}

/// Runs `onYes` once `box` is answered Yes.
template<typename Function>
void onYes(QMessageBox *box, QObject *context, Function onYes)
{
    QObject::connect(box, &QMessageBox::finished, context, [box, onYes] {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            onYes();
    });
    box->open();
}

} // namespace

QWidget *DeploymentsPanel::Private::dialogParent() const
{
    return q->window();
}

bool DeploymentsPanel::Private::isBusy(const QString &target) const
{
    const QPointer<Task> task = m_busy.value(target);
    return task && !task->isFinished();
}

void DeploymentsPanel::Private::updateActions()
{
    const bool busy = isBusy(m_current);
    const bool active = m_snapshot.active(m_current) != nullptr;
    m_addTarget->setEnabled(m_workspace != nullptr);
    m_removeTarget->setEnabled(m_workspace && !m_current.isEmpty() && !busy);
    m_deploy->setEnabled(m_workspace != nullptr);
    m_rollback->setEnabled(active && !busy && !rollbackVersion(m_current).isEmpty());
    m_undeploy->setEnabled(active && !busy);
    m_refresh->setEnabled(m_workspace != nullptr);
}

QString DeploymentsPanel::Private::rollbackVersion(const QString &target) const
{
    const DeploymentEntry *active = m_snapshot.active(target);
    if (!active)
        return {};
    // The target's own word first: it is what rollback returns to.
    if (const TargetStatus *status = m_targets->status(target); status && status->reachable) {
        if (status->previousModel.isEmpty())
            return {};
        return status->previousModel + u'@' + QString::number(status->previousVersion);
    }
    // Not asked yet or not reachable: the version this workspace replaced last.
    const QList<DeploymentEntry> history = m_snapshot.history(target);
    for (const DeploymentEntry &entry : history) {
        if (entry.record.status == QLatin1String("replaced") && entry.ref() != active->ref())
            return entry.ref();
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Targets

void DeploymentsPanel::Private::openAddTargetDialog(bool deployAfterwards)
{
    Workspace *workspace = m_workspace;
    if (!workspace)
        return;
    auto *dialog = new AddTargetDialog(
        m_snapshot.targets,
        [this, workspace](const TargetConfig &config, const QByteArray &secret) -> Status {
            if (m_workspace != workspace)
                return Error {DeploymentsPanel::tr("The workspace was closed.")};
            return TargetStore(*workspace).add(config, secret, m_credentials);
        },
        dialogParent());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (deployAfterwards)
        dialog->setWindowTitle(DeploymentsPanel::tr("Add a Target to Deploy To"));
    QObject::connect(dialog, &QDialog::accepted, q, [this, dialog, deployAfterwards] {
        m_current = dialog->added().name;
        m_deployPending = deployAfterwards;
        q->refresh();
    });
    QObject::connect(dialog, &QDialog::rejected, q, [this] { m_deployPending = false; });
    dialog->open();
}

void DeploymentsPanel::Private::confirmRemoveTarget()
{
    const QString name = m_current;
    if (!m_workspace || name.isEmpty())
        return;
    if (const DeploymentEntry *active = m_snapshot.active(name)) {
        Q_EMIT q->errorOccurred(DeploymentsPanel::tr("%1 cannot be removed").arg(name),
                                DeploymentsPanel::tr("'%1' serves %2: undeploy it first.").arg(name, active->ref()));
        return;
    }
    QMessageBox *box = newQuestion(
        QStringLiteral("removeTargetQuestion"), DeploymentsPanel::tr("Remove Target"),
        DeploymentsPanel::tr("Remove the target %1?").arg(name),
        DeploymentsPanel::tr("Its settings and stored secret are removed; its deployment history stays in the "
                             "workspace. Nothing changes on the target itself."),
        DeploymentsPanel::tr("Remove"), dialogParent());
    onYes(box, q, [this, name] { removeTarget(name); });
}

void DeploymentsPanel::Private::removeTarget(const QString &name)
{
    if (!m_workspace)
        return;
    // TargetStore keeps the secret while another target names the same place.
    if (const Status removed = TargetStore(*m_workspace).remove(name, m_credentials); !removed)
        Q_EMIT q->errorOccurred(DeploymentsPanel::tr("%1 was not removed").arg(name), removed.errorMessage());
    else if (m_current == name)
        m_current.clear();
    q->refresh();
}

// ---------------------------------------------------------------------------------------------
// Deploy, roll back, undeploy

void DeploymentsPanel::Private::openDeployDialog(const QString &modelRef, const QString &target)
{
    if (!m_workspace)
        return;
    if (!m_loaded || m_loader) {
        // Asked while a read runs (the Models panel's Deploy… right after a switch, or right
        // after a target was added): the dialog offers what that read finds.
        m_deployPending = true;
        m_pendingRef = modelRef;
        return;
    }
    if (m_snapshot.targets.isEmpty()) {
        m_pendingRef = modelRef;
        openAddTargetDialog(true);
        return;
    }
    DeployDialog::Choices choices;
    choices.models = m_snapshot.models;
    choices.targets = m_snapshot.targets;
    for (const TargetConfig &config : std::as_const(m_snapshot.targets)) {
        if (const DeploymentEntry *active = m_snapshot.active(config.name))
            choices.serving.insert(config.name, active->ref());
    }
    auto *dialog = new DeployDialog(choices, modelRef, target, dialogParent());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &QDialog::accepted, q,
                     [this, dialog] { startDeploy(dialog->modelRef(), dialog->targetName()); });
    dialog->open();
}

void DeploymentsPanel::Private::startDeploy(const QString &modelRef, const QString &target)
{
    if (!m_workspace || modelRef.isEmpty() || target.isEmpty())
        return;
    if (isBusy(target)) {
        Q_EMIT q->errorOccurred(DeploymentsPanel::tr("%1 was not deployed").arg(modelRef),
                                DeploymentsPanel::tr("'%1' is busy with another deployment; wait for it to end (the "
                                                     "status bar shows it and can cancel it).")
                                    .arg(target));
        return;
    }
    auto *task = new DeployTask(m_root, modelRef, target);
    task->setObjectName(QStringLiteral("deployTask"));
    const QString what = DeploymentsPanel::tr("%1 was not deployed to %2").arg(modelRef, target);
    QObject::connect(task, &Task::finished, q, [this, task, target, what] { taskEnded(task, target, what); });
    m_busy.insert(target, task);
    m_current = target;
    m_tasks->start(task);
    selectInViews();
    updateDetail();
    updateActions();
}

void DeploymentsPanel::Private::confirmRollback()
{
    const QString target = m_current;
    const DeploymentEntry *active = m_snapshot.active(target);
    const QString previous = rollbackVersion(target);
    if (!active || previous.isEmpty() || isBusy(target))
        return;
    QMessageBox *box
        = newQuestion(QStringLiteral("rollbackQuestion"), DeploymentsPanel::tr("Roll Back"),
                      DeploymentsPanel::tr("Roll %1 back from %2 to %3?").arg(target, active->ref(), previous),
                      DeploymentsPanel::tr("%1 switches back in one step, without dropping requests; %2 stays in "
                                           "the history and can be deployed again.")
                          .arg(target, active->ref()),
                      DeploymentsPanel::tr("Roll Back"), dialogParent());
    onYes(box, q, [this, target] { startTargetAction(target, int(TargetActionTask::Action::Rollback)); });
}

void DeploymentsPanel::Private::confirmUndeploy()
{
    const QString target = m_current;
    const DeploymentEntry *active = m_snapshot.active(target);
    if (!active || isBusy(target))
        return;
    QMessageBox *box = newQuestion(
        QStringLiteral("undeployQuestion"), DeploymentsPanel::tr("Undeploy"),
        DeploymentsPanel::tr("Undeploy %1 from %2?").arg(active->ref(), target),
        DeploymentsPanel::tr("%1 stops serving it: requests are refused until the next deployment.").arg(target),
        DeploymentsPanel::tr("Undeploy"), dialogParent());
    onYes(box, q, [this, target] { startTargetAction(target, int(TargetActionTask::Action::Undeploy)); });
}

void DeploymentsPanel::Private::startTargetAction(const QString &target, int action)
{
    if (!m_workspace || isBusy(target))
        return;
    const auto which = TargetActionTask::Action(action);
    auto *task = new TargetActionTask(m_root, target, which);
    const bool rollback = which == TargetActionTask::Action::Rollback;
    task->setObjectName(rollback ? QStringLiteral("rollbackTask") : QStringLiteral("undeployTask"));
    const QString what = rollback ? DeploymentsPanel::tr("%1 was not rolled back").arg(target)
                                  : DeploymentsPanel::tr("%1 was not undeployed").arg(target);
    QObject::connect(task, &Task::finished, q, [this, task, target, what] { taskEnded(task, target, what); });
    m_busy.insert(target, task);
    m_tasks->start(task);
    updateActions();
}

void DeploymentsPanel::Private::taskEnded(Task *task, const QString &target, const QString &what)
{
    if (m_busy.value(target) == task)
        m_busy.remove(target);
    if (task->state() == Task::State::Failed)
        Q_EMIT q->errorOccurred(what, task->message());
    // Every outcome is recorded (a failed or cancelled push too): read it back.
    q->refresh();
    updateActions();
    if (task->state() != Task::State::Cancelled)
        Q_EMIT q->deploymentsChanged();
}

// ---------------------------------------------------------------------------------------------
// Menus and notifications

void DeploymentsPanel::Private::showTargetMenu(const QPoint &position)
{
    const QModelIndex index = m_targetList->indexAt(position);
    if (!index.isValid())
        return;
    setCurrent(index.data(TargetListModel::NameRole).toString());
    auto *menu = new QMenu(q);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(m_deploy);
    menu->addAction(m_rollback);
    menu->addAction(m_undeploy);
    menu->addSeparator();
    menu->addAction(m_removeTarget);
    menu->popup(m_targetList->viewport()->mapToGlobal(position));
}

void DeploymentsPanel::Private::showDeploymentMenu(const QPoint &position)
{
    const QModelIndex index = m_table->indexAt(position);
    if (!index.isValid())
        return;
    const QString target = index.data(DeploymentTableModel::TargetRole).toString();
    setCurrent(target);
    auto *menu = new QMenu(q);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(m_deploy);
    menu->addAction(m_rollback);
    menu->addAction(m_undeploy);
    if (const DeploymentEntry *entry = m_deployments->deployment(target)) {
        menu->addSeparator();
        const QString model = entry->modelName;
        const int version = entry->version;
        menu->addAction(DeploymentsPanel::tr("Show %1 in Models").arg(entry->ref()), q,
                        [this, model, version] { Q_EMIT q->modelVersionActivated(model, version); });
    }
    menu->popup(m_table->viewport()->mapToGlobal(position));
}

void DeploymentsPanel::Private::notifyDesktop(const QString &title, const QString &message)
{
    // Offscreen and on desktops without a tray the banner is the alert.
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(icons::app(), q);
        m_tray->setToolTip(DeploymentsPanel::tr("Kiln deployments"));
        QObject::connect(m_tray, &QSystemTrayIcon::messageClicked, q, [this] {
            q->window()->raise();
            q->window()->activateWindow();
            q->selectTarget(m_bannerTarget);
        });
        m_tray->show();
    }
    m_tray->showMessage(title, message, QSystemTrayIcon::Warning, kNotificationMs);
}

} // namespace kiln
