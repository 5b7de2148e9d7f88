#pragma once

#include "xgboosttrainer.h"

namespace kiln::Internal {

/// Gradient-boosted trees (XGBoost's gbtree): "boosted-trees". Stateless; any thread.
class BoostedTreesTrainer final : public XGBoostTrainer
{
public:
    QString id() const override;
    QString displayName() const override;
    QString description() const override;
    QList<HyperParameter> hyperParameters(TaskKind task) const override;

protected:
    BoosterSetup setup(TaskKind task, const QVariantMap &params) const override;
};

/// XGBoost's random forest mode (one round of parallel trees on row and column samples):
/// "random-forest". Stateless; any thread.
class RandomForestTrainer final : public XGBoostTrainer
{
public:
    QString id() const override;
    QString displayName() const override;
    QString description() const override;
    QList<HyperParameter> hyperParameters(TaskKind task) const override;

protected:
    BoosterSetup setup(TaskKind task, const QVariantMap &params) const override;
};

/// Linear and logistic regression (XGBoost's gblinear, elastic-net penalties): "linear".
/// Stateless; any thread.
class LinearTrainer final : public XGBoostTrainer
{
public:
    QString id() const override;
    QString displayName() const override;
    QString description() const override;
    QList<HyperParameter> hyperParameters(TaskKind task) const override;

protected:
    BoosterSetup setup(TaskKind task, const QVariantMap &params) const override;
};

} // namespace kiln::Internal
