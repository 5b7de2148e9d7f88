#pragma once

#include "registry/registrytypes.h"

#include <QFileDialog>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

class QWidget;

namespace kiln {

class ImportBundleTask;
class TaskManager;

/// Exports and imports model bundles for the Models panel: asks for the files with file
/// dialogs that do not block, runs ExportBundleTask / ImportBundleTask on the TaskManager
/// (progress and cancel in the status bar) and reports how each ended. GUI thread.
class BundleController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BundleController)

public:
    /// `dialogParent` parents the file dialogs.
    BundleController(TaskManager *tasks, QWidget *dialogParent);
    ~BundleController() override;

    /// Asks where to write `version` (its suggested name in the last folder used), then exports.
    void chooseExportPath(const ModelVersion &version, const QString &workspaceRoot);
    /// Writes `ref` ("name@3") of the workspace at `workspaceRoot` as a bundle at `path`.
    void exportVersion(const QString &ref, const QString &path, const QString &workspaceRoot);
    /// Asks for bundle files, then imports them.
    void chooseImportPaths(const QString &workspaceRoot);
    /// Imports each file as a new version (a task each); imported() once all have ended.
    void importBundles(const QStringList &paths, const QString &workspaceRoot);

    /// The file dialog asking for paths, while it is open.
    QFileDialog *fileDialog() const { return m_fileDialog; }

Q_SIGNALS:
    void exported(const QString &path);
    /// The imports started together have ended; `versions` are those that came in.
    void imported(const QString &workspaceRoot, const QList<kiln::ModelVersion> &versions);
    /// What failed (naming the file) and why; for an error dialog and the status bar.
    void failed(const QString &message, const QString &details);

private:
    void importEnded(ImportBundleTask *task);

    TaskManager *m_tasks = nullptr;
    QWidget *m_dialogParent = nullptr;
    QPointer<QFileDialog> m_fileDialog;
    QString m_importRoot;
    int m_pendingImports = 0;
    QList<ModelVersion> m_imported;
    QStringList m_importErrors;
};

} // namespace kiln
