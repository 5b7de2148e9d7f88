#include "registry/bundletask.h"

#include "registry/bundle.h"
#include "workspace/workspace.h"

#include <QFileInfo>

namespace kiln {

ExportBundleTask::ExportBundleTask(QString workspaceRoot, QString ref, QString path, QObject *parent)
    : Task(QStringLiteral("Export %1").arg(ref), parent)
    , m_root(std::move(workspaceRoot))
    , m_ref(std::move(ref))
    , m_path(std::move(path))
{ }

Status ExportBundleTask::run(Feedback &feedback)
{
    // The workspace object of the GUI thread is not ours to use: this thread opens its own.
    auto workspace = Workspace::open(m_root, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error();
    if (Status exported = exportBundle(**workspace, m_ref, m_path, &feedback); !exported)
        return exported;
    setMessage(QStringLiteral("Exported %1 to %2").arg(m_ref, QFileInfo(m_path).fileName()));
    return {};
}

ImportBundleTask::ImportBundleTask(QString workspaceRoot, QString path, QString modelName, QObject *parent)
    : Task(QStringLiteral("Import %1").arg(QFileInfo(path).fileName()), parent)
    , m_root(std::move(workspaceRoot))
    , m_path(std::move(path))
    , m_modelName(std::move(modelName))
{ }

Status ImportBundleTask::run(Feedback &feedback)
{
    auto workspace = Workspace::open(m_root, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error();
    Expected<ModelVersion> imported = importBundle(**workspace, m_path, m_modelName, &feedback);
    if (!imported)
        return imported.error();
    // Read on the task's thread only after finished(), which the queued completion orders
    // after this write.
    m_version = std::move(imported).value();
    setMessage(QStringLiteral("Imported %1 as %2").arg(QFileInfo(m_path).fileName(), m_version.ref()));
    return {};
}

} // namespace kiln
