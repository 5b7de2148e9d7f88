#include "testarchivewriter.h"

#include <QFile>
#include <QRandomGenerator>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace kiln::test {

namespace {

TestEntry makeEntry(TestEntry::Kind kind, const QByteArray &path, const QByteArray &target = {})
{
    TestEntry result;
    result.kind = kind;
    result.path = path;
    result.target = target;
    return result;
}

} // namespace

TestEntry TestEntry::file(const QByteArray &path, const QByteArray &data)
{
    TestEntry file = makeEntry(Kind::File, path);
    file.data = data;
    return file;
}

TestEntry TestEntry::repeated(const QByteArray &path, char byte, qint64 count)
{
    TestEntry file = makeEntry(Kind::File, path);
    file.repeatByte = byte;
    file.repeatCount = count;
    return file;
}

TestEntry TestEntry::folder(const QByteArray &path)
{
    return makeEntry(Kind::Folder, path);
}

TestEntry TestEntry::symlink(const QByteArray &path, const QByteArray &target)
{
    return makeEntry(Kind::Symlink, path, target);
}

TestEntry TestEntry::hardLink(const QByteArray &path, const QByteArray &target)
{
    return makeEntry(Kind::HardLink, path, target);
}

TestEntry TestEntry::fifo(const QByteArray &path)
{
    return makeEntry(Kind::Fifo, path);
}

namespace {

struct WriteFree
{
    void operator()(struct archive *handle) const { archive_write_free(handle); }
};
struct EntryFree
{
    void operator()(archive_entry *entry) const { archive_entry_free(entry); }
};

QString errorOf(struct archive *handle, const char *step)
{
    const char *text = archive_error_string(handle);
    return QString::fromLatin1(step) + QStringLiteral(": ") + QString::fromLocal8Bit(text ? text : "?");
}

int setUp(struct archive *handle, TestContainer container, TestFilter filter)
{
    int result = ARCHIVE_OK;
    switch (container) {
    case TestContainer::Zip:
        result = archive_write_set_format_zip(handle);
        break;
    case TestContainer::Tar:
        result = archive_write_set_format_pax_restricted(handle);
        break;
    case TestContainer::Raw:
        result = archive_write_set_format_raw(handle);
        break;
    }
    if (result != ARCHIVE_OK)
        return result;
    switch (filter) {
    case TestFilter::None:
        return archive_write_add_filter_none(handle);
    case TestFilter::Gzip:
        return archive_write_add_filter_gzip(handle);
    case TestFilter::Xz:
        return archive_write_add_filter_xz(handle);
    case TestFilter::Bzip2:
        return archive_write_add_filter_bzip2(handle);
    case TestFilter::Zstd:
        return archive_write_add_filter_zstd(handle);
    }
    return ARCHIVE_FATAL;
}

void describe(archive_entry *entry, const TestEntry &spec)
{
    archive_entry_set_pathname(entry, spec.path.constData());
    archive_entry_set_mtime(entry, 1700000000, 0);
    switch (spec.kind) {
    case TestEntry::Kind::File:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, spec.repeatCount > 0 ? spec.repeatCount : spec.data.size());
        break;
    case TestEntry::Kind::Folder:
        archive_entry_set_filetype(entry, AE_IFDIR);
        archive_entry_set_perm(entry, 0755);
        break;
    case TestEntry::Kind::Symlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_set_perm(entry, 0777);
        archive_entry_set_symlink(entry, spec.target.constData());
        break;
    case TestEntry::Kind::HardLink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_hardlink(entry, spec.target.constData());
        archive_entry_set_size(entry, 0);
        break;
    case TestEntry::Kind::Fifo:
        archive_entry_set_filetype(entry, AE_IFIFO);
        archive_entry_set_perm(entry, 0644);
        break;
    }
}

bool writeData(struct archive *handle, const TestEntry &spec)
{
    if (spec.repeatCount == 0)
        return spec.data.isEmpty() || archive_write_data(handle, spec.data.constData(), size_t(spec.data.size())) >= 0;
    const QByteArray block(1 << 20, spec.repeatByte);
    for (qint64 left = spec.repeatCount; left > 0;) {
        const qint64 now = std::min<qint64>(left, block.size());
        if (archive_write_data(handle, block.constData(), size_t(now)) < 0)
            return false;
        left -= now;
    }
    return true;
}

} // namespace

QString writeTestArchive(const QString &path, TestContainer container, TestFilter filter,
                         const QList<TestEntry> &entries, const QByteArray &options, const QByteArray &passphrase)
{
    std::unique_ptr<struct archive, WriteFree> writer(archive_write_new());
    struct archive *handle = writer.get();
    if (setUp(handle, container, filter) != ARCHIVE_OK)
        return errorOf(handle, "format");
    if (!options.isEmpty() && archive_write_set_options(handle, options.constData()) != ARCHIVE_OK)
        return errorOf(handle, "options");
    if (!passphrase.isEmpty() && archive_write_set_passphrase(handle, passphrase.constData()) != ARCHIVE_OK)
        return errorOf(handle, "passphrase");
    if (archive_write_open_filename(handle, QFile::encodeName(path).constData()) != ARCHIVE_OK)
        return errorOf(handle, "open");
    for (const TestEntry &spec : entries) {
        std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
        describe(entry.get(), spec);
        if (archive_write_header(handle, entry.get()) != ARCHIVE_OK)
            return errorOf(handle, "header");
        if (spec.kind == TestEntry::Kind::File && !writeData(handle, spec))
            return errorOf(handle, "data");
    }
    if (archive_write_close(handle) != ARCHIVE_OK)
        return errorOf(handle, "close");
    return {};
}

QByteArray csvText(qsizetype bytes, quint32 seed)
{
    QRandomGenerator random(seed);
    QByteArray text("run,step,loss,accuracy,tag\n");
    text.reserve(bytes + 64);
    for (qint64 row = 0; text.size() < bytes; ++row) {
        text += QByteArray::number(row % 97) + ',' + QByteArray::number(row) + ','
            + QByteArray::number(random.bounded(1.0), 'f', 6) + ',' + QByteArray::number(random.bounded(1000)) + ",tag"
            + QByteArray::number(random.bounded(12)) + '\n';
    }
    return text;
}

QByteArray noise(qsizetype bytes, quint32 seed)
{
    QRandomGenerator random(seed);
    QByteArray data(bytes, Qt::Uninitialized);
    for (char &byte : data)
        byte = char(random.bounded(256));
    return data;
}

} // namespace kiln::test
