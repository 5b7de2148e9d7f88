#include "importcontroller.h"

#include "data/datasetimport.h"
#include "tasks/taskmanager.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QMessageBox>

namespace kiln {

namespace {

constexpr int kFailuresListed = 12;

QString taskTitle(const QStringList &paths)
{
    if (paths.size() == 1)
        return ImportController::tr("Importing %1").arg(QFileInfo(paths.constFirst()).fileName());
    return ImportController::tr("Importing %1 items").arg(paths.size());
}

/// The failure's message names the file; it is prefixed only when it does not.
QString failureLine(const ImportFailure &failure)
{
    const QString fileName = QFileInfo(failure.source).fileName();
    if (fileName.isEmpty() || failure.message.contains(fileName))
        return failure.message;
    return fileName % u": " % failure.message;
}

} // namespace

ImportController::ImportController(TaskManager *tasks, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_tasks(tasks)
    , m_dialogParent(dialogParent)
{ }

ImportController::~ImportController() = default;

void ImportController::importPaths(const QStringList &paths, const QString &workspaceRoot)
{
    if (paths.isEmpty())
        return;
    ImportRequest request;
    request.workspaceRoot = workspaceRoot;
    request.paths = paths;
    auto *task = new ImportTask(std::move(request));
    task->setObjectName(QStringLiteral("importTask"));
    const QString title = taskTitle(paths);
    connect(task, &Task::finished, this, [this, task, workspaceRoot] {
        const ImportReport &report = task->report();
        if (task->state() == Task::State::Cancelled) {
            Q_EMIT statusMessage(tr("Import cancelled. %1").arg(report.summary()));
        } else {
            Q_EMIT statusMessage(report.summary());
        }
        Q_EMIT importFinished(workspaceRoot, report);
        const QString taskError
            = task->state() == Task::State::Failed && report.failed.isEmpty() ? task->message() : QString();
        if (!report.failed.isEmpty() || !taskError.isEmpty())
            showFailures(report, taskError);
    });
    Q_EMIT statusMessage(title % QStringLiteral("…"));
    m_tasks->start(task);
}

void ImportController::showFailures(const ImportReport &report, const QString &taskError)
{
    QStringList lines;
    for (int i = 0; i < report.failed.size() && i < kFailuresListed; ++i)
        lines << QString(u"• " % failureLine(report.failed.at(i)));
    if (report.failed.size() > kFailuresListed)
        lines << tr("… and %1 more (see details)").arg(report.failed.size() - kFailuresListed);
    if (!taskError.isEmpty())
        lines << taskError;

    const int failed = std::max<int>(int(report.failed.size()), 1);
    const QString heading
        = failed == 1 ? tr("1 file could not be imported.") : tr("%1 files could not be imported.").arg(failed);
    QStringList details;
    for (const ImportFailure &failure : report.failed)
        details << failureLine(failure);
    if (!report.skipped.isEmpty()) {
        details << QString() << tr("Skipped (not data files):");
        details << report.skipped;
    }
    if (!report.imported.isEmpty()) {
        details << QString() << tr("Imported:");
        for (const ImportedDataset &dataset : report.imported)
            details << QStringLiteral("%1@%2 from %3").arg(dataset.name).arg(dataset.version).arg(dataset.source);
    }

    // A new import's problems replace the last ones rather than stacking dialogs.
    if (m_errorDialog)
        m_errorDialog->close();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Import problems"), heading, QMessageBox::Ok, m_dialogParent);
    box->setObjectName(QStringLiteral("importErrorDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(lines.join(u'\n'));
    box->setDetailedText(details.join(u'\n'));
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // QMessageBox sizes itself from the screen and wraps file paths into a narrow column;
    // a spacer across its grid gives the messages room.
    if (auto *grid = qobject_cast<QGridLayout *>(box->layout()))
        grid->addItem(new QSpacerItem(560, 0, QSizePolicy::Minimum, QSizePolicy::Expanding), grid->rowCount(), 0, 1,
                      grid->columnCount());
    // Neither exec() (a nested event loop) nor open() (window-modal): the user goes on working
    // with what did import while reading what did not.
    box->setWindowModality(Qt::NonModal);
    m_errorDialog = box;
    box->show();
}

} // namespace kiln
