#include "experimentspanel.h"

#include "emptystatewidget.h"
#include "icons.h"
#include "models/runlistmodel.h"
#include "newrundialog.h"
#include "runcontroller.h"
#include "runlistview.h"
#include "runpage.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QSplitter>
#include <QStackedWidget>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace kiln {

namespace {
constexpr int kListWidth = 456;
constexpr int kPageWidth = 744;
} // namespace

ExperimentsPanel::ExperimentsPanel(RunController *runs, QWidget *parent)
    : QWidget(parent)
    , m_runs(runs)
    , m_model(new RunListModel(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_list(new RunListView(m_model))
    , m_right(new QStackedWidget)
    , m_empty(new EmptyStateWidget)
    , m_page(new RunPage)
{
    setObjectName(QStringLiteral("experimentsPanel"));
    m_splitter->setObjectName(QStringLiteral("experimentsSplitter"));
    m_empty->setObjectName(QStringLiteral("experimentsEmptyState"));
    m_empty->setIcon(icons::experiments());
    createActions();

    m_right->addWidget(m_empty);
    m_right->addWidget(m_page);
    m_splitter->addWidget(m_list);
    m_splitter->addWidget(m_right);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    m_list->setMinimumWidth(260);
    m_right->setMinimumWidth(420);
    m_splitter->setSizes({kListWidth, kPageWidth});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    connect(m_list, &RunListView::currentRunChanged, this, &ExperimentsPanel::onCurrentRunChanged);
    connect(m_list, &RunListView::selectionChanged, this, &ExperimentsPanel::updateActions);
    connect(m_model, &RunListModel::runChanged, this, &ExperimentsPanel::onRunChanged);
    connect(m_model, &RunListModel::pollFailed, this, &ExperimentsPanel::errorOccurred);
    connect(m_page, &RunPage::errorOccurred, this, &ExperimentsPanel::errorOccurred);
    // The scheduler's news is the fastest way to learn that a run started or ended; the
    // model's own poll covers runs of other processes.
    connect(m_runs, &RunController::runSubmitted, this, &ExperimentsPanel::refresh);
    connect(m_runs, &RunController::runStarted, this, &ExperimentsPanel::poll);
    connect(m_runs, &RunController::runEnded, this, &ExperimentsPanel::poll);
    updateEmptyState();
    updateActions();
}

ExperimentsPanel::~ExperimentsPanel() = default;

void ExperimentsPanel::createActions()
{
    m_newRun = new QAction(tr("New Run…"), this);
    m_newRun->setObjectName(QStringLiteral("newRunAction"));
    m_newRun->setToolTip(tr("Run any command (a Python script, a binary) as a tracked run (Ctrl+Shift+R)"));
    connect(m_newRun, &QAction::triggered, this, &ExperimentsPanel::openNewRunDialog);
    m_cancel = new QAction(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelRunsAction"));
    m_cancel->setToolTip(tr("Cancel the selected queued or running runs; their processes end"));
    connect(m_cancel, &QAction::triggered, this, &ExperimentsPanel::cancelSelectedRuns);
    m_refresh = new QAction(tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshRunsAction"));
    m_refresh->setToolTip(tr("Read the runs again (F5)"));
    connect(m_refresh, &QAction::triggered, this, &ExperimentsPanel::refresh);
    m_list->toolBar()->addAction(m_newRun);
    m_list->toolBar()->addAction(m_cancel);
    m_list->toolBar()->addAction(m_refresh);
}

QTreeView *ExperimentsPanel::runTree() const
{
    return m_list->tree();
}

void ExperimentsPanel::setWorkspace(Workspace *workspace)
{
    m_workspace = workspace;
    m_page->setWorkspace(workspace);
    m_model->setDatabase(workspace ? &workspace->db() : nullptr);
    refresh();
    m_newRun->setEnabled(workspace != nullptr);
}

void ExperimentsPanel::refresh()
{
    const Status status = m_model->refresh();
    if (!status)
        Q_EMIT errorOccurred(status.errorMessage());
    if (m_page->runId() != 0)
        m_page->reload();
    updateEmptyState();
    updateActions();
}

void ExperimentsPanel::poll()
{
    const Status status = m_model->poll();
    if (!status)
        Q_EMIT errorOccurred(status.errorMessage());
    updateEmptyState();
    updateActions();
}

bool ExperimentsPanel::selectRun(qint64 runId)
{
    if (!m_model->run(runId))
        refresh();
    return m_list->selectRun(runId);
}

void ExperimentsPanel::onCurrentRunChanged(qint64 runId)
{
    if (runId == 0 || !m_page->showRun(runId))
        m_page->clear();
    updateEmptyState();
    updateActions();
}

void ExperimentsPanel::onRunChanged(qint64 runId)
{
    if (runId == m_page->runId())
        m_page->reload();
    updateActions();
}

void ExperimentsPanel::openNewRunDialog()
{
    if (!m_workspace)
        return;
    auto *dialog = new NewRunDialog(
        m_runs->experiments(), [this](const RunSpec &spec) { return m_runs->submit(spec); }, window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { selectRun(dialog->submittedRunId()); });
    dialog->open();
}

void ExperimentsPanel::cancelSelectedRuns()
{
    const QList<qint64> ids = m_list->selectedRunIds();
    for (qint64 id : ids) {
        const RunRecord *run = m_model->run(id);
        if (!run || isTerminal(run->status))
            continue;
        const Status status = m_runs->cancel(id);
        if (!status)
            Q_EMIT errorOccurred(tr("Run %1 was not cancelled: %2").arg(id).arg(status.errorMessage()));
    }
    poll();
}

QByteArray ExperimentsPanel::saveState() const
{
    return m_splitter->saveState();
}

bool ExperimentsPanel::restoreState(const QByteArray &state)
{
    return m_splitter->restoreState(state);
}

void ExperimentsPanel::updateActions()
{
    bool cancellable = false;
    const QList<qint64> ids = m_list->selectedRunIds();
    for (qint64 id : ids) {
        const RunRecord *run = m_model->run(id);
        cancellable = cancellable || (run && !isTerminal(run->status));
    }
    m_cancel->setEnabled(cancellable);
}

void ExperimentsPanel::updateEmptyState()
{
    if (m_page->runId() != 0) {
        m_right->setCurrentWidget(m_page);
        return;
    }
    if (m_model->runCount() == 0) {
        m_empty->setTitle(tr("No runs yet"));
        m_empty->setText(tr("Train a model from the Data panel (Ctrl+T) or start any command with New Run… "
                            "(Ctrl+Shift+R). Every run keeps its parameters, curves, evaluation, log and files."));
    } else {
        m_empty->setTitle(tr("Choose a run"));
        m_empty->setText(tr("Pick a run on the left to see its parameters, live curves, evaluation on the test "
                            "set, log and artifacts."));
    }
    m_right->setCurrentWidget(m_empty);
}

} // namespace kiln
