#include "experimentspanel.h"

#include "compare/barsview.h"
#include "compare/confusionview.h"
#include "compare/curvesview.h"
#include "compare/diffview.h"
#include "compare/importanceview.h"
#include "compare/metricoverlayview.h"
#include "compare/parallelcoordinatesview.h"
#include "compare/scatterview.h"
#include "emptystatewidget.h"
#include "icons.h"
#include "models/runtablemodel.h"
#include "newrundialog.h"
#include "runcontroller.h"
#include "runpage.h"
#include "runs/runstore.h"
#include "runstableview.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QSet>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace kiln {

namespace {

constexpr int kTableHeight = 330;
constexpr int kTabsHeight = 470;
// A burst of selection changes (a drag, Shift+arrows) becomes one comparison update.
constexpr int kSelectionDelayMs = 40;

} // namespace

ExperimentsPanel::ExperimentsPanel(RunController *runs, QWidget *parent)
    : QWidget(parent)
    , m_runs(runs)
    , m_stack(new QStackedWidget)
    , m_empty(new EmptyStateWidget)
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_table(new RunsTableView)
    , m_tabs(new QTabWidget)
    , m_page(new RunPage)
    , m_parallel(new ParallelCoordinatesView)
    , m_brushNote(new QLabel)
    , m_selectionTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("experimentsPanel"));
    m_splitter->setObjectName(QStringLiteral("experimentsSplitter"));
    m_tabs->setObjectName(QStringLiteral("comparisonTabs"));
    m_empty->setObjectName(QStringLiteral("experimentsEmptyState"));
    m_empty->setIcon(icons::experiments());
    m_brushNote->setObjectName(QStringLiteral("brushNote"));
    m_selectionTimer->setSingleShot(true);
    m_selectionTimer->setInterval(kSelectionDelayMs);
    createActions();

    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_page, tr("Run"));
    m_tabs->setTabToolTip(0, tr("The current run: parameters, live curves, evaluation, log and files"));
    addComparisonTab(Tab::Overlay, new MetricOverlayView, tr("Metrics"));
    addComparisonTab(Tab::Parallel, m_parallel, tr("Parallel"));
    addComparisonTab(Tab::Scatter, new ScatterView, tr("Scatter"));
    addComparisonTab(Tab::Bars, new BarsView, tr("Bars"));
    addComparisonTab(Tab::Curves, new CurvesView, tr("ROC / PR"));
    addComparisonTab(Tab::Confusion, new ConfusionView, tr("Confusion"));
    addComparisonTab(Tab::Importance, new ImportanceView, tr("Importance"));
    addComparisonTab(Tab::Diff, new DiffView, tr("Diff"));
    auto *exportButton = new QToolButton;
    exportButton->setObjectName(QStringLiteral("exportViewButton"));
    exportButton->setDefaultAction(m_export);
    exportButton->setAutoRaise(true);
    m_tabs->setCornerWidget(exportButton, Qt::TopRightCorner);

    m_stack->addWidget(m_tabs);
    m_stack->addWidget(m_empty);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_stack);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({kTableHeight, kTabsHeight});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    connect(m_table, &RunsTableView::currentRunChanged, this, &ExperimentsPanel::onCurrentRunChanged);
    connect(m_table, &RunsTableView::selectedRunsChanged, m_selectionTimer, qOverload<>(&QTimer::start));
    connect(m_table, &RunsTableView::runActivated, this, [this] { showTab(Tab::Run); });
    connect(m_selectionTimer, &QTimer::timeout, this, &ExperimentsPanel::onSelectionChanged);
    connect(runModel(), &RunTableModel::loaded, this, &ExperimentsPanel::onTableLoaded);
    connect(runModel(), &RunTableModel::loadFailed, this, &ExperimentsPanel::errorOccurred);
    connect(runModel(), &RunTableModel::runChanged, this, [this](qint64 runId) {
        if (runId == m_page->runId())
            m_page->reload();
        updateActions();
    });
    connect(m_page, &RunPage::errorOccurred, this, &ExperimentsPanel::errorOccurred);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        updateCurrentView();
        updateActions();
    });
    connect(m_parallel, &ParallelCoordinatesView::brushChanged, this, &ExperimentsPanel::onBrushChanged);
    connect(m_brushNote, &QLabel::linkActivated, this, [this] { onBrushChanged(std::nullopt); });
    // The scheduler's news is the fastest way to learn that a run started or ended; the
    // model's own poll covers runs of other processes.
    connect(m_runs, &RunController::runSubmitted, this, [this] { runModel()->poll(); });
    connect(m_runs, &RunController::runStarted, this, [this] { runModel()->poll(); });
    connect(m_runs, &RunController::runEnded, this, [this] { runModel()->poll(); });
    updateEmptyState();
    updateActions();
}

ExperimentsPanel::~ExperimentsPanel() = default;

const QStringList &ExperimentsPanel::tabKeys()
{
    static const QStringList keys = {
        QStringLiteral("run"),       QStringLiteral("overlay"),    QStringLiteral("parallel"),
        QStringLiteral("scatter"),   QStringLiteral("bars"),       QStringLiteral("curves"),
        QStringLiteral("confusion"), QStringLiteral("importance"), QStringLiteral("diff"),
    };
    return keys;
}

void ExperimentsPanel::addComparisonTab(Tab tab, ComparisonView *view, const QString &title)
{
    Q_ASSERT(int(tab) == m_tabs->count());
    view->setObjectName(tabKeys().at(int(tab)) + QStringLiteral("View"));
    m_tabs->addTab(view, title);
    m_views.append(view);
    m_stale.append(true);
    connect(view, &ComparisonView::errorOccurred, this, &ExperimentsPanel::errorOccurred);
}

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
    m_register = new QAction(tr("Register Model…"), this);
    m_register->setObjectName(QStringLiteral("registerModelAction"));
    m_register->setToolTip(tr("Register the current run's model as a new version in the model registry "
                              "(Ctrl+Shift+M)"));
    connect(m_register, &QAction::triggered, this, [this] {
        if (const qint64 runId = m_table->currentRunId(); runId != 0)
            Q_EMIT registerModelRequested(runId);
    });
    m_refresh = new QAction(tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshRunsAction"));
    m_refresh->setToolTip(tr("Read the runs again (F5)"));
    connect(m_refresh, &QAction::triggered, this, &ExperimentsPanel::refresh);
    m_saveView = new QAction(tr("Save View…"), this);
    m_saveView->setObjectName(QStringLiteral("saveViewAction"));
    m_saveView->setToolTip(tr("Save this comparison (experiments, filter, columns, selected runs, charts) "
                              "under a name in the workspace"));
    connect(m_saveView, &QAction::triggered, this, &ExperimentsPanel::chooseViewName);
    m_export = new QAction(tr("Export…"), this);
    m_export->setObjectName(QStringLiteral("exportViewAction"));
    m_export->setToolTip(tr("Export the chart or table shown as PNG, SVG or CSV"));
    connect(m_export, &QAction::triggered, this, &ExperimentsPanel::chooseExportPath);

    m_experimentsButton = new QToolButton;
    m_experimentsButton->setObjectName(QStringLiteral("experimentsButton"));
    m_experimentsButton->setPopupMode(QToolButton::InstantPopup);
    m_experimentsButton->setToolTip(tr("The experiments whose runs the table shows"));
    m_experimentsMenu = new QMenu(m_experimentsButton);
    m_experimentsButton->setMenu(m_experimentsMenu);
    connect(m_experimentsMenu, &QMenu::aboutToShow, this, &ExperimentsPanel::updateExperimentsMenu);

    auto *viewsButton = new QToolButton;
    viewsButton->setObjectName(QStringLiteral("viewsButton"));
    viewsButton->setText(tr("Views"));
    viewsButton->setPopupMode(QToolButton::InstantPopup);
    m_viewsMenu = new QMenu(viewsButton);
    viewsButton->setMenu(m_viewsMenu);
    connect(m_viewsMenu, &QMenu::aboutToShow, this, &ExperimentsPanel::updateViewsMenu);

    QToolBar *bar = m_table->toolBar();
    bar->addSeparator();
    bar->addAction(m_newRun);
    bar->addAction(m_cancel);
    bar->addAction(m_register);
    bar->addAction(m_refresh);
    bar->addSeparator();
    bar->addWidget(m_experimentsButton);
    bar->addWidget(viewsButton);
    m_brushNote->setVisible(false);
    m_brushNote->setTextFormat(Qt::RichText);
    bar->addWidget(m_brushNote);
    m_experimentsButton->setText(tr("All experiments"));
}

RunTableModel *ExperimentsPanel::runModel() const
{
    return m_table->model();
}

QTreeView *ExperimentsPanel::runTree() const
{
    return m_table->tree();
}

void ExperimentsPanel::setWorkspace(Workspace *workspace)
{
    m_workspace = workspace;
    m_page->setWorkspace(workspace);
    m_page->clear();
    m_pendingSelection.clear();
    m_pendingUuids.clear();
    m_comparison = Comparison();
    runModel()->setBrushedRuns(std::nullopt);
    m_brushNote->setVisible(false);
    m_table->setExperiments({});
    m_experimentsButton->setText(tr("All experiments"));
    m_table->setDatabasePath(workspace ? workspace->databasePath() : QString());
    m_newRun->setEnabled(workspace != nullptr);
    m_saveView->setEnabled(workspace != nullptr);
    updateComparison();
    updateEmptyState();
    updateActions();
}

void ExperimentsPanel::refresh()
{
    m_table->reload();
    if (m_page->runId() != 0)
        m_page->reload();
}

bool ExperimentsPanel::selectRun(qint64 runId)
{
    if (runId == 0)
        return false;
    const std::shared_ptr<const RunTable> table = runModel()->table();
    if (!table || table->rowOfRun(runId) < 0 || !runModel()->indexForRun(runId).isValid()) {
        // Not loaded yet (a run submitted a moment ago): select it once the table has it.
        m_pendingSelection = {runId};
        runModel()->poll();
        return false;
    }
    m_table->selectRuns({runId});
    onCurrentRunChanged(runId);
    return true;
}

void ExperimentsPanel::selectRuns(const QList<qint64> &runIds)
{
    m_table->selectRuns(runIds);
}

QList<qint64> ExperimentsPanel::selectedRunIds() const
{
    return m_table->selectedRunIds();
}

void ExperimentsPanel::selectImportedRuns(const QStringList &uuids)
{
    m_pendingUuids = uuids;
    // A reload supersedes loads and polls in flight, so the next loaded() has the new runs.
    if (!runModel()->experiments().isEmpty())
        setExperiments({});
    else
        m_table->reload();
}

void ExperimentsPanel::setExperiments(const QStringList &experiments)
{
    m_table->setExperiments(experiments);
    m_experimentsButton->setText(experiments.isEmpty()         ? tr("All experiments")
                                     : experiments.size() == 1 ? experiments.constFirst()
                                                               : tr("%1 experiments").arg(experiments.size()));
}

void ExperimentsPanel::onCurrentRunChanged(qint64 runId)
{
    if (runId == 0 || !m_page->showRun(runId))
        m_page->clear();
    updateActions();
}

void ExperimentsPanel::onSelectionChanged()
{
    updateComparison();
    updateActions();
}

void ExperimentsPanel::onTableLoaded()
{
    if (!m_pendingSelection.isEmpty()) {
        const std::shared_ptr<const RunTable> table = runModel()->table();
        QList<qint64> present;
        for (qint64 id : std::as_const(m_pendingSelection)) {
            if (table && table->rowOfRun(id) >= 0)
                present.append(id);
        }
        if (!present.isEmpty()) {
            m_pendingSelection.clear();
            m_table->selectRuns(present);
            if (present.size() == 1)
                onCurrentRunChanged(present.constFirst());
        }
    }
    if (!m_pendingUuids.isEmpty()) {
        const std::shared_ptr<const RunTable> table = runModel()->table();
        const QSet<QString> wanted(m_pendingUuids.cbegin(), m_pendingUuids.cend());
        m_pendingUuids.clear();
        // The imported runs first (the first becomes the current run), then those selected before.
        QList<qint64> selection;
        QSet<qint64> imported;
        const RunTable::Column *uuids = table ? &table->column(int(RunAttribute::Uuid)) : nullptr;
        for (int row = 0; uuids && row < table->rowCount(); ++row) {
            const qint32 code = uuids->codes[std::size_t(row)];
            if (code >= 0 && wanted.contains(uuids->dictionary.at(code))) {
                selection.append(table->runId(row));
                imported.insert(table->runId(row));
            }
        }
        if (!selection.isEmpty()) {
            const QList<qint64> before = m_table->selectedRunIds();
            for (qint64 id : before) {
                if (!imported.contains(id))
                    selection.append(id);
            }
            m_table->selectRuns(selection);
            onCurrentRunChanged(selection.constFirst());
            if (selection.size() > 1 && currentTab() == Tab::Run)
                showTab(Tab::Overlay);
        }
    }
    if (!m_pendingSettings.isEmpty()) {
        for (int i = 0; i < m_views.size(); ++i) {
            const QJsonObject settings = m_pendingSettings.value(tabKeys().at(i + 1)).toObject();
            if (!settings.isEmpty())
                m_views.at(i)->restoreSettings(settings);
        }
        m_pendingSettings = {};
    }
    // A new snapshot: the views show the same runs with their new values (live curves,
    // statuses). The selection timer coalesces this with a selection change under way.
    m_selectionTimer->start();
    updateEmptyState();
}

void ExperimentsPanel::onBrushChanged(const std::optional<QSet<qint64>> &runIds)
{
    if (m_brushing)
        return;
    // Brushing narrows the table, not the comparison: the parallel coordinates keep showing
    // every compared run, those outside the brush faint. The compared runs the table still
    // shows stay selected there, and all of them again once the brush is cleared.
    m_brushing = true;
    if (!runIds)
        m_parallel->clearBrushes();
    runModel()->setBrushedRuns(runIds);
    QList<qint64> compared;
    if (m_comparison.table) {
        for (int row : m_comparison.rows)
            compared.append(m_comparison.table->runId(row));
    }
    m_table->selectRuns(compared);
    m_selectionTimer->stop();
    m_brushing = false;
    if (runIds) {
        const QString runs = runIds->size() == 1 ? tr("1 run") : tr("%1 runs").arg(runIds->size());
        m_brushNote->setText(tr("Brushed: %1 in the table · <a href=\"clear\">Clear</a>").arg(runs));
    }
    m_brushNote->setVisible(runIds.has_value());
}

void ExperimentsPanel::updateComparison()
{
    Comparison comparison;
    comparison.workspace = m_workspace;
    comparison.table = runModel()->table();
    if (comparison.table) {
        const QList<qint64> ids = m_table->selectedRunIds();
        comparison.rows.reserve(std::size_t(ids.size()));
        for (qint64 id : ids) {
            const int row = comparison.table->rowOfRun(id);
            if (row >= 0)
                comparison.rows.push_back(row);
        }
    }
    m_comparison = comparison;
    for (int i = 0; i < m_stale.size(); ++i)
        m_stale[i] = true;
    updateCurrentView();
}

void ExperimentsPanel::updateCurrentView()
{
    const int index = m_tabs->currentIndex() - 1;
    if (index < 0 || index >= m_views.size() || !m_stale.at(index))
        return;
    m_stale[index] = false;
    m_views.at(index)->setComparison(m_comparison);
}

void ExperimentsPanel::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(int(tab));
}

ExperimentsPanel::Tab ExperimentsPanel::currentTab() const
{
    return Tab(m_tabs->currentIndex());
}

ComparisonView *ExperimentsPanel::comparisonView(Tab tab) const
{
    const int index = int(tab) - 1;
    return index >= 0 && index < m_views.size() ? m_views.at(index) : nullptr;
}

void ExperimentsPanel::updateExperimentsMenu()
{
    m_experimentsMenu->clear();
    if (!m_workspace)
        return;
    const QStringList chosen = runModel()->experiments();
    QAction *all = m_experimentsMenu->addAction(tr("All experiments"), this, [this] { setExperiments({}); });
    all->setCheckable(true);
    all->setChecked(chosen.isEmpty());
    m_experimentsMenu->addSeparator();
    const QStringList names = RunStore(m_workspace->db()).experiments();
    for (const QString &name : names) {
        QAction *action = m_experimentsMenu->addAction(name);
        action->setCheckable(true);
        action->setChecked(chosen.contains(name));
        connect(action, &QAction::toggled, this, [this, name](bool on) {
            QStringList experiments = runModel()->experiments();
            experiments.removeAll(name);
            if (on)
                experiments.append(name);
            setExperiments(experiments);
        });
    }
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
    const std::shared_ptr<const RunTable> table = runModel()->table();
    if (!table)
        return;
    const QList<qint64> ids = m_table->selectedRunIds();
    for (qint64 id : ids) {
        const int row = table->rowOfRun(id);
        if (row < 0 || isTerminal(table->status(row)))
            continue;
        const Status status = m_runs->cancel(id);
        if (!status)
            Q_EMIT errorOccurred(tr("Run %1 was not cancelled: %2").arg(id).arg(status.errorMessage()));
    }
    runModel()->poll();
}

QByteArray ExperimentsPanel::saveState() const
{
    const QJsonObject state = {
        {QStringLiteral("splitter"), QString::fromLatin1(m_splitter->saveState().toBase64())},
        {QStringLiteral("table"), m_table->saveState()},
        {QStringLiteral("tab"), tabKeys().at(int(currentTab()))},
    };
    return QJsonDocument(state).toJson(QJsonDocument::Compact);
}

bool ExperimentsPanel::restoreState(const QByteArray &state)
{
    const QJsonObject object = QJsonDocument::fromJson(state).object();
    if (object.isEmpty())
        return false;
    m_splitter->restoreState(QByteArray::fromBase64(object.value(QStringLiteral("splitter")).toString().toLatin1()));
    QJsonObject table = object.value(QStringLiteral("table")).toObject();
    // A layout keeps columns and widths; a filter belongs to a workspace, so it does not carry over.
    table.remove(QStringLiteral("filter"));
    m_table->restoreState(table);
    const int tab = int(tabKeys().indexOf(object.value(QStringLiteral("tab")).toString()));
    if (tab >= 0)
        m_tabs->setCurrentIndex(tab);
    return true;
}

void ExperimentsPanel::updateActions()
{
    bool cancellable = false;
    const std::shared_ptr<const RunTable> table = runModel()->table();
    if (table) {
        const QList<qint64> ids = m_table->selectedRunIds();
        for (qint64 id : ids) {
            const int row = table->rowOfRun(id);
            if (row >= 0 && !isTerminal(table->status(row))) {
                cancellable = true;
                break;
            }
        }
    }
    m_cancel->setEnabled(cancellable);
    const int current = table ? table->rowOfRun(m_table->currentRunId()) : -1;
    m_register->setEnabled(current >= 0 && table->status(current) == RunStatus::Finished);
    m_export->setEnabled(comparisonView(currentTab()) != nullptr);
}

void ExperimentsPanel::updateEmptyState()
{
    const std::shared_ptr<const RunTable> table = runModel()->table();
    if (m_workspace && table && table->rowCount() > 0) {
        m_stack->setCurrentWidget(m_tabs);
        return;
    }
    m_empty->setTitle(tr("No runs yet"));
    m_empty->setText(tr("Train a model from the Data panel (Ctrl+T), start any command with New Run… "
                        "(Ctrl+Shift+R), or drop an MLflow mlruns folder or mlflow.db here. Every run keeps "
                        "its parameters, curves, evaluation, log and files. Help ▸ Open Demo Workspace "
                        "fills a workspace with real runs to explore."));
    m_stack->setCurrentWidget(m_empty);
}

} // namespace kiln
