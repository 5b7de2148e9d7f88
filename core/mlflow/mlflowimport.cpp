// Imports an MLflow store into a workspace. Owned by the import helper.

#include "mlflow/mlflowimport.h"

#include "workspace/workspace.h"

namespace kiln::mlflow {

QJsonObject ImportReport::toJson() const
{
    return {};
}

QString ImportReport::summary() const
{
    return {};
}

Expected<ImportReport> importStore(Workspace &, const QString &path, const ImportOptions &, Feedback *)
{
    return Error {QStringLiteral("%1: MLflow import is not built yet").arg(path)};
}

ImportTask::ImportTask(QString location, QString path, ImportOptions options, QObject *parent)
    : Task(QStringLiteral("Import MLflow store"), parent)
    , m_location(std::move(location))
    , m_path(std::move(path))
    , m_options(options)
{ }

Status ImportTask::run(Feedback &)
{
    return Error {QStringLiteral("not built yet")};
}

} // namespace kiln::mlflow
