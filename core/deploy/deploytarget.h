#pragma once

#include "tasks/feedback.h"
#include "util/expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QtPlugin>

#include <memory>

namespace kiln {

/// A place model versions are deployed to, as the user configured it. Kept in the workspace
/// (table deploy_targets, schema v5) without its secret: the secret lives in CredentialStore.
struct TargetConfig
{
    QString name; ///< unique in the workspace, chosen by the user ("prod", "edge-box")
    QString kind; ///< TargetKind::id(): "agent", "ssh", "oci", "folder"
    /// Where, in the kind's own form: agent "http://127.0.0.1:8080"; ssh "ssh://user@host:22/srv/kiln";
    /// oci "http://127.0.0.1:5000/kiln/churn" (registry and repository); folder "/srv/models/churn".
    QString location;
    /// The kind's other settings, by TargetField::key (ssh: "identityFile", "reloadCommand",
    /// "statusUrl"; oci: "insecure"...). Never a secret.
    QJsonObject options;
    QDateTime createdAt;
};

/// One input a kind asks for when a target is added (the Add Target dialog and
/// `kilnctl targets add --option key=value` are built from these).
struct TargetField
{
    QString key; ///< "location" for TargetConfig::location, "secret" for the credential, else an option key
    QString label; ///< "Agent URL"
    QString placeholder; ///< "http://host:8080"
    QString help; ///< one sentence shown under the field
    bool required = false;
    bool secret = false; ///< a password field; stored by CredentialStore, never in the workspace
};

/// What a target says it serves now.
struct TargetStatus
{
    bool reachable = false;
    /// "serving" (a model answers), "stored" (a folder or registry holds it; nothing serves
    /// here), "empty" (reachable, no model), "down" (not reachable: `detail` says why).
    QString health;
    QString modelName;
    int modelVersion = 0;
    QString sha256; ///< of the bundle the target holds
    QString previousModel; ///< what rollback returns to; empty when nothing
    int previousVersion = 0;
    QString detail; ///< "connection refused", "HTTP 401: wrong token"...
    /// Prometheus metrics of the serving agent (kiln-serve /metrics); empty when the target
    /// has none (folder, oci, ssh without a statusUrl).
    QString metricsUrl;
};

/// What to push: a verified bundle file on the local disk.
struct PushRequest
{
    QString bundlePath;
    QString modelName;
    int version = 0;
    QString sha256; ///< of the bundle file
};

/// How an error ended a target operation: whether trying again may help.
enum class FailureKind {
    Transient, ///< refused connection, timeout, HTTP 5xx, a dropped transfer: retry with back-off
    Permanent ///< HTTP 401/403, a bundle the target refuses (4xx), bad configuration: do not retry
};

/// One configured target, able to push, report, roll back and undeploy. Every call blocks and
/// runs on a worker thread (a Task, or kilnctl's main thread); `feedback` reports progress in
/// [0, 1] and is checked for cancel between steps. An operation that fails or is cancelled
/// leaves the target serving what it served before (push uploads beside, then switches in
/// one step). Errors name the target and the reason ("prod: HTTP 401: wrong token").
class DeployTarget
{
public:
    virtual ~DeployTarget() = default;

    virtual const TargetConfig &config() const = 0;

    virtual Status push(const PushRequest &request, Feedback &feedback) = 0;
    virtual Expected<TargetStatus> status(Feedback &feedback) = 0;
    /// Back to the version served before the last push; an error when there is none.
    virtual Status rollback(Feedback &feedback) = 0;
    /// Stops serving (an agent unloads; a folder or host removes the current bundle).
    virtual Status undeploy(Feedback &feedback) = 0;

    /// Transient or permanent: the kind of the last failure of this object (the deployer's
    /// retry loop reads it after a failed push).
    virtual FailureKind lastFailureKind() const = 0;
};

/// A kind of target ("agent", "ssh", "oci", "folder"); stateless, any thread.
class TargetKind
{
public:
    virtual ~TargetKind() = default;
    virtual QString id() const = 0;
    virtual QString displayName() const = 0; ///< "kiln-serve agent", "SSH host", "OCI registry", "Folder"
    virtual QList<TargetField> fields() const = 0;
    /// Checks a configuration before it is saved: "location: 'htp://x' is not an http(s) URL".
    virtual Status validate(const TargetConfig &config) const = 0;
    /// A target for `config`, with its secret (empty when the kind needs none).
    virtual std::unique_ptr<DeployTarget> create(const TargetConfig &config, const QByteArray &secret) const = 0;
};

/// The plugin interface of target kinds (plugins/targets provides the four built-in ones).
class TargetProvider
{
public:
    virtual ~TargetProvider() = default;
    virtual QList<const TargetKind *> targetKinds() const = 0;
};

} // namespace kiln

#define KILN_TARGET_PLUGIN_IID "org.kiln.TargetProvider/1.0"
Q_DECLARE_INTERFACE(kiln::TargetProvider, KILN_TARGET_PLUGIN_IID)
