#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <vector>

namespace kiln {

/// One ROC curve of a class against the rest, with its area.
struct EvaluationCurve
{
    QString label;
    std::vector<double> x; ///< false positive rate
    std::vector<double> y; ///< true positive rate
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
    QList<QPair<QString, double>> featureImportance; ///< most important first

    /// Fails with a message when `json` is not an evaluation Kiln wrote.
    static Expected<EvaluationData> fromJson(const QByteArray &json);
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

} // namespace kiln
