#include "modeldialogs.h"

#include "models/runformat.h"
#include "models/texttablemodel.h"
#include "runoptionfields.h"
#include "viewutil.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace kiln {

namespace {

constexpr int kMetricRows = 8;
const RegisteredModel *findModel(const QList<RegisteredModel> &models, const QString &name)
{
    for (const RegisteredModel &model : models) {
        if (model.name == name)
            return &model;
    }
    return nullptr;
}

/// An editable combo for names: typed text is never completed into another name (registering
/// "loans" must not turn into "loans-default") and Enter does not add it to the list.
QComboBox *newNameCombo(const QString &objectName, const QStringList &items, QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(objectName);
    combo->setEditable(true);
    combo->setInsertPolicy(QComboBox::NoInsert);
    combo->setCompleter(nullptr);
    combo->addItems(items);
    combo->setMinimumWidth(280);
    return combo;
}

QString cellText(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

// ---------------------------------------------------------------------------------------------
// RegisterModelDialog

RegisterModelDialog::RegisterModelDialog(const RunRecord &run, const QList<RegisteredModel> &models,
                                         Registrar registrar, QWidget *parent)
    : QDialog(parent)
    , m_registrar(std::move(registrar))
    , m_models(models)
    , m_metrics(new TextTableModel(this))
{
    setObjectName(QStringLiteral("registerModelDialog"));
    setWindowTitle(tr("Register Model"));

    QStringList names;
    for (const RegisteredModel &model : models)
        names << model.name;
    m_name = newNameCombo(QStringLiteral("modelNameCombo"), names, this);
    m_name->setToolTip(tr("An existing model gets the next version; a new name creates the model"));
    m_name->setEditText(run.experiment);

    m_description = new QPlainTextEdit(this);
    m_description->setObjectName(QStringLiteral("modelDescriptionEdit"));
    m_description->setTabChangesFocus(true);
    m_description->setFixedHeight(m_description->fontMetrics().lineSpacing() * 4 + 12);

    m_outcome = viewutil::newNoteLabel(QStringLiteral("registerOutcome"), this);
    m_error = newProblemsLabel(QStringLiteral("registerError"), this);

    auto *runLabel = new QLabel(this);
    runLabel->setObjectName(QStringLiteral("registerRunLabel"));
    runLabel->setTextFormat(Qt::PlainText);
    runLabel->setText(tr("%1 (#%2) of experiment %3, %4")
                          .arg(run.name.isEmpty() ? tr("unnamed run") : run.name)
                          .arg(run.id)
                          .arg(run.experiment, runformat::sourceText(run.spec)));

    m_metrics->setHeader({tr("Metric"), tr("Value")});
    QList<QVariantList> rows;
    for (auto it = run.results.cbegin(); it != run.results.cend(); ++it)
        rows.append({runformat::resultLabel(it.key()), it.value()});
    m_metrics->setRows(rows);
    auto *metricsView = new QTableView(this);
    metricsView->setObjectName(QStringLiteral("registerMetricsTable"));
    metricsView->setModel(m_metrics);
    viewutil::setUpReadOnlyTable(metricsView);
    viewutil::fitHeightToRows(metricsView, kMetricRows);
    metricsView->setColumnWidth(0, 200);
    metricsView->setVisible(!rows.isEmpty());

    m_buttons = newRunButtons(this, tr("Register"), QStringLiteral("registerButton"));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Run"), runLabel);
    if (rows.isEmpty())
        form->addRow(tr("Metrics"), viewutil::newNoteLabel(QStringLiteral("registerNoMetrics"), this));
    else
        form->addRow(tr("Metrics"), metricsView);
    form->addRow(tr("Model"), m_name);
    form->addRow(QString(), m_outcome);
    form->addRow(tr("Description"), m_description);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_name, &QComboBox::editTextChanged, this, &RegisterModelDialog::updateName);
    updateName();
    resize(560, sizeHint().height());
}

RegisterModelDialog::~RegisterModelDialog() = default;

QString RegisterModelDialog::modelName() const
{
    return m_name->currentText().trimmed();
}

QString RegisterModelDialog::description() const
{
    return m_showingExisting ? QString() : m_description->toPlainText().trimmed();
}

void RegisterModelDialog::updateName()
{
    const QString name = modelName();
    const Status valid = validateModelName(name);
    showRunProblems(m_error, valid ? QStringList() : QStringList {valid.errorMessage()});
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid.ok());
    const RegisteredModel *existing = valid ? findModel(m_models, name) : nullptr;
    // A description belongs to the model: an existing one shows its own (edited in the panel).
    if (existing && !m_showingExisting)
        m_typedDescription = m_description->toPlainText();
    if (existing) {
        m_description->setPlainText(existing->description);
        m_outcome->setText(tr("Adds version %1 to %2.").arg(existing->latestVersion + 1).arg(name));
    } else {
        if (m_showingExisting)
            m_description->setPlainText(m_typedDescription);
        m_outcome->setText(valid ? tr("Creates the model %1 with version 1.").arg(name) : QString());
    }
    m_showingExisting = existing != nullptr;
    m_description->setReadOnly(m_showingExisting);
    m_description->setPlaceholderText(m_showingExisting ? QString()
                                                        : tr("What the model predicts and for whom (optional)"));
    m_description->setToolTip(m_showingExisting ? tr("The model's description: edit it in the Models panel")
                                                : QString());
}

void RegisterModelDialog::accept()
{
    const QString name = modelName();
    if (const Status valid = validateModelName(name); !valid) {
        showRunProblems(m_error, {valid.errorMessage()});
        return;
    }
    RegisterOptions options;
    options.description = description();
    Expected<ModelVersion> version = m_registrar(name, options);
    if (!version) {
        showRunProblems(m_error, {tr("The model was not registered: %1").arg(version.errorMessage())});
        return;
    }
    m_registered = std::move(version).value();
    QDialog::accept();
}

// ---------------------------------------------------------------------------------------------
// SetAliasDialog

SetAliasDialog::SetAliasDialog(const QString &modelName, int version, const QMap<QString, int> &aliases, Setter setter,
                               QWidget *parent)
    : QDialog(parent)
    , m_modelName(modelName)
    , m_version(version)
    , m_aliases(aliases)
    , m_setter(std::move(setter))
{
    setObjectName(QStringLiteral("setAliasDialog"));
    setWindowTitle(tr("Set Alias"));

    const QString champion = QStringLiteral("champion");
    const QString challenger = QStringLiteral("challenger");
    QStringList items = {champion, challenger};
    for (auto it = aliases.cbegin(); it != aliases.cend(); ++it) {
        if (!items.contains(it.key()))
            items << it.key();
    }
    m_alias = newNameCombo(QStringLiteral("aliasCombo"), items, this);
    m_alias->setToolTip(tr("An alias names the role a version plays; code and deployments use "
                           "%1@champion instead of a number")
                            .arg(modelName));
    QString initial;
    for (const QString &candidate : {champion, challenger}) {
        if (aliases.value(candidate) != version) {
            initial = candidate;
            break;
        }
    }
    m_alias->setEditText(initial);

    m_move = viewutil::newNoteLabel(QStringLiteral("aliasMoveLabel"), this);
    QFont bold = m_move->font();
    bold.setBold(true);
    m_move->setFont(bold);
    m_error = newProblemsLabel(QStringLiteral("aliasError"), this);
    m_buttons = newRunButtons(this, tr("Set Alias"), QStringLiteral("setAliasButton"));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto *target = new QLabel(tr("%1, version %2").arg(modelName).arg(version), this);
    target->setTextFormat(Qt::PlainText);
    form->addRow(tr("Version"), target);
    form->addRow(tr("Alias"), m_alias);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_move);
    layout->addWidget(m_error);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_alias, &QComboBox::editTextChanged, this, &SetAliasDialog::updateAlias);
    updateAlias();
    resize(460, sizeHint().height());
}

SetAliasDialog::~SetAliasDialog() = default;

QString SetAliasDialog::alias() const
{
    return m_alias->currentText().trimmed();
}

void SetAliasDialog::updateAlias()
{
    const QString name = alias();
    const Status valid = name.isEmpty() ? Status(Error {tr("Type an alias, e.g. champion.")}) : validateAliasName(name);
    showRunProblems(m_error, valid ? QStringList() : QStringList {valid.errorMessage()});
    const auto found = m_aliases.constFind(name);
    const bool already = valid && found != m_aliases.cend() && *found == m_version;
    if (!valid)
        m_move->clear();
    else if (already)
        m_move->setText(tr("%1 already points at version %2.").arg(name).arg(m_version));
    else if (found != m_aliases.cend())
        m_move->setText(tr("%1 moves from version %2 to version %3.").arg(name).arg(*found).arg(m_version));
    else
        m_move->setText(tr("%1 will point at version %2 (a new alias).").arg(name).arg(m_version));
    m_move->setVisible(valid.ok());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(valid && !already);
}

void SetAliasDialog::accept()
{
    const QString name = alias();
    if (const Status valid = validateAliasName(name); !valid) {
        showRunProblems(m_error, {valid.errorMessage()});
        return;
    }
    if (const Status status = m_setter(name); !status) {
        showRunProblems(m_error, {tr("The alias was not set: %1").arg(status.errorMessage())});
        return;
    }
    QDialog::accept();
}

// ---------------------------------------------------------------------------------------------
// ModelDetailsDialog

namespace {

using Tags = ModelDetailsDialog::Tags;

const QString *tagValue(const Tags &tags, const QString &key)
{
    const auto found = std::find_if(tags.cbegin(), tags.cend(), [&key](const auto &tag) { return tag.first == key; });
    return found == tags.cend() ? nullptr : &found->second;
}

/// Makes `current` into `wanted` through the registry: removes the keys not wanted, then sets
/// the new and changed ones. Stops at the first refusal.
Status replaceTags(const Tags &current, const Tags &wanted,
                   const std::function<Status(const QString &key, const QString &value)> &set,
                   const std::function<Status(const QString &key)> &remove)
{
    for (const auto &[key, value] : current) {
        if (Status status = tagValue(wanted, key) ? Status() : remove(key); !status)
            return status;
    }
    for (const auto &[key, value] : wanted) {
        const QString *now = tagValue(current, key);
        if (Status status = now && *now == value ? Status() : set(key, value); !status)
            return status;
    }
    return {};
}

} // namespace

ModelDetailsDialog::ModelDetailsDialog(const RegisteredModel &model, Saver saver, QWidget *parent)
    : ModelDetailsDialog(tr("Edit %1").arg(model.name), {}, &model.description, model.tags, std::move(saver), parent)
{
    setObjectName(QStringLiteral("modelDetailsDialog"));
}

ModelDetailsDialog::ModelDetailsDialog(const ModelVersion &version, Saver saver, QWidget *parent)
    : ModelDetailsDialog(tr("Tags of %1").arg(version.ref()),
                         tr("%1, version %2").arg(version.modelName).arg(version.version), nullptr, version.tags,
                         std::move(saver), parent)
{
    setObjectName(QStringLiteral("versionTagsDialog"));
}

ModelDetailsDialog::ModelDetailsDialog(const QString &title, const QString &version, const QString *description,
                                       const Tags &tags, Saver saver, QWidget *parent)
    : QDialog(parent)
    , m_saver(std::move(saver))
{
    setWindowTitle(title);

    if (description) {
        m_description = new QPlainTextEdit(this);
        m_description->setObjectName(QStringLiteral("modelDetailsDescription"));
        m_description->setTabChangesFocus(true);
        m_description->setPlainText(*description);
        m_description->setPlaceholderText(tr("What the model predicts and for whom"));
    }

    m_tags = new QTableWidget(0, 2, this);
    m_tags->setObjectName(QStringLiteral("tagsTable"));
    m_tags->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    m_tags->horizontalHeader()->setStretchLastSection(true);
    m_tags->setColumnWidth(0, 160);
    m_tags->verticalHeader()->hide();
    for (const auto &[key, value] : tags)
        addTag(key, value);
    m_addTag = new QPushButton(tr("Add"), this);
    m_addTag->setObjectName(QStringLiteral("addTagButton"));
    m_removeTag = new QPushButton(tr("Remove"), this);
    m_removeTag->setObjectName(QStringLiteral("removeTagButton"));
    // Return saves the dialog, even right after a click on Add or Remove.
    m_addTag->setAutoDefault(false);
    m_removeTag->setAutoDefault(false);
    connect(m_addTag, &QPushButton::clicked, this, [this] {
        addTag();
        // Current first, so that Tab moves on to the new row's value.
        m_tags->setCurrentCell(m_tags->rowCount() - 1, 0);
        m_tags->editItem(m_tags->item(m_tags->rowCount() - 1, 0));
    });
    connect(m_removeTag, &QPushButton::clicked, this, [this] {
        if (m_tags->currentRow() >= 0)
            m_tags->removeRow(m_tags->currentRow());
    });
    auto *tagButtons = new QVBoxLayout;
    tagButtons->addWidget(m_addTag);
    tagButtons->addWidget(m_removeTag);
    tagButtons->addStretch(1);
    auto *tagsRow = new QHBoxLayout;
    tagsRow->addWidget(m_tags, 1);
    tagsRow->addLayout(tagButtons);

    m_error = newProblemsLabel(QStringLiteral("modelDetailsError"), this);
    m_buttons = newRunButtons(this, tr("Save"), QStringLiteral("saveTagsButton"));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    if (!version.isEmpty()) {
        auto *target = new QLabel(version, this);
        target->setTextFormat(Qt::PlainText);
        form->addRow(tr("Version"), target);
    }
    if (m_description)
        form->addRow(tr("Description"), m_description);
    form->addRow(tr("Tags"), tagsRow);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form, 1);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    resize(560, m_description ? 420 : 340);
}

ModelDetailsDialog::~ModelDetailsDialog() = default;

QString ModelDetailsDialog::description() const
{
    return m_description ? m_description->toPlainText().trimmed() : QString();
}

ModelDetailsDialog::Tags ModelDetailsDialog::tags() const
{
    Tags tags;
    for (int row = 0; row < m_tags->rowCount(); ++row) {
        const QString key = cellText(m_tags, row, 0);
        if (key.isEmpty())
            continue;
        const auto same = std::find_if(tags.begin(), tags.end(), [&key](const auto &tag) { return tag.first == key; });
        if (same != tags.end())
            same->second = cellText(m_tags, row, 1);
        else
            tags.append({key, cellText(m_tags, row, 1)});
    }
    return tags;
}

void ModelDetailsDialog::addTag(const QString &key, const QString &value)
{
    const int row = m_tags->rowCount();
    m_tags->insertRow(row);
    m_tags->setItem(row, 0, new QTableWidgetItem(key));
    m_tags->setItem(row, 1, new QTableWidgetItem(value));
}

Status ModelDetailsDialog::apply(ModelRegistry &registry, const RegisteredModel &model, const QString &description,
                                 const Tags &tags)
{
    if (Status status = registry.setModelDescription(model.name, description); !status)
        return status;
    return replaceTags(
        model.tags, tags,
        [&](const QString &key, const QString &value) { return registry.setModelTag(model.name, key, value); },
        [&](const QString &key) { return registry.removeModelTag(model.name, key); });
}

Status ModelDetailsDialog::applyVersionTags(ModelRegistry &registry, const QString &modelName, int version,
                                            const Tags &tags)
{
    // The tags as they are now: another window or kilnctl may have changed them meanwhile.
    const Expected<ModelVersion> current = registry.version(modelName, version);
    if (!current)
        return current.error();
    return replaceTags(
        current->tags, tags,
        [&](const QString &key, const QString &value) {
            return registry.setVersionTag(modelName, version, key, value);
        },
        [&](const QString &key) { return registry.removeVersionTag(modelName, version, key); });
}

void ModelDetailsDialog::accept()
{
    // A cell still being typed in counts (Save clicked or Return pressed before it closed):
    // leaving it commits it.
    if (m_tags->indexWidget(m_tags->currentIndex()))
        m_tags->setCurrentIndex({});
    if (const Status status = m_saver(description(), tags()); !status) {
        showRunProblems(m_error, {tr("The changes were not saved: %1").arg(status.errorMessage())});
        return;
    }
    QDialog::accept();
}

// ---------------------------------------------------------------------------------------------
// Deleting a version

QMessageBox *newDeleteVersionQuestion(const ModelVersion &version, QWidget *parent)
{
    auto *box = new QMessageBox(
        QMessageBox::Question, RegisterModelDialog::tr("Delete Version"),
        RegisterModelDialog::tr("Delete version %1 of %2?").arg(version.version).arg(version.modelName),
        QMessageBox::Yes | QMessageBox::No, parent);
    box->setObjectName(QStringLiteral("deleteVersionConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::No);
    box->setInformativeText(
        version.aliases.isEmpty()
            ? RegisterModelDialog::tr("The run it came from and the other versions stay. This cannot be undone.")
            : RegisterModelDialog::tr("Its aliases (%1) go with it; the run it came from and the other versions "
                                      "stay. This cannot be undone.")
                  .arg(version.aliases.join(QStringLiteral(", "))));
    return box;
}

QString deletionRefusal(const ModelVersion &version)
{
    QStringList targets;
    for (const DeploymentRecord &deployment : version.deployments) {
        if (deployment.isActive())
            targets << QStringLiteral("'%1'").arg(deployment.target);
    }
    if (targets.isEmpty())
        return {};
    return RegisterModelDialog::tr("%1 is deployed to %2: undeploy it first.")
        .arg(version.ref(), targets.join(QStringLiteral(", ")));
}

} // namespace kiln
