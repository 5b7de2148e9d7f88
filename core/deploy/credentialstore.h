#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QString>

namespace kiln {

/// Secrets of deployment targets (agent tokens, registry passwords, key passphrases), kept out
/// of the workspace. Stored in a JSON file readable only by the user (mode 0600, in a 0700
/// folder; written whole with QSaveFile): by default ~/.config/kiln/credentials.json
/// (QStandardPaths::GenericConfigLocation, shared by kiln and kilnctl), or
/// $KILN_CREDENTIALS_FILE. A file whose permissions let others read it is refused with the
/// path and the reason, not used.
/// Keys are "<kind>:<location>", so two workspaces that name the same agent share its token.
/// Thread-safe (a mutex; every call reads or writes the file whole).
class CredentialStore final
{
public:
    /// The default file (see above).
    CredentialStore();
    explicit CredentialStore(QString filePath);

    QString filePath() const { return m_path; }
    static QString keyFor(const QString &kind, const QString &location);

    /// The secret, or an empty array when none is stored.
    Expected<QByteArray> secret(const QString &key) const;
    Status setSecret(const QString &key, const QByteArray &secret);
    Status removeSecret(const QString &key);

private:
    QString m_path;
};

} // namespace kiln
