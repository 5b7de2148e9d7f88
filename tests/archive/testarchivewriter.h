#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace kiln::test {

/// One entry to write into a test archive. A file's bytes are either `data` or, for bombs,
/// `repeatCount` copies of `repeatByte` generated while writing so they never sit in memory.
struct TestEntry
{
    enum class Kind { File, Folder, Symlink, HardLink, Fifo };

    Kind kind = Kind::File;
    QByteArray path;
    QByteArray data;
    QByteArray target; ///< for links
    qint64 repeatCount = 0;
    char repeatByte = 0;

    static TestEntry file(const QByteArray &path, const QByteArray &data);
    static TestEntry repeated(const QByteArray &path, char byte, qint64 count);
    static TestEntry folder(const QByteArray &path);
    static TestEntry symlink(const QByteArray &path, const QByteArray &target);
    static TestEntry hardLink(const QByteArray &path, const QByteArray &target);
    static TestEntry fifo(const QByteArray &path);
};

/// How to pack: the container (Raw: one entry's bytes only, as in sales.csv.gz) and the
/// compression filter around it.
enum class TestContainer { Zip, Tar, Raw };
enum class TestFilter { None, Gzip, Xz, Bzip2, Zstd };

/// Writes `entries` to `path` with libarchive's writer (tar is pax_restricted). `options`
/// and `passphrase` go to archive_write_set_options / _set_passphrase when not empty.
/// Returns an empty string, or what went wrong.
QString writeTestArchive(const QString &path, TestContainer container, TestFilter filter,
                         const QList<TestEntry> &entries, const QByteArray &options = {},
                         const QByteArray &passphrase = {});

/// Deterministic CSV-like text of about `bytes` bytes: compressible like real data, but with
/// varying values so that a wrong chunk order would show.
QByteArray csvText(qsizetype bytes, quint32 seed = 1);

/// Deterministic incompressible bytes.
QByteArray noise(qsizetype bytes, quint32 seed = 7);

} // namespace kiln::test
