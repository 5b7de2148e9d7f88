#pragma once

// What bundle.cpp (export, import) and bundlereader.cpp (reading and verifying) share: the
// names of a bundle's entries, libarchive handles and the reader every bundle is opened with.
// Not part of Kiln's API.

#include "registry/bundle.h"

#include <QFileInfo>
#include <QString>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace kiln::Internal {

constexpr qint64 kBundleChunkSize = 256 * 1024; ///< bytes read or written at a time

inline const QString &bundleFormatName()
{
    static const QString name = QStringLiteral("kiln-bundle");
    return name;
}

inline QString manifestEntry()
{
    return QString::fromLatin1(bundle::kManifestName);
}

inline QString modelEntry(const QString &format)
{
    return QStringLiteral("model/model.") + format;
}

inline QString encodingEntry()
{
    return QStringLiteral("model/feature_encoding.json");
}

inline QString cardEntry()
{
    return QStringLiteral("card.md");
}

inline bool canceled(const Feedback *feedback)
{
    return feedback && feedback->isCanceled();
}

inline void reportProgress(Feedback *feedback, double fraction)
{
    if (feedback)
        feedback->setProgress(fraction);
}

/// An error about the bundle at `path`: "bundle churn-v3.kiln.tar.gz: <reason>".
inline Error inBundle(const QString &path, const QString &reason)
{
    return Error {QStringLiteral("bundle %1: %2").arg(QFileInfo(path).fileName(), reason)};
}

struct ArchiveReadFree
{
    void operator()(struct archive *handle) const { archive_read_free(handle); }
};
struct ArchiveWriteFree
{
    void operator()(struct archive *handle) const { archive_write_free(handle); }
};
struct ArchiveEntryFree
{
    void operator()(archive_entry *entry) const { archive_entry_free(entry); }
};
using ArchiveReadHandle = std::unique_ptr<struct archive, ArchiveReadFree>;
using ArchiveWriteHandle = std::unique_ptr<struct archive, ArchiveWriteFree>;
using ArchiveEntryHandle = std::unique_ptr<archive_entry, ArchiveEntryFree>;

/// libarchive's last error on `handle`, or a generic text when it has none.
inline QString libarchiveError(struct archive *handle)
{
    const char *text = handle ? archive_error_string(handle) : nullptr;
    return text ? QString::fromLocal8Bit(text) : QStringLiteral("unknown libarchive error");
}

/// The entry's path as stored (UTF-8 when the archive says so, else the local encoding).
inline QString entryPath(archive_entry *entry)
{
    if (const char *utf8 = archive_entry_pathname_utf8(entry))
        return QString::fromUtf8(utf8);
    const char *native = archive_entry_pathname(entry);
    return native ? QString::fromLocal8Bit(native) : QString();
}

/// A reader that accepts exactly what Kiln writes: gzip around tar. No other filter or format
/// is offered to a file that may come from anywhere. libarchive picks the filter and the
/// format on open, so a file that is neither fails here.
Expected<ArchiveReadHandle> openBundleReader(const QString &path, size_t blockSize);

} // namespace kiln::Internal
