#include "workspace/workspace.h"

#include "workspace/schema.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>

namespace kiln {
namespace {
const QLatin1String kDatabaseFile("kiln.db");
}

Workspace::Workspace(QString location, QString root, std::unique_ptr<Database> db, int schemaVersion)
    : m_location(std::move(location))
    , m_root(std::move(root))
    , m_blobs(m_root)
    , m_db(std::move(db))
    , m_schemaVersion(schemaVersion)
{ }

Workspace::~Workspace() = default;

QString Workspace::defaultFolder()
{
    QString fromEnv = qEnvironmentVariable("KILN_WORKSPACE");
    if (isStoreUrl(fromEnv))
        return fromEnv;
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(QDir::current().absoluteFilePath(fromEnv));
    QString data = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (data.isEmpty())
        data = QDir::homePath() + QLatin1String("/.local/share");
    return data + QLatin1String("/kiln/default-workspace");
}

bool Workspace::isStoreUrl(const QString &location)
{
    return Database::isPostgresUrl(location);
}

bool Workspace::isWorkspace(const QString &folder)
{
    return QFileInfo(QDir(folder).filePath(kDatabaseFile)).isFile();
}

int Workspace::currentSchemaVersion()
{
    return Internal::latestSchemaVersion();
}

QString Workspace::name() const
{
    if (isTeamStore()) {
        const QUrl url(m_location);
        return QStringLiteral("%1 on %2").arg(url.path().mid(1), url.host());
    }
    return QFileInfo(m_root).fileName();
}

QString Workspace::databasePath() const
{
    return isTeamStore() ? m_location : QDir(m_root).filePath(kDatabaseFile);
}

Expected<std::unique_ptr<Workspace>> Workspace::open(const QString &folder, OpenMode mode)
{
    if (folder.isEmpty())
        return Error {QStringLiteral("no workspace folder given")};
    if (isStoreUrl(folder))
        return openStore(folder, mode);
    const QString root = QDir::cleanPath(QDir::current().absoluteFilePath(folder));
    const QFileInfo info(root);
    if (info.exists() && !info.isDir())
        return Error {QStringLiteral("%1 is a file, not a workspace folder").arg(root)};
    if (!isWorkspace(root)) {
        if (mode == OpenMode::OpenExisting)
            return Error {QStringLiteral("%1 is not a Kiln workspace (it has no %2)").arg(root, kDatabaseFile)};
        if (info.exists() && !QDir(root).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
            return Error {QStringLiteral("%1 is not empty and not a Kiln workspace: choose an empty folder").arg(root)};
        if (!QDir().mkpath(root))
            return Error {QStringLiteral("cannot create workspace folder %1").arg(root)};
    }
    if (Status s = makeFolders(root); !s)
        return s.error();
    auto db = Database::open(QDir(root).filePath(kDatabaseFile));
    if (!db)
        return db.error();
    auto version = Internal::migrate(**db);
    if (!version)
        return Error {QStringLiteral("cannot open workspace %1: %2").arg(root, version.errorMessage())};
    {
        auto stmt
            = (*db)->prepare("INSERT INTO workspace_info(key, value) VALUES('created_at', ?) ON CONFLICT DO NOTHING");
        if (stmt)
            stmt->bind(1, storedNow()).exec();
    }
    std::unique_ptr<Workspace> ws(new Workspace(root, root, std::move(db).value(), *version));
    ws->m_blobs.removeStaleTempFiles();
    return ws;
}

Status Workspace::makeFolders(const QString &root)
{
    for (const char *sub : {"blobs", "tmp"}) {
        if (!QDir().mkpath(root + QLatin1Char('/') + QLatin1String(sub)))
            return Error {QStringLiteral("cannot create %1/%2").arg(root, QLatin1String(sub))};
    }
    return {};
}

Expected<std::unique_ptr<Workspace>> Workspace::openStore(const QString &url, OpenMode mode)
{
    const QString shown = Database::displayUrl(url);
    auto db = Database::open(url);
    if (!db)
        return db.error();
    Database &store = **db;
    // A Kiln store already, or an empty database that may become one (never one with tables
    // of its own).
    auto probe = store.prepare("SELECT to_regclass('kiln_schema') IS NOT NULL, "
                               "(SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema())");
    if (!probe)
        return probe.error();
    if (!probe->next())
        return Error {QStringLiteral("cannot open team store %1: %2").arg(shown, store.lastError())};
    const bool isKiln = probe->int64(0) != 0;
    const bool hasTables = probe->int64(1) != 0;
    probe = Statement();
    if (!isKiln && mode == OpenMode::OpenExisting)
        return Error {QStringLiteral("%1 is not a Kiln team store yet (kilnctl --workspace %1 workspace init "
                                     "--blobs DIR makes it one)")
                          .arg(shown)};
    if (!isKiln && hasTables)
        return Error {QStringLiteral("%1 has tables of its own and is not a Kiln team store: give Kiln an empty "
                                     "database")
                          .arg(shown)};

    // The blob folder: this machine's mount (?blobs=, $KILN_BLOB_FOLDER), else the one recorded
    // when the store was made; a new store records the first it is given. Checked before the
    // schema is made, so a store that cannot be used is left as it was.
    QString blobs = QUrlQuery(QUrl(url)).queryItemValue(QStringLiteral("blobs"), QUrl::FullyDecoded);
    if (blobs.isEmpty())
        blobs = qEnvironmentVariable("KILN_BLOB_FOLDER");
    if (blobs.isEmpty() && isKiln) {
        if (auto stmt = store.prepare("SELECT value FROM workspace_info WHERE key = 'blob_folder'");
            stmt && stmt->next())
            blobs = stmt->text(0);
    }
    if (blobs.isEmpty())
        return Error {QStringLiteral("team store %1 has no blob folder: give one shared by every machine (?blobs=DIR "
                                     "in the URL, --blobs DIR, or $KILN_BLOB_FOLDER)")
                          .arg(shown)};
    blobs = QDir::cleanPath(QDir::current().absoluteFilePath(blobs));
    if (Status s = makeFolders(blobs); !s)
        return Error {QStringLiteral("cannot use the blob folder of team store %1: %2").arg(shown, s.errorMessage())};

    auto version = Internal::migrate(store);
    if (!version)
        return Error {QStringLiteral("cannot open team store %1: %2").arg(shown, version.errorMessage())};
    for (const auto &[key, value] :
         {std::pair {QStringLiteral("created_at"), storedNow()}, std::pair {QStringLiteral("blob_folder"), blobs}}) {
        auto stmt = store.prepare("INSERT INTO workspace_info(key, value) VALUES(?, ?) ON CONFLICT DO NOTHING");
        if (!stmt)
            return stmt.error();
        if (Status s = stmt->bind(1, key).bind(2, value).exec(); !s)
            return Error {QStringLiteral("cannot open team store %1: %2").arg(shown, s.errorMessage())};
    }
    // The location never carries the password: this process keeps it for its other
    // connections; other processes find it where this one could have (keychain, ~/.pgpass).
    const QUrl parsed(url);
    if (!parsed.password().isEmpty())
        Database::keepPasswordForSession(url);
    const QString location = parsed.adjusted(QUrl::RemovePassword).toString();
    std::unique_ptr<Workspace> ws(new Workspace(location, blobs, std::move(db).value(), *version));
    ws->m_blobs.removeStaleTempFiles();
    return ws;
}

Expected<std::unique_ptr<Database>> Workspace::openConnection() const
{
    return Database::open(databasePath());
}

} // namespace kiln
