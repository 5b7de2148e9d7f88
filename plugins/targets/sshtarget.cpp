// The "ssh" target: a folder on a host reached with libssh, laid out like a folder target. A
// push uploads over SFTP to a hidden part file beside the current bundle, switches by renames
// (SFTP rename does not replace, so each switch is a short journal of renames that is undone in
// reverse when a later step fails), writes kiln-deploy.json, then runs the reload command in
// the folder. The libssh wrapper is SshConnection (sshconnection.h).
#include "sshtarget.h"

#include "deploy/httpclient.h"
#include "foldertarget.h"
#include "sshconnection.h"
#include "targetsupport.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QUrl>

#include <memory>

namespace kiln::Internal {

namespace {

constexpr int kReloadTimeoutMs = 300000;
constexpr qsizetype kErrorTail = 600;

// Hidden names beside the bundles, used only while a switch is under way.
constexpr char kParkedPrevious[] = ".kiln-previous.part";
constexpr char kParkedCurrent[] = ".kiln-current.part";
constexpr char kStatePart[] = ".kiln-deploy.json.part";

QString optionText(const TargetConfig &config, const char *key)
{
    return config.options.value(QLatin1String(key)).toString().trimmed();
}

QString shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

/// The end of a command's output, where the reason usually is.
QString outputTail(const QByteArray &output)
{
    QString text = QString::fromUtf8(output).trimmed();
    if (text.size() > kErrorTail)
        text = QStringLiteral("…") + text.right(kErrorTail);
    return text;
}

/// The renames of one switch, undone in reverse order when a later step fails. SFTP's rename
/// refuses to replace a file, so every step moves a file to a free name.
class RenameJournal
{
public:
    explicit RenameJournal(SshConnection &ssh)
        : m_ssh(ssh)
    { }

    Status move(const QString &from, const QString &to)
    {
        Status moved = m_ssh.rename(from, to);
        if (moved)
            m_done.append({from, to});
        return moved;
    }
    /// Best effort; false when a step could not be undone.
    bool undo()
    {
        bool complete = true;
        for (auto step = m_done.crbegin(); step != m_done.crend(); ++step)
            complete = m_ssh.rename(step->second, step->first).ok() && complete;
        m_done.clear();
        return complete;
    }

private:
    SshConnection &m_ssh;
    QList<QPair<QString, QString>> m_done;
};

/// One configured SSH host.
class SshTarget final : public TargetBase
{
public:
    SshTarget(TargetConfig config, QByteArray secret)
        : TargetBase(std::move(config))
        , m_secret(std::move(secret))
    { }

    Status push(const PushRequest &request, Feedback &feedback) override;
    Expected<TargetStatus> status(Feedback &feedback) override;
    Status rollback(Feedback &feedback) override;
    Status undeploy(Feedback &feedback) override;

private:
    /// Which of current.kiln.tar.gz and previous.kiln.tar.gz are in the folder.
    struct Bundles
    {
        bool current = false;
        bool previous = false;
    };

    using TargetBase::fail;
    Error fail(const SshConnection &ssh, const Error &error) { return fail(error.message, ssh.failure()); }
    QString remote(const char *fileName) const
    {
        return m_location.folder + QLatin1Char('/') + QLatin1String(fileName);
    }

    /// Connects; the location is checked here too, as an old configuration may be invalid.
    Status connect(std::unique_ptr<SshConnection> &ssh, Feedback &feedback);
    Expected<DeployFolderState> readState(SshConnection &ssh);
    Expected<Bundles> bundles(SshConnection &ssh);
    Status writeState(SshConnection &ssh, const DeployFolderState &state);
    /// Writes `next` and runs the reload command. When either fails, undoes the journal and
    /// writes `before` back, so the folder holds what it held before.
    Status commit(SshConnection &ssh, RenameJournal &journal, const DeployFolderState &before,
                  const DeployFolderState &next, const QString &action, Feedback &feedback);

    QByteArray m_secret;
    SshLocation m_location;
};

Status SshTarget::connect(std::unique_ptr<SshConnection> &ssh, Feedback &feedback)
{
    auto location = parseSshLocation(m_config.location);
    if (!location)
        return fail(location.errorMessage());
    m_location = *location;
    feedback.setStatusText(QStringLiteral("connecting to %1").arg(m_location.display()));
    ssh = std::make_unique<SshConnection>(m_location);
    if (Status opened = ssh->open(m_config.options, m_secret); !opened)
        return fail(*ssh, opened.error());
    return Status::success();
}

Expected<DeployFolderState> SshTarget::readState(SshConnection &ssh)
{
    bool missing = false;
    auto bytes = ssh.readFile(remote(kDeployStateFile), missing);
    if (!bytes)
        return fail(ssh, bytes.error());
    auto state = DeployFolderState::fromJson(*bytes);
    if (!state)
        return fail(m_location.display() + m_location.folder + QLatin1Char('/') + state.errorMessage());
    return state;
}

Expected<SshTarget::Bundles> SshTarget::bundles(SshConnection &ssh)
{
    auto current = ssh.exists(remote(kCurrentBundleFile));
    auto previous = ssh.exists(remote(kPreviousBundleFile));
    if (!current || !previous)
        return fail(ssh, !current ? current.error() : previous.error());
    return Bundles {*current, *previous};
}

Status SshTarget::writeState(SshConnection &ssh, const DeployFolderState &state)
{
    const QString part = remote(kStatePart);
    const QString path = remote(kDeployStateFile);
    Status written = ssh.writeFile(part, state.toJson());
    if (written)
        written = ssh.remove(path);
    if (written)
        written = ssh.rename(part, path);
    if (!written)
        return fail(ssh, written.error());
    return Status::success();
}

Status SshTarget::commit(SshConnection &ssh, RenameJournal &journal, const DeployFolderState &before,
                         const DeployFolderState &next, const QString &action, Feedback &feedback)
{
    const auto restore = [&](const Error &error) {
        const bool undone = journal.undo();
        const bool stateBack = writeState(ssh, before).ok();
        QString message = error.message;
        if (!undone || !stateBack)
            message
                += QStringLiteral(" (and %1 could not be restored as it was: check it by hand)").arg(m_location.folder);
        return Error {message};
    };
    if (Status written = writeState(ssh, next); !written) {
        const FailureKind kind = m_failure;
        Error error = restore(written.error());
        m_failure = kind;
        return error;
    }
    const QString reload = optionText(m_config, "reloadCommand");
    if (reload.isEmpty())
        return Status::success();

    const QString bundle = next.current ? remote(kCurrentBundleFile) : QString();
    feedback.setStatusText(QStringLiteral("running the reload command on %1").arg(m_location.display()));
    // POSIX sh on the host: the command runs in the folder, with the bundle in $KILN_BUNDLE and as $1.
    const QString command
        = QStringLiteral("cd %1 && exec env KILN_ACTION=%2 KILN_BUNDLE=%3 KILN_MODEL=%4 KILN_VERSION=%5 sh -c %6 "
                         "kiln-reload %3")
              .arg(shellQuote(m_location.folder), action, shellQuote(bundle),
                   shellQuote(next.current ? next.current->name : QString()),
                   QString::number(next.current ? next.current->version : 0), shellQuote(reload));
    auto result = ssh.run(command, kReloadTimeoutMs);
    QString problem;
    if (!result) {
        problem = QStringLiteral("the reload command did not run: %1").arg(result.errorMessage());
    } else if (result->timedOut) {
        problem = QStringLiteral("the reload command did not finish in %1 s").arg(kReloadTimeoutMs / 1000);
    } else if (result->exitStatus != 0) {
        const QString tail = outputTail(result->err.trimmed().isEmpty() ? result->out : result->err);
        problem = result->exitStatus < 0
            ? QStringLiteral("the reload command ended without an exit status")
            : QStringLiteral("the reload command failed (exit %1)").arg(result->exitStatus);
        if (!tail.isEmpty())
            problem += QStringLiteral(": ") + tail;
    }
    if (problem.isEmpty())
        return Status::success();
    // The reload is not run again for the restored bundle: it failed, so whatever it feeds
    // still holds what it held.
    const QString kept = before.current
        ? QStringLiteral("%1@%2 is current again").arg(before.current->name).arg(before.current->version)
        : QStringLiteral("the folder is as it was");
    Error error = restore(fail(QStringLiteral("%1; %2").arg(problem, kept)));
    m_failure = result ? FailureKind::Permanent : FailureKind::Transient;
    return error;
}

Status SshTarget::push(const PushRequest &request, Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    std::unique_ptr<SshConnection> ssh;
    if (Status connected = connect(ssh, feedback); !connected)
        return connected;
    feedback.setProgress(0.03);
    if (Status made = ssh->makeFolders(m_location.folder); !made)
        return fail(*ssh, made.error());
    auto state = readState(*ssh);
    if (!state)
        return state.error();

    // Upload beside the current bundle: an interrupted upload leaves only a part file.
    const QString part = m_location.folder
        + QStringLiteral("/.incoming-%1.part")
              .arg(request.sha256.isEmpty() ? QStringLiteral("bundle") : request.sha256);
    feedback.setStatusText(
        QStringLiteral("uploading %1@%2 to %3").arg(request.modelName).arg(request.version).arg(m_location.display()));
    Status uploaded = ssh->upload(request.bundlePath, part, feedback, 0.05, 0.9);
    if (uploaded && feedback.isCanceled())
        uploaded = Error {QStringLiteral("cancelled")};
    if (!uploaded) {
        // A cancelled push is not retried; a dropped one is.
        const FailureKind kind = feedback.isCanceled() ? FailureKind::Permanent : ssh->failure();
        ssh->remove(part); // fails harmlessly when the connection is gone; the next push replaces it
        return fail(uploaded.errorMessage(), kind);
    }

    // The switch: previous is parked (restored if the reload fails), current becomes
    // previous, the upload becomes current.
    const QString current = remote(kCurrentBundleFile);
    const QString previous = remote(kPreviousBundleFile);
    const QString parked = remote(kParkedPrevious);
    const auto had = bundles(*ssh);
    if (!had)
        return had.error();
    RenameJournal journal(*ssh);
    Status switched = Status::success();
    if (had->current && had->previous) {
        switched = ssh->remove(parked);
        if (switched)
            switched = journal.move(previous, parked);
    }
    if (switched && had->current)
        switched = journal.move(current, previous);
    if (switched)
        switched = journal.move(part, current);
    if (!switched) {
        const FailureKind kind = ssh->failure();
        journal.undo();
        ssh->remove(part);
        return fail(switched.errorMessage(), kind);
    }
    feedback.setProgress(0.95);

    const DeployFolderState next = state->pushed(request, had->current, had->previous);
    if (Status committed = commit(*ssh, journal, *state, next, QStringLiteral("push"), feedback); !committed) {
        ssh->remove(part); // the undone switch moved the new bundle back to its part name
        return committed;
    }
    ssh->remove(parked);
    feedback.setProgress(1.0);
    return Status::success();
}

Expected<TargetStatus> SshTarget::status(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    TargetStatus result;
    std::unique_ptr<SshConnection> ssh;
    if (Status connected = connect(ssh, feedback); !connected) {
        result.health = QStringLiteral("down");
        result.detail = connected.errorMessage();
        return result;
    }
    auto state = readState(*ssh);
    if (!state)
        return state.error();
    const auto has = bundles(*ssh);
    if (!has)
        return has.error();
    result.reachable = true;
    state->describe(result, has->current, has->previous);

    const QString statusUrl = optionText(m_config, "statusUrl");
    if (statusUrl.isEmpty())
        return result;
    // The agent on the host says what it serves; the folder only says what was uploaded.
    QUrl base(statusUrl);
    QString basePath = base.path();
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    QUrl versionUrl = base;
    versionUrl.setPath(basePath + QStringLiteral("/version"));
    QUrl metricsUrl = base;
    metricsUrl.setPath(basePath + QStringLiteral("/metrics"));
    HttpRequest request;
    request.url = versionUrl;
    request.timeoutMs = 10000;
    const HttpResponse response = sendHttp(request, &feedback);
    if (response.status == 0) {
        result.reachable = false;
        result.health = QStringLiteral("down");
        result.detail = QStringLiteral("the agent at %1 did not answer: %2").arg(statusUrl, response.error);
        m_failure = FailureKind::Transient;
        return result;
    }
    result.metricsUrl = metricsUrl.toString();
    const QJsonObject version = QJsonDocument::fromJson(response.body).object();
    if (!response.ok() || version.value(QLatin1String("name")).toString().isEmpty()) {
        result.health = QStringLiteral("empty");
        result.detail = QStringLiteral("the agent at %1 serves no model (HTTP %2)").arg(statusUrl).arg(response.status);
        return result;
    }
    result.health = QStringLiteral("serving");
    result.modelName = version.value(QLatin1String("name")).toString();
    result.modelVersion = version.value(QLatin1String("version")).toInt();
    result.sha256 = version.value(QLatin1String("sha256")).toString();
    if (state->current && (state->current->name != result.modelName || state->current->version != result.modelVersion))
        result.detail = QStringLiteral("the folder holds %1@%2, but the agent serves %3@%4")
                            .arg(state->current->name)
                            .arg(state->current->version)
                            .arg(result.modelName)
                            .arg(result.modelVersion);
    return result;
}

Status SshTarget::rollback(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    std::unique_ptr<SshConnection> ssh;
    if (Status connected = connect(ssh, feedback); !connected)
        return connected;
    auto state = readState(*ssh);
    if (!state)
        return state.error();
    const QString current = remote(kCurrentBundleFile);
    const QString previous = remote(kPreviousBundleFile);
    const QString parked = remote(kParkedCurrent);
    const auto had = bundles(*ssh);
    if (!had)
        return had.error();
    if (!state->previous || !had->previous)
        return fail(QStringLiteral("there is no previous version to roll back to on %1").arg(m_location.display()));
    if (feedback.isCanceled())
        return fail(QStringLiteral("cancelled"));
    RenameJournal journal(*ssh);
    Status switched = ssh->remove(parked);
    if (switched && had->current)
        switched = journal.move(current, parked);
    if (switched)
        switched = journal.move(previous, current);
    if (switched && had->current)
        switched = journal.move(parked, previous);
    if (!switched) {
        const FailureKind kind = ssh->failure();
        journal.undo();
        return fail(switched.errorMessage(), kind);
    }
    if (Status committed
        = commit(*ssh, journal, *state, state->rolledBack(had->current), QStringLiteral("rollback"), feedback);
        !committed)
        return committed;
    feedback.setProgress(1.0);
    return Status::success();
}

Status SshTarget::undeploy(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    std::unique_ptr<SshConnection> ssh;
    if (Status connected = connect(ssh, feedback); !connected)
        return connected;
    auto folderExists = ssh->exists(m_location.folder);
    if (!folderExists)
        return fail(*ssh, folderExists.error());
    if (!*folderExists)
        return Status::success(); // nothing was ever pushed here
    auto state = readState(*ssh);
    if (!state)
        return state.error();
    const QString current = remote(kCurrentBundleFile);
    const QString previous = remote(kPreviousBundleFile);
    const QString parked = remote(kParkedPrevious);
    const auto had = bundles(*ssh);
    if (!had)
        return had.error();
    if (!had->current)
        return Status::success();
    // The undeployed bundle stays as the previous one, so a rollback brings it back.
    RenameJournal journal(*ssh);
    Status switched = Status::success();
    if (had->previous) {
        switched = ssh->remove(parked);
        if (switched)
            switched = journal.move(previous, parked);
    }
    if (switched)
        switched = journal.move(current, previous);
    if (!switched) {
        const FailureKind kind = ssh->failure();
        journal.undo();
        return fail(switched.errorMessage(), kind);
    }
    if (Status committed = commit(*ssh, journal, *state, state->undeployed(), QStringLiteral("undeploy"), feedback);
        !committed)
        return committed;
    ssh->remove(parked);
    feedback.setProgress(1.0);
    return Status::success();
}

class SshTargetKind final : public TargetKind
{
public:
    QString id() const override { return QStringLiteral("ssh"); }
    QString displayName() const override { return QStringLiteral("SSH host"); }
    QList<TargetField> fields() const override
    {
        TargetField location
            = targetField("location", "Host and folder", "ssh://deploy@host:22/srv/kiln",
                          "The user, host and absolute folder that keeps the current and previous bundle.");
        location.required = true;
        TargetField secret
            = targetField("secret", "Key passphrase or password", "",
                          "The private key's passphrase, or the user's password when no key file is set.");
        secret.secret = true;
        return {location,
                targetField("identityFile", "Private key", "~/.ssh/id_ed25519",
                            "The key to log in with; empty: ssh-agent and the default keys, or the password."),
                secret,
                targetField(
                    "reloadCommand", "Reload command", "systemctl reload kiln-serve",
                    "Run in the folder after each push, rollback and undeploy, with $KILN_BUNDLE (the current bundle, "
                    "empty after an undeploy) and $KILN_ACTION; if it fails, the previous bundle is put back."),
                targetField("statusUrl", "Agent URL", "http://host:8080",
                            "A kiln-serve on the host: status asks it what it serves, and its metrics are charted."),
                targetField(
                    "hostKeySha256", "Host key fingerprint", "SHA256:…",
                    "Optional: the only host key to accept. Otherwise the first key seen is trusted and a change is "
                    "refused.")};
    }
    Status validate(const TargetConfig &config) const override
    {
        if (auto location = parseSshLocation(config.location); !location)
            return location.error();
        const QString identity = expandHome(optionText(config, "identityFile"));
        if (!identity.isEmpty() && !QFileInfo(identity).isFile())
            return Error {QStringLiteral("identityFile: %1 is not a file").arg(identity)};
        const QString statusUrl = optionText(config, "statusUrl");
        if (!statusUrl.isEmpty()) {
            if (!isHttpUrl(QUrl(statusUrl, QUrl::StrictMode)))
                return Error {QStringLiteral("statusUrl: '%1' is not an http(s) URL").arg(statusUrl)};
        }
        const QString pinned = optionText(config, "hostKeySha256");
        if (!pinned.isEmpty()) {
            const QByteArray hash = QByteArray::fromBase64(normalizedFingerprint(pinned).mid(7).toLatin1());
            if (hash.size() != 32)
                return Error {QStringLiteral("hostKeySha256: '%1' is not a SHA256 fingerprint (as `ssh-keygen -lf` "
                                             "prints it: SHA256:…)")
                                  .arg(pinned)};
        }
        return Status::success();
    }
    std::unique_ptr<DeployTarget> create(const TargetConfig &config, const QByteArray &secret) const override
    {
        return std::make_unique<SshTarget>(config, secret);
    }
};

} // namespace

const TargetKind *sshTargetKind()
{
    static const SshTargetKind kind;
    return &kind;
}

} // namespace kiln::Internal
