#pragma once

#include "training/trainer.h"

#include <QJsonObject>
#include <QMap>
#include <QWidget>

class QGridLayout;
class QLabel;
class QLineEdit;

namespace kiln {

/// The form a trainer's hyperparameter declaration turns into: a row per parameter with an
/// editor bounded by its range (spin box, choice or check box; the help text as tooltip) and
/// an optional "sweep" field of comma-separated values that makes the run a grid sweep.
class HyperParameterForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HyperParameterForm)

public:
    explicit HyperParameterForm(QWidget *parent = nullptr);
    ~HyperParameterForm() override;

    /// Builds the rows. A parameter that was already shown keeps the value the user gave it.
    void setParameters(const QList<HyperParameter> &parameters);
    QList<HyperParameter> parameters() const;

    /// Every parameter's value, typed as the trainer declares it.
    QJsonObject values() const;
    /// The parameters with sweep values, each with its values as typed.
    QMap<QString, QStringList> sweep() const;
    /// Checks every value and sweep value with the declaration; marks the fields that are
    /// wrong and returns one message per problem (empty: all good).
    QStringList validate();

    /// The editor of `name` (QSpinBox, QDoubleSpinBox, QComboBox or QCheckBox), or null.
    QWidget *editor(const QString &name) const;
    QLineEdit *sweepEdit(const QString &name) const;
    /// Sets an editor from a value as typed ("200", "0.1", "hist", "true"); false if it does not fit.
    bool setValue(const QString &name, const QVariant &value);

Q_SIGNALS:
    /// A value or sweep field changed (or the rows were rebuilt).
    void changed();

private:
    struct Row
    {
        HyperParameter parameter;
        QLabel *label = nullptr;
        QWidget *editor = nullptr;
        QLineEdit *sweep = nullptr;
    };

    QWidget *createEditor(const HyperParameter &parameter);
    QVariant editorValue(const Row &row) const;
    static QStringList sweepValues(const QLineEdit *edit);
    static void markInvalid(QWidget *field, bool invalid);

    QGridLayout *m_grid = nullptr;
    QLabel *m_empty = nullptr;
    QList<Row> m_rows;
};

} // namespace kiln
