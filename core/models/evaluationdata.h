#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <vector>

namespace kiln {

/// One curve of a class against the rest, with its area: a ROC curve (x: false positive
/// rate, y: true positive rate, `auc` the area under it) or a precision-recall curve (x:
/// recall, decreasing; y: precision; `auc` the average precision, as sklearn's
/// average_precision_score).
struct EvaluationCurve
{
    QString label;
    std::vector<double> x;
    std::vector<double> y;
    double auc = 0;
};

/// One row of the per-class table.
struct ClassEvaluation
{
    QString label;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    qint64 support = 0;
};

/// What a run's "evaluation.json" artifact says, in the shape the Evaluation tab shows it:
/// labelled metrics, per-class rows, the confusion matrix, ROC curves and feature importance.
/// Plain data, parsed on any thread.
struct EvaluationData
{
    enum class Kind { Classification, Regression };
    Kind kind = Kind::Classification;
    QList<QPair<QString, double>> metrics; ///< label ("Accuracy") → value, in reading order
    QStringList classes;
    QList<ClassEvaluation> perClass;
    std::vector<std::vector<qint64>> confusion; ///< rows: true class; columns: predicted
    QList<EvaluationCurve> roc;
    QList<EvaluationCurve> precisionRecall; ///< per class as `roc` (binary: the positive class only)
    QList<QPair<QString, double>> featureImportance; ///< most important first

    /// Fails with a message when `json` is not an evaluation Kiln wrote.
    static Expected<EvaluationData> fromJson(const QByteArray &json);
    /// Reads and parses the file at `path`; the message names the file and the reason.
    static Expected<EvaluationData> fromFile(const QString &path);
};

/// Actual and predicted values of a regression's "predictions.csv" artifact
/// (columns row,actual,predicted): every row, or an evenly spaced sample of `maxPoints`.
struct PredictionPoints
{
    std::vector<double> actual;
    std::vector<double> predicted;
    qint64 rows = 0; ///< rows in the file, sampled or not
};
Expected<PredictionPoints> parseRegressionPredictions(const QByteArray &csv, qsizetype maxPoints);

/// The trapezoidal area under a curve given by its points in order (sklearn.metrics.auc).
double areaUnderCurve(const std::vector<double> &x, const std::vector<double> &y);
/// The average precision of a precision-recall curve with recall decreasing (the order
/// sklearn.metrics.precision_recall_curve gives): the sum of each recall step times the
/// precision at it, as sklearn.metrics.average_precision_score.
double averagePrecision(const std::vector<double> &recall, const std::vector<double> &precision);

} // namespace kiln
