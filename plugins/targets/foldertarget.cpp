// The "folder" target: a local (or mounted) folder holding current.kiln.tar.gz, the one before
// it and kiln-deploy.json. A push copies the bundle beside the current one, then switches by
// renames, so a failed or cancelled copy leaves the folder as it was.
#include "foldertarget.h"

#include "targetsupport.h"

#include "util/jsonutil.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>
#include <QScopeGuard>
#include <QUuid>

namespace kiln::Internal {

namespace {

constexpr int kStateFormatVersion = 1;
constexpr qint64 kCopyChunk = 1024 * 1024;

QString stateFileName()
{
    return QString::fromLatin1(kDeployStateFile);
}

Expected<DeployFolderState::Entry> entryFromJson(const QJsonObject &object, const QString &key)
{
    const QString where = stateFileName() + QStringLiteral(": '") + key;
    DeployFolderState::Entry entry;
    const QJsonValue name = object.value(QLatin1String("name"));
    if (!name.isString() || name.toString().isEmpty())
        return Error {QStringLiteral("%1.name' is %2, expected a model name").arg(where, jsonTypeName(name.type()))};
    const QJsonValue version = object.value(QLatin1String("version"));
    if (!version.isDouble() || version.toInt() < 1)
        return Error {
            QStringLiteral("%1.version' is %2, expected a version number")
                .arg(where, version.isDouble() ? QString::number(version.toDouble()) : jsonTypeName(version.type()))};
    const QJsonValue sha = object.value(QLatin1String("sha256"));
    if (!sha.isString() && !sha.isUndefined())
        return Error {QStringLiteral("%1.sha256' is %2, expected a string").arg(where, jsonTypeName(sha.type()))};
    const QJsonValue at = object.value(QLatin1String("deployedAt"));
    if (!at.isString() && !at.isUndefined())
        return Error {QStringLiteral("%1.deployedAt' is %2, expected a date").arg(where, jsonTypeName(at.type()))};
    entry.name = name.toString();
    entry.version = version.toInt();
    entry.sha256 = sha.toString();
    entry.deployedAt = QDateTime::fromString(at.toString(), Qt::ISODateWithMs).toUTC();
    return entry;
}

QJsonValue entryToJson(const std::optional<DeployFolderState::Entry> &entry)
{
    if (!entry)
        return QJsonValue::Null;
    return QJsonObject {{QStringLiteral("name"), entry->name},
                        {QStringLiteral("version"), entry->version},
                        {QStringLiteral("sha256"), entry->sha256},
                        {QStringLiteral("deployedAt"), entry->deployedAt.toUTC().toString(Qt::ISODateWithMs)}};
}

} // namespace

Expected<DeployFolderState> DeployFolderState::fromJson(const QByteArray &json)
{
    DeployFolderState state;
    if (json.trimmed().isEmpty())
        return state;
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error {QStringLiteral("%1: not valid JSON (%2 at offset %3)")
                          .arg(stateFileName(), parseError.errorString())
                          .arg(parseError.offset)};
    if (!doc.isObject())
        return Error {QStringLiteral("%1: expected a JSON object").arg(stateFileName())};
    const QJsonObject root = doc.object();
    if (root.value(QLatin1String("format")).toString() != QLatin1String("kiln-deploy"))
        return Error {QStringLiteral("%1: not a Kiln deploy state (format is not 'kiln-deploy')").arg(stateFileName())};
    const int formatVersion = root.value(QLatin1String("formatVersion")).toInt();
    if (formatVersion < 1 || formatVersion > kStateFormatVersion)
        return Error {QStringLiteral("%1: format version %2 is not supported (this Kiln reads %3)")
                          .arg(stateFileName())
                          .arg(formatVersion)
                          .arg(kStateFormatVersion)};
    for (const char *key : {"current", "previous"}) {
        const QJsonValue value = root.value(QLatin1String(key));
        if (value.isNull() || value.isUndefined())
            continue;
        if (!value.isObject())
            return Error {QStringLiteral("%1: '%2' is %3, expected an object or null")
                              .arg(stateFileName(), QLatin1String(key), jsonTypeName(value.type()))};
        auto entry = entryFromJson(value.toObject(), QLatin1String(key));
        if (!entry)
            return entry.error();
        (qstrcmp(key, "current") == 0 ? state.current : state.previous) = std::move(entry).value();
    }
    return state;
}

DeployFolderState DeployFolderState::pushed(const PushRequest &request, bool hadCurrent, bool hasPrevious) const
{
    DeployFolderState next = *this;
    if (hadCurrent)
        next.previous = next.current;
    else if (!hasPrevious)
        next.previous.reset();
    next.current = Entry {request.modelName, request.version, request.sha256, QDateTime::currentDateTimeUtc()};
    return next;
}

DeployFolderState DeployFolderState::rolledBack(bool hadCurrent) const
{
    DeployFolderState next = *this;
    if (!hadCurrent)
        next.current.reset();
    next.swap();
    return next;
}

DeployFolderState DeployFolderState::undeployed() const
{
    DeployFolderState next = *this;
    next.previous = next.current;
    next.current.reset();
    return next;
}

void DeployFolderState::describe(TargetStatus &status, bool hasCurrent, bool hasPrevious) const
{
    if (current && hasCurrent) {
        status.health = QStringLiteral("stored");
        status.modelName = current->name;
        status.modelVersion = current->version;
        status.sha256 = current->sha256;
    } else {
        status.health = QStringLiteral("empty");
    }
    if (previous && hasPrevious) {
        status.previousModel = previous->name;
        status.previousVersion = previous->version;
    }
}

QByteArray DeployFolderState::toJson() const
{
    const QJsonObject root {{QStringLiteral("format"), QStringLiteral("kiln-deploy")},
                            {QStringLiteral("formatVersion"), kStateFormatVersion},
                            {QStringLiteral("current"), entryToJson(current)},
                            {QStringLiteral("previous"), entryToJson(previous)}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

namespace {

/// One configured folder. Each operation holds the folder's lock file, so two pushes (two
/// processes) never interleave their renames.
class FolderTarget final : public TargetBase
{
public:
    explicit FolderTarget(TargetConfig config)
        : TargetBase(std::move(config))
        , m_dir(QDir::cleanPath(m_config.location))
    { }

    Status push(const PushRequest &request, Feedback &feedback) override;
    Expected<TargetStatus> status(Feedback &feedback) override;
    Status rollback(Feedback &feedback) override;
    Status undeploy(Feedback &feedback) override;

private:
    QString path(const char *fileName) const { return m_dir.filePath(QString::fromLatin1(fileName)); }
    Expected<DeployFolderState> readState();
    Status writeState(const DeployFolderState &state);
    /// Takes the folder's lock (creating the folder when `create`), then reads its state.
    Expected<DeployFolderState> lockAndRead(QLockFile &lockFile, bool create);
    /// Copies the bundle to a new file in the folder; returns its path.
    Expected<QString> copyBeside(const PushRequest &request, Feedback &feedback);

    QDir m_dir;
};

Expected<DeployFolderState> FolderTarget::lockAndRead(QLockFile &lockFile, bool create)
{
    if (create && !m_dir.mkpath(QStringLiteral(".")))
        return fail(QStringLiteral("cannot create the folder %1").arg(m_dir.path()));
    if (!m_dir.exists())
        return fail(QStringLiteral("the folder %1 does not exist").arg(m_dir.path()));
    lockFile.setStaleLockTime(0);
    if (!lockFile.tryLock(30000))
        return fail(QStringLiteral("%1 is locked by another deployment (%2)")
                        .arg(m_dir.path(),
                             lockFile.error() == QLockFile::PermissionError ? QStringLiteral("no permission")
                                                                            : QStringLiteral("timed out")),
                    lockFile.error() == QLockFile::PermissionError ? FailureKind::Permanent : FailureKind::Transient);
    return readState();
}

Expected<DeployFolderState> FolderTarget::readState()
{
    QFile file(path(kDeployStateFile));
    if (!file.exists())
        return DeployFolderState {};
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
    auto state = DeployFolderState::fromJson(file.readAll());
    if (!state)
        return fail(m_dir.path() + QLatin1Char('/') + state.errorMessage());
    return state;
}

Status FolderTarget::writeState(const DeployFolderState &state)
{
    QSaveFile file(path(kDeployStateFile));
    if (!file.open(QIODevice::WriteOnly) || file.write(state.toJson()) < 0 || !file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()),
                    FailureKind::Transient);
    return Status::success();
}

Expected<QString> FolderTarget::copyBeside(const PushRequest &request, Feedback &feedback)
{
    QFile source(request.bundlePath);
    if (!source.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the bundle %1: %2").arg(request.bundlePath, source.errorString()));
    const QString tempPath
        = m_dir.filePath(QStringLiteral(".upload-%1.kiln.tar.gz").arg(QUuid::createUuid().toString(QUuid::Id128)));
    QFile temp(tempPath);
    if (!temp.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return fail(QStringLiteral("cannot write in %1: %2").arg(m_dir.path(), temp.errorString()));
    auto removeTemp = qScopeGuard([&temp] { temp.remove(); });
    Sha256 hash;
    const qint64 total = qMax<qint64>(1, source.size());
    qint64 done = 0;
    QByteArray chunk;
    while (!source.atEnd()) {
        if (feedback.isCanceled())
            return fail(QStringLiteral("cancelled"));
        chunk = source.read(kCopyChunk);
        if (chunk.isEmpty() && source.error() != QFileDevice::NoError)
            return fail(QStringLiteral("cannot read the bundle %1: %2").arg(request.bundlePath, source.errorString()));
        if (temp.write(chunk) != chunk.size())
            return fail(QStringLiteral("cannot write %1: %2").arg(tempPath, temp.errorString()),
                        FailureKind::Transient);
        hash.addData(chunk);
        done += chunk.size();
        feedback.setProgress(0.95 * double(done) / double(total));
    }
    if (!temp.flush())
        return fail(QStringLiteral("cannot write %1: %2").arg(tempPath, temp.errorString()), FailureKind::Transient);
    temp.close();
    const QString sha = QString::fromLatin1(hash.hexResult());
    if (!request.sha256.isEmpty() && sha != request.sha256)
        return fail(QStringLiteral("the bundle %1 changed while it was copied (SHA-256 %2, expected %3)")
                        .arg(request.bundlePath, sha, request.sha256),
                    FailureKind::Transient);
    removeTemp.dismiss();
    return tempPath;
}

Status FolderTarget::push(const PushRequest &request, Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    QLockFile lockFile(path(".kiln-deploy.lock"));
    auto state = lockAndRead(lockFile, true);
    if (!state)
        return state.error();
    feedback.setStatusText(QStringLiteral("copying the bundle to %1").arg(m_dir.path()));
    auto temp = copyBeside(request, feedback);
    if (!temp)
        return temp.error();
    auto removeTemp = qScopeGuard([&temp] { QFile::remove(*temp); });
    if (feedback.isCanceled())
        return fail(QStringLiteral("cancelled"));

    // The switch: current becomes previous, the copy becomes current.
    const QString current = path(kCurrentBundleFile);
    const QString previous = path(kPreviousBundleFile);
    const bool hadCurrent = QFile::exists(current);
    if (hadCurrent) {
        if (QFile::exists(previous) && !QFile::remove(previous))
            return fail(QStringLiteral("cannot replace %1").arg(previous));
        if (!QFile::rename(current, previous))
            return fail(QStringLiteral("cannot move %1 to %2").arg(current, previous));
    }
    if (!QFile::rename(*temp, current)) {
        if (hadCurrent)
            QFile::rename(previous, current);
        return fail(QStringLiteral("cannot move the new bundle to %1").arg(current));
    }
    removeTemp.dismiss();
    if (Status written = writeState(state->pushed(request, hadCurrent, QFile::exists(previous))); !written)
        return written;
    feedback.setProgress(1.0);
    return Status::success();
}

Expected<TargetStatus> FolderTarget::status(Feedback &)
{
    TargetStatus result;
    const QFileInfo info(m_dir.path());
    if (!info.exists()) {
        // Nothing pushed yet: the first push creates it.
        result.reachable = true;
        result.health = QStringLiteral("empty");
        result.detail = QStringLiteral("the folder %1 does not exist yet").arg(m_dir.path());
        return result;
    }
    if (!info.isDir() || !info.isReadable()) {
        result.health = QStringLiteral("down");
        result.detail = info.isDir() ? QStringLiteral("the folder %1 is not readable").arg(m_dir.path())
                                     : QStringLiteral("%1 is not a folder").arg(m_dir.path());
        return result;
    }
    auto state = readState();
    if (!state)
        return state.error();
    result.reachable = true;
    state->describe(result, QFile::exists(path(kCurrentBundleFile)), QFile::exists(path(kPreviousBundleFile)));
    return result;
}

Status FolderTarget::rollback(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    QLockFile lockFile(path(".kiln-deploy.lock"));
    auto state = lockAndRead(lockFile, false);
    if (!state)
        return state.error();
    const QString current = path(kCurrentBundleFile);
    const QString previous = path(kPreviousBundleFile);
    if (!state->previous || !QFile::exists(previous))
        return fail(QStringLiteral("there is no previous version to roll back to"));
    if (feedback.isCanceled())
        return fail(QStringLiteral("cancelled"));
    // Swap through a third name; undone step by step when a rename fails.
    const QString parked
        = m_dir.filePath(QStringLiteral(".rollback-%1.kiln.tar.gz").arg(QUuid::createUuid().toString(QUuid::Id128)));
    const bool hadCurrent = QFile::exists(current);
    if (hadCurrent && !QFile::rename(current, parked))
        return fail(QStringLiteral("cannot move %1 aside").arg(current));
    if (!QFile::rename(previous, current)) {
        if (hadCurrent)
            QFile::rename(parked, current);
        return fail(QStringLiteral("cannot move %1 to %2").arg(previous, current));
    }
    if (hadCurrent && !QFile::rename(parked, previous))
        return fail(QStringLiteral("cannot move the replaced bundle to %1").arg(previous));
    if (Status written = writeState(state->rolledBack(hadCurrent)); !written)
        return written;
    feedback.setProgress(1.0);
    return Status::success();
}

Status FolderTarget::undeploy(Feedback &feedback)
{
    m_failure = FailureKind::Permanent;
    if (!m_dir.exists())
        return Status::success(); // nothing was ever pushed here
    QLockFile lockFile(path(".kiln-deploy.lock"));
    auto state = lockAndRead(lockFile, false);
    if (!state)
        return state.error();
    const QString current = path(kCurrentBundleFile);
    const QString previous = path(kPreviousBundleFile);
    if (!QFile::exists(current))
        return Status::success();
    // The undeployed bundle stays as the previous one, so a rollback brings it back.
    if (QFile::exists(previous) && !QFile::remove(previous))
        return fail(QStringLiteral("cannot replace %1").arg(previous));
    if (!QFile::rename(current, previous))
        return fail(QStringLiteral("cannot move %1 to %2").arg(current, previous));
    if (Status written = writeState(state->undeployed()); !written)
        return written;
    feedback.setProgress(1.0);
    return Status::success();
}

class FolderTargetKind final : public TargetKind
{
public:
    QString id() const override { return QStringLiteral("folder"); }
    QString displayName() const override { return QStringLiteral("Folder"); }
    QList<TargetField> fields() const override
    {
        TargetField location = targetField("location", "Folder", "/srv/models/churn",
                                           "A local or mounted folder; it keeps the current and the previous bundle.");
        location.required = true;
        return {location};
    }
    Status validate(const TargetConfig &config) const override
    {
        const QString location = config.location.trimmed();
        if (location.isEmpty())
            return Error {QStringLiteral("location: a folder is required")};
        if (!QDir::isAbsolutePath(location))
            return Error {QStringLiteral("location: '%1' is not an absolute path").arg(config.location)};
        const QFileInfo info(location);
        if (info.exists() && !info.isDir())
            return Error {QStringLiteral("location: '%1' is a file, not a folder").arg(config.location)};
        return Status::success();
    }
    std::unique_ptr<DeployTarget> create(const TargetConfig &config, const QByteArray &) const override
    {
        return std::make_unique<FolderTarget>(config);
    }
};

} // namespace

const TargetKind *folderTargetKind()
{
    static const FolderTargetKind kind;
    return &kind;
}

} // namespace kiln::Internal
