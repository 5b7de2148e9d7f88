#include "mainwindow.h"

#include "appearance.h"
#include "data/datasetimport.h"
#include "datapanel.h"
#include "deploy/deploymentspanel.h"
#include "dropoverlay.h"
#include "experimentspanel.h"
#include "icons.h"
#include "importcontroller.h"
#include "mlflowcontroller.h"
#include "modelspanel.h"
#include "plugin/pluginmanager.h"
#include "recentworkspaces.h"
#include "runcontroller.h"
#include "runs/runscheduler.h"
#include "shortcutsdialog.h"
#include "tasks/taskmanager.h"
#include "taskstatuswidget.h"
#include "theme.h"
#include "traindialog.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace kiln {

namespace {

const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kDataSplitterKey = QStringLiteral("mainWindow/dataSplitter");
const QString kExperimentsSplitterKey = QStringLiteral("mainWindow/experimentsSplitter");
const QString kPanelKey = QStringLiteral("mainWindow/panel");
constexpr int kSidebarWidth = 176;

QString sidebarStyle()
{
    return QStringLiteral("QWidget#sidebar { background: %1; }"
                          "QLabel { color: %2; }"
                          "QListWidget#panelSwitcher { background: transparent; border: none; outline: 0; }"
                          "QListWidget#panelSwitcher::item { color: %2; padding: 9px 10px; margin: 1px 6px;"
                          "  border-radius: 6px; }"
                          "QListWidget#panelSwitcher::item:hover:!selected { background: #363941; }"
                          "QListWidget#panelSwitcher::item:selected { background: #454953; color: white;"
                          "  border-left: 3px solid %3; }")
        .arg(theme::sidebarBackground().name(), theme::sidebarText().name(), theme::accent().name());
}

} // namespace

MainWindow::MainWindow(std::unique_ptr<Workspace> workspace, QWidget *parent)
    : QMainWindow(parent)
    , m_tasks(new TaskManager(this))
    , m_imports(new ImportController(m_tasks, this))
    , m_mlflow(new MlflowController(m_tasks, this))
    , m_runs(new RunController(m_tasks, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(icons::app());
    setAcceptDrops(true);
    setUnifiedTitleAndToolBarOnMac(true);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_panels = new QStackedWidget(central);
    layout->addWidget(createSidebar());
    layout->addWidget(m_panels, 1);
    setCentralWidget(central);
    createPanels();
    createMenus();
    m_dropOverlay = new DropOverlay(central);
    m_dropOverlay->setText(tr("Drop to import into this workspace: data files, model bundles, "
                              "or MLflow stores (an mlruns folder or an mlflow.db)"));

    statusBar()->addPermanentWidget(new TaskStatusWidget(m_tasks, statusBar()));
    statusBar()->setSizeGripEnabled(true);

    connect(m_imports, &ImportController::importFinished, this, &MainWindow::onImportFinished);
    connect(m_imports, &ImportController::statusMessage, this,
            [this](const QString &message) { statusBar()->showMessage(message, kStatusTimeoutMs); });
    connect(m_mlflow, &MlflowController::storeImported, this, &MainWindow::onMlflowImported);
    connect(m_mlflow, &MlflowController::statusMessage, this,
            [this](const QString &message) { statusBar()->showMessage(message, kStatusTimeoutMs); });
    const auto showMessage = [this](const QString &message) { statusBar()->showMessage(message, kStatusTimeoutMs); };
    connect(m_dataPanel, &DataPanel::errorOccurred, this, showMessage);
    connect(m_experimentsPanel, &ExperimentsPanel::errorOccurred, this, showMessage);
    connect(m_runs, &RunController::errorOccurred, this, showMessage);
    connect(m_runs, &RunController::submissionFailed, this, [this](qint64 runId, const QString &reason) {
        showError(tr("Run %1 was not submitted to Slurm").arg(runId), reason);
    });
    connect(m_modelsPanel, &ModelsPanel::errorOccurred, this, showMessage);
    // The Deployments panel leaves its errors to the window: a dialog, and the status bar.
    connect(m_deploymentsPanel, &DeploymentsPanel::errorOccurred, this,
            [this, showMessage](const QString &title, const QString &message) {
                showMessage(title + QStringLiteral(": ") + message);
                showError(title, message);
            });
    connect(m_modelsPanel, &ModelsPanel::deployRequested, this, [this](const QString &modelRef) {
        showPanel(Panel::Deployments);
        m_deploymentsPanel->deployVersion(modelRef);
    });
    // Deployments show in the Models panel's lineage; versions in the Deploy dialog.
    connect(m_deploymentsPanel, &DeploymentsPanel::deploymentsChanged, m_modelsPanel, &ModelsPanel::refresh);
    connect(m_modelsPanel, &ModelsPanel::registryChanged, m_deploymentsPanel, &DeploymentsPanel::refresh);
    connect(m_deploymentsPanel, &DeploymentsPanel::modelVersionActivated, this,
            [this](const QString &name, int version) {
                showPanel(Panel::Models);
                m_modelsPanel->selectVersion(name, version);
            });
    connect(m_experimentsPanel, &ExperimentsPanel::registerModelRequested, this, [this](qint64 runId) {
        showPanel(Panel::Models);
        m_modelsPanel->registerRun(runId);
    });
    connect(m_modelsPanel, &ModelsPanel::runActivated, this, [this](qint64 runId) {
        showPanel(Panel::Experiments);
        if (!m_experimentsPanel->selectRun(runId))
            statusBar()->showMessage(tr("Run %1 is not among the runs shown").arg(runId), kStatusTimeoutMs);
    });
    connect(m_modelsPanel, &ModelsPanel::datasetVersionActivated, this, [this](const QString &name, int version) {
        showPanel(Panel::Data);
        m_dataPanel->selectVersion(name, version);
    });
    connect(m_dataPanel, &DataPanel::trainRequested, this, &MainWindow::openTrainDialog);
    connect(m_dataPanel, &DataPanel::currentVersionChanged, this,
            [this] { m_trainAction->setEnabled(m_dataPanel->currentVersion().id != 0); });

    setWorkspace(std::move(workspace));
    restoreLayout();
}

MainWindow::~MainWindow()
{
    // The panels hold pointers into the workspace; let go of them before it closes. The
    // scheduler goes before the TaskManager, which cancels what still runs as it is deleted.
    m_dataPanel->setWorkspace(nullptr);
    m_experimentsPanel->setWorkspace(nullptr);
    m_modelsPanel->setWorkspace(nullptr);
    m_deploymentsPanel->setWorkspace(nullptr);
    m_runs->setWorkspace(nullptr);
}

QWidget *MainWindow::createSidebar()
{
    auto *sidebar = new QWidget;
    sidebar->setObjectName(QStringLiteral("sidebar"));
    sidebar->setAttribute(Qt::WA_StyledBackground);
    sidebar->setStyleSheet(sidebarStyle());
    sidebar->setFixedWidth(kSidebarWidth);

    auto *brand = new QLabel;
    brand->setText(QStringLiteral("<span style='font-size:15pt; font-weight:600;'>Kiln</span>"));
    auto *logo = new QLabel;
    logo->setPixmap(icons::app().pixmap(28, 28));
    auto *header = new QHBoxLayout;
    header->setContentsMargins(14, 14, 14, 14);
    header->setSpacing(8);
    header->addWidget(logo);
    header->addWidget(brand, 1);

    m_sidebar = new QListWidget;
    m_sidebar->setObjectName(QStringLiteral("panelSwitcher"));
    m_sidebar->setIconSize(QSize(20, 20));
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_sidebar->setFocusPolicy(Qt::TabFocus);
    const QList<QPair<QIcon, QString>> entries = {
        {icons::data(), tr("Data")},
        {icons::experiments(), tr("Experiments")},
        {icons::models(), tr("Models")},
        {icons::deployments(), tr("Deployments")},
    };
    for (const auto &[icon, name] : entries)
        m_sidebar->addItem(new QListWidgetItem(icon, name));

    m_workspaceLabel = new QLabel;
    m_workspaceLabel->setObjectName(QStringLiteral("workspaceLabel"));
    m_workspaceLabel->setWordWrap(true);
    m_workspaceLabel->setContentsMargins(14, 8, 14, 14);

    auto *layout = new QVBoxLayout(sidebar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addWidget(m_sidebar, 1);
    layout->addWidget(m_workspaceLabel);
    return sidebar;
}

void MainWindow::createPanels()
{
    m_dataPanel = new DataPanel;
    m_panels->addWidget(m_dataPanel);

    m_experimentsPanel = new ExperimentsPanel(m_runs);
    m_modelsPanel = new ModelsPanel(m_tasks);
    m_modelsPanel->setObjectName(QStringLiteral("modelsPanel"));
    m_deploymentsPanel = new DeploymentsPanel(m_tasks);
    m_deploymentsPanel->setObjectName(QStringLiteral("deploymentsPanel"));
    // The window's View › Refresh (F5) refreshes whichever panel is shown, this one included;
    // a second F5 inside the panel would make the key ambiguous.
    m_deploymentsPanel->refreshAction()->setShortcut({});
    m_panels->addWidget(m_experimentsPanel);
    m_panels->addWidget(m_modelsPanel);
    m_panels->addWidget(m_deploymentsPanel);

    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0)
            return;
        m_panels->setCurrentIndex(row);
        const QList<QAction *> actions = m_panelActions ? m_panelActions->actions() : QList<QAction *>();
        if (row < actions.size())
            actions.at(row)->setChecked(true);
    });
    m_sidebar->setCurrentRow(0);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newWorkspace = file->addAction(tr("&New Workspace…"), this, &MainWindow::chooseNewWorkspace);
    newWorkspace->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    QAction *open = file->addAction(tr("&Open Workspace…"), this, &MainWindow::chooseWorkspaceToOpen);
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
    QAction *openStore = file->addAction(tr("Open &Team Store…"), this, [this] { showTeamStoreDialog(); });
    openStore->setObjectName(QStringLiteral("openTeamStoreAction"));
    openStore->setStatusTip(tr("Open a PostgreSQL team store that several people and machines share"));
    QMenu *recent = file->addMenu(tr("Open &Recent"));
    m_recent = new RecentWorkspaces(recent, this);
    connect(m_recent, &RecentWorkspaces::openRequested, this, &MainWindow::openRecent);
    file->addSeparator();
    QAction *importFiles
        = file->addAction(icons::importIcon(), tr("&Import Files…"), this, &MainWindow::chooseFilesToImport);
    importFiles->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    file->addAction(tr("Import &Folder…"), this, &MainWindow::chooseFolderToImport);
    file->addSeparator();
    createMlflowActions(file);
    file->addSeparator();
    file->addAction(m_modelsPanel->importBundleAction());
    file->addAction(m_modelsPanel->exportBundleAction());
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, [this] {
        if (close())
            QCoreApplication::quit();
    });
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    // Application-wide: Ctrl+Q must quit even when no Kiln window has the focus yet.
    quit->setShortcutContext(Qt::ApplicationShortcut);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *runs = menuBar()->addMenu(tr("&Run"));
    m_trainAction = runs->addAction(tr("&Train…"), this, &MainWindow::trainOnCurrentVersion);
    m_trainAction->setObjectName(QStringLiteral("trainAction"));
    m_trainAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_trainAction->setToolTip(tr("Train a model on the dataset version open in the Data panel"));
    m_trainAction->setEnabled(false);
    QAction *newRun = m_experimentsPanel->newRunAction();
    newRun->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    runs->addAction(newRun);
    runs->addSeparator();
    runs->addAction(m_experimentsPanel->cancelAction());
    runs->addSeparator();
    QAction *registerModel = m_experimentsPanel->registerModelAction();
    registerModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    runs->addAction(registerModel);

    QMenu *deploy = menuBar()->addMenu(tr("&Deploy"));
    deploy->addAction(m_deploymentsPanel->addTargetAction());
    deploy->addSeparator();
    deploy->addAction(m_deploymentsPanel->deployAction());
    deploy->addAction(m_deploymentsPanel->rollbackAction());
    deploy->addAction(m_deploymentsPanel->undeployAction());
    // They act on the Deployments panel's choice: show it.
    const QList<QAction *> deployActions = deploy->actions();
    for (QAction *action : deployActions)
        connect(action, &QAction::triggered, this, [this] { showPanel(Panel::Deployments); });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *refresh = view->addAction(tr("&Refresh"), this, &MainWindow::refreshCurrentPanel);
    refresh->setShortcut(QKeySequence(Qt::Key_F5));
    view->addSeparator();
    m_panelActions = new QActionGroup(this);
    m_panelActions->setExclusive(true);
    const QStringList names = {tr("&Data"), tr("&Experiments"), tr("&Models"), tr("De&ployments")};
    for (int i = 0; i < names.size(); ++i) {
        QAction *action = view->addAction(names.at(i));
        action->setCheckable(true);
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        action->setChecked(i == m_sidebar->currentRow());
        m_panelActions->addAction(action);
        connect(action, &QAction::triggered, this, [this, i] { m_sidebar->setCurrentRow(i); });
    }
    view->addSeparator();
    QAction *saveView = m_experimentsPanel->saveViewAction();
    saveView->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    view->addAction(saveView);
    view->addSeparator();
    view->addMenu(appearance::createMenu(this));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *shortcuts = help->addAction(tr("&Keyboard Shortcuts…"), this, [this] {
        auto *dialog = new ShortcutsDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    shortcuts->setObjectName(QStringLiteral("keyboardShortcutsAction"));
    shortcuts->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    help->addSeparator();
    QAction *demo = help->addAction(tr("Open &Demo Workspace"), this, &MainWindow::openDemoWorkspace);
    demo->setObjectName(QStringLiteral("openDemoAction"));
    demo->setStatusTip(tr("Open a workspace of generated data with real trained runs to explore every panel"));
    help->addAction(tr("&About Kiln"), this, &MainWindow::showAbout)->setMenuRole(QAction::AboutRole);
}

QWidget *MainWindow::panel(Panel panel) const
{
    return m_panels->widget(int(panel));
}

MainWindow::Panel MainWindow::currentPanel() const
{
    return Panel(m_panels->currentIndex());
}

void MainWindow::showPanel(Panel panel)
{
    m_sidebar->setCurrentRow(int(panel));
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Kiln"));
    box->setIconPixmap(icons::app().pixmap(64, 64));
    box->setText(tr("<h3>Kiln %1</h3>").arg(QStringLiteral(KILN_VERSION)));
    box->setInformativeText(tr("A native workbench for machine-learning experiments: drop data in, "
                               "train, compare, register, deploy and watch — offline.<br><br>"
                               "Built with Qt %1.")
                                .arg(QString::fromLatin1(qVersion())));
    box->open();
}

void MainWindow::openTrainDialog(const QString &name, int version)
{
    if (!m_workspace)
        return;
    Expected<DatasetVersion> found = DatasetCatalog(m_workspace->db()).version(name, version);
    if (!found) {
        showError(tr("Cannot train on %1").arg(name), found.errorMessage());
        return;
    }
    if (PluginManager::instance().trainers().isEmpty()) {
        showError(tr("No trainers"),
                  tr("No trainer plugin is loaded, so Kiln cannot train here. Run your own "
                     "training script with Run › New Run… instead."));
        return;
    }
    auto *dialog = new TrainDialog(
        *found, m_runs->experiments(), [this](const RunSpec &spec) { return m_runs->submit(spec); }, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        showPanel(Panel::Experiments);
        m_experimentsPanel->selectRun(dialog->submittedRunId());
        statusBar()->showMessage(tr("Queued run %1").arg(dialog->submittedRunId()), kStatusTimeoutMs);
    });
    dialog->open();
}

void MainWindow::trainOnCurrentVersion()
{
    const DatasetVersion &version = m_dataPanel->currentVersion();
    if (version.id == 0) {
        statusBar()->showMessage(tr("Open a dataset version in the Data panel to train on it."), kStatusTimeoutMs);
        return;
    }
    openTrainDialog(version.datasetName, version.version);
}

void MainWindow::refreshCurrentPanel()
{
    if (currentPanel() == Panel::Experiments)
        m_experimentsPanel->refresh();
    else if (currentPanel() == Panel::Models)
        m_modelsPanel->refresh();
    else if (currentPanel() == Panel::Data)
        m_dataPanel->refresh();
    else if (currentPanel() == Panel::Deployments)
        m_deploymentsPanel->refresh();
}

void MainWindow::showError(const QString &title, const QString &message)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    const int running = m_runs->scheduler() ? m_runs->scheduler()->activeRuns() : 0;
    if (running > 0 && !m_closeConfirmed) {
        // Asked without blocking: the close waits for the answer and comes again on yes.
        event->ignore();
        auto *box = new QMessageBox(QMessageBox::Question, tr("Runs are running"),
                                    running == 1 ? tr("A run is still running. Quitting cancels it.")
                                                 : tr("%1 runs are still running. Quitting cancels them.").arg(running),
                                    QMessageBox::NoButton, this);
        box->setObjectName(QStringLiteral("quitWithRunsDialog"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setInformativeText(tr("They will show as cancelled. Queued runs stay queued for the next start."));
        QPushButton *quit = box->addButton(tr("Cancel Runs and Quit"), QMessageBox::DestructiveRole);
        box->addButton(tr("Keep Running"), QMessageBox::RejectRole);
        connect(quit, &QPushButton::clicked, this, [this] {
            m_closeConfirmed = true;
            close();
        });
        box->open();
        return;
    }
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kDataSplitterKey, m_dataPanel->saveState());
    settings.setValue(kExperimentsSplitterKey, m_experimentsPanel->saveState());
    settings.setValue(kPanelKey, m_panels->currentIndex());
}

void MainWindow::restoreLayout()
{
    const QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1280, 800);
    restoreState(settings.value(kStateKey).toByteArray());
    m_dataPanel->restoreState(settings.value(kDataSplitterKey).toByteArray());
    m_experimentsPanel->restoreState(settings.value(kExperimentsSplitterKey).toByteArray());
    const int panel = settings.value(kPanelKey, 0).toInt();
    if (panel >= 0 && panel < m_panels->count())
        m_sidebar->setCurrentRow(panel);
}

} // namespace kiln
