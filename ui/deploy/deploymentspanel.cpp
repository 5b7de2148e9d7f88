// The Deployments panel: layout, and what the panel shows for the selected target. Reading
// the workspace and the targets on workers and the monitors of the active deployments are in
// deploymentsreading.cpp; the actions, their dialogs and tasks in deploymentsactions.cpp.

#include "deploy/deploymentspanel.h"
#include "appearance.h"
#include "deploy/deploymentspanel_p.h"

#include "deploy/driftview.h"
#include "deploy/trafficcharts.h"
#include "emptystatewidget.h"
#include "icons.h"
#include "models/texttablemodel.h"
#include "theme.h"
#include "viewutil.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace kiln {

namespace {

const QString kSplitterKey = QStringLiteral("deploymentsPanel/splitter");
const QString kCentreSplitterKey = QStringLiteral("deploymentsPanel/centreSplitter");
const QString kTableHeaderKey = QStringLiteral("deploymentsPanel/tableHeader");
const QString kTabKey = QStringLiteral("deploymentsPanel/tab");
constexpr int kStatusIntervalMs = 5000;

enum Tab { TrafficTab, DriftTab, HistoryTab };

QAction *newAction(const QString &text, const QString &objectName, const QKeySequence &shortcut, const QString &toolTip,
                   QObject *parent)
{
    auto *action = new QAction(text, parent);
    action->setObjectName(objectName);
    action->setShortcut(shortcut);
    action->setStatusTip(toolTip);
    action->setToolTip(shortcut.isEmpty()
                           ? toolTip
                           : QStringLiteral("%1 (%2)").arg(toolTip, shortcut.toString(QKeySequence::NativeText)));
    return action;
}

QLabel *newHeading(const QString &text)
{
    auto *heading = new QLabel(text);
    QFont font = heading->font();
    font.setBold(true);
    heading->setFont(font);
    heading->setContentsMargins(10, 10, 10, 6);
    return heading;
}

QString localTime(const QDateTime &time)
{
    return time.isValid() ? QLocale().toString(time.toLocalTime(), QLocale::ShortFormat) : QString();
}

} // namespace

DeploymentsPanel::Private::Private(DeploymentsPanel *panel, TaskManager *tasks, CredentialStore *credentials)
    : q(panel)
    , m_tasks(tasks)
    , m_credentials(credentials ? *credentials : CredentialStore())
    , m_targets(new TargetListModel(panel))
    , m_deployments(new DeploymentTableModel(panel))
    , m_sortedDeployments(new QSortFilterProxyModel(panel))
    , m_history(new TextTableModel(panel))
{
    m_sortedDeployments->setSourceModel(m_deployments);
    m_sortedDeployments->setSortRole(DeploymentTableModel::SortRole);
    m_history->setHeader({DeploymentsPanel::tr("Version"), DeploymentsPanel::tr("Status"),
                          DeploymentsPanel::tr("Created"), DeploymentsPanel::tr("Ended"),
                          DeploymentsPanel::tr("Detail")});
    m_statusTimer.setInterval(kStatusIntervalMs);
    QObject::connect(&m_statusTimer, &QTimer::timeout, panel, [this] { pollStatuses(); });
}

// ---------------------------------------------------------------------------------------------
// Layout

void DeploymentsPanel::Private::createActions()
{
    m_addTarget = newAction(DeploymentsPanel::tr("Add Target…"), QStringLiteral("addTargetAction"),
                            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
                            DeploymentsPanel::tr("Add a place to deploy to: a kiln-serve agent, an SSH host, an "
                                                 "OCI registry or a folder"),
                            q);
    m_removeTarget = newAction(DeploymentsPanel::tr("Remove Target…"), QStringLiteral("removeTargetAction"),
                               QKeySequence(QKeySequence::Delete),
                               DeploymentsPanel::tr("Remove the selected target, after asking"), q);
    // Del removes only from the targets list (and the toolbar): nowhere text is edited.
    m_removeTarget->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_deploy = newAction(DeploymentsPanel::tr("Deploy…"), QStringLiteral("deployAction"),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
                         DeploymentsPanel::tr("Push a registered model version to a target"), q);
    m_rollback = newAction(DeploymentsPanel::tr("Roll Back"), QStringLiteral("rollbackAction"),
                           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B),
                           DeploymentsPanel::tr("Return the selected target to the version it served before"), q);
    m_undeploy = newAction(DeploymentsPanel::tr("Undeploy…"), QStringLiteral("undeployAction"),
                           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U),
                           DeploymentsPanel::tr("Stop serving the selected deployment, after asking"), q);
    m_refresh = newAction(DeploymentsPanel::tr("Refresh"), QStringLiteral("refreshDeploymentsAction"),
                          QKeySequence(Qt::Key_F5),
                          DeploymentsPanel::tr("Read the targets and deployments again and ask each target"), q);
    m_refresh->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    q->addAction(m_refresh);

    QObject::connect(m_addTarget, &QAction::triggered, q, [this] { openAddTargetDialog(false); });
    QObject::connect(m_removeTarget, &QAction::triggered, q, [this] { confirmRemoveTarget(); });
    QObject::connect(m_deploy, &QAction::triggered, q, [this] { openDeployDialog({}, m_current); });
    QObject::connect(m_rollback, &QAction::triggered, q, [this] { confirmRollback(); });
    QObject::connect(m_undeploy, &QAction::triggered, q, [this] { confirmUndeploy(); });
    QObject::connect(m_refresh, &QAction::triggered, q, &DeploymentsPanel::refresh);
}

QWidget *DeploymentsPanel::Private::createEmptyPage()
{
    m_empty = new EmptyStateWidget(icons::deployments(), {}, {});
    m_empty->setObjectName(QStringLiteral("deploymentsEmptyState"));
    m_empty->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    m_emptyAddButton = new QPushButton(DeploymentsPanel::tr("Add Target…"));
    m_emptyAddButton->setObjectName(QStringLiteral("emptyAddTargetButton"));
    QObject::connect(m_emptyAddButton, &QPushButton::clicked, m_addTarget, &QAction::trigger);
    return viewutil::newEmptyPage(m_empty, m_emptyAddButton);
}

QWidget *DeploymentsPanel::Private::createBanner()
{
    m_banner = new QFrame;
    m_banner->setObjectName(QStringLiteral("driftBanner"));
    m_banner->setAttribute(Qt::WA_StyledBackground);
    m_banner->setStyleSheet(
        QStringLiteral("QFrame#driftBanner { background: %2; border: 1px solid %1;"
                       " border-radius: 4px; }"
                       "QLabel { color: %1; }")
            .arg(theme::errorText().name(),
                 theme::blend(m_banner->palette().color(QPalette::Base), theme::errorText(), 0.15).name()));
    m_bannerText = new QLabel;
    m_bannerText->setObjectName(QStringLiteral("driftBannerText"));
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextFormat(Qt::PlainText);
    auto *show = new QPushButton(DeploymentsPanel::tr("Show Drift"));
    show->setObjectName(QStringLiteral("driftBannerShow"));
    auto *dismiss = new QToolButton;
    dismiss->setObjectName(QStringLiteral("driftBannerDismiss"));
    dismiss->setText(QStringLiteral("✕"));
    dismiss->setToolTip(DeploymentsPanel::tr("Dismiss; the drift tab keeps the figures"));
    dismiss->setAutoRaise(true);
    QObject::connect(show, &QPushButton::clicked, q, [this] {
        q->selectTarget(m_bannerTarget);
        m_tabs->setCurrentIndex(DriftTab);
    });
    QObject::connect(dismiss, &QToolButton::clicked, m_banner, &QWidget::hide);
    auto *layout = new QHBoxLayout(m_banner);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->addWidget(m_bannerText, 1);
    layout->addWidget(show);
    layout->addWidget(dismiss);
    m_banner->hide();
    return m_banner;
}

QWidget *DeploymentsPanel::Private::createTargetsPane()
{
    m_targetList = new QListView;
    m_targetList->setObjectName(QStringLiteral("targetsList"));
    m_targetList->setModel(m_targets);
    m_targetList->setItemDelegate(new TargetItemDelegate(m_targetList));
    m_targetList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_targetList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_targetList->setFrameShape(QFrame::NoFrame);
    m_targetList->setSpacing(2);
    m_targetList->setContextMenuPolicy(Qt::CustomContextMenu);
    m_targetList->addAction(m_removeTarget);
    QObject::connect(m_targetList, &QListView::customContextMenuRequested, q,
                     [this](const QPoint &position) { showTargetMenu(position); });
    // The selection, not the current index: a view that takes the focus makes its first row
    // current without the user choosing it.
    QObject::connect(m_targetList->selectionModel(), &QItemSelectionModel::selectionChanged, q, [this] {
        const QModelIndexList selected = m_targetList->selectionModel()->selectedIndexes();
        if (!m_selecting && !selected.isEmpty())
            setCurrent(selected.constFirst().data(TargetListModel::NameRole).toString());
    });
    auto *pane = new QWidget;
    pane->setMinimumWidth(200);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(newHeading(DeploymentsPanel::tr("Targets")));
    layout->addWidget(m_targetList, 1);
    return pane;
}

QWidget *DeploymentsPanel::Private::createDeploymentsPane()
{
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("deploymentsTable"));
    m_table->setModel(m_sortedDeployments);
    viewutil::setUpReadOnlyTable(m_table);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DeploymentTableModel::TargetColumn, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(m_table, &QTableView::customContextMenuRequested, q,
                     [this](const QPoint &position) { showDeploymentMenu(position); });
    QObject::connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, q, [this] {
        const QModelIndexList selected = m_table->selectionModel()->selectedIndexes();
        if (!m_selecting && !selected.isEmpty())
            setCurrent(selected.constFirst().data(DeploymentTableModel::TargetRole).toString());
    });
    QObject::connect(m_table, &QTableView::doubleClicked, q, [this](const QModelIndex &index) {
        if (const DeploymentEntry *entry
            = m_deployments->deployment(index.data(DeploymentTableModel::TargetRole).toString()))
            Q_EMIT q->modelVersionActivated(entry->modelName, entry->version);
    });

    m_tableNote = new QLabel;
    m_tableNote->setObjectName(QStringLiteral("deploymentsNote"));
    m_tableNote->setAlignment(Qt::AlignCenter);
    m_tableNote->setWordWrap(true);
    m_tableNote->setMargin(16);
    appearance::setTextRole(m_tableNote, appearance::TextRole::Muted);
    m_tableNote->setText(DeploymentsPanel::tr("Nothing is deployed from this workspace yet. Deploy… (Ctrl+Shift+D) "
                                              "pushes a registered model version to a target; so does Deploy… on "
                                              "a version in the Models panel."));
    m_tableStack = new QStackedWidget;
    m_tableStack->addWidget(m_tableNote);
    m_tableStack->addWidget(m_table);

    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(newHeading(DeploymentsPanel::tr("Deployments")));
    layout->addWidget(m_tableStack, 1);
    return pane;
}

QWidget *DeploymentsPanel::Private::createDetailTabs()
{
    m_traffic = new TrafficCharts;
    m_traffic->setObjectName(QStringLiteral("trafficCharts"));
    m_drift = new DriftView;
    m_drift->setObjectName(QStringLiteral("driftView"));
    m_drift->setThresholds(m_thresholds);
    m_historyView = viewutil::newReadOnlyTable(m_history, QStringLiteral("historyTable"), nullptr);
    m_historyView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    QObject::connect(m_historyView, &QTableView::doubleClicked, q, [this](const QModelIndex &index) {
        const QList<DeploymentEntry> rows = m_snapshot.history(m_current);
        if (index.row() < rows.size())
            Q_EMIT q->modelVersionActivated(rows.at(index.row()).modelName, rows.at(index.row()).version);
    });
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("deploymentTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_traffic, DeploymentsPanel::tr("Traffic"));
    m_tabs->addTab(m_drift, DeploymentsPanel::tr("Drift"));
    m_tabs->addTab(m_historyView, DeploymentsPanel::tr("History"));

    m_detailTitle = newHeading({});
    m_detailTitle->setObjectName(QStringLiteral("deploymentDetailTitle"));
    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_detailTitle);
    layout->addWidget(m_tabs, 1);
    return pane;
}

QWidget *DeploymentsPanel::Private::createMainPage()
{
    m_centreSplitter = new QSplitter(Qt::Vertical);
    m_centreSplitter->setObjectName(QStringLiteral("deploymentsCentreSplitter"));
    m_centreSplitter->addWidget(createDeploymentsPane());
    m_centreSplitter->addWidget(createDetailTabs());
    m_centreSplitter->setChildrenCollapsible(false);
    m_centreSplitter->setStretchFactor(1, 1);
    m_centreSplitter->setSizes({200, 600});

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("deploymentsSplitter"));
    m_splitter->addWidget(createTargetsPane());
    m_splitter->addWidget(m_centreSplitter);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setSizes({260, 1000});
    return m_splitter;
}

void DeploymentsPanel::Private::restoreLayout()
{
    // The stack lays out only the page it shows; the main page may be hidden behind the
    // empty state, and a splitter restored at a size it never has squeezes its panes.
    const QSettings settings;
    m_splitter->setGeometry(m_stack->contentsRect());
    m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
    m_centreSplitter->restoreState(settings.value(kCentreSplitterKey).toByteArray());
    m_tableSized = m_table->horizontalHeader()->restoreState(settings.value(kTableHeaderKey).toByteArray());
    m_table->horizontalHeader()->setStretchLastSection(true);
}

void DeploymentsPanel::Private::saveLayout() const
{
    QSettings settings;
    // A panel never shown has only the default layout: the one saved stays.
    if (m_layoutRestored) {
        settings.setValue(kSplitterKey, m_splitter->saveState());
        settings.setValue(kCentreSplitterKey, m_centreSplitter->saveState());
        settings.setValue(kTableHeaderKey, m_table->horizontalHeader()->saveState());
    }
    settings.setValue(kTabKey, m_tabs->currentIndex());
}

DeploymentsPanel::DeploymentsPanel(TaskManager *tasks, CredentialStore *credentials, QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>(this, tasks, credentials))
{
    setObjectName(QStringLiteral("deploymentsPanel"));
    d->createActions();

    d->m_toolBar = new QToolBar;
    d->m_toolBar->setObjectName(QStringLiteral("deploymentsToolBar"));
    d->m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    d->m_toolBar->addAction(d->m_addTarget);
    d->m_toolBar->addAction(d->m_removeTarget);
    d->m_toolBar->addSeparator();
    d->m_toolBar->addAction(d->m_deploy);
    d->m_toolBar->addAction(d->m_rollback);
    d->m_toolBar->addAction(d->m_undeploy);
    d->m_toolBar->addSeparator();
    d->m_toolBar->addAction(d->m_refresh);

    d->m_stack = new QStackedWidget;
    d->m_stack->addWidget(d->createEmptyPage());
    d->m_stack->addWidget(d->createMainPage());

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 0);
    layout->setSpacing(4);
    layout->addWidget(d->m_toolBar);
    layout->addWidget(d->createBanner());
    layout->addWidget(d->m_stack, 1);

    const QSettings settings;
    d->m_tabs->setCurrentIndex(std::clamp(settings.value(kTabKey, 0).toInt(), 0, d->m_tabs->count() - 1));
    d->updateStack();
    d->updateDetail();
    d->updateActions();
}

DeploymentsPanel::~DeploymentsPanel()
{
    d->saveLayout();
    d->cancelWork();
}

void DeploymentsPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!d->m_layoutRestored) {
        d->m_layoutRestored = true;
        d->restoreLayout();
    }
    if (d->m_workspace) {
        d->m_statusTimer.start();
        d->pollStatuses();
    }
}

void DeploymentsPanel::hideEvent(QHideEvent *event)
{
    // The monitors go on while hidden (drift alerts); asking every target does not.
    d->m_statusTimer.stop();
    QWidget::hideEvent(event);
}

void DeploymentsPanel::setWorkspace(Workspace *workspace)
{
    d->cancelWork();
    ++d->m_generation;
    d->m_workspace = workspace;
    d->m_root = workspace ? workspace->location() : QString();
    d->m_snapshot = DeploymentsSnapshot();
    d->m_loaded = false;
    d->m_lastLoadError.clear();
    d->m_current.clear();
    d->m_deployPending = false;
    d->m_targets->setTargets({});
    d->m_deployments->setDeployments({});
    d->m_banner->hide();
    if (workspace && isVisible())
        d->m_statusTimer.start();
    else
        d->m_statusTimer.stop();
    d->updateStack();
    d->updateDetail();
    d->updateActions();
    refresh();
}

void DeploymentsPanel::refresh()
{
    d->load();
}

bool DeploymentsPanel::selectTarget(const QString &target)
{
    if (d->m_targets->rowOf(target) < 0)
        return false;
    d->setCurrent(target);
    return true;
}

QString DeploymentsPanel::currentTarget() const
{
    return d->m_current;
}

void DeploymentsPanel::deployVersion(const QString &modelRef)
{
    d->openDeployDialog(modelRef, d->m_current);
}

QAction *DeploymentsPanel::addTargetAction() const
{
    return d->m_addTarget;
}

QAction *DeploymentsPanel::removeTargetAction() const
{
    return d->m_removeTarget;
}

QAction *DeploymentsPanel::deployAction() const
{
    return d->m_deploy;
}

QAction *DeploymentsPanel::rollbackAction() const
{
    return d->m_rollback;
}

QAction *DeploymentsPanel::undeployAction() const
{
    return d->m_undeploy;
}

QAction *DeploymentsPanel::refreshAction() const
{
    return d->m_refresh;
}

// ---------------------------------------------------------------------------------------------
// Selection and what is shown for it

void DeploymentsPanel::Private::setCurrent(const QString &target)
{
    if (target == m_current) {
        selectInViews();
        return;
    }
    m_current = target;
    selectInViews();
    updateDetail();
    updateActions();
}

void DeploymentsPanel::Private::selectInViews()
{
    m_selecting = true;
    const int row = m_targets->rowOf(m_current);
    if (row >= 0)
        m_targetList->selectionModel()->setCurrentIndex(m_targets->index(row), QItemSelectionModel::ClearAndSelect);
    else
        m_targetList->selectionModel()->clear();
    const QModelIndex deployment
        = m_sortedDeployments->mapFromSource(m_deployments->index(m_deployments->rowOf(m_current), 0));
    if (deployment.isValid())
        m_table->selectionModel()->setCurrentIndex(deployment,
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    else
        m_table->selectionModel()->clear();
    m_selecting = false;
}

void DeploymentsPanel::Private::updateDetail()
{
    const DeploymentEntry *entry = m_snapshot.active(m_current);
    if (m_current.isEmpty())
        m_detailTitle->setText(DeploymentsPanel::tr("Select a target"));
    else if (entry)
        m_detailTitle->setText(DeploymentsPanel::tr("%1 on %2").arg(entry->ref(), m_current));
    else
        m_detailTitle->setText(DeploymentsPanel::tr("%1 (nothing deployed)").arg(m_current));
    updateHistory();
    updateTraffic();
}

void DeploymentsPanel::Private::updateHistory()
{
    QList<QVariantList> rows;
    QList<QStringList> tips;
    const QList<DeploymentEntry> history = m_snapshot.history(m_current);
    for (const DeploymentEntry &entry : history) {
        const QString detail = deploymentDetailText(entry.record.detail);
        rows.append({entry.ref(), entry.record.status, localTime(entry.record.createdAt),
                     localTime(entry.record.endedAt), detail});
        tips.append({entry.ref(), entry.record.status, entry.record.createdAt.toString(Qt::ISODate),
                     entry.record.endedAt.toString(Qt::ISODate), detail});
    }
    m_history->setRows(rows);
    m_history->setToolTips(tips);
    m_historyView->resizeColumnsToContents();
}

void DeploymentsPanel::Private::updateTraffic()
{
    const DeploymentEntry *entry = m_snapshot.active(m_current);
    const auto monitor = m_monitors.constFind(m_current);
    if (entry && monitor != m_monitors.constEnd()) {
        m_traffic->setSamples(monitor->monitor->samples());
        m_drift->setSamples(monitor->monitor->samples());
        return;
    }
    m_drift->clear();
    if (m_current.isEmpty()) {
        m_traffic->setNote(DeploymentsPanel::tr("Select a deployment to see its traffic."));
        return;
    }
    if (!entry) {
        m_traffic->setNote(DeploymentsPanel::tr("%1 serves nothing from this workspace: Deploy… pushes a version to "
                                                "it, and its traffic shows here.")
                               .arg(m_current));
        return;
    }
    const TargetStatus *status = m_targets->status(m_current);
    if (!status)
        m_traffic->setNote(DeploymentsPanel::tr("Asking %1 for its status…").arg(m_current));
    else if (status->metricsUrl.isEmpty())
        m_traffic->setNote(
            DeploymentsPanel::tr("%1 has no metrics endpoint (health: %2). Request rate, latency and drift are "
                                 "charted for targets that serve through kiln-serve.")
                .arg(m_current, status->health));
    else
        m_traffic->setNote(DeploymentsPanel::tr("Waiting for the first scrape of %1…").arg(status->metricsUrl));
}

void DeploymentsPanel::Private::updateStack()
{
    const bool hasTargets = m_workspace && m_targets->rowCount() > 0;
    if (!m_workspace) {
        m_empty->setTitle(DeploymentsPanel::tr("No workspace open"));
        m_empty->setText(DeploymentsPanel::tr("Open or create a workspace (File › Open Workspace…) to deploy its "
                                              "registered models."));
    } else if (!m_loaded) {
        m_empty->setTitle(DeploymentsPanel::tr("Reading deployments…"));
        m_empty->setText({});
    } else {
        m_empty->setTitle(DeploymentsPanel::tr("No deployment targets yet"));
        m_empty->setText(DeploymentsPanel::tr(
            "A target is where model versions go: a host running the kiln-serve agent (start it there with "
            "“kiln-serve --data DIR --port 8080”), an SSH host, an OCI registry or a folder. Add one with "
            "Add Target… (Ctrl+Shift+A), then push a registered version to it with Deploy… (Ctrl+Shift+D) "
            "and watch its health, traffic and drift here."));
    }
    m_emptyAddButton->setVisible(m_workspace && m_loaded);
    m_stack->setCurrentIndex(hasTargets ? 1 : 0);
    m_tableStack->setCurrentIndex(m_deployments->rowCount() > 0 ? 1 : 0);
}

} // namespace kiln
