#include "runs/runrecorder.h"

#include "workspace/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QMutexLocker>

namespace kiln {
namespace {
constexpr qint64 kFlushPoints = 50'000;
constexpr qint64 kFlushMs = 1000;
} // namespace

RunRecorder::RunRecorder(Workspace &workspace, const RunRecord &run)
    : m_workspace(workspace)
    , m_store(workspace.db())
    , m_runId(run.id)
    , m_folder(workspace.root() + QLatin1String("/runs/") + run.uuid)
{
    QDir().mkpath(m_folder);
    m_log.setFileName(m_folder + QLatin1String("/log.txt"));
    if (!m_log.open(QIODevice::WriteOnly | QIODevice::Append))
        m_status = Error {QStringLiteral("cannot write the run log %1: %2").arg(m_log.fileName(), m_log.errorString())};
    m_sinceFlush.start();
}

RunRecorder::~RunRecorder()
{
    flush();
}

void RunRecorder::queueMetric(const QString &key, qint64 step, double value)
{
    QMutexLocker lock(&m_mutex);
    m_pending[key].push_back({step, QDateTime::currentMSecsSinceEpoch(), value});
    ++m_pendingCount;
}

void RunRecorder::logMetric(const QString &key, qint64 step, double value)
{
    queueMetric(key, step, value);
    flushIfDue();
}

void RunRecorder::logLine(const QString &line)
{
    logRawLine(line.toUtf8());
}

void RunRecorder::logRawLine(QByteArrayView line)
{
    QMutexLocker lock(&m_mutex);
    m_log.write(line.data(), line.size());
    m_log.write("\n", 1);
    m_log.flush(); // the UI tails this file while the run goes on
}

Status RunRecorder::logParam(const QString &key, const QString &value)
{
    return m_store.setParams(m_runId, {{key, value}});
}

Status RunRecorder::logTag(const QString &key, const QString &value)
{
    return m_store.setTags(m_runId, {{key, value}});
}

Status RunRecorder::logResults(const QMap<QString, double> &results)
{
    return m_store.setResults(m_runId, results);
}

Status RunRecorder::addArtifactFile(const QString &path, const QString &name)
{
    auto sha = m_workspace.blobs().addFile(path);
    if (!sha)
        return sha.error();
    return m_store.addArtifact(m_runId, name, *sha, QFileInfo(path).size());
}

Status RunRecorder::addArtifactBytes(const QString &name, const QByteArray &bytes)
{
    auto writer = m_workspace.blobs().beginWrite();
    if (!writer)
        return writer.error();
    if (Status s = (*writer)->write(bytes.constData(), bytes.size()); !s)
        return s;
    auto sha = (*writer)->commit();
    if (!sha)
        return sha.error();
    return m_store.addArtifact(m_runId, name, *sha, bytes.size());
}

Status RunRecorder::flush()
{
    QHash<QString, std::vector<MetricPoint>> batch;
    {
        QMutexLocker lock(&m_mutex);
        batch.swap(m_pending);
        m_pendingCount = 0;
    }
    m_sinceFlush.restart();
    if (batch.isEmpty())
        return {};
    Status s = m_store.appendMetrics(m_runId, batch);
    if (!s && m_status.ok())
        m_status = s;
    return s;
}

void RunRecorder::flushIfDue()
{
    qint64 pending = 0;
    {
        QMutexLocker lock(&m_mutex);
        pending = m_pendingCount;
    }
    if (pending >= kFlushPoints || (pending > 0 && m_sinceFlush.elapsed() >= kFlushMs))
        flush();
}

Status RunRecorder::storeLog()
{
    {
        QMutexLocker lock(&m_mutex);
        m_log.flush();
    }
    return addArtifactFile(m_log.fileName(), QStringLiteral("log.txt"));
}

} // namespace kiln
