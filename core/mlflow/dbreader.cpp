// Reads MLflow's SQLite database (mlflow.db). Owned by the database helper.

#include "mlflow/mlflowreaders_p.h"

namespace kiln::mlflow::Internal {

Expected<std::unique_ptr<Reader>> openDatabase(const QString &file)
{
    return Error {QStringLiteral("%1: reading MLflow databases is not built yet").arg(file)};
}

bool isDatabase(const QString &)
{
    return false;
}

} // namespace kiln::mlflow::Internal
