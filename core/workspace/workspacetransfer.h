#pragma once

#include "tasks/task.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <array>

namespace kiln {

class Feedback;
class Workspace;

/// What one workspace transfer did, per kind of item: copied, or already at the destination
/// (skipped), and what it refused to overwrite (conflicts).
struct TransferReport
{
    enum Kind {
        Blobs,
        DatasetVersions,
        Experiments,
        Runs,
        Models,
        ModelVersions,
        Tags, ///< tags of models and of versions, merged by key
        Aliases,
        SavedViews,
        Targets,
        Deployments,
        KindCount
    };
    struct Counts
    {
        int copied = 0;
        int skipped = 0;
    };

    std::array<Counts, KindCount> counts {};
    qint64 blobBytes = 0; ///< bytes of the blobs copied
    /// Runs still queued or running at the source (or in a sweep that is): a later transfer
    /// copies them once they ended.
    int unfinishedRuns = 0;
    /// Items the destination has under the same key with other content ("dataset 'sales'
    /// version 2 differs at the destination"): the destination's are kept.
    QStringList conflicts;

    /// "datasetVersions", "modelVersions"... as --json prints them.
    static QString kindName(Kind kind);
    /// "dataset versions", "model versions"... as text output prints them.
    static QString kindLabel(Kind kind);
    int copiedTotal() const;
    /// {"copied": {kind: n}, "skipped": {...}, "blobBytes", "unfinishedRuns", "conflicts": [...]}
    QJsonObject toJson() const;
    /// One line: "copied 12 runs, 2 dataset versions; 3 conflicts".
    QString summary() const;
};

/// A location as messages show it: a folder as given, a team store without its password.
QString displayLocation(const QString &location);

/// Copies everything of `from` that `to` lacks: datasets, experiments and finished runs (with
/// params, tags, results, metric series, artifacts and cluster jobs), registered models,
/// versions, tags and aliases, saved views, deployment targets (never secrets: those stay in
/// the user's CredentialStore) and the deployment history. Either side may be a folder or a
/// team store.
///
/// Items are matched by their natural keys, never by id (the destination gives its own ids):
/// datasets by name and version (with the data's SHA-256 to tell a different dataset under the
/// same name), experiments and models by name, runs by uuid, model versions by model and number
/// (with the model file's SHA-256), tags and aliases by key, views and targets by name,
/// deployments by target, version and time. What the destination has is kept; an item that
/// differs is reported in TransferReport::conflicts, not overwritten.
///
/// Resumable and idempotent: blobs go into the destination's BlobStore before the rows that
/// reference them commit, and each run (or dataset version, or model version) is one
/// destination transaction, so a transfer killed at any point and run again completes without
/// duplicates, and one run again copies nothing. Progress is items done over items;
/// `feedback` cancels between items (and between a blob's chunks).
///
/// Thread: the one both workspaces belong to.
Expected<TransferReport> transferWorkspace(Workspace &from, Workspace &to, Feedback &feedback);

/// transferWorkspace() as a Task: opens both locations on the worker (the destination is
/// created when missing: a new team store needs its blob folder in the URL, `?blobs=DIR`).
/// `report()` is valid once it succeeded; its message is the report's summary.
class WorkspaceTransferTask final : public Task
{
    Q_OBJECT

public:
    WorkspaceTransferTask(QString fromLocation, QString toLocation, QObject *parent = nullptr);
    const TransferReport &report() const { return m_report; }

protected:
    Status run(Feedback &feedback) override;

private:
    QString m_from;
    QString m_to;
    TransferReport m_report;
};

} // namespace kiln
