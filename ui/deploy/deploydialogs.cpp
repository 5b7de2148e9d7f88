#include "deploy/deploydialogs.h"

#include "plugin/pluginmanager.h"
#include "runoptionfields.h"
#include "viewutil.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace kiln {

namespace {

const QString kLocationKey = QStringLiteral("location");
const QString kSecretKey = QStringLiteral("secret");

} // namespace

// ---------------------------------------------------------------------------------------------
// AddTargetDialog

AddTargetDialog::AddTargetDialog(const QList<TargetConfig> &existing, Saver saver, QWidget *parent)
    : QDialog(parent)
    , m_existing(existing)
    , m_saver(std::move(saver))
{
    setObjectName(QStringLiteral("addTargetDialog"));
    setWindowTitle(tr("Add Deployment Target"));

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("targetNameEdit"));
    m_name->setPlaceholderText(tr("prod"));
    m_name->setToolTip(tr("How deployments name this target; unique in the workspace"));

    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("targetKindCombo"));
    const QList<const TargetKind *> &kinds = PluginManager::instance().targetKinds();
    for (const TargetKind *kind : kinds)
        m_kind->addItem(kind->displayName(), kind->id());
    m_kindHelp = viewutil::newNoteLabel(QStringLiteral("targetKindHelp"), this);

    m_fieldsBox = new QWidget(this);
    m_fieldsForm = new QFormLayout(m_fieldsBox);
    m_fieldsForm->setContentsMargins(0, 0, 0, 0);
    m_fieldsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_error = newProblemsLabel(QStringLiteral("addTargetError"), this);
    m_hint = viewutil::newNoteLabel(QStringLiteral("addTargetHint"), this);
    m_shared = viewutil::newNoteLabel(QStringLiteral("addTargetShared"), this);
    m_shared->hide();
    m_buttons = newRunButtons(this, tr("Add Target"), QStringLiteral("addTargetButton"));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Kind"), m_kind);
    form->addRow(QString(), m_kindHelp);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_fieldsBox);
    layout->addWidget(m_error);
    layout->addWidget(m_hint);
    layout->addWidget(m_shared);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_name, &QLineEdit::textChanged, this, &AddTargetDialog::updateState);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &AddTargetDialog::rebuildFields);
    rebuildFields();
    resize(600, sizeHint().height());
}

AddTargetDialog::~AddTargetDialog() = default;

bool AddTargetDialog::setKind(const QString &kindId)
{
    const int index = m_kind->findData(kindId);
    if (index < 0)
        return false;
    m_kind->setCurrentIndex(index);
    return true;
}

QString AddTargetDialog::kindId() const
{
    return m_kind->currentData().toString();
}

QLineEdit *AddTargetDialog::fieldEdit(const QString &key) const
{
    return m_fields.value(key);
}

void AddTargetDialog::rebuildFields()
{
    while (m_fieldsForm->rowCount() > 0)
        m_fieldsForm->removeRow(0);
    m_fields.clear();
    const TargetKind *kind = PluginManager::instance().targetKind(kindId());
    if (!kind) {
        m_kindHelp->setText(tr("No target kind is loaded: the targets plugin is missing from this build."));
        updateState();
        return;
    }
    m_kindHelp->clear();
    m_kindHelp->hide();
    const QList<TargetField> fields = kind->fields();
    for (const TargetField &field : fields) {
        auto *edit = new QLineEdit;
        edit->setObjectName(QStringLiteral("targetField_") + field.key);
        edit->setPlaceholderText(field.placeholder);
        edit->setToolTip(field.help);
        if (field.secret)
            edit->setEchoMode(QLineEdit::Password);
        edit->setText(m_typed.value(field.key));
        connect(edit, &QLineEdit::textChanged, this, [this, key = field.key](const QString &text) {
            m_typed.insert(key, text);
            updateState();
        });
        auto *cell = new QWidget;
        auto *cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 4);
        cellLayout->setSpacing(2);
        cellLayout->addWidget(edit);
        if (!field.help.isEmpty()) {
            QLabel *help = viewutil::newNoteLabel(QStringLiteral("targetHelp_") + field.key, cell);
            help->setText(field.help);
            QFont small = help->font();
            small.setPointSizeF(small.pointSizeF() * 0.9);
            help->setFont(small);
            cellLayout->addWidget(help);
        }
        m_fieldsForm->addRow(field.required ? tr("%1 *").arg(field.label) : field.label, cell);
        m_fields.insert(field.key, edit);
    }
    updateState();
}

TargetConfig AddTargetDialog::config() const
{
    TargetConfig config;
    config.name = m_name->text().trimmed();
    config.kind = kindId();
    const TargetKind *kind = PluginManager::instance().targetKind(config.kind);
    if (!kind)
        return config;
    const QList<TargetField> fields = kind->fields();
    for (const TargetField &field : fields) {
        const QLineEdit *edit = m_fields.value(field.key);
        const QString text = edit ? edit->text().trimmed() : QString();
        if (field.secret || field.key == kSecretKey)
            continue;
        if (field.key == kLocationKey)
            config.location = text;
        else if (!text.isEmpty())
            config.options.insert(field.key, text);
    }
    return config;
}

QByteArray AddTargetDialog::secret() const
{
    const TargetKind *kind = PluginManager::instance().targetKind(kindId());
    if (!kind)
        return {};
    const QList<TargetField> fields = kind->fields();
    for (const TargetField &field : fields) {
        if (field.secret || field.key == kSecretKey) {
            // A secret is taken as typed: leading or trailing spaces may be part of it.
            if (const QLineEdit *edit = m_fields.value(field.key))
                return edit->text().toUtf8();
        }
    }
    return {};
}

QPair<QStringList, QStringList> AddTargetDialog::check() const
{
    QStringList problems;
    QStringList missing;
    const TargetConfig target = config();
    if (target.name.isEmpty())
        missing << tr("Name");
    else if (std::any_of(m_existing.cbegin(), m_existing.cend(),
                         [&target](const TargetConfig &other) { return other.name == target.name; }))
        problems << tr("A target named '%1' exists already: choose another name.").arg(target.name);
    const TargetKind *kind = PluginManager::instance().targetKind(target.kind);
    if (!kind)
        return {problems << tr("Choose a kind of target."), missing};
    const QList<TargetField> fields = kind->fields();
    for (const TargetField &field : fields) {
        const QLineEdit *edit = m_fields.value(field.key);
        if (field.required && (!edit || edit->text().trimmed().isEmpty()))
            missing << field.label;
    }
    // The kind's own checks speak about what was typed; a form still missing fields would
    // only repeat "required".
    if (missing.isEmpty()) {
        if (const Status valid = kind->validate(target); !valid)
            problems << valid.errorMessage();
    }
    return {problems, missing};
}

void AddTargetDialog::updateState()
{
    const auto [problems, missing] = check();
    showRunProblems(m_error, problems);
    m_hint->setText(missing.isEmpty() ? QString() : tr("Fill in: %1.").arg(missing.join(QStringLiteral(", "))));
    m_hint->setVisible(!missing.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problems.isEmpty() && missing.isEmpty());

    const TargetConfig target = config();
    QStringList sharing;
    for (const TargetConfig &other : std::as_const(m_existing)) {
        if (!target.location.isEmpty() && other.kind == target.kind && other.location == target.location)
            sharing << other.name;
    }
    m_shared->setText(sharing.isEmpty() ? QString()
                                        : tr("%1 uses this location too: both use one stored secret, and the one "
                                             "typed here replaces it.")
                                              .arg(sharing.join(QStringLiteral(", "))));
    m_shared->setVisible(!sharing.isEmpty());
}

void AddTargetDialog::accept()
{
    const auto [problems, missing] = check();
    if (!problems.isEmpty() || !missing.isEmpty()) {
        updateState();
        return;
    }
    const TargetConfig target = config();
    if (const Status saved = m_saver(target, secret()); !saved) {
        showRunProblems(m_error, {tr("The target was not added: %1").arg(saved.errorMessage())});
        return;
    }
    m_added = target;
    QDialog::accept();
}

// ---------------------------------------------------------------------------------------------
// DeployDialog

DeployDialog::DeployDialog(Choices choices, const QString &modelRef, const QString &target, QWidget *parent)
    : QDialog(parent)
    , m_choices(std::move(choices))
{
    setObjectName(QStringLiteral("deployDialog"));
    setWindowTitle(tr("Deploy a Model Version"));

    m_model = new QComboBox(this);
    m_model->setObjectName(QStringLiteral("deployModelCombo"));
    for (const ModelChoice &model : std::as_const(m_choices.models))
        m_model->addItem(model.name, model.name);
    m_version = new QComboBox(this);
    m_version->setObjectName(QStringLiteral("deployVersionCombo"));
    m_target = new QComboBox(this);
    m_target->setObjectName(QStringLiteral("deployTargetCombo"));
    for (const TargetConfig &config : std::as_const(m_choices.targets)) {
        const TargetKind *kind = PluginManager::instance().targetKind(config.kind);
        m_target->addItem(tr("%1 — %2, %3").arg(config.name, kind ? kind->displayName() : config.kind, config.location),
                          config.name);
    }
    m_summary = viewutil::newNoteLabel(QStringLiteral("deploySummary"), this);
    m_summary->setMinimumHeight(m_summary->fontMetrics().lineSpacing() * 3);
    m_buttons = newRunButtons(this, tr("Deploy"), QStringLiteral("deployButton"));

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Model"), m_model);
    form->addRow(tr("Version"), m_version);
    form->addRow(tr("Target"), m_target);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    const Expected<ModelRef> ref = ModelRef::parse(modelRef);
    if (ref && m_model->findData(ref->name) >= 0)
        m_model->setCurrentIndex(m_model->findData(ref->name));
    fillVersions();
    if (ref) {
        const QString wanted = ref->version > 0 ? QString::number(ref->version) : ref->alias;
        if (const int index = m_version->findData(wanted); !wanted.isEmpty() && index >= 0)
            m_version->setCurrentIndex(index);
    }
    if (const int index = m_target->findData(target); !target.isEmpty() && index >= 0)
        m_target->setCurrentIndex(index);

    connect(m_model, &QComboBox::currentIndexChanged, this, [this] {
        fillVersions();
        updateSummary();
    });
    connect(m_version, &QComboBox::currentIndexChanged, this, &DeployDialog::updateSummary);
    connect(m_target, &QComboBox::currentIndexChanged, this, &DeployDialog::updateSummary);
    updateSummary();
    resize(600, sizeHint().height());
}

DeployDialog::~DeployDialog() = default;

void DeployDialog::fillVersions()
{
    m_version->clear();
    const QString name = m_model->currentData().toString();
    for (const ModelChoice &model : std::as_const(m_choices.models)) {
        if (model.name != name)
            continue;
        QMap<QString, int> aliases;
        for (const VersionChoice &version : model.versions) {
            for (const QString &alias : version.aliases)
                aliases.insert(alias, version.version);
        }
        for (auto it = aliases.cbegin(); it != aliases.cend(); ++it)
            m_version->addItem(tr("%1 (version %2)").arg(it.key()).arg(it.value()), it.key());
        for (const VersionChoice &version : model.versions) {
            QStringList notes = version.aliases;
            if (version.status != VersionStatus::Ready)
                notes << versionStatusName(version.status);
            QString text = tr("version %1").arg(version.version);
            if (!notes.isEmpty())
                text += QStringLiteral(" — ") + notes.join(QStringLiteral(", "));
            text += QStringLiteral(" · ") + QLocale().toString(version.createdAt.toLocalTime(), QLocale::ShortFormat);
            m_version->addItem(text, QString::number(version.version));
        }
        // A version, not an alias, unless asked: an alias moves, a deployment does not.
        if (const int first = m_version->findData(QString::number(model.versions.value(0).version)); first >= 0)
            m_version->setCurrentIndex(first);
    }
}

QString DeployDialog::modelRef() const
{
    const QString name = m_model->currentData().toString();
    const QString version = m_version->currentData().toString();
    if (name.isEmpty() || version.isEmpty())
        return {};
    return name + u'@' + version;
}

QString DeployDialog::targetName() const
{
    return m_target->currentData().toString();
}

int DeployDialog::chosenVersion() const
{
    const QString name = m_model->currentData().toString();
    const QString chosen = m_version->currentData().toString();
    bool isNumber = false;
    const int number = chosen.toInt(&isNumber);
    if (isNumber)
        return number;
    for (const ModelChoice &model : m_choices.models) {
        if (model.name != name)
            continue;
        for (const VersionChoice &version : model.versions) {
            if (version.aliases.contains(chosen))
                return version.version;
        }
    }
    return 0;
}

void DeployDialog::updateSummary()
{
    const QString ref = modelRef();
    const QString target = targetName();
    QPushButton *ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setEnabled(!ref.isEmpty() && !target.isEmpty());
    if (m_choices.models.isEmpty()) {
        m_summary->setText(tr("No registered models yet: register a run's model in the Models panel first."));
        return;
    }
    if (m_choices.targets.isEmpty()) {
        m_summary->setText(tr("No targets yet: add one with Add Target… first."));
        return;
    }
    if (ref.isEmpty() || target.isEmpty()) {
        m_summary->clear();
        return;
    }
    const QString exact = m_model->currentData().toString() + u'@' + QString::number(chosenVersion());
    const QString serving = m_choices.serving.value(target);
    QString text = tr("Pushes %1 to %2 with progress and cancel; a failed push leaves %2 serving what it serves now.")
                       .arg(ref == exact ? ref : tr("%1 (%2)").arg(ref, exact), target);
    if (serving.isEmpty())
        text += u' ' + tr("%1 serves nothing from this workspace yet.").arg(target);
    else if (serving == exact)
        text += u' ' + tr("%1 serves %2 already: it is pushed again.").arg(target, serving);
    else
        text += u' ' + tr("%1 serves %2 now: it is replaced, and Roll Back returns to it.").arg(target, serving);
    m_summary->setText(text);
}

} // namespace kiln
