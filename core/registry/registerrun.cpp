// ModelRegistry::registerRun: turns a finished trainer run into a registered version, reading
// its model artifact, feature encoding and evaluation, and its dataset version's column profile
// and first rows (the input example).
#include "registry/modelregistry.h"

#include "data/datasetcatalog.h"
#include "data/datasettable.h"
#include "runs/runstore.h"
#include "workspace/workspace.h"

#include <QFile>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace kiln {
namespace {

Expected<QByteArray> readArtifact(const Workspace &workspace, const QString &runName, const ArtifactInfo &artifact)
{
    QFile file(workspace.blobs().pathFor(artifact.sha256));
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read %1 of %2 (%3): %4")
                          .arg(artifact.path, runName, file.fileName(), file.errorString())};
    return file.readAll();
}

/// A field as the JSON value a prediction request would carry: numbers, booleans, null for a
/// missing value, and text for the rest (and for a value that does not parse as its type).
QJsonValue typedValue(const std::string &field, ColumnType type)
{
    if (values::isMissing(field))
        return QJsonValue::Null;
    switch (type) {
    case ColumnType::Integer:
        if (const auto n = values::toInteger(field))
            return QJsonValue(qint64(*n));
        break;
    case ColumnType::Float:
        if (const auto x = values::toFloat(field); x && std::isfinite(*x))
            return *x;
        break;
    case ColumnType::Boolean:
        if (const auto b = values::toBoolean(field))
            return *b;
        break;
    case ColumnType::DateTime:
    case ColumnType::Categorical:
    case ColumnType::Text:
        break;
    }
    return QString::fromStdString(field);
}

/// The first `rows` rows of `table`, input columns only, as JSON records.
QJsonArray inputExample(const DatasetTable &table, const FeatureEncoding &encoding, int rows)
{
    QList<QPair<int, const EncodedColumn *>> fields;
    for (const EncodedColumn &column : encoding.columns) {
        const int field = int(table.columnNames().indexOf(column.name));
        if (field >= 0)
            fields.append({field, &column});
    }
    QJsonArray records;
    std::vector<std::string> values;
    const qint64 count = std::min<qint64>(std::max(rows, 0), table.rowCount());
    for (qint64 row = 0; row < count; ++row) {
        table.readRow(row, values);
        QJsonObject record;
        for (const auto &[field, column] : fields) {
            const std::string text = std::size_t(field) < values.size() ? values[std::size_t(field)] : std::string();
            record.insert(column->name, typedValue(text, column->type));
        }
        records.append(record);
    }
    return records;
}

/// Fills the lineage's dataset, the profile, the input example and the signature from the
/// dataset version `run` trained on.
Status describeTrainingData(Workspace &workspace, qint64 runId, const QString &runName, int exampleRows,
                            ModelVersion &draft)
{
    auto stmt = workspace.db().prepare("SELECT dataset_version_id FROM runs WHERE id = ?");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, runId);
    if (!stmt->next() || stmt->isNull(0))
        return Error {QStringLiteral("%1 records no dataset version: run it again to register it").arg(runName)};
    auto dataset = DatasetCatalog(workspace.db()).versionById(stmt->int64(0));
    if (!dataset)
        return Error {QStringLiteral("the training data of %1: %2").arg(runName, dataset.errorMessage())};
    draft.lineage.datasetName = dataset->datasetName;
    draft.lineage.datasetVersion = dataset->version;
    draft.lineage.datasetSha256 = dataset->blobSha256;
    draft.lineage.datasetRows = dataset->rowCount;
    const FeatureEncoding &encoding = draft.encoding;
    for (const ColumnProfile &column : std::as_const(dataset->columns)) {
        const bool used = column.name == encoding.target
            || std::any_of(encoding.columns.begin(), encoding.columns.end(),
                           [&](const EncodedColumn &c) { return c.name == column.name; });
        if (used)
            draft.profile.append(column);
    }
    auto table = DatasetTable::open(workspace.blobs(), *dataset);
    if (!table)
        return Error {QStringLiteral("the training data of %1: %2").arg(runName, table.errorMessage())};
    draft.inputExample = inputExample(**table, encoding, exampleRows);
    draft.signature = ModelSignature::fromEncoding(encoding, draft.profile);
    return Status::success();
}

} // namespace

Expected<ModelVersion> ModelRegistry::registerRun(qint64 runId, const QString &modelName,
                                                  const RegisterOptions &options)
{
    if (Status s = validateModelName(modelName); !s)
        return s.error();
    RunStore store(m_workspace.db());
    auto run = store.run(runId);
    if (!run)
        return run.error();
    const QString runName = QStringLiteral("run %1 '%2'").arg(runId).arg(run->name);
    if (run->status == RunStatus::Queued || run->status == RunStatus::Running)
        return Error {QStringLiteral("%1 has not finished (%2)").arg(runName, runStatusName(run->status))};
    if (run->status != RunStatus::Finished)
        return Error {QStringLiteral("%1 did not finish (%2): only a finished run's model can be registered")
                          .arg(runName, runStatusName(run->status))};
    auto artifacts = store.artifacts(runId);
    if (!artifacts)
        return artifacts.error();
    std::optional<ArtifactInfo> modelFile;
    std::optional<ArtifactInfo> encodingFile;
    std::optional<ArtifactInfo> evaluationFile;
    for (const ArtifactInfo &artifact : std::as_const(*artifacts)) {
        if (artifact.path.startsWith(QLatin1String("model.")) && !modelFile)
            modelFile = artifact;
        else if (artifact.path == QLatin1String("feature_encoding.json"))
            encodingFile = artifact;
        else if (artifact.path == QLatin1String("evaluation.json"))
            evaluationFile = artifact;
    }
    if (run->spec.kind != RunSpec::Kind::Trainer || !modelFile || !encodingFile)
        return Error {
            QStringLiteral("%1 saved no model: only runs of the built-in trainers can be registered").arg(runName)};

    ModelVersion draft;
    draft.runId = runId;
    draft.trainer = run->spec.trainer;
    draft.modelFormat = modelFile->path.mid(QLatin1String("model.").size());
    draft.modelSha256 = modelFile->sha256;
    draft.modelSize = modelFile->size;
    draft.tags = options.tags;
    draft.metrics = run->results;
    auto encodingBytes = readArtifact(m_workspace, runName, *encodingFile);
    if (!encodingBytes)
        return encodingBytes.error();
    auto encoding = FeatureEncoding::fromJson(QJsonDocument::fromJson(*encodingBytes).object());
    if (!encoding)
        return Error {QStringLiteral("feature_encoding.json of %1: %2").arg(runName, encoding.errorMessage())};
    draft.encoding = std::move(encoding).value();
    if (evaluationFile) {
        auto evaluationBytes = readArtifact(m_workspace, runName, *evaluationFile);
        if (!evaluationBytes)
            return evaluationBytes.error();
        draft.evaluation = QJsonDocument::fromJson(*evaluationBytes).object();
    }
    draft.lineage.source = QStringLiteral("run");
    draft.lineage.runUuid = run->uuid;
    draft.lineage.runName = run->name;
    draft.lineage.experiment = run->experiment;
    draft.lineage.library = run->reproducibility.value(QLatin1String("library")).toString();
    draft.lineage.params = run->params;
    draft.lineage.metrics = run->results;
    if (Status s = describeTrainingData(m_workspace, runId, runName, options.exampleRows, draft); !s)
        return s.error();
    // The card is prefilled once the version has its number.
    return addVersion(modelName, draft, options.description);
}

} // namespace kiln
