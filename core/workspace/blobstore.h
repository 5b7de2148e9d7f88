#pragma once

#include "util/expected.h"
#include "util/sha256.h"

#include <QFile>
#include <QString>

#include <memory>

namespace kiln {

/// Content-addressed store of immutable files, named by their SHA-256 (hex) under
/// `<workspace>/blobs/ab/cdef...`. Thread-safe: writers stage in `<workspace>/tmp` and
/// publish with an atomic rename, so readers never see a partial blob.
class BlobStore final
{
public:
    explicit BlobStore(QString root);

    QString root() const { return m_root; }
    QString tempDir() const;
    QString pathFor(const QString &sha256) const;
    bool contains(const QString &sha256) const;

    /// Stores a whole file (hashing while copying); returns its SHA-256.
    Expected<QString> addFile(const QString &sourcePath);

    /// Removes staging files older than a day, left by a process that died mid-import.
    void removeStaleTempFiles() const;

    class Writer;
    /// Starts a streaming write; nothing is visible until Writer::commit().
    Expected<std::unique_ptr<Writer>> beginWrite() const;

private:
    QString m_root;
};

/// Streams bytes into a staging file while hashing them. Destroying it without commit()
/// discards the staged bytes.
class BlobStore::Writer final
{
public:
    ~Writer();
    Writer(const Writer &) = delete;
    Writer &operator=(const Writer &) = delete;

    Status write(const char *data, qint64 size);
    qint64 size() const { return m_size; }
    /// Ends writing and returns the hash; the bytes stay staged, invisible to readers.
    Expected<QString> finish();
    /// Moves the staged bytes under their hash (dropping them when that blob already exists).
    /// Publish just before the database commit that references the blob.
    Status publish();
    /// finish() then publish().
    Expected<QString> commit();

private:
    friend class BlobStore;
    Writer(const BlobStore *store, std::unique_ptr<QFile> file);

    const BlobStore *m_store;
    std::unique_ptr<QFile> m_file;
    Sha256 m_hash;
    qint64 m_size = 0;
    QString m_sha;
    bool m_published = false;
};

} // namespace kiln
