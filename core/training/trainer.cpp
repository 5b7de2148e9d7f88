#include "training/trainer.h"

#include <QJsonValue>

#include <cmath>
#include <optional>

namespace kiln {

QString taskKindName(TaskKind kind)
{
    switch (kind) {
    case TaskKind::BinaryClassification:
        return QStringLiteral("binary");
    case TaskKind::MulticlassClassification:
        return QStringLiteral("multiclass");
    case TaskKind::Regression:
        return QStringLiteral("regression");
    }
    return QStringLiteral("regression");
}

namespace {

// Bounds as a user reads them: "0.001", "5000" (never "5e+03" or "5,000").
QString formatBound(double value)
{
    return QString::number(value, 'g', 12);
}

// The value as the user gave it, for the "not ..." part of a message.
QString describe(const QVariant &value)
{
    if (value.typeId() == QMetaType::QString)
        return QLatin1Char('\'') + value.toString() + QLatin1Char('\'');
    if (value.typeId() == QMetaType::Bool)
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.canConvert<double>())
        return formatBound(value.toDouble());
    return QStringLiteral("a %1").arg(QString::fromLatin1(value.typeName()));
}

// A string typed on a command line or in a form, or a JSON number, as a double. Booleans are
// refused: "true" for a tree depth is a mistake, not 1.
std::optional<double> toNumber(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::Bool:
        return std::nullopt;
    case QMetaType::QString: {
        bool ok = false;
        const double parsed = value.toString().trimmed().toDouble(&ok);
        if (!ok)
            return std::nullopt;
        return parsed;
    }
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
        return value.toDouble();
    default:
        return std::nullopt;
    }
}

std::optional<bool> toBool(const QVariant &value)
{
    if (value.typeId() == QMetaType::Bool)
        return value.toBool();
    if (value.typeId() == QMetaType::QString) {
        const QString text = value.toString().trimmed().toLower();
        if (text == QLatin1String("true") || text == QLatin1String("yes") || text == QLatin1String("on")
            || text == QLatin1String("1"))
            return true;
        if (text == QLatin1String("false") || text == QLatin1String("no") || text == QLatin1String("off")
            || text == QLatin1String("0"))
            return false;
        return std::nullopt;
    }
    if (const auto number = toNumber(value)) {
        if (*number == 0)
            return false;
        if (*number == 1)
            return true;
    }
    return std::nullopt;
}

} // namespace

Expected<std::vector<double>> Trainer::predict(const TrainedModel &model, const TrainingData &data) const
{
    const Expected<std::shared_ptr<const ModelPredictor>> predictor = loadPredictor(model);
    if (!predictor)
        return predictor.error();
    return (*predictor)->predict(data);
}

Expected<QVariant> HyperParameter::validate(const QVariant &input) const
{
    // A QJsonObject's values arrive as QJsonValue when a caller wraps them in a QVariant.
    const QVariant value = input.typeId() == QMetaType::QJsonValue ? input.value<QJsonValue>().toVariant() : input;
    if (!value.isValid() || value.isNull()
        || (value.typeId() == QMetaType::QString && value.toString().trimmed().isEmpty()))
        return Error {QStringLiteral("%1 needs a value").arg(name)};

    switch (type) {
    case Type::Integer: {
        const auto number = toNumber(value);
        const QString range = QStringLiteral("%1 must be an integer from %2 to %3")
                                  .arg(name, formatBound(minimum), formatBound(maximum));
        if (!number || !std::isfinite(*number) || std::trunc(*number) != *number)
            return Error {range + QStringLiteral(", not ") + describe(value)};
        if (*number < minimum || *number > maximum)
            return Error {range + QStringLiteral(", not ") + formatBound(*number)};
        return QVariant(qint64(*number));
    }
    case Type::Float: {
        const auto number = toNumber(value);
        const QString range
            = QStringLiteral("%1 must be a number from %2 to %3").arg(name, formatBound(minimum), formatBound(maximum));
        if (!number || !std::isfinite(*number))
            return Error {range + QStringLiteral(", not ") + describe(value)};
        if (*number < minimum || *number > maximum)
            return Error {range + QStringLiteral(", not ") + formatBound(*number)};
        return QVariant(*number);
    }
    case Type::Choice: {
        const QString text = value.typeId() == QMetaType::QString ? value.toString().trimmed() : QString();
        // Choices are matched without regard to case ("Hist" on a command line means hist),
        // and the declared spelling is returned so that runs record one spelling.
        for (const QString &choice : choices) {
            if (choice.compare(text, Qt::CaseInsensitive) == 0)
                return QVariant(choice);
        }
        return Error {QStringLiteral("%1 must be one of %2, not %3")
                          .arg(name, choices.join(QStringLiteral(", ")), describe(value))};
    }
    case Type::Boolean: {
        if (const auto flag = toBool(value))
            return QVariant(*flag);
        return Error {QStringLiteral("%1 must be true or false, not %2").arg(name, describe(value))};
    }
    }
    return Error {QStringLiteral("%1: unknown parameter type").arg(name)};
}

} // namespace kiln
