#pragma once

#include "registry/registrytypes.h"
#include "util/expected.h"

#include <QList>
#include <QString>

namespace kiln {

class Workspace;

/// What registerRun() adds besides the run's own facts.
struct RegisterOptions
{
    QString description; ///< of the model, when this call creates it
    QList<QPair<QString, QString>> tags; ///< of the new version
    int exampleRows = 5; ///< input example: this many first rows of the training data
};

/// One line of a comparison of two versions.
struct VersionDiffLine
{
    enum class Section { Model, Metric, Param, Schema };
    Section section = Section::Model;
    QString key; ///< "trainer", "accuracy", "max_depth", "age" (a column), ...
    QString left; ///< as text; empty when absent
    QString right;
    bool differs = false;
};

/// Lines comparing `left` with `right`: model facts (trainer, format, dataset, status), every
/// metric and param of either, and the input schema column by column (present in one only,
/// type, categories). Differences first within each section is not required: sections in the
/// order above, keys sorted naturally.
QList<VersionDiffLine> diffVersions(const ModelVersion &left, const ModelVersion &right);

/// The Markdown card a new version starts with: title, trainer and library (lineage.library,
/// when known), the data (dataset version, hash, rows), params, evaluation metrics, input
/// schema (column, type, categories) and output. The user edits it afterwards.
QString prefillModelCard(const ModelVersion &version);

/// The model registry of one workspace: registered models, their versions, aliases, tags,
/// statuses, cards, and the deployments that use a version. Works on the workspace's
/// connection (and so on its thread); every change is one transaction, so an alias moves
/// atomically and a version number is never given twice, even with two processes at once.
/// Errors name the model, the version and the reason.
class ModelRegistry final
{
public:
    explicit ModelRegistry(Workspace &workspace)
        : m_workspace(workspace)
    { }

    Expected<QList<RegisteredModel>> models() const; ///< by name
    Expected<RegisteredModel> model(const QString &name) const;
    /// Versions of a model, newest first, with aliases, tags and deployments.
    Expected<QList<ModelVersion>> versions(const QString &modelName) const;
    /// "name", "name@3", "name@champion", "name@latest" (see ModelRef).
    Expected<ModelVersion> version(const QString &ref) const;
    Expected<ModelVersion> version(const QString &modelName, int version) const;
    Expected<ModelVersion> versionById(qint64 versionId) const;
    /// Versions made from `runId` (a run may be registered more than once), oldest first.
    Expected<QList<ModelVersion>> versionsOfRun(qint64 runId) const;

    /// Registers the model of a finished trainer run as the next version of `modelName`
    /// (creating the model when new): reads the run's model artifact and feature encoding,
    /// the dataset version's column profile and first rows (the input example), the run's
    /// params, results and evaluation, and prefills the card. Fails with the reason when the
    /// run has not finished or has no model (a command run that saved none).
    Expected<ModelVersion> registerRun(qint64 runId, const QString &modelName, const RegisterOptions &options = {});
    /// Adds `draft` (everything but ids, numbers, aliases and dates) as the next version of
    /// `modelName`, creating the model when new, with `modelDescription` (ignored when the
    /// model exists), all in one transaction. A draft with an empty card gets the
    /// prefillModelCard() of the new version. The model blob must already be in the store.
    /// Used by registerRun(), bundle import and MLflow import. `number` 0: the next number;
    /// > 0: that number (an MLflow import keeps MLflow's), refused when the model has it.
    Expected<ModelVersion> addVersion(const QString &modelName, const ModelVersion &draft,
                                      const QString &modelDescription = {}, int number = 0);

    Status setModelDescription(const QString &modelName, const QString &description);
    Status setModelTag(const QString &modelName, const QString &key, const QString &value);
    Status removeModelTag(const QString &modelName, const QString &key);
    Status setVersionTag(const QString &modelName, int version, const QString &key, const QString &value);
    Status removeVersionTag(const QString &modelName, int version, const QString &key);
    Status setStatus(const QString &modelName, int version, VersionStatus status);
    Status setCard(const QString &modelName, int version, const QString &markdown);

    /// Points `alias` at `version`, moving it from the version it pointed at (one
    /// transaction). Refuses an invalid alias name or a missing version.
    Status setAlias(const QString &modelName, const QString &alias, int version);
    Status removeAlias(const QString &modelName, const QString &alias);

    /// Deletes a version (its aliases go with it; its blob stays for other references).
    /// Refused while the version is deployed: "churn@2 is deployed to 'prod': undeploy it
    /// first". The UI asks for confirmation before calling.
    Status deleteVersion(const QString &modelName, int version);
    /// Deletes a model and all its versions; refused while any version is deployed.
    Status deleteModel(const QString &modelName);

    /// The deployment work records here which target serves a version, and ends it on
    /// undeploy; lineage shows them and delete protection reads them. `status` other than
    /// "active" records an attempt that did not deploy ("failed", "cancelled"), ended at once.
    Expected<qint64> recordDeployment(qint64 versionId, const QString &target, const QJsonObject &detail = {},
                                      const QString &status = QStringLiteral("active"));
    Status endDeployment(qint64 deploymentId, const QString &status = QStringLiteral("ended"));
    /// Every deployment of every version, newest first (one query; the Deployments panel's
    /// and `kilnctl deployments`' history).
    Expected<QList<VersionDeployment>> deploymentHistory() const;

private:
    Workspace &m_workspace;
};

} // namespace kiln
