// MLflow import: an mlruns/ file store and an mlflow.db of 100 runs x 5 metrics x 1,000 steps
// (500,000 points, 10 params and 4 tags a run), written to MLflow's formats by the tests'
// fixtures, imported into a fresh workspace by mlflow::importStore (read, parse, write every
// run in its own transaction). Baseline, in the same run: Python reading the same store the way
// MLflow's own stores read it (file store: yaml.safe_load of every meta.yaml, every param, tag
// and metric file parsed into (timestamp, float, step); database: sqlite3 fetching every run,
// param, tag and metric row). Prints points/s and the ratio of Kiln's whole import to the
// Python read alone.

#include "../mlflow/mlflowdbwriter.h"
#include "../mlflow/mlrunswriter.h"
#include "benchworkspace.h"
#include "mlflow/mlflowimport.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>

namespace {

constexpr int kRuns = 100;
constexpr int kMetrics = 5;
constexpr int kSteps = 1000;
constexpr qint64 kPoints = qint64(kRuns) * kMetrics * kSteps;

QString runId(int i)
{
    return QStringLiteral("%1").arg(i, 32, 16, QLatin1Char('0'));
}

double valueAt(int run, int metric, int step)
{
    return 1.0 / (1.0 + step * 0.01 * (metric + 1)) + run * 1e-4;
}

void writeFileStore(const QString &root)
{
    kiln::test::mlruns::createStore(root);
    for (int r = 0; r < kRuns; ++r) {
        kiln::test::mlruns::RunSpec spec;
        spec.id = runId(r);
        spec.name = QStringLiteral("run-%1").arg(r);
        for (int p = 0; p < 10; ++p)
            spec.params.append({QStringLiteral("param_%1").arg(p), QString::number((r + p) % 7)});
        spec.tags = {{QStringLiteral("team"), QStringLiteral("vision")},
                     {QStringLiteral("mlflow.user"), QStringLiteral("alice")},
                     {QStringLiteral("mlflow.source.name"), QStringLiteral("train.py")}};
        for (int m = 0; m < kMetrics; ++m) {
            QStringList lines;
            lines.reserve(kSteps);
            for (int s = 0; s < kSteps; ++s)
                lines << kiln::test::mlruns::metricLine(kiln::test::mlruns::kTime + s,
                                                        QString::number(valueAt(r, m, s), 'g', 17), s);
            spec.metricLines.insert(QStringLiteral("metric_%1").arg(m), lines);
        }
        kiln::test::mlruns::writeRun(root, QStringLiteral("0"), spec);
    }
}

bool writeDatabase(const QString &path)
{
    test::mlflowdb::DbWriter db(path);
    bool ok = db.exec(QStringLiteral("BEGIN")) && db.addExperiment(1, QStringLiteral("bench"));
    for (int r = 0; ok && r < kRuns; ++r) {
        test::mlflowdb::RunRow row;
        row.id = runId(r);
        row.experimentId = 1;
        row.name = QStringLiteral("run-%1").arg(r);
        ok = db.addRun(row) && db.setTag(row.id, QStringLiteral("team"), QStringLiteral("vision"));
        for (int p = 0; ok && p < 10; ++p)
            ok = db.setParam(row.id, QStringLiteral("param_%1").arg(p), QString::number((r + p) % 7));
        for (int m = 0; ok && m < kMetrics; ++m) {
            for (int s = 0; ok && s < kSteps; ++s)
                ok = db.addMetric(row.id, QStringLiteral("metric_%1").arg(m), valueAt(r, m, s),
                                  test::mlflowdb::kBaseTimeMs + s, s);
        }
    }
    ok = ok && db.exec(QStringLiteral("COMMIT"));
    if (!ok)
        std::fprintf(stderr, "bench_mlflow: writing %s: %s\n", qUtf8Printable(path), qUtf8Printable(db.error()));
    return ok;
}

// Python's read of the store, timed inside Python (interpreter start-up excluded); prints ms.
const char kFileStoreReader[] = R"py(
import os, sys, time, yaml
root = sys.argv[1]
start = time.perf_counter()
points = 0
for exp in os.listdir(root):
    folder = os.path.join(root, exp)
    if exp.startswith('.') or exp == 'models' or not os.path.isdir(folder):
        continue
    with open(os.path.join(folder, 'meta.yaml')) as f:
        yaml.safe_load(f)
    for run in os.listdir(folder):
        rf = os.path.join(folder, run)
        if not os.path.isdir(rf):
            continue
        with open(os.path.join(rf, 'meta.yaml')) as f:
            yaml.safe_load(f)
        for kind in ('params', 'tags'):
            for dirpath, _, files in os.walk(os.path.join(rf, kind)):
                for name in files:
                    with open(os.path.join(dirpath, name)) as f:
                        f.read()
        for dirpath, _, files in os.walk(os.path.join(rf, 'metrics')):
            for name in files:
                with open(os.path.join(dirpath, name)) as f:
                    for line in f:
                        parts = line.split()
                        ts, value = int(parts[0]), float(parts[1])
                        step = int(parts[2]) if len(parts) == 3 else 0
                        points += 1
print((time.perf_counter() - start) * 1000, points)
)py";

const char kDatabaseReader[] = R"py(
import sqlite3, sys, time
start = time.perf_counter()
db = sqlite3.connect(sys.argv[1])
db.execute('SELECT * FROM experiments').fetchall()
db.execute('SELECT * FROM runs').fetchall()
db.execute('SELECT * FROM params').fetchall()
db.execute('SELECT * FROM tags').fetchall()
points = len(db.execute('SELECT key, value, timestamp, step, is_nan, run_uuid FROM metrics').fetchall())
print((time.perf_counter() - start) * 1000, points)
)py";

/// The baseline's milliseconds, or a negative number when Python or PyYAML is missing.
double pythonMs(const char *script, const QString &path)
{
    QProcess python;
    python.start(QStringLiteral("python3"), {QStringLiteral("-c"), QString::fromLatin1(script), path});
    if (!python.waitForFinished(600'000) || python.exitCode() != 0) {
        std::fprintf(stderr, "bench_mlflow: python3 baseline failed: %s\n", python.readAllStandardError().constData());
        return -1;
    }
    const QList<QByteArray> fields = python.readAllStandardOutput().trimmed().split(' ');
    if (fields.size() != 2 || fields.at(1).toLongLong() != kPoints) {
        std::fprintf(stderr, "bench_mlflow: python3 read an unexpected number of points\n");
        return -1;
    }
    return fields.at(0).toDouble();
}

/// Median milliseconds of importing `store` into a fresh workspace; negative on failure.
double importMs(const QString &store, const QString &scratch)
{
    int round = 0;
    bool failed = false;
    const double ms = kiln::bench::medianMs(3, [&] {
        const QString folder = QStringLiteral("%1/workspace-%2").arg(scratch).arg(round++);
        auto workspace = kiln::Workspace::open(folder);
        if (!workspace) {
            failed = true;
            return;
        }
        auto report = kiln::mlflow::importStore(**workspace, store, {});
        if (!report || report->runsAdded != kRuns || report->metricPoints != kPoints) {
            std::fprintf(stderr, "bench_mlflow: import of %s: %s\n", qUtf8Printable(store),
                         report ? qUtf8Printable(report->summary()) : qUtf8Printable(report.errorMessage()));
            failed = true;
        }
    });
    return failed ? -1 : ms;
}

void print(const char *what, double kilnMs, double pythonMsValue)
{
    std::printf("%-28s Kiln import %8.1f ms (%5.2f M points/s)", what, kilnMs, double(kPoints) / kilnMs / 1e3);
    if (pythonMsValue > 0)
        std::printf("   Python read %8.1f ms (%5.2f M points/s)   ratio %.2f\n", pythonMsValue,
                    double(kPoints) / pythonMsValue / 1e3, kilnMs / pythonMsValue);
    else
        std::printf("   (no Python baseline)\n");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTemporaryDir scratch;
    const QString mlruns = scratch.filePath(QStringLiteral("mlruns"));
    const QString database = scratch.filePath(QStringLiteral("mlflow.db"));
    writeFileStore(mlruns);
    if (!writeDatabase(database))
        return 1;
    std::printf("MLflow import: %d runs x %d metrics x %d steps = %lld points, 10 params a run\n", kRuns, kMetrics,
                kSteps, static_cast<long long>(kPoints));

    const double fileKiln = importMs(mlruns, scratch.filePath(QStringLiteral("from-files")));
    const double dbKiln = importMs(database, scratch.filePath(QStringLiteral("from-db")));
    if (fileKiln < 0 || dbKiln < 0)
        return 1;
    print("file store (mlruns/)", fileKiln, pythonMs(kFileStoreReader, mlruns));
    print("SQLite store (mlflow.db)", dbKiln, pythonMs(kDatabaseReader, database));
    return 0;
}
