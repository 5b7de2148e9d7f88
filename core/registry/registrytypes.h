#pragma once

#include "data/columnprofile.h"
#include "data/values.h"
#include "training/datapreparation.h"
#include "training/trainer.h"
#include "util/expected.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

namespace kiln {

/// Where a version stands in its life. Aliases (champion, challenger) say which version plays
/// which role; the status says whether a version is still a candidate at all.
enum class VersionStatus { Ready, Staging, Production, Archived };

QString versionStatusName(VersionStatus status); ///< "ready", "staging", "production", "archived"
std::optional<VersionStatus> versionStatusFromName(const QString &name); ///< case-insensitive

/// One input column a model version expects.
struct SignatureColumn
{
    QString name;
    ColumnType type = ColumnType::Float;
    /// Categorical and Text columns: the categories seen in training (the one-hot levels).
    QStringList categories;
    /// True when training data held more categories than `categories` (they were truncated):
    /// other values are then allowed and encoded as "other". False: a value outside
    /// `categories` is refused.
    bool otherCategories = false;
};

/// What a model version takes and gives: its input columns with their types and categories,
/// and its output (the class labels and their probabilities, or a value). Derived from the
/// training run's FeatureEncoding and the dataset's column profile; kept with the version and
/// in every bundle. A plain value type.
struct ModelSignature
{
    QList<SignatureColumn> inputs;
    TaskKind task = TaskKind::Regression;
    QString target; ///< the column the model predicts
    ColumnType targetType = ColumnType::Float;
    QStringList classes; ///< classification: labels in output order; empty for regression

    /// The signature of `encoding`; `profile` (the training data's columns, may be empty) says
    /// which categorical columns had more values than their one-hot levels.
    static ModelSignature fromEncoding(const FeatureEncoding &encoding, const QList<ColumnProfile> &profile);
    /// Output column names: "label" and "p_<class>" per class, or "prediction".
    QStringList outputNames() const;
    const SignatureColumn *input(const QString &name) const;

    QJsonObject toJson() const; ///< {"inputs": [{name, type, categories, otherCategories}], "outputs": {...}}
    static Expected<ModelSignature> fromJson(const QJsonObject &json);
};

/// Where a version came from, kept as it was at registration so that it survives the run's
/// deletion and travels in bundles: the run, its experiment, the library that trained it, the
/// dataset version and its hash, the run's params and metrics.
struct ModelLineage
{
    QString source; ///< "run" or "bundle"
    QString bundleFile; ///< the imported bundle's file name (source "bundle")
    QString origin; ///< "churn@3" as named where the bundle was exported; empty for a run
    QString runUuid;
    QString runName;
    QString experiment;
    QString library; ///< "xgboost 1.7.4": the run's reproducibility "library"; empty when unknown
    QString datasetName;
    int datasetVersion = 0;
    QString datasetSha256;
    qint64 datasetRows = 0;
    QList<QPair<QString, QString>> params;
    QMap<QString, double> metrics;

    QJsonObject toJson() const;
    static ModelLineage fromJson(const QJsonObject &json);
};

/// A deployment of a version to a target (filled in by the deployment work). While `active`,
/// the version cannot be deleted.
struct DeploymentRecord
{
    qint64 id = 0;
    qint64 versionId = 0;
    QString target;
    QString status; ///< "active", "ended", "failed", ...
    QJsonObject detail;
    QDateTime createdAt;
    QDateTime endedAt;

    bool isActive() const { return status == QLatin1String("active"); }
};

/// A deployment with the model version it deployed (ModelRegistry::deploymentHistory).
struct VersionDeployment
{
    DeploymentRecord record;
    QString modelName;
    int version = 0;

    QString ref() const { return modelName + QLatin1Char('@') + QString::number(version); }
};

/// A named model with its versions.
struct RegisteredModel
{
    qint64 id = 0;
    QString name;
    QString description;
    QList<QPair<QString, QString>> tags;
    QDateTime createdAt;
    QDateTime updatedAt;
    int latestVersion = 0; ///< 0: no versions (all deleted)
    int versionCount = 0;
    QMap<QString, int> aliases; ///< alias → version
};

/// One version of a registered model: the model file (a blob), how to feed it (the encoding,
/// its signature and an input example), what it scored and where it came from.
struct ModelVersion
{
    qint64 id = 0;
    qint64 modelId = 0;
    QString modelName;
    int version = 0;
    VersionStatus status = VersionStatus::Ready;
    QStringList aliases; ///< sorted
    QList<QPair<QString, QString>> tags;
    qint64 runId = 0; ///< the run in this workspace; 0 when imported or the run was deleted
    QString trainer; ///< trainer id that predicts with it ("boosted-trees")
    QString modelFormat; ///< TrainedModel::format ("xgboost-ubj")
    QString modelSha256; ///< the model file in the blob store
    qint64 modelSize = 0;
    FeatureEncoding encoding;
    ModelSignature signature; ///< derived from encoding and profile
    QJsonArray inputExample; ///< a few training rows of the input columns, as records
    QMap<QString, double> metrics; ///< the run's results (accuracy, roc_auc, rmse, ...)
    QJsonObject evaluation; ///< the run's evaluation.json (may be empty)
    QList<ColumnProfile> profile; ///< the training data's columns (inputs and target), for drift checks
    ModelLineage lineage;
    QString card; ///< Markdown
    QDateTime createdAt;
    QDateTime updatedAt;
    QList<DeploymentRecord> deployments; ///< newest first

    QString ref() const { return modelName + QLatin1Char('@') + QString::number(version); }
    bool isDeployed() const;
    /// Whether Kiln can load it to predict, bundle and deploy it: false for a version imported
    /// from MLflow (modelFormat "mlflow"), which keeps only MLflow's MLmodel for reference.
    bool isPredictable() const;
    /// The refusal for a version that is not predictable, naming it and why; success otherwise.
    Status checkPredictable() const;
};

/// How a model is named on the command line and in bundles: "name" (latest version),
/// "name@3", "name@v3", "name@champion" (an alias), "name@latest".
struct ModelRef
{
    QString name;
    int version = 0; ///< 0: by alias, or latest when alias is empty
    QString alias;

    static Expected<ModelRef> parse(const QString &text);
};

/// Alias names: a letter first, then letters, digits, '-' or '_', at most 64; not "latest" and
/// not "v<digits>" (those name versions). The error says which rule failed.
Status validateAliasName(const QString &alias);
/// Model names: 1 to 128 characters, no '@', '/', '\' or control characters, not blank.
Status validateModelName(const QString &name);

/// JSON forms of column profiles as kept with a version and in bundles:
/// [{"name", "type", "stats": {...ColumnProfile::statsToJson()}}].
QJsonArray profileToJson(const QList<ColumnProfile> &profile);
QList<ColumnProfile> profileFromJson(const QJsonArray &json);

} // namespace kiln
