#include "bundlecontroller.h"

#include "registry/bundle.h"
#include "registry/bundletask.h"
#include "tasks/taskmanager.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QWidget>

namespace kiln {

namespace {

const QString kBundleFolderKey = QStringLiteral("modelsPanel/bundleFolder");

QString bundleFolder()
{
    return QSettings().value(kBundleFolderKey, QDir::homePath()).toString();
}

void rememberBundleFolder(const QString &path)
{
    QSettings().setValue(kBundleFolderKey, QFileInfo(path).absolutePath());
}

} // namespace

BundleController::BundleController(TaskManager *tasks, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_tasks(tasks)
    , m_dialogParent(dialogParent)
{ }

BundleController::~BundleController() = default;

void BundleController::chooseExportPath(const ModelVersion &version, const QString &workspaceRoot)
{
    if (m_fileDialog)
        m_fileDialog->close();
    auto *dialog = new QFileDialog(m_dialogParent, tr("Export %1 as a Bundle").arg(version.ref()),
                                   QDir(bundleFolder()).filePath(suggestedBundleName(version)));
    dialog->setObjectName(QStringLiteral("exportBundleDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilter(tr("Kiln model bundles (*%1)").arg(QLatin1String(bundle::kSuffix)));
    const QString ref = version.ref();
    connect(dialog, &QFileDialog::fileSelected, this, [this, ref, workspaceRoot](const QString &chosen) {
        // The filter's double suffix is not added by the dialog; a bundle keeps its name.
        QString path = chosen;
        if (!path.endsWith(QLatin1String(".tar.gz")))
            path += QLatin1String(bundle::kSuffix);
        rememberBundleFolder(path);
        exportVersion(ref, path, workspaceRoot);
    });
    m_fileDialog = dialog;
    dialog->open();
}

void BundleController::exportVersion(const QString &ref, const QString &path, const QString &workspaceRoot)
{
    auto *task = new ExportBundleTask(workspaceRoot, ref, path);
    task->setObjectName(QStringLiteral("exportBundleTask"));
    connect(task, &Task::finished, this, [this, task, ref, path] {
        if (task->state() == Task::State::Succeeded)
            Q_EMIT exported(path);
        else if (task->state() == Task::State::Failed)
            Q_EMIT failed(tr("%1 could not be exported to %2.").arg(ref, QDir::toNativeSeparators(path)),
                          task->message());
    });
    m_tasks->start(task);
}

void BundleController::chooseImportPaths(const QString &workspaceRoot)
{
    if (m_fileDialog)
        m_fileDialog->close();
    auto *dialog = new QFileDialog(m_dialogParent, tr("Import Bundles"), bundleFolder());
    dialog->setObjectName(QStringLiteral("importBundleDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFiles);
    dialog->setNameFilters({tr("Kiln model bundles (*%1)").arg(QLatin1String(bundle::kSuffix)), tr("All files (*)")});
    connect(dialog, &QFileDialog::filesSelected, this, [this, workspaceRoot](const QStringList &paths) {
        if (!paths.isEmpty())
            rememberBundleFolder(paths.constFirst());
        importBundles(paths, workspaceRoot);
    });
    m_fileDialog = dialog;
    dialog->open();
}

void BundleController::importBundles(const QStringList &paths, const QString &workspaceRoot)
{
    if (paths.isEmpty())
        return;
    if (m_pendingImports == 0) {
        m_imported.clear();
        m_importErrors.clear();
    }
    m_importRoot = workspaceRoot;
    for (const QString &path : paths) {
        auto *task = new ImportBundleTask(workspaceRoot, path);
        task->setObjectName(QStringLiteral("importBundleTask"));
        connect(task, &Task::finished, this, [this, task] { importEnded(task); });
        ++m_pendingImports;
        m_tasks->start(task);
    }
}

void BundleController::importEnded(ImportBundleTask *task)
{
    --m_pendingImports;
    if (task->state() == Task::State::Succeeded) {
        m_imported.append(task->version());
    } else if (task->state() == Task::State::Failed) {
        // The reason names the file already, or it is prefixed.
        const QString fileName = QFileInfo(task->path()).fileName();
        m_importErrors << (task->message().contains(fileName) ? task->message() : fileName + u": " + task->message());
    }
    if (m_pendingImports > 0)
        return;
    if (!m_importErrors.isEmpty()) {
        const int failures = int(m_importErrors.size());
        Q_EMIT failed(failures == 1 ? tr("1 bundle could not be imported.")
                                    : tr("%1 bundles could not be imported.").arg(failures),
                      m_importErrors.join(u'\n'));
    }
    Q_EMIT imported(m_importRoot, m_imported);
}

} // namespace kiln
