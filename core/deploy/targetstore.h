#pragma once

#include "deploy/deploytarget.h"
#include "util/expected.h"

#include <QList>
#include <QString>

#include <memory>

namespace kiln {

class Workspace;
class CredentialStore;

/// The workspace's deployment targets (table deploy_targets, schema v5). The secret of each
/// goes to a CredentialStore, keyed by kind and location, never to the database.
class TargetStore final
{
public:
    explicit TargetStore(Workspace &workspace);

    /// Sorted by name.
    Expected<QList<TargetConfig>> list() const;
    Expected<TargetConfig> get(const QString &name) const;
    /// Validates through the kind (PluginManager::targetKind), refuses a duplicate or empty
    /// name ("a target named 'prod' exists"), stores the config and `secret` (if not empty).
    Status add(const TargetConfig &config, const QByteArray &secret, CredentialStore &credentials);
    /// Refused while a deployment to it is active ("'prod' serves churn@3: undeploy it first").
    /// Removes its secret too.
    Status remove(const QString &name, CredentialStore &credentials);
    /// The target object for `name`, with its secret read from `credentials`.
    Expected<std::unique_ptr<DeployTarget>> open(const QString &name, CredentialStore &credentials) const;

private:
    Workspace &m_workspace;
};

} // namespace kiln
