#pragma once

#include "training/trainer.h"
#include "xgboosttrainers.h"

#include <QObject>

namespace kiln::Internal {

/// The built-in trainers over XGBoost: boosted trees, random forest and linear models. Owns the
/// three Trainer objects, which are stateless: any thread may use them for as long as the
/// provider lives (PluginManager keeps it for the life of the process).
class XGBoostTrainerProvider final : public QObject, public TrainerProvider
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID KILN_TRAINER_PLUGIN_IID FILE "xgboost.json")
    Q_INTERFACES(kiln::TrainerProvider)
    Q_DISABLE_COPY_MOVE(XGBoostTrainerProvider)

public:
    explicit XGBoostTrainerProvider(QObject *parent = nullptr);

    QList<const Trainer *> trainers() const override;

private:
    BoostedTreesTrainer m_boostedTrees;
    RandomForestTrainer m_randomForest;
    LinearTrainer m_linear;
};

} // namespace kiln::Internal
