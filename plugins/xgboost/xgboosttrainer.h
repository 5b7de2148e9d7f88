#pragma once

#include "training/trainer.h"

#include <QVariantMap>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kiln::Internal {

/// What one algorithm asks of XGBoost for one fit: the booster parameters, how many rounds, and
/// whether to stop early.
struct BoosterSetup
{
    std::vector<std::pair<std::string, std::string>> params;
    int rounds = 1;
    int earlyStoppingRounds = 0; ///< 0: off
    int threads = 0; ///< 0: all cores
    bool linear = false; ///< gblinear: importance from weights, not gain
};

/// The training loop every XGBoost algorithm shares: builds the matrices, sets the objective and
/// metrics for the task, runs the rounds (logging metrics, honouring cancel and early
/// stopping), and saves the model as UBJSON. Subclasses declare their hyperparameters and turn
/// them into a BoosterSetup. Stateless and thread-safe: every call makes its own XGBoost handles.
class XGBoostTrainer : public Trainer
{
public:
    QList<TaskKind> tasks() const override;
    QString libraryVersion() const override;

    Expected<TrainedModel> train(const TrainingData &train, const TrainingData *validation, const QJsonObject &params,
                                 quint64 seed, TrainingLogger &logger, Feedback &feedback) const override;
    /// An XGBoostPredictor of a model in the "xgboost-ubj" format (any of the XGBoost trainers
    /// reads any XGBoost model).
    Expected<std::shared_ptr<const ModelPredictor>> loadPredictor(const TrainedModel &model) const override;

    /// `params` checked against hyperParameters(task), with defaults for those absent: the
    /// values a run records. Unknown names and out-of-range values are errors.
    Expected<QVariantMap> resolveParams(TaskKind task, const QJsonObject &params) const;

protected:
    /// The booster for `task` with `params` as resolveParams() gives them.
    virtual BoosterSetup setup(TaskKind task, const QVariantMap &params) const = 0;
};

} // namespace kiln::Internal
