// prefillModelCard: the Markdown card a new version starts with (GitHub tables, so that the
// Models panel renders it with QTextDocument::setMarkdown and a bundle reader with anything).
#include "registry/modelregistry.h"

namespace kiln {
namespace {

constexpr int kCategoriesShown = 10;

/// A table cell: pipes would end the cell and line breaks the row.
QString cell(QString text)
{
    text.replace(QLatin1Char('|'), QLatin1String("\\|"));
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return text;
}

QString code(const QString &text)
{
    return QLatin1Char('`') + text + QLatin1Char('`');
}

QString table(const QStringList &header, const QList<QStringList> &rows)
{
    QString out = QLatin1String("| ") + header.join(QLatin1String(" | ")) + QLatin1String(" |\n|");
    for (qsizetype i = 0; i < header.size(); ++i)
        out += QLatin1String(" --- |");
    out += QLatin1Char('\n');
    for (const QStringList &row : rows) {
        QStringList cells;
        for (const QString &text : row)
            cells.append(cell(text));
        out += QLatin1String("| ") + cells.join(QLatin1String(" | ")) + QLatin1String(" |\n");
    }
    return out;
}

QString taskText(TaskKind task)
{
    switch (task) {
    case TaskKind::BinaryClassification:
        return QStringLiteral("binary classification");
    case TaskKind::MulticlassClassification:
        return QStringLiteral("multiclass classification");
    case TaskKind::Regression:
        return QStringLiteral("regression");
    }
    return {};
}

QString categoriesText(const SignatureColumn &column)
{
    if (column.type != ColumnType::Categorical && column.type != ColumnType::Text)
        return {};
    QString text = column.categories.mid(0, kCategoriesShown).join(QLatin1String(", "));
    if (column.categories.size() > kCategoriesShown)
        text += QStringLiteral(", … (%1 in all)").arg(column.categories.size());
    if (column.otherCategories)
        text += QLatin1String(" + others");
    return text;
}

} // namespace

QString prefillModelCard(const ModelVersion &version)
{
    const ModelLineage &lineage = version.lineage;
    const ModelSignature &signature = version.signature;
    QString md = QStringLiteral("# %1 v%2\n\n").arg(version.modelName).arg(version.version);

    QString trainer = code(version.trainer);
    if (!lineage.library.isEmpty())
        trainer += QStringLiteral(" (%1)").arg(lineage.library);
    md += QStringLiteral("Trainer: %1, %2 of %3.\n\n").arg(trainer, taskText(signature.task), code(signature.target));
    if (lineage.source == QLatin1String("bundle")) {
        md += QStringLiteral("Imported from the bundle %1").arg(code(lineage.bundleFile));
        if (!lineage.origin.isEmpty())
            md += QStringLiteral(" (exported as %1)").arg(code(lineage.origin));
        md += QLatin1String(".\n\n");
    } else if (!lineage.runName.isEmpty() || !lineage.runUuid.isEmpty()) {
        md += QStringLiteral("Trained by run %1 (%2) of the experiment %3.\n\n")
                  .arg(code(lineage.runName), code(lineage.runUuid.left(8)), code(lineage.experiment));
    }

    md += QLatin1String("## Data\n\n");
    if (lineage.datasetName.isEmpty()) {
        md += QLatin1String("Not recorded.\n\n");
    } else {
        md += QStringLiteral("Dataset %1, %2 rows, SHA-256 %3.\n\n")
                  .arg(code(lineage.datasetName + QLatin1Char('@') + QString::number(lineage.datasetVersion)))
                  .arg(lineage.datasetRows)
                  .arg(code(lineage.datasetSha256.left(12)));
    }

    md += QLatin1String("## Parameters\n\n");
    if (lineage.params.isEmpty()) {
        md += QLatin1String("None recorded.\n\n");
    } else {
        QList<QStringList> rows;
        for (const auto &[key, value] : lineage.params)
            rows.append({key, value});
        md += table({QStringLiteral("Parameter"), QStringLiteral("Value")}, rows) + QLatin1Char('\n');
    }

    md += QLatin1String("## Evaluation\n\n");
    if (version.metrics.isEmpty()) {
        md += QLatin1String("No metrics recorded.\n\n");
    } else {
        QList<QStringList> rows;
        for (auto it = version.metrics.begin(); it != version.metrics.end(); ++it)
            rows.append({it.key(), QString::number(it.value(), 'g', 4)});
        md += table({QStringLiteral("Metric"), QStringLiteral("Value")}, rows) + QLatin1Char('\n');
    }

    md += QLatin1String("## Input schema\n\n");
    QList<QStringList> inputRows;
    for (const SignatureColumn &column : signature.inputs)
        inputRows.append({column.name, columnTypeName(column.type), categoriesText(column)});
    md += table({QStringLiteral("Column"), QStringLiteral("Type"), QStringLiteral("Categories")}, inputRows)
        + QLatin1Char('\n');

    md += QLatin1String("## Output\n\n");
    if (signature.task == TaskKind::Regression) {
        md += QStringLiteral("A value of %1 (%2) in the column %3.\n")
                  .arg(code(signature.target), columnTypeName(signature.targetType),
                       code(QStringLiteral("prediction")));
    } else {
        QStringList classes;
        for (const QString &label : signature.classes)
            classes.append(code(label));
        md += QStringLiteral("The class of %1 in the column %2, one of %3, with the probability of each in %4.\n")
                  .arg(code(signature.target), code(QStringLiteral("label")), classes.join(QLatin1String(", ")),
                       code(QStringLiteral("p_<class>")));
    }
    return md;
}

} // namespace kiln
