// The main window's workspaces: switching, File › New/Open Workspace, Open Team Store, the
// recent list and Help › Open Demo Workspace.

#include "mainwindow.h"

#include "datapanel.h"
#include "demo/demoworkspace.h"
#include "deploy/deploymentspanel.h"
#include "experimentspanel.h"
#include "modelspanel.h"
#include "recentworkspaces.h"
#include "runcontroller.h"
#include "storage/database.h"
#include "tasks/task.h"
#include "tasks/taskmanager.h"
#include "teamstoredialog.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QStatusBar>

namespace kiln {

namespace {

/// Builds the demo workspace on a worker: real import, real training.
class DemoWorkspaceTask final : public Task
{
public:
    explicit DemoWorkspaceTask(QString folder)
        : Task(QObject::tr("Build the demo workspace"))
        , m_folder(std::move(folder))
    { }

protected:
    Status run(Feedback &feedback) override { return buildDemoWorkspace(m_folder, feedback); }

private:
    QString m_folder;
};

} // namespace

void MainWindow::setWorkspace(std::unique_ptr<Workspace> workspace)
{
    m_dataPanel->setWorkspace(nullptr);
    m_experimentsPanel->setWorkspace(nullptr);
    m_modelsPanel->setWorkspace(nullptr);
    m_deploymentsPanel->setWorkspace(nullptr);
    m_runs->setWorkspace(nullptr);
    m_workspace = std::move(workspace);
    m_dataPanel->setWorkspace(m_workspace.get());
    // The scheduler first: starting it marks the runs a dead process left running as
    // interrupted, which the panel then reads.
    m_runs->setWorkspace(m_workspace.get());
    m_experimentsPanel->setWorkspace(m_workspace.get());
    m_modelsPanel->setWorkspace(m_workspace.get());
    m_deploymentsPanel->setWorkspace(m_workspace.get());
    if (!m_workspace) {
        setWindowTitle(tr("Kiln"));
        m_workspaceLabel->clear();
        return;
    }
    if (m_workspace->isTeamStore()) {
        // Known by its URL (never its password); break opportunities let it wrap in the sidebar.
        const QString url = Database::displayUrl(m_workspace->location());
        QString wrapped = url.toHtmlEscaped();
        for (const QString &mark : {QStringLiteral("/"), QStringLiteral("@"), QStringLiteral(":")})
            wrapped.replace(mark, mark + QChar(0x200b));
        setWindowTitle(tr("%1 — Kiln").arg(url));
        m_workspaceLabel->setText(tr("Team store<br><b>%1</b>").arg(wrapped));
        m_workspaceLabel->setToolTip(tr("%1\nBlob folder: %2").arg(url, QDir::toNativeSeparators(m_workspace->root())));
    } else {
        setWindowTitle(tr("%1 — Kiln").arg(m_workspace->name()));
        m_workspaceLabel->setText(tr("Workspace<br><b>%1</b>").arg(m_workspace->name().toHtmlEscaped()));
        m_workspaceLabel->setToolTip(QDir::toNativeSeparators(m_workspace->root()));
    }
    m_recent->add(m_workspace->location());
}

Status MainWindow::openWorkspace(const QString &folder, Workspace::OpenMode mode)
{
    Expected<std::unique_ptr<Workspace>> opened = Workspace::open(folder, mode);
    if (!opened)
        return opened.error();
    setWorkspace(std::move(opened).value());
    statusBar()->showMessage(
        tr("Opened workspace %1")
            .arg(Workspace::isStoreUrl(folder) ? Database::displayUrl(folder) : QDir::toNativeSeparators(folder)),
        kStatusTimeoutMs);
    return Status::success();
}

void MainWindow::showTeamStoreDialog(const QString &location, bool openNow)
{
    auto *dialog = new TeamStoreDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!location.isEmpty())
        dialog->setLocation(location);
    connect(dialog, &TeamStoreDialog::workspaceOpened, this, [this, dialog] {
        setWorkspace(dialog->takeWorkspace());
        statusBar()->showMessage(tr("Opened team store %1").arg(Database::displayUrl(m_workspace->location())),
                                 kStatusTimeoutMs);
    });
    dialog->open();
    if (openNow)
        dialog->openStore();
}

void MainWindow::chooseNewWorkspace()
{
    auto *dialog = new QFileDialog(this, tr("New Workspace: choose an empty folder"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    dialog->setAcceptMode(QFileDialog::AcceptOpen);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) {
        const QDir dir(folder);
        if (Workspace::isWorkspace(folder)) {
            const Status status = openWorkspace(folder, Workspace::OpenMode::OpenExisting);
            if (!status)
                showError(tr("Cannot open workspace"), status.errorMessage());
            else
                statusBar()->showMessage(tr("%1 already was a workspace; opened it.").arg(folder), kStatusTimeoutMs);
            return;
        }
        if (dir.exists() && !dir.isEmpty()) {
            showError(tr("Folder is not empty"),
                      tr("%1 already holds files. Choose or create an empty folder for a new workspace.")
                          .arg(QDir::toNativeSeparators(folder)));
            return;
        }
        const Status status = openWorkspace(folder, Workspace::OpenMode::CreateIfMissing);
        if (!status)
            showError(tr("Cannot create workspace"), status.errorMessage());
    });
    dialog->open();
}

void MainWindow::chooseWorkspaceToOpen()
{
    auto *dialog = new QFileDialog(this, tr("Open Workspace"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::openRecent);
    dialog->open();
}

void MainWindow::openRecent(const QString &folder)
{
    if (Workspace::isStoreUrl(folder)) {
        // Its password comes from the keychain or ~/.pgpass; the dialog asks when neither has it.
        showTeamStoreDialog(folder, true);
        return;
    }
    if (!Workspace::isWorkspace(folder)) {
        showError(tr("Not a workspace"),
                  tr("%1 is not a Kiln workspace (it has no kiln.db). Use File › New Workspace… "
                     "to make one.")
                      .arg(QDir::toNativeSeparators(folder)));
        if (!QFileInfo::exists(folder))
            m_recent->remove(folder);
        return;
    }
    const Status status = openWorkspace(folder, Workspace::OpenMode::OpenExisting);
    if (!status)
        showError(tr("Cannot open workspace"), status.errorMessage());
}

QString MainWindow::demoWorkspaceFolder()
{
    return QFileInfo(Workspace::defaultFolder()).dir().filePath(QStringLiteral("demo-workspace"));
}

void MainWindow::openDemoWorkspace()
{
    const QString folder = demoWorkspaceFolder();
    if (Workspace::isWorkspace(folder)) {
        const Status status = openWorkspace(folder, Workspace::OpenMode::OpenExisting);
        if (!status)
            showError(tr("Cannot open the demo workspace"), status.errorMessage());
        else
            showPanel(Panel::Experiments);
        return;
    }
    const QList<Task *> active = m_tasks->activeTasks();
    for (Task *task : active) {
        if (task->objectName() == QLatin1String("demoTask"))
            return; // already being built; the status bar shows its progress
    }
    auto *task = new DemoWorkspaceTask(folder);
    task->setObjectName(QStringLiteral("demoTask"));
    connect(task, &Task::finished, this, [this, task, folder] {
        switch (task->state()) {
        case Task::State::Succeeded: {
            const Status status = openWorkspace(folder, Workspace::OpenMode::OpenExisting);
            if (!status) {
                showError(tr("Cannot open the demo workspace"), status.errorMessage());
                return;
            }
            showPanel(Panel::Experiments);
            break;
        }
        case Task::State::Failed:
            showError(tr("The demo workspace was not built"), task->message());
            break;
        default:
            statusBar()->showMessage(tr("Demo workspace cancelled"), kStatusTimeoutMs);
            break;
        }
    });
    statusBar()->showMessage(tr("Building the demo workspace: importing data and training a sweep…"), kStatusTimeoutMs);
    m_tasks->start(task);
}

} // namespace kiln
