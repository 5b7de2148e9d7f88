#pragma once

#include "archivename.h"
#include "plugin/importer.h"
#include "util/expected.h"

#include <QString>

#include <memory>
#include <vector>

struct archive;
struct archive_entry;

namespace kiln::Internal {

/// One pass over one archive with libarchive: checks every entry's path and links, streams
/// regular files to an ArchiveEntrySink in memory-sized chunks, and counts the expanded bytes
/// against ArchiveLimits. Owns the libarchive handle for the length of run(); lives on the
/// calling thread and is used once. Never writes to disk.
class ArchiveReader final
{
public:
    ArchiveReader(const QString &archivePath, ArchiveEntrySink &sink, const ArchiveLimits &limits);
    ~ArchiveReader();
    ArchiveReader(const ArchiveReader &) = delete;
    ArchiveReader &operator=(const ArchiveReader &) = delete;

    /// Streams all entries. The error names the entry and the reason, not the archive file
    /// (the caller prefixes it); a sink's own error is returned unchanged.
    Status run();

    /// How many bytes of entries were expanded, read or skipped: what the bomb limit counts.
    qint64 expandedBytes() const { return m_expanded; }

private:
    struct ArchiveFree
    {
        void operator()(struct archive *handle) const;
    };

    Status open();
    Status readEntries();
    Status acceptFormat(archive_entry *entry, QString *path);
    Status handleEntry(archive_entry *entry, const QString &rawPath);
    Status readData(const QString &path);
    Status skipData(const QString &path);
    Status countExpanded(const QString &path, qint64 bytes);
    QString libarchiveError() const;

    QString m_archivePath;
    ArchiveEntrySink &m_sink;
    ArchiveLimits m_limits;
    ArchiveName m_name;
    qint64 m_archiveSize = 0;
    qint64 m_expanded = 0;
    bool m_compressed = false; ///< a stream filter is on: skipping an entry still expands it
    std::unique_ptr<struct archive, ArchiveFree> m_archive;
    std::vector<char> m_buffer;
};

} // namespace kiln::Internal
