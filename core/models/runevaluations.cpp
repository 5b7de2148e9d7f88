#include "models/runevaluations.h"

#include "runs/runstore.h"
#include "runs/runtable.h"
#include "workspace/workspace.h"

#include <QFutureWatcher>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

namespace kiln {

RunEvaluations::RunEvaluations(QObject *parent)
    : QObject(parent)
{ }

RunEvaluations::~RunEvaluations() = default;

void RunEvaluations::setRuns(Workspace *workspace, const RunTable &table, const std::vector<int> &rows)
{
    const QString databasePath = workspace ? workspace->databasePath() : QString();
    if (databasePath != m_databasePath) {
        m_databasePath = databasePath;
        m_known.clear();
        m_read.clear();
    }
    m_runIds.clear();
    // One query for every run whose evaluation may still come (not one per run): a run that
    // ended, or already has one, is settled.
    std::vector<qint64> unsettled;
    for (int row : rows) {
        const qint64 runId = table.runId(row);
        m_runIds.push_back(runId);
        if (!m_known.value(runId).settled)
            unsettled.push_back(runId);
    }
    Expected<QHash<qint64, QString>> blobs = QHash<qint64, QString>();
    if (workspace && !unsettled.empty())
        blobs = RunStore(workspace->db()).artifactBlobs(unsettled, QStringLiteral("evaluation.json"));
    QHash<qint64, Known> known;
    QList<QPair<QString, QString>> toRead; // blob, file
    QSet<QString> shas;
    for (int row : rows) {
        const qint64 runId = table.runId(row);
        Known entry = m_known.value(runId);
        if (!entry.settled && workspace) {
            entry = {};
            if (!blobs) {
                entry.error = tr("cannot list the artifacts of run #%1: %2").arg(runId).arg(blobs.errorMessage());
            } else {
                entry.sha256 = blobs->value(runId);
                entry.settled = isTerminal(table.status(row)) || !entry.sha256.isEmpty();
            }
        }
        if (!entry.sha256.isEmpty()) {
            shas.insert(entry.sha256);
            if (!m_read.contains(entry.sha256)) {
                m_read.insert(entry.sha256, {entry.sha256, nullptr, {}});
                toRead.append({entry.sha256, workspace->blobs().pathFor(entry.sha256)});
            }
        }
        known.insert(runId, entry);
    }
    m_known = std::move(known);
    // Keep what the current runs use; a read still under way puts its blob back, harmlessly.
    for (auto it = m_read.begin(); it != m_read.end();)
        it = shas.contains(it.key()) ? std::next(it) : m_read.erase(it);
    if (toRead.isEmpty())
        return;

    ++m_pending;
    auto *watcher = new QFutureWatcher<QList<Read>>(this);
    connect(watcher, &QFutureWatcher<QList<Read>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QList<Read> reads = watcher->result();
        for (const Read &read : reads)
            m_read.insert(read.sha256, read);
        if (--m_pending == 0)
            Q_EMIT ready();
    });
    watcher->setFuture(QtConcurrent::run([toRead] {
        QList<Read> reads;
        for (const auto &[sha256, path] : toRead) {
            Expected<EvaluationData> data = EvaluationData::fromFile(path);
            if (data)
                reads.append({sha256, std::make_shared<const EvaluationData>(std::move(data).value()), {}});
            else
                reads.append({sha256, nullptr, data.errorMessage()});
        }
        return reads;
    }));
}

std::shared_ptr<const EvaluationData> RunEvaluations::evaluation(qint64 runId) const
{
    const auto known = m_known.constFind(runId);
    if (known == m_known.cend() || known->sha256.isEmpty())
        return nullptr;
    return m_read.value(known->sha256).data;
}

QString RunEvaluations::error(qint64 runId) const
{
    const auto known = m_known.constFind(runId);
    if (known == m_known.cend())
        return {};
    if (!known->error.isEmpty() || known->sha256.isEmpty())
        return known->error;
    return m_read.value(known->sha256).error;
}

std::vector<qint64> RunEvaluations::runsWithoutEvaluation() const
{
    std::vector<qint64> runs;
    for (qint64 runId : m_runIds) {
        const Known known = m_known.value(runId);
        if (known.sha256.isEmpty() || !m_read.value(known.sha256).error.isEmpty())
            runs.push_back(runId);
    }
    return runs;
}

QStringList RunEvaluations::signature() const
{
    QStringList signature;
    for (qint64 runId : m_runIds)
        signature << m_known.value(runId).sha256;
    return signature;
}

} // namespace kiln
