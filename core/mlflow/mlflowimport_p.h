#pragma once

// What the two halves of the MLflow import share: runs (mlflowimport.cpp) and the model
// registry (mlflowimportmodels.cpp). Private to core/mlflow.

#include "mlflow/mlflowimport.h"
#include "storage/database.h"

#include <QHash>

namespace kiln::mlflow::Internal {

/// One import in progress: the store, the workspace, what was done so far.
struct ImportState
{
    Workspace &workspace;
    Reader &reader;
    const ImportOptions &options;
    Feedback *feedback;
    ImportReport &report;
    /// MLflow run id → Kiln run id, for the runs of the store that are in the workspace
    /// (added, updated or already there): parents of nested runs, runs of model versions.
    QHash<QString, qint64> runs;

    bool cancelled() const;
    /// Records an item not imported; a path inside the store's folder is shown relative to the
    /// folder holding the store ("mlruns/0/ab12…"), as the readers show theirs.
    void skip(const QString &path, const QString &reason);
};

/// Imports (or updates) the runs of every experiment, parents before their children.
Status importRuns(ImportState &state);
/// Imports the registry: models, versions with their numbers, tags and aliases.
Status importModels(ImportState &state);
/// Kiln's id of the run whose uuid is `uuid` (0: none).
Expected<qint64> runIdOfUuid(Database &db, const QString &uuid);

/// The whole import from an opened reader (importStore() opens it from a path).
Expected<ImportReport> importFrom(Workspace &workspace, Reader &reader, const ImportOptions &options,
                                  Feedback *feedback);

} // namespace kiln::mlflow::Internal
