#include "modelactions.h"

#include "bundlecontroller.h"
#include "modeldialogs.h"
#include "models/registrymodels.h"
#include "registry/modelregistry.h"
#include "runs/runstore.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QMenu>
#include <QMessageBox>
#include <QWidget>

namespace kiln {

namespace {

QAction *newAction(const QString &text, const QString &objectName, const QKeySequence &shortcut, const QString &toolTip,
                   QObject *parent)
{
    auto *action = new QAction(text, parent);
    action->setObjectName(objectName);
    action->setShortcut(shortcut);
    action->setToolTip(shortcut.isEmpty()
                           ? toolTip
                           : QStringLiteral("%1 (%2)").arg(toolTip, shortcut.toString(QKeySequence::NativeText)));
    return action;
}

} // namespace

ModelActions::ModelActions(const RegisteredModelListModel *models, const ModelVersionsModel *versions,
                           TaskManager *tasks, QWidget *panel)
    : QObject(panel)
    , m_models(models)
    , m_versions(versions)
    , m_panel(panel)
    , m_bundles(new BundleController(tasks, panel))
{
    m_setAlias = newAction(tr("Set Alias…"), QStringLiteral("setAliasAction"), QKeySequence(Qt::CTRL | Qt::Key_L),
                           tr("Point an alias (champion, challenger, …) at this version"), this);
    m_editTags = newAction(tr("Edit Version Tags…"), QStringLiteral("editVersionTagsAction"),
                           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T),
                           tr("Add, change or remove this version's tags (key = value)"), this);
    m_archive = newAction(tr("Archive"), QStringLiteral("archiveVersionAction"), {},
                          tr("Archive this version, or restore an archived one"), this);
    m_delete = newAction(tr("Delete Version…"), QStringLiteral("deleteVersionAction"),
                         QKeySequence(QKeySequence::Delete), tr("Delete this version, after asking"), this);
    // Del deletes only from the versions table (and the toolbar): nowhere text is edited.
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_export = newAction(tr("Export Bundle…"), QStringLiteral("exportBundleAction"),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                         tr("Write this version as one .kiln.tar.gz bundle for another machine"), this);
    m_import = newAction(tr("Import Bundle…"), QStringLiteral("importBundleAction"),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I),
                         tr("Add the model of a bundle as a new version"), this);
    m_deploy = newAction(tr("Deploy…"), QStringLiteral("deployVersionAction"), {},
                         tr("Push this version to a deployment target (opens the Deployments panel)"), this);
    connect(m_setAlias, &QAction::triggered, this, &ModelActions::chooseAlias);
    connect(m_editTags, &QAction::triggered, this, &ModelActions::editVersionTags);
    connect(m_archive, &QAction::triggered, this, &ModelActions::toggleArchived);
    connect(m_delete, &QAction::triggered, this, &ModelActions::confirmDelete);
    connect(m_export, &QAction::triggered, this, [this] {
        if (const ModelVersion *version = current(); version && m_workspace)
            m_bundles->chooseExportPath(*version, m_workspace->location());
    });
    connect(m_import, &QAction::triggered, this, [this] {
        if (m_workspace)
            m_bundles->chooseImportPaths(m_workspace->location());
    });
    connect(m_deploy, &QAction::triggered, this, [this] {
        if (const ModelVersion *version = current())
            Q_EMIT deployRequested(version->ref());
    });
    connect(m_bundles, &BundleController::exported, this, &ModelActions::bundleExported);
    connect(m_bundles, &BundleController::failed, this, &ModelActions::failed);
    connect(m_bundles, &BundleController::imported, this,
            [this](const QString &root, const QList<ModelVersion> &imported) {
                if (m_workspace && m_workspace->location() == root && !imported.isEmpty())
                    Q_EMIT changed(imported.constLast().modelName, imported.constLast().version);
            });
    updateActions();
}

ModelActions::~ModelActions() = default;

void ModelActions::setWorkspace(Workspace *workspace)
{
    m_workspace = workspace;
    m_model.clear();
    m_version = 0;
    updateActions();
}

void ModelActions::setCurrent(const QString &model, int version)
{
    m_model = model;
    m_version = version;
    updateActions();
}

const ModelVersion *ModelActions::current() const
{
    return m_versions->versionAt(m_versions->rowOf(m_version));
}

QWidget *ModelActions::dialogParent() const
{
    return m_panel->window();
}

void ModelActions::updateActions()
{
    const ModelVersion *version = current();
    m_setAlias->setEnabled(version != nullptr);
    m_editTags->setEnabled(version != nullptr);
    m_archive->setEnabled(version != nullptr);
    m_archive->setText(version && version->status == VersionStatus::Archived ? tr("Restore") : tr("Archive"));
    m_delete->setEnabled(version != nullptr);
    m_export->setEnabled(version != nullptr);
    m_deploy->setEnabled(version != nullptr);
    m_import->setEnabled(m_workspace != nullptr);
}

void ModelActions::popUpVersionMenu(const QPoint &globalPosition)
{
    const ModelVersion *version = current();
    if (!version)
        return;
    auto *menu = new QMenu(m_panel);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(m_setAlias);
    for (const QString &alias : version->aliases)
        menu->addAction(tr("Remove Alias “%1”").arg(alias), this, [this, alias] { removeAlias(alias); });
    menu->addAction(m_editTags);
    menu->addSeparator();
    menu->addAction(m_archive);
    menu->addAction(m_delete);
    menu->addSeparator();
    menu->addAction(m_export);
    menu->addAction(m_deploy);
    menu->popup(globalPosition);
}

void ModelActions::registerRun(qint64 runId)
{
    Workspace *workspace = m_workspace;
    if (!workspace)
        return;
    const Expected<RunRecord> run = RunStore(workspace->db()).run(runId);
    if (!run) {
        Q_EMIT failed(tr("Run %1 cannot be registered.").arg(runId), run.errorMessage());
        return;
    }
    if (run->status != RunStatus::Finished) {
        Q_EMIT failed(
            tr("Run %1 cannot be registered.").arg(run->name),
            tr("Only a finished run's model can be registered; this run is %1.").arg(runStatusName(run->status)));
        return;
    }
    const Expected<QList<RegisteredModel>> models = ModelRegistry(*workspace).models();
    auto *dialog = new RegisterModelDialog(
        *run, models ? *models : QList<RegisteredModel>(),
        [this, workspace, runId](const QString &name, const RegisterOptions &options) -> Expected<ModelVersion> {
            if (m_workspace != workspace)
                return Error {tr("The workspace was closed.")};
            return ModelRegistry(*workspace).registerRun(runId, name, options);
        },
        dialogParent());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { Q_EMIT changed(dialog->registered().modelName, dialog->registered().version); });
    dialog->open();
}

void ModelActions::importBundles(const QStringList &paths)
{
    if (m_workspace)
        m_bundles->importBundles(paths, m_workspace->location());
}

void ModelActions::exportCurrentVersion(const QString &path)
{
    if (const ModelVersion *version = current(); version && m_workspace)
        m_bundles->exportVersion(version->ref(), path, m_workspace->location());
}

void ModelActions::chooseAlias()
{
    const ModelVersion *version = current();
    if (!version || !m_workspace)
        return;
    QMap<QString, int> aliases;
    for (const ModelVersion &entry : m_versions->versions()) {
        for (const QString &alias : entry.aliases)
            aliases.insert(alias, entry.version);
    }
    Workspace *workspace = m_workspace;
    const QString model = version->modelName;
    const int number = version->version;
    auto *dialog = new SetAliasDialog(
        model, number, aliases,
        [this, workspace, model, number](const QString &alias) -> Status {
            if (m_workspace != workspace)
                return Error {tr("The workspace was closed.")};
            return ModelRegistry(*workspace).setAlias(model, alias, number);
        },
        dialogParent());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, model, number] { Q_EMIT changed(model, number); });
    dialog->open();
}

void ModelActions::removeAlias(const QString &alias)
{
    if (!m_workspace)
        return;
    const QString model = m_model;
    const int version = m_version;
    if (const Status status = ModelRegistry(*m_workspace).removeAlias(model, alias); !status)
        Q_EMIT failed(tr("The alias %1 was not removed.").arg(alias), status.errorMessage());
    Q_EMIT changed(model, version);
}

void ModelActions::toggleArchived()
{
    const ModelVersion *version = current();
    if (!version || !m_workspace)
        return;
    const bool archived = version->status == VersionStatus::Archived;
    const QString model = version->modelName;
    const int number = version->version;
    const Status status = ModelRegistry(*m_workspace)
                              .setStatus(model, number, archived ? VersionStatus::Ready : VersionStatus::Archived);
    if (!status)
        Q_EMIT failed(archived ? tr("%1@%2 was not restored.").arg(model).arg(number)
                               : tr("%1@%2 was not archived.").arg(model).arg(number),
                      status.errorMessage());
    Q_EMIT changed(model, number);
}

void ModelActions::confirmDelete()
{
    if (!current() || !m_workspace)
        return;
    // The deployments as they are now, not as when the table was read.
    const Expected<ModelVersion> version = ModelRegistry(*m_workspace).version(m_model, m_version);
    if (!version) {
        Q_EMIT failed(version.errorMessage(), {});
        return;
    }
    if (const QString refusal = deletionRefusal(*version); !refusal.isEmpty()) {
        Q_EMIT failed(tr("%1 cannot be deleted.").arg(version->ref()), refusal);
        return;
    }
    const QString model = version->modelName;
    const int number = version->version;
    QMessageBox *box = newDeleteVersionQuestion(*version, dialogParent());
    connect(box, &QMessageBox::finished, this, [this, box, model, number] {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            deleteVersion(model, number);
    });
    box->open();
}

void ModelActions::deleteVersion(const QString &model, int version)
{
    if (!m_workspace)
        return;
    const Status status = ModelRegistry(*m_workspace).deleteVersion(model, version);
    if (!status)
        Q_EMIT failed(tr("%1@%2 was not deleted.").arg(model).arg(version), status.errorMessage());
    Q_EMIT changed(model, status ? 0 : version);
}

void ModelActions::editModelDetails()
{
    const int row = m_models->rowOf(m_model);
    if (row < 0 || !m_workspace)
        return;
    const RegisteredModel model = m_models->models().at(row);
    Workspace *workspace = m_workspace;
    auto *dialog = new ModelDetailsDialog(
        model,
        [this, workspace, model](const QString &description, const ModelDetailsDialog::Tags &tags) -> Status {
            if (m_workspace != workspace)
                return Error {tr("The workspace was closed.")};
            ModelRegistry registry(*workspace);
            return ModelDetailsDialog::apply(registry, model, description, tags);
        },
        dialogParent());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this] { Q_EMIT changed(m_model, m_version); });
    dialog->open();
}

void ModelActions::editVersionTags()
{
    const ModelVersion *version = current();
    if (!version || !m_workspace)
        return;
    Workspace *workspace = m_workspace;
    const QString model = version->modelName;
    const int number = version->version;
    auto *dialog = new ModelDetailsDialog(
        *version,
        [this, workspace, model, number](const QString &, const ModelDetailsDialog::Tags &tags) -> Status {
            if (m_workspace != workspace)
                return Error {tr("The workspace was closed.")};
            ModelRegistry registry(*workspace);
            return ModelDetailsDialog::applyVersionTags(registry, model, number, tags);
        },
        dialogParent());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, model, number] { Q_EMIT changed(model, number); });
    dialog->open();
}

} // namespace kiln
