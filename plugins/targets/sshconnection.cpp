// The libssh wrapper of the "ssh" target: one blocking session with its SFTP channel, the
// host key check (a pinned fingerprint, or trust on first use in Kiln's own known_hosts) and
// the login. libssh blocks: every call runs on the caller's worker thread, with timeouts.
#include "sshconnection.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QUrl>

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <fcntl.h>

namespace kiln::Internal {

namespace {

constexpr long kTimeoutSeconds = 20; ///< connect, and each blocking SSH/SFTP exchange
constexpr qint64 kChunkBytes = 256 * 1024; ///< progress and cancel between chunks
constexpr qint64 kWriteBytes = 32 * 1024; ///< one SFTP write (OpenSSH caps a message at 256 KiB)
constexpr qint64 kMaxReadBytes = 1024 * 1024; ///< readFile reads small files only (the state file)
constexpr qsizetype kMaxCommandOutput = 64 * 1024;

} // namespace

QString kilnKnownHostsPath()
{
    QString fromEnvironment = qEnvironmentVariable("KILN_KNOWN_HOSTS");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    // Beside the credentials (~/.config/kiln), the same for kiln and kilnctl.
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + QStringLiteral("/kiln/known_hosts");
}

Expected<SshLocation> parseSshLocation(const QString &text)
{
    const QString shape = QStringLiteral("location: '%1' is not ssh://user@host[:port]/absolute/folder").arg(text);
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("ssh") || url.host().isEmpty())
        return Error {shape};
    if (url.userName().isEmpty())
        return Error {shape + QStringLiteral(": it names no user")};
    if (!url.password().isEmpty())
        return Error {QStringLiteral("location: '%1' holds a password; put it in the secret instead").arg(text)};
    const QString folder = QDir::cleanPath(url.path());
    if (!folder.startsWith(QLatin1Char('/')) || folder == QLatin1String("/"))
        return Error {shape + QStringLiteral(": it names no folder")};
    SshLocation location;
    location.user = url.userName();
    location.host = url.host();
    location.port = url.port(22);
    location.folder = folder;
    return location;
}

QString expandHome(const QString &path)
{
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

QString normalizedFingerprint(const QString &text)
{
    QString fingerprint = text.trimmed();
    if (fingerprint.startsWith(QLatin1String("SHA256:"), Qt::CaseInsensitive))
        fingerprint = fingerprint.mid(7);
    while (fingerprint.endsWith(QLatin1Char('=')))
        fingerprint.chop(1);
    return QStringLiteral("SHA256:") + fingerprint;
}

SshConnection::~SshConnection()
{
    if (m_sftp)
        sftp_free(m_sftp);
    if (m_session) {
        ssh_disconnect(m_session);
        ssh_free(m_session);
    }
}

Error SshConnection::sessionError(const QString &what, FailureKind kind)
{
    m_failure = kind;
    return Error {
        QStringLiteral("%1 %2: %3").arg(what, m_location.display(), QString::fromUtf8(ssh_get_error(m_session)))};
}

Error SshConnection::sftpError(const QString &what)
{
    const int code = sftp_get_error(m_sftp);
    const bool dropped
        = ssh_is_connected(m_session) == 0 || code == SSH_FX_CONNECTION_LOST || code == SSH_FX_NO_CONNECTION;
    m_failure = dropped ? FailureKind::Transient : FailureKind::Permanent;
    QString reason;
    if (dropped)
        reason = QStringLiteral("the connection dropped (%1)").arg(QString::fromUtf8(ssh_get_error(m_session)));
    else if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH)
        reason = QStringLiteral("no such file or folder");
    else if (code == SSH_FX_PERMISSION_DENIED || code == SSH_FX_WRITE_PROTECT)
        reason = QStringLiteral("permission denied");
    else if (code == SSH_FX_FILE_ALREADY_EXISTS)
        reason = QStringLiteral("it exists");
    else
        reason = QStringLiteral("SFTP error %1 (%2)").arg(code).arg(QString::fromUtf8(ssh_get_error(m_session)));
    return Error {QStringLiteral("%1 on %2: %3").arg(what, m_location.display(), reason)};
}

Status SshConnection::open(const QJsonObject &options, const QByteArray &secret)
{
    m_session = ssh_new();
    if (!m_session)
        return Error {QStringLiteral("cannot start an SSH session (libssh)")};
    const QByteArray host = m_location.host.toUtf8();
    const QByteArray user = m_location.user.toUtf8();
    const unsigned int port = unsigned(m_location.port);
    const long timeout = kTimeoutSeconds;
    // Only this target's settings count, not ~/.ssh/config (which could redirect the host).
    const bool processConfig = false;
    const QByteArray knownHosts = QFile::encodeName(kilnKnownHostsPath());
    ssh_options_set(m_session, SSH_OPTIONS_HOST, host.constData());
    ssh_options_set(m_session, SSH_OPTIONS_USER, user.constData());
    ssh_options_set(m_session, SSH_OPTIONS_PORT, &port);
    ssh_options_set(m_session, SSH_OPTIONS_TIMEOUT, &timeout);
    ssh_options_set(m_session, SSH_OPTIONS_PROCESS_CONFIG, &processConfig);
    ssh_options_set(m_session, SSH_OPTIONS_KNOWNHOSTS, knownHosts.constData());
    ssh_options_set(m_session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, knownHosts.constData());
    if (ssh_connect(m_session) != SSH_OK)
        return sessionError(QStringLiteral("cannot connect to"), FailureKind::Transient);
    if (Status hostKey = checkHostKey(options); !hostKey)
        return hostKey;
    if (Status authenticated = authenticate(options, secret); !authenticated)
        return authenticated;
    m_sftp = sftp_new(m_session);
    if (!m_sftp)
        return sessionError(QStringLiteral("cannot open an SFTP channel on"), FailureKind::Transient);
    if (sftp_init(m_sftp) != SSH_OK)
        return sftpError(QStringLiteral("cannot start SFTP (is the sftp subsystem enabled?)"));
    return Status::success();
}

Status SshConnection::checkHostKey(const QJsonObject &options)
{
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(m_session, &key) != SSH_OK)
        return sessionError(QStringLiteral("cannot read the host key of"), FailureKind::Transient);
    unsigned char *hash = nullptr;
    size_t hashLength = 0;
    const int hashed = ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hashLength);
    ssh_key_free(key);
    if (hashed != SSH_OK)
        return sessionError(QStringLiteral("cannot hash the host key of"), FailureKind::Permanent);
    const QString fingerprint = QStringLiteral("SHA256:")
        + QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(hash), qsizetype(hashLength))
                                  .toBase64(QByteArray::OmitTrailingEquals));
    ssh_clean_pubkey_hash(&hash);

    m_failure = FailureKind::Permanent;
    const QString pinned = options.value(QLatin1String("hostKeySha256")).toString().trimmed();
    if (!pinned.isEmpty()) {
        // A pinned fingerprint replaces the known_hosts check.
        if (normalizedFingerprint(pinned) != fingerprint)
            return Error {QStringLiteral("host key mismatch: %1 presents %2, not the pinned %3; refused")
                              .arg(m_location.display(), fingerprint, normalizedFingerprint(pinned))};
        return Status::success();
    }
    const QString knownHosts = kilnKnownHostsPath();
    switch (ssh_session_is_known_server(m_session)) {
    case SSH_KNOWN_HOSTS_OK:
        return Status::success();
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        return Error {QStringLiteral("host key changed: %1 now presents %2, not the key recorded in %3; refused. "
                                     "If the host was reinstalled, remove its line from that file or pin the new "
                                     "fingerprint (hostKeySha256)")
                          .arg(m_location.display(), fingerprint, knownHosts)};
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        // Trust on first use: the key is recorded, and a later change is refused.
        QDir().mkpath(QFileInfo(knownHosts).absolutePath());
        if (ssh_session_update_known_hosts(m_session) != SSH_OK)
            return Error {QStringLiteral("cannot record the host key of %1 in %2: %3")
                              .arg(m_location.display(), knownHosts, QString::fromUtf8(ssh_get_error(m_session)))};
        return Status::success();
    case SSH_KNOWN_HOSTS_ERROR:
        break;
    }
    return Error {QStringLiteral("cannot check the host key of %1 against %2: %3")
                      .arg(m_location.display(), knownHosts, QString::fromUtf8(ssh_get_error(m_session)))};
}

Status SshConnection::authenticate(const QJsonObject &options, const QByteArray &secret)
{
    m_failure = FailureKind::Permanent;
    const QString identity = expandHome(options.value(QLatin1String("identityFile")).toString().trimmed());
    int result = SSH_AUTH_ERROR;
    QString method;
    if (!identity.isEmpty()) {
        method = QStringLiteral("the key %1").arg(identity);
        ssh_key key = nullptr;
        const int imported
            = ssh_pki_import_privkey_file(QFile::encodeName(identity).constData(),
                                          secret.isEmpty() ? nullptr : secret.constData(), nullptr, nullptr, &key);
        if (imported == SSH_EOF)
            return Error {QStringLiteral("cannot read the private key %1: missing or not readable").arg(identity)};
        if (imported != SSH_OK)
            return Error {
                QStringLiteral("cannot load the private key %1: wrong passphrase or not a private key").arg(identity)};
        result = ssh_userauth_publickey(m_session, nullptr, key);
        ssh_key_free(key);
    } else if (!secret.isEmpty()) {
        method = QStringLiteral("a password");
        result = ssh_userauth_password(m_session, nullptr, secret.constData());
    } else {
        method = QStringLiteral("ssh-agent and the default keys");
        result = ssh_userauth_publickey_auto(m_session, nullptr, nullptr);
    }
    switch (result) {
    case SSH_AUTH_SUCCESS:
        return Status::success();
    case SSH_AUTH_DENIED:
        return Error {QStringLiteral("authentication refused: %1 did not accept %2").arg(m_location.display(), method)};
    case SSH_AUTH_PARTIAL:
        return Error {QStringLiteral("authentication incomplete: %1 accepted %2 but asks for a second factor, which "
                                     "Kiln does not support")
                          .arg(m_location.display(), method)};
    default:
        return sessionError(QStringLiteral("authentication failed on"), FailureKind::Transient);
    }
}

Expected<bool> SshConnection::exists(const QString &path)
{
    sftp_attributes attributes = sftp_stat(m_sftp, path.toUtf8().constData());
    if (attributes) {
        sftp_attributes_free(attributes);
        return true;
    }
    const int code = sftp_get_error(m_sftp);
    if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH)
        return false;
    return sftpError(QStringLiteral("cannot look at %1").arg(path));
}

Expected<QByteArray> SshConnection::readFile(const QString &path, bool &missing)
{
    missing = false;
    sftp_file file = sftp_open(m_sftp, path.toUtf8().constData(), O_RDONLY, 0);
    if (!file) {
        const int code = sftp_get_error(m_sftp);
        if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH) {
            missing = true;
            return QByteArray();
        }
        return sftpError(QStringLiteral("cannot open %1").arg(path));
    }
    auto closeFile = qScopeGuard([file] { sftp_close(file); });
    QByteArray bytes;
    char buffer[16384];
    for (;;) {
        const ssize_t read = sftp_read(file, buffer, sizeof buffer);
        if (read < 0)
            return sftpError(QStringLiteral("cannot read %1").arg(path));
        if (read == 0)
            break;
        bytes.append(buffer, qsizetype(read));
        if (bytes.size() > kMaxReadBytes) {
            m_failure = FailureKind::Permanent;
            return Error {
                QStringLiteral("%1 on %2 is larger than %3 bytes").arg(path, m_location.display()).arg(kMaxReadBytes)};
        }
    }
    return bytes;
}

Status SshConnection::makeFolders(const QString &folder)
{
    QString path;
    const QStringList parts = folder.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        path += QLatin1Char('/') + part;
        auto present = exists(path);
        if (!present)
            return present.error();
        if (*present)
            continue;
        if (sftp_mkdir(m_sftp, path.toUtf8().constData(), 0755) != 0)
            return sftpError(QStringLiteral("cannot create the folder %1").arg(path));
    }
    return Status::success();
}

Status SshConnection::upload(const QString &localPath, const QString &remotePath, Feedback &feedback, double from,
                             double to)
{
    QFile source(localPath);
    if (!source.open(QIODevice::ReadOnly)) {
        m_failure = FailureKind::Permanent;
        return Error {QStringLiteral("cannot read the bundle %1: %2").arg(localPath, source.errorString())};
    }
    sftp_file file = sftp_open(m_sftp, remotePath.toUtf8().constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!file)
        return sftpError(QStringLiteral("cannot create %1").arg(remotePath));
    auto closeFile = qScopeGuard([&file] {
        if (file)
            sftp_close(file);
    });
    const qint64 total = source.size();
    qint64 done = 0;
    while (!source.atEnd()) {
        if (feedback.isCanceled()) {
            m_failure = FailureKind::Permanent;
            return Error {QStringLiteral("cancelled")};
        }
        const QByteArray chunk = source.read(kChunkBytes);
        if (chunk.isEmpty()) {
            m_failure = FailureKind::Permanent;
            return Error {QStringLiteral("cannot read the bundle %1: %2").arg(localPath, source.errorString())};
        }
        for (qsizetype at = 0; at < chunk.size();) {
            const ssize_t written
                = sftp_write(file, chunk.constData() + at, size_t(qMin<qint64>(kWriteBytes, chunk.size() - at)));
            if (written <= 0)
                return sftpError(QStringLiteral("cannot write %1").arg(remotePath));
            at += qsizetype(written);
        }
        done += chunk.size();
        feedback.setProgress(from + (to - from) * double(done) / double(qMax<qint64>(1, total)));
    }
    const int closed = sftp_close(file);
    file = nullptr;
    if (closed != SSH_NO_ERROR)
        return sftpError(QStringLiteral("cannot finish writing %1").arg(remotePath));
    sftp_attributes attributes = sftp_stat(m_sftp, remotePath.toUtf8().constData());
    if (!attributes)
        return sftpError(QStringLiteral("cannot look at %1").arg(remotePath));
    const auto remoteSize = qint64(attributes->size);
    sftp_attributes_free(attributes);
    if (remoteSize != done || done != total) {
        m_failure = FailureKind::Transient;
        return Error {QStringLiteral("the upload to %1 on %2 is incomplete: %3 bytes there, %4 sent, the bundle has %5")
                          .arg(remotePath, m_location.display())
                          .arg(remoteSize)
                          .arg(done)
                          .arg(total)};
    }
    return Status::success();
}

Status SshConnection::writeFile(const QString &path, const QByteArray &bytes)
{
    sftp_file file = sftp_open(m_sftp, path.toUtf8().constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!file)
        return sftpError(QStringLiteral("cannot create %1").arg(path));
    for (qsizetype at = 0; at < bytes.size();) {
        const ssize_t written
            = sftp_write(file, bytes.constData() + at, size_t(qMin<qint64>(kWriteBytes, bytes.size() - at)));
        if (written <= 0) {
            Error error = sftpError(QStringLiteral("cannot write %1").arg(path));
            sftp_close(file);
            return error;
        }
        at += qsizetype(written);
    }
    if (sftp_close(file) != SSH_NO_ERROR)
        return sftpError(QStringLiteral("cannot finish writing %1").arg(path));
    return Status::success();
}

Status SshConnection::rename(const QString &from, const QString &to)
{
    if (sftp_rename(m_sftp, from.toUtf8().constData(), to.toUtf8().constData()) != 0)
        return sftpError(QStringLiteral("cannot move %1 to %2").arg(from, to));
    return Status::success();
}

Status SshConnection::remove(const QString &path)
{
    if (sftp_unlink(m_sftp, path.toUtf8().constData()) == 0)
        return Status::success();
    const int code = sftp_get_error(m_sftp);
    if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH)
        return Status::success();
    return sftpError(QStringLiteral("cannot remove %1").arg(path));
}

Expected<CommandResult> SshConnection::run(const QString &command, int timeoutMs)
{
    ssh_channel channel = ssh_channel_new(m_session);
    if (!channel)
        return sessionError(QStringLiteral("cannot open a channel on"), FailureKind::Transient);
    auto freeChannel = qScopeGuard([channel] {
        ssh_channel_close(channel);
        ssh_channel_free(channel);
    });
    if (ssh_channel_open_session(channel) != SSH_OK)
        return sessionError(QStringLiteral("cannot open a session channel on"), FailureKind::Transient);
    if (ssh_channel_request_exec(channel, command.toUtf8().constData()) != SSH_OK)
        return sessionError(QStringLiteral("cannot run a command on"), FailureKind::Transient);
    ssh_channel_send_eof(channel); // the command gets no input

    CommandResult result;
    const QDeadlineTimer deadline(timeoutMs);
    char buffer[16384];
    while (ssh_channel_is_eof(channel) == 0) {
        if (deadline.hasExpired()) {
            result.timedOut = true;
            return result;
        }
        for (const int isStderr : {0, 1}) {
            const int read = ssh_channel_read_timeout(channel, buffer, sizeof buffer, isStderr, 100);
            if (read == SSH_ERROR)
                return sessionError(QStringLiteral("the command's channel failed on"), FailureKind::Transient);
            QByteArray &output = isStderr ? result.err : result.out;
            output.append(buffer, qMax(0, read));
            if (output.size() > kMaxCommandOutput)
                output.remove(0, output.size() - kMaxCommandOutput);
        }
    }
    result.exitStatus = ssh_channel_get_exit_status(channel);
    return result;
}

} // namespace kiln::Internal
