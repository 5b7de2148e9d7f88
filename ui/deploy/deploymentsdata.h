#pragma once

// What the Deployments panel reads on worker threads: the workspace's targets, every
// deployment row with its model version, and the models a deployment can choose from (one
// snapshot per refresh); and one target's own status report.

#include "deploy/credentialstore.h"
#include "deploy/deploytarget.h"
#include "registry/registrytypes.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

namespace kiln {

class Feedback;

/// One row of the deployments table of the workspace, with the version it deployed.
struct DeploymentEntry
{
    DeploymentRecord record;
    QString modelName;
    int version = 0;
    /// The version's training profile (for drift); filled for active deployments only.
    QList<ColumnProfile> profile;

    QString ref() const { return modelName + QLatin1Char('@') + QString::number(version); }
};

/// A version as the Deploy dialog offers it.
struct VersionChoice
{
    int version = 0;
    QStringList aliases;
    VersionStatus status = VersionStatus::Ready;
    QDateTime createdAt;
};

/// A registered model as the Deploy dialog offers it: versions newest first.
struct ModelChoice
{
    QString name;
    QList<VersionChoice> versions;
};

/// Everything the panel shows from the workspace, read at once on a worker.
struct DeploymentsSnapshot
{
    QString workspaceRoot;
    QList<TargetConfig> targets; ///< by name
    QList<DeploymentEntry> deployments; ///< every target's, newest first
    QList<ModelChoice> models; ///< by name
    QString error; ///< what could not be read (the rest is still shown)

    /// The active deployment of `target`, or null.
    const DeploymentEntry *active(const QString &target) const;
    /// Every deployment row of `target`, newest first.
    QList<DeploymentEntry> history(const QString &target) const;
    const TargetConfig *target(const QString &name) const;
};

/// Opens its own connection to the workspace at `workspaceRoot` and reads the snapshot.
/// Worker thread.
DeploymentsSnapshot loadDeploymentsSnapshot(const QString &workspaceRoot);

/// What a target said about itself, with the bearer token its metrics need (its secret).
struct TargetStatusReport
{
    QString target;
    TargetStatus status; ///< health "down" with the reason in detail when it could not be asked
    QByteArray token;
};

/// Asks `config`'s target what it serves (blocking: network). Worker thread; `credentials`
/// is a copy (a CredentialStore is a path).
TargetStatusReport readTargetStatus(const TargetConfig &config, const CredentialStore &credentials, Feedback &feedback);

/// The text a deployment's detail reads as in the history: the error of a failed push, else
/// what is known about it ("sha256 1a2b3c4d…, 2 attempts").
QString deploymentDetailText(const QJsonObject &detail);

} // namespace kiln
