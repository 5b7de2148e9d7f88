#include "workspace/blobstore.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QTemporaryFile>

namespace kiln {

BlobStore::BlobStore(QString root)
    : m_root(std::move(root))
{ }

QString BlobStore::tempDir() const
{
    return m_root + QLatin1String("/tmp");
}

QString BlobStore::pathFor(const QString &sha256) const
{
    return m_root + QLatin1String("/blobs/") + sha256.left(2) + QLatin1Char('/') + sha256.mid(2);
}

bool BlobStore::contains(const QString &sha256) const
{
    return QFileInfo::exists(pathFor(sha256));
}

Expected<QString> BlobStore::addFile(const QString &sourcePath)
{
    QFile source(sourcePath);
    if (!source.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read %1: %2").arg(sourcePath, source.errorString())};
    auto writer = beginWrite();
    if (!writer)
        return writer.error();
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = source.read(buffer.data(), buffer.size());
        if (n < 0)
            return Error {QStringLiteral("cannot read %1: %2").arg(sourcePath, source.errorString())};
        if (n == 0)
            break;
        if (Status s = (*writer)->write(buffer.constData(), n); !s)
            return s.error();
    }
    return (*writer)->commit();
}

void BlobStore::removeStaleTempFiles() const
{
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addDays(-1);
    QDirIterator it(tempDir(), QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    while (it.hasNext()) {
        it.next();
        if (it.fileInfo().lastModified().toUTC() >= cutoff)
            continue;
        if (it.fileInfo().isDir())
            QDir(it.filePath()).removeRecursively(); // a nested archive's staging folder
        else
            QFile::remove(it.filePath());
    }
}

Expected<std::unique_ptr<BlobStore::Writer>> BlobStore::beginWrite() const
{
    if (!QDir().mkpath(tempDir()))
        return Error {QStringLiteral("cannot create %1").arg(tempDir())};
    auto file = std::make_unique<QTemporaryFile>(tempDir() + QLatin1String("/blob-XXXXXX"));
    if (!file->open())
        return Error {QStringLiteral("cannot create a staging file in %1: %2").arg(tempDir(), file->errorString())};
    // The Writer owns the name from now on: it renames or removes the file itself.
    file->setAutoRemove(false);
    return std::unique_ptr<Writer>(new Writer(this, std::move(file)));
}

BlobStore::Writer::Writer(const BlobStore *store, std::unique_ptr<QFile> file)
    : m_store(store)
    , m_file(std::move(file))
{ }

BlobStore::Writer::~Writer()
{
    if (!m_published) {
        m_file->close();
        m_file->remove();
    }
}

Status BlobStore::Writer::write(const char *data, qint64 size)
{
    m_hash.addData(QByteArrayView(data, size));
    if (m_file->write(data, size) != size)
        return Error {QStringLiteral("cannot write to %1: %2").arg(m_file->fileName(), m_file->errorString())};
    m_size += size;
    return {};
}

Expected<QString> BlobStore::Writer::finish()
{
    if (!m_sha.isEmpty())
        return m_sha;
    if (!m_file->flush())
        return Error {QStringLiteral("cannot write to %1: %2").arg(m_file->fileName(), m_file->errorString())};
    m_file->close();
    m_sha = QString::fromLatin1(m_hash.hexResult());
    return m_sha;
}

Status BlobStore::Writer::publish()
{
    if (m_sha.isEmpty()) {
        if (auto sha = finish(); !sha)
            return sha.error();
    }
    if (m_published)
        return {};
    const QString target = m_store->pathFor(m_sha);
    if (QFileInfo::exists(target)) {
        m_file->remove(); // the same content is already stored: keep one copy
    } else {
        QDir().mkpath(QFileInfo(target).path());
        // rename(2) is atomic within the workspace's file system.
        if (!m_file->rename(target)) {
            if (!QFileInfo::exists(target)) // another writer may have won the race
                return Error {QStringLiteral("cannot store blob %1: %2").arg(target, m_file->errorString())};
            m_file->remove();
        }
    }
    m_published = true;
    return {};
}

Expected<QString> BlobStore::Writer::commit()
{
    auto sha = finish();
    if (!sha)
        return sha;
    if (Status s = publish(); !s)
        return s.error();
    return sha;
}

} // namespace kiln
