#include "archivename.h"

#include <QFileInfo>

#include <array>

namespace kiln::Internal {

namespace {

struct Suffix
{
    const char *text; // lowercase, with the dot
    ArchiveName::Container container;
    ArchiveName::Compression compression;
};

using C = ArchiveName::Container;
using Z = ArchiveName::Compression;

// Compound suffixes first, so that ".tar.gz" wins over ".gz".
const std::array<Suffix, 15> kSuffixes = {{
    {".tar.gz", C::Tar, Z::Gzip},
    {".tar.xz", C::Tar, Z::Xz},
    {".tar.bz2", C::Tar, Z::Bzip2},
    {".tar.zst", C::Tar, Z::Zstd},
    {".tgz", C::Tar, Z::Gzip},
    {".txz", C::Tar, Z::Xz},
    {".tbz2", C::Tar, Z::Bzip2},
    {".tbz", C::Tar, Z::Bzip2},
    {".tzst", C::Tar, Z::Zstd},
    {".zip", C::Zip, Z::None},
    {".tar", C::Tar, Z::None},
    {".gz", C::None, Z::Gzip},
    {".xz", C::None, Z::Xz},
    {".bz2", C::None, Z::Bzip2},
    {".zst", C::None, Z::Zstd},
}};

ArchiveName::Compression compressionOf(Signature signature)
{
    switch (signature) {
    case Signature::Gzip:
        return Z::Gzip;
    case Signature::Xz:
        return Z::Xz;
    case Signature::Bzip2:
        return Z::Bzip2;
    case Signature::Zstd:
        return Z::Zstd;
    case Signature::None:
    case Signature::Zip:
    case Signature::Tar:
        break;
    }
    return Z::None;
}

// Scores, highest first. Name and bytes agreeing is as sure as probing gets; bytes alone are
// strong for zip and tar, weaker for a bare compression header (it may wrap anything, and an
// importer that reads the compressed format itself should be able to win). A name whose
// bytes disagree still scores a little, so that expand() reports what is wrong with it.
constexpr int kNameAndBytes = 95;
constexpr int kCompressionNameAndBytes = 90;
constexpr int kContainerBytesOnly = 80;
constexpr int kNameOnly = 70;
constexpr int kCompressionBytesOnly = 60;
constexpr int kContainerBytesOtherName = 50; // .docx, .xlsx, .jar are zips too
constexpr int kNameContradicted = 10;

constexpr qsizetype kUstarOffset = 257;
constexpr qsizetype kUstarEnd = kUstarOffset + 5;

} // namespace

ArchiveName ArchiveName::fromFileName(const QString &fileName)
{
    ArchiveName name;
    const QString base = QFileInfo(fileName).fileName();
    name.innerName = base;
    const QString lower = base.toLower();
    for (const Suffix &suffix : kSuffixes) {
        const QLatin1String text(suffix.text);
        // A file called just ".gz" has no name left to give its entry.
        if (lower.size() > text.size() && lower.endsWith(text)) {
            name.container = suffix.container;
            name.compression = suffix.compression;
            name.suffix = text;
            if (suffix.container == C::None)
                name.innerName = base.left(base.size() - text.size());
            break;
        }
    }
    return name;
}

Signature signatureOf(QByteArrayView head)
{
    const auto startsWith = [head](QByteArrayView magic) { return head.startsWith(magic); };
    if (startsWith("PK\x03\x04") || startsWith("PK\x05\x06"))
        return Signature::Zip;
    if (startsWith("\x1f\x8b"))
        return Signature::Gzip;
    if (startsWith(QByteArrayView("\xfd\x37\x7a\x58\x5a\x00", 6)))
        return Signature::Xz;
    // "BZh" then the block size digit 1-9: three letters alone occur in text files.
    if (head.size() >= 4 && startsWith("BZh") && head.at(3) >= '1' && head.at(3) <= '9')
        return Signature::Bzip2;
    if (startsWith("\x28\xb5\x2f\xfd"))
        return Signature::Zstd;
    if (head.size() >= kUstarEnd && head.sliced(kUstarOffset, 5) == QByteArrayView("ustar"))
        return Signature::Tar;
    return Signature::None;
}

int archiveProbeScore(const QString &fileName, QByteArrayView head)
{
    const ArchiveName name = ArchiveName::fromFileName(fileName);
    if (head.isEmpty())
        return name.isKnown() ? kNameOnly : 0;

    const Signature signature = signatureOf(head);
    switch (signature) {
    case Signature::Zip:
        if (name.container == C::Zip)
            return kNameAndBytes;
        return name.isKnown() || QFileInfo(fileName).suffix().isEmpty() ? kContainerBytesOnly
                                                                        : kContainerBytesOtherName;
    case Signature::Tar:
        return name.container == C::Tar && name.compression == Z::None ? kNameAndBytes : kContainerBytesOnly;
    case Signature::Gzip:
    case Signature::Xz:
    case Signature::Bzip2:
    case Signature::Zstd:
        return name.compression == compressionOf(signature) ? kCompressionNameAndBytes : kCompressionBytesOnly;
    case Signature::None:
        break;
    }
    // A head too short to reach the tar magic cannot contradict a .tar name. (Only pre-POSIX
    // v7 tar lacks the magic; GNU tar writes "ustar  " too.)
    if (name.container == C::Tar && name.compression == Z::None && head.size() < kUstarEnd)
        return kNameOnly;
    return name.isKnown() ? kNameContradicted : 0;
}

} // namespace kiln::Internal
