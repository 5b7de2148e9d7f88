#pragma once

#include "mlflow/mlflowstore.h"
#include "tasks/task.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace kiln {

class Feedback;
class Workspace;

namespace mlflow {

struct ImportOptions
{
    bool includeDeleted = false; ///< also deleted experiments and runs (tagged kiln.mlflow.deleted=true)
    bool artifacts = true; ///< copy run artifacts found on this machine into the workspace
    bool models = true; ///< the model registry
};

/// What an import did. Counts of what was added, updated (changed since the last import) and
/// already there; `skipped` lists everything not imported with its path and reason (the
/// reader's issues, deleted items left out, conflicts with Kiln's own runs or versions).
struct ImportReport
{
    QString store; ///< path of the store
    QString kind; ///< "file store" or "SQLite database"
    QString schemaRevision;
    int experiments = 0; ///< experiments that had runs imported or updated
    int runsAdded = 0;
    int runsUpdated = 0;
    int runsUnchanged = 0;
    qint64 metricPoints = 0; ///< points written
    int artifacts = 0; ///< artifact files copied
    int modelsAdded = 0;
    int versionsAdded = 0;
    int versionsUnchanged = 0;
    int aliases = 0; ///< aliases set or moved
    QList<Issue> skipped;
    QStringList runUuids; ///< runs added or updated, in import order (the UI selects them)

    QJsonObject toJson() const;
    /// "12 runs added, 3 updated, 40 already there; 2 models, 5 versions; 2 items skipped"
    QString summary() const;
};

/// Imports the MLflow store at `path` into `workspace`: experiments by name, runs under their
/// MLflow id as uuid (name, status, start/end times, user, params, tags, metric series,
/// artifacts; `mlflow.parentRunId` becomes the parent run), and the registry (models,
/// versions with their MLflow numbers, tags, aliases; stages as statuses). Each run is one
/// transaction, so an interrupted import never leaves a half run; re-importing adds nothing,
/// and a run whose fingerprint changed in MLflow is replaced by its new content. A run id
/// that Kiln already uses for a run of its own is skipped as a conflict. Fails only when the
/// store cannot be opened at all or the workspace cannot be written; cancel through
/// `feedback` (what was imported so far stays, whole).
Expected<ImportReport> importStore(Workspace &workspace, const QString &path, const ImportOptions &options,
                                   Feedback *feedback = nullptr);

/// importStore() on a worker (TaskManager), opening its own connection to `location`.
class ImportTask final : public Task
{
    Q_OBJECT

public:
    ImportTask(QString location, QString path, ImportOptions options = {}, QObject *parent = nullptr);
    QString path() const { return m_path; }
    /// Valid once the task succeeded (or was cancelled: what was imported until then).
    const ImportReport &report() const { return m_report; }

protected:
    Status run(Feedback &feedback) override;

private:
    QString m_location;
    QString m_path;
    ImportOptions m_options;
    ImportReport m_report;
};

} // namespace mlflow
} // namespace kiln
