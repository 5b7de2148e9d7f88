#pragma once

#include "storage/database.h"
#include "util/expected.h"
#include "workspace/blobstore.h"

#include <QString>

#include <memory>

namespace kiln {

/// A workspace is a folder: `kiln.db` (SQLite, WAL, versioned schema) plus a
/// content-addressed BlobStore. The Workspace object and its db() connection belong to
/// the thread that opened it; other threads call openConnection() for their own.
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
    static int currentSchemaVersion();

    QString root() const { return m_root; }
    QString name() const;
    QString databasePath() const;
    BlobStore &blobs() { return m_blobs; }
    const BlobStore &blobs() const { return m_blobs; }
    Database &db() { return *m_db; }
    int schemaVersion() const { return m_schemaVersion; }

    /// A new connection to the same database, for a worker thread.
    Expected<std::unique_ptr<Database>> openConnection() const;

private:
    Workspace(QString root, std::unique_ptr<Database> db, int schemaVersion);

    QString m_root;
    BlobStore m_blobs;
    std::unique_ptr<Database> m_db;
    int m_schemaVersion = 0;
};

} // namespace kiln
