#pragma once

#include <QByteArrayView>
#include <QString>

namespace kiln::Internal {

/// What an archive's file name and first bytes say about how it is packed: the container
/// (zip, tar, or none for a single compressed file) and the compression. Used to probe files
/// cheaply and, once libarchive has looked inside, to name a single compressed file's entry
/// and to tell a damaged .tar.gz from a compressed data file. A plain value; any thread.
struct ArchiveName
{
    enum class Container { None, Zip, Tar };
    enum class Compression { None, Gzip, Xz, Bzip2, Zstd };

    Container container = Container::None;
    Compression compression = Compression::None;
    /// For a single compressed file, its name without the compression suffix
    /// ("sales.csv.gz" gives "sales.csv"); the file name itself when there is no suffix.
    QString innerName;
    /// The suffix that decided, lowercase with its dot (".tar.gz"); empty when none did.
    QString suffix;

    /// From the suffixes of the file name (case does not matter; folders are ignored).
    static ArchiveName fromFileName(const QString &fileName);

    /// Whether the name declares a zip, a tar or a compression at all.
    bool isKnown() const { return container != Container::None || compression != Compression::None; }
};

/// The packing that the first bytes of a file show, if any.
enum class Signature { None, Zip, Tar, Gzip, Xz, Bzip2, Zstd };

/// Recognises zip (PK\3\4, or PK\5\6 for an empty zip), gzip, xz, bzip2 and zstd headers and
/// the "ustar" magic at offset 257 of a tar header.
Signature signatureOf(QByteArrayView head);

/// ArchivePlugin::probe(): how sure we are that this is something to expand, 0 to 100.
int archiveProbeScore(const QString &fileName, QByteArrayView head);

} // namespace kiln::Internal
