// The runs table at scale: a workspace of 100,000 runs with 20 params and 10 metric series each
// (inserted as rows of the real schema in one transaction). Times RunTable::load (what the
// runs table model does when a workspace opens) against stepping through the same rows in plain
// SQL, a filter through RunFilter against the same filter as one plain SQL query on the same
// database (the floor), and sorting on a metric.
// Not a test: prints one line per figure; exits 1 when RunFilter and SQL disagree on the runs.
#include "runs/runfilter.h"
#include "runs/runtable.h"
#include "runs/runtypes.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <set>

using namespace kiln;

namespace {

constexpr int kRuns = 100'000;
constexpr int kParams = 20;
constexpr int kMetrics = 10;
const char *const kFilter = "metrics.m3 > 0.5 and params.p7 = 'adam' and attributes.status = 'FINISHED'";
// The same question in SQL over the same tables: each condition an indexed lookup per run.
const char *const kSql = "SELECT r.id FROM runs r WHERE r.status = 'finished' "
                         "AND EXISTS (SELECT 1 FROM metric_series s WHERE s.run_id = r.id AND s.key = 'm3' "
                         "AND s.last_value > 0.5) "
                         "AND EXISTS (SELECT 1 FROM run_params p WHERE p.run_id = r.id AND p.key = 'p7' "
                         "AND p.value = 'adam')";

std::mt19937 g_rng(20240501);

double uniform()
{
    return double(g_rng() >> 8) / double(1u << 24);
}

int between(int low, int high)
{
    return low + int(uniform() * double(high - low + 1));
}

const char *pick(std::initializer_list<const char *> choices)
{
    return *(choices.begin() + between(0, int(choices.size()) - 1));
}

/// Optimisers with the skew a real project has.
const char *optimizer()
{
    const double u = uniform();
    return u < 0.4 ? "adam" : u < 0.65 ? "sgd" : u < 0.85 ? "rmsprop" : "adagrad";
}

QByteArray paramValue(int index)
{
    switch (index) {
    case 0:
        return QByteArray::number(std::pow(10.0, -4.0 + 3.0 * uniform()), 'g', 4); // learning rate
    case 1:
        return QByteArray::number(between(2, 12)); // depth
    case 2:
        return pick({"100", "200", "500", "1000"});
    case 3:
        return pick({"relu", "tanh", "gelu", "sigmoid"});
    case 4:
        return QByteArray::number(0.5 * uniform(), 'f', 2); // dropout
    case 5:
        return pick({"16", "32", "64", "128", "256"});
    case 6:
        return QByteArray::number(std::pow(10.0, -6.0 + 4.0 * uniform()), 'g', 3);
    case 7:
        return optimizer();
    case 8:
        return QByteArray::number(0.8 + 0.19 * uniform(), 'f', 3);
    case 9:
        return uniform() < 0.5 ? "true" : "false";
    case 10:
        return QByteArray::number(between(1, 8));
    case 11:
        return pick({"64", "128", "256", "512", "1024"});
    case 12:
        return QByteArray::number(between(0, 99'999)); // seed: nearly every value distinct
    case 13:
        return pick({"cosine", "step", "linear", "none"});
    case 14:
        return pick({"0", "100", "500", "1000"});
    case 15:
        return QByteArray::number(between(5, 100));
    case 16:
        return pick({"cross_entropy", "focal", "hinge"});
    case 17:
        return pick({"none", "light", "heavy"});
    case 18:
        return QByteArray::number(0.5 + 0.5 * uniform(), 'f', 2);
    default:
        return pick({"resnet18", "resnet50", "vit-b16", "efficientnet-b0", "convnext-t", "mobilenet-v3"});
    }
}

/// Runs, params, tags and metric series, all in one transaction through prepared statements.
Status generate(Database &db)
{
    Transaction tx(db);
    if (!tx.isActive())
        return tx.beginStatus();
    const char *const experiments[] = {"vision", "nlp", "tabular", "speech"};
    for (const char *name : experiments) {
        auto insert = db.prepare("INSERT INTO experiments(name, created_at) VALUES(?, '2024-05-01T08:00:00.000Z')");
        if (!insert)
            return insert.error();
        if (Status s = insert->bind(1, std::string_view(name)).exec(); !s)
            return s;
    }
    std::vector<QByteArray> specs;
    for (const char *trainer : {"boosted-trees", "random-forest", "linear"}) {
        RunSpec spec;
        spec.trainer = QLatin1String(trainer);
        spec.datasetRef = QStringLiteral("images");
        spec.target = QStringLiteral("label");
        specs.push_back(QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact));
    }
    auto run = db.prepare("INSERT INTO runs(id, uuid, experiment_id, name, kind, status, spec, created_at, "
                          "started_at, ended_at) VALUES(?, ?, ?, ?, 'trainer', ?, ?, ?, ?, ?)");
    auto param = db.prepare("INSERT INTO run_params(run_id, key, value) VALUES(?, ?, ?)");
    auto tag = db.prepare("INSERT INTO run_tags(run_id, key, value) VALUES(?, ?, ?)");
    auto series = db.prepare("INSERT INTO metric_series(run_id, key, count, last_step, last_value, min_value, "
                             "max_value, last_time) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    if (!run || !param || !tag || !series)
        return Error {db.lastError()};
    QByteArray paramKeys[kParams];
    for (int p = 0; p < kParams; ++p)
        paramKeys[p] = "p" + QByteArray::number(p);
    QByteArray metricKeys[kMetrics];
    for (int m = 0; m < kMetrics; ++m)
        metricKeys[m] = "m" + QByteArray::number(m);
    const auto text
        = [](const QByteArray &bytes) { return std::string_view(bytes.constData(), std::size_t(bytes.size())); };
    const qint64 start = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    for (int i = 1; i <= kRuns; ++i) {
        const double u = uniform();
        const char *status = u < 0.85 ? "finished" : u < 0.95 ? "failed" : u < 0.98 ? "cancelled" : "interrupted";
        const qint64 created = start + qint64(i) * 60'000;
        const qint64 duration = 5'000 + qint64(uniform() * 3'600'000.0);
        const auto iso = [](qint64 ms) {
            return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
        };
        const QByteArray uuid = QByteArray::number(quint64(g_rng()) << 32 | g_rng(), 16).rightJustified(16, '0')
            + QByteArray::number(quint64(g_rng()) << 32 | g_rng(), 16).rightJustified(16, '0');
        const QByteArray name = "run-" + QByteArray::number(i);
        const QByteArray createdText = iso(created);
        const QByteArray startedText = iso(created + 1'000);
        const QByteArray endedText = iso(created + 1'000 + duration);
        run->bind(1, i)
            .bind(2, text(uuid))
            .bind(3, between(1, 4))
            .bind(4, text(name))
            .bind(5, std::string_view(status));
        run->bind(6, text(specs[std::size_t(between(0, 2))])).bind(7, text(createdText)).bind(8, text(startedText));
        run->bind(9, text(endedText));
        if (Status s = run->exec(); !s)
            return s;
        for (int p = 0; p < kParams; ++p) {
            const QByteArray value = paramValue(p);
            param->bind(1, i).bind(2, text(paramKeys[p])).bind(3, text(value));
            if (Status s = param->exec(); !s)
                return s;
        }
        const std::pair<const char *, const char *> tags[] = {{"team", pick({"vision", "search", "ads", "speech"})},
                                                              {"purpose", pick({"baseline", "sweep", "ablation"})}};
        for (const auto &[key, value] : tags) {
            tag->bind(1, i).bind(2, std::string_view(key)).bind(3, std::string_view(value));
            if (Status s = tag->exec(); !s)
                return s;
        }
        const qint64 steps = between(50, 500);
        for (int m = 0; m < kMetrics; ++m) {
            // Losses (even keys) fall towards a floor, scores (odd keys and m3) rise towards a ceiling.
            double last = 0;
            double low = 0;
            double high = 0;
            if (m % 2 == 0 && m != 4) {
                last = 0.05 + 2.0 * std::pow(uniform(), 2.0);
                low = last * (0.8 + 0.2 * uniform());
                high = last + 0.5 + 2.0 * uniform();
            } else {
                last = std::min(0.999, 0.3 + 0.65 * std::sqrt(uniform()));
                low = last * 0.5 * uniform();
                high = std::min(1.0, last + 0.05 * uniform());
            }
            series->bind(1, i).bind(2, text(metricKeys[m])).bind(3, steps).bind(4, steps - 1).bind(5, last);
            series->bind(6, low).bind(7, high).bind(8, created + 1'000 + duration);
            if (Status s = series->exec(); !s)
                return s;
        }
    }
    return tx.commit();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// Median milliseconds of `repeats` calls.
double timeMs(int repeats, const std::function<void()> &work)
{
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer clock;
        clock.start();
        work();
        times.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    return median(times);
}

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
    if (Status s = generate((*ws)->db()); !s) {
        std::fprintf(stderr, "generating the runs: %s\n", qPrintable(s.errorMessage()));
        return 1;
    }
    (*ws)->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    std::printf("runs table: %d runs x %d params x %d metrics generated in %.1f s\n", kRuns, kParams, kMetrics,
                double(clock.elapsed()) / 1000.0);

    const QString path = (*ws)->databasePath();
    std::shared_ptr<const RunTable> table;
    QString loadError;
    const double loadMs = timeMs(3, [&] {
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
    const double readMs = timeMs(3, [&] {
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
    const double filterMs = timeMs(9, [&] {
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
    const double sqlMs = timeMs(9, [&] {
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
    const double sortMs = timeMs(5, [&] { sorted = table->sortedRows(table->allRows(), m3, Qt::DescendingOrder); });
    std::printf("sortedRows, all runs by metrics.m3 DESC:  %8.2f ms  (median of 5)\n", sortMs);
    const double sortParamMs
        = timeMs(5, [&] { sorted = table->sortedRows(table->allRows(), p12, Qt::AscendingOrder); });
    std::printf("sortedRows, all runs by params.p12 ASC:   %8.2f ms  (median of 5)\n", sortParamMs);
    const double sortMatchMs = timeMs(5, [&] { sorted = table->sortedRows(rows, m3, Qt::DescendingOrder); });
    std::printf("sortedRows, matches by metrics.m3 DESC:   %8.2f ms  (%zu runs; median of 5)\n", sortMatchMs,
                rows.size());
    return 0;
}
