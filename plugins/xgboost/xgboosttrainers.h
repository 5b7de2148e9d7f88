#pragma once

#include "xgboosttrainer.h"

namespace kiln::Internal {

/// An XGBoost algorithm whose id, name, description and hyperparameters are fixed when it is
/// made; each algorithm below adds only its booster setup. Immutable after construction; any
/// thread.
class DeclaredXGBoostTrainer : public XGBoostTrainer
{
public:
    QString id() const final;
    QString displayName() const final;
    QString description() const final;
    QList<HyperParameter> hyperParameters(TaskKind task) const final;

protected:
    DeclaredXGBoostTrainer(QString id, QString displayName, QString description, QList<HyperParameter> hyperParameters);

private:
    QString m_id;
    QString m_displayName;
    QString m_description;
    QList<HyperParameter> m_hyperParameters;
};

/// Gradient-boosted trees (XGBoost's gbtree): "boosted-trees".
class BoostedTreesTrainer final : public DeclaredXGBoostTrainer
{
public:
    BoostedTreesTrainer();

protected:
    BoosterSetup setup(TaskKind task, const QVariantMap &params) const override;
};

/// XGBoost's random forest mode (one round of parallel trees on row and column samples):
/// "random-forest".
class RandomForestTrainer final : public DeclaredXGBoostTrainer
{
public:
    RandomForestTrainer();

protected:
    BoosterSetup setup(TaskKind task, const QVariantMap &params) const override;
};

/// Linear and logistic regression (XGBoost's gblinear, elastic-net penalties): "linear".
class LinearTrainer final : public DeclaredXGBoostTrainer
{
public:
    LinearTrainer();

protected:
    BoosterSetup setup(TaskKind task, const QVariantMap &params) const override;
};

} // namespace kiln::Internal
