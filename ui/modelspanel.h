#pragma once

#include <QWidget>

#include <memory>

class QAction;

namespace kiln {

class TaskManager;
class Workspace;

/// The Models panel: the registry of the open workspace. Left, the registered models; right,
/// the chosen model's description and tags over its versions table (version, aliases,
/// status, tags, key metrics, created, run, source) and, for the current version, tabs: Card
/// (Markdown rendered, Edit/Save), Lineage (LineageView), Signature (input schema, output,
/// input example), Compare (two versions side by side: metrics, params, schema differences).
/// Actions (ModelActions; in the toolbar and in a context menu on the versions table): set or
/// move an alias and remove one (context menu), edit a version's tags (Edit Version Tags…,
/// Ctrl+Shift+T), change status (archive/restore), delete a version (confirmation; refused
/// with the reason while deployed), export a version as a bundle and import bundles (tasks on
/// the TaskManager with progress and cancel), and Deploy… (deployRequested(): the main window
/// opens the Deployments panel's Deploy dialog on it). Edit… on the header edits a model's
/// description and tags.
class ModelsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelsPanel)

public:
    explicit ModelsPanel(TaskManager *tasks, QWidget *parent = nullptr);
    ~ModelsPanel() override;

    /// The workspace whose registry is shown (null: none). The panel never owns it.
    void setWorkspace(Workspace *workspace);
    /// Re-reads models and versions, keeping the selection.
    void refresh();
    /// Shows `modelName` with `version` (0: the latest) current.
    void selectVersion(const QString &modelName, int version = 0);
    QString currentModel() const;
    int currentVersion() const; ///< 0: none

    /// Opens the Register Model dialog for a finished run (model name: an existing model or a
    /// new one, prefilled from the run's experiment; description), registers it and shows
    /// the new version.
    void registerRun(qint64 runId);
    /// Imports bundle files as new versions (a task each), then shows the last one.
    void importBundles(const QStringList &paths);

    /// Exports the current version as a bundle at `path` (a task on the TaskManager); what
    /// Export Bundle… does once a file is chosen.
    void exportCurrentVersion(const QString &path);

    QAction *importBundleAction() const;
    QAction *exportBundleAction() const;
    QAction *deployVersionAction() const;

Q_SIGNALS:
    void errorOccurred(const QString &message);
    /// Lineage clicks: show this run in the Experiments panel / this dataset version in Data.
    void runActivated(qint64 runId);
    void datasetVersionActivated(const QString &datasetName, int version);
    /// A version was registered, imported, changed or deleted.
    void registryChanged();
    /// An export ended well: the bundle is at `path`.
    void bundleExported(const QString &path);
    /// Deploy… on a version: `modelRef` is "name@N".
    void deployRequested(const QString &modelRef);

protected:
    /// Restores the splitters once the panel has its size (at construction it has none).
    void showEvent(QShowEvent *event) override;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace kiln
