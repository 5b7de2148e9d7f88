#include "xgboosttrainerprovider.h"

namespace kiln::Internal {

XGBoostTrainerProvider::XGBoostTrainerProvider(QObject *parent)
    : QObject(parent)
{ }

QList<const Trainer *> XGBoostTrainerProvider::trainers() const
{
    return {&m_boostedTrees, &m_randomForest, &m_linear};
}

} // namespace kiln::Internal
