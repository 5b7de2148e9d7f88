// FeatureEncoding: the transform from dataset rows to a training matrix, and its JSON form
// (stored with every model, read back to predict).
#include "training/datapreparation.h"

#include <QJsonArray>

namespace kiln {

std::optional<TaskKind> taskKindFromName(const QString &name)
{
    for (TaskKind kind : {TaskKind::BinaryClassification, TaskKind::MulticlassClassification, TaskKind::Regression}) {
        if (taskKindName(kind) == name)
            return kind;
    }
    return std::nullopt;
}

// ---- FeatureEncoding -------------------------------------------------------------------------

QStringList FeatureEncoding::featureNames() const
{
    QStringList names;
    for (const EncodedColumn &column : columns) {
        if (!column.isOneHot()) {
            names.append(column.name);
            continue;
        }
        for (const QString &level : column.levels)
            names.append(column.name + QLatin1Char('=') + level);
    }
    return names;
}

int FeatureEncoding::featureCount() const
{
    int n = 0;
    for (const EncodedColumn &column : columns)
        n += column.width();
    return n;
}

QJsonObject FeatureEncoding::toJson() const
{
    QJsonArray columnArray;
    for (const EncodedColumn &column : columns) {
        QJsonObject entry {{QStringLiteral("name"), column.name},
                           {QStringLiteral("type"), columnTypeName(column.type)}};
        if (column.isOneHot())
            entry.insert(QStringLiteral("levels"), QJsonArray::fromStringList(column.levels));
        columnArray.append(entry);
    }
    return QJsonObject {
        {QStringLiteral("format"), QStringLiteral("kiln-feature-encoding")},
        {QStringLiteral("version"), 1},
        {QStringLiteral("target"), target},
        {QStringLiteral("targetType"), columnTypeName(targetType)},
        {QStringLiteral("task"), taskKindName(task)},
        {QStringLiteral("classes"), QJsonArray::fromStringList(classes)},
        {QStringLiteral("columns"), columnArray},
        // For a reader of the model bundle; fromJson() recomputes them.
        {QStringLiteral("featureNames"), QJsonArray::fromStringList(featureNames())},
        {QStringLiteral("dateTimeUnit"), QStringLiteral("seconds since 1970-01-01T00:00:00Z")},
    };
}

Expected<FeatureEncoding> FeatureEncoding::fromJson(const QJsonObject &json)
{
    const auto fail = [](const QString &what) {
        return Error {QStringLiteral("the model's feature encoding is unreadable: %1").arg(what)};
    };
    if (json.value(QStringLiteral("format")).toString() != QLatin1String("kiln-feature-encoding"))
        return fail(QStringLiteral("not a feature encoding"));
    if (json.value(QStringLiteral("version")).toInt() != 1)
        return fail(QStringLiteral("version %1 is newer than this Kiln reads")
                        .arg(json.value(QStringLiteral("version")).toInt()));
    FeatureEncoding encoding;
    encoding.target = json.value(QStringLiteral("target")).toString();
    const auto targetType = columnTypeFromString(json.value(QStringLiteral("targetType")).toString());
    const auto task = taskKindFromName(json.value(QStringLiteral("task")).toString());
    if (encoding.target.isEmpty() || !targetType || !task)
        return fail(QStringLiteral("target, targetType or task missing"));
    encoding.targetType = *targetType;
    encoding.task = *task;
    for (const auto &label : json.value(QStringLiteral("classes")).toArray())
        encoding.classes.append(label.toString());
    const bool classification = encoding.task != TaskKind::Regression;
    if (classification != (encoding.classes.size() >= 2)
        || (encoding.task == TaskKind::BinaryClassification && encoding.classes.size() != 2))
        return fail(
            QStringLiteral("%1 classes for a %2 task").arg(encoding.classes.size()).arg(taskKindName(encoding.task)));
    for (const auto &value : json.value(QStringLiteral("columns")).toArray()) {
        const QJsonObject entry = value.toObject();
        EncodedColumn column;
        column.name = entry.value(QStringLiteral("name")).toString();
        const auto type = columnTypeFromString(entry.value(QStringLiteral("type")).toString());
        if (column.name.isEmpty() || !type)
            return fail(QStringLiteral("a column without a name or type"));
        column.type = *type;
        for (const auto &level : entry.value(QStringLiteral("levels")).toArray())
            column.levels.append(level.toString());
        if (column.isOneHot() && column.levels.isEmpty())
            return fail(QStringLiteral("column '%1' has no one-hot levels").arg(column.name));
        encoding.columns.append(column);
    }
    if (encoding.columns.isEmpty())
        return fail(QStringLiteral("no feature columns"));
    return encoding;
}

// ---- RowEncoder ------------------------------------------------------------------------------

} // namespace kiln
