#include "traindialog.h"

#include "appearance.h"
#include "hyperparameterform.h"
#include "plugin/pluginmanager.h"
#include "theme.h"
#include "training/datapreparation.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace kiln {

namespace {

constexpr int kMaxAutoClasses = 20; // as data preparation decides: more distinct integers are a quantity

/// What preparation will decide for this target, for the hint and for the hyperparameter
/// list (the same rule; preparation has the last word and says why when it refuses).
std::optional<TaskKind> guessTask(const ColumnProfile &column)
{
    switch (column.type) {
    case ColumnType::DateTime:
        return std::nullopt;
    case ColumnType::Float:
        return TaskKind::Regression;
    case ColumnType::Integer:
        if (column.distinct > kMaxAutoClasses)
            return TaskKind::Regression;
        break;
    default:
        break;
    }
    return column.distinct == 2 ? TaskKind::BinaryClassification : TaskKind::MulticlassClassification;
}

QString taskLabel(TaskKind kind)
{
    switch (kind) {
    case TaskKind::BinaryClassification:
        return TrainDialog::tr("binary classification");
    case TaskKind::MulticlassClassification:
        return TrainDialog::tr("multiclass classification");
    case TaskKind::Regression:
        return TrainDialog::tr("regression");
    }
    return {};
}

QLabel *mutedLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    appearance::setTextRole(label, appearance::TextRole::Muted);
    return label;
}

} // namespace

TrainDialog::TrainDialog(const DatasetVersion &version, const QStringList &experiments, Submitter submitter,
                         QWidget *parent)
    : QDialog(parent)
    , m_version(version)
    , m_submitter(std::move(submitter))
{
    setObjectName(QStringLiteral("trainDialog"));
    setWindowTitle(tr("Train a Model on %1").arg(version.ref()));

    auto *heading = new QLabel(this);
    heading->setTextFormat(Qt::RichText);
    heading->setText(tr("<b>%1</b> &nbsp;·&nbsp; %2 rows × %3 columns")
                         .arg(version.ref().toHtmlEscaped(), QLocale().toString(version.rowCount),
                              QLocale().toString(version.columnCount)));

    m_parameters = new HyperParameterForm;
    m_parameters->setObjectName(QStringLiteral("hyperParameterForm"));
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_parameters);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_sweepNote = mutedLabel({}, this);
    m_sweepNote->setMinimumHeight(m_sweepNote->fontMetrics().lineSpacing() * 2 + 4);
    auto *parametersBox = new QGroupBox(tr("Hyperparameters"), this);
    auto *parametersLayout = new QVBoxLayout(parametersBox);
    parametersLayout->addWidget(scroll, 1);
    parametersLayout->addWidget(m_sweepNote);

    auto *lower = new QHBoxLayout;
    lower->addWidget(createSplitSection());
    lower->addWidget(createRunSection(experiments));
    auto *right = new QVBoxLayout;
    right->addWidget(parametersBox, 1);
    right->addLayout(lower);
    auto *placementBox = new QGroupBox(tr("Run on"), this);
    auto *placementLayout = new QVBoxLayout(placementBox);
    placementLayout->addWidget(m_run.placement);

    auto *columns = new QHBoxLayout;
    columns->addWidget(createDataSection(), 2);
    columns->addLayout(right, 3);

    m_error = newProblemsLabel(QStringLiteral("trainError"), this);
    m_buttons = newRunButtons(this, tr("Train"), QStringLiteral("trainButton"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addLayout(columns, 1);
    layout->addWidget(placementBox);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    onTargetChanged();
    onTrainerChanged();
    // Once problems are shown, they follow the edits: a fixed field loses its message at once.
    const auto recheck = [this] {
        if (!m_error->isHidden())
            showProblems(problems());
    };
    for (QLineEdit *edit : findChildren<QLineEdit *>())
        connect(edit, &QLineEdit::textChanged, this, recheck);
    for (QAbstractSpinBox *spin : findChildren<QAbstractSpinBox *>())
        connect(spin, &QAbstractSpinBox::editingFinished, this, recheck);
    for (QComboBox *combo : findChildren<QComboBox *>())
        connect(combo, &QComboBox::currentIndexChanged, this, recheck);
    connect(m_features, &QListWidget::itemChanged, this, recheck);
    connect(m_parameters, &HyperParameterForm::changed, this, recheck);
    connect(m_parameters, &HyperParameterForm::changed, this, &TrainDialog::updateSweepNote);
    connect(m_run.runOn, &QComboBox::currentIndexChanged, this, &TrainDialog::updateSweepNote);
    resize(1040, 760);
}

TrainDialog::~TrainDialog() = default;

QWidget *TrainDialog::createDataSection()
{
    auto *box = new QGroupBox(tr("Model and data"), this);
    m_trainer = new QComboBox(box);
    m_trainer->setObjectName(QStringLiteral("trainerCombo"));
    const QList<const Trainer *> &trainers = PluginManager::instance().trainers();
    for (const Trainer *trainer : trainers) {
        m_trainer->addItem(trainer->displayName(), trainer->id());
        m_trainer->setItemData(m_trainer->count() - 1, trainer->description(), Qt::ToolTipRole);
    }
    m_trainerDescription = mutedLabel({}, box);

    m_target = new QComboBox(box);
    m_target->setObjectName(QStringLiteral("targetCombo"));
    for (const ColumnProfile &column : std::as_const(m_version.columns))
        m_target->addItem(column.name);
    // By convention the label is the last column of a table.
    m_target->setCurrentIndex(int(m_version.columns.size()) - 1);

    m_task = new QComboBox(box);
    m_task->setObjectName(QStringLiteral("taskCombo"));
    m_task->addItem(tr("Detect from the target"), QString());
    m_task->addItem(tr("Binary classification"), taskKindName(TaskKind::BinaryClassification));
    m_task->addItem(tr("Multiclass classification"), taskKindName(TaskKind::MulticlassClassification));
    m_task->addItem(tr("Regression"), taskKindName(TaskKind::Regression));
    m_taskHint = mutedLabel({}, box);

    m_features = new QListWidget(box);
    m_features->setObjectName(QStringLiteral("featureList"));
    m_features->setUniformItemSizes(true);
    for (const ColumnProfile &column : std::as_const(m_version.columns)) {
        auto *item = new QListWidgetItem(tr("%1  (%2)").arg(column.name, columnTypeName(column.type)), m_features);
        item->setData(Qt::UserRole, column.name);
        item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
        item->setCheckState(Qt::Checked);
    }
    auto *all = new QPushButton(tr("All"), box);
    auto *none = new QPushButton(tr("None"), box);
    const auto checkAll = [this](Qt::CheckState state) {
        for (int row = 0; row < m_features->count(); ++row) {
            QListWidgetItem *item = m_features->item(row);
            if (item->flags().testFlag(Qt::ItemIsEnabled))
                item->setCheckState(state);
        }
    };
    connect(all, &QPushButton::clicked, this, [checkAll] { checkAll(Qt::Checked); });
    connect(none, &QPushButton::clicked, this, [checkAll] { checkAll(Qt::Unchecked); });
    auto *featureButtons = new QHBoxLayout;
    featureButtons->addWidget(new QLabel(tr("Features"), box), 1);
    featureButtons->addWidget(all);
    featureButtons->addWidget(none);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Trainer"), m_trainer);
    form->addRow(QString(), m_trainerDescription);
    form->addRow(tr("Target"), m_target);
    form->addRow(tr("Task"), m_task);
    form->addRow(QString(), m_taskHint);
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(form);
    layout->addLayout(featureButtons);
    layout->addWidget(m_features, 1);

    connect(m_trainer, &QComboBox::currentIndexChanged, this, &TrainDialog::onTrainerChanged);
    connect(m_target, &QComboBox::currentIndexChanged, this, &TrainDialog::onTargetChanged);
    connect(m_task, &QComboBox::currentIndexChanged, this, [this] {
        onTargetChanged();
        updateParameters();
    });
    return box;
}

QWidget *TrainDialog::createSplitSection()
{
    auto *box = new QGroupBox(tr("Split"), this);
    m_testFraction = new QDoubleSpinBox(box);
    m_testFraction->setObjectName(QStringLiteral("testFraction"));
    m_testFraction->setRange(0.05, 0.9);
    m_testFraction->setSingleStep(0.05);
    m_testFraction->setValue(RunSpec().testFraction);
    m_testFraction->setToolTip(tr("Share of the rows held out to evaluate the model; never trained on."));
    m_validationFraction = new QDoubleSpinBox(box);
    m_validationFraction->setObjectName(QStringLiteral("validationFraction"));
    m_validationFraction->setRange(0, 0.5);
    m_validationFraction->setSingleStep(0.05);
    m_validationFraction->setValue(RunSpec().validationFraction);
    m_validationFraction->setToolTip(tr("Share of the rows watched while training: the validation curves and "
                                        "early stopping. 0: none."));
    m_seed = new QSpinBox(box);
    m_seed->setObjectName(QStringLiteral("seed"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setValue(int(RunSpec().seed));
    m_seed->setToolTip(tr("The same seed on the same data gives the same split and the same model."));
    m_stratify = new QCheckBox(tr("Keep class proportions"), box);
    m_stratify->setObjectName(QStringLiteral("stratify"));
    m_stratify->setChecked(true);
    m_stratify->setToolTip(tr("Stratify: each part gets the classes in the proportions of the whole data. "
                              "Ignored for regression."));
    m_folds = new QSpinBox(box);
    m_folds->setObjectName(QStringLiteral("folds"));
    m_folds->setRange(0, 20);
    m_folds->setSpecialValueText(tr("off"));
    m_folds->setToolTip(tr("k-fold cross-validation on the training rows, reported as cv_* results; 0 is off."));
    auto *form = new QFormLayout(box);
    form->addRow(tr("Test fraction"), m_testFraction);
    form->addRow(tr("Validation fraction"), m_validationFraction);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(QString(), m_stratify);
    form->addRow(tr("Cross-validation folds"), m_folds);
    return box;
}

QWidget *TrainDialog::createRunSection(const QStringList &experiments)
{
    auto *box = new QGroupBox(tr("Run"), this);
    m_run = RunOptionFields::create(experiments, box);
    m_run.experiment->setToolTip(tr("Runs are grouped by experiment; type a new name to start one."));
    m_run.name->setPlaceholderText(tr("trainer name"));
    m_run.timeout->setToolTip(tr("A run still going after this long is stopped and fails."));
    auto *form = new QFormLayout(box);
    form->addRow(tr("Experiment"), m_run.experiment);
    form->addRow(tr("Name"), m_run.name);
    form->addRow(tr("Retries"), m_run.retries);
    form->addRow(tr("Timeout"), m_run.timeout);
    return box;
}

const Trainer *TrainDialog::currentTrainer() const
{
    return PluginManager::instance().trainer(m_trainer->currentData().toString());
}

void TrainDialog::onTrainerChanged()
{
    const Trainer *trainer = currentTrainer();
    m_trainerDescription->setText(trainer ? trainer->description() : tr("No trainer plugin is loaded."));
    updateDefaultName();
    updateParameters();
}

void TrainDialog::onTargetChanged()
{
    const QString target = m_target->currentText();
    // The target cannot be its own feature; the column it replaces goes back to the features.
    for (int row = 0; row < m_features->count(); ++row) {
        QListWidgetItem *item = m_features->item(row);
        const QString name = item->data(Qt::UserRole).toString();
        if (name == target) {
            item->setCheckState(Qt::Unchecked);
            item->setFlags(Qt::ItemIsUserCheckable);
            item->setToolTip(tr("The target"));
        } else if (name == m_previousTarget) {
            item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
            item->setCheckState(Qt::Checked);
            item->setToolTip({});
        }
    }
    if (target != m_previousTarget) {
        m_previousTarget = target;
        updateDefaultName();
        updateParameters();
    }

    const int index = m_target->currentIndex();
    if (index < 0 || index >= m_version.columns.size()) {
        m_taskHint->clear();
        return;
    }
    const ColumnProfile &column = m_version.columns.at(index);
    const std::optional<TaskKind> guess = guessTask(column);
    const QString forced = m_task->currentData().toString();
    m_stratify->setEnabled(forced != taskKindName(TaskKind::Regression) && guess != TaskKind::Regression);
    if (!forced.isEmpty()) {
        m_taskHint->clear();
    } else if (!guess) {
        m_taskHint->setText(tr("%1 holds %2 values: choose a numeric, boolean or categorical target.")
                                .arg(column.name, columnTypeName(column.type)));
    } else if (*guess == TaskKind::Regression) {
        m_taskHint->setText(tr("Detected: regression (%1 is numeric with %2 distinct values).")
                                .arg(column.name, QLocale().toString(column.distinct)));
    } else {
        m_taskHint->setText(
            tr("Detected: %1 (%2 classes).").arg(taskLabel(*guess), QLocale().toString(column.distinct)));
    }
}

void TrainDialog::updateDefaultName()
{
    // Runs of one dataset differ by trainer and target first: the name says both.
    const Trainer *trainer = currentTrainer();
    m_run.name->setPlaceholderText(
        trainer ? QStringLiteral("%1 · %2 · %3").arg(trainer->id(), m_target->currentText(), m_version.ref())
                : QString());
}

void TrainDialog::updateParameters()
{
    const Trainer *trainer = currentTrainer();
    if (!trainer) {
        m_parameters->setParameters({});
        return;
    }
    std::optional<TaskKind> task = taskKindFromName(m_task->currentData().toString());
    if (!task) {
        const int index = m_target->currentIndex();
        task = index >= 0 && index < m_version.columns.size() ? guessTask(m_version.columns.at(index)) : std::nullopt;
    }
    m_parameters->setParameters(trainer->hyperParameters(task.value_or(TaskKind::BinaryClassification)));
    updateSweepNote();
}

void TrainDialog::updateSweepNote()
{
    const QMap<QString, QStringList> sweep = m_parameters->sweep();
    if (sweep.isEmpty()) {
        m_sweepNote->setText(tr("Several comma-separated sweep values train one run per combination (a grid "
                                "sweep)."));
        return;
    }
    qint64 points = 1;
    for (const QStringList &values : sweep)
        points *= values.size();
    const QString keys = QStringList(sweep.keys()).join(QStringLiteral(", "));
    m_sweepNote->setText(
        m_run.onSlurm()
            ? tr("Sweep over %1: %2 runs sent to Slurm as one job array.").arg(keys, QLocale().toString(points))
            : tr("Sweep over %1: %2 runs queued under one sweep.").arg(keys, QLocale().toString(points)));
}

RunSpec TrainDialog::spec() const
{
    RunSpec spec;
    spec.kind = RunSpec::Kind::Trainer;
    spec.trainer = m_trainer->currentData().toString();
    spec.datasetRef = m_version.ref();
    spec.target = m_target->currentText();
    QStringList features;
    bool all = true;
    for (int row = 0; row < m_features->count(); ++row) {
        const QListWidgetItem *item = m_features->item(row);
        const QString name = item->data(Qt::UserRole).toString();
        if (name == spec.target)
            continue;
        if (item->checkState() == Qt::Checked)
            features << name;
        else
            all = false;
    }
    // Every column but the target is what an empty list means; it keeps the spec short.
    if (!all)
        spec.features = features;
    spec.task = m_task->currentData().toString();
    spec.params = m_parameters->values();
    spec.sweep = m_parameters->sweep();
    spec.testFraction = m_testFraction->value();
    spec.validationFraction = m_validationFraction->value();
    spec.seed = quint64(m_seed->value());
    spec.stratify = m_stratify->isChecked();
    spec.folds = m_folds->value();
    m_run.fill(spec);
    if (spec.name.isEmpty())
        spec.name = m_run.name->placeholderText();
    return spec;
}

QStringList TrainDialog::problems()
{
    QStringList problems;
    const RunSpec run = spec();
    if (!currentTrainer())
        problems << tr("Choose a trainer.");
    if (run.target.isEmpty())
        problems << tr("Choose the target column.");
    const int targetIndex = m_target->currentIndex();
    if (targetIndex >= 0 && targetIndex < m_version.columns.size() && !guessTask(m_version.columns.at(targetIndex))) {
        const ColumnProfile &column = m_version.columns.at(targetIndex);
        problems << tr("%1 holds %2 values: choose a numeric, boolean or categorical target.")
                        .arg(column.name, columnTypeName(column.type));
    }
    bool anyFeature = false;
    for (int row = 0; row < m_features->count(); ++row)
        anyFeature = anyFeature || m_features->item(row)->checkState() == Qt::Checked;
    if (!anyFeature)
        problems << tr("Choose at least one feature.");
    if (const Trainer *trainer = currentTrainer(); trainer && !run.task.isEmpty()) {
        const std::optional<TaskKind> task = taskKindFromName(run.task);
        if (task && !trainer->tasks().contains(*task))
            problems << tr("%1 cannot do %2.").arg(trainer->displayName(), taskLabel(*task));
    }
    if (run.testFraction + run.validationFraction >= 0.95)
        problems << tr("The test and validation fractions leave no rows to train on: keep their sum below 0.95.");
    if (run.folds == 1)
        problems << tr("Cross-validation needs at least 2 folds (0 turns it off).");
    if (run.experiment.isEmpty())
        problems << tr("Give the experiment a name.");
    problems << m_parameters->validate();
    problems << m_run.problems();
    return problems;
}

void TrainDialog::accept()
{
    const qint64 id = submitRun(m_error, problems(), [this] { return m_submitter(spec()); });
    if (id == 0)
        return;
    m_run.saveDefaults();
    m_submittedRunId = id;
    QDialog::accept();
}

void TrainDialog::showProblems(const QStringList &problems)
{
    showRunProblems(m_error, problems);
}

} // namespace kiln
