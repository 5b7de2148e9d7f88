#pragma once

#include "mlflow/mlflowstore.h"
#include "tasks/task.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace kiln {

class Feedback;
class Workspace;

namespace mlflow {

struct ExportReport
{
    QString folder; ///< the mlruns folder written
    int experiments = 0; ///< experiment folders created
    int runsWritten = 0;
    int runsSkipped = 0; ///< already in the folder (same run id): left as they are
    qint64 metricPoints = 0;
    int artifacts = 0;
    QList<Issue> skipped; ///< runs not written and why (unfinished, ...)

    QJsonObject toJson() const;
    QString summary() const; ///< "wrote 12 runs in 2 experiments to …/mlruns; 1 already there"
};

/// Writes runs of `workspace` into the MLflow file store at `folder` (created when missing;
/// an existing store is added to: experiments matched by name, new ones numbered after the
/// largest id there): experiment meta.yaml, and per run meta.yaml (run id = Kiln's uuid,
/// name, status, times, user, artifact_uri), params/, tags/ (mlflow.runName, mlflow.user,
/// mlflow.parentRunId for sweep points, mlflow.source.name), metrics/ ("timestamp value
/// step" lines) and artifacts/. `runIds` empty: every run. Queued or running runs are
/// skipped. A run is written to a temporary folder and renamed into place, so MLflow never
/// sees half a run.
Expected<ExportReport> exportRuns(Workspace &workspace, const QString &folder, const std::vector<qint64> &runIds = {},
                                  Feedback *feedback = nullptr);

/// exportRuns() on a worker, opening its own connection to `location`.
class ExportTask final : public Task
{
    Q_OBJECT

public:
    ExportTask(QString location, QString folder, std::vector<qint64> runIds, QObject *parent = nullptr);
    QString folder() const { return m_folder; }
    const ExportReport &report() const { return m_report; }

protected:
    Status run(Feedback &feedback) override;

private:
    QString m_location;
    QString m_folder;
    std::vector<qint64> m_runIds;
    ExportReport m_report;
};

} // namespace mlflow
} // namespace kiln
