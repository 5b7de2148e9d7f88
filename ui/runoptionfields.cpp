#include "runoptionfields.h"

#include "theme.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace kiln {

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
    return fields;
}

void RunOptionFields::fill(RunSpec &spec) const
{
    spec.experiment = experiment->currentText().trimmed();
    spec.name = name->text().trimmed();
    spec.maxRetries = retries->value();
    spec.timeoutSeconds = timeout->value();
}

QLabel *newProblemsLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setStyleSheet(QStringLiteral("color: %1;").arg(theme::errorText().name()));
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
