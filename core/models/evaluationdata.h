#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace kiln {

class RunTable;
class Workspace;

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

/// The "evaluation.json" of the runs a comparison shows. Each run's artifact is looked up
/// with a small query on the GUI connection (once for a run that has ended; again while a
/// run is active, as its evaluation comes at its end); the files are read and parsed on a
/// worker thread, once per blob (a blob never changes), and ready() says when they are in.
/// Lives on the GUI thread, with the workspace opened for it.
class RunEvaluations final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunEvaluations)

public:
    explicit RunEvaluations(QObject *parent = nullptr);
    ~RunEvaluations() override;

    /// The runs `rows` of `table`, in that order; reads the evaluations not read yet.
    void setRuns(Workspace *workspace, const RunTable &table, const std::vector<int> &rows);
    /// Files are being read; ready() follows.
    bool isLoading() const { return m_pending > 0; }
    const std::vector<qint64> &runIds() const { return m_runIds; }
    /// The run's evaluation; null when it has none (yet), while it is read, or when it
    /// could not be read (error()).
    std::shared_ptr<const EvaluationData> evaluation(qint64 runId) const;
    /// Why the run's evaluation could not be read; empty when nothing went wrong.
    QString error(qint64 runId) const;
    /// The runs (of runIds()) that have no evaluation artifact, or one that cannot be read.
    std::vector<qint64> runsWithoutEvaluation() const;
    /// The blob of each run's evaluation ("" for none), in runIds() order: what a view
    /// compares to know whether anything it shows changed.
    QStringList signature() const;

Q_SIGNALS:
    /// The files asked for are read: evaluation() and error() answer for every run.
    void ready();

private:
    struct Known
    {
        QString sha256; ///< empty: no evaluation artifact
        QString error; ///< the artifact lookup failed
        bool settled = false; ///< looked up after the run ended: it will not change
    };
    struct Read
    {
        QString sha256;
        std::shared_ptr<const EvaluationData> data;
        QString error;
    };

    QString m_databasePath;
    std::vector<qint64> m_runIds;
    QHash<qint64, Known> m_known;
    QHash<QString, Read> m_read; ///< by blob
    int m_pending = 0;
};

} // namespace kiln
