#pragma once

#include "util/expected.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

/// Metrics on a held-out set, defined exactly as scikit-learn 1.2 defines them, so a user who
/// checks a Kiln number with sklearn gets the same number. Sums are done in numpy's order
/// (pairwise), which is what makes sklearn's edge cases (e.g. R² of a nearly constant target)
/// come out the same. Pure functions with no shared state: call them from any thread.
namespace kiln::evaluation {

/// One row of sklearn's classification_report: precision_recall_fscore_support(average=None)
/// with zero_division=0 for this class.
struct ClassMetrics
{
    int classIndex = 0; ///< index into ClassificationReport::classes and the probability columns
    QString label;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    qint64 support = 0; ///< rows of this class in yTrue
};

/// A point of a ROC curve (x = false positive rate, y = true positive rate) or of a
/// precision-recall curve (x = recall, y = precision).
struct CurvePoint
{
    double x = 0;
    double y = 0;
    double threshold = 0; ///< score at or above which a row counts as positive
};

/// One class's one-vs-rest curve.
struct ClassCurve
{
    int classIndex = 0;
    std::vector<CurvePoint> points;
};

/// Everything the experiments panel shows about a classifier on its test set.
struct ClassificationReport
{
    QStringList classes; ///< class labels in index order (the probability columns)
    double accuracy = 0;
    /// Averages over sklearn's default labels: the classes that occur in yTrue or in the
    /// predictions. A class that never occurs in either is left out of the macro average, as
    /// sklearn leaves it out when it is not told the labels.
    double precisionMacro = 0;
    double recallMacro = 0;
    double f1Macro = 0;
    double precisionWeighted = 0; ///< weighted by support
    double recallWeighted = 0;
    double f1Weighted = 0;
    QList<ClassMetrics> perClass; ///< the same default labels, in class index order
    /// Binary: roc_auc_score(yTrue, p[:, 1]). Multiclass: roc_auc_score(multi_class='ovr',
    /// average='macro'). nullopt where sklearn raises: a binary yTrue with one class, or a
    /// multiclass yTrue that lacks one of the classes.
    std::optional<double> rocAuc;
    /// log_loss(yTrue, p, labels=range(k)) with sklearn 1.2's default eps="auto": probabilities
    /// clipped to [ε, 1 - ε] with ε = 2.22e-16 (float64 epsilon), then rows renormalised.
    /// Always set by classify(); optional for reports that come without probabilities.
    std::optional<double> logLoss;
    /// confusion_matrix(yTrue, yPred, labels=range(k)): rows = true class, columns = predicted.
    /// All k classes, so a class absent from the test set still has its (zero) row and column.
    std::vector<std::vector<qint64>> confusion;
    /// roc_curve(yTrue == c, p[:, c]) with drop_intermediate=True. Binary: one curve, for class 1;
    /// multiclass: one per class. Starts at (0, 0) with sklearn 1.2's threshold max(score) + 1.
    /// Empty where sklearn returns NaN rates: the class is absent, or it is the only class.
    std::vector<ClassCurve> roc;
    /// precision_recall_curve(yTrue == c, p[:, c]) for the same classes, x = recall,
    /// y = precision, ending at (0, 1) whose threshold sklearn leaves out; here it is +inf.
    std::vector<ClassCurve> precisionRecall;

    /// Curves are written as sklearn returns them: {"fpr", "tpr", "thresholds"} arrays and
    /// {"precision", "recall", "thresholds"} with one threshold fewer. rocAuc may be null.
    QJsonObject toJson() const;
};

/// Classification metrics. yTrue holds a class index (0..k-1) per row; probabilities holds the
/// predicted class probabilities row-major, n rows × k = classes.size() columns, each in [0, 1]
/// and each row summing to 1 (np.allclose, as sklearn checks for multiclass AUC). The predicted
/// class is the argmax of a row, ties going to the lowest index (np.argmax).
/// Fails with a message naming the row when the inputs do not fit together.
Expected<ClassificationReport> classify(const std::vector<int> &yTrue, const std::vector<double> &probabilities,
                                        const QStringList &classes);

/// Regression metrics, each the sklearn function of the same name.
struct RegressionReport
{
    double rmse = 0; ///< mean_squared_error(squared=False)
    double mae = 0; ///< mean_absolute_error
    /// r2_score with force_finite=True: 1 when SS_res = 0, 0 when only SS_tot = 0; nullopt for
    /// one row, where sklearn returns NaN. SS_tot is summed as numpy sums, so a target that is
    /// constant but not exactly averaged (0.1, 0.1, 0.1) scores like sklearn, hugely negative.
    std::optional<double> r2;
    double mape = 0; ///< mean_absolute_percentage_error: |y - ŷ| / max(|y|, 2.22e-16), a fraction
    double maxError = 0; ///< max_error

    QJsonObject toJson() const;
};

/// Fails when the vectors are empty, differ in length, or hold a non-finite value.
Expected<RegressionReport> regress(const std::vector<double> &yTrue, const std::vector<double> &yPred);

} // namespace kiln::evaluation
