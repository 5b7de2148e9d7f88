// Reading a bundle: the manifest's checks and BundleReader, which verifies every entry
// against the manifest while it streams. Touches no workspace: readBundle() is all it gives.
#include "registry/bundle.h"
#include "registry/bundle_p.h"

#include "util/entrypaths.h"
#include "util/jsonutil.h"
#include "util/sha256.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace kiln {

namespace Internal {

Expected<ArchiveReadHandle> openBundleReader(const QString &path, size_t blockSize)
{
    ArchiveReadHandle handle(archive_read_new());
    if (!handle)
        return Error {QStringLiteral("libarchive could not start (out of memory?)")};
    archive_read_support_filter_gzip(handle.get());
    archive_read_support_format_tar(handle.get());
#ifdef Q_OS_WIN
    const int opened
        = archive_read_open_filename_w(handle.get(), reinterpret_cast<const wchar_t *>(path.utf16()), blockSize);
#else
    const int opened = archive_read_open_filename(handle.get(), QFile::encodeName(path).constData(), blockSize);
#endif
    if (opened != ARCHIVE_OK) {
        // gzip's magic bytes say the file is what it claims: the data after them is damaged.
        QFile file(path);
        if (file.open(QIODevice::ReadOnly) && file.read(2) == QByteArrayView("\x1f\x8b"))
            return Error {QStringLiteral("the archive is damaged or cut short: %1").arg(libarchiveError(handle.get()))};
        return Error {
            QStringLiteral("not a Kiln bundle (a gzip-compressed tar archive): %1").arg(libarchiveError(handle.get()))};
    }
    if (archive_filter_code(handle.get(), 0) != ARCHIVE_FILTER_GZIP)
        return Error {QStringLiteral("not a Kiln bundle: the tar archive is not gzip-compressed")};
    return handle;
}

} // namespace Internal

using namespace Internal;

namespace {

constexpr qint64 kMaxManifestSize = qint64(4) << 20;
constexpr qint64 kMaxUnpackedSize = qint64(1) << 30;
constexpr size_t kOpenBlockSize = 64 * 1024;

QString grouped(qint64 number)
{
    // One fixed locale: messages are compared in tests and read in bug reports.
    return QLocale(QLocale::English).toString(number);
}

QString entryMessage(const QString &path, const QString &reason)
{
    return QStringLiteral("entry %1: %2").arg(path, reason);
}

QString linkTarget(const char *utf8, const char *native)
{
    if (utf8)
        return QString::fromUtf8(utf8);
    return native ? QString::fromLocal8Bit(native) : QString();
}

/// The value of `key` in `object` when it has `type`, or an error naming the manifest field
/// (`where` + key) and what it holds instead.
Expected<QJsonValue> field(const QJsonObject &object, const QString &where, const QString &key, QJsonValue::Type type)
{
    const QJsonValue value = object.value(key);
    const QString name = where + key;
    if (value.isUndefined())
        return Error {QStringLiteral("manifest field '%1' is missing").arg(name)};
    if (value.type() != type)
        return Error {QStringLiteral("manifest field '%1' is %2, expected %3")
                          .arg(name, jsonTypeName(value.type()), jsonTypeName(type))};
    return value;
}

Expected<qint64> integerField(const QJsonObject &object, const QString &where, const QString &key, qint64 minimum)
{
    auto value = field(object, where, key, QJsonValue::Double);
    if (!value)
        return value.error();
    const double number = value->toDouble();
    // 2^53: beyond it a JSON number no longer holds every integer.
    if (number != std::floor(number) || number < double(minimum) || number > 9007199254740992.0) {
        return Error {QStringLiteral("manifest field '%1%2' is %3, expected an integer of at least %4")
                          .arg(where, key, QString::number(number, 'g', 17))
                          .arg(minimum)};
    }
    return qint64(number);
}

/// One file the manifest lists, and what reading it found.
struct ListedFile
{
    QString sha256;
    qint64 size = 0;
    bool seen = false;
    bool keep = false; ///< its bytes are wanted after reading (the model)
    QByteArray bytes;
};

/// The manifest's facts once its format and fields are checked.
struct CheckedManifest
{
    QString modelName;
    int modelVersion = 0;
    QString trainer;
    QString modelFormat;
    QStringList order; ///< listed paths as the manifest gives them
    QHash<QString, ListedFile> files;
};

Status checkFormat(const QJsonObject &manifest)
{
    auto format = field(manifest, {}, QStringLiteral("format"), QJsonValue::String);
    if (!format)
        return format.error();
    if (format->toString() != bundleFormatName())
        return Error {
            QStringLiteral("the manifest's format is '%1', not '%2'").arg(format->toString(), bundleFormatName())};
    // Checked before any other field: another version may name its fields differently.
    auto version = integerField(manifest, {}, QStringLiteral("formatVersion"), 0);
    if (!version)
        return version.error();
    if (*version != bundle::kFormatVersion) {
        return Error {QStringLiteral("unknown bundle format version %1 (this Kiln reads version %2)")
                          .arg(*version)
                          .arg(bundle::kFormatVersion)};
    }
    return {};
}

Status checkListedFiles(const QJsonArray &files, CheckedManifest &out)
{
    qint64 total = 0;
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString where = QStringLiteral("files[%1].").arg(i);
        if (!files.at(i).isObject())
            return Error {QStringLiteral("manifest field 'files[%1]' is %2, expected an object")
                              .arg(i)
                              .arg(jsonTypeName(files.at(i).type()))};
        const QJsonObject file = files.at(i).toObject();
        auto path = field(file, where, QStringLiteral("path"), QJsonValue::String);
        if (!path)
            return path.error();
        auto sha = field(file, where, QStringLiteral("sha256"), QJsonValue::String);
        if (!sha)
            return sha.error();
        auto size = integerField(file, where, QStringLiteral("size"), 0);
        if (!size)
            return size.error();
        const QString raw = path->toString();
        const Expected<QString> clean = EntryPaths::clean(raw);
        if (!clean)
            return Error {QStringLiteral("the manifest lists '%1': %2").arg(raw, clean.errorMessage())};
        if (clean->isEmpty() || *clean == manifestEntry())
            return Error {QStringLiteral("the manifest lists '%1', which cannot be a file of the bundle").arg(raw)};
        if (!isSha256Hex(sha->toString()))
            return Error {QStringLiteral("manifest field '%1sha256' is not a SHA-256 in lowercase hex").arg(where)};
        if (out.files.contains(*clean))
            return Error {QStringLiteral("the manifest lists %1 twice").arg(*clean)};
        total += *size;
        if (total > kMaxUnpackedSize)
            return Error {QStringLiteral("the files it lists add up to more than 1 GiB, the most a bundle may hold")};
        ListedFile listed;
        listed.sha256 = sha->toString();
        listed.size = *size;
        out.files.insert(*clean, listed);
        out.order.append(*clean);
    }
    return {};
}

/// Checks what readBundle() relies on: the format and its version, then every field with its
/// type. The parts with their own parsers (encoding, signature) are checked by those.
Expected<CheckedManifest> checkManifest(const QJsonObject &manifest)
{
    if (Status format = checkFormat(manifest); !format)
        return format.error();
    CheckedManifest out;
    auto model = field(manifest, {}, QStringLiteral("model"), QJsonValue::Object);
    if (!model)
        return model.error();
    const QJsonObject modelObject = model->toObject();
    const QString where = QStringLiteral("model.");
    auto name = field(modelObject, where, QStringLiteral("name"), QJsonValue::String);
    if (!name)
        return name.error();
    auto version = integerField(modelObject, where, QStringLiteral("version"), 1);
    if (!version)
        return version.error();
    out.modelName = name->toString();
    out.modelVersion = int(std::min<qint64>(*version, std::numeric_limits<int>::max()));

    const std::pair<const char *, QJsonValue::Type> fields[] = {
        {"trainer", QJsonValue::String},     {"modelFormat", QJsonValue::String}, {"files", QJsonValue::Array},
        {"signature", QJsonValue::Object},   {"encoding", QJsonValue::Object},    {"inputExample", QJsonValue::Array},
        {"metrics", QJsonValue::Object},     {"evaluation", QJsonValue::Object},  {"profile", QJsonValue::Array},
        {"lineage", QJsonValue::Object},     {"card", QJsonValue::String},        {"createdAt", QJsonValue::String},
        {"kilnVersion", QJsonValue::String},
    };
    for (const auto &[key, type] : fields) {
        if (auto value = field(manifest, {}, QString::fromLatin1(key), type); !value)
            return value.error();
    }
    out.trainer = manifest.value(QLatin1String("trainer")).toString();
    out.modelFormat = manifest.value(QLatin1String("modelFormat")).toString();
    static const QRegularExpression token(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (out.trainer.isEmpty())
        return Error {QStringLiteral("manifest field 'trainer' is empty")};
    if (!token.match(out.modelFormat).hasMatch())
        return Error {QStringLiteral("manifest field 'modelFormat' is '%1', not a format name").arg(out.modelFormat)};
    const QJsonObject metrics = manifest.value(QLatin1String("metrics")).toObject();
    for (auto it = metrics.begin(); it != metrics.end(); ++it) {
        if (!it.value().isDouble())
            return Error {QStringLiteral("manifest field 'metrics.%1' is %2, expected a number")
                              .arg(it.key(), jsonTypeName(it.value().type()))};
    }
    const QString createdAt = manifest.value(QLatin1String("createdAt")).toString();
    if (!QDateTime::fromString(createdAt, Qt::ISODateWithMs).isValid())
        return Error {QStringLiteral("manifest field 'createdAt' is '%1', not an ISO 8601 date-time").arg(createdAt)};

    if (Status files = checkListedFiles(manifest.value(QLatin1String("files")).toArray(), out); !files)
        return files.error();
    const QString modelPath = modelEntry(out.modelFormat);
    if (!out.files.contains(modelPath))
        return Error {QStringLiteral("the manifest does not list the model file %1").arg(modelPath)};
    out.files[modelPath].keep = true;
    return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

/// One pass over a bundle: the manifest first, then every entry checked against it, hashed
/// while it streams. Used once, on the calling thread; never writes anywhere.
class BundleReader final
{
public:
    BundleReader(QString path, Feedback *feedback)
        : m_path(std::move(path))
        , m_feedback(feedback)
    { }

    Expected<BundleContents> read();

private:
    Status open();
    Status readManifest();
    Status readEntries();
    Status readEntry(archive_entry *entry, const QString &rawPath);
    Status readData(const QString &path, ListedFile &file);
    Expected<BundleContents> contents();

    QString m_path;
    Feedback *m_feedback = nullptr;
    qint64 m_fileSize = 0;
    qint64 m_unpacked = 0;
    ArchiveReadHandle m_archive;
    QByteArray m_buffer;
    QJsonObject m_manifest;
    CheckedManifest m_checked;
};

Expected<BundleContents> BundleReader::read()
{
    if (Status opened = open(); !opened)
        return opened.error();
    if (Status manifest = readManifest(); !manifest)
        return manifest.error();
    if (Status entries = readEntries(); !entries)
        return entries.error();
    for (const QString &path : std::as_const(m_checked.order)) {
        if (!m_checked.files.value(path).seen)
            return Error {QStringLiteral("%1 is missing").arg(path)};
    }
    return contents();
}

Status BundleReader::open()
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read the file: %1").arg(file.errorString())};
    m_fileSize = file.size();
    file.close();
    if (m_fileSize == 0)
        return Error {QStringLiteral("the file is empty, not a bundle")};
    auto opened = openBundleReader(m_path, kOpenBlockSize);
    if (!opened)
        return opened.error();
    m_archive = std::move(opened).value();
    m_buffer.resize(kBundleChunkSize);
    return {};
}

Status BundleReader::readManifest()
{
    struct archive *handle = m_archive.get();
    archive_entry *entry = nullptr;
    const int result = archive_read_next_header(handle, &entry);
    if (result == ARCHIVE_EOF)
        return Error {QStringLiteral("the archive is empty: it has no %1").arg(manifestEntry())};
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN)
        return Error {QStringLiteral("the archive is damaged or cut short: %1").arg(libarchiveError(handle))};
    const QString raw = entryPath(entry);
    const Expected<QString> path = EntryPaths::clean(raw);
    if (!path || *path != manifestEntry()) {
        return Error {QStringLiteral("its first entry is %1, not the manifest %2 every bundle starts with")
                          .arg(raw, manifestEntry())};
    }
    if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry))
        return Error {entryMessage(raw, QStringLiteral("the manifest is not a regular file"))};
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > kMaxManifestSize)
        return Error {entryMessage(raw,
                                   QStringLiteral("the manifest is %1 bytes, more than the 4 MiB allowed")
                                       .arg(grouped(archive_entry_size(entry))))};
    QByteArray bytes;
    for (;;) {
        const la_ssize_t n = archive_read_data(handle, m_buffer.data(), size_t(m_buffer.size()));
        if (n == 0)
            break;
        if (n < 0)
            return Error {entryMessage(
                raw, QStringLiteral("the archive is damaged or cut short (%1)").arg(libarchiveError(handle)))};
        bytes.append(m_buffer.constData(), qsizetype(n));
        if (bytes.size() > kMaxManifestSize)
            return Error {entryMessage(raw, QStringLiteral("the manifest is more than the 4 MiB allowed"))};
    }
    m_unpacked += bytes.size();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error {QStringLiteral("%1 is not valid JSON: %2 at byte %3")
                          .arg(manifestEntry(), parseError.errorString())
                          .arg(parseError.offset)};
    if (!document.isObject())
        return Error {QStringLiteral("%1 is not a JSON object").arg(manifestEntry())};
    m_manifest = document.object();
    auto checked = checkManifest(m_manifest);
    if (!checked)
        return checked.error();
    m_checked = std::move(checked).value();
    return {};
}

Status BundleReader::readEntries()
{
    struct archive *handle = m_archive.get();
    QString previous = manifestEntry();
    for (;;) {
        if (canceled(m_feedback))
            return Error {QStringLiteral("cancelled")};
        archive_entry *entry = nullptr;
        const int result = archive_read_next_header(handle, &entry);
        if (result == ARCHIVE_EOF)
            return {};
        if (result != ARCHIVE_OK && result != ARCHIVE_WARN)
            return Error {QStringLiteral("the archive is damaged or cut short after entry %1: %2")
                              .arg(previous, libarchiveError(handle))};
        const QString raw = entryPath(entry);
        if (Status read = readEntry(entry, raw); !read)
            return read;
        previous = raw;
        reportProgress(m_feedback, 0.95 * double(archive_filter_bytes(handle, -1)) / double(m_fileSize));
    }
}

Status BundleReader::readEntry(archive_entry *entry, const QString &raw)
{
    if (raw.isEmpty())
        return Error {QStringLiteral("an entry has no name, or one that cannot be decoded")};
    const Expected<QString> clean = EntryPaths::clean(raw);
    if (!clean)
        return Error {entryMessage(raw, clean.errorMessage())};
    const QString &path = *clean;
    const QString hardLink = linkTarget(archive_entry_hardlink_utf8(entry), archive_entry_hardlink(entry));
    if (!hardLink.isEmpty())
        return Error {entryMessage(
            raw, QStringLiteral("it is a hard link to %1; a bundle holds regular files only").arg(hardLink))};
    switch (archive_entry_filetype(entry)) {
    case AE_IFDIR:
        // A folder entry ("model/") holds nothing; tar tools add them, Kiln does not need them.
        return {};
    case AE_IFLNK:
        return Error {
            entryMessage(raw,
                         QStringLiteral("it is a symbolic link to %1; a bundle holds regular files only")
                             .arg(linkTarget(archive_entry_symlink_utf8(entry), archive_entry_symlink(entry))))};
    case AE_IFREG:
        break;
    default:
        return Error {
            entryMessage(raw, QStringLiteral("it is a device, fifo or socket; a bundle holds regular files only"))};
    }
    if (path == manifestEntry())
        return Error {QStringLiteral("it holds %1 twice").arg(manifestEntry())};
    const auto listed = m_checked.files.find(path);
    if (listed == m_checked.files.end())
        return Error {QStringLiteral("entry %1 is not listed in the manifest").arg(raw)};
    if (listed->seen)
        return Error {QStringLiteral("entry %1 appears twice").arg(raw)};
    listed->seen = true;
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) != listed->size) {
        return Error {entryMessage(raw,
                                   QStringLiteral("it holds %1 bytes, the manifest lists %2")
                                       .arg(grouped(archive_entry_size(entry)), grouped(listed->size)))};
    }
    return readData(path, *listed);
}

Status BundleReader::readData(const QString &path, ListedFile &file)
{
    struct archive *handle = m_archive.get();
    Sha256 hash;
    qint64 read = 0;
    if (file.keep)
        file.bytes.reserve(qsizetype(file.size));
    for (;;) {
        if (canceled(m_feedback))
            return Error {QStringLiteral("cancelled")};
        const la_ssize_t n = archive_read_data(handle, m_buffer.data(), size_t(m_buffer.size()));
        if (n == 0)
            break;
        if (n < 0)
            return Error {entryMessage(
                path, QStringLiteral("the archive is damaged or cut short (%1)").arg(libarchiveError(handle)))};
        read += n;
        m_unpacked += n;
        // The header's size was checked; this guards the bytes themselves, whatever the header said.
        if (read > file.size)
            return Error {entryMessage(
                path, QStringLiteral("it holds more than the %1 bytes the manifest lists").arg(grouped(file.size)))};
        if (m_unpacked > kMaxUnpackedSize)
            return Error {entryMessage(path, QStringLiteral("the bundle unpacks to more than 1 GiB"))};
        const QByteArrayView chunk(m_buffer.constData(), qsizetype(n));
        hash.addData(chunk);
        if (file.keep)
            file.bytes.append(chunk);
    }
    if (read != file.size)
        return Error {entryMessage(
            path, QStringLiteral("it holds %1 bytes, the manifest lists %2").arg(grouped(read), grouped(file.size)))};
    if (QString::fromLatin1(hash.hexResult()) != file.sha256)
        return Error {entryMessage(path,
                                   QStringLiteral("its SHA-256 does not match the manifest: the file was "
                                                  "changed or damaged"))};
    return {};
}

Expected<BundleContents> BundleReader::contents()
{
    const QJsonObject &manifest = m_manifest;
    BundleContents out;
    out.manifest = manifest;
    out.modelName = m_checked.modelName;
    out.modelVersion = m_checked.modelVersion;
    out.trainer = m_checked.trainer;
    const QString modelPath = modelEntry(m_checked.modelFormat);
    const ListedFile &modelFile = m_checked.files[modelPath];
    out.model.format = m_checked.modelFormat;
    out.model.bytes = modelFile.bytes;

    auto encoding = FeatureEncoding::fromJson(manifest.value(QLatin1String("encoding")).toObject());
    if (!encoding)
        return Error {QStringLiteral("manifest field 'encoding': %1").arg(encoding.errorMessage())};
    auto signature = ModelSignature::fromJson(manifest.value(QLatin1String("signature")).toObject());
    if (!signature)
        return Error {QStringLiteral("manifest field 'signature': %1").arg(signature.errorMessage())};

    ModelVersion &draft = out.draft;
    draft.modelName = m_checked.modelName;
    draft.trainer = m_checked.trainer;
    draft.modelFormat = m_checked.modelFormat;
    draft.modelSha256 = modelFile.sha256;
    draft.modelSize = modelFile.size;
    draft.encoding = std::move(encoding).value();
    draft.signature = std::move(signature).value();
    draft.inputExample = manifest.value(QLatin1String("inputExample")).toArray();
    const QJsonObject metrics = manifest.value(QLatin1String("metrics")).toObject();
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
        draft.metrics.insert(it.key(), it.value().toDouble());
    draft.evaluation = manifest.value(QLatin1String("evaluation")).toObject();
    draft.profile = profileFromJson(manifest.value(QLatin1String("profile")).toArray());
    draft.lineage = ModelLineage::fromJson(manifest.value(QLatin1String("lineage")).toObject());
    draft.lineage.source = QStringLiteral("bundle");
    draft.lineage.bundleFile = QFileInfo(m_path).fileName();
    draft.lineage.origin = m_checked.modelName + QLatin1Char('@') + QString::number(m_checked.modelVersion);
    draft.card = manifest.value(QLatin1String("card")).toString();
    draft.createdAt = QDateTime::fromString(manifest.value(QLatin1String("createdAt")).toString(), Qt::ISODateWithMs);
    reportProgress(m_feedback, 0.95);
    return out;
}

} // namespace

Expected<BundleContents> readBundle(const QString &path, Feedback *feedback)
{
    if (feedback)
        feedback->setStatusText(QStringLiteral("reading %1").arg(QFileInfo(path).fileName()));
    Expected<BundleContents> contents = BundleReader(path, feedback).read();
    if (!contents)
        return inBundle(path, contents.errorMessage());
    return contents;
}

} // namespace kiln
