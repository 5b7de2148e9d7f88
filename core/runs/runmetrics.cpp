// RunStore's step metrics: points stored as packed little-endian chunks, with a summary row
// per series (count, last, min, max) for the runs table. The summary is over the numeric
// points: NaN points are kept in the chunks but left out of last/min/max; a series of only NaN
// keeps the empty summary (min +inf, max -inf, last 0 at step 0).
#include "runs/runstore.h"

#include "runs/runmetrics_p.h"

#include <QtEndian>

#include <cmath>
#include <cstring>
#include <limits>

namespace kiln {
namespace {

constexpr qint64 kChunkPoints = 8192;
/// A last chunk smaller than this is topped up (rewritten) by the next append; a larger one is
/// left alone. Bounds the rewrite to ~24 KB per append while keeping trickled points in few rows.
constexpr qint64 kTopUpBelow = 1024;
constexpr int kPointBytes = 24; // int64 step, int64 time (ms), double value; little-endian

void encodePoints(const MetricPoint *points, qint64 count, QByteArray &out)
{
    const qsizetype base = out.size();
    out.resize(base + count * kPointBytes);
    char *p = out.data() + base;
    for (qint64 i = 0; i < count; ++i, p += kPointBytes) {
        qToLittleEndian<qint64>(points[i].step, p);
        qToLittleEndian<qint64>(points[i].timeMs, p + 8);
        quint64 bits = 0;
        std::memcpy(&bits, &points[i].value, 8);
        qToLittleEndian<quint64>(bits, p + 16);
    }
}

void decodePoints(const QByteArray &bytes, std::vector<MetricPoint> &out)
{
    const char *p = bytes.constData();
    for (qsizetype i = 0; i + kPointBytes <= bytes.size(); i += kPointBytes, p += kPointBytes) {
        MetricPoint point;
        point.step = qFromLittleEndian<qint64>(p);
        point.timeMs = qFromLittleEndian<qint64>(p + 8);
        const quint64 bits = qFromLittleEndian<quint64>(p + 16);
        std::memcpy(&point.value, &bits, 8);
        out.push_back(point);
    }
}

} // namespace

Status RunStore::appendMetrics(qint64 runId, const QHash<QString, std::vector<MetricPoint>> &points)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return tx.beginStatus();
    if (Status s = Internal::appendMetricPoints(m_db, runId, points); !s)
        return s;
    return tx.commit();
}

namespace Internal {

Status appendMetricPoints(Database &db, qint64 runId, const QHash<QString, std::vector<MetricPoint>> &points)
{
    auto findSeries = db.prepare("SELECT id, count FROM metric_series WHERE run_id = ? AND key = ?");
    // A new series starts with the empty summary (min +inf, max -inf): the first numeric point
    // replaces both, and a series of only NaN keeps it (it has no number to show).
    auto insertSeries = db.prepare(
        "INSERT INTO metric_series(run_id, key, count, last_step, last_value, min_value, max_value, last_time) "
        "VALUES(?, ?, 0, 0, 0, ?, ?, 0)");
    auto updateCount = db.prepare("UPDATE metric_series SET count = count + ? WHERE id = ?");
    auto updateSeries = db.prepare(
        "UPDATE metric_series SET last_step = ?1, last_value = ?2, min_value = CASE WHEN ?3 < min_value "
        "THEN ?3 ELSE min_value END, max_value = CASE WHEN ?4 > max_value THEN ?4 ELSE max_value END, last_time = ?5 "
        "WHERE id = ?6");
    auto lastChunk
        = db.prepare("SELECT seq, count, points FROM metric_chunks WHERE series_id = ? ORDER BY seq DESC LIMIT 1");
    auto writeChunk
        = db.prepare("INSERT INTO metric_chunks(series_id, seq, count, points) VALUES(?, ?, ?, ?) "
                     "ON CONFLICT(series_id, seq) DO UPDATE SET count = excluded.count, points = excluded.points");
    for (auto *stmt : {&findSeries, &insertSeries, &updateCount, &updateSeries, &lastChunk, &writeChunk}) {
        if (!*stmt)
            return stmt->error();
    }
    QByteArray buffer;
    for (auto it = points.begin(); it != points.end(); ++it) {
        const std::vector<MetricPoint> &series = it.value();
        if (series.empty())
            continue;
        // The summary covers numeric points only: NaN (MLflow logs it) stays in the chunks,
        // where a chart draws it as a gap, but SQLite cannot keep it in a REAL NOT NULL column.
        const MetricPoint *lastNumber = nullptr;
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        for (const MetricPoint &p : series) {
            if (std::isnan(p.value))
                continue;
            lo = std::min(lo, p.value);
            hi = std::max(hi, p.value);
            lastNumber = &p;
        }
        findSeries->bind(1, runId).bind(2, it.key());
        qint64 seriesId = 0;
        if (findSeries->next()) {
            seriesId = findSeries->int64(0);
        } else {
            insertSeries->bind(1, runId).bind(2, it.key()).bind(3, lo).bind(4, hi);
            if (Status s = insertSeries->exec(); !s)
                return s;
            seriesId = db.lastInsertId();
        }
        findSeries->reset();

        // Top up a small last chunk first, so that points logged a few at a time still end up
        // in chunks rather than one row each.
        qint64 seq = 0;
        qint64 done = 0;
        lastChunk->bind(1, seriesId);
        if (lastChunk->next()) {
            seq = lastChunk->int64(0);
            const qint64 have = lastChunk->int64(1);
            if (have < kTopUpBelow) {
                buffer = lastChunk->blob(2);
                done = std::min<qint64>(kTopUpBelow - have, qint64(series.size()));
                encodePoints(series.data(), done, buffer);
                lastChunk->reset();
                writeChunk->bind(1, seriesId).bind(2, seq).bind(3, have + done).bindBlob(4, buffer);
                if (Status s = writeChunk->exec(); !s)
                    return s;
            }
            ++seq;
        }
        lastChunk->reset();
        while (done < qint64(series.size())) {
            const qint64 n = std::min<qint64>(kChunkPoints, qint64(series.size()) - done);
            buffer.clear();
            encodePoints(series.data() + done, n, buffer);
            writeChunk->bind(1, seriesId).bind(2, seq).bind(3, n).bindBlob(4, buffer);
            if (Status s = writeChunk->exec(); !s)
                return s;
            done += n;
            ++seq;
        }
        updateCount->bind(1, qint64(series.size())).bind(2, seriesId);
        if (Status s = updateCount->exec(); !s)
            return s;
        if (!lastNumber)
            continue;
        updateSeries->bind(1, lastNumber->step)
            .bind(2, lastNumber->value)
            .bind(3, lo)
            .bind(4, hi)
            .bind(5, lastNumber->timeMs)
            .bind(6, seriesId);
        if (Status s = updateSeries->exec(); !s)
            return s;
    }
    return {};
}

} // namespace Internal

Expected<QList<MetricSummary>> RunStore::metricSummaries(qint64 runId) const
{
    auto stmt = m_db.prepare("SELECT key, count, last_step, last_value, min_value, max_value FROM metric_series "
                             "WHERE run_id = ? ORDER BY key");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, runId);
    QList<MetricSummary> list;
    while (stmt->next())
        list.append({stmt->text(0), stmt->int64(1), stmt->int64(2), stmt->real(3), stmt->real(4), stmt->real(5)});
    return list;
}

Expected<std::vector<MetricPoint>> RunStore::metricPoints(qint64 runId, const QString &key, qint64 fromIndex) const
{
    auto stmt = m_db.prepare("SELECT c.count, c.points FROM metric_chunks c JOIN metric_series s ON s.id = c.series_id "
                             "WHERE s.run_id = ? AND s.key = ? ORDER BY c.seq");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, runId).bind(2, key);
    std::vector<MetricPoint> points;
    qint64 seen = 0;
    while (stmt->next()) {
        const qint64 count = stmt->int64(0);
        if (seen + count <= fromIndex) {
            seen += count;
            continue;
        }
        const std::size_t before = points.size();
        decodePoints(stmt->blob(1), points);
        if (seen < fromIndex) // the first chunk that reaches fromIndex: drop its older points
            points.erase(points.begin() + std::ptrdiff_t(before),
                         points.begin() + std::ptrdiff_t(before + std::size_t(fromIndex - seen)));
        seen += count;
    }
    return points;
}

} // namespace kiln
