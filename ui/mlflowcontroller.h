#pragma once

#include "mlflow/mlflowexport.h"
#include "mlflow/mlflowimport.h"

#include <QDialog>
#include <QFileDialog>
#include <QMessageBox>
#include <QObject>
#include <QPointer>

#include <vector>

class QLabel;
class QTreeWidget;

namespace kiln {

class TaskManager;

/// What an MLflow import or export skipped, one row per item (path, reason), beside the
/// work that was done. Non-modal: the user compares the runs that came in while reading it.
/// The rows can be selected and copied (Copy, or Ctrl+C) as "path<TAB>reason" lines.
class MlflowReportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MlflowReportDialog)

public:
    MlflowReportDialog(const QString &title, const QString &summary, const QList<mlflow::Issue> &skipped,
                       QWidget *parent);
    ~MlflowReportDialog() override;

    QTreeWidget *list() const { return m_list; }
    /// The selected rows (all when none is selected) as tab-separated lines.
    QString text() const;
    /// Puts text() on the clipboard.
    void copy();

private:
    QTreeWidget *m_list = nullptr;
};

/// MLflow for the window: imports a store (an `mlruns` folder, a folder holding one, or an
/// `mlflow.db`) as an mlflow::ImportTask and exports runs to an `mlruns` folder as an
/// mlflow::ExportTask, both on the TaskManager (progress and Cancel in the status bar); asks
/// for paths with file dialogs that do not block; reports how each ended: a status line, the
/// skipped items in an MlflowReportDialog, a store that cannot be opened in an error dialog
/// naming it and why. Lives on the GUI thread.
class MlflowController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MlflowController)

public:
    /// `dialogParent` parents the dialogs.
    MlflowController(TaskManager *tasks, QWidget *dialogParent);
    ~MlflowController() override;

    /// Imports the store at `path` into the workspace at `workspaceLocation`.
    void importStore(const QString &path, const QString &workspaceLocation);
    /// Writes `runIds` (empty: every run) of the workspace at `workspaceLocation` to the
    /// MLflow file store exportFolder(`folder`).
    void exportRuns(const QString &folder, const std::vector<qint64> &runIds, const QString &workspaceLocation);

    /// File ▸ Import MLflow Store…: asks for the `mlruns` folder (or the folder holding it).
    void chooseStoreFolder(const QString &workspaceLocation);
    /// File ▸ Import MLflow Database…: asks for an `mlflow.db` file.
    void chooseStoreDatabase(const QString &workspaceLocation);
    /// File ▸ Export Runs to MLflow…: asks for the folder to write `runIds` (empty: all) to.
    void chooseExportFolder(const std::vector<qint64> &runIds, const QString &workspaceLocation);

    /// The MLflow file store an export into `chosen` writes: `chosen` itself when it is an
    /// `mlruns` folder or already an MLflow file store, else `chosen`/mlruns (where MLflow
    /// looks by default when started in `chosen`).
    static QString exportFolder(const QString &chosen);

    /// The file dialog asking for a path, while it is open.
    QFileDialog *fileDialog() const { return m_fileDialog; }
    /// The report of the last import or export that skipped something, while it is open.
    MlflowReportDialog *reportDialog() const { return m_reportDialog; }
    /// The error dialog of the last import or export that failed, while it is open.
    QMessageBox *errorDialog() const { return m_errorDialog; }

Q_SIGNALS:
    /// An import ended (succeeded, or cancelled with what came in until then).
    void storeImported(const QString &workspaceLocation, const kiln::mlflow::ImportReport &report);
    /// An export ended (succeeded, or cancelled with what was written until then).
    void runsExported(const QString &workspaceLocation, const kiln::mlflow::ExportReport &report);
    /// A line for the status bar.
    void statusMessage(const QString &message);

private:
    QFileDialog *newFileDialog(const QString &title, const QString &objectName);
    void showReport(const QString &title, const QString &summary, const QList<mlflow::Issue> &skipped);
    void showError(const QString &title, const QString &message);

    TaskManager *m_tasks = nullptr;
    QWidget *m_dialogParent = nullptr;
    QPointer<QFileDialog> m_fileDialog;
    QPointer<MlflowReportDialog> m_reportDialog;
    QPointer<QMessageBox> m_errorDialog;
};

} // namespace kiln
