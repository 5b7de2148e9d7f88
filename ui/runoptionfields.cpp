#include "runoptionfields.h"

#include "appearance.h"
#include "slurm/slurmclient.h"
#include "theme.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>

namespace kiln {

namespace {

const QString kExecutorKey = QStringLiteral("runPlacement/executor");
const QString kCpusKey = QStringLiteral("runPlacement/cpus");
const QString kMemoryKey = QStringLiteral("runPlacement/memory");
const QString kMemoryUnitKey = QStringLiteral("runPlacement/memoryUnit");
const QString kTimeLimitKey = QStringLiteral("runPlacement/timeLimitMinutes");
const QString kPartitionKey = QStringLiteral("runPlacement/partition");
enum MemoryUnit { Megabytes, Gigabytes };
constexpr int kMbPerGb = 1024; // Slurm's G is 1024 M

QString slurmUnavailableReason()
{
    return RunOptionFields::tr("Slurm is not available here: sbatch was not found on the PATH. Install Slurm's "
                               "client tools (and a slurm.conf naming the cluster) to send runs to a cluster.");
}

QSpinBox *newDefaultingSpin(const QString &objectName, int maximum, QWidget *parent)
{
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(0, maximum);
    spin->setSpecialValueText(RunOptionFields::tr("default"));
    return spin;
}

/// "Run on" and the resources asked of the cluster, in one row; the resources only count
/// (and are enabled) when the cluster is chosen.
void createPlacement(RunOptionFields &fields, QWidget *parent)
{
    fields.placement = new QWidget(parent);
    fields.placement->setObjectName(QStringLiteral("runPlacement"));
    QWidget *box = fields.placement;
    fields.runOn = new QComboBox(box);
    fields.runOn->setObjectName(QStringLiteral("runOnCombo"));
    fields.runOn->addItem(RunOptionFields::tr("This machine"));
    fields.runOn->addItem(RunOptionFields::tr("Slurm cluster"));
    fields.cpus = newDefaultingSpin(QStringLiteral("slurmCpus"), 1024, box);
    fields.cpus->setToolTip(RunOptionFields::tr("CPUs for each run (--cpus-per-task); default: the cluster's."));
    fields.memory = newDefaultingSpin(QStringLiteral("slurmMemory"), 1024 * 1024, box);
    fields.memory->setToolTip(RunOptionFields::tr("Memory for each run (--mem); Slurm ends a run that uses more."));
    fields.memoryUnit = new QComboBox(box);
    fields.memoryUnit->setObjectName(QStringLiteral("slurmMemoryUnit"));
    fields.memoryUnit->addItems({RunOptionFields::tr("MB"), RunOptionFields::tr("GB")});
    fields.timeLimit = newDefaultingSpin(QStringLiteral("slurmTimeLimit"), 365 * 24 * 60, box);
    fields.timeLimit->setSuffix(RunOptionFields::tr(" min"));
    fields.timeLimit->setToolTip(RunOptionFields::tr("Slurm ends a run still going after this long (--time)."));
    fields.partition = new QLineEdit(box);
    fields.partition->setObjectName(QStringLiteral("slurmPartition"));
    fields.partition->setPlaceholderText(RunOptionFields::tr("default"));
    fields.partition->setToolTip(RunOptionFields::tr("The partition (queue) to run in (--partition)."));

    const QSettings settings;
    fields.cpus->setValue(settings.value(kCpusKey, 0).toInt());
    fields.memory->setValue(settings.value(kMemoryKey, 0).toInt());
    fields.memoryUnit->setCurrentIndex(settings.value(kMemoryUnitKey, Megabytes).toInt() == Gigabytes ? Gigabytes
                                                                                                      : Megabytes);
    fields.timeLimit->setValue(settings.value(kTimeLimitKey, 0).toInt());
    fields.partition->setText(settings.value(kPartitionKey).toString());

    const bool available = SlurmClient().isAvailable();
    if (available) {
        fields.runOn->setItemData(RunOptionFields::SlurmCluster,
                                  RunOptionFields::tr("Submit to Slurm with sbatch; a sweep becomes one job array. The "
                                                      "runs report to this workspace from the cluster's nodes."),
                                  Qt::ToolTipRole);
        fields.runOn->setCurrentIndex(settings.value(kExecutorKey, RunOptionFields::ThisMachine).toInt()
                                              == RunOptionFields::SlurmCluster
                                          ? RunOptionFields::SlurmCluster
                                          : RunOptionFields::ThisMachine);
    } else {
        if (auto *model = qobject_cast<QStandardItemModel *>(fields.runOn->model()))
            model->item(RunOptionFields::SlurmCluster)->setEnabled(false);
        fields.runOn->setItemData(RunOptionFields::SlurmCluster, slurmUnavailableReason(), Qt::ToolTipRole);
        fields.runOn->setToolTip(slurmUnavailableReason());
    }

    QList<QWidget *> resources;
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(fields.runOn);
    layout->addSpacing(12);
    const auto add = [&](const QString &label, QWidget *field) {
        auto *text = new QLabel(label, box);
        layout->addWidget(text);
        layout->addWidget(field);
        resources << text << field;
    };
    add(RunOptionFields::tr("CPUs"), fields.cpus);
    add(RunOptionFields::tr("Memory"), fields.memory);
    layout->addWidget(fields.memoryUnit);
    resources << fields.memoryUnit;
    add(RunOptionFields::tr("Time limit"), fields.timeLimit);
    add(RunOptionFields::tr("Partition"), fields.partition);
    layout->addStretch(1);

    const auto update = [runOn = fields.runOn, resources] {
        for (QWidget *widget : resources)
            widget->setEnabled(runOn->currentIndex() == RunOptionFields::SlurmCluster);
    };
    QObject::connect(fields.runOn, &QComboBox::currentIndexChanged, box, update);
    update();
}

} // namespace

RunOptionFields RunOptionFields::create(const QStringList &experiments, QWidget *parent)
{
    RunOptionFields fields;
    fields.experiment = new QComboBox(parent);
    fields.experiment->setObjectName(QStringLiteral("experimentCombo"));
    fields.experiment->setEditable(true);
    fields.experiment->setInsertPolicy(QComboBox::NoInsert);
    fields.experiment->addItems(experiments);
    if (!experiments.contains(RunSpec().experiment))
        fields.experiment->insertItem(0, RunSpec().experiment);
    fields.experiment->setCurrentText(RunSpec().experiment);
    fields.name = new QLineEdit(parent);
    fields.name->setObjectName(QStringLiteral("runName"));
    fields.retries = new QSpinBox(parent);
    fields.retries->setObjectName(QStringLiteral("retries"));
    fields.retries->setRange(0, 10);
    fields.retries->setToolTip(tr("How often a failed run is queued again."));
    fields.timeout = new QSpinBox(parent);
    fields.timeout->setObjectName(QStringLiteral("timeout"));
    fields.timeout->setRange(0, 7 * 24 * 3600);
    fields.timeout->setSingleStep(60);
    fields.timeout->setSuffix(tr(" s"));
    fields.timeout->setSpecialValueText(tr("none"));
    createPlacement(fields, parent);
    return fields;
}

void RunOptionFields::fill(RunSpec &spec) const
{
    spec.experiment = experiment->currentText().trimmed();
    spec.name = name->text().trimmed();
    spec.maxRetries = retries->value();
    spec.timeoutSeconds = timeout->value();
    if (!onSlurm()) {
        spec.executor = QStringLiteral("local");
        spec.resources = {};
        return;
    }
    spec.executor = QStringLiteral("slurm");
    spec.resources.cpus = cpus->value();
    spec.resources.memoryMb = memory->value() * (memoryUnit->currentIndex() == Gigabytes ? kMbPerGb : 1);
    spec.resources.timeLimitMinutes = timeLimit->value();
    spec.resources.partition = partition->text().trimmed();
}

bool RunOptionFields::onSlurm() const
{
    return runOn->currentIndex() == SlurmCluster;
}

QStringList RunOptionFields::problems() const
{
    if (onSlurm() && !SlurmClient().isAvailable())
        return {slurmUnavailableReason()};
    return {};
}

void RunOptionFields::saveDefaults() const
{
    QSettings settings;
    settings.setValue(kExecutorKey, runOn->currentIndex());
    settings.setValue(kCpusKey, cpus->value());
    settings.setValue(kMemoryKey, memory->value());
    settings.setValue(kMemoryUnitKey, memoryUnit->currentIndex());
    settings.setValue(kTimeLimitKey, timeLimit->value());
    settings.setValue(kPartitionKey, partition->text().trimmed());
}

QLabel *newProblemsLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    appearance::setTextRole(label, appearance::TextRole::Error);
    label->hide();
    return label;
}

QDialogButtonBox *newRunButtons(QDialog *dialog, const QString &okText, const QString &okObjectName)
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(okText);
    buttons->button(QDialogButtonBox::Ok)->setObjectName(okObjectName);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    return buttons;
}

void showRunProblems(QLabel *label, const QStringList &problems)
{
    label->setText(problems.join(u'\n'));
    label->setVisible(!problems.isEmpty());
}

qint64 submitRun(QLabel *problemsLabel, const QStringList &problems, const std::function<Expected<RunRecord>()> &submit)
{
    if (!problems.isEmpty()) {
        showRunProblems(problemsLabel, problems);
        return 0;
    }
    const Expected<RunRecord> run = submit();
    if (!run) {
        showRunProblems(problemsLabel,
                        {RunOptionFields::tr("The run could not be queued: %1").arg(run.errorMessage())});
        return 0;
    }
    return run->id;
}

} // namespace kiln
