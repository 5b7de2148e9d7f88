// AgentStore: kiln-serve's bundles on disk and which one is current, kept so that a kill at
// any moment leaves the last good state (see agentstore.h for the layout).
#include "serving/agentstore.h"

#include "registry/bundle.h"
#include "util/sha256.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace kiln {

namespace {

const QLatin1String kStateFile("state.json");
const QLatin1String kBundlesDir("bundles");
const QLatin1String kIncomingDir("incoming");
// The name a pushed bundle is verified under: readBundle()'s messages name it.
const QLatin1String kIncomingName("pushed.kiln.tar.gz");

QJsonValue shaOrNull(const QString &sha)
{
    return sha.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(sha);
}

} // namespace

AgentStore::AgentStore(QString dataDir)
    : m_dir(std::move(dataDir))
{ }

QString AgentStore::bundlePath(const QString &sha256) const
{
    return m_dir + QLatin1Char('/') + kBundlesDir + QLatin1Char('/') + sha256 + QLatin1String(bundle::kSuffix);
}

Status AgentStore::readState()
{
    m_current.clear();
    m_previous.clear();
    const QString path = m_dir + QLatin1Char('/') + kStateFile;
    QFile file(path);
    if (!file.exists())
        return {};
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    const auto damaged = [&](const QString &reason) {
        return Error {QStringLiteral("%1 is damaged (%2): move it away to start without a model").arg(path, reason)};
    };
    if (parseError.error != QJsonParseError::NoError)
        return damaged(parseError.errorString());
    if (!document.isObject())
        return damaged(QStringLiteral("not a JSON object"));
    const QJsonObject state = document.object();
    for (const QLatin1String key : {QLatin1String("current"), QLatin1String("previous")}) {
        const QJsonValue value = state.value(key);
        if (value.isNull() || value.isUndefined())
            continue;
        if (!isSha256Hex(value.toString()))
            return damaged(QStringLiteral("\"%1\" is not a SHA-256").arg(key));
        (key == QLatin1String("current") ? m_current : m_previous) = value.toString();
    }
    return {};
}

Status AgentStore::writeState(QString current, QString previous)
{
    const QString path = m_dir + QLatin1Char('/') + kStateFile;
    QSaveFile file(path);
    const QJsonObject state {{QLatin1String("current"), shaOrNull(current)},
                             {QLatin1String("previous"), shaOrNull(previous)},
                             {QLatin1String("updatedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}};
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(state).toJson()) < 0 || !file.commit())
        return Error {QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    m_current = std::move(current);
    m_previous = std::move(previous);
    removeUnnamedFiles();
    return {};
}

void AgentStore::removeUnnamedFiles() const
{
    QDir bundles(m_dir + QLatin1Char('/') + kBundlesDir);
    const QString keepCurrent = m_current + QLatin1String(bundle::kSuffix);
    const QString keepPrevious = m_previous + QLatin1String(bundle::kSuffix);
    for (const QString &name : bundles.entryList(QDir::Files | QDir::Hidden)) {
        if ((m_current.isEmpty() || name != keepCurrent) && (m_previous.isEmpty() || name != keepPrevious))
            bundles.remove(name);
    }
    QDir incoming(m_dir + QLatin1Char('/') + kIncomingDir);
    for (const QString &name : incoming.entryList(QDir::Files | QDir::Hidden))
        incoming.remove(name);
    // QSaveFile's temporary copies of state.json, left by a kill in the middle of a write.
    QDir root(m_dir);
    for (const QString &name : root.entryList({kStateFile + QLatin1String(".*")}, QDir::Files | QDir::Hidden))
        root.remove(name);
}

Expected<std::shared_ptr<const ServedModel>> AgentStore::loadCurrent(QString *warning)
{
    for (const QLatin1String sub : {kBundlesDir, kIncomingDir}) {
        if (!QDir().mkpath(m_dir + QLatin1Char('/') + sub))
            return Error {QStringLiteral("cannot create the data folder %1").arg(QDir::toNativeSeparators(m_dir))};
    }
    if (!QFileInfo(m_dir).isWritable())
        return Error {QStringLiteral("the data folder %1 is not writable").arg(QDir::toNativeSeparators(m_dir))};
    if (Status read = readState(); !read)
        return read.error();
    removeUnnamedFiles();
    if (m_current.isEmpty())
        return std::shared_ptr<const ServedModel>();

    Expected<std::shared_ptr<const ServedModel>> current = ServedModel::fromBundle(bundlePath(m_current));
    if (current)
        return current;
    QString message = QStringLiteral("the current bundle does not load: %1").arg(current.errorMessage());
    if (!m_previous.isEmpty()) {
        Expected<std::shared_ptr<const ServedModel>> previous = ServedModel::fromBundle(bundlePath(m_previous));
        if (previous) {
            // Both files stay: the failed one as previous, so that nothing is lost if the
            // cause passes (a trainer plugin missing from this build, say).
            if (Status written = writeState(m_previous, m_current); !written)
                return written.error();
            message
                += QStringLiteral("; serving the previous one, %1@%2").arg((*previous)->name).arg((*previous)->version);
            if (warning)
                *warning = message;
            return previous;
        }
        message += QStringLiteral("; nor does the previous one: %1").arg(previous.errorMessage());
    }
    if (warning)
        *warning = message + QStringLiteral("; starting without a model");
    return std::shared_ptr<const ServedModel>();
}

Expected<std::shared_ptr<const ServedModel>> AgentStore::loadPrevious()
{
    if (m_previous.isEmpty())
        return std::shared_ptr<const ServedModel>();
    return ServedModel::fromBundle(bundlePath(m_previous));
}

Expected<std::shared_ptr<const ServedModel>> AgentStore::install(const QByteArray &bundleBytes, bool *refused)
{
    if (refused)
        *refused = false;
    const QString sha = QString::fromLatin1(Sha256::hexHash(bundleBytes));
    const QString target = bundlePath(sha);
    const bool known = (sha == m_current || sha == m_previous) && QFileInfo::exists(target);
    const QString incomingPath = m_dir + QLatin1Char('/') + kIncomingDir + QLatin1Char('/') + kIncomingName;
    if (!known) {
        if (!QDir().mkpath(m_dir + QLatin1Char('/') + kIncomingDir)
            || !QDir().mkpath(m_dir + QLatin1Char('/') + kBundlesDir))
            return Error {QStringLiteral("cannot create the data folder %1").arg(QDir::toNativeSeparators(m_dir))};
        QSaveFile file(incomingPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(bundleBytes) != bundleBytes.size() || !file.commit())
            return Error {QStringLiteral("cannot write %1: %2").arg(incomingPath, file.errorString())};
    }

    Expected<std::shared_ptr<const ServedModel>> model = ServedModel::fromBundle(known ? target : incomingPath);
    if (!model) {
        if (!known)
            QFile::remove(incomingPath);
        if (refused)
            *refused = true;
        return model;
    }
    if (!known) {
        QFile::remove(target); // a copy no state named (a push cut short)
        if (!QFile::rename(incomingPath, target)) {
            QFile::remove(incomingPath);
            return Error {QStringLiteral("cannot move the bundle into %1").arg(target)};
        }
    }
    QString previous = m_previous;
    if (sha != m_current && !m_current.isEmpty())
        previous = m_current;
    if (previous == sha)
        previous.clear();
    if (Status written = writeState(sha, previous); !written)
        return written.error();
    return model;
}

Expected<std::shared_ptr<const ServedModel>> AgentStore::rollback()
{
    if (m_previous.isEmpty())
        return Error {QStringLiteral("there is no previous bundle to roll back to")};
    Expected<std::shared_ptr<const ServedModel>> model = ServedModel::fromBundle(bundlePath(m_previous));
    if (!model)
        return Error {QStringLiteral("the previous bundle does not load: %1").arg(model.errorMessage())};
    if (Status written = writeState(m_previous, m_current); !written)
        return written.error();
    return model;
}

Status AgentStore::clear()
{
    if (m_current.isEmpty())
        return {};
    return writeState(QString(), m_current);
}

} // namespace kiln
