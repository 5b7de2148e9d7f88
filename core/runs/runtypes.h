#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace kiln {

/// Where a run is in its life. Queued → Running → one of the four ends; Interrupted is what a
/// run becomes when the process running it died without saying how it ended.
enum class RunStatus { Queued, Running, Finished, Failed, Cancelled, Interrupted };

QString runStatusName(RunStatus status);
std::optional<RunStatus> runStatusFromName(const QString &name);
bool isTerminal(RunStatus status);

/// One point of a step metric. Steps need not be unique or ordered.
struct MetricPoint
{
    qint64 step = 0;
    qint64 timeMs = 0; ///< milliseconds since the epoch
    double value = 0;
};

/// What a run asks of a cluster scheduler (Slurm); 0 or empty: the cluster's default.
struct ClusterResources
{
    int cpus = 0; ///< --cpus-per-task
    int memoryMb = 0; ///< --mem, in MB
    int timeLimitMinutes = 0; ///< --time
    QString partition; ///< --partition

    bool operator==(const ClusterResources &other) const;
    QJsonObject toJson() const;
    static ClusterResources fromJson(const QJsonObject &json);
};

/// Everything needed to start a run, kept with it (as JSON) so a scheduler in any process
/// can start it, retry it, or run it again.
struct RunSpec
{
    /// Imported: a run recorded elsewhere (MLflow) and brought in with its params, tags and
    /// metrics; it never runs in Kiln (`command` holds the source it was logged from, if any).
    enum class Kind { Trainer, Command, Sweep, Imported };

    Kind kind = Kind::Trainer;
    QString experiment = QStringLiteral("Default");
    QString name;
    // Built-in trainer runs
    QString trainer; ///< "boosted-trees"
    QString datasetRef; ///< "iris" or "iris@2"
    QString target;
    QStringList features; ///< empty: every other column
    QString task; ///< empty: detected; else taskKindName()
    QJsonObject params; ///< hyperparameters
    double testFraction = 0.2;
    double validationFraction = 0.1;
    bool stratify = true;
    int folds = 0; ///< k-fold cross-validation when > 1
    quint64 seed = 42;
    // External command runs
    QStringList command; ///< program and arguments
    QString workingDir;
    QString outputDir; ///< files written here become artifacts (relative to workingDir)
    // Sweeps: parameter → values; random search draws `samples` points
    QMap<QString, QStringList> sweep;
    QString sweepMethod = QStringLiteral("grid"); ///< "grid" or "random"
    int samples = 0;
    // Queue behaviour
    int maxRetries = 0;
    int timeoutSeconds = 0; ///< 0: none
    // Where it runs: "local" (a RunScheduler of any process on the workspace claims it) or
    // "slurm" (submitted with sbatch; a `kilnctl worker` on the allocated node runs it).
    QString executor = QStringLiteral("local");
    ClusterResources resources; ///< for executor "slurm"

    QString kindName() const;
    QJsonObject toJson() const;
    static RunSpec fromJson(const QJsonObject &json);
};

/// Summary of one metric series of a run, as the runs table shows it.
struct MetricSummary
{
    QString key;
    qint64 count = 0;
    qint64 lastStep = 0;
    double last = 0;
    double min = 0;
    double max = 0;
};

/// A stored run.
struct RunRecord
{
    qint64 id = 0;
    QString uuid;
    QString experiment;
    qint64 parentId = 0;
    QString name;
    RunSpec spec;
    RunStatus status = RunStatus::Queued;
    int attempt = 0;
    bool cancelRequested = false;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime endedAt;
    std::optional<int> exitCode;
    QString error;
    QString host;
    QJsonObject reproducibility;
    QList<QPair<QString, QString>> params;
    QList<QPair<QString, QString>> tags;
    QMap<QString, double> results;
    QList<MetricSummary> metrics;

    /// Seconds from start to end (or to now while running); -1 before it started.
    double durationSeconds() const;
};

struct ArtifactInfo
{
    QString path;
    QString sha256;
    qint64 size = 0;
};

} // namespace kiln
