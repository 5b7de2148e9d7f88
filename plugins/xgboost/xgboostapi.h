#pragma once

#include "training/trainer.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <string>
#include <utility>
#include <vector>

// A thin, checked layer over XGBoost's C API: handles own their XGBoost objects, and every call
// that can fail returns its failure as an Error with XGBoost's message made readable. A handle is
// used by one thread at a time, except where XGBoost documents otherwise (see XGBoostPredictor).
namespace kiln::Internal::xgb {

struct DMatrixFree
{
    void operator()(void *handle) const;
};
struct BoosterFree
{
    void operator()(void *handle) const;
};

/// Owns an XGBoost DMatrixHandle.
using DMatrix = std::unique_ptr<void, DMatrixFree>;
/// Owns an XGBoost BoosterHandle.
using Booster = std::unique_ptr<void, BoosterFree>;

/// "1.7.4", the version of the library linked at run time.
QString version();

/// Checks that `data` holds rows × columns feature values, at least one of each.
Status checkShape(const TrainingData &data);

enum class Labels { With, Without };
/// The matrix of `data` (NaN is missing), with its target as labels unless told otherwise (a
/// prediction has no use for them); `threads` 0 means all cores.
Expected<DMatrix> makeMatrix(const TrainingData &data, int threads, Labels labels = Labels::With);

/// A booster that caches `matrices` (XGBoost keeps per-matrix prediction caches for them).
Expected<Booster> makeBooster(const std::vector<void *> &matrices);
Status setParam(void *booster, const std::string &name, const std::string &value);

/// Predictions in XGBoost's own buffer: valid until the next XGBoost call on this thread.
struct Predictions
{
    const float *values = nullptr;
    std::size_t size = 0; ///< rows, or rows × classes for a multiclass model
};
/// Probabilities (classification) or values (regression) of `booster` for `matrix`; for a
/// matrix the booster was created with, from its prediction cache.
Expected<Predictions> predict(void *booster, void *matrix);
/// Probabilities or values of `booster` for `rows` × `columns` row-major values (NaN is
/// missing) read where they are, without a DMatrix (XGBoosterPredictFromDense: the same values
/// as predict() on a matrix of them). Tree boosters only: XGBoost 1.7's gblinear refuses it.
Expected<Predictions> predictInPlace(void *booster, const float *values, qint64 rows, int columns);

Expected<QByteArray> saveModel(void *booster);
/// Refuses bytes that are not a whole UBJSON document before XGBoost sees them (checkUbjModel).
Expected<Booster> loadModel(const QByteArray &bytes);

/// The booster's first `rounds` rounds as a new booster.
Expected<Booster> slice(void *booster, int rounds);
Expected<qint64> featureCount(void *booster);
/// The kind of the booster's model, from its JSON configuration: "gbtree", "gblinear", "dart".
Expected<QString> boosterName(void *booster);

/// XGBoosterFeatureScore: per feature (named "f0", "f1", ... as Kiln sets no names) its score,
/// or one score per class for a multiclass linear model.
struct FeatureScores
{
    std::vector<QString> names;
    std::size_t perFeature = 1;
    std::vector<float> scores; ///< names.size() × perFeature
};
Expected<FeatureScores> featureScores(void *booster, const char *importanceType);

/// One boosting round, and its evaluation on `matrices` (named `names`).
Status updateOneIter(void *booster, int round, void *train);

/// One metric of an EvalOneIter line: "train-logloss:0.25" is {"train/logloss", 0.25}.
struct EvalResult
{
    QString key;
    double value = 0;
};
/// Parses "[3]\ttrain-logloss:0.25\tvalidation-logloss:0.31"; unreadable items are skipped.
std::vector<EvalResult> parseEval(const char *line);
Expected<std::vector<EvalResult>> evalOneIter(void *booster, int round, std::vector<void *> &matrices,
                                              std::vector<const char *> &names);

/// Routes XGBoost's log output on the calling thread to `logger` for this object's lifetime
/// (XGBoost's log callback is per thread).
class LogRedirect final
{
public:
    explicit LogRedirect(TrainingLogger *logger);
    ~LogRedirect();
    LogRedirect(const LogRedirect &) = delete;
    LogRedirect &operator=(const LogRedirect &) = delete;

private:
    TrainingLogger *m_previous = nullptr;
};

} // namespace kiln::Internal::xgb
