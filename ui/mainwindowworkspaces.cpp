// The main window's workspaces and what comes into them: switching, File › New/Open
// Workspace, Open Team Store, the recent list, Help › Open Demo Workspace; drops, File ›
// Import, files given on the command line, and MLflow stores in and out.

#include "mainwindow.h"

#include "data/datasetimport.h"
#include "datapanel.h"
#include "demo/demoworkspace.h"
#include "deploy/deploymentspanel.h"
#include "dropoverlay.h"
#include "experimentspanel.h"
#include "importcontroller.h"
#include "mlflow/mlflowimport.h"
#include "mlflowcontroller.h"
#include "modelspanel.h"
#include "plugin/pluginmanager.h"
#include "recentworkspaces.h"
#include "registry/bundle.h"
#include "runcontroller.h"
#include "storage/database.h"
#include "tasks/task.h"
#include "tasks/taskmanager.h"
#include "teamstoredialog.h"

#include <QAction>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QStatusBar>
#include <QTimer>

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

QStringList localPaths(const QMimeData *mime)
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    const QList<QUrl> urls = mime->urls();
    for (const QUrl &url : urls) {
        if (url.isLocalFile())
            paths << url.toLocalFile();
    }
    return paths;
}

/// A Kiln bundle by its name (a file given on the command line, the desktop's MIME type) or,
/// as it is a .tar.gz like a data archive, by its first entry (the manifest).
bool isBundlePath(const QString &path)
{
    return path.endsWith(QLatin1String(bundle::kSuffix)) || isModelBundle(path);
}

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

void MainWindow::importPaths(const QStringList &paths)
{
    if (!m_workspace || paths.isEmpty())
        return;
    QStringList bundles;
    QStringList stores;
    QStringList dataPaths;
    for (const QString &path : paths) {
        if (isBundlePath(path))
            bundles << path;
        else if (mlflow::Reader::looksLikeStore(path))
            stores << path;
        else
            dataPaths << path;
    }
    if (!bundles.isEmpty()) {
        showPanel(Panel::Models);
        m_modelsPanel->importBundles(bundles);
    }
    for (const QString &store : std::as_const(stores))
        m_mlflow->importStore(store, m_workspace->location());
    if (!dataPaths.isEmpty())
        m_imports->importPaths(dataPaths, m_workspace->location());
}

void MainWindow::onImportFinished(const QString &workspaceRoot, const ImportReport &report)
{
    // The user may have switched workspaces while the import ran.
    if (!m_workspace || workspaceRoot != m_workspace->location())
        return;
    m_dataPanel->refresh();
    if (!report.imported.isEmpty()) {
        const ImportedDataset &last = report.imported.constLast();
        m_dataPanel->selectVersion(last.name, last.version);
        showPanel(Panel::Data);
    }
}

void MainWindow::chooseFilesToImport()
{
    QStringList patterns;
    const QStringList extensions = PluginManager::instance().knownExtensions();
    for (const QString &extension : extensions)
        patterns << QString(u"*." % extension);
    auto *dialog = new QFileDialog(this, tr("Import Files"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFiles);
    QStringList filters;
    if (!patterns.isEmpty())
        filters << tr("Data files and archives (%1)").arg(patterns.join(u' '));
    filters << tr("All files (*)");
    dialog->setNameFilters(filters);
    connect(dialog, &QFileDialog::filesSelected, this, &MainWindow::importPaths);
    dialog->open();
}

void MainWindow::chooseFolderToImport()
{
    auto *dialog = new QFileDialog(this, tr("Import Folder"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) { importPaths({folder}); });
    dialog->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!m_workspace || localPaths(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    m_dropOverlay->raise();
    m_dropOverlay->show();
}

void MainWindow::dragMoveEvent(QDragMoveEvent *event)
{
    if (localPaths(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
}

void MainWindow::dragLeaveEvent(QDragLeaveEvent *event)
{
    m_dropOverlay->hide();
    QMainWindow::dragLeaveEvent(event);
}

void MainWindow::dropEvent(QDropEvent *event)
{
    m_dropOverlay->hide();
    const QStringList paths = localPaths(event->mimeData());
    if (paths.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    importPaths(paths);
}

void MainWindow::openFiles(const QStringList &paths)
{
    if (paths.isEmpty())
        return;
    // Queued: the window shows (and the event loop runs) before anything is read.
    QTimer::singleShot(0, this, [this, paths] {
        QStringList present;
        QStringList missing;
        for (const QString &path : paths) {
            const QFileInfo info(path);
            (info.exists() ? present : missing) << info.absoluteFilePath();
        }
        if (!missing.isEmpty()) {
            QStringList shown;
            for (const QString &path : std::as_const(missing))
                shown << QDir::toNativeSeparators(path);
            showError(missing.size() == 1 ? tr("Cannot open a file") : tr("Cannot open %1 files").arg(missing.size()),
                      tr("No such file or folder:\n%1").arg(shown.join(u'\n')));
        }
        importPaths(present);
    });
}

void MainWindow::createMlflowActions(QMenu *file)
{
    m_importMlflowStore = file->addAction(tr("Import &MLflow Store…"), this, [this] {
        if (m_workspace)
            m_mlflow->chooseStoreFolder(m_workspace->location());
    });
    m_importMlflowStore->setObjectName(QStringLiteral("importMlflowStoreAction"));
    m_importMlflowStore->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_I));
    m_importMlflowStore->setStatusTip(tr("Import the runs and models of an MLflow file store (an mlruns folder) "
                                         "to compare them with Kiln's own"));
    m_importMlflowDatabase = file->addAction(tr("Import MLflow &Database…"), this, [this] {
        if (m_workspace)
            m_mlflow->chooseStoreDatabase(m_workspace->location());
    });
    m_importMlflowDatabase->setObjectName(QStringLiteral("importMlflowDatabaseAction"));
    m_importMlflowDatabase->setStatusTip(tr("Import the runs and models of an MLflow SQLite database (mlflow.db)"));
    m_exportMlflow = file->addAction(tr("E&xport Runs to MLflow…"), this, [this] {
        if (!m_workspace)
            return;
        const QList<qint64> selected = m_experimentsPanel->selectedRunIds();
        m_mlflow->chooseExportFolder(std::vector<qint64>(selected.cbegin(), selected.cend()), m_workspace->location());
    });
    m_exportMlflow->setObjectName(QStringLiteral("exportMlflowAction"));
    m_exportMlflow->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E));
    m_exportMlflow->setStatusTip(tr("Write the runs selected in the Experiments panel (all runs when none is "
                                    "selected) to an mlruns folder that MLflow reads"));
}

void MainWindow::onMlflowImported(const QString &workspaceLocation, const mlflow::ImportReport &report)
{
    // The user may have switched workspaces while the import ran.
    if (!m_workspace || workspaceLocation != m_workspace->location())
        return;
    showPanel(Panel::Experiments);
    m_experimentsPanel->selectImportedRuns(report.runUuids);
    if (report.modelsAdded > 0 || report.versionsAdded > 0 || report.aliases > 0)
        m_modelsPanel->refresh();
}

} // namespace kiln
