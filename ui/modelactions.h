#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class QAction;
class QPoint;
class QWidget;

namespace kiln {

class BundleController;
class ModelVersionsModel;
class RegisteredModelListModel;
class TaskManager;
class Workspace;
struct ModelVersion;

/// What the Models panel does to the registry: the actions on the current version (Set
/// Alias…, Edit Version Tags…, Archive/Restore, Delete Version… after asking, Export
/// Bundle…, Deploy… which asks the main window to deploy it), Import Bundle…,
/// Edit… of a model's description and tags, Register Model… of a run, and Remove Alias in
/// the version's context menu, with their dialogs (opened with open() over the panel's
/// window). Writes through ModelRegistry on the workspace's connection, so it lives on the
/// GUI thread; reads the current version from the panel's models, which it never changes.
class ModelActions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelActions)

public:
    /// `models` and `versions`: what `panel` shows. `panel` parents the actions and dialogs.
    ModelActions(const RegisteredModelListModel *models, const ModelVersionsModel *versions, TaskManager *tasks,
                 QWidget *panel);
    ~ModelActions() override;

    /// The workspace the actions write to (null: none). Not owned.
    void setWorkspace(Workspace *workspace);
    /// The model and the version (0: none) the actions act on; enables them to suit.
    void setCurrent(const QString &model, int version);

    QAction *setAliasAction() const { return m_setAlias; }
    QAction *editTagsAction() const { return m_editTags; }
    QAction *archiveAction() const { return m_archive; }
    QAction *deleteAction() const { return m_delete; }
    QAction *exportAction() const { return m_export; }
    QAction *importAction() const { return m_import; }
    QAction *deployAction() const { return m_deploy; }

    /// The current version's context menu at `globalPosition`.
    void popUpVersionMenu(const QPoint &globalPosition);
    /// Opens Edit… for the current model's description and tags.
    void editModelDetails();
    /// Opens Edit Version Tags… for the current version.
    void editVersionTags();
    /// Opens Register Model… for a finished run (a new model's name prefilled from the run's
    /// experiment); a run that is not finished is refused with the reason.
    void registerRun(qint64 runId);
    void importBundles(const QStringList &paths);
    /// Exports the current version as a bundle at `path` (a task on the TaskManager).
    void exportCurrentVersion(const QString &path);

Q_SIGNALS:
    /// The registry changed: show `model` and `version` (0: the newest) once it is read again.
    void changed(const QString &model, int version);
    /// What failed and why, for an error dialog and the status bar.
    void failed(const QString &message, const QString &details);
    /// An export ended well: the bundle is at `path`.
    void bundleExported(const QString &path);
    /// Deploy… on the current version: `modelRef` is "name@N".
    void deployRequested(const QString &modelRef);

private:
    const ModelVersion *current() const;
    QWidget *dialogParent() const;
    void updateActions();
    void chooseAlias();
    void removeAlias(const QString &alias);
    void toggleArchived();
    void confirmDelete();
    void deleteVersion(const QString &model, int version);

    const RegisteredModelListModel *m_models;
    const ModelVersionsModel *m_versions;
    QWidget *m_panel;
    Workspace *m_workspace = nullptr;
    QString m_model;
    int m_version = 0;
    BundleController *m_bundles = nullptr;
    QAction *m_setAlias = nullptr;
    QAction *m_editTags = nullptr;
    QAction *m_archive = nullptr;
    QAction *m_delete = nullptr;
    QAction *m_export = nullptr;
    QAction *m_import = nullptr;
    QAction *m_deploy = nullptr;
};

} // namespace kiln
