#pragma once

#include "util/expected.h"
#include "workspace/workspace.h"

#include <QMainWindow>

#include <memory>

class QActionGroup;
class QLabel;
class QListWidget;
class QStackedWidget;

namespace kiln {

class DataPanel;
class DropOverlay;
class ImportController;
class RecentWorkspaces;
class TaskManager;
struct ImportReport;

/// The main window. It only assembles: a sidebar switching between the panels, the menus,
/// the status bar with the running tasks, and drops onto the window turned into imports.
/// Owns the open Workspace and the TaskManager that runs the window's tasks.
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
    DataPanel *dataPanel() const { return m_dataPanel; }
    QWidget *panel(Panel panel) const;
    Panel currentPanel() const;
    void showPanel(Panel panel);

    /// Imports files, folders and archives into the open workspace (as a drop does).
    void importPaths(const QStringList &paths);
    /// Opens (or with CreateIfMissing, creates) the workspace in `folder` instead of the
    /// current one; the error says why not.
    Status openWorkspace(const QString &folder, Workspace::OpenMode mode);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QWidget *createSidebar();
    void createPanels();
    void createMenus();
    void setWorkspace(std::unique_ptr<Workspace> workspace);
    void onImportFinished(const QString &workspaceRoot, const ImportReport &report);
    void chooseNewWorkspace();
    void chooseWorkspaceToOpen();
    void chooseFilesToImport();
    void chooseFolderToImport();
    void openRecent(const QString &folder);
    void showAbout();
    void showError(const QString &title, const QString &message);
    void saveLayout() const;
    void restoreLayout();

    std::unique_ptr<Workspace> m_workspace;
    TaskManager *m_tasks = nullptr;
    ImportController *m_imports = nullptr;
    RecentWorkspaces *m_recent = nullptr;
    QListWidget *m_sidebar = nullptr;
    QLabel *m_workspaceLabel = nullptr;
    QStackedWidget *m_panels = nullptr;
    DataPanel *m_dataPanel = nullptr;
    QActionGroup *m_panelActions = nullptr;
    DropOverlay *m_dropOverlay = nullptr;
};

} // namespace kiln
