// CredentialStore: one small JSON file, {"format": "kiln-credentials", "formatVersion": 1,
// "secrets": {"<kind>:<location>": "<secret>" | {"base64": "..."}}}, mode 0600. Every call
// reads the file whole (and a change writes it whole), under a process-wide mutex and a lock
// file beside it, so two threads or two processes never lose each other's changes.
#include "deploy/credentialstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QMutex>
#include <QSaveFile>
#include <QStandardPaths>
#include <QStringDecoder>

#include <cerrno>
#include <cstring>
#include <functional>

#include <sys/stat.h>
#include <unistd.h>

namespace kiln {

namespace {

constexpr int kFormatVersion = 1;
constexpr int kLockTimeoutMs = 10000;
const QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

QMutex &storeMutex()
{
    static QMutex mutex;
    return mutex;
}

QString defaultPath()
{
    const QByteArray overridden = qgetenv("KILN_CREDENTIALS_FILE");
    if (!overridden.isEmpty())
        return QString::fromLocal8Bit(overridden);
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
        + QStringLiteral("/kiln/credentials.json");
}

/// Refuses a file others may read or write, or that another user owns.
Status checkPrivate(const QString &path)
{
    struct stat info
    { };
    const QByteArray native = QFile::encodeName(path);
    if (::stat(native.constData(), &info) != 0)
        return Error {QStringLiteral("cannot read the credentials file %1: %2")
                          .arg(path, QString::fromLocal8Bit(strerror(errno)))};
    if (!S_ISREG(info.st_mode))
        return Error {QStringLiteral("the credentials file %1 is not a regular file").arg(path)};
    if (info.st_uid != ::getuid())
        return Error {QStringLiteral("the credentials file %1 belongs to another user (uid %2): refused")
                          .arg(path)
                          .arg(info.st_uid)};
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return Error {QStringLiteral("the credentials file %1 is readable or writable by others (mode %2): refused; "
                                     "run 'chmod 600 %1' if it is yours")
                          .arg(path, QString::number(info.st_mode & 0777, 8).rightJustified(4, QLatin1Char('0')))};
    return Status::success();
}

Expected<QJsonObject> readSecrets(const QString &path)
{
    if (!QFileInfo::exists(path))
        return QJsonObject {};
    if (Status safe = checkPrivate(path); !safe)
        return safe.error();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read the credentials file %1: %2").arg(path, file.errorString())};
    const QByteArray bytes = file.readAll();
    if (bytes.trimmed().isEmpty())
        return QJsonObject {};
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return Error {QStringLiteral("the credentials file %1 is not valid JSON (%2 at offset %3)")
                          .arg(path, doc.isObject() ? parseError.errorString() : QStringLiteral("not an object"))
                          .arg(parseError.offset)};
    const QJsonObject root = doc.object();
    if (root.value(QLatin1String("format")).toString() != QLatin1String("kiln-credentials")
        || root.value(QLatin1String("formatVersion")).toInt() != kFormatVersion)
        return Error {QStringLiteral("the credentials file %1 is not a Kiln credentials file (format version %2)")
                          .arg(path, QString::number(kFormatVersion))};
    return root.value(QLatin1String("secrets")).toObject();
}

/// Creates missing folders of `folder` with mode 0700 (existing ones are left as they are).
Status makePrivateFolder(const QString &folder)
{
    QDir dir(folder);
    if (dir.exists())
        return Status::success();
    if (Status parent = makePrivateFolder(QFileInfo(dir.absolutePath()).path()); !parent)
        return parent;
    if (!QDir().mkdir(dir.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)
        && !dir.exists())
        return Error {QStringLiteral("cannot create the folder %1 for the credentials file").arg(dir.absolutePath())};
    return Status::success();
}

Status writeSecrets(const QString &path, const QJsonObject &secrets)
{
    if (Status folder = makePrivateFolder(QFileInfo(path).absolutePath()); !folder)
        return folder;
    const QJsonObject root {{QStringLiteral("format"), QStringLiteral("kiln-credentials")},
                            {QStringLiteral("formatVersion"), kFormatVersion},
                            {QStringLiteral("secrets"), secrets}};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error {QStringLiteral("cannot write the credentials file %1: %2").arg(path, file.errorString())};
    // Restricted before a single byte of a secret is written.
    if (!file.setPermissions(kOwnerOnly))
        return Error {QStringLiteral("cannot make the credentials file %1 private").arg(path)};
    file.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Error {QStringLiteral("cannot write the credentials file %1: %2").arg(path, file.errorString())};
    if (!QFile::setPermissions(path, kOwnerOnly))
        return Error {QStringLiteral("cannot make the credentials file %1 private").arg(path)};
    return Status::success();
}

QJsonValue secretToJson(const QByteArray &secret)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder(secret);
    if (!decoder.hasError())
        return text;
    return QJsonObject {{QStringLiteral("base64"), QString::fromLatin1(secret.toBase64())}};
}

QByteArray secretFromJson(const QJsonValue &value)
{
    if (value.isObject())
        return QByteArray::fromBase64(value.toObject().value(QLatin1String("base64")).toString().toLatin1());
    return value.toString().toUtf8();
}

/// The lock file that orders changes of two processes.
Status lockFor(QLockFile &lock, const QString &path)
{
    if (Status folder = makePrivateFolder(QFileInfo(path).absolutePath()); !folder)
        return folder;
    if (!lock.tryLock(kLockTimeoutMs))
        return Error {
            QStringLiteral("the credentials file %1 is locked by another process (%2)").arg(path, lock.fileName())};
    return Status::success();
}

/// Under the lock file: reads the secrets, lets `change` edit them and writes them back when
/// it says it changed something.
Status changeSecrets(const QString &path, const std::function<bool(QJsonObject &)> &change)
{
    QLockFile lock(path + QStringLiteral(".lock"));
    if (Status locked = lockFor(lock, path); !locked)
        return locked;
    auto secrets = readSecrets(path);
    if (!secrets)
        return secrets.error();
    if (!change(*secrets))
        return Status::success();
    return writeSecrets(path, *secrets);
}

} // namespace

CredentialStore::CredentialStore()
    : m_path(defaultPath())
{ }

CredentialStore::CredentialStore(QString filePath)
    : m_path(std::move(filePath))
{ }

QString CredentialStore::keyFor(const QString &kind, const QString &location)
{
    QString where = location.trimmed();
    while (where.size() > 1 && where.endsWith(QLatin1Char('/')))
        where.chop(1);
    return kind + QLatin1Char(':') + where;
}

Expected<QByteArray> CredentialStore::secret(const QString &key) const
{
    QMutexLocker locker(&storeMutex());
    auto secrets = readSecrets(m_path);
    if (!secrets)
        return secrets.error();
    return secretFromJson(secrets->value(key));
}

Status CredentialStore::setSecret(const QString &key, const QByteArray &secret)
{
    if (key.isEmpty())
        return Error {QStringLiteral("a credential needs a key")};
    QMutexLocker locker(&storeMutex());
    return changeSecrets(m_path, [&](QJsonObject &secrets) {
        secrets.insert(key, secretToJson(secret));
        return true;
    });
}

Status CredentialStore::removeSecret(const QString &key)
{
    QMutexLocker locker(&storeMutex());
    if (!QFileInfo::exists(m_path))
        return Status::success();
    return changeSecrets(m_path, [&](QJsonObject &secrets) {
        if (!secrets.contains(key))
            return false;
        secrets.remove(key);
        return true;
    });
}

} // namespace kiln
