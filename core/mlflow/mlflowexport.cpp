// Exports runs to an MLflow file store. Owned by the file-store helper.

#include "mlflow/mlflowexport.h"

#include "workspace/workspace.h"

namespace kiln::mlflow {

QJsonObject ExportReport::toJson() const
{
    return {};
}

QString ExportReport::summary() const
{
    return {};
}

Expected<ExportReport> exportRuns(Workspace &, const QString &folder, const std::vector<qint64> &, Feedback *)
{
    return Error {QStringLiteral("%1: MLflow export is not built yet").arg(folder)};
}

ExportTask::ExportTask(QString location, QString folder, std::vector<qint64> runIds, QObject *parent)
    : Task(QStringLiteral("Export runs to MLflow"), parent)
    , m_location(std::move(location))
    , m_folder(std::move(folder))
    , m_runIds(std::move(runIds))
{ }

Status ExportTask::run(Feedback &)
{
    return Error {QStringLiteral("not built yet")};
}

} // namespace kiln::mlflow
