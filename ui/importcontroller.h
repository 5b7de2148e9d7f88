#pragma once

#include <QMessageBox>
#include <QObject>
#include <QPointer>
#include <QStringList>

class QWidget;

namespace kiln {

class TaskManager;
struct ImportReport;

/// Runs imports for the window (drops, File › Import): starts an ImportTask on the
/// TaskManager, and when it ends reports what came in and shows, without blocking, what
/// failed. Lives on the GUI thread.
class ImportController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportController)

public:
    /// `dialogParent` parents the error dialogs.
    ImportController(TaskManager *tasks, QWidget *dialogParent);
    ~ImportController() override;

    /// Imports `paths` (files, folders, archives) into the workspace at `workspaceRoot`.
    void importPaths(const QStringList &paths, const QString &workspaceRoot);

    /// The error dialog of the last import that had failures, while it is open.
    QMessageBox *errorDialog() const { return m_errorDialog; }

Q_SIGNALS:
    /// An import ended; `report` says what became which dataset version.
    void importFinished(const QString &workspaceRoot, const kiln::ImportReport &report);
    /// A line for the status bar.
    void statusMessage(const QString &message);

private:
    void showFailures(const ImportReport &report, const QString &taskError);

    TaskManager *m_tasks = nullptr;
    QWidget *m_dialogParent = nullptr;
    QPointer<QMessageBox> m_errorDialog;
};

} // namespace kiln
