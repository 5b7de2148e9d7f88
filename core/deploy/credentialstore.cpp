// CredentialStore, two backends chosen at construction.
// The file: one small JSON file, {"format": "kiln-credentials", "formatVersion": 1,
// "secrets": {"<kind>:<location>": "<secret>" | {"base64": "..."}}}, mode 0600. Every call
// reads the file whole (and a change writes it whole), under a process-wide mutex and a lock
// file beside it, so two threads or two processes never lose each other's changes.
// The keychain: the freedesktop Secret Service through libsecret's *_sync calls, which run their
// own GLib main context, so they work on any thread without an event loop.
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
#include <memory>

#include <sys/stat.h>
#include <unistd.h>

#include <libsecret/secret.h>

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

QString overriddenPath()
{
    return QString::fromLocal8Bit(qgetenv("KILN_CREDENTIALS_FILE"));
}

QString defaultPath()
{
    QString overridden = overriddenPath();
    if (!overridden.isEmpty())
        return overridden;
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

// --- The keychain ---------------------------------------------------------------------------

constexpr int kProbeTimeoutMs = 3000;
constexpr const char *kKeyAttribute = "key";
constexpr const char *kEncodingAttribute = "encoding";
constexpr const char *kEncodingUtf8 = "utf-8";
constexpr const char *kEncodingBase64 = "base64";

const SecretSchema *keychainSchema()
{
    static const SecretSchema schema = [] {
        SecretSchema made {};
        made.name = "org.kiln.DeployTarget";
        made.flags = SECRET_SCHEMA_NONE;
        made.attributes[0] = {kKeyAttribute, SECRET_SCHEMA_ATTRIBUTE_STRING};
        made.attributes[1] = {kEncodingAttribute, SECRET_SCHEMA_ATTRIBUTE_STRING};
        return made;
    }();
    return &schema;
}

struct GObjectDeleter
{
    void operator()(gpointer object) const { g_object_unref(object); }
};
struct GHashTableDeleter
{
    void operator()(GHashTable *table) const { g_hash_table_unref(table); }
};
struct SecretValueDeleter
{
    void operator()(SecretValue *value) const { secret_value_unref(value); }
};
struct GListOfObjectsDeleter
{
    void operator()(GList *list) const { g_list_free_full(list, g_object_unref); }
};
using AttributesPtr = std::unique_ptr<GHashTable, GHashTableDeleter>;

/// Takes ownership of a GError a libsecret or GIO call set.
class GErrorSlot
{
public:
    GError **out() { return &m_raw; }
    QString message() const { return m_raw ? QString::fromUtf8(m_raw->message) : QStringLiteral("unknown error"); }
    bool isSet() const { return m_raw != nullptr; }
    ~GErrorSlot()
    {
        if (m_raw)
            g_error_free(m_raw);
    }
    GErrorSlot() = default;
    GErrorSlot(const GErrorSlot &) = delete;
    GErrorSlot &operator=(const GErrorSlot &) = delete;

private:
    GError *m_raw = nullptr;
};

AttributesPtr keychainAttributes(const QString &key, const char *encoding = nullptr)
{
    AttributesPtr attributes(g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free));
    g_hash_table_insert(attributes.get(), g_strdup(kKeyAttribute), g_strdup(key.toUtf8().constData()));
    if (encoding)
        g_hash_table_insert(attributes.get(), g_strdup(kEncodingAttribute), g_strdup(encoding));
    return attributes;
}

Error keychainError(const QString &what, const QString &key, const QString &reason)
{
    return Error {QStringLiteral("the keychain (Secret Service on the session bus) could not %1 the secret for %2: %3")
                      .arg(what, key, reason)};
}

/// Whether org.freedesktop.secrets answers a Ping on the session bus within kProbeTimeoutMs
/// (which also starts a D-Bus activatable keychain). The bus address is checked first, so a
/// process without a session bus never waits.
bool secretServiceAnswers()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return false;
    GErrorSlot error;
    std::unique_ptr<GDBusConnection, GObjectDeleter> bus(g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, error.out()));
    if (!bus)
        return false;
    // The shared session connection (libsecret uses it too) would otherwise end the whole
    // process with SIGTERM when the bus goes away.
    g_dbus_connection_set_exit_on_close(bus.get(), FALSE);
    GVariant *reply = g_dbus_connection_call_sync(bus.get(), "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                                  "org.freedesktop.DBus.Peer", "Ping", nullptr, nullptr,
                                                  G_DBUS_CALL_FLAGS_NONE, kProbeTimeoutMs, nullptr, error.out());
    if (!reply)
        return false;
    g_variant_unref(reply);
    return true;
}

/// libsecret passes a password as NUL-terminated UTF-8 text.
bool needsBase64(const QByteArray &secret)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder.decode(secret);
    return decoder.hasError() || text.contains(QChar());
}

Expected<QByteArray> keychainSecret(const QString &key)
{
    GErrorSlot error;
    const AttributesPtr attributes = keychainAttributes(key);
    std::unique_ptr<GList, GListOfObjectsDeleter> items(secret_service_search_sync(
        nullptr, keychainSchema(), attributes.get(),
        static_cast<SecretSearchFlags>(SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS), nullptr, error.out()));
    if (error.isSet())
        return keychainError(QStringLiteral("read"), key, error.message());
    if (!items)
        return QByteArray();
    auto *item = static_cast<SecretItem *>(items->data);
    std::unique_ptr<SecretValue, SecretValueDeleter> value(secret_item_get_secret(item));
    if (!value)
        return keychainError(QStringLiteral("read"), key, QStringLiteral("the item is locked"));
    gsize length = 0;
    const gchar *bytes = secret_value_get(value.get(), &length);
    QByteArray secret(bytes, qsizetype(length));
    const AttributesPtr stored(secret_item_get_attributes(item));
    const auto *encoding = static_cast<const char *>(g_hash_table_lookup(stored.get(), kEncodingAttribute));
    if (encoding && qstrcmp(encoding, kEncodingBase64) == 0)
        secret = QByteArray::fromBase64(secret);
    return secret;
}

Status storeKeychainSecret(const QString &key, const QByteArray &secret)
{
    const bool binary = needsBase64(secret);
    const char *encoding = binary ? kEncodingBase64 : kEncodingUtf8;
    const QByteArray text = binary ? secret.toBase64() : secret;
    const QByteArray label = QStringLiteral("Kiln target %1").arg(key).toUtf8();
    GErrorSlot error;
    // Stored first (replacing the item with the same attributes), then the item of the other
    // encoding is removed: there is never a moment without the secret.
    const AttributesPtr attributes = keychainAttributes(key, encoding);
    if (!secret_password_storev_sync(keychainSchema(), attributes.get(), SECRET_COLLECTION_DEFAULT, label.constData(),
                                     text.constData(), nullptr, error.out()))
        return keychainError(QStringLiteral("store"), key, error.message());
    const AttributesPtr other = keychainAttributes(key, binary ? kEncodingUtf8 : kEncodingBase64);
    secret_password_clearv_sync(keychainSchema(), other.get(), nullptr, error.out());
    if (error.isSet())
        return keychainError(QStringLiteral("replace"), key, error.message());
    return Status::success();
}

Status removeKeychainSecret(const QString &key)
{
    GErrorSlot error;
    const AttributesPtr attributes = keychainAttributes(key);
    secret_password_clearv_sync(keychainSchema(), attributes.get(), nullptr, error.out());
    if (error.isSet())
        return keychainError(QStringLiteral("remove"), key, error.message());
    return Status::success();
}

} // namespace

CredentialStore::CredentialStore()
    : m_path(defaultPath())
{
    if (overriddenPath().isEmpty() && secretServiceAnswers())
        m_backend = Backend::Keychain;
}

CredentialStore::CredentialStore(QString filePath)
    : m_path(std::move(filePath))
{ }

QString CredentialStore::backendName() const
{
    return m_backend == Backend::Keychain ? QStringLiteral("keychain") : QStringLiteral("file: %1").arg(m_path);
}

bool CredentialStore::keychainAvailable()
{
    return secretServiceAnswers();
}

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
    if (m_backend == Backend::Keychain)
        return keychainSecret(key);
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
    if (m_backend == Backend::Keychain)
        return storeKeychainSecret(key, secret);
    return changeSecrets(m_path, [&](QJsonObject &secrets) {
        secrets.insert(key, secretToJson(secret));
        return true;
    });
}

Status CredentialStore::removeSecret(const QString &key)
{
    QMutexLocker locker(&storeMutex());
    if (m_backend == Backend::Keychain)
        return removeKeychainSecret(key);
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
