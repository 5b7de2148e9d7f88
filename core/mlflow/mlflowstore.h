#pragma once

#include "runs/runtypes.h"
#include "util/expected.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

#include <memory>
#include <vector>

/// Reading MLflow's two local stores, as MLflow itself writes them:
/// - the file store (`mlruns/`): `<experiment id>/meta.yaml`, `<experiment id>/<run id>/`
///   with `meta.yaml`, `params/`, `tags/`, `metrics/` (one file per key, keys with `/` as
///   sub-folders; lines "timestamp value step", or "timestamp value" in old stores), and
///   `artifacts/`; deleted experiments under `.trash/`; the model registry under
///   `models/<name>/` (`meta.yaml`, `tags/`, `aliases/<alias>`, `version-<n>/meta.yaml` and
///   `version-<n>/tags/`);
/// - the SQLite database of the SQLAlchemy store (`mlflow.db`): tables experiments,
///   experiment_tags, runs, params, tags, metrics, registered_models, registered_model_tags,
///   model_versions, model_version_tags, registered_model_aliases; schema revision in
///   alembic_version.
/// Readers never write to the store. What they cannot read (a malformed meta.yaml, a metrics
/// line that does not parse, a run folder that is missing, tables or columns of an unknown
/// schema revision) is skipped and reported as an Issue naming the path and the reason; the
/// rest is still read.
namespace kiln::mlflow {

/// One thing a reader skipped or could only partly read.
struct Issue
{
    QString path; ///< the file or folder ("mlruns/0/ab12…/metrics/loss"), or "mlflow.db: table metrics"
    QString reason; ///< "line 3: 'abc' is not a number", "unknown schema revision 1234abcd"
};

struct Experiment
{
    QString id; ///< MLflow's experiment id ("0", "123456789")
    QString name;
    QString artifactLocation;
    QString lifecycleStage; ///< "active" or "deleted"
    qint64 creationTimeMs = 0; ///< 0: unknown
    qint64 lastUpdateTimeMs = 0;
    QList<QPair<QString, QString>> tags;
    bool deleted() const { return lifecycleStage == QLatin1String("deleted"); }
};

/// A run without its metric points (Reader::metrics() reads those, one run at a time).
struct Run
{
    QString id; ///< MLflow's run id (32 hex digits, or any id MLflow accepts), kept as Kiln's uuid
    QString experimentId;
    QString name; ///< meta.yaml run_name / runs.name, else tag mlflow.runName
    QString status; ///< "RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"
    qint64 startTimeMs = 0; ///< 0: unknown
    qint64 endTimeMs = 0; ///< 0: not ended
    QString lifecycleStage; ///< "active" or "deleted"
    QString userId;
    QString artifactUri; ///< as MLflow recorded it ("file:///…/artifacts", "./mlruns/1/…/artifacts")
    QList<QPair<QString, QString>> params;
    QList<QPair<QString, QString>> tags; ///< every tag, mlflow.* system tags included
    QStringList metricKeys; ///< "loss", "val/acc" (a key with '/' is a sub-folder in the file store)
    /// Changes whenever anything of the run changes in the store (status, end, params, tags,
    /// metric points): the importer compares it to the one recorded at the last import to
    /// tell an unchanged run from one to update, without reading its metrics.
    QString fingerprint;
    QString sourcePath; ///< the run's folder, or "mlflow.db: run <id>", for messages

    bool deleted() const { return lifecycleStage == QLatin1String("deleted"); }
    QString parentRunId() const; ///< tag mlflow.parentRunId, empty for a top-level run
};

/// A file of a run's artifacts that is on this machine.
struct ArtifactFile
{
    QString relativePath; ///< "model/MLmodel", as MLflow lists it under the run's artifacts
    QString absolutePath;
};

struct ModelVersion
{
    int version = 0;
    QString currentStage; ///< "None", "Staging", "Production", "Archived"
    QString status; ///< "READY", "PENDING_REGISTRATION", "FAILED_REGISTRATION"
    QString description;
    QString source; ///< "runs:/<id>/model", "models:/m-…", "file:///…"
    QString runId; ///< may be empty
    QString storageLocation;
    QString userId;
    qint64 creationTimeMs = 0;
    qint64 lastUpdatedTimeMs = 0;
    QList<QPair<QString, QString>> tags;
};

struct RegisteredModel
{
    QString name;
    QString description;
    qint64 creationTimeMs = 0;
    qint64 lastUpdatedTimeMs = 0;
    QList<QPair<QString, QString>> tags;
    QList<ModelVersion> versions; ///< by version number; deleted ones (file store stage Deleted_Internal) left out
    QMap<QString, int> aliases; ///< alias → version
};

/// Reads one MLflow store. Not thread-safe; use it on one thread.
class Reader
{
public:
    virtual ~Reader();

    /// Opens the store at `path`: a folder that is a file store (holds `<id>/meta.yaml`
    /// experiment folders, `.trash/` or `models/`; `path` may also be a parent holding
    /// `mlruns/`), or an SQLite file with MLflow's tables. Fails naming the path and why it
    /// is neither ("not an MLflow store: no experiment folders with meta.yaml",
    /// "mlflow.db: no table 'runs'").
    static Expected<std::unique_ptr<Reader>> open(const QString &path);
    /// A quick check for a drop: true when open() would take `path` as a store (reads at
    /// most a few small files; never opens a non-SQLite file as a database).
    static bool looksLikeStore(const QString &path);

    virtual QString path() const = 0; ///< the store's folder or database file, absolute
    virtual QString kind() const = 0; ///< "file store" or "SQLite database"
    /// Schema revision of a database (alembic_version), empty for a file store.
    virtual QString schemaRevision() const { return {}; }

    /// Every experiment, deleted ones (file store `.trash/`, lifecycle_stage 'deleted')
    /// included: the caller decides what to take.
    virtual Expected<QList<Experiment>> experiments() = 0;
    /// The runs of one experiment (deleted ones included), without metric points.
    virtual Expected<QList<Run>> runs(const Experiment &experiment) = 0;
    /// The metric points of one run, key → points in the order MLflow stored them. Points
    /// keep NaN and ±infinity (file store "nan"/"inf"/"-inf"; database is_nan, and
    /// ±1.7976931348623157e308, MLflow's stand-in for infinity, read back as ±infinity);
    /// a two-field legacy line has step 0. Lines that do not parse are skipped and reported.
    virtual Expected<QHash<QString, std::vector<MetricPoint>>> metrics(const Run &run) = 0;
    /// The run's artifact files found on this machine (a file store's `artifacts/` folder,
    /// or a database run's artifact_uri when it is a local path, resolved against the
    /// database's folder when relative). Empty when they are elsewhere (s3://, http…).
    virtual QList<ArtifactFile> artifacts(const Run &run) = 0;
    /// The model registry (empty when the store has none).
    virtual Expected<QList<RegisteredModel>> models() = 0;

    /// What was skipped or partly read so far, in the order met.
    QList<Issue> issues() const { return m_issues; }

protected:
    void addIssue(const QString &path, const QString &reason) { m_issues.append({path, reason}); }

private:
    QList<Issue> m_issues;
};

/// MLflow's run status from Kiln's (Finished → FINISHED, Failed → FAILED, Cancelled and
/// Interrupted → KILLED, Running → RUNNING, Queued → SCHEDULED) and back (KILLED → Cancelled).
QString statusName(RunStatus status);
RunStatus runStatusFromMlflow(const QString &mlflowStatus);
/// The file store's integer status (RunStatus proto: RUNNING 1, SCHEDULED 2, FINISHED 3,
/// FAILED 4, KILLED 5) ↔ its name.
int statusNumber(const QString &mlflowStatus);
QString statusFromNumber(int number);

} // namespace kiln::mlflow
