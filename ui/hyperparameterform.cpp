#include "hyperparameterform.h"

#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSet>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace kiln {

namespace {

constexpr int kMaxDecimals = 6;

/// Enough decimals to show the bounds and the default exactly (0.00001 needs five).
int decimalsFor(const HyperParameter &parameter)
{
    int decimals = 2;
    for (double value : {parameter.minimum, parameter.maximum, parameter.defaultValue.toDouble()}) {
        for (int d = decimals; d <= kMaxDecimals; ++d) {
            const double scale = std::pow(10.0, d);
            if (std::abs(std::round(value * scale) / scale - value) < 1e-12) {
                decimals = d;
                break;
            }
            decimals = kMaxDecimals;
        }
    }
    return decimals;
}

int clampToInt(double value)
{
    return int(std::clamp(value, double(std::numeric_limits<int>::min()), double(std::numeric_limits<int>::max())));
}

QString rangeText(const HyperParameter &parameter)
{
    switch (parameter.type) {
    case HyperParameter::Type::Integer:
    case HyperParameter::Type::Float:
        return HyperParameterForm::tr("%1 to %2")
            .arg(QString::number(parameter.minimum, 'g', 12), QString::number(parameter.maximum, 'g', 12));
    case HyperParameter::Type::Choice:
        return parameter.choices.join(QStringLiteral(", "));
    case HyperParameter::Type::Boolean:
        return HyperParameterForm::tr("true or false");
    }
    return {};
}

/// A sweep a user could type for this parameter: its default and one other valid value.
QString sweepExample(const HyperParameter &parameter)
{
    const double value = parameter.defaultValue.toDouble();
    QString other;
    switch (parameter.type) {
    case HyperParameter::Type::Integer:
        other = QString::number(value * 2 <= parameter.maximum && value > 0 ? value * 2 : parameter.maximum, 'g', 12);
        break;
    case HyperParameter::Type::Float:
        other = QString::number(value / 2 >= parameter.minimum && value > 0 ? value / 2 : parameter.maximum, 'g', 12);
        break;
    case HyperParameter::Type::Choice:
        return HyperParameterForm::tr("e.g. %1").arg(parameter.choices.mid(0, 2).join(QStringLiteral(", ")));
    case HyperParameter::Type::Boolean:
        return HyperParameterForm::tr("e.g. true, false");
    }
    return HyperParameterForm::tr("e.g. %1, %2").arg(QString::number(value, 'g', 12), other);
}

} // namespace

HyperParameterForm::HyperParameterForm(QWidget *parent)
    : QWidget(parent)
    , m_grid(new QGridLayout)
    , m_empty(new QLabel(tr("This trainer has no hyperparameters."), this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(10);
    m_grid->setVerticalSpacing(6);
    m_grid->setColumnStretch(1, 2);
    m_grid->setColumnStretch(2, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_grid);
    layout->addWidget(m_empty);
    layout->addStretch(1);
}

HyperParameterForm::~HyperParameterForm() = default;

void HyperParameterForm::setParameters(const QList<HyperParameter> &parameters)
{
    QHash<QString, QPair<QVariant, QString>> kept;
    for (const Row &row : std::as_const(m_rows))
        kept.insert(row.parameter.name, {editorValue(row), row.sweep->text()});
    while (QLayoutItem *item = m_grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_rows.clear();

    if (!parameters.isEmpty()) {
        const QStringList headings = {tr("Parameter"), tr("Value"), tr("Sweep values")};
        for (int column = 0; column < headings.size(); ++column) {
            auto *heading = new QLabel(headings.at(column), this);
            heading->setStyleSheet(QStringLiteral("color: %1; font-weight: 600;").arg(theme::mutedText().name()));
            m_grid->addWidget(heading, 0, column);
        }
    }
    for (const HyperParameter &parameter : parameters) {
        Row row;
        row.parameter = parameter;
        row.label = new QLabel(parameter.name, this);
        row.editor = createEditor(parameter);
        row.sweep = new QLineEdit(this);
        row.sweep->setObjectName(QStringLiteral("sweep_") + parameter.name);
        row.sweep->setClearButtonEnabled(true);
        row.sweep->setPlaceholderText(sweepExample(parameter));
        const QString tip = parameter.help % u"\n\n"
            % tr("Range: %1. Default: %2.").arg(rangeText(parameter), parameter.defaultValue.toString());
        row.label->setToolTip(tip);
        row.editor->setToolTip(tip);
        row.sweep->setToolTip(tr("Values of %1 to try, separated by commas: each combination with the other "
                                 "swept parameters becomes a run of one sweep.")
                                  .arg(parameter.name));
        connect(row.sweep, &QLineEdit::textEdited, this, [field = row.sweep] { markInvalid(field, false); });
        connect(row.sweep, &QLineEdit::textChanged, this, &HyperParameterForm::changed);
        const int gridRow = int(m_rows.size()) + 1;
        m_grid->addWidget(row.label, gridRow, 0);
        m_grid->addWidget(row.editor, gridRow, 1);
        m_grid->addWidget(row.sweep, gridRow, 2);
        m_rows.append(row);
        if (const auto old = kept.constFind(parameter.name); old != kept.cend()) {
            setValue(parameter.name, old->first);
            row.sweep->setText(old->second);
        }
    }
    m_empty->setVisible(parameters.isEmpty());
    Q_EMIT changed();
}

QWidget *HyperParameterForm::createEditor(const HyperParameter &parameter)
{
    QWidget *editor = nullptr;
    switch (parameter.type) {
    case HyperParameter::Type::Integer: {
        auto *spin = new QSpinBox(this);
        spin->setRange(clampToInt(parameter.minimum), clampToInt(parameter.maximum));
        spin->setValue(clampToInt(parameter.defaultValue.toDouble()));
        spin->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
        spin->setAlignment(Qt::AlignRight);
        connect(spin, &QSpinBox::valueChanged, this, &HyperParameterForm::changed);
        editor = spin;
        break;
    }
    case HyperParameter::Type::Float: {
        auto *spin = new QDoubleSpinBox(this);
        spin->setDecimals(decimalsFor(parameter));
        spin->setRange(parameter.minimum, parameter.maximum);
        spin->setValue(parameter.defaultValue.toDouble());
        // A rate from 0.001 to 1 is stepped by its own order of magnitude, not by 1.
        spin->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
        spin->setAlignment(Qt::AlignRight);
        connect(spin, &QDoubleSpinBox::valueChanged, this, &HyperParameterForm::changed);
        editor = spin;
        break;
    }
    case HyperParameter::Type::Choice: {
        auto *combo = new QComboBox(this);
        combo->addItems(parameter.choices);
        combo->setCurrentText(parameter.defaultValue.toString());
        connect(combo, &QComboBox::currentIndexChanged, this, &HyperParameterForm::changed);
        editor = combo;
        break;
    }
    case HyperParameter::Type::Boolean: {
        auto *check = new QCheckBox(this);
        check->setChecked(parameter.defaultValue.toBool());
        connect(check, &QCheckBox::toggled, this, &HyperParameterForm::changed);
        editor = check;
        break;
    }
    }
    editor->setObjectName(QStringLiteral("param_") + parameter.name);
    return editor;
}

QList<HyperParameter> HyperParameterForm::parameters() const
{
    QList<HyperParameter> list;
    for (const Row &row : m_rows)
        list << row.parameter;
    return list;
}

QVariant HyperParameterForm::editorValue(const Row &row) const
{
    if (auto *integer = qobject_cast<QSpinBox *>(row.editor))
        return qint64(integer->value());
    if (auto *real = qobject_cast<QDoubleSpinBox *>(row.editor))
        return real->value();
    if (auto *combo = qobject_cast<QComboBox *>(row.editor))
        return combo->currentText();
    if (auto *check = qobject_cast<QCheckBox *>(row.editor))
        return check->isChecked();
    return {};
}

QJsonObject HyperParameterForm::values() const
{
    QJsonObject values;
    for (const Row &row : m_rows) {
        const Expected<QVariant> typed = row.parameter.validate(editorValue(row));
        values.insert(row.parameter.name, QJsonValue::fromVariant(typed ? *typed : editorValue(row)));
    }
    return values;
}

QStringList HyperParameterForm::sweepValues(const QLineEdit *edit)
{
    QStringList values;
    const QStringList parts = edit->text().split(u',');
    for (const QString &part : parts) {
        const QString value = part.trimmed();
        if (!value.isEmpty())
            values << value;
    }
    return values;
}

QMap<QString, QStringList> HyperParameterForm::sweep() const
{
    QMap<QString, QStringList> sweep;
    for (const Row &row : m_rows) {
        const QStringList values = sweepValues(row.sweep);
        if (!values.isEmpty())
            sweep.insert(row.parameter.name, values);
    }
    return sweep;
}

QStringList HyperParameterForm::validate()
{
    QStringList problems;
    for (const Row &row : std::as_const(m_rows)) {
        const Expected<QVariant> value = row.parameter.validate(editorValue(row));
        markInvalid(row.editor, !value);
        if (!value)
            problems << value.errorMessage();
        bool sweepOk = true;
        const QStringList values = sweepValues(row.sweep);
        for (const QString &text : values) {
            const Expected<QVariant> swept = row.parameter.validate(text);
            if (!swept) {
                problems << tr("Sweep of %1: %2").arg(row.parameter.name, swept.errorMessage());
                sweepOk = false;
            }
        }
        if (sweepOk && values.size() != QSet<QString>(values.cbegin(), values.cend()).size()) {
            problems << tr("Sweep of %1 repeats a value.").arg(row.parameter.name);
            sweepOk = false;
        }
        markInvalid(row.sweep, !sweepOk);
    }
    return problems;
}

QWidget *HyperParameterForm::editor(const QString &name) const
{
    for (const Row &row : m_rows) {
        if (row.parameter.name == name)
            return row.editor;
    }
    return nullptr;
}

QLineEdit *HyperParameterForm::sweepEdit(const QString &name) const
{
    for (const Row &row : m_rows) {
        if (row.parameter.name == name)
            return row.sweep;
    }
    return nullptr;
}

bool HyperParameterForm::setValue(const QString &name, const QVariant &value)
{
    const auto row
        = std::find_if(m_rows.cbegin(), m_rows.cend(), [&name](const Row &r) { return r.parameter.name == name; });
    if (row == m_rows.cend())
        return false;
    const Expected<QVariant> typed = row->parameter.validate(value);
    if (!typed)
        return false;
    if (auto *integer = qobject_cast<QSpinBox *>(row->editor))
        integer->setValue(clampToInt(typed->toDouble()));
    else if (auto *real = qobject_cast<QDoubleSpinBox *>(row->editor))
        real->setValue(typed->toDouble());
    else if (auto *combo = qobject_cast<QComboBox *>(row->editor))
        combo->setCurrentText(typed->toString());
    else if (auto *check = qobject_cast<QCheckBox *>(row->editor))
        check->setChecked(typed->toBool());
    markInvalid(row->editor, false);
    return true;
}

void HyperParameterForm::markInvalid(QWidget *field, bool invalid)
{
    if (!qobject_cast<QLineEdit *>(field))
        return; // editors are bounded by their range; only free text can be wrong
    field->setStyleSheet(invalid
                             ? QStringLiteral("QLineEdit { border: 1px solid %1; border-radius: 3px; padding: 2px; }")
                                   .arg(theme::errorText().name())
                             : QString());
}

} // namespace kiln
