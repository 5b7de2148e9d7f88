#include "models/evaluationdata.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

std::vector<double> doubles(const QJsonValue &value)
{
    const QJsonArray array = value.toArray();
    std::vector<double> out;
    out.reserve(std::size_t(array.size()));
    for (const auto &v : array)
        out.push_back(v.toDouble());
    return out;
}

void addMetric(QList<QPair<QString, double>> &metrics, const QJsonObject &json, const char *key, const QString &label)
{
    const QJsonValue value = json.value(QLatin1String(key));
    if (value.isDouble())
        metrics.append({label, value.toDouble()});
}

/// The curves of `key` ("roc", "precisionRecall"), with `xKey` and `yKey` as their points;
/// curves of fewer than two points (sklearn's NaN rates) are left out.
QList<EvaluationCurve> curves(const QJsonObject &root, const char *key, const char *xKey, const char *yKey,
                              double (*area)(const std::vector<double> &, const std::vector<double> &))
{
    QList<EvaluationCurve> out;
    for (const auto &value : root.value(QLatin1String(key)).toArray()) {
        const QJsonObject object = value.toObject();
        EvaluationCurve curve;
        curve.label = object.value(QLatin1String("class")).toString();
        curve.x = doubles(object.value(QLatin1String(xKey)));
        curve.y = doubles(object.value(QLatin1String(yKey)));
        if (curve.x.size() != curve.y.size() || curve.x.size() < 2)
            continue;
        curve.auc = area(curve.x, curve.y);
        out.append(std::move(curve));
    }
    return out;
}

} // namespace

double averagePrecision(const std::vector<double> &recall, const std::vector<double> &precision)
{
    double sum = 0;
    for (std::size_t i = 0; i + 1 < recall.size() && i < precision.size(); ++i)
        sum += (recall[i] - recall[i + 1]) * precision[i];
    return sum;
}

double areaUnderCurve(const std::vector<double> &x, const std::vector<double> &y)
{
    double area = 0;
    for (std::size_t i = 1; i < x.size() && i < y.size(); ++i)
        area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
    // sklearn flips the sign for a decreasing x; a ROC curve's fpr only grows.
    return std::abs(area);
}

Expected<EvaluationData> EvaluationData::fromJson(const QByteArray &json)
{
    QJsonParseError parseError {};
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject())
        return Error {QStringLiteral("evaluation.json is not a JSON object: %1").arg(parseError.errorString())};
    const QJsonObject root = document.object();
    EvaluationData data;
    if (root.contains(QLatin1String("accuracy"))) {
        data.kind = Kind::Classification;
        addMetric(data.metrics, root, "accuracy", QStringLiteral("Accuracy"));
        addMetric(data.metrics, root, "precisionMacro", QStringLiteral("Precision (macro)"));
        addMetric(data.metrics, root, "recallMacro", QStringLiteral("Recall (macro)"));
        addMetric(data.metrics, root, "f1Macro", QStringLiteral("F1 (macro)"));
        addMetric(data.metrics, root, "precisionWeighted", QStringLiteral("Precision (weighted)"));
        addMetric(data.metrics, root, "recallWeighted", QStringLiteral("Recall (weighted)"));
        addMetric(data.metrics, root, "f1Weighted", QStringLiteral("F1 (weighted)"));
        addMetric(data.metrics, root, "rocAuc", QStringLiteral("ROC AUC"));
        addMetric(data.metrics, root, "logLoss", QStringLiteral("Log loss"));
        for (const auto &label : root.value(QLatin1String("classes")).toArray())
            data.classes << label.toString();
        for (const auto &value : root.value(QLatin1String("perClass")).toArray()) {
            const QJsonObject row = value.toObject();
            data.perClass.append(
                {row.value(QLatin1String("class")).toString(), row.value(QLatin1String("precision")).toDouble(),
                 row.value(QLatin1String("recall")).toDouble(), row.value(QLatin1String("f1")).toDouble(),
                 qint64(row.value(QLatin1String("support")).toDouble())});
        }
        for (const auto &rowValue : root.value(QLatin1String("confusion")).toArray()) {
            std::vector<qint64> row;
            for (const auto &count : rowValue.toArray())
                row.push_back(qint64(count.toDouble()));
            data.confusion.push_back(std::move(row));
        }
        const qsizetype k = data.classes.size();
        for (const auto &row : data.confusion) {
            if (qsizetype(row.size()) != k || qsizetype(data.confusion.size()) != k)
                return Error {QStringLiteral("evaluation.json: the confusion matrix is not %1 × %1").arg(k)};
        }
        data.roc = curves(root, "roc", "fpr", "tpr", &areaUnderCurve);
        data.precisionRecall = curves(root, "precisionRecall", "recall", "precision", &averagePrecision);
    } else if (root.contains(QLatin1String("rmse"))) {
        data.kind = Kind::Regression;
        addMetric(data.metrics, root, "rmse", QStringLiteral("RMSE"));
        addMetric(data.metrics, root, "mae", QStringLiteral("MAE"));
        addMetric(data.metrics, root, "r2", QStringLiteral("R²"));
        addMetric(data.metrics, root, "mape", QStringLiteral("MAPE"));
        addMetric(data.metrics, root, "maxError", QStringLiteral("Max error"));
    } else {
        return Error {QStringLiteral("evaluation.json holds neither classification nor regression metrics")};
    }
    const QJsonObject importance = root.value(QLatin1String("featureImportance")).toObject();
    for (auto it = importance.begin(); it != importance.end(); ++it)
        data.featureImportance.append({it.key(), it.value().toDouble()});
    std::stable_sort(data.featureImportance.begin(), data.featureImportance.end(),
                     [](const auto &a, const auto &b) { return a.second > b.second; });
    return data;
}

Expected<EvaluationData> EvaluationData::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    Expected<EvaluationData> data = fromJson(file.readAll());
    if (!data)
        return Error {QStringLiteral("%1: %2").arg(path, data.errorMessage())};
    return data;
}

Expected<PredictionPoints> parseRegressionPredictions(const QByteArray &csv, qsizetype maxPoints)
{
    QList<QByteArrayView> lines;
    qsizetype start = 0;
    while (start < csv.size()) {
        qsizetype end = csv.indexOf('\n', start);
        if (end < 0)
            end = csv.size();
        if (end > start)
            lines.append(QByteArrayView(csv.constData() + start, end - start));
        start = end + 1;
    }
    if (lines.isEmpty() || !lines.constFirst().startsWith("row,actual,predicted"))
        return Error {QStringLiteral("predictions.csv does not start with row,actual,predicted")};
    PredictionPoints points;
    points.rows = lines.size() - 1;
    const qsizetype step = maxPoints > 0 && points.rows > maxPoints ? (points.rows + maxPoints - 1) / maxPoints : 1;
    for (qsizetype i = 1; i < lines.size(); i += step) {
        const QList<QByteArray> fields = lines.at(i).toByteArray().split(',');
        if (fields.size() < 3)
            return Error {
                QStringLiteral("predictions.csv line %1 has %2 fields, expected 3").arg(i + 1).arg(fields.size())};
        bool actualOk = false;
        bool predictedOk = false;
        const double actual = fields.at(1).toDouble(&actualOk);
        const double predicted = fields.at(2).toDouble(&predictedOk);
        if (!actualOk || !predictedOk)
            continue; // a class label: not a regression's file, or a missing value
        points.actual.push_back(actual);
        points.predicted.push_back(predicted);
    }
    return points;
}

} // namespace kiln
