#include "workspace/workspace.h"

#include "workspace/schema.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace kiln {
namespace {
const QLatin1String kDatabaseFile("kiln.db");
}

Workspace::Workspace(QString root, std::unique_ptr<Database> db, int schemaVersion)
    : m_location(root)
    , m_root(std::move(root))
    , m_blobs(m_root)
    , m_db(std::move(db))
    , m_schemaVersion(schemaVersion)
{ }

Workspace::~Workspace() = default;

QString Workspace::defaultFolder()
{
    const QString fromEnv = qEnvironmentVariable("KILN_WORKSPACE");
    if (!fromEnv.isEmpty())
        return QDir::cleanPath(QDir::current().absoluteFilePath(fromEnv));
    QString data = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (data.isEmpty())
        data = QDir::homePath() + QLatin1String("/.local/share");
    return data + QLatin1String("/kiln/default-workspace");
}

bool Workspace::isStoreUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
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
    return QFileInfo(m_root).fileName();
}

QString Workspace::databasePath() const
{
    return QDir(m_root).filePath(kDatabaseFile);
}

Expected<std::unique_ptr<Workspace>> Workspace::open(const QString &folder, OpenMode mode)
{
    if (folder.isEmpty())
        return Error {QStringLiteral("no workspace folder given")};
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
    for (const char *sub : {"blobs", "tmp"}) {
        if (!QDir().mkpath(root + QLatin1Char('/') + QLatin1String(sub)))
            return Error {QStringLiteral("cannot create %1/%2").arg(root, QLatin1String(sub))};
    }
    auto db = Database::open(QDir(root).filePath(kDatabaseFile));
    if (!db)
        return db.error();
    auto version = Internal::migrate(**db);
    if (!version)
        return Error {QStringLiteral("cannot open workspace %1: %2").arg(root, version.errorMessage())};
    {
        auto stmt = (*db)->prepare("INSERT OR IGNORE INTO workspace_info(key, value) VALUES('created_at', ?)");
        if (stmt)
            stmt->bind(1, storedNow()).exec();
    }
    std::unique_ptr<Workspace> ws(new Workspace(root, std::move(db).value(), *version));
    ws->m_blobs.removeStaleTempFiles();
    return ws;
}

Expected<std::unique_ptr<Database>> Workspace::openConnection() const
{
    return Database::open(databasePath());
}

} // namespace kiln
