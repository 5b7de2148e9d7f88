// A team store (PostgreSQL 15 on loopback, started here) against a local workspace (SQLite) and
// against plain libpq, in the same run:
// - opening the runs table of 10,000 runs (RunTable::load) vs the same on SQLite, and vs
//   fetching the rows it reads with plain libpq queries (the floor);
// - metric ingest through RunStore::appendMetrics vs SQLite, and vs COPY of one row per point
//   (PostgreSQL's fastest bulk path);
// - two writer threads appending to one store at once (the store-wide write lock's cost).
// Not a test: prints one line per figure.
#include "benchworkspace.h"
#include "postgresserver.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <libpq-fe.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <thread>

using namespace kiln;

namespace {

constexpr int kRuns = 10'000;
constexpr qint64 kPoints = 400'000;
constexpr qint64 kBatch = 10'000;
constexpr int kSeries = 4;

QHash<QString, std::vector<MetricPoint>> batchFrom(qint64 first)
{
    static const QString names[kSeries] = {QStringLiteral("metric/0"), QStringLiteral("metric/1"),
                                           QStringLiteral("metric/2"), QStringLiteral("metric/3")};
    QHash<QString, std::vector<MetricPoint>> batch;
    for (qint64 i = first; i < first + kBatch; ++i)
        batch[names[i % kSeries]].push_back({i / kSeries, 1'700'000'000'000 + i, 1.0 / double(i + 1)});
    return batch;
}

/// Seconds to append kPoints to a new run of `location` (or 0 on failure, printed).
double ingest(const QString &location, qint64 points = kPoints)
{
    auto ws = Workspace::open(location, Workspace::OpenMode::OpenExisting);
    if (!ws) {
        std::fprintf(stderr, "%s\n", qPrintable(ws.errorMessage()));
        return 0;
    }
    RunStore store((*ws)->db());
    auto run = store.createRun(RunSpec {});
    if (!run) {
        std::fprintf(stderr, "%s\n", qPrintable(run.errorMessage()));
        return 0;
    }
    QElapsedTimer clock;
    clock.start();
    for (qint64 done = 0; done < points; done += kBatch) {
        if (Status s = store.appendMetrics(run->id, batchFrom(done)); !s) {
            std::fprintf(stderr, "%s\n", qPrintable(s.errorMessage()));
            return 0;
        }
    }
    return double(clock.nsecsElapsed()) / 1e9;
}

/// COPY of one row per point into a plain table, batch by batch, each batch one transaction.
double copyBaseline(const QString &url)
{
    PGconn *conn = PQconnectdb(url.toUtf8().constData());
    PQclear(PQexec(conn,
                   "CREATE TABLE raw_metrics(run_id BIGINT, key TEXT, step BIGINT, ts BIGINT, "
                   "value DOUBLE PRECISION)"));
    QElapsedTimer clock;
    clock.start();
    for (qint64 done = 0; done < kPoints; done += kBatch) {
        PQclear(PQexec(conn, "BEGIN"));
        PQclear(PQexec(conn, "COPY raw_metrics FROM STDIN"));
        QByteArray rows;
        rows.reserve(kBatch * 48);
        for (qint64 i = done; i < done + kBatch; ++i) {
            rows += "1\tmetric/" + QByteArray::number(i % kSeries) + '\t' + QByteArray::number(i / kSeries) + '\t'
                + QByteArray::number(1'700'000'000'000 + i) + '\t' + QByteArray::number(1.0 / double(i + 1), 'g', 17)
                + '\n';
        }
        PQputCopyData(conn, rows.constData(), int(rows.size()));
        PQputCopyEnd(conn, nullptr);
        PQclear(PQgetResult(conn));
        PQclear(PQexec(conn, "COMMIT"));
    }
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    PQfinish(conn);
    return seconds;
}

/// The rows RunTable::load reads, fetched with plain libpq, every value touched.
void plainFetch(const QString &url)
{
    PGconn *conn = PQconnectdb(url.toUtf8().constData());
    qint64 bytes = 0;
    for (const char *sql :
         {"SELECT r.id, r.uuid, e.name, r.parent_id, r.name, r.status, r.kind, r.spec, r.created_at, "
          "r.started_at, r.ended_at FROM runs r JOIN experiments e ON e.id = r.experiment_id",
          "SELECT run_id, key, value FROM run_params", "SELECT run_id, key, value FROM run_tags",
          "SELECT run_id, key, count, last_step, last_value, min_value, max_value FROM metric_series"}) {
        PGresult *result = PQexec(conn, sql);
        const int rows = PQntuples(result);
        const int columns = PQnfields(result);
        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < columns; ++c)
                bytes += PQgetlength(result, r, c);
        }
        PQclear(result);
    }
    PQfinish(conn);
    if (bytes == 0)
        std::fprintf(stderr, "plain fetch read nothing\n");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString why;
    test::PostgresServer *server = test::PostgresServer::shared(&why);
    if (!server) {
        std::fprintf(stderr, "bench_teamstore: %s\n", qPrintable(why));
        return 1;
    }
    QTemporaryDir dir;
    const QString local = dir.filePath(QStringLiteral("local"));
    const QString store = server->createDatabase(QStringLiteral("bench")) + QStringLiteral("?blobs=")
        + dir.filePath(QStringLiteral("blobs"));
    const QString plainUrl = server->url(QStringLiteral("bench"));
    for (const QString &location : {local, store}) {
        auto ws = Workspace::open(location);
        if (!ws) {
            std::fprintf(stderr, "%s\n", qPrintable(ws.errorMessage()));
            return 1;
        }
        QElapsedTimer clock;
        clock.start();
        if (Status s = bench::generateRuns((*ws)->db(), kRuns); !s) {
            std::fprintf(stderr, "generating runs: %s\n", qPrintable(s.errorMessage()));
            return 1;
        }
        // The generator names run ids itself: move the identity sequence past them.
        if ((*ws)->isTeamStore())
            (*ws)->db().exec("SELECT setval(pg_get_serial_sequence('runs', 'id'), (SELECT MAX(id) FROM runs))");
        std::printf("%s: %d runs x %d params x %d metrics generated in %.1f s\n",
                    (*ws)->isTeamStore() ? "team store" : "local", kRuns, bench::kParams, bench::kMetrics,
                    double(clock.elapsed()) / 1000.0);
    }

    // 1. The runs table.
    const auto load = [](const QString &databasePath) {
        return bench::medianMs(3, [&] {
            auto table = RunTable::load(databasePath);
            if (!table || (*table)->rowCount() != kRuns)
                std::fprintf(stderr, "RunTable::load: %s\n",
                             table ? "wrong row count" : qPrintable(table.errorMessage()));
        });
    };
    const double localLoad = load(local + QStringLiteral("/kiln.db"));
    const double storeLoad = load(store);
    const double plainLoad = bench::medianMs(3, [&] { plainFetch(plainUrl); });
    std::printf("runs table, %d runs: RunTable::load local %.1f ms, team store %.1f ms; plain libpq fetch of "
                "the same rows %.1f ms\n",
                kRuns, localLoad, storeLoad, plainLoad);
    std::printf("ratio team store / local: %.2f; team store / plain fetch: %.2f\n", storeLoad / localLoad,
                storeLoad / plainLoad);

    // 2. Metric ingest.
    const double localIngest = ingest(local);
    const double storeIngest = ingest(store);
    const double copy = copyBaseline(plainUrl);
    std::printf("metric ingest, %lld points in batches of %lld: local %.0f points/s, team store %.0f points/s, "
                "plain COPY row per point %.0f points/s\n",
                kPoints, kBatch, double(kPoints) / localIngest, double(kPoints) / storeIngest, double(kPoints) / copy);
    std::printf("ratio team store / COPY points per second: %.2f; team store / local: %.2f\n", copy / storeIngest,
                localIngest / storeIngest);

    // 3. Two writers at once (each its own connection and run).
    QElapsedTimer clock;
    clock.start();
    double seconds[2] = {0, 0};
    std::thread first([&] { seconds[0] = ingest(store, kPoints / 2); });
    std::thread second([&] { seconds[1] = ingest(store, kPoints / 2); });
    first.join();
    second.join();
    const double both = double(clock.nsecsElapsed()) / 1e9;
    std::printf("two writers at once, %lld points each: %.0f points/s together (one writer alone: %.0f)\n", kPoints / 2,
                double(kPoints) / both, double(kPoints) / storeIngest);
    return seconds[0] > 0 && seconds[1] > 0 ? 0 : 1;
}
