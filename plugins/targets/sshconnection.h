#pragma once

#include "deploy/deploytarget.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <utility>

// libssh's handles, so that includers need not see libssh.
struct ssh_session_struct;
struct sftp_session_struct;

namespace kiln::Internal {

/// The known_hosts file Kiln checks SSH host keys against (its own, not ~/.ssh/known_hosts):
/// $KILN_KNOWN_HOSTS, or ~/.config/kiln/known_hosts (GenericConfigLocation). Any thread.
QString kilnKnownHostsPath();

/// Where an "ssh" target lives: ssh://user@host[:port]/absolute/folder.
struct SshLocation
{
    QString user;
    QString host;
    int port = 22;
    QString folder; ///< absolute, cleaned, never "/"

    QString display() const { return QStringLiteral("%1@%2:%3").arg(user, host).arg(port); }
};

/// Parses an ssh:// location; the error quotes the text and says what is missing.
Expected<SshLocation> parseSshLocation(const QString &text);

/// `~` and `~/...` relative to the home folder; any other path as it is.
QString expandHome(const QString &path);

/// "SHA256:..." as `ssh-keygen -l` prints it; a bare base64 hash gets the prefix.
QString normalizedFingerprint(const QString &text);

/// What SshConnection::run() got back: the exit status and the end of each output stream.
struct CommandResult
{
    int exitStatus = -1; ///< -1: none came (a signal ended it, or it timed out)
    bool timedOut = false;
    QByteArray out;
    QByteArray err;
};

/// One SSH connection and its SFTP channel, used on the thread that opened it; closed when
/// destroyed. Every failing call returns an error message (without the target name) and sets
/// failure(): Transient when the connection could not be made or dropped, else Permanent.
class SshConnection
{
public:
    explicit SshConnection(SshLocation location)
        : m_location(std::move(location))
    { }
    ~SshConnection();
    SshConnection(const SshConnection &) = delete;
    SshConnection &operator=(const SshConnection &) = delete;

    FailureKind failure() const { return m_failure; }

    Status open(const QJsonObject &options, const QByteArray &secret);

    Expected<bool> exists(const QString &path);
    /// The file's bytes; `missing` set (and empty bytes) when there is no such file.
    Expected<QByteArray> readFile(const QString &path, bool &missing);
    Status makeFolders(const QString &folder);
    /// Copies a local file to `remotePath` (created or truncated), reporting progress from
    /// `from` to `to`, checking cancel between chunks; then checks the remote size.
    Status upload(const QString &localPath, const QString &remotePath, Feedback &feedback, double from, double to);
    Status writeFile(const QString &path, const QByteArray &bytes);
    Status rename(const QString &from, const QString &to);
    Status remove(const QString &path);
    Expected<CommandResult> run(const QString &command, int timeoutMs);

private:
    Error sessionError(const QString &what, FailureKind kind);
    Error sftpError(const QString &what);
    Status checkHostKey(const QJsonObject &options);
    Status authenticate(const QJsonObject &options, const QByteArray &secret);

    SshLocation m_location;
    ssh_session_struct *m_session = nullptr;
    sftp_session_struct *m_sftp = nullptr;
    FailureKind m_failure = FailureKind::Permanent;
};

} // namespace kiln::Internal
