// The runs table at scale: a workspace of 100,000 runs with 20 params and 10 metric series each
// (inserted as rows of the real schema in one transaction). Times RunTable::load (what the
// runs table model does when a workspace opens) against stepping through the same rows in plain
// SQL, a filter through RunFilter against the same filter as one plain SQL query on the same
// database (the floor), and sorting on a metric.
// Not a test: prints one line per figure; exits 1 when RunFilter and SQL disagree on the runs.
#include "benchworkspace.h"
#include "runs/runfilter.h"
#include "runs/runtable.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <functional>

using namespace kiln;
using bench::kMetrics;
using bench::kParams;
using bench::kRuns;

namespace {

const char *const kFilter = "metrics.m3 > 0.5 and params.p7 = 'adam' and attributes.status = 'FINISHED'";
// The same question in SQL over the same tables: each condition an indexed lookup per run.
const char *const kSql = "SELECT r.id FROM runs r WHERE r.status = 'finished' "
                         "AND EXISTS (SELECT 1 FROM metric_series s WHERE s.run_id = r.id AND s.key = 'm3' "
                         "AND s.last_value > 0.5) "
                         "AND EXISTS (SELECT 1 FROM run_params p WHERE p.run_id = r.id AND p.key = 'p7' "
                         "AND p.value = 'adam')";

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    auto ws = Workspace::open(dir.filePath(QStringLiteral("ws")), Workspace::OpenMode::CreateIfMissing);
    if (!ws) {
        std::fprintf(stderr, "%s\n", qPrintable(ws.errorMessage()));
        return 1;
    }
    QElapsedTimer clock;
    clock.start();
    if (Status s = bench::generateRuns((*ws)->db()); !s) {
        std::fprintf(stderr, "generating the runs: %s\n", qPrintable(s.errorMessage()));
        return 1;
    }
    (*ws)->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::printf("runs table: %d runs x %d params x %d metrics generated in %.1f s\n", kRuns, kParams, kMetrics,
                double(clock.elapsed()) / 1000.0);

    const QString path = (*ws)->databasePath();
    std::shared_ptr<const RunTable> table;
    QString loadError;
    const double loadMs = bench::medianMs(3, [&] {
        auto loaded = RunTable::load(path);
        if (loaded)
            table = *loaded;
        else
            loadError = loaded.errorMessage();
    });
    if (!table) {
        std::fprintf(stderr, "RunTable::load: %s\n", qPrintable(loadError));
        return 1;
    }
    std::printf("RunTable::load (open the runs table):     %8.1f ms  (%d rows, %d columns; median of 3)\n", loadMs,
                table->rowCount(), table->columnCount());

    // The floor under load(): step through every row it reads, touching each value, no decoding.
    std::size_t bytes = 0;
    const double readMs = bench::medianMs(3, [&] {
        for (const char *sql : {"SELECT r.id, r.uuid, e.name, r.name, r.status, r.created_at, r.started_at, "
                                "r.ended_at FROM runs r JOIN experiments e ON e.id = r.experiment_id",
                                "SELECT run_id, key, value FROM run_params", "SELECT run_id, key, value FROM run_tags",
                                "SELECT run_id, key, last_value, min_value, max_value FROM metric_series"}) {
            sqlite3_stmt *stmt = nullptr;
            sqlite3_prepare_v2((*ws)->db().handle(), sql, -1, &stmt, nullptr);
            while (sqlite3_step(stmt) == SQLITE_ROW) {
                for (int c = 0; c < sqlite3_column_count(stmt); ++c)
                    bytes += std::size_t(sqlite3_column_bytes(stmt, c));
            }
            sqlite3_finalize(stmt);
        }
    });
    std::printf("plain SQL, read the same rows (floor):    %8.1f ms  (%.0f MB of values; median of 3)\n", readMs,
                double(bytes) / 3 / 1e6);
    std::printf("ratio load / read:                        %8.2f\n", loadMs / readMs);

    const QString expression = QString::fromLatin1(kFilter);
    std::vector<int> rows;
    const double filterMs = bench::medianMs(9, [&] {
        const RunFilter filter = RunFilter::parse(expression);
        rows = filter.matchingRows(*table);
    });
    if (!RunFilter::parse(expression).isValid()) {
        std::fprintf(stderr, "the filter does not parse: %s\n", qPrintable(RunFilter::parse(expression).errorText()));
        return 1;
    }
    std::printf("RunFilter parse + matchingRows:           %8.2f ms  %s (median of 9)\n", filterMs, kFilter);

    std::vector<qint64> sqlIds;
    Database &db = (*ws)->db();
    const double sqlMs = bench::medianMs(9, [&] {
        sqlIds.clear();
        auto stmt = db.prepare(kSql);
        while (stmt && stmt->next())
            sqlIds.push_back(stmt->int64(0));
    });
    std::printf("plain SQL, same filter (the floor):       %8.2f ms  (median of 9)\n", sqlMs);
    std::printf("ratio RunFilter / SQL:                    %8.3f\n", filterMs / sqlMs);

    std::vector<qint64> filterIds;
    filterIds.reserve(rows.size());
    for (int row : rows)
        filterIds.push_back(table->runId(row));
    std::sort(filterIds.begin(), filterIds.end());
    std::sort(sqlIds.begin(), sqlIds.end());
    std::printf("matching runs: RunFilter %zu, SQL %zu\n", filterIds.size(), sqlIds.size());
    if (filterIds != sqlIds || filterIds.empty()) {
        std::fprintf(stderr, "RunFilter and SQL disagree on the matching runs\n");
        return 1;
    }

    const int m3 = table->findColumn(RunColumnKind::Metric, QStringLiteral("m3"));
    const int p12 = table->findColumn(RunColumnKind::Param, QStringLiteral("p12"));
    if (m3 < 0 || p12 < 0) {
        std::fprintf(stderr, "the table has no column for metrics.m3 or params.p12\n");
        return 1;
    }
    std::vector<int> sorted;
    const double sortMs
        = bench::medianMs(5, [&] { sorted = table->sortedRows(table->allRows(), m3, Qt::DescendingOrder); });
    std::printf("sortedRows, all runs by metrics.m3 DESC:  %8.2f ms  (median of 5)\n", sortMs);
    const double sortParamMs
        = bench::medianMs(5, [&] { sorted = table->sortedRows(table->allRows(), p12, Qt::AscendingOrder); });
    std::printf("sortedRows, all runs by params.p12 ASC:   %8.2f ms  (median of 5)\n", sortParamMs);
    const double sortMatchMs = bench::medianMs(5, [&] { sorted = table->sortedRows(rows, m3, Qt::DescendingOrder); });
    std::printf("sortedRows, matches by metrics.m3 DESC:   %8.2f ms  (%zu runs; median of 5)\n", sortMatchMs,
                rows.size());
    return 0;
}
