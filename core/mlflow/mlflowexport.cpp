// Exports Kiln runs to an MLflow file store, in the layout and value formats of
// mlflow/store/tracking/file_store.py, so that MLflow (UI, search_runs, get_metric_history)
// reads them as its own.

#include "mlflow/mlflowexport.h"

#include "mlflow/filestore_p.h"
#include "mlflow/mlflowreaders_p.h"

#include "runs/runstore.h"
#include "tasks/feedback.h"
#include "workspace/blobstore.h"
#include "workspace/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryDir>
#include <QUrl>

#include <algorithm>

#ifdef Q_OS_UNIX
#include <pwd.h>
#include <unistd.h>
#endif

namespace kiln::mlflow {

using namespace Internal::filestore;

namespace {

/// A YAML scalar that reads back as the same string: plain when nothing in it could be
/// taken for YAML syntax or another type, single-quoted otherwise, double-quoted with escapes
/// when it holds line breaks or control characters.
QString yamlString(const QString &text)
{
    static const QStringList keywords {QStringLiteral("y"),  QStringLiteral("n"),    QStringLiteral("yes"),
                                       QStringLiteral("no"), QStringLiteral("true"), QStringLiteral("false"),
                                       QStringLiteral("on"), QStringLiteral("off"),  QStringLiteral("null"),
                                       QStringLiteral("~")};
    bool control = false;
    bool plain = !text.isEmpty() && (text.at(0).isLetter() || text.at(0) == u'/') && !text.endsWith(u' ')
        && !text.endsWith(u':') && !text.contains(QLatin1String(": ")) && !text.contains(QLatin1String(" #"))
        && !keywords.contains(text.toLower());
    for (const QChar ch : text) {
        if (ch.unicode() < 0x20 || ch.unicode() == 0x7F || ch.unicode() == 0x85 || ch.unicode() == 0x2028
            || ch.unicode() == 0x2029 || ch.unicode() == 0xFEFF)
            control = true;
        if (!(ch.isLetterOrNumber() || QStringLiteral("_./:@+- ").contains(ch)))
            plain = false;
    }
    if (control) {
        QString quoted = QStringLiteral("\"");
        for (const QChar ch : text) {
            if (ch == u'"' || ch == u'\\')
                quoted += u'\\' + QString(ch);
            else if (ch == u'\n')
                quoted += QLatin1String("\\n");
            else if (ch == u'\t')
                quoted += QLatin1String("\\t");
            else if (ch.unicode() < 0x20 || ch.unicode() == 0x7F || ch.unicode() == 0x85 || ch.unicode() >= 0x2028)
                quoted += QStringLiteral("\\u%1").arg(uint(ch.unicode()), 4, 16, QChar(u'0'));
            else
                quoted += ch;
        }
        return quoted + u'"';
    }
    if (plain)
        return text;
    QString quoted = text;
    quoted.replace(u'\'', QLatin1String("''"));
    return u'\'' + quoted + u'\'';
}

/// meta.yaml from fields already written as YAML values; keys sorted as MLflow writes them.
QByteArray yamlDocument(const QMap<QString, QString> &fields)
{
    QByteArray yaml;
    for (auto it = fields.begin(); it != fields.end(); ++it)
        yaml += (it.key() + QLatin1String(": ") + it.value() + u'\n').toUtf8();
    return yaml;
}

QString fileUri(const QString &path)
{
    return QString::fromUtf8(QUrl::fromLocalFile(path).toEncoded());
}

Status writeFile(const QString &path, const QByteArray &bytes)
{
    if (!QDir().mkpath(QFileInfo(path).path()))
        return Error {
            QStringLiteral("%1: cannot create the folder").arg(QDir::toNativeSeparators(QFileInfo(path).path()))};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error {QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(path), file.errorString())};
    return {};
}

/// Whether `key` can be a file under params/, tags/ or metrics/ (MLflow's own rule: no
/// absolute path, no '.' or '..' part; '/' makes sub-folders).
bool isSafeKey(const QString &key)
{
    if (key.isEmpty() || key.startsWith(u'/') || key.contains(u'\\') || key.contains(QChar(0)))
        return false;
    const QStringList parts = key.split(u'/');
    return std::none_of(parts.begin(), parts.end(), [](const QString &part) {
        return part.isEmpty() || part == QLatin1String(".") || part == QLatin1String("..");
    });
}

/// Who runs the export, as Python's getpass.getuser() (MLflow's mlflow.user) finds it.
QString userName()
{
    for (const char *name : {"LOGNAME", "USER", "LNAME", "USERNAME"}) {
        if (QString user = qEnvironmentVariable(name); !user.isEmpty())
            return user;
    }
#ifdef Q_OS_UNIX
    if (const passwd *entry = getpwuid(getuid()))
        return QString::fromLocal8Bit(entry->pw_name);
#endif
    return {};
}

qint64 msOf(const QDateTime &time)
{
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

/// What the export needs from the store and the folder while it writes.
struct Exporter
{
    Workspace &workspace;
    RunStore store;
    QString folder;
    Feedback *feedback = nullptr;
    ExportReport report;
    QHash<QString, QString> experimentIds; ///< name → MLflow id, of active experiments in the folder
    qulonglong nextExperimentId = 0;
    QSet<QString> existingRunIds; ///< run folders already in any experiment
    QHash<qint64, QString> uuids; ///< Kiln run id → uuid, for mlflow.parentRunId

    Status scanFolder();
    Expected<QString> experimentId(const QString &name);
    Status writeRun(const RunRecord &run);
    Status writeMetrics(const RunRecord &run, const QString &runFolder);
    Status writeArtifacts(const RunRecord &run, const QString &runFolder, int &count);
    QString parentUuid(qint64 parentId);
};

Status Exporter::scanFolder()
{
    const QFileInfo info(folder);
    if (info.exists() && !info.isDir())
        return Error {QStringLiteral("%1: not a folder").arg(QDir::toNativeSeparators(folder))};
    const bool fresh = !info.exists() || QDir(folder).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
    if (!fresh && !Internal::isFileStore(folder))
        return Error {QStringLiteral("%1: not an MLflow store, and not empty").arg(QDir::toNativeSeparators(folder))};
    if (!QDir().mkpath(QDir(folder).filePath(kTrash)))
        return Error {QStringLiteral("%1: cannot create the folder").arg(QDir::toNativeSeparators(folder))};
    if (fresh) {
        // As MLflow's FileStore starts a store: the experiment "0" named Default.
        if (auto id = experimentId(QStringLiteral("Default")); !id)
            return id.error();
        return {};
    }
    auto reader = Internal::openFileStore(folder);
    if (!reader)
        return reader.error();
    auto experiments = (*reader)->experiments();
    if (!experiments)
        return experiments.error();
    for (const Experiment &experiment : std::as_const(*experiments)) {
        bool numeric = false;
        const qulonglong number = experiment.id.toULongLong(&numeric);
        if (numeric)
            nextExperimentId = std::max(nextExperimentId, number + 1);
        if (!experiment.deleted() && !experimentIds.contains(experiment.name))
            experimentIds.insert(experiment.name, experiment.id);
    }
    for (const QString &parent : {folder, QDir(folder).filePath(kTrash)}) {
        const QFileInfoList experimentFolders = QDir(parent).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QFileInfo &experimentFolder : experimentFolders) {
            const QStringList runFolders
                = QDir(experimentFolder.filePath()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
            for (const QString &runFolder : runFolders)
                existingRunIds.insert(runFolder);
        }
    }
    return {};
}

Expected<QString> Exporter::experimentId(const QString &name)
{
    if (const auto it = experimentIds.constFind(name); it != experimentIds.constEnd())
        return *it;
    // The first experiment of a new store is MLflow's default one, "0".
    const QString id = QString::number(nextExperimentId++);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QMap<QString, QString> meta {
        {QStringLiteral("artifact_location"), yamlString(fileUri(QDir(folder).filePath(id)))},
        {QStringLiteral("creation_time"), QString::number(now)},
        {QStringLiteral("experiment_id"), u'\'' + id + u'\''},
        {QStringLiteral("last_update_time"), QString::number(now)},
        {QStringLiteral("lifecycle_stage"), QStringLiteral("active")},
        {QStringLiteral("name"), yamlString(name)},
    };
    if (Status written = writeFile(QDir(folder).filePath(id + u'/' + kMeta), yamlDocument(meta)); !written)
        return written.error();
    experimentIds.insert(name, id);
    ++report.experiments;
    return id;
}

QString Exporter::parentUuid(qint64 parentId)
{
    if (parentId <= 0)
        return {};
    if (const auto it = uuids.constFind(parentId); it != uuids.constEnd())
        return *it;
    auto parent = store.run(parentId, false);
    QString uuid = parent ? parent->uuid : QString();
    uuids.insert(parentId, uuid);
    return uuid;
}

Status Exporter::writeMetrics(const RunRecord &run, const QString &runFolder)
{
    QSet<QString> keys;
    for (const MetricSummary &summary : run.metrics) {
        if (!isSafeKey(summary.key)) {
            report.skipped.append(
                {run.uuid, QStringLiteral("metric '%1' has no file name MLflow accepts").arg(summary.key)});
            continue;
        }
        auto points = store.metricPoints(run.id, summary.key);
        if (!points)
            return points.error();
        QByteArray lines;
        for (const MetricPoint &point : std::as_const(*points))
            lines += QStringLiteral("%1 %2 %3\n")
                         .arg(point.timeMs)
                         .arg(pythonFloat(point.value))
                         .arg(point.step)
                         .toLatin1();
        if (Status written = writeFile(runFolder + u'/' + kMetrics + u'/' + summary.key, lines); !written)
            return written;
        keys.insert(summary.key);
        report.metricPoints += qint64(points->size());
    }
    // Results (test accuracy, RMSE...) are what MLflow shows as a run's metrics: one point
    // each, at the run's end, unless a series of that name is there already.
    const qint64 endMs = msOf(run.endedAt.isValid() ? run.endedAt : run.createdAt);
    for (auto it = run.results.begin(); it != run.results.end(); ++it) {
        if (keys.contains(it.key()) || !isSafeKey(it.key()))
            continue;
        const QByteArray line = QStringLiteral("%1 %2 0\n").arg(endMs).arg(pythonFloat(it.value())).toLatin1();
        if (Status written = writeFile(runFolder + u'/' + kMetrics + u'/' + it.key(), line); !written)
            return written;
        ++report.metricPoints;
    }
    return {};
}

Status Exporter::writeArtifacts(const RunRecord &run, const QString &runFolder, int &count)
{
    auto artifacts = store.artifacts(run.id);
    if (!artifacts)
        return artifacts.error();
    for (const ArtifactInfo &artifact : std::as_const(*artifacts)) {
        const QString source = workspace.blobs().pathFor(artifact.sha256);
        if (!isSafeKey(artifact.path) || !QFileInfo::exists(source)) {
            report.skipped.append({run.uuid + u'/' + artifact.path,
                                   isSafeKey(artifact.path) ? QStringLiteral("artifact blob missing from the workspace")
                                                            : QStringLiteral("artifact path MLflow cannot hold")});
            continue;
        }
        const QString target = runFolder + u'/' + kArtifacts + u'/' + artifact.path;
        QDir().mkpath(QFileInfo(target).path());
        if (!QFile::copy(source, target))
            return Error {QStringLiteral("%1: cannot copy the artifact").arg(QDir::toNativeSeparators(target))};
        ++count;
    }
    return {};
}

Status Exporter::writeRun(const RunRecord &run)
{
    if (run.status == RunStatus::Queued || run.status == RunStatus::Running) {
        report.skipped.append(
            {run.uuid,
             QStringLiteral("run '%1' is %2; only ended runs are exported").arg(run.name, runStatusName(run.status))});
        return {};
    }
    if (existingRunIds.contains(run.uuid)) {
        ++report.runsSkipped;
        return {};
    }
    auto experiment = experimentId(run.experiment);
    if (!experiment)
        return experiment.error();
    const QString experimentFolder = QDir(folder).filePath(*experiment);
    const QString finalFolder = QDir(experimentFolder).filePath(run.uuid);

    const bool imported = run.spec.kind == RunSpec::Kind::Imported;
    const QJsonObject mlflowInfo = run.reproducibility.value(QLatin1String("mlflow")).toObject();
    QString user = imported ? mlflowInfo.value(QLatin1String("user")).toString() : userName();
    bool deleted = false;
    // System tags as MLflow's client sets them; an imported run keeps the ones it came with.
    QList<QPair<QString, QString>> tags;
    if (!imported) {
        tags.append({kRunNameTag, run.name});
        if (!user.isEmpty())
            tags.append({kUserTag, user});
        const QString source = run.spec.command.isEmpty() ? QStringLiteral("kiln %1").arg(run.spec.trainer)
                                                          : run.spec.command.join(u' ');
        tags.append({kSourceNameTag, source.trimmed()});
        tags.append({kSourceTypeTag, QStringLiteral("LOCAL")});
        if (const QString parent = parentUuid(run.parentId); !parent.isEmpty())
            tags.append({kParentTag, parent});
    }
    for (const auto &tag : run.tags) {
        if (tag.first == QLatin1String("kiln.mlflow.deleted")) {
            deleted = tag.second == QLatin1String("true");
            continue;
        }
        tags.erase(std::remove_if(tags.begin(), tags.end(), [&](const auto &t) { return t.first == tag.first; }),
                   tags.end());
        tags.append(tag);
    }
    if (std::none_of(tags.begin(), tags.end(), [](const auto &tag) { return tag.first == kRunNameTag; }))
        tags.append({kRunNameTag, run.name});

    // Written beside its place, then renamed: MLflow never lists half a run.
    QTemporaryDir staging(QDir(experimentFolder).filePath(QStringLiteral(".kiln-export-XXXXXX")));
    if (!staging.isValid())
        return Error {QStringLiteral("%1: cannot create a folder: %2")
                          .arg(QDir::toNativeSeparators(experimentFolder), staging.errorString())};
    const QString stage = staging.path();
    const qint64 startMs = msOf(run.startedAt.isValid() ? run.startedAt : run.createdAt);
    const qint64 endMs = msOf(run.endedAt);
    QMap<QString, QString> meta {
        {QStringLiteral("artifact_uri"), yamlString(fileUri(finalFolder + u'/' + kArtifacts))},
        {QStringLiteral("end_time"), endMs > 0 ? QString::number(endMs) : QStringLiteral("null")},
        {QStringLiteral("entry_point_name"), QStringLiteral("''")},
        {QStringLiteral("experiment_id"), u'\'' + *experiment + u'\''},
        {QStringLiteral("lifecycle_stage"), deleted ? QStringLiteral("deleted") : QStringLiteral("active")},
        {QStringLiteral("run_id"), yamlString(run.uuid)},
        {QStringLiteral("run_name"), yamlString(run.name)},
        {QStringLiteral("run_uuid"), yamlString(run.uuid)},
        {QStringLiteral("source_name"), QStringLiteral("''")},
        {QStringLiteral("source_type"), QString::number(kSourceTypeLocal)},
        {QStringLiteral("source_version"), QStringLiteral("''")},
        {QStringLiteral("start_time"), QString::number(startMs)},
        {QStringLiteral("status"), QString::number(statusNumber(statusName(run.status)))},
        {QStringLiteral("tags"), QStringLiteral("[]")},
        {QStringLiteral("user_id"), yamlString(user)},
    };
    if (deleted)
        meta.insert(QStringLiteral("deleted_time"), QString::number(endMs > 0 ? endMs : startMs));
    if (Status written = writeFile(stage + u'/' + kMeta, yamlDocument(meta)); !written)
        return written;
    const auto writeValues = [&](QLatin1String subfolder, const QList<QPair<QString, QString>> &values) -> Status {
        QDir().mkpath(stage + u'/' + subfolder);
        for (const auto &value : values) {
            if (!isSafeKey(value.first)) {
                report.skipped.append(
                    {run.uuid,
                     QStringLiteral("%1 '%2' has no file name MLflow accepts")
                         .arg(subfolder == kParams ? QStringLiteral("param") : QStringLiteral("tag"), value.first)});
                continue;
            }
            if (Status written = writeFile(stage + u'/' + subfolder + u'/' + value.first, value.second.toUtf8());
                !written)
                return written;
        }
        return {};
    };
    if (Status written = writeValues(kParams, run.params); !written)
        return written;
    if (Status written = writeValues(kTags, tags); !written)
        return written;
    QDir().mkpath(stage + u'/' + kMetrics);
    QDir().mkpath(stage + u'/' + kArtifacts);
    const qint64 pointsBefore = report.metricPoints;
    if (Status written = writeMetrics(run, stage); !written) {
        report.metricPoints = pointsBefore;
        return written;
    }
    int artifacts = 0;
    if (Status written = writeArtifacts(run, stage, artifacts); !written) {
        report.metricPoints = pointsBefore;
        return written;
    }
    // QTemporaryDir made the folder private (0700); MLflow's are readable by all, as a
    // tracking server running as another user needs.
    QFile::setPermissions(stage, QFile::permissions(experimentFolder));
    if (!QDir().rename(stage, finalFolder)) {
        report.metricPoints = pointsBefore;
        return Error {QStringLiteral("%1: cannot move the run into place").arg(QDir::toNativeSeparators(finalFolder))};
    }
    staging.setAutoRemove(false);
    existingRunIds.insert(run.uuid);
    report.artifacts += artifacts;
    ++report.runsWritten;
    return {};
}

} // namespace

QJsonObject ExportReport::toJson() const
{
    QJsonArray skippedItems;
    for (const Issue &issue : skipped)
        skippedItems.append(QJsonObject {{QLatin1String("path"), issue.path}, {QLatin1String("reason"), issue.reason}});
    return {{QLatin1String("folder"), folder},
            {QLatin1String("experiments"), experiments},
            {QLatin1String("runsWritten"), runsWritten},
            {QLatin1String("runsSkipped"), runsSkipped},
            {QLatin1String("metricPoints"), metricPoints},
            {QLatin1String("artifacts"), artifacts},
            {QLatin1String("skipped"), skippedItems}};
}

QString ExportReport::summary() const
{
    const auto count = [](qint64 n, const char *one, const char *many) {
        return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
    };
    QString text = QStringLiteral("wrote %1 in %2 to %3")
                       .arg(count(runsWritten, "run", "runs"), count(experiments, "new experiment", "new experiments"),
                            QDir::toNativeSeparators(folder));
    if (runsSkipped > 0)
        text += QStringLiteral("; %1 already there").arg(runsSkipped);
    if (!skipped.isEmpty())
        text += QStringLiteral("; %1 skipped").arg(count(skipped.size(), "item", "items"));
    return text;
}

Expected<ExportReport> exportRuns(Workspace &workspace, const QString &folder, const std::vector<qint64> &runIds,
                                  Feedback *feedback)
{
    Exporter exporter {
        workspace, RunStore(workspace.db()), QFileInfo(folder).absoluteFilePath(), feedback, {}, {}, 0, {}, {}};
    exporter.report.folder = exporter.folder;
    QList<RunRecord> runs;
    if (runIds.empty()) {
        auto all = exporter.store.runs();
        if (!all)
            return all.error();
        runs = std::move(all).value();
    } else {
        for (const qint64 id : runIds) {
            auto run = exporter.store.run(id);
            if (!run)
                return run.error();
            runs.append(std::move(run).value());
        }
    }
    // Oldest first: experiments are numbered in the order Kiln made them.
    std::sort(runs.begin(), runs.end(), [](const RunRecord &a, const RunRecord &b) { return a.id < b.id; });
    if (Status scanned = exporter.scanFolder(); !scanned)
        return scanned.error();
    for (const RunRecord &run : std::as_const(runs))
        exporter.uuids.insert(run.id, run.uuid);
    for (qsizetype i = 0; i < runs.size(); ++i) {
        if (feedback && feedback->isCanceled())
            break;
        if (feedback)
            feedback->setStatusText(QStringLiteral("exporting run %1").arg(runs[i].name));
        if (Status written = exporter.writeRun(runs[i]); !written)
            return written.error();
        if (feedback)
            feedback->setProgress(double(i + 1) / double(runs.size()));
    }
    return std::move(exporter.report);
}

ExportTask::ExportTask(QString location, QString folder, std::vector<qint64> runIds, QObject *parent)
    : Task(QStringLiteral("Export runs to %1").arg(QFileInfo(folder).fileName()), parent)
    , m_location(std::move(location))
    , m_folder(std::move(folder))
    , m_runIds(std::move(runIds))
{ }

Status ExportTask::run(Feedback &feedback)
{
    // The workspace object of the GUI thread is not ours to use: this thread opens its own.
    auto workspace = Workspace::open(m_location, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error();
    auto report = exportRuns(**workspace, m_folder, m_runIds, &feedback);
    if (!report)
        return report.error();
    m_report = std::move(report).value();
    setMessage(m_report.summary());
    return {};
}

} // namespace kiln::mlflow
