#pragma once

#include "storage/database.h"
#include "util/expected.h"
#include "workspace/blobstore.h"

#include <QString>

#include <memory>

namespace kiln {

/// A workspace lives at a location, one of two kinds with the same schema and features:
/// - a folder: `kiln.db` (SQLite, WAL, versioned schema) plus a content-addressed BlobStore;
/// - a team store, "postgresql://[user@]host[:port]/dbname[?blobs=/shared/folder]": a
///   PostgreSQL database (password from the URL, the keychain, or ~/.pgpass) whose blobs live
///   in a folder every machine mounts (its path is recorded in the store when it is created;
///   `?blobs=` or $KILN_BLOB_FOLDER says where this machine mounts it).
/// The Workspace object and its db() connection belong to the thread that opened it; other
/// threads open their own with Workspace::open(location()) or openConnection().
class Workspace final
{
public:
    enum class OpenMode { OpenExisting, CreateIfMissing };

    ~Workspace();
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;

    /// Opens (and migrates) the workspace in `folder`; with CreateIfMissing an empty or
    /// missing folder becomes a new workspace.
    static Expected<std::unique_ptr<Workspace>> open(const QString &folder, OpenMode mode = OpenMode::CreateIfMissing);
    /// The default workspace in the user's data folder; $KILN_WORKSPACE overrides it.
    static QString defaultFolder();
    static bool isWorkspace(const QString &folder);
    /// Whether `location` names a team store (postgresql:// or postgres://) rather than a folder.
    static bool isStoreUrl(const QString &location);
    static int currentSchemaVersion();

    /// What open() takes to reach this workspace again, from any thread or process: the
    /// folder, or the store URL (as given, with its ?blobs= if any, without its password: this
    /// process keeps that for its own connections, others find it in the keychain or ~/.pgpass).
    QString location() const { return m_location; }
    bool isTeamStore() const { return m_location != m_root; }
    /// The folder holding blobs/, tmp/ and run folders: the workspace folder, or a team
    /// store's blob folder.
    QString root() const { return m_root; }
    QString name() const;
    /// What Database::open() takes: the kiln.db path, or the store URL.
    QString databasePath() const;
    BlobStore &blobs() { return m_blobs; }
    const BlobStore &blobs() const { return m_blobs; }
    Database &db() { return *m_db; }
    int schemaVersion() const { return m_schemaVersion; }

    /// A new connection to the same database, for a worker thread.
    Expected<std::unique_ptr<Database>> openConnection() const;

private:
    Workspace(QString location, QString root, std::unique_ptr<Database> db, int schemaVersion);
    static Expected<std::unique_ptr<Workspace>> openStore(const QString &url, OpenMode mode);
    /// Creates blobs/ and tmp/ under `root`.
    static Status makeFolders(const QString &root);

    QString m_location;
    QString m_root;
    BlobStore m_blobs;
    std::unique_ptr<Database> m_db;
    int m_schemaVersion = 0;
};

} // namespace kiln
