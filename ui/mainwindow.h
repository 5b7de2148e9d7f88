#pragma once

#include "util/expected.h"
#include "workspace/workspace.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QActionGroup;
class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;

namespace kiln {

class DataPanel;
class DeploymentsPanel;
class DropOverlay;
class ExperimentsPanel;
class ImportController;
class MlflowController;
class ModelsPanel;
class RunController;
class RecentWorkspaces;
class TaskManager;
struct ImportReport;
namespace mlflow {
struct ImportReport;
}

/// The main window. It only assembles: a sidebar switching between the panels, the menus,
/// the status bar with the running tasks, and drops onto the window turned into imports.
/// Owns the open Workspace, the TaskManager that runs the window's tasks and the
/// RunController whose scheduler runs the workspace's queued runs.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum class Panel { Data, Experiments, Models, Deployments };
    Q_ENUM(Panel)

    explicit MainWindow(std::unique_ptr<Workspace> workspace, QWidget *parent = nullptr);
    ~MainWindow() override;

    Workspace *workspace() const { return m_workspace.get(); }
    TaskManager *taskManager() const { return m_tasks; }
    ImportController *importController() const { return m_imports; }
    MlflowController *mlflowController() const { return m_mlflow; }
    RunController *runController() const { return m_runs; }
    DataPanel *dataPanel() const { return m_dataPanel; }
    ExperimentsPanel *experimentsPanel() const { return m_experimentsPanel; }
    ModelsPanel *modelsPanel() const { return m_modelsPanel; }
    DeploymentsPanel *deploymentsPanel() const { return m_deploymentsPanel; }
    QWidget *panel(Panel panel) const;
    Panel currentPanel() const;
    void showPanel(Panel panel);

    /// Imports files, folders and archives into the open workspace (as a drop does): model
    /// bundles among them become model versions in the Models panel, MLflow stores (an
    /// `mlruns` folder, a folder holding one, an `mlflow.db`) runs in the Experiments panel,
    /// the rest datasets.
    void importPaths(const QStringList &paths);
    /// Opens the files given on the command line (`kiln FILE...`) as importPaths() does, once
    /// the event loop runs (the window shows first); names those that do not exist.
    void openFiles(const QStringList &paths);
    /// File ▸ Import MLflow Store… (a folder), Import MLflow Database… (an mlflow.db) and
    /// Export Runs to MLflow… (the runs selected in the Experiments panel, or all of them).
    QAction *importMlflowStoreAction() const { return m_importMlflowStore; }
    QAction *importMlflowDatabaseAction() const { return m_importMlflowDatabase; }
    QAction *exportMlflowAction() const { return m_exportMlflow; }
    /// Opens (or with CreateIfMissing, creates) the workspace at `folder` (a folder or a team
    /// store's postgresql:// location) instead of the current one; the error says why not.
    /// Blocks while it connects: the menus open team stores through showTeamStoreDialog().
    Status openWorkspace(const QString &folder, Workspace::OpenMode mode);
    /// File › Open Team Store…: the dialog, filled in from `location` when one is given; with
    /// `openNow` it starts connecting at once (a recent team store), on a worker.
    void showTeamStoreDialog(const QString &location = {}, bool openNow = false);
    /// Opens the Train dialog on `name`@`version` (0: the latest); a run it queues is then
    /// selected in the Experiments panel.
    void openTrainDialog(const QString &name, int version);
    /// Help › Open Demo Workspace: opens the demo workspace beside the default one, building
    /// it first (real import and training, as a task with progress and cancel) when missing.
    void openDemoWorkspace();
    /// Where the demo workspace lives: "demo-workspace" beside the default workspace.
    static QString demoWorkspaceFolder();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    static constexpr int kStatusTimeoutMs = 15000;

    QWidget *createSidebar();
    void createPanels();
    void createMenus();
    void setWorkspace(std::unique_ptr<Workspace> workspace);
    void onImportFinished(const QString &workspaceRoot, const ImportReport &report);
    void onMlflowImported(const QString &workspaceLocation, const mlflow::ImportReport &report);
    void createMlflowActions(QMenu *file);
    void chooseNewWorkspace();
    void chooseWorkspaceToOpen();
    void chooseFilesToImport();
    void chooseFolderToImport();
    void openRecent(const QString &folder);
    void showAbout();
    void showError(const QString &title, const QString &message);
    void trainOnCurrentVersion();
    void refreshCurrentPanel();
    void saveLayout() const;
    void restoreLayout();

    std::unique_ptr<Workspace> m_workspace;
    TaskManager *m_tasks = nullptr;
    ImportController *m_imports = nullptr;
    MlflowController *m_mlflow = nullptr;
    RunController *m_runs = nullptr;
    RecentWorkspaces *m_recent = nullptr;
    QListWidget *m_sidebar = nullptr;
    QLabel *m_workspaceLabel = nullptr;
    QStackedWidget *m_panels = nullptr;
    DataPanel *m_dataPanel = nullptr;
    ExperimentsPanel *m_experimentsPanel = nullptr;
    ModelsPanel *m_modelsPanel = nullptr;
    DeploymentsPanel *m_deploymentsPanel = nullptr;
    QAction *m_trainAction = nullptr;
    QAction *m_importMlflowStore = nullptr;
    QAction *m_importMlflowDatabase = nullptr;
    QAction *m_exportMlflow = nullptr;
    bool m_closeConfirmed = false; // the user agreed to cancel the running runs
    QActionGroup *m_panelActions = nullptr;
    DropOverlay *m_dropOverlay = nullptr;
};

} // namespace kiln
