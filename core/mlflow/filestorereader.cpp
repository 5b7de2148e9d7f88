// Reads MLflow's file store (mlruns/). Owned by the file-store helper.

#include "mlflow/mlflowreaders_p.h"

namespace kiln::mlflow::Internal {

Expected<std::unique_ptr<Reader>> openFileStore(const QString &folder)
{
    return Error {QStringLiteral("%1: reading MLflow file stores is not built yet").arg(folder)};
}

bool isFileStore(const QString &)
{
    return false;
}

} // namespace kiln::mlflow::Internal
