// Metric store ingest: points/s through RunStore::appendMetrics (batches, packed chunks)
// against a raw SQLite insert of the same rows (one row per point, one prepared statement, one
// transaction) in the same process. Not a test: prints figures and the ratio.
#include "runs/runstore.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <cstdio>

using namespace kiln;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    constexpr qint64 kPoints = 2'000'000;
    constexpr qint64 kBatch = 10'000;
    constexpr int kSeries = 4;
    QTemporaryDir dir;

    auto ws = Workspace::open(dir.filePath(QStringLiteral("ws")));
    if (!ws) {
        std::fprintf(stderr, "%s\n", qPrintable(ws.errorMessage()));
        return 1;
    }
    RunStore store((*ws)->db());
    auto run = store.createRun(RunSpec {});
    const QString names[kSeries] = {QStringLiteral("metric/0"), QStringLiteral("metric/1"), QStringLiteral("metric/2"),
                                    QStringLiteral("metric/3")};
    QElapsedTimer clock;
    clock.start();
    for (qint64 done = 0; done < kPoints; done += kBatch) {
        QHash<QString, std::vector<MetricPoint>> batch;
        for (qint64 i = done; i < done + kBatch; ++i)
            batch[names[i % kSeries]].push_back({i / kSeries, 1'700'000'000'000 + i, 1.0 / double(i + 1)});
        if (Status s = store.appendMetrics(run->id, batch); !s) {
            std::fprintf(stderr, "%s\n", qPrintable(s.errorMessage()));
            return 1;
        }
    }
    const double kilnSeconds = double(clock.nsecsElapsed()) / 1e9;

    // Baseline: the obvious schema, one row per point, in the same WAL mode.
    sqlite3 *db = nullptr;
    sqlite3_open(dir.filePath(QStringLiteral("raw.db")).toUtf8().constData(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                 "CREATE TABLE metrics(run_id INTEGER, key TEXT, step INTEGER, ts INTEGER, value REAL)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt *insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO metrics VALUES(1, ?, ?, ?, ?)", -1, &insert, nullptr);
    const QByteArray keys[kSeries] = {"metric/0", "metric/1", "metric/2", "metric/3"};
    clock.restart();
    for (qint64 done = 0; done < kPoints; done += kBatch) {
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        for (qint64 i = done; i < done + kBatch; ++i) {
            const QByteArray &key = keys[i % kSeries];
            sqlite3_bind_text(insert, 1, key.constData(), int(key.size()), SQLITE_STATIC);
            sqlite3_bind_int64(insert, 2, i / kSeries);
            sqlite3_bind_int64(insert, 3, 1'700'000'000'000 + i);
            sqlite3_bind_double(insert, 4, 1.0 / double(i + 1));
            sqlite3_step(insert);
            sqlite3_reset(insert);
        }
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    const double rawSeconds = double(clock.nsecsElapsed()) / 1e9;
    sqlite3_finalize(insert);
    sqlite3_close(db);

    auto back = store.metricPoints(run->id, QStringLiteral("metric/1"));
    std::printf("metric ingest: %lld points in batches of %lld over %d series\n", kPoints, kBatch, kSeries);
    std::printf("kiln RunStore::appendMetrics: %8.0f ms  %12.0f points/s (read back %zu points of one series)\n",
                kilnSeconds * 1000, double(kPoints) / kilnSeconds, back ? back->size() : std::size_t(0));
    std::printf("raw SQLite row per point:     %8.0f ms  %12.0f points/s\n", rawSeconds * 1000,
                double(kPoints) / rawSeconds);
    std::printf("ratio kiln/raw points per second: %.1f (target: kiln >= 1,000,000 points/s)\n",
                rawSeconds / kilnSeconds);
    return 0;
}
