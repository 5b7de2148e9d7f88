// Writing and importing bundles; reading and verifying them is in bundlereader.cpp.
#include "registry/bundle.h"
#include "registry/bundle_p.h"

#include "registry/modelregistry.h"
#include "util/entrypaths.h"
#include "util/sha256.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cerrno>
#include <cmath>
#include <memory>

namespace kiln {

using namespace Internal;

namespace {

constexpr int kFileMode = 0644;

// ---------------------------------------------------------------------------------------------
// Export

/// Streams tar entries through libarchive's gzip filter into a QSaveFile beside the target,
/// so the bundle appears by rename, whole, or not at all.
class BundleWriter final
{
public:
    BundleWriter(const QString &path, qint64 mtime)
        : m_file(path)
        , m_mtime(mtime)
    { }
    ~BundleWriter()
    {
        // Nothing more reaches the file: the QSaveFile then drops its temporary copy.
        if (m_archive && !m_closed)
            archive_write_fail(m_archive.get());
    }
    BundleWriter(const BundleWriter &) = delete;
    BundleWriter &operator=(const BundleWriter &) = delete;

    Status open()
    {
        if (!m_file.open(QIODevice::WriteOnly))
            return Error {QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString())};
        m_archive.reset(archive_write_new());
        struct archive *handle = m_archive.get();
        // No timestamp in the gzip header and no padding after it: the same version always
        // gives the same bytes.
        if (!handle || archive_write_set_format_pax_restricted(handle) != ARCHIVE_OK
            || archive_write_add_filter_gzip(handle) != ARCHIVE_OK
            || archive_write_set_options(handle, "gzip:!timestamp") != ARCHIVE_OK
            || archive_write_set_bytes_in_last_block(handle, 1) != ARCHIVE_OK
            || archive_write_open2(handle, &m_file, nullptr, &BundleWriter::write, nullptr, nullptr) != ARCHIVE_OK) {
            return failed();
        }
        return {};
    }

    Status beginEntry(const QString &path, qint64 size)
    {
        ArchiveEntryHandle entry(archive_entry_new());
        const QByteArray utf8 = path.toUtf8();
        archive_entry_set_pathname_utf8(entry.get(), utf8.constData());
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), kFileMode);
        archive_entry_set_size(entry.get(), size);
        archive_entry_set_mtime(entry.get(), m_mtime, 0);
        if (archive_write_header(m_archive.get(), entry.get()) != ARCHIVE_OK)
            return failed();
        return {};
    }

    Status writeData(const char *data, qint64 size)
    {
        if (size > 0 && archive_write_data(m_archive.get(), data, size_t(size)) != la_ssize_t(size))
            return failed();
        return {};
    }

    Status addFile(const QString &path, const QByteArray &bytes)
    {
        if (Status begun = beginEntry(path, bytes.size()); !begun)
            return begun;
        return writeData(bytes.constData(), bytes.size());
    }

    Status commit()
    {
        m_closed = true;
        if (archive_write_close(m_archive.get()) != ARCHIVE_OK)
            return failed();
        if (!m_file.commit())
            return Error {QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString())};
        return {};
    }

private:
    static la_ssize_t write(struct archive *handle, void *client, const void *buffer, size_t length)
    {
        auto *file = static_cast<QSaveFile *>(client);
        if (file->write(static_cast<const char *>(buffer), qint64(length)) != qint64(length)) {
            archive_set_error(handle, EIO, "%s", file->errorString().toLocal8Bit().constData());
            return -1;
        }
        return la_ssize_t(length);
    }

    Error failed() const
    {
        return Error {QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), libarchiveError(m_archive.get()))};
    }

    QSaveFile m_file; // declared first: the archive, which writes into it, goes first
    qint64 m_mtime = 0;
    ArchiveWriteHandle m_archive;
    bool m_closed = false;
};

QJsonObject metricsToJson(const QMap<QString, double> &metrics)
{
    QJsonObject json;
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
        if (std::isfinite(it.value())) // JSON has no NaN; a missing metric says the same
            json.insert(it.key(), it.value());
    }
    return json;
}

QJsonObject fileEntry(const QString &path, const QString &sha256, qint64 size)
{
    return {{QLatin1String("path"), path}, {QLatin1String("sha256"), sha256}, {QLatin1String("size"), size}};
}

QJsonObject manifestOf(const ModelVersion &version, const QString &description, const QJsonArray &files)
{
    return {
        {QLatin1String("format"), bundleFormatName()},
        {QLatin1String("formatVersion"), bundle::kFormatVersion},
        {QLatin1String("model"),
         QJsonObject {{QLatin1String("name"), version.modelName},
                      {QLatin1String("version"), version.version},
                      {QLatin1String("description"), description}}},
        {QLatin1String("trainer"), version.trainer},
        {QLatin1String("modelFormat"), version.modelFormat},
        {QLatin1String("files"), files},
        {QLatin1String("signature"), version.signature.toJson()},
        {QLatin1String("encoding"), version.encoding.toJson()},
        {QLatin1String("inputExample"), version.inputExample},
        {QLatin1String("metrics"), metricsToJson(version.metrics)},
        {QLatin1String("evaluation"), version.evaluation},
        {QLatin1String("profile"), profileToJson(version.profile)},
        {QLatin1String("lineage"), version.lineage.toJson()},
        {QLatin1String("card"), version.card},
        {QLatin1String("createdAt"), version.createdAt.toUTC().toString(Qt::ISODateWithMs)},
        {QLatin1String("kilnVersion"), QStringLiteral(KILN_VERSION)},
    };
}

/// Copies the model blob into the open entry, checking on the way that it still is the
/// blob its name promises.
Status streamModel(BundleWriter &writer, const ModelVersion &version, QFile &blob, Feedback *feedback)
{
    QByteArray buffer(kBundleChunkSize, Qt::Uninitialized);
    Sha256 hash;
    qint64 copied = 0;
    for (;;) {
        if (canceled(feedback))
            return Error {QStringLiteral("cancelled")};
        const qint64 n = blob.read(buffer.data(), buffer.size());
        if (n < 0)
            return Error {QStringLiteral("cannot read the model file %1: %2").arg(blob.fileName(), blob.errorString())};
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        if (Status written = writer.writeData(buffer.constData(), n); !written)
            return written;
        copied += n;
        reportProgress(feedback, 0.05 + 0.9 * double(copied) / double(std::max<qint64>(1, version.modelSize)));
    }
    if (copied != version.modelSize || QString::fromLatin1(hash.hexResult()) != version.modelSha256) {
        return Error {QStringLiteral("the model file of %1 in the blob store is damaged (%2): it no longer "
                                     "matches its SHA-256")
                          .arg(version.ref(), blob.fileName())};
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Import

/// Takes back a blob an import stored for a version that was not added after all.
void dropUnusedBlob(Workspace &workspace, const QString &sha256)
{
    const QString path = workspace.blobs().pathFor(sha256);
    QFile::remove(path);
    QDir().rmdir(QFileInfo(path).path()); // only when empty
}

Expected<ModelVersion> storeAndAdd(Workspace &workspace, const BundleContents &contents, const QString &modelName)
{
    BlobStore &blobs = workspace.blobs();
    const ModelVersion &draft = contents.draft;
    const bool blobExisted = blobs.contains(draft.modelSha256);
    auto writer = blobs.beginWrite();
    if (!writer)
        return writer.error();
    if (Status written = (*writer)->write(contents.model.bytes.constData(), contents.model.bytes.size()); !written)
        return written.error();
    auto sha = (*writer)->finish();
    if (!sha)
        return sha.error();
    if (*sha != draft.modelSha256) // readBundle() hashed these very bytes
        return Error {QStringLiteral("the model changed in memory while it was stored")};

    if (Status published = (*writer)->publish(); !published)
        return published.error();
    // addVersion() adds the blob's row, and the model with the bundle's description when it is
    // new, in the transaction that references it.
    const QString description
        = contents.manifest.value(QLatin1String("model")).toObject().value(QLatin1String("description")).toString();
    auto added = ModelRegistry(workspace).addVersion(modelName, draft, description);
    if (!added && !blobExisted)
        dropUnusedBlob(workspace, draft.modelSha256);
    return added;
}

} // namespace

Status exportBundle(Workspace &workspace, const QString &ref, const QString &path, Feedback *feedback)
{
    const ModelRegistry registry(workspace);
    const Expected<ModelVersion> version = registry.version(ref);
    if (!version)
        return version.error();
    if (Status predictable = version->checkPredictable(); !predictable)
        return predictable;
    const Expected<RegisteredModel> model = registry.model(version->modelName);
    if (!model)
        return model.error();
    if (feedback)
        feedback->setStatusText(QStringLiteral("exporting %1 to %2").arg(version->ref(), QFileInfo(path).fileName()));

    QFile blob(workspace.blobs().pathFor(version->modelSha256));
    if (!blob.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read the model file of %1 (%2): %3")
                          .arg(version->ref(), blob.fileName(), blob.errorString())};
    const QByteArray encoding = QJsonDocument(version->encoding.toJson()).toJson(QJsonDocument::Indented);
    const QByteArray card = version->card.toUtf8();
    const QString modelPath = modelEntry(version->modelFormat);
    const QJsonArray files {
        fileEntry(modelPath, version->modelSha256, version->modelSize),
        fileEntry(encodingEntry(), QString::fromLatin1(Sha256::hexHash(encoding)), encoding.size()),
        fileEntry(cardEntry(), QString::fromLatin1(Sha256::hexHash(card)), card.size()),
    };
    const QByteArray manifest
        = QJsonDocument(manifestOf(*version, model->description, files)).toJson(QJsonDocument::Indented);

    BundleWriter writer(path, version->createdAt.toSecsSinceEpoch());
    Status written = writer.open();
    if (written)
        written = writer.addFile(manifestEntry(), manifest);
    if (written)
        written = writer.beginEntry(modelPath, version->modelSize);
    if (written)
        written = streamModel(writer, *version, blob, feedback);
    if (written)
        written = writer.addFile(encodingEntry(), encoding);
    if (written)
        written = writer.addFile(cardEntry(), card);
    if (written && canceled(feedback))
        written = Error {QStringLiteral("cancelled")};
    if (written)
        written = writer.commit();
    if (!written)
        return Error {QStringLiteral("exporting %1: %2").arg(version->ref(), written.errorMessage())};
    reportProgress(feedback, 1.0);
    return {};
}

Expected<ModelVersion> importBundle(Workspace &workspace, const QString &path, const QString &modelName,
                                    Feedback *feedback)
{
    Expected<BundleContents> contents = readBundle(path, feedback);
    if (!contents)
        return contents.error();
    const QString name = modelName.isEmpty() ? contents->modelName : modelName;
    if (Status valid = validateModelName(name); !valid)
        return inBundle(path, valid.errorMessage());
    if (canceled(feedback))
        return inBundle(path, QStringLiteral("cancelled"));
    Expected<ModelVersion> added = storeAndAdd(workspace, *contents, name);
    if (!added)
        return inBundle(path, added.errorMessage());
    reportProgress(feedback, 1.0);
    return added;
}

bool isModelBundle(const QString &path)
{
    // A small block: only the gzip header and the first tar header are read.
    const Expected<ArchiveReadHandle> handle = openBundleReader(path, 16 * 1024);
    if (!handle)
        return false;
    archive_entry *entry = nullptr;
    const int result = archive_read_next_header(handle->get(), &entry);
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN)
        return false;
    const Expected<QString> clean = EntryPaths::clean(entryPath(entry));
    return clean && *clean == manifestEntry();
}

QString suggestedBundleName(const ModelVersion &version)
{
    QString name = version.modelName;
    for (QChar &c : name) {
        if (!c.isLetterOrNumber() && c != u'-' && c != u'_' && c != u'.')
            c = u'_';
    }
    if (name.startsWith(u'.')) // a leading dot hides the file
        name[0] = u'_';
    if (name.isEmpty())
        name = QStringLiteral("model");
    return name + QStringLiteral("-v") + QString::number(version.version) + QLatin1String(bundle::kSuffix);
}

} // namespace kiln
