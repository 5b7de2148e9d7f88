#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QString>

namespace kiln {

/// Secrets of deployment targets (agent tokens, registry passwords, key passphrases), kept out
/// of the workspace: in the desktop keychain where one exists, otherwise in a file readable only
/// by the user.
///
/// The backend is chosen once, at construction:
/// - an explicit file path, or $KILN_CREDENTIALS_FILE when set: that file;
/// - else, when a Secret Service (GNOME Keyring, KeePassXC, KWallet...) answers on the session
///   bus ($DBUS_SESSION_BUS_ADDRESS set and the service replies within a few seconds): the
///   keychain, one item per key (schema "org.kiln.DeployTarget", attribute "key", label
///   "Kiln target <key>"; a secret that is not UTF-8 is stored as base64 with the attribute
///   "encoding" = "base64");
/// - else the default file, ~/.config/kiln/credentials.json (QStandardPaths::
///   GenericConfigLocation, shared by kiln and kilnctl).
///
/// The file is JSON, mode 0600 in a 0700 folder, written whole with QSaveFile; a file whose
/// permissions let others read it is refused with the path and the reason, not used.
/// Keys are "<kind>:<location>", so two workspaces that name the same agent share its token.
/// A CredentialStore is a small value (copy it to a worker). Thread-safe: every call takes a
/// process-wide mutex and reads or writes the file or the keychain item whole; the keychain is
/// reached through libsecret's blocking calls, which need no Qt or GLib event loop.
class CredentialStore final
{
public:
    enum class Backend { File, Keychain };

    /// The keychain if one answers, else the default file (see above).
    CredentialStore();
    /// Always this file.
    explicit CredentialStore(QString filePath);

    Backend backend() const { return m_backend; }
    /// For display (kilnctl, the UI): "keychain" or "file: PATH".
    QString backendName() const;
    /// The file used by the file backend; for the keychain, the file that would be used
    /// without it.
    QString filePath() const { return m_path; }
    static QString keyFor(const QString &kind, const QString &location);

    /// The secret, or an empty array when none is stored.
    Expected<QByteArray> secret(const QString &key) const;
    Status setSecret(const QString &key, const QByteArray &secret);
    Status removeSecret(const QString &key);

    /// Whether a Secret Service answers on the session bus now (never waits more than a few
    /// seconds; false at once without $DBUS_SESSION_BUS_ADDRESS).
    static bool keychainAvailable();

private:
    QString m_path;
    Backend m_backend = Backend::File;
};

} // namespace kiln
