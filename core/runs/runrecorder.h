#pragma once

#include "runs/runstore.h"
#include "training/trainer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QMutex>

#include <memory>
#include <vector>

namespace kiln {

class Workspace;

/// Records what a running run reports: step metrics (buffered, written in batches), params,
/// tags, results, log lines (to the live log file `runs/<uuid>/log.txt`) and artifacts (into
/// the blob store). Buffers may be filled from any thread; writes to the database happen on
/// the thread that owns `workspace` (the run's worker thread), in flush() and the log* calls.
class RunRecorder final : public TrainingLogger
{
public:
    RunRecorder(Workspace &workspace, const RunRecord &run);
    ~RunRecorder() override;
    RunRecorder(const RunRecorder &) = delete;
    RunRecorder &operator=(const RunRecorder &) = delete;

    QString logPath() const { return m_log.fileName(); }
    QString runFolder() const { return m_folder; }

    void logMetric(const QString &key, qint64 step, double value) override;
    void logLine(const QString &line) override;
    /// A metric point from any thread (the system sampler); written at the next flush.
    void queueMetric(const QString &key, qint64 step, double value);
    void logRawLine(QByteArrayView line);

    Status logParam(const QString &key, const QString &value);
    Status logTag(const QString &key, const QString &value);
    Status logResults(const QMap<QString, double> &results);
    /// Stores the file under `name` as an artifact of the run.
    Status addArtifactFile(const QString &path, const QString &name);
    Status addArtifactBytes(const QString &name, const QByteArray &bytes);

    /// Writes buffered metric points now.
    Status flush();
    /// Flushes when the buffer is large or a second has passed: called on the run's thread.
    void flushIfDue();
    /// Stores the log as the artifact "log.txt" (call once, at the end).
    Status storeLog();
    /// The first error met while recording (a full disk...), if any.
    const Status &status() const { return m_status; }

private:
    Workspace &m_workspace;
    RunStore m_store;
    qint64 m_runId;
    QString m_folder;
    QFile m_log;
    QMutex m_mutex;
    QHash<QString, std::vector<MetricPoint>> m_pending;
    qint64 m_pendingCount = 0;
    QElapsedTimer m_sinceFlush;
    Status m_status;
};

} // namespace kiln
