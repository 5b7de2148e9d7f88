// The MLflow import's second half: the model registry. Models by name, versions keeping
// MLflow's numbers, stages as statuses, tags, aliases; a version's model blob is its MLmodel
// file (MLflow's description of the model) when the store has it here.
#include "mlflow/mlflowimport_p.h"

#include "registry/modelregistry.h"
#include "runs/runstore.h"
#include "tasks/feedback.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>

#include <yaml-cpp/yaml.h>

namespace kiln::mlflow::Internal {
namespace {

/// Set on every version the import adds: tells MLflow's versions from Kiln's own on re-import.
const QString kMarkerTag = QStringLiteral("kiln.mlflow.source");

VersionStatus statusFromStage(const QString &stage)
{
    if (stage.compare(QLatin1String("Staging"), Qt::CaseInsensitive) == 0)
        return VersionStatus::Staging;
    if (stage.compare(QLatin1String("Production"), Qt::CaseInsensitive) == 0)
        return VersionStatus::Production;
    if (stage.compare(QLatin1String("Archived"), Qt::CaseInsensitive) == 0)
        return VersionStatus::Archived;
    return VersionStatus::Ready;
}

bool fromMlflow(const kiln::ModelVersion &version)
{
    for (const auto &tag : version.tags) {
        if (tag.first == kMarkerTag)
            return true;
    }
    return false;
}

/// The flavor an MLmodel file names first, other than the generic python_function ("sklearn",
/// "xgboost"); empty when it names none or does not parse.
QString flavorOf(const QString &mlmodelPath)
{
    try {
        const YAML::Node root = YAML::LoadFile(QFile::encodeName(mlmodelPath).toStdString());
        const YAML::Node flavors = root["flavors"];
        if (!flavors.IsMap())
            return {};
        QString fallback;
        for (const auto &flavor : flavors) {
            QString name = QString::fromStdString(flavor.first.as<std::string>());
            if (name != QLatin1String("python_function"))
                return name;
            fallback = name;
        }
        return fallback;
    } catch (const YAML::Exception &) {
        return {};
    }
}

/// A local folder named by an MLflow URI ("file:///…", an absolute path), empty otherwise.
QString localFolder(const QString &uri)
{
    if (uri.startsWith(QLatin1String("file:")))
        return QUrl(uri).toLocalFile();
    return QDir::isAbsolutePath(uri) ? uri : QString();
}

struct Blob
{
    QString sha256;
    qint64 size = 0;
    QString trainer = QStringLiteral("mlflow");
};

class ModelImporter
{
public:
    explicit ModelImporter(ImportState &state)
        : m_state(state)
        , m_registry(state.workspace)
    { }

    void importModel(const RegisteredModel &model);

private:
    QString where(const RegisteredModel &model, int version = 0) const;
    Expected<Blob> blobOf(const RegisteredModel &model, const ModelVersion &version, qint64 runId);
    Expected<Blob> mlmodelOfRun(qint64 runId, const QString &artifactPath);
    void importAliases(const RegisteredModel &model);

    ImportState &m_state;
    ModelRegistry m_registry;
};

QString ModelImporter::where(const RegisteredModel &model, int version) const
{
    if (m_state.reader.kind() == QLatin1String("file store"))
        return m_state.reader.path() + QStringLiteral("/models/") + model.name
            + (version > 0 ? QStringLiteral("/version-%1").arg(version) : QString());
    return version > 0 ? QStringLiteral("%1: model '%2' version %3").arg(m_state.reader.path(), model.name).arg(version)
                       : QStringLiteral("%1: model '%2'").arg(m_state.reader.path(), model.name);
}

Expected<Blob> ModelImporter::mlmodelOfRun(qint64 runId, const QString &artifactPath)
{
    const QString file = artifactPath.isEmpty() ? QStringLiteral("MLmodel") : artifactPath + QStringLiteral("/MLmodel");
    auto blobs = RunStore(m_state.workspace.db()).artifactBlobs({runId}, file);
    if (!blobs)
        return blobs.error();
    Blob blob;
    blob.sha256 = blobs->value(runId);
    if (!blob.sha256.isEmpty()) {
        const QString path = m_state.workspace.blobs().pathFor(blob.sha256);
        blob.size = QFileInfo(path).size();
        if (const QString flavor = flavorOf(path); !flavor.isEmpty())
            blob.trainer = flavor;
    }
    return blob;
}

Expected<Blob> ModelImporter::blobOf(const RegisteredModel &model, const ModelVersion &version, qint64 runId)
{
    // 1. The MLmodel file among the imported run's artifacts ("runs:/<id>/<path>").
    if (runId > 0 && version.source.startsWith(QLatin1String("runs:/"))) {
        const QString rest = version.source.mid(6);
        const QString path = rest.section(QLatin1Char('/'), 1).remove(QRegularExpression(QStringLiteral("/+$")));
        auto blob = mlmodelOfRun(runId, path);
        if (!blob)
            return blob.error();
        if (!blob->sha256.isEmpty())
            return blob;
    }
    // 2. The MLmodel file in a local folder the version names.
    for (const QString &uri : {version.source, version.storageLocation}) {
        const QString folder = localFolder(uri);
        const QString file = QDir(folder).filePath(QStringLiteral("MLmodel"));
        if (folder.isEmpty() || !QFileInfo(file).isFile())
            continue;
        auto sha = m_state.workspace.blobs().addFile(file);
        if (!sha)
            return sha.error();
        Blob blob {*sha, QFileInfo(file).size()};
        if (const QString flavor = flavorOf(file); !flavor.isEmpty())
            blob.trainer = flavor;
        return blob;
    }
    // 3. Elsewhere (s3://, a run not imported): a description of where MLflow keeps it.
    const QJsonObject description {{QLatin1String("mlflow"),
                                    QJsonObject {{QLatin1String("model"), model.name},
                                                 {QLatin1String("version"), version.version},
                                                 {QLatin1String("source"), version.source},
                                                 {QLatin1String("runId"), version.runId},
                                                 {QLatin1String("storageLocation"), version.storageLocation},
                                                 {QLatin1String("store"), m_state.reader.path()}}}};
    const QByteArray json = QJsonDocument(description).toJson();
    auto writer = m_state.workspace.blobs().beginWrite();
    if (!writer)
        return writer.error();
    if (Status s = (*writer)->write(json.constData(), json.size()); !s)
        return s.error();
    auto sha = (*writer)->commit();
    if (!sha)
        return sha.error();
    return Blob {*sha, json.size()};
}

void ModelImporter::importModel(const RegisteredModel &model)
{
    ImportReport &report = m_state.report;
    QHash<int, kiln::ModelVersion> have;
    const bool existed = bool(m_registry.model(model.name));
    if (existed) {
        auto versions = m_registry.versions(model.name);
        if (!versions) {
            m_state.skip(where(model), versions.errorMessage());
            return;
        }
        for (const kiln::ModelVersion &v : std::as_const(*versions))
            have.insert(v.version, v);
    }
    if (model.versions.isEmpty())
        m_state.skip(
            where(model),
            QStringLiteral("model '%1' has no versions: Kiln keeps models with versions only").arg(model.name));
    int added = 0;
    for (const ModelVersion &version : model.versions) {
        if (m_state.cancelled())
            return;
        const auto there = have.constFind(version.version);
        if (there != have.constEnd()) {
            if (!fromMlflow(*there)) {
                m_state.skip(where(model, version.version),
                             QStringLiteral("Kiln's own version %1 of '%2' has this number: not replaced")
                                 .arg(version.version)
                                 .arg(model.name));
                continue;
            }
            // Already imported; a stage moved in MLflow since moves the status here too.
            if (const VersionStatus status = statusFromStage(version.currentStage); status != there->status) {
                if (Status s = m_registry.setStatus(model.name, version.version, status); !s)
                    m_state.skip(where(model, version.version), s.errorMessage());
            }
            ++report.versionsUnchanged;
            continue;
        }
        qint64 runId = version.runId.isEmpty() ? 0 : m_state.runs.value(version.runId);
        if (runId == 0 && !version.runId.isEmpty()) {
            auto found = runIdOfUuid(m_state.workspace.db(), version.runId);
            runId = found ? *found : 0;
        }
        auto blob = blobOf(model, version, runId);
        if (!blob) {
            m_state.skip(where(model, version.version), blob.errorMessage());
            continue;
        }
        kiln::ModelVersion draft;
        draft.status = statusFromStage(version.currentStage);
        draft.tags = version.tags;
        draft.tags.append({kMarkerTag, version.source});
        draft.runId = runId;
        draft.trainer = blob->trainer;
        draft.modelFormat = QStringLiteral("mlflow");
        draft.modelSha256 = blob->sha256;
        draft.modelSize = blob->size;
        draft.card = version.description;
        draft.lineage.source = QStringLiteral("mlflow");
        draft.lineage.runUuid = version.runId;
        if (runId > 0) {
            if (auto run = RunStore(m_state.workspace.db()).run(runId, false)) {
                draft.lineage.runName = run->name;
                draft.lineage.experiment = run->experiment;
            }
        }
        auto addedVersion = m_registry.addVersion(model.name, draft, model.description, version.version);
        if (!addedVersion) {
            m_state.skip(where(model, version.version), addedVersion.errorMessage());
            continue;
        }
        ++added;
        ++report.versionsAdded;
    }
    if (added > 0) {
        if (!existed)
            ++report.modelsAdded;
        for (const auto &[key, value] : model.tags) {
            if (Status s = m_registry.setModelTag(model.name, key, value); !s)
                m_state.skip(where(model), s.errorMessage());
        }
    }
    importAliases(model);
}

void ModelImporter::importAliases(const RegisteredModel &model)
{
    if (model.aliases.isEmpty())
        return;
    auto current = m_registry.model(model.name);
    if (!current)
        return; // no version could be imported
    auto versions = m_registry.versions(model.name);
    if (!versions)
        return;
    for (auto it = model.aliases.begin(); it != model.aliases.end(); ++it) {
        const auto target = std::find_if(versions->cbegin(), versions->cend(),
                                         [&](const kiln::ModelVersion &v) { return v.version == it.value(); });
        if (target == versions->cend() || !fromMlflow(*target)) {
            m_state.skip(where(model),
                         QStringLiteral("alias '%1' points at version %2, which was not imported")
                             .arg(it.key())
                             .arg(it.value()));
            continue;
        }
        if (current->aliases.value(it.key()) == it.value())
            continue;
        if (Status s = m_registry.setAlias(model.name, it.key(), it.value()); !s) {
            m_state.skip(where(model), QStringLiteral("alias '%1': %2").arg(it.key(), s.errorMessage()));
            continue;
        }
        ++m_state.report.aliases;
    }
}

} // namespace

Status importModels(ImportState &state)
{
    auto models = state.reader.models();
    if (!models) {
        state.skip(state.reader.path(), models.errorMessage());
        return {};
    }
    ModelImporter importer(state);
    for (const RegisteredModel &model : std::as_const(*models)) {
        if (state.cancelled())
            break;
        if (state.feedback)
            state.feedback->setStatusText(QStringLiteral("importing model %1").arg(model.name));
        importer.importModel(model);
    }
    return {};
}

} // namespace kiln::mlflow::Internal
