// Reads MLflow's file store (mlruns/), as mlflow/store/tracking/file_store.py and
// mlflow/store/model_registry/file_store.py write it.

#include "mlflow/filestore_p.h"
#include "mlflow/mlflowreaders_p.h"

#include "util/sha256.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace kiln::mlflow::Internal {

using namespace filestore;

namespace {

/// Folders of an experiment that are not runs (MLflow's RESERVED_EXPERIMENT_FOLDERS, and the
/// logged models of MLflow 3).
bool isReservedExperimentFolder(const QString &name)
{
    return name == kTags || name == QLatin1String("datasets") || name == QLatin1String("traces") || name == kModels;
}

QString yamlReason(const YAML::Exception &error)
{
    QString message = QString::fromStdString(error.msg);
    if (error.mark.is_null())
        return message;
    return QStringLiteral("line %1, column %2: %3").arg(error.mark.line + 1).arg(error.mark.column + 1).arg(message);
}

/// A meta.yaml file's fields, with typed access that records the first field of the wrong
/// type instead of throwing.
class Meta
{
public:
    /// Reads `path`; on failure error() says why (yaml-cpp's line and column included).
    explicit Meta(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            m_error = file.exists() ? QStringLiteral("cannot read: %1").arg(file.errorString())
                                    : QStringLiteral("no meta.yaml");
            return;
        }
        try {
            m_node = YAML::Load(file.readAll().toStdString());
            if (!m_node.IsMap())
                m_error
                    = m_node.IsNull() ? QStringLiteral("empty meta.yaml") : QStringLiteral("not a mapping of fields");
        } catch (const YAML::Exception &error) {
            m_error = yamlReason(error);
        }
    }

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    /// A string field; empty when missing or null. A list or mapping is an error.
    QString text(const char *key)
    {
        const YAML::Node node = field(key);
        if (!node)
            return {};
        if (!node.IsScalar()) {
            fail(QStringLiteral("'%1' is not a string").arg(QLatin1String(key)));
            return {};
        }
        return QString::fromStdString(node.Scalar());
    }

    /// An integer field; `fallback` when missing or null.
    qint64 integer(const char *key, qint64 fallback = 0)
    {
        const YAML::Node node = field(key);
        if (!node)
            return fallback;
        const std::optional<qint64> value
            = node.IsScalar() ? parsePythonInt(QString::fromStdString(node.Scalar())) : std::nullopt;
        if (!value) {
            fail(QStringLiteral("'%1' is not an integer").arg(QLatin1String(key)));
            return fallback;
        }
        return *value;
    }

    /// A field that must be there.
    QString required(const char *key)
    {
        QString value = text(key);
        if (value.isEmpty() && ok())
            fail(QStringLiteral("no '%1'").arg(QLatin1String(key)));
        return value;
    }

    /// Fails the file with `reason` (the first failure is kept).
    void fail(const QString &reason)
    {
        if (m_error.isEmpty())
            m_error = reason;
    }

private:
    /// The field's node, or an invalid node when missing or null.
    YAML::Node field(const char *key) const
    {
        if (!ok())
            return YAML::Node(YAML::NodeType::Undefined);
        try {
            const YAML::Node node = m_node[key];
            if (!node.IsDefined() || node.IsNull())
                return YAML::Node(YAML::NodeType::Undefined);
            return node;
        } catch (const YAML::Exception &) {
            return YAML::Node(YAML::NodeType::Undefined);
        }
    }

    YAML::Node m_node;
    QString m_error;
};

/// The files under `folder` (recursively), as keys: their paths relative to it, '/'-separated.
QList<QFileInfo> keyFiles(const QString &folder)
{
    QList<QFileInfo> files;
    QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.nextFileInfo());
    std::sort(files.begin(), files.end(),
              [](const QFileInfo &a, const QFileInfo &b) { return a.filePath() < b.filePath(); });
    return files;
}

QString keyOf(const QString &folder, const QFileInfo &file)
{
    return QDir(folder).relativeFilePath(file.filePath());
}

/// Experiment ids sort as numbers when both are ("2" before "10"), else as text.
bool idLess(const QString &a, const QString &b)
{
    bool aNumber = false, bNumber = false;
    const qulonglong x = a.toULongLong(&aNumber), y = b.toULongLong(&bNumber);
    if (aNumber && bNumber)
        return x < y;
    return a < b;
}

class FileStoreReader final : public Reader
{
public:
    explicit FileStoreReader(QString root)
        : m_root(std::move(root))
    { }

    QString path() const override { return m_root; }
    QString kind() const override { return QStringLiteral("file store"); }
    Expected<QList<Experiment>> experiments() override;
    Expected<QList<Run>> runs(const Experiment &experiment) override;
    Expected<QHash<QString, std::vector<MetricPoint>>> metrics(const Run &run) override;
    QList<ArtifactFile> artifacts(const Run &run) override;
    Expected<QList<RegisteredModel>> models() override;

private:
    /// `path` as messages show it: from the store's parent on ("mlruns/0/ab12…/meta.yaml").
    QString shown(const QString &path) const
    {
        return QDir::toNativeSeparators(QFileInfo(m_root).dir().relativeFilePath(path));
    }
    void issue(const QString &path, const QString &reason) { addIssue(shown(path), reason); }
    /// The Issue for an unreadable meta.yaml: at the file, or at its folder when it is missing.
    void metaIssue(const QString &folder, const QString &metaPath, const Meta &meta)
    {
        issue(QFileInfo::exists(metaPath) ? metaPath : folder, meta.error());
    }

    std::optional<Experiment> readExperiment(const QString &folder, bool trashed);
    std::optional<Run> readRun(const QString &folder, const QString &experimentId);
    QList<QPair<QString, QString>> readKeyValues(const QString &folder, QByteArray *fingerprint = nullptr);
    std::optional<ModelVersion> readVersion(const QString &folder);
    std::optional<RegisteredModel> readModel(const QString &folder);
    QString experimentFolder(const Experiment &experiment) const;

    QString m_root;
    QHash<QString, QString> m_experimentFolders; ///< id → folder, from experiments()
};

std::optional<Experiment> FileStoreReader::readExperiment(const QString &folder, bool trashed)
{
    const QString metaPath = QDir(folder).filePath(kMeta);
    Meta meta(metaPath);
    Experiment experiment;
    experiment.id = meta.required("experiment_id");
    experiment.name = meta.required("name");
    experiment.artifactLocation = meta.text("artifact_location");
    experiment.lifecycleStage = meta.text("lifecycle_stage");
    experiment.creationTimeMs = meta.integer("creation_time");
    experiment.lastUpdateTimeMs = meta.integer("last_update_time", experiment.creationTimeMs);
    if (!meta.ok()) {
        metaIssue(folder, metaPath, meta);
        return std::nullopt;
    }
    const QString folderName = QFileInfo(folder).fileName();
    if (experiment.id != folderName) {
        issue(metaPath,
              QStringLiteral("experiment_id '%1' is not its folder's name '%2'").arg(experiment.id, folderName));
        return std::nullopt;
    }
    if (trashed || experiment.lifecycleStage.isEmpty())
        experiment.lifecycleStage = trashed ? QStringLiteral("deleted") : QStringLiteral("active");
    experiment.tags = readKeyValues(QDir(folder).filePath(kTags));
    return experiment;
}

Expected<QList<Experiment>> FileStoreReader::experiments()
{
    if (!QFileInfo(m_root).isDir())
        return Error {QStringLiteral("%1: the MLflow store is gone").arg(QDir::toNativeSeparators(m_root))};
    QList<Experiment> experiments;
    m_experimentFolders.clear();
    const auto scan = [&](const QString &parent, bool trashed) {
        const QFileInfoList folders = QDir(parent).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo &folder : folders) {
            if (!trashed && folder.fileName() == kModels)
                continue;
            if (std::optional<Experiment> experiment = readExperiment(folder.filePath(), trashed)) {
                if (m_experimentFolders.contains(experiment->id)) {
                    issue(folder.filePath(),
                          QStringLiteral("experiment %1 is also active; the deleted copy is skipped")
                              .arg(experiment->id));
                    continue;
                }
                m_experimentFolders.insert(experiment->id, folder.filePath());
                experiments.append(*experiment);
            }
        }
    };
    scan(m_root, false);
    scan(QDir(m_root).filePath(kTrash), true);
    std::stable_sort(experiments.begin(), experiments.end(),
                     [](const Experiment &a, const Experiment &b) { return idLess(a.id, b.id); });
    return experiments;
}

QString FileStoreReader::experimentFolder(const Experiment &experiment) const
{
    if (const auto it = m_experimentFolders.constFind(experiment.id); it != m_experimentFolders.constEnd())
        return *it;
    const QString active = QDir(m_root).filePath(experiment.id);
    return QFileInfo(active).isDir() ? active : QDir(m_root).filePath(kTrash + u'/' + experiment.id);
}

QList<QPair<QString, QString>> FileStoreReader::readKeyValues(const QString &folder, QByteArray *fingerprint)
{
    QList<QPair<QString, QString>> values;
    for (const QFileInfo &info : keyFiles(folder)) {
        QFile file(info.filePath());
        if (!file.open(QIODevice::ReadOnly)) {
            issue(info.filePath(), QStringLiteral("cannot read: %1").arg(file.errorString()));
            continue;
        }
        values.append({keyOf(folder, info), QString::fromUtf8(file.readAll())});
        if (fingerprint)
            *fingerprint += QStringLiteral("%1 %2 %3\n")
                                .arg(info.filePath())
                                .arg(info.size())
                                .arg(info.lastModified().toMSecsSinceEpoch())
                                .toUtf8();
    }
    return values;
}

std::optional<Run> FileStoreReader::readRun(const QString &folder, const QString &experimentId)
{
    const QString metaPath = QDir(folder).filePath(kMeta);
    Meta meta(metaPath);
    Run run;
    run.id = meta.text("run_id");
    if (run.id.isEmpty())
        run.id = meta.required("run_uuid");
    run.experimentId = meta.required("experiment_id");
    run.name = meta.text("run_name");
    run.startTimeMs = meta.integer("start_time");
    run.endTimeMs = meta.integer("end_time");
    run.lifecycleStage = meta.text("lifecycle_stage");
    run.userId = meta.text("user_id");
    run.artifactUri = meta.text("artifact_uri");
    // An integer (RunStatus proto) as MLflow writes it, or a name; missing: RUNNING, as MLflow reads it.
    const QString status = meta.text("status");
    bool isNumber = false;
    const int number = status.toInt(&isNumber);
    run.status = status.isEmpty() ? QStringLiteral("RUNNING") : isNumber ? statusFromNumber(number) : status.toUpper();
    if (meta.ok() && (run.status.isEmpty() || statusFromNumber(statusNumber(run.status)) != run.status))
        meta.fail(QStringLiteral("unknown status '%1'").arg(status));
    if (!meta.ok()) {
        metaIssue(folder, metaPath, meta);
        return std::nullopt;
    }
    if (run.experimentId != experimentId) {
        issue(metaPath,
              QStringLiteral("experiment_id '%1' is not its experiment's '%2'; skipped")
                  .arg(run.experimentId, experimentId));
        return std::nullopt;
    }
    if (run.lifecycleStage.isEmpty())
        run.lifecycleStage = QStringLiteral("active");
    run.sourcePath = folder;

    // The fingerprint: what meta.yaml says and the size and time of every value file, so
    // a changed status, a new tag or an appended metric line shows without parsing metrics.
    const QFileInfo metaInfo(metaPath);
    QByteArray fingerprint = QStringLiteral("%1 %2 %3 %4 %5\n")
                                 .arg(run.status)
                                 .arg(run.endTimeMs)
                                 .arg(run.lifecycleStage, run.name)
                                 .arg(metaInfo.size())
                                 .toUtf8();
    run.params = readKeyValues(QDir(folder).filePath(kParams), &fingerprint);
    run.tags = readKeyValues(QDir(folder).filePath(kTags), &fingerprint);
    const QString metricsFolder = QDir(folder).filePath(kMetrics);
    for (const QFileInfo &info : keyFiles(metricsFolder)) {
        run.metricKeys.append(keyOf(metricsFolder, info));
        fingerprint += QStringLiteral("%1 %2 %3\n")
                           .arg(info.filePath())
                           .arg(info.size())
                           .arg(info.lastModified().toMSecsSinceEpoch())
                           .toUtf8();
    }
    run.fingerprint = QString::fromLatin1(Sha256::hexHash(fingerprint));
    if (run.name.isEmpty()) {
        for (const auto &tag : std::as_const(run.tags)) {
            if (tag.first == kRunNameTag)
                run.name = tag.second;
        }
    }
    return run;
}

Expected<QList<Run>> FileStoreReader::runs(const Experiment &experiment)
{
    const QString folder = experimentFolder(experiment);
    if (!QFileInfo(folder).isDir())
        return Error {QStringLiteral("%1: no such experiment folder").arg(shown(folder))};
    QList<Run> runs;
    const QFileInfoList folders = QDir(folder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &runFolder : folders) {
        if (isReservedExperimentFolder(runFolder.fileName()))
            continue;
        if (std::optional<Run> run = readRun(runFolder.filePath(), experiment.id))
            runs.append(std::move(*run));
    }
    std::stable_sort(runs.begin(), runs.end(),
                     [](const Run &a, const Run &b) { return a.startTimeMs < b.startTimeMs; });
    return runs;
}

Expected<QHash<QString, std::vector<MetricPoint>>> FileStoreReader::metrics(const Run &run)
{
    QHash<QString, std::vector<MetricPoint>> metrics;
    const QString folder = QDir(run.sourcePath).filePath(kMetrics);
    for (const QString &key : run.metricKeys) {
        const QString path = QDir(folder).filePath(key);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            issue(path,
                  file.exists() ? QStringLiteral("cannot read: %1").arg(file.errorString())
                                : QStringLiteral("the metric file is gone"));
            continue;
        }
        std::vector<MetricPoint> &points = metrics[key];
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QString line = QString::fromUtf8(lines[i]).trimmed();
            if (line.isEmpty() && i == lines.size() - 1)
                break; // after the last newline
            const QStringList fields = line.split(u' ', Qt::SkipEmptyParts);
            const auto bad
                = [&](const QString &reason) { issue(path, QStringLiteral("line %1: %2").arg(i + 1).arg(reason)); };
            if (fields.size() != 2 && fields.size() != 3) {
                bad(QStringLiteral("%1 fields, expected \"timestamp value step\"").arg(fields.size()));
                continue;
            }
            const std::optional<qint64> time = parsePythonInt(fields[0]);
            const std::optional<double> value = parsePythonFloat(fields[1]);
            const std::optional<qint64> step = fields.size() == 3 ? parsePythonInt(fields[2]) : qint64(0);
            if (!time)
                bad(QStringLiteral("timestamp '%1' is not an integer").arg(fields[0]));
            else if (!value)
                bad(QStringLiteral("'%1' is not a number").arg(fields[1]));
            else if (!step)
                bad(QStringLiteral("step '%1' is not an integer").arg(fields[2]));
            else
                points.push_back({*step, *time, *value});
        }
    }
    return metrics;
}

QList<ArtifactFile> FileStoreReader::artifacts(const Run &run)
{
    // artifact_uri when it is a folder on this machine (a custom artifact root), else the
    // run's own artifacts/ folder (the default, and what stays right when a store is moved).
    QString folder;
    const QUrl url(run.artifactUri);
    QString local;
    if (url.isLocalFile())
        local = url.toLocalFile();
    else if (!run.artifactUri.isEmpty() && url.scheme().isEmpty())
        local = QFileInfo(run.artifactUri).isAbsolute() ? run.artifactUri
                                                        : QFileInfo(m_root).dir().absoluteFilePath(run.artifactUri);
    if (!local.isEmpty() && QFileInfo(local).isDir())
        folder = local;
    else if (QFileInfo(QDir(run.sourcePath).filePath(kArtifacts)).isDir())
        folder = QDir(run.sourcePath).filePath(kArtifacts);
    if (folder.isEmpty())
        return {};
    QList<ArtifactFile> files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo info = it.nextFileInfo();
        files.append({QDir(folder).relativeFilePath(info.filePath()), info.absoluteFilePath()});
    }
    std::sort(files.begin(), files.end(),
              [](const ArtifactFile &a, const ArtifactFile &b) { return a.relativePath < b.relativePath; });
    return files;
}

std::optional<ModelVersion> FileStoreReader::readVersion(const QString &folder)
{
    const QString metaPath = QDir(folder).filePath(kMeta);
    Meta meta(metaPath);
    ModelVersion version;
    version.version = int(meta.integer("version"));
    if (meta.ok() && version.version <= 0)
        meta.fail(QStringLiteral("no 'version'"));
    version.currentStage = meta.text("current_stage");
    version.status = meta.text("status");
    version.description = meta.text("description");
    version.source = meta.text("source");
    version.runId = meta.text("run_id");
    version.storageLocation = meta.text("storage_location");
    version.userId = meta.text("user_id");
    version.creationTimeMs = meta.integer("creation_timestamp");
    version.lastUpdatedTimeMs = meta.integer("last_updated_timestamp", version.creationTimeMs);
    if (!meta.ok()) {
        metaIssue(folder, metaPath, meta);
        return std::nullopt;
    }
    if (version.currentStage == QLatin1String("Deleted_Internal"))
        return std::nullopt;
    if (version.currentStage.isEmpty())
        version.currentStage = QStringLiteral("None");
    if (version.status.isEmpty())
        version.status = QStringLiteral("READY");
    version.tags = readKeyValues(QDir(folder).filePath(kTags));
    return version;
}

std::optional<RegisteredModel> FileStoreReader::readModel(const QString &folder)
{
    const QString metaPath = QDir(folder).filePath(kMeta);
    Meta meta(metaPath);
    RegisteredModel model;
    model.name = meta.required("name");
    model.description = meta.text("description");
    model.creationTimeMs = meta.integer("creation_timestamp");
    model.lastUpdatedTimeMs = meta.integer("last_updated_timestamp", model.creationTimeMs);
    if (!meta.ok()) {
        metaIssue(folder, metaPath, meta);
        return std::nullopt;
    }
    model.tags = readKeyValues(QDir(folder).filePath(kTags));
    const QFileInfoList versionFolders = QDir(folder).entryInfoList({QStringLiteral("version-*")}, QDir::Dirs);
    for (const QFileInfo &versionFolder : versionFolders) {
        if (std::optional<ModelVersion> version = readVersion(versionFolder.filePath()))
            model.versions.append(std::move(*version));
    }
    std::sort(model.versions.begin(), model.versions.end(),
              [](const ModelVersion &a, const ModelVersion &b) { return a.version < b.version; });
    const QString aliasFolder = QDir(folder).filePath(QStringLiteral("aliases"));
    for (const QFileInfo &info : keyFiles(aliasFolder)) {
        QFile file(info.filePath());
        const std::optional<qint64> number
            = file.open(QIODevice::ReadOnly) ? parsePythonInt(QString::fromUtf8(file.readAll())) : std::nullopt;
        const bool known = number
            && std::any_of(model.versions.begin(), model.versions.end(),
                           [&](const ModelVersion &v) { return v.version == *number; });
        if (!number)
            issue(info.filePath(), QStringLiteral("not a version number"));
        else if (!known)
            issue(info.filePath(), QStringLiteral("version %1 is not in the registry").arg(*number));
        else
            model.aliases.insert(keyOf(aliasFolder, info), int(*number));
    }
    return model;
}

Expected<QList<RegisteredModel>> FileStoreReader::models()
{
    QList<RegisteredModel> models;
    const QFileInfoList folders
        = QDir(QDir(m_root).filePath(kModels)).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &folder : folders) {
        if (std::optional<RegisteredModel> model = readModel(folder.filePath()))
            models.append(std::move(*model));
    }
    return models;
}

/// Whether `folder/meta.yaml` is there and its first bytes name an experiment.
bool hasExperimentMeta(const QString &folder)
{
    QFile file(QDir(folder).filePath(kMeta));
    return file.open(QIODevice::ReadOnly) && file.read(4096).contains("experiment_id:");
}

} // namespace

Expected<std::unique_ptr<Reader>> openFileStore(const QString &folder)
{
    const QFileInfo info(folder);
    if (!info.isDir())
        return Error {QStringLiteral("%1: not a folder").arg(QDir::toNativeSeparators(folder))};
    if (!info.isReadable())
        return Error {QStringLiteral("%1: cannot read the folder").arg(QDir::toNativeSeparators(folder))};
    return std::unique_ptr<Reader>(std::make_unique<FileStoreReader>(info.absoluteFilePath()));
}

bool isFileStore(const QString &folder)
{
    const QDir dir(folder);
    if (!dir.exists())
        return false;
    if (QFileInfo(dir.filePath(kTrash)).isDir())
        return true;
    // A look at a few sub-folders only: a drop must stay quick on a big project folder.
    int looked = 0;
    const QFileInfoList subfolders = dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &sub : subfolders) {
        if (++looked > 64)
            break;
        if (sub.fileName() == kModels) {
            const QFileInfoList models = QDir(sub.filePath()).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot);
            const bool registry = std::any_of(
                models.begin(), models.begin() + std::min<qsizetype>(models.size(), 8), [](const QFileInfo &model) {
                    QFile meta(QDir(model.filePath()).filePath(kMeta));
                    return meta.open(QIODevice::ReadOnly) && meta.read(4096).contains("last_updated_timestamp:");
                });
            if (registry)
                return true;
        } else if (hasExperimentMeta(sub.filePath())) {
            return true;
        }
    }
    return false;
}

} // namespace kiln::mlflow::Internal
