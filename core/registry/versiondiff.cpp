// diffVersions: two model versions side by side (model facts, metrics, params, input schema).
#include "registry/modelregistry.h"

#include <QCollator>
#include <QSet>

#include <algorithm>

namespace kiln {
namespace {

using Section = VersionDiffLine::Section;

constexpr int kCategoriesListed = 5;

void addLine(QList<VersionDiffLine> &lines, Section section, const QString &key, const QString &left,
             const QString &right)
{
    lines.append({section, key, left, right, left != right});
}

QStringList sortedNaturally(QStringList keys)
{
    QCollator collator;
    collator.setNumericMode(true);
    collator.setCaseSensitivity(Qt::CaseInsensitive);
    keys.removeDuplicates();
    std::sort(keys.begin(), keys.end(), [&](const QString &a, const QString &b) {
        const int order = collator.compare(a, b);
        return order != 0 ? order < 0 : a < b;
    });
    return keys;
}

QString datasetText(const ModelLineage &lineage)
{
    if (lineage.datasetName.isEmpty())
        return {};
    return QStringLiteral("%1@%2 (%3)")
        .arg(lineage.datasetName)
        .arg(lineage.datasetVersion)
        .arg(lineage.datasetSha256.left(12));
}

/// "categorical, 4 categories + others (only here: x, y)": the categories one side has and the
/// other lacks are named, so two columns with as many categories still show how they differ.
QString columnText(const SignatureColumn *column, const SignatureColumn *other)
{
    if (!column)
        return {};
    QString text = columnTypeName(column->type);
    if (column->type != ColumnType::Categorical && column->type != ColumnType::Text)
        return text;
    text += QStringLiteral(", %1 categories").arg(column->categories.size());
    if (column->otherCategories)
        text += QLatin1String(" + others");
    if (other) {
        const QSet<QString> theirs(other->categories.begin(), other->categories.end());
        QStringList onlyHere;
        for (const QString &category : column->categories) {
            if (!theirs.contains(category))
                onlyHere.append(category);
        }
        if (!onlyHere.isEmpty()) {
            text += QStringLiteral(" (only here: %1%2)")
                        .arg(onlyHere.mid(0, kCategoriesListed).join(QLatin1String(", ")),
                             onlyHere.size() > kCategoriesListed ? QStringLiteral(", …") : QString());
        }
    }
    return text;
}

QString paramValue(const QList<QPair<QString, QString>> &params, const QString &key)
{
    for (const auto &[name, value] : params) {
        if (name == key)
            return value;
    }
    return {};
}

} // namespace

QList<VersionDiffLine> diffVersions(const ModelVersion &left, const ModelVersion &right)
{
    QList<VersionDiffLine> lines;
    const ModelSignature &l = left.signature;
    const ModelSignature &r = right.signature;
    addLine(lines, Section::Model, QStringLiteral("trainer"), left.trainer, right.trainer);
    addLine(lines, Section::Model, QStringLiteral("format"), left.modelFormat, right.modelFormat);
    addLine(lines, Section::Model, QStringLiteral("task"), taskKindName(l.task), taskKindName(r.task));
    addLine(lines, Section::Model, QStringLiteral("target"), l.target, r.target);
    addLine(lines, Section::Model, QStringLiteral("classes"), l.classes.join(QLatin1String(", ")),
            r.classes.join(QLatin1String(", ")));
    addLine(lines, Section::Model, QStringLiteral("dataset"), datasetText(left.lineage), datasetText(right.lineage));
    addLine(lines, Section::Model, QStringLiteral("status"), versionStatusName(left.status),
            versionStatusName(right.status));

    const QStringList metricKeys = sortedNaturally(left.metrics.keys() + right.metrics.keys());
    for (const QString &key : metricKeys) {
        const auto text = [&](const ModelVersion &v) {
            return v.metrics.contains(key) ? QString::number(v.metrics.value(key), 'g', 6) : QString();
        };
        addLine(lines, Section::Metric, key, text(left), text(right));
    }

    QStringList paramKeys;
    for (const auto *params : {&left.lineage.params, &right.lineage.params}) {
        for (const auto &pair : *params)
            paramKeys.append(pair.first);
    }
    for (const QString &key : sortedNaturally(paramKeys))
        addLine(lines, Section::Param, key, paramValue(left.lineage.params, key),
                paramValue(right.lineage.params, key));

    QStringList columns;
    for (const auto *inputs : {&l.inputs, &r.inputs}) {
        for (const SignatureColumn &column : *inputs)
            columns.append(column.name);
    }
    for (const QString &name : sortedNaturally(columns)) {
        const SignatureColumn *a = l.input(name);
        const SignatureColumn *b = r.input(name);
        VersionDiffLine line {Section::Schema, name, columnText(a, b), columnText(b, a), false};
        // Categories may match as sets but come in another order (most frequent first): that
        // changes nothing a caller sends, so compare them as sets.
        line.differs = !a || !b || a->type != b->type || a->otherCategories != b->otherCategories
            || QSet<QString>(a->categories.begin(), a->categories.end())
                != QSet<QString>(b->categories.begin(), b->categories.end());
        lines.append(line);
    }
    return lines;
}

} // namespace kiln
