// Imports an MLflow store into a workspace: the report, the task, and the runs (the registry is
// in mlflowimportmodels.cpp). Each run is written in one transaction, parents before children.
#include "mlflow/mlflowimport.h"

#include "mlflow/mlflowimport_p.h"
#include "runs/runmetrics_p.h"
#include "runs/runstore.h"
#include "tasks/feedback.h"
#include "workspace/tablecopy_p.h"
#include "workspace/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace kiln::mlflow {

using kiln::Internal::insertRow;
using kiln::Internal::kBlobs;
using kiln::Internal::kRunArtifacts;
using kiln::Internal::kRuns;

namespace {

/// Imported runs are never claimed by a local scheduler (which claims executor "local" only),
/// even those MLflow has as SCHEDULED.
const QString kExecutor = QStringLiteral("mlflow");

QString storedMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QVariant optionalTime(qint64 ms)
{
    return ms > 0 ? QVariant(storedMs(ms)) : QVariant();
}

QString tagValue(const Run &run, const QLatin1String &key)
{
    for (const auto &tag : run.tags) {
        if (tag.first == key)
            return tag.second;
    }
    return {};
}

/// A run of the workspace under an MLflow run's id.
struct Existing
{
    qint64 id = 0;
    QString kind;
    QString fingerprint;
};

Expected<Existing> existingRun(Database &db, const QString &uuid)
{
    auto stmt = db.prepare("SELECT id, kind, reproducibility FROM runs WHERE uuid = ?");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, uuid);
    Existing found;
    if (stmt->next()) {
        found.id = stmt->int64(0);
        found.kind = stmt->text(1);
        const QJsonObject info = QJsonDocument::fromJson(stmt->text(2).toUtf8()).object();
        found.fingerprint
            = info.value(QLatin1String("mlflow")).toObject().value(QLatin1String("fingerprint")).toString();
    }
    if (Status s = db.lastStepStatus(); !s)
        return s.error();
    return found;
}

/// A run of the store with what it needs from its experiment.
struct StoreRun
{
    Run run;
    QString experiment; ///< Kiln's experiment name
};

/// What a run brings besides its row: read before its transaction, so that the transaction
/// holds only writes.
struct RunContent
{
    QHash<QString, std::vector<MetricPoint>> metrics;
    qint64 points = 0;
    struct Artifact
    {
        QString path;
        QString sha256;
        qint64 size = 0;
    };
    QList<Artifact> artifacts;
};

class RunImporter
{
public:
    explicit RunImporter(Internal::ImportState &state)
        : m_state(state)
        , m_db(state.workspace.db())
    { }

    Status run();

private:
    void collect();
    Status importOne(const QString &id, int depth);
    Status write(const StoreRun &item, const Existing &existing, qint64 parentId, const RunContent &content);
    Expected<RunContent> readContent(const Run &run);

    Internal::ImportState &m_state;
    Database &m_db;
    QList<StoreRun> m_runs;
    QHash<QString, int> m_index; ///< run id → m_runs
    QSet<QString> m_done; ///< handled (imported, unchanged or skipped)
    QSet<QString> m_experiments; ///< experiments that got runs added or updated
    int m_handled = 0;
};

void RunImporter::collect()
{
    Reader &reader = m_state.reader;
    auto experiments = reader.experiments();
    if (!experiments) {
        m_state.skip(reader.path(), experiments.errorMessage());
        return;
    }
    for (const Experiment &experiment : *experiments) {
        if (experiment.deleted() && !m_state.options.includeDeleted) {
            const QString where = reader.kind() == QLatin1String("file store")
                ? reader.path() + QStringLiteral("/.trash/") + experiment.id
                : QStringLiteral("%1: experiment %2").arg(reader.path(), experiment.id);
            m_state.skip(where, QStringLiteral("experiment '%1' is deleted in MLflow").arg(experiment.name));
            continue;
        }
        auto runs = reader.runs(experiment);
        if (!runs) {
            m_state.skip(QStringLiteral("%1: experiment %2").arg(reader.path(), experiment.id), runs.errorMessage());
            continue;
        }
        const QString name = experiment.name.trimmed().isEmpty()
            ? QStringLiteral("MLflow experiment %1").arg(experiment.id)
            : experiment.name;
        for (const Run &run : *runs) {
            if (run.deleted() && !m_state.options.includeDeleted) {
                m_state.skip(run.sourcePath, QStringLiteral("run %1 is deleted in MLflow").arg(run.id));
                continue;
            }
            if (run.id.isEmpty() || m_index.contains(run.id)) {
                m_state.skip(run.sourcePath,
                             run.id.isEmpty() ? QStringLiteral("the run has no id")
                                              : QStringLiteral("run id %1 appears twice").arg(run.id));
                continue;
            }
            m_index.insert(run.id, int(m_runs.size()));
            m_runs.append({run, name});
        }
    }
}

Status RunImporter::run()
{
    collect();
    for (const StoreRun &item : std::as_const(m_runs)) {
        if (m_state.cancelled())
            break;
        if (Status s = importOne(item.run.id, 0); !s)
            return s;
    }
    m_state.report.experiments = int(m_experiments.size());
    return {};
}

Status RunImporter::importOne(const QString &id, int depth)
{
    if (m_done.contains(id))
        return {};
    m_done.insert(id);
    const StoreRun &item = m_runs[m_index.value(id)];
    const Run &run = item.run;
    ImportReport &report = m_state.report;

    // Parents first, whatever order the store lists them in.
    qint64 parentId = 0;
    const QString parent = run.parentRunId();
    if (!parent.isEmpty() && parent != id) {
        if (m_index.contains(parent) && depth < 64) {
            if (Status s = importOne(parent, depth + 1); !s)
                return s;
        }
        parentId = m_state.runs.value(parent);
        if (parentId == 0) {
            auto there = Internal::runIdOfUuid(m_db, parent);
            if (!there)
                return there.error();
            parentId = *there;
        }
        if (parentId == 0)
            m_state.skip(
                run.sourcePath,
                QStringLiteral("its parent run %1 is not in the store: imported as a top-level run").arg(parent));
    }
    if (m_state.cancelled())
        return {};
    if (m_state.feedback) {
        m_state.feedback->setStatusText(QStringLiteral("importing run %1").arg(run.name.isEmpty() ? run.id : run.name));
        // Runs take the first 95%, the registry the rest.
        m_state.feedback->setProgress(0.95 * double(m_handled++) / double(std::max<qsizetype>(1, m_runs.size())));
    }

    auto existing = existingRun(m_db, run.id);
    if (!existing)
        return existing.error();
    if (existing->id > 0 && existing->kind != QLatin1String("imported")) {
        m_state.skip(run.sourcePath,
                     QStringLiteral("Kiln's own run %1 (a %2 run) has the id %3: not replaced")
                         .arg(existing->id)
                         .arg(existing->kind, run.id));
        return {};
    }
    if (existing->id > 0 && !run.fingerprint.isEmpty() && existing->fingerprint == run.fingerprint) {
        m_state.runs.insert(run.id, existing->id);
        ++report.runsUnchanged;
        return {};
    }
    auto content = readContent(run);
    if (!content) {
        m_state.skip(run.sourcePath, content.errorMessage());
        return {};
    }
    Status written = write(item, *existing, parentId, *content);
    if (!written) {
        // The transaction rolled back: nothing of the run is in the workspace.
        m_state.skip(run.sourcePath,
                     QStringLiteral("cannot write it to the workspace: %1").arg(written.errorMessage()));
        return {};
    }
    (existing->id > 0 ? report.runsUpdated : report.runsAdded) += 1;
    report.metricPoints += content->points;
    report.artifacts += int(content->artifacts.size());
    report.runUuids.append(run.id);
    m_experiments.insert(item.experiment);
    return {};
}

Expected<RunContent> RunImporter::readContent(const Run &run)
{
    RunContent content;
    auto metrics = m_state.reader.metrics(run);
    if (!metrics)
        return metrics.error();
    content.metrics = std::move(metrics).value();
    for (const auto &series : std::as_const(content.metrics))
        content.points += qint64(series.size());
    if (!m_state.options.artifacts)
        return content;
    // Blobs are content-addressed and published before the run's transaction: a crash leaves
    // at most an unreferenced blob, never a run pointing at a missing one.
    for (const ArtifactFile &file : m_state.reader.artifacts(run)) {
        auto sha = m_state.workspace.blobs().addFile(file.absolutePath);
        if (!sha) {
            m_state.skip(file.absolutePath, QStringLiteral("artifact not copied: %1").arg(sha.errorMessage()));
            continue;
        }
        content.artifacts.append({file.relativePath, *sha, QFileInfo(file.absolutePath).size()});
    }
    return content;
}

Status RunImporter::write(const StoreRun &item, const Existing &existing, qint64 parentId, const RunContent &content)
{
    const Run &run = item.run;
    RunSpec spec;
    spec.kind = RunSpec::Kind::Imported;
    spec.experiment = item.experiment;
    spec.name = run.name;
    spec.executor = kExecutor;
    if (const QString source = tagValue(run, QLatin1String("mlflow.source.name")); !source.isEmpty())
        spec.command = QStringList {source};
    const QJsonObject mlflowInfo {{QLatin1String("store"), m_state.reader.path()},
                                  {QLatin1String("runId"), run.id},
                                  {QLatin1String("experimentId"), run.experimentId},
                                  {QLatin1String("artifactUri"), run.artifactUri},
                                  {QLatin1String("user"), run.userId},
                                  {QLatin1String("fingerprint"), run.fingerprint}};
    const QByteArray reproducibility
        = QJsonDocument(QJsonObject {{QLatin1String("mlflow"), mlflowInfo}}).toJson(QJsonDocument::Compact);
    const QString status = runStatusName(runStatusFromMlflow(run.status));
    const QString created = run.startTimeMs > 0 ? storedMs(run.startTimeMs) : storedNow();
    QList<QPair<QString, QString>> tags = run.tags;
    if (run.deleted())
        tags.append({QStringLiteral("kiln.mlflow.deleted"), QStringLiteral("true")});

    Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginStatus();
    RunStore store(m_db);
    auto experimentId = store.ensureExperiment(item.experiment);
    if (!experimentId)
        return experimentId.error();
    const QVariant parent = parentId > 0 ? QVariant(parentId) : QVariant();
    qint64 runId = existing.id;
    if (runId == 0) {
        // The row as workspace transfer writes one, with the store's own id and times.
        const kiln::Internal::Row row {QVariant(),
                                       run.id,
                                       *experimentId,
                                       parent,
                                       run.name,
                                       spec.kindName(),
                                       status,
                                       QString::fromUtf8(QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact)),
                                       QVariant(),
                                       qint64(1),
                                       qint64(0),
                                       created,
                                       optionalTime(run.startTimeMs),
                                       optionalTime(run.endTimeMs),
                                       QVariant(),
                                       QVariant(),
                                       QString(),
                                       QVariant(),
                                       QVariant(),
                                       QString::fromUtf8(reproducibility),
                                       kExecutor,
                                       QString()};
        auto inserted = insertRow(m_db, kRuns, row);
        if (!inserted)
            return inserted.error();
        runId = *inserted;
    } else {
        auto update = m_db.prepare("UPDATE runs SET experiment_id = ?, parent_id = ?, name = ?, status = ?, spec = ?, "
                                   "created_at = ?, started_at = ?, ended_at = ?, reproducibility = ? WHERE id = ?");
        if (!update)
            return update.error();
        update->bind(1, *experimentId);
        if (parentId > 0)
            update->bind(2, parentId);
        else
            update->bindNull(2);
        update->bind(3, run.name).bind(4, status);
        update->bind(5, QString::fromUtf8(QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact)));
        update->bind(6, created);
        for (const auto &[index, ms] : {std::pair {7, run.startTimeMs}, std::pair {8, run.endTimeMs}}) {
            if (ms > 0)
                update->bind(index, storedMs(ms));
            else
                update->bindNull(index);
        }
        update->bind(9, QString::fromUtf8(reproducibility)).bind(10, runId);
        if (Status s = update->exec(); !s)
            return s;
        // Replaced whole: MLflow may have removed a tag or rewritten a metric (a series' chunks
        // go with it: ON DELETE CASCADE).
        for (const char *sql :
             {"DELETE FROM metric_series WHERE run_id = ?", "DELETE FROM run_params WHERE run_id = ?",
              "DELETE FROM run_tags WHERE run_id = ?", "DELETE FROM run_artifacts WHERE run_id = ?"}) {
            auto remove = m_db.prepare(sql);
            if (!remove)
                return remove.error();
            remove->bind(1, runId);
            if (Status s = remove->exec(); !s)
                return s;
        }
    }
    if (Status s = store.setParams(runId, run.params); !s)
        return s;
    if (Status s = store.setTags(runId, tags); !s)
        return s;
    if (Status s = kiln::Internal::appendMetricPoints(m_db, runId, content.metrics); !s)
        return s;
    const QString now = storedNow();
    for (const RunContent::Artifact &artifact : content.artifacts) {
        if (auto blob = insertRow(m_db, kBlobs, {artifact.sha256, artifact.size, now}, "ON CONFLICT DO NOTHING"); !blob)
            return blob.error();
        if (auto added = insertRow(m_db, kRunArtifacts, {runId, artifact.path, artifact.sha256, artifact.size, now});
            !added)
            return added.error();
    }
    if (Status s = tx.commit(); !s)
        return s;
    m_state.runs.insert(run.id, runId);
    return {};
}

} // namespace

namespace Internal {

bool ImportState::cancelled() const
{
    return feedback && feedback->isCanceled();
}

void ImportState::skip(const QString &path, const QString &reason)
{
    const QDir base = QFileInfo(reader.path()).dir();
    const bool inside = QDir::isAbsolutePath(path) && path.startsWith(base.absolutePath() + u'/');
    report.skipped.append({QDir::toNativeSeparators(inside ? base.relativeFilePath(path) : path), reason});
}

Expected<qint64> runIdOfUuid(Database &db, const QString &uuid)
{
    auto found = existingRun(db, uuid);
    if (!found)
        return found.error();
    return found->id;
}

Status importRuns(ImportState &state)
{
    return RunImporter(state).run();
}

Expected<ImportReport> importFrom(Workspace &workspace, Reader &reader, const ImportOptions &options,
                                  Feedback *feedback)
{
    ImportReport report;
    report.store = reader.path();
    report.kind = reader.kind();
    report.schemaRevision = reader.schemaRevision();
    ImportState state {workspace, reader, options, feedback, report, {}};
    if (Status s = importRuns(state); !s)
        return Error {
            QStringLiteral("cannot import %1 into %2: %3").arg(reader.path(), workspace.location(), s.errorMessage())};
    if (options.models && !state.cancelled()) {
        if (feedback) {
            feedback->setStatusText(QStringLiteral("importing the model registry"));
            feedback->setProgress(0.95);
        }
        if (Status s = importModels(state); !s)
            return Error {QStringLiteral("cannot import the models of %1 into %2: %3")
                              .arg(reader.path(), workspace.location(), s.errorMessage())};
    }
    // The reader's issues first (met while reading), then the importer's own.
    report.skipped = reader.issues() + report.skipped;
    if (feedback && !state.cancelled()) {
        feedback->setStatusText(report.summary());
        feedback->setProgress(1.0);
    }
    return report;
}

} // namespace Internal

QJsonObject ImportReport::toJson() const
{
    QJsonArray skippedItems;
    for (const Issue &issue : skipped)
        skippedItems.append(QJsonObject {{QLatin1String("path"), issue.path}, {QLatin1String("reason"), issue.reason}});
    return {{QLatin1String("store"), store},
            {QLatin1String("kind"), kind},
            {QLatin1String("schemaRevision"), schemaRevision},
            {QLatin1String("experiments"), experiments},
            {QLatin1String("runsAdded"), runsAdded},
            {QLatin1String("runsUpdated"), runsUpdated},
            {QLatin1String("runsUnchanged"), runsUnchanged},
            {QLatin1String("metricPoints"), metricPoints},
            {QLatin1String("artifacts"), artifacts},
            {QLatin1String("modelsAdded"), modelsAdded},
            {QLatin1String("versionsAdded"), versionsAdded},
            {QLatin1String("versionsUnchanged"), versionsUnchanged},
            {QLatin1String("aliases"), aliases},
            {QLatin1String("skipped"), skippedItems},
            {QLatin1String("runs"), QJsonArray::fromStringList(runUuids)}};
}

QString ImportReport::summary() const
{
    const auto count = [](qint64 n, const char *one, const char *many) {
        return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
    };
    QString text = QStringLiteral("%1 added, %2 updated, %3 already there")
                       .arg(count(runsAdded, "run", "runs"))
                       .arg(runsUpdated)
                       .arg(runsUnchanged);
    text += QStringLiteral("; %1, %2")
                .arg(count(modelsAdded, "model", "models"), count(versionsAdded, "version", "versions"));
    if (!skipped.isEmpty())
        text += QStringLiteral("; %1 skipped").arg(count(skipped.size(), "item", "items"));
    return text;
}

Expected<ImportReport> importStore(Workspace &workspace, const QString &path, const ImportOptions &options,
                                   Feedback *feedback)
{
    auto reader = Reader::open(path);
    if (!reader)
        return reader.error();
    return Internal::importFrom(workspace, **reader, options, feedback);
}

ImportTask::ImportTask(QString location, QString path, ImportOptions options, QObject *parent)
    : Task(QStringLiteral("Import %1").arg(QFileInfo(path).fileName()), parent)
    , m_location(std::move(location))
    , m_path(std::move(path))
    , m_options(options)
{ }

Status ImportTask::run(Feedback &feedback)
{
    // The workspace object of the GUI thread is not ours to use: this thread opens its own.
    auto workspace = Workspace::open(m_location, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error();
    auto report = importStore(**workspace, m_path, m_options, &feedback);
    if (!report)
        return report.error();
    // Read on the task's thread only after finished(), which the queued completion orders
    // after this write.
    m_report = std::move(report).value();
    setMessage(m_report.summary());
    return {};
}

} // namespace kiln::mlflow
