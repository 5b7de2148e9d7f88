#include "archivereader.h"

#include "util/entrypaths.h"

#include <QFile>
#include <QLocale>

#include <archive.h>
#include <archive_entry.h>

namespace kiln::Internal {

namespace {

// Big enough that libarchive's per-call overhead vanishes, small enough that memory stays
// flat however large an entry is.
constexpr size_t kChunkSize = 256 * 1024;
constexpr size_t kOpenBlockSize = 64 * 1024;

QString fromArchiveString(const char *utf8, const char *native)
{
    // The UTF-8 form is null when the stored name does not convert (an old zip in a legacy
    // code page); the raw bytes in the locale's encoding are then the best there is.
    if (utf8)
        return QString::fromUtf8(utf8);
    if (native)
        return QString::fromLocal8Bit(native);
    return {};
}

QString entryMessage(const QString &path, const QString &reason)
{
    return QStringLiteral("entry %1: %2").arg(path, reason);
}

QString grouped(qint64 number)
{
    // One fixed locale: messages are compared in tests and read in bug reports.
    return QLocale(QLocale::English).toString(number);
}

QString notAnArchive(const ArchiveName &name)
{
    // A name that promises a format makes damage the likelier story; otherwise say what is read.
    if (!name.suffix.isEmpty())
        return QStringLiteral("not a readable %1 file: it is damaged, or not what its name says").arg(name.suffix);
    return QStringLiteral("not an archive Kiln can read (zip, tar, or a file compressed with gzip, xz, "
                          "bzip2 or zstd)");
}

QString containerName(ArchiveName::Container container)
{
    return container == ArchiveName::Container::Zip ? QStringLiteral("zip") : QStringLiteral("tar");
}

const QString &linkInside()
{
    static const QString reason = QStringLiteral("link inside the archive, not followed");
    return reason;
}

} // namespace

void ArchiveReader::ArchiveFree::operator()(struct archive *handle) const
{
    archive_read_free(handle);
}

ArchiveReader::ArchiveReader(const QString &archivePath, ArchiveEntrySink &sink, const ArchiveLimits &limits)
    : m_archivePath(archivePath)
    , m_sink(sink)
    , m_limits(limits)
    , m_name(ArchiveName::fromFileName(archivePath))
{ }

ArchiveReader::~ArchiveReader() = default;

Status ArchiveReader::run()
{
    if (Status opened = open(); !opened)
        return opened;
    return readEntries();
}

Status ArchiveReader::open()
{
    QFile file(m_archivePath);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read the file: %1").arg(file.errorString())};
    m_archiveSize = file.size();
    file.close();
    if (m_archiveSize == 0)
        return Error {QStringLiteral("the file is empty, not an archive")};

    m_archive.reset(archive_read_new());
    if (!m_archive)
        return Error {QStringLiteral("libarchive could not start (out of memory?)")};
    struct archive *handle = m_archive.get();
    // Only the formats Kiln promises. Every other one libarchive knows (cpio, iso9660, rar,
    // mtree...) would be more parser exposed to hostile files, and mtree even claims plain text.
    archive_read_support_format_zip(handle);
    archive_read_support_format_tar(handle);
    // Turns a single compressed file into one entry; acceptFormat() refuses it without a filter,
    // or any file at all would be "an archive".
    archive_read_support_format_raw(handle);
    // Named filters rather than "all": uu, lzop, rpm and the like are not promised, and some
    // would run an external program.
    archive_read_support_filter_gzip(handle);
    archive_read_support_filter_xz(handle);
    archive_read_support_filter_bzip2(handle);
    archive_read_support_filter_zstd(handle);

#ifdef Q_OS_WIN
    const int opened = archive_read_open_filename_w(handle, reinterpret_cast<const wchar_t *>(m_archivePath.utf16()),
                                                    kOpenBlockSize);
#else
    const QByteArray nativePath = QFile::encodeName(m_archivePath);
    const int opened = archive_read_open_filename(handle, nativePath.constData(), kOpenBlockSize);
#endif
    // QFile could open it, so a failure here is libarchive choosing a decompressor: a damaged
    // compression header.
    if (opened != ARCHIVE_OK)
        return Error {QStringLiteral("the archive is damaged: %1").arg(libarchiveError())};
    // Filters are chosen on open; index 0 is the outermost one, "none" for a plain file.
    m_compressed = archive_filter_code(handle, 0) != ARCHIVE_FILTER_NONE;
    m_buffer.resize(kChunkSize);
    return {};
}

Status ArchiveReader::readEntries()
{
    struct archive *handle = m_archive.get();
    QString previous;
    for (bool first = true;; first = false) {
        archive_entry *entry = nullptr;
        const int result = archive_read_next_header(handle, &entry);
        if (result == ARCHIVE_EOF)
            return {};
        // A warning is about the entry's metadata (a name that does not convert to the
        // locale's charset); the entry itself is readable. RETRY means a damaged header.
        if (result != ARCHIVE_OK && result != ARCHIVE_WARN) {
            if (first && archive_format(handle) == 0)
                return Error {notAnArchive(m_name)};
            if (previous.isEmpty())
                return Error {QStringLiteral("the archive is damaged: %1").arg(libarchiveError())};
            return Error {QStringLiteral("the archive is damaged after entry %1: %2").arg(previous, libarchiveError())};
        }
        QString rawPath;
        if (first) {
            if (Status accepted = acceptFormat(entry, &rawPath); !accepted)
                return accepted;
        } else {
            rawPath = fromArchiveString(archive_entry_pathname_utf8(entry), archive_entry_pathname(entry));
        }
        if (Status handled = handleEntry(entry, rawPath); !handled)
            return handled;
        previous = rawPath;
    }
}

Status ArchiveReader::acceptFormat(archive_entry *entry, QString *rawPath)
{
    struct archive *handle = m_archive.get();
    if ((archive_format(handle) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_RAW) {
        *rawPath = fromArchiveString(archive_entry_pathname_utf8(entry), archive_entry_pathname(entry));
        return {};
    }
    if (!m_compressed)
        return Error {notAnArchive(m_name)};
    // Raw won the bidding over tar or zip: if the name promised one, the data is damaged or
    // misnamed, and passing the container's bytes on as one data file would hide that.
    if (m_name.container != ArchiveName::Container::None) {
        return Error {QStringLiteral("the compressed data is not a %1 archive: the file is damaged or misnamed")
                          .arg(containerName(m_name.container))};
    }
    // libarchive calls the single entry "data"; the file's name minus the compression suffix
    // says what it holds ("sales.csv.gz" holds "sales.csv").
    *rawPath = m_name.innerName;
    return {};
}

Status ArchiveReader::handleEntry(archive_entry *entry, const QString &rawPath)
{
    if (rawPath.isEmpty())
        return Error {QStringLiteral("an entry has no name, or one that cannot be decoded")};
    const Expected<QString> cleaned = EntryPaths::clean(rawPath);
    if (!cleaned)
        return Error {entryMessage(rawPath, cleaned.errorMessage())};
    const QString &path = *cleaned;
    const auto type = archive_entry_filetype(entry);
    if (path.isEmpty() && type != AE_IFDIR)
        return Error {entryMessage(rawPath, QStringLiteral("its path is empty"))};

    const QString hardLink = fromArchiveString(archive_entry_hardlink_utf8(entry), archive_entry_hardlink(entry));
    if (!hardLink.isEmpty()) {
        if (!EntryPaths::hardLinkStaysInside(hardLink))
            return Error {entryMessage(rawPath, QStringLiteral("hard link to %1 leaves the archive").arg(hardLink))};
        m_sink.skipped(path, linkInside());
        return skipData(path);
    }

    switch (type) {
    case AE_IFDIR:
        return skipData(path);
    case AE_IFLNK: {
        const QString target = fromArchiveString(archive_entry_symlink_utf8(entry), archive_entry_symlink(entry));
        if (!EntryPaths::symlinkStaysInside(path, target)) {
            return Error {entryMessage(rawPath, QStringLiteral("symbolic link to %1 leaves the archive").arg(target))};
        }
        m_sink.skipped(path, linkInside());
        return skipData(path);
    }
    case AE_IFREG:
    case 0: // formats that do not record a type store plain files
        break;
    default:
        m_sink.skipped(path, QStringLiteral("not a regular file"));
        return skipData(path);
    }

    if (archive_entry_is_data_encrypted(entry))
        return Error {entryMessage(path, QStringLiteral("it is encrypted, and Kiln does not read encrypted archives"))};
    const qint64 size = archive_entry_size_is_set(entry) ? qint64(archive_entry_size(entry)) : -1;
    if (m_sink.beginEntry(path, size) == ArchiveEntrySink::Action::Skip)
        return skipData(path);
    return readData(path);
}

Status ArchiveReader::readData(const QString &path)
{
    for (;;) {
        const la_ssize_t read = archive_read_data(m_archive.get(), m_buffer.data(), m_buffer.size());
        if (read == 0)
            return m_sink.endEntry();
        if (read < 0)
            return Error {entryMessage(path, libarchiveError())};
        if (Status counted = countExpanded(path, read); !counted)
            return counted;
        if (Status taken = m_sink.entryData(m_buffer.data(), qsizetype(read)); !taken)
            return taken;
    }
}

Status ArchiveReader::skipData(const QString &path)
{
    if (!m_compressed) {
        // Zip and plain tar seek past the entry: nothing is expanded.
        if (archive_read_data_skip(m_archive.get()) != ARCHIVE_OK)
            return Error {entryMessage(path, libarchiveError())};
        return {};
    }
    // Behind a compression filter, skipping still decompresses every byte: count them, or a
    // bomb in an entry nobody reads would burn CPU unchecked.
    for (;;) {
        const la_ssize_t read = archive_read_data(m_archive.get(), m_buffer.data(), m_buffer.size());
        if (read == 0)
            return {};
        if (read < 0)
            return Error {entryMessage(path, libarchiveError())};
        if (Status counted = countExpanded(path, read); !counted)
            return counted;
    }
}

Status ArchiveReader::countExpanded(const QString &path, qint64 bytes)
{
    m_expanded += bytes;
    if (m_expanded <= m_limits.ratioFloorBytes
        || double(m_expanded) <= m_limits.maxExpansionRatio * double(m_archiveSize)) {
        return {};
    }
    return Error {entryMessage(
        path,
        QStringLiteral("the archive expands to more than %1× its size (%2 bytes from %3): "
                       "refused as a possible zip bomb")
            .arg(QString::number(m_limits.maxExpansionRatio), grouped(m_expanded), grouped(m_archiveSize)))};
}

QString ArchiveReader::libarchiveError() const
{
    const char *text = m_archive ? archive_error_string(m_archive.get()) : nullptr;
    return text ? QString::fromLocal8Bit(text) : QStringLiteral("unknown libarchive error");
}

} // namespace kiln::Internal
