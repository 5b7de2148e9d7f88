#include "modelspanel.h"

#include "data/datasetcatalog.h"
#include "emptystatewidget.h"
#include "icons.h"
#include "lineageview.h"
#include "modelactions.h"
#include "modelcomparepage.h"
#include "modelpages.h"
#include "models/registrymodels.h"
#include "registry/modelregistry.h"
#include "viewutil.h"
#include "workspace/workspace.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace kiln {

namespace {

const QString kSplitterKey = QStringLiteral("modelsPanel/splitter");
const QString kVersionSplitterKey = QStringLiteral("modelsPanel/versionSplitter");
const QString kTabKey = QStringLiteral("modelsPanel/tab");
constexpr int kTagsColumnWidth = 240;

/// The tabs under the versions table, in order, by their stable names in the settings.
const QStringList &tabKeys()
{
    static const QStringList keys
        = {QStringLiteral("card"), QStringLiteral("lineage"), QStringLiteral("signature"), QStringLiteral("compare")};
    return keys;
}

} // namespace

class ModelsPanel::Private
{
public:
    explicit Private(ModelsPanel *panel, TaskManager *tasks);

    void createActions();
    QWidget *createEmptyPage();
    QWidget *createModelPage();

    const ModelVersion *current() const;
    void loadModel(const QString &name, int version);
    void selectRow(int version);
    void onVersionChanged();
    void updateEmptyState();
    void changed(const QString &model, int version);
    void showVersionMenu(const QPoint &position);
    void showError(const QString &message, const QString &details = {});

    ModelsPanel *q;
    TaskManager *m_tasks;
    Workspace *m_workspace = nullptr;
    RegisteredModelListModel *m_models;
    ModelVersionsModel *m_versions;
    QSortFilterProxyModel *m_sorted;
    QStackedWidget *m_stack = nullptr;
    EmptyStateWidget *m_empty = nullptr;
    QSplitter *m_splitter = nullptr;
    QSplitter *m_versionSplitter = nullptr;
    QListView *m_list = nullptr;
    ModelHeader *m_header = nullptr;
    QToolBar *m_toolBar = nullptr;
    QTableView *m_table = nullptr;
    QTabWidget *m_tabs = nullptr;
    ModelCardPage *m_card = nullptr;
    LineageView *m_lineage = nullptr;
    ModelSignaturePage *m_signature = nullptr;
    ModelComparePage *m_compare = nullptr;
    ModelActions *m_actions = nullptr;
    QPointer<QMessageBox> m_errorBox;
    QString m_model; ///< the model shown
    int m_shownVersion = 0; ///< the version the pages show
    bool m_selecting = false;
    bool m_layoutRestored = false;
};

ModelsPanel::Private::Private(ModelsPanel *panel, TaskManager *tasks)
    : q(panel)
    , m_tasks(tasks)
    , m_models(new RegisteredModelListModel(panel))
    , m_versions(new ModelVersionsModel(panel))
    , m_sorted(new QSortFilterProxyModel(panel))
{
    m_sorted->setSourceModel(m_versions);
    m_sorted->setSortRole(ModelVersionsModel::SortRole);
}

void ModelsPanel::Private::createActions()
{
    m_actions = new ModelActions(m_models, m_versions, m_tasks, q);
    QObject::connect(m_actions, &ModelActions::changed, q,
                     [this](const QString &model, int version) { changed(model, version); });
    QObject::connect(m_actions, &ModelActions::failed, q,
                     [this](const QString &message, const QString &details) { showError(message, details); });
    QObject::connect(m_actions, &ModelActions::bundleExported, q, &ModelsPanel::bundleExported);
    QObject::connect(m_actions, &ModelActions::deployRequested, q, &ModelsPanel::deployRequested);
}

QWidget *ModelsPanel::Private::createEmptyPage()
{
    m_empty
        = new EmptyStateWidget(icons::models(), ModelsPanel::tr("No registered models yet"),
                               ModelsPanel::tr("Register a trained run's model: in Experiments select a finished run, "
                                               "then Run ▸ Register Model… (Ctrl+Shift+M). Each registration adds a "
                                               "version with its card, lineage and signature. A model exported "
                                               "from another workspace comes in with Import Bundle…."));
    m_empty->setObjectName(QStringLiteral("modelsEmptyState"));
    m_empty->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    auto *button = new QPushButton(ModelsPanel::tr("Import Bundle…"));
    button->setObjectName(QStringLiteral("emptyImportBundleButton"));
    QObject::connect(button, &QPushButton::clicked, m_actions->importAction(), &QAction::trigger);
    return viewutil::newEmptyPage(m_empty, button);
}

QWidget *ModelsPanel::Private::createModelPage()
{
    m_list = new QListView;
    m_list->setObjectName(QStringLiteral("modelsList"));
    m_list->setModel(m_models);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setSpacing(3);
    auto *left = new QWidget;
    left->setMinimumWidth(180);
    auto *heading = new QLabel(ModelsPanel::tr("Models"));
    QFont headingFont = heading->font();
    headingFont.setBold(true);
    heading->setFont(headingFont);
    heading->setContentsMargins(10, 10, 10, 6);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(0);
    leftLayout->addWidget(heading);
    leftLayout->addWidget(m_list, 1);

    m_header = new ModelHeader;
    QObject::connect(m_header, &ModelHeader::editRequested, m_actions, &ModelActions::editModelDetails);

    m_toolBar = new QToolBar;
    m_toolBar->setObjectName(QStringLiteral("modelsToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolBar->addAction(m_actions->setAliasAction());
    m_toolBar->addAction(m_actions->editTagsAction());
    m_toolBar->addAction(m_actions->archiveAction());
    m_toolBar->addAction(m_actions->deleteAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_actions->exportAction());
    m_toolBar->addAction(m_actions->importAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_actions->deployAction());

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("versionsTable"));
    m_table->setModel(m_sorted);
    viewutil::setUpReadOnlyTable(m_table);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ModelVersionsModel::VersionColumn, Qt::DescendingOrder);
    m_table->setItemDelegateForColumn(ModelVersionsModel::AliasesColumn,
                                      new ChipDelegate(ModelVersionsModel::AliasesRole, m_table));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->addAction(m_actions->deleteAction());
    QObject::connect(m_table, &QTableView::customContextMenuRequested, q,
                     [this](const QPoint &position) { showVersionMenu(position); });
    QObject::connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, q, [this] {
        if (!m_selecting)
            onVersionChanged();
    });

    m_card = new ModelCardPage;
    m_lineage = new LineageView;
    m_lineage->setObjectName(QStringLiteral("lineageView"));
    m_signature = new ModelSignaturePage;
    m_compare = new ModelComparePage;
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("versionTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_card, ModelsPanel::tr("Card"));
    m_tabs->addTab(m_lineage, ModelsPanel::tr("Lineage"));
    m_tabs->addTab(m_signature, ModelsPanel::tr("Signature"));
    m_tabs->addTab(m_compare, ModelsPanel::tr("Compare"));
    QObject::connect(m_card, &ModelCardPage::errorOccurred, q, &ModelsPanel::errorOccurred);
    QObject::connect(m_card, &ModelCardPage::cardSaved, q,
                     [this](const QString &model, int version) { changed(model, version); });
    QObject::connect(m_lineage, &LineageView::runActivated, q, &ModelsPanel::runActivated);
    QObject::connect(m_lineage, &LineageView::datasetActivated, q, &ModelsPanel::datasetVersionActivated);
    QObject::connect(m_lineage, &LineageView::versionActivated, q,
                     [this](const QString &model, int version) { q->selectVersion(model, version); });

    m_versionSplitter = new QSplitter(Qt::Vertical);
    m_versionSplitter->setObjectName(QStringLiteral("modelsVersionSplitter"));
    m_versionSplitter->addWidget(m_table);
    m_versionSplitter->addWidget(m_tabs);
    m_versionSplitter->setChildrenCollapsible(false);
    m_versionSplitter->setSizes({200, 600});

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(10, 8, 0, 0);
    rightLayout->setSpacing(4);
    rightLayout->addWidget(m_header);
    rightLayout->addWidget(m_toolBar);
    rightLayout->addWidget(m_versionSplitter, 1);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("modelsSplitter"));
    m_splitter->addWidget(left);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setSizes({240, 1000});
    QObject::connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, q,
                     [this](const QModelIndex &index) {
                         if (!m_selecting && index.isValid())
                             loadModel(index.data(RegisteredModelListModel::NameRole).toString(), 0);
                     });
    return m_splitter;
}

ModelsPanel::ModelsPanel(TaskManager *tasks, QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>(this, tasks))
{
    setObjectName(QStringLiteral("modelsPanel"));
    d->createActions();
    d->m_stack = new QStackedWidget(this);
    d->m_stack->addWidget(d->createEmptyPage());
    d->m_stack->addWidget(d->createModelPage());
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->m_stack);

    const QSettings settings;
    d->m_tabs->setCurrentIndex(std::max<int>(0, int(tabKeys().indexOf(settings.value(kTabKey).toString()))));
    d->updateEmptyState();
}

void ModelsPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (d->m_layoutRestored)
        return;
    d->m_layoutRestored = true;
    // The stack lays out only the page it shows; the models page may be hidden behind the
    // empty state, and a splitter restored at a size it never has squeezes its panes. So the
    // page gets its size first, then the pane that holds the versions splitter.
    const QSettings settings;
    d->m_splitter->setGeometry(d->m_stack->contentsRect());
    d->m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
    QWidget *right = d->m_splitter->widget(1);
    right->layout()->setGeometry(right->rect());
    d->m_versionSplitter->restoreState(settings.value(kVersionSplitterKey).toByteArray());
}

ModelsPanel::~ModelsPanel()
{
    QSettings settings;
    // A panel never shown has only the default layout: the one saved stays.
    if (d->m_layoutRestored) {
        settings.setValue(kSplitterKey, d->m_splitter->saveState());
        settings.setValue(kVersionSplitterKey, d->m_versionSplitter->saveState());
    }
    settings.setValue(kTabKey, tabKeys().value(d->m_tabs->currentIndex()));
}

void ModelsPanel::setWorkspace(Workspace *workspace)
{
    d->m_workspace = workspace;
    d->m_model.clear();
    d->m_shownVersion = 0;
    d->m_models->setWorkspace(workspace);
    d->m_versions->clear();
    d->m_card->setWorkspace(workspace);
    d->m_actions->setWorkspace(workspace);
    refresh();
}

void ModelsPanel::refresh()
{
    const QString model = d->m_model;
    const int version = d->m_shownVersion;
    d->m_selecting = true; // the list's reset says nothing worth loading
    const Status status = d->m_models->refresh();
    d->m_selecting = false;
    if (!status)
        d->showError(tr("The models could not be read: %1").arg(status.errorMessage()));
    d->updateEmptyState();
    if (!model.isEmpty() && d->m_models->rowOf(model) >= 0)
        selectVersion(model, version);
    else if (d->m_models->rowCount() > 0)
        selectVersion(d->m_models->models().constFirst().name);
    else
        d->loadModel({}, 0);
}

void ModelsPanel::selectVersion(const QString &modelName, int version)
{
    int row = d->m_models->rowOf(modelName);
    if (row < 0 && d->m_models->refresh().ok()) {
        // A version registered elsewhere (kilnctl, another window) a moment ago.
        row = d->m_models->rowOf(modelName);
        d->updateEmptyState();
    }
    if (row < 0)
        return;
    d->m_selecting = true;
    d->m_list->selectionModel()->setCurrentIndex(d->m_models->index(row), QItemSelectionModel::ClearAndSelect);
    d->m_selecting = false;
    d->loadModel(modelName, version);
}

QString ModelsPanel::currentModel() const
{
    return d->m_model;
}

int ModelsPanel::currentVersion() const
{
    return d->m_shownVersion;
}

QAction *ModelsPanel::importBundleAction() const
{
    return d->m_actions->importAction();
}

QAction *ModelsPanel::exportBundleAction() const
{
    return d->m_actions->exportAction();
}

QAction *ModelsPanel::deployVersionAction() const
{
    return d->m_actions->deployAction();
}

const ModelVersion *ModelsPanel::Private::current() const
{
    return m_versions->versionAt(m_versions->rowOf(m_shownVersion));
}

void ModelsPanel::Private::loadModel(const QString &name, int version)
{
    m_model = name;
    if (name.isEmpty() || !m_workspace) {
        m_versions->clear();
    } else {
        Expected<QList<ModelVersion>> versions = ModelRegistry(*m_workspace).versions(name);
        if (versions) {
            m_versions->setVersions(std::move(versions).value());
        } else {
            m_versions->clear();
            showError(versions.errorMessage());
        }
    }
    m_table->resizeColumnsToContents();
    m_table->setColumnWidth(ModelVersionsModel::AliasesColumn,
                            std::max(m_table->columnWidth(ModelVersionsModel::AliasesColumn), 160));
    // Many or long tags must not push the metrics out of sight: the tooltip has them all.
    m_table->setColumnWidth(ModelVersionsModel::TagsColumn,
                            std::min(m_table->columnWidth(ModelVersionsModel::TagsColumn), kTagsColumnWidth));
    const int modelRow = m_models->rowOf(name);
    m_header->setModel(modelRow >= 0 ? &m_models->models().at(modelRow) : nullptr);
    // Version 0 or one that is gone: the newest.
    const int row = m_versions->rowOf(version);
    const ModelVersion *shown = m_versions->versionAt(row >= 0 ? row : 0);
    selectRow(shown ? shown->version : 0);
    onVersionChanged();
}

void ModelsPanel::Private::selectRow(int version)
{
    const QModelIndex index = m_sorted->mapFromSource(m_versions->index(m_versions->rowOf(version), 0));
    m_selecting = true;
    if (index.isValid()) {
        m_table->selectionModel()->setCurrentIndex(index,
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_table->scrollTo(index);
    } else {
        m_table->selectionModel()->clear();
    }
    m_selecting = false;
}

void ModelsPanel::Private::onVersionChanged()
{
    const QModelIndex index = m_table->selectionModel()->currentIndex();
    m_shownVersion = index.isValid() ? index.data(ModelVersionsModel::VersionRole).toInt() : 0;
    const ModelVersion *version = current();
    if (!version) {
        m_card->clear();
        m_lineage->clear();
        m_signature->clear();
        m_compare->clear();
        m_actions->setCurrent(m_model, 0);
        return;
    }
    m_card->setVersion(*version);
    bool datasetPresent = false;
    if (m_workspace && !version->lineage.datasetName.isEmpty())
        datasetPresent = DatasetCatalog(m_workspace->db())
                             .version(version->lineage.datasetName, version->lineage.datasetVersion)
                             .ok();
    m_lineage->setVersion(*version, datasetPresent);
    m_signature->setVersion(*version);
    m_compare->setVersions(m_versions->versions(), version->version);
    m_actions->setCurrent(m_model, m_shownVersion);
}

void ModelsPanel::Private::updateEmptyState()
{
    m_stack->setCurrentIndex(m_workspace && m_models->rowCount() > 0 ? 1 : 0);
}

void ModelsPanel::Private::changed(const QString &model, int version)
{
    // refresh() shows the model and version it finds current: these.
    if (!model.isEmpty()) {
        m_model = model;
        m_shownVersion = version;
    }
    q->refresh();
    Q_EMIT q->registryChanged();
}

void ModelsPanel::Private::showError(const QString &message, const QString &details)
{
    Q_EMIT q->errorOccurred(details.isEmpty() ? message : message + u' ' + details);
    // A new problem replaces the one shown rather than stacking dialogs.
    if (m_errorBox)
        m_errorBox->close();
    auto *box = new QMessageBox(QMessageBox::Warning, ModelsPanel::tr("Models"), message, QMessageBox::Ok, q->window());
    box->setObjectName(QStringLiteral("modelsErrorDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(details);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorBox = box;
    box->open();
}

void ModelsPanel::registerRun(qint64 runId)
{
    d->m_actions->registerRun(runId);
}

void ModelsPanel::importBundles(const QStringList &paths)
{
    d->m_actions->importBundles(paths);
}

void ModelsPanel::exportCurrentVersion(const QString &path)
{
    d->m_actions->exportCurrentVersion(path);
}

void ModelsPanel::Private::showVersionMenu(const QPoint &position)
{
    const QModelIndex index = m_table->indexAt(position);
    if (!index.isValid())
        return;
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_actions->popUpVersionMenu(m_table->viewport()->mapToGlobal(position));
}

} // namespace kiln
