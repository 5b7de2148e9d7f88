#include "mlflowcontroller.h"

#include "mlflow/mlflowstore.h"
#include "tasks/taskmanager.h"

#include <QAction>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace kiln {

namespace {

const QString kFolderKey = QStringLiteral("mlflow/lastFolder");

QString lastFolder()
{
    const QString folder = QSettings().value(kFolderKey).toString();
    return !folder.isEmpty() && QFileInfo(folder).isDir() ? folder : QDir::homePath();
}

void rememberFolder(const QString &path)
{
    const QFileInfo info(path);
    QSettings().setValue(kFolderKey, info.isDir() ? info.absolutePath() : info.absoluteDir().absolutePath());
}

/// The task's error, prefixed with `path` when it does not name it already.
QString namingPath(const QString &message, const QString &path)
{
    const QString shown = QDir::toNativeSeparators(path);
    if (message.contains(shown) || message.contains(QFileInfo(path).fileName()))
        return message;
    return shown % u": " % message;
}

} // namespace

MlflowReportDialog::MlflowReportDialog(const QString &title, const QString &summary,
                                       const QList<mlflow::Issue> &skipped, QWidget *parent)
    : QDialog(parent)
    , m_list(new QTreeWidget)
{
    setObjectName(QStringLiteral("mlflowReportDialog"));
    setWindowTitle(title);
    auto *heading = new QLabel(skipped.size() == 1 ? tr("1 item was skipped:")
                                                   : tr("%1 items were skipped:").arg(skipped.size()));
    heading->setObjectName(QStringLiteral("reportHeading"));
    auto *summaryLabel = new QLabel(summary);
    summaryLabel->setObjectName(QStringLiteral("reportSummary"));
    summaryLabel->setWordWrap(true);
    summaryLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_list->setObjectName(QStringLiteral("skippedList"));
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({tr("Path"), tr("Reason")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setTextElideMode(Qt::ElideMiddle);
    QList<QTreeWidgetItem *> items;
    items.reserve(skipped.size());
    for (const mlflow::Issue &issue : skipped) {
        auto *item = new QTreeWidgetItem({QDir::toNativeSeparators(issue.path), issue.reason});
        item->setToolTip(0, item->text(0));
        item->setToolTip(1, issue.reason);
        items.append(item);
    }
    m_list->addTopLevelItems(items);
    m_list->header()->resizeSection(0, 380);

    auto *copyAction = new QAction(tr("Copy"), this);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copyAction, &QAction::triggered, this, &MlflowReportDialog::copy);
    m_list->addAction(copyAction);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton *copyButton = buttons->addButton(tr("Copy"), QDialogButtonBox::ActionRole);
    copyButton->setObjectName(QStringLiteral("copyReportButton"));
    copyButton->setToolTip(tr("Copy the selected rows (all when none is selected) as text"));
    connect(copyButton, &QPushButton::clicked, this, &MlflowReportDialog::copy);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summaryLabel);
    layout->addWidget(heading);
    layout->addWidget(m_list, 1);
    layout->addWidget(buttons);
    resize(820, 380);
}

MlflowReportDialog::~MlflowReportDialog() = default;

QString MlflowReportDialog::text() const
{
    QStringList lines;
    const bool onlySelected = !m_list->selectedItems().isEmpty();
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_list->topLevelItem(i);
        if (!onlySelected || item->isSelected())
            lines << item->text(0) % u'\t' % item->text(1);
    }
    return lines.join(u'\n');
}

void MlflowReportDialog::copy()
{
    QGuiApplication::clipboard()->setText(text());
}

MlflowController::MlflowController(TaskManager *tasks, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_tasks(tasks)
    , m_dialogParent(dialogParent)
{ }

MlflowController::~MlflowController() = default;

void MlflowController::importStore(const QString &path, const QString &workspaceLocation)
{
    const QString store = QFileInfo(path).absoluteFilePath();
    auto *task = new mlflow::ImportTask(workspaceLocation, store);
    task->setObjectName(QStringLiteral("mlflowImportTask"));
    connect(task, &Task::finished, this, [this, task, store, workspaceLocation] {
        const mlflow::ImportReport &report = task->report();
        switch (task->state()) {
        case Task::State::Succeeded:
            Q_EMIT statusMessage(tr("MLflow import of %1: %2").arg(QDir::toNativeSeparators(store), report.summary()));
            break;
        case Task::State::Cancelled:
            Q_EMIT statusMessage(tr("MLflow import cancelled; kept what came in: %1").arg(report.summary()));
            break;
        default:
            Q_EMIT statusMessage(tr("MLflow store not imported: %1").arg(namingPath(task->message(), store)));
            showError(tr("Cannot import the MLflow store"), namingPath(task->message(), store));
            return;
        }
        Q_EMIT storeImported(workspaceLocation, report);
        if (!report.skipped.isEmpty())
            showReport(tr("MLflow import: what was skipped"), report.summary(), report.skipped);
    });
    Q_EMIT statusMessage(tr("Importing the MLflow store %1…").arg(QDir::toNativeSeparators(store)));
    m_tasks->start(task);
}

QString MlflowController::exportFolder(const QString &chosen)
{
    const QFileInfo info(chosen);
    if (info.fileName() == QLatin1String("mlruns"))
        return info.absoluteFilePath();
    // An existing file store is added to; a folder that holds one gets its mlruns/ added to.
    QString inner = QDir(info.absoluteFilePath()).filePath(QStringLiteral("mlruns"));
    if (info.isDir() && mlflow::Reader::looksLikeStore(chosen) && !QFileInfo(inner).isDir())
        return info.absoluteFilePath();
    return inner;
}

void MlflowController::exportRuns(const QString &folder, const std::vector<qint64> &runIds,
                                  const QString &workspaceLocation)
{
    const QString target = exportFolder(folder);
    auto *task = new mlflow::ExportTask(workspaceLocation, target, runIds);
    task->setObjectName(QStringLiteral("mlflowExportTask"));
    connect(task, &Task::finished, this, [this, task, target, workspaceLocation] {
        const mlflow::ExportReport &report = task->report();
        switch (task->state()) {
        case Task::State::Succeeded:
            Q_EMIT statusMessage(report.summary());
            break;
        case Task::State::Cancelled:
            Q_EMIT statusMessage(
                tr("MLflow export cancelled; whole runs written so far stay: %1").arg(report.summary()));
            break;
        default:
            Q_EMIT statusMessage(tr("Runs not exported: %1").arg(namingPath(task->message(), target)));
            showError(tr("Cannot export runs to MLflow"), namingPath(task->message(), target));
            return;
        }
        Q_EMIT runsExported(workspaceLocation, report);
        if (!report.skipped.isEmpty())
            showReport(tr("MLflow export: what was skipped"), report.summary(), report.skipped);
    });
    Q_EMIT statusMessage(tr("Exporting %1 to %2…")
                             .arg(runIds.empty()           ? tr("every run")
                                      : runIds.size() == 1 ? tr("1 run")
                                                           : tr("%1 runs").arg(runIds.size()),
                                  QDir::toNativeSeparators(target)));
    m_tasks->start(task);
}

QFileDialog *MlflowController::newFileDialog(const QString &title, const QString &objectName)
{
    if (m_fileDialog)
        m_fileDialog->close();
    auto *dialog = new QFileDialog(m_dialogParent, title, lastFolder());
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_fileDialog = dialog;
    return dialog;
}

void MlflowController::chooseStoreFolder(const QString &workspaceLocation)
{
    QFileDialog *dialog
        = newFileDialog(tr("Import MLflow Store: choose the mlruns folder"), QStringLiteral("importMlflowStoreDialog"));
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, this, [this, workspaceLocation](const QString &folder) {
        rememberFolder(folder);
        if (!mlflow::Reader::looksLikeStore(folder)) {
            showError(tr("Not an MLflow store"),
                      tr("%1 is not an MLflow file store: it holds no experiment folders with meta.yaml "
                         "and no mlruns folder. Choose the mlruns folder, or use File ▸ Import MLflow "
                         "Database… for an mlflow.db.")
                          .arg(QDir::toNativeSeparators(folder)));
            return;
        }
        importStore(folder, workspaceLocation);
    });
    dialog->open();
}

void MlflowController::chooseStoreDatabase(const QString &workspaceLocation)
{
    QFileDialog *dialog = newFileDialog(tr("Import MLflow Database"), QStringLiteral("importMlflowDatabaseDialog"));
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters({tr("MLflow databases (*.db *.sqlite *.sqlite3)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this, [this, workspaceLocation](const QString &file) {
        rememberFolder(file);
        // The task opens it and says why when it is not an MLflow database.
        importStore(file, workspaceLocation);
    });
    dialog->open();
}

void MlflowController::chooseExportFolder(const std::vector<qint64> &runIds, const QString &workspaceLocation)
{
    const QString title = runIds.empty() ? tr("Export Every Run to MLflow: choose a folder")
                                         : tr("Export %1 Runs to MLflow: choose a folder").arg(runIds.size());
    QFileDialog *dialog = newFileDialog(title, QStringLiteral("exportMlflowDialog"));
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    dialog->setLabelText(QFileDialog::Accept, tr("Export"));
    connect(dialog, &QFileDialog::fileSelected, this, [this, runIds, workspaceLocation](const QString &folder) {
        rememberFolder(folder);
        exportRuns(folder, runIds, workspaceLocation);
    });
    dialog->open();
}

void MlflowController::showReport(const QString &title, const QString &summary, const QList<mlflow::Issue> &skipped)
{
    // A new report replaces the last one rather than stacking windows.
    if (m_reportDialog)
        m_reportDialog->close();
    auto *dialog = new MlflowReportDialog(title, summary, skipped, m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::NonModal);
    m_reportDialog = dialog;
    dialog->show();
}

void MlflowController::showError(const QString &title, const QString &message)
{
    if (m_errorDialog)
        m_errorDialog->close();
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, m_dialogParent);
    box->setObjectName(QStringLiteral("mlflowErrorDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->setWindowModality(Qt::NonModal);
    m_errorDialog = box;
    box->show();
}

} // namespace kiln
