// Prediction in process, the rate kiln-serve will be measured against: 20,000 rows of 30 numeric
// features and a yes/no label (CSV imported by the real importer), boosted trees (200 trees,
// depth 6) trained through the real scheduler and registered. Times LoadedModel::predict on one
// row at a time (rows/s, p50 and p99 per call), from every core at once, a one-row
// dataframe_split JSON request parsed and predicted, and all rows in one call; the baseline is
// the trainer's ModelPredictor (the model loaded once, as LoadedModel keeps it) on the same rows
// already encoded, so the ratio is what Kiln's checks and encoding add. Trainer::predict, which
// reads the model on every call, is timed too: what one request cost before models were kept
// loaded. Then the bundle export and import of the model. OpenMP threads wait passively, as in
// kiln and kilnctl. Not a test: prints one line per figure; exits 1 when two ways of predicting
// disagree on a prediction. `--single N` times N one-row calls (default 20,000).
#include "builtinplugins.h"
#include "data/datasetcatalog.h"
#include "data/datasetimport.h"
#include "data/datasettable.h"
#include "registry/bundle.h"
#include "registry/modelregistry.h"
#include "registry/predictor.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "tasks/feedback.h"
#include "tasks/taskmanager.h"
#include "training/datapreparation.h"
#include "util/openmp.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <thread>

using namespace kiln;

namespace {

constexpr int kRows = 20'000;
constexpr int kFeatures = 30;
constexpr int kTrees = 200;
constexpr int kDepth = 6;
constexpr int kBatchRepeats = 5;
constexpr int kBundleRepeats = 3;
constexpr int kReloadingCalls = 1'000; // Trainer::predict reads the model each time: ~2 ms a call
const QString kModel = QStringLiteral("bench-trees");

int fail(const QString &what)
{
    std::fprintf(stderr, "bench_predict: %s\n", qPrintable(what));
    return 1;
}

/// The generated rows: feature columns as text (as a request carries them) and the CSV file.
struct Generated
{
    PredictionInput input; ///< the 30 feature columns of every row
    QByteArray csv; ///< the same rows with the label
};

/// A linear score with one interaction (so that depth matters) and noise decides the label.
/// The same numbers on every run.
Generated generate()
{
    std::mt19937 rng(20240501);
    std::normal_distribution<double> normal;
    std::vector<double> weights(kFeatures);
    for (double &w : weights)
        w = normal(rng);
    Generated g;
    for (int f = 0; f < kFeatures; ++f)
        g.input.columns << QStringLiteral("f%1").arg(f);
    g.csv = g.input.columns.join(QLatin1Char(',')).toUtf8() + ",label\n";
    g.input.rows.reserve(kRows);
    for (int r = 0; r < kRows; ++r) {
        std::vector<std::string> row;
        double score = 0;
        double first = 0;
        for (int f = 0; f < kFeatures; ++f) {
            const double x = std::round(normal(rng) * 1e4) / 1e4;
            score += weights[std::size_t(f)] * x;
            if (f == 0)
                first = x;
            else if (f == 1)
                score += 2.0 * first * x;
            row.push_back(QByteArray::number(x, 'f', 4).toStdString());
            g.csv += QByteArray::fromStdString(row.back()) + ',';
        }
        score += normal(rng);
        g.csv += score > 0 ? "yes\n" : "no\n";
        g.input.rows.push_back(std::move(row));
    }
    return g;
}

/// One row of `input` as a request: {"dataframe_split": {"columns": [...], "data": [[...]]}}.
QByteArray splitRequest(const PredictionInput &input, std::size_t row)
{
    QJsonArray values;
    for (const std::string &field : input.rows[row])
        values.append(std::stod(field));
    const QJsonObject split {{QStringLiteral("columns"), QJsonArray::fromStringList(input.columns)},
                             {QStringLiteral("data"), QJsonArray {values}}};
    return QJsonDocument(QJsonObject {{QStringLiteral("dataframe_split"), split}}).toJson(QJsonDocument::Compact);
}

/// Row `row` of `all` as a matrix of its own.
TrainingData oneRow(const TrainingData &all, qint64 row)
{
    TrainingData data;
    data.task = all.task;
    data.featureNames = all.featureNames;
    data.classes = all.classes;
    data.rows = 1;
    data.columns = all.columns;
    const auto begin = all.features.begin() + std::ptrdiff_t(row * all.columns);
    data.features.assign(begin, begin + all.columns);
    data.target.assign(1, all.target[std::size_t(row)]);
    return data;
}

/// Per-call figures of `count` calls of `call(i)`; `error` is set (and the loop stops) when a
/// call fails.
struct CallTimes
{
    double totalSeconds = 0;
    double p50Us = 0;
    double p99Us = 0;
    QString error;

    double rate(int count) const { return totalSeconds > 0 ? count / totalSeconds : 0; }
};

CallTimes timeCalls(int count, const std::function<QString(int)> &call)
{
    CallTimes result;
    std::vector<double> micros;
    micros.reserve(std::size_t(count));
    QElapsedTimer total;
    total.start();
    for (int i = 0; i < count; ++i) {
        QElapsedTimer clock;
        clock.start();
        result.error = call(i);
        micros.push_back(double(clock.nsecsElapsed()) / 1e3);
        if (!result.error.isEmpty())
            return result;
    }
    result.totalSeconds = double(total.nsecsElapsed()) / 1e9;
    std::sort(micros.begin(), micros.end());
    result.p50Us = micros[micros.size() / 2];
    result.p99Us = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
    return result;
}

/// The largest difference between two prediction vectors; infinity when their sizes differ.
double largestDifference(const std::vector<double> &a, const std::vector<double> &b)
{
    if (a.size() != b.size())
        return HUGE_VAL;
    double largest = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        largest = std::max(largest, std::abs(a[i] - b[i]));
    return largest;
}

/// `calls` calls of `call(i)` spread over `threads` threads (thread t makes calls t, t +
/// threads, ...): calls per second over the wall time, or the first error.
Expected<double> callRate(int calls, int threads, const std::function<QString(int)> &call)
{
    std::vector<QString> errors(static_cast<std::size_t>(threads));
    std::vector<std::thread> workers;
    workers.reserve(std::size_t(threads));
    QElapsedTimer clock;
    clock.start();
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = t; i < calls && errors[std::size_t(t)].isEmpty(); i += threads)
                errors[std::size_t(t)] = call(i);
        });
    }
    for (std::thread &worker : workers)
        worker.join();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    for (const QString &error : errors) {
        if (!error.isEmpty())
            return Error {error};
    }
    return calls / seconds;
}

void printCalls(const char *what, int count, const CallTimes &times)
{
    std::printf("  %-40s %9.0f rows/s   p50 %8.1f us   p99 %8.1f us\n", what, times.rate(count), times.p50Us,
                times.p99Us);
}

void printRatio(int count, const CallTimes &kiln, const CallTimes &baseline)
{
    std::printf("  %-40s %9.2fx the baseline's time per row (p50 %.2fx)\n", "  ratio",
                baseline.rate(count) / kiln.rate(count), kiln.p50Us / baseline.p50Us);
}

/// Trains `spec` through the real scheduler; the run's id, or the reason it did not finish.
Expected<qint64> train(Workspace &workspace, const RunSpec &spec)
{
    RunStore store(workspace.db());
    Expected<RunRecord> run = submitRun(store, spec);
    if (!run)
        return run.error();
    const qint64 id = run->id;
    TaskManager tasks;
    RunScheduler scheduler(workspace.root(), tasks);
    scheduler.setConcurrency(1);
    QEventLoop loop;
    QObject::connect(&scheduler, &RunScheduler::runEnded, &loop, [&](qint64 ended, RunStatus status) {
        if (ended == id && status != RunStatus::Queued)
            loop.quit();
    });
    if (Status s = scheduler.start(); !s)
        return s.error();
    scheduler.poke();
    loop.exec();
    scheduler.stop();
    const Expected<RunRecord> ended = store.run(id, false);
    if (!ended)
        return ended.error();
    if (ended->status != RunStatus::Finished)
        return Error {QStringLiteral("run %1 ended %2: %3").arg(id).arg(runStatusName(ended->status), ended->error)};
    return id;
}

} // namespace

int main(int argc, char **argv)
{
    ensurePassiveOpenMpWait(argv);
    QCoreApplication app(argc, argv);
    linkBuiltinPlugins();
    int singleCalls = kRows;
    const QStringList args = QCoreApplication::arguments();
    if (const qsizetype at = args.indexOf(QStringLiteral("--single")); at > 0 && at + 1 < args.size())
        singleCalls = std::clamp(args.at(at + 1).toInt(), 1, kRows);

    QTemporaryDir dir;
    auto ws = Workspace::open(dir.filePath(QStringLiteral("ws")), Workspace::OpenMode::CreateIfMissing);
    if (!ws)
        return fail(ws.errorMessage());
    Workspace &workspace = **ws;

    // ---- Data, training, registration ----
    const Generated data = generate();
    const QString csvPath = dir.filePath(QStringLiteral("predict.csv"));
    {
        QFile file(csvPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(data.csv) != data.csv.size())
            return fail(QStringLiteral("cannot write %1: %2").arg(csvPath, file.errorString()));
    }
    QElapsedTimer clock;
    clock.start();
    ImportRequest request;
    request.paths = {csvPath};
    Feedback importFeedback;
    const ImportReport report = importPaths(workspace, request, importFeedback);
    if (!report.failed.isEmpty() || report.imported.size() != 1)
        return fail(report.summary());
    const QString datasetRef
        = report.imported.constFirst().name + QLatin1Char('@') + QString::number(report.imported.constFirst().version);
    std::printf("data: %d rows x %d numeric features + yes/no label (%.1f MB CSV), imported in %.2f s\n", kRows,
                kFeatures, double(data.csv.size()) / 1e6, double(clock.nsecsElapsed()) / 1e9);

    RunSpec spec;
    spec.experiment = QStringLiteral("bench");
    spec.name = QStringLiteral("trees");
    spec.trainer = QStringLiteral("boosted-trees");
    spec.datasetRef = datasetRef;
    spec.target = QStringLiteral("label");
    spec.params.insert(QStringLiteral("n_estimators"), kTrees);
    spec.params.insert(QStringLiteral("max_depth"), kDepth);
    clock.restart();
    const Expected<qint64> runId = train(workspace, spec);
    if (!runId)
        return fail(runId.errorMessage());
    const double trainSeconds = double(clock.nsecsElapsed()) / 1e9;
    const Expected<ModelVersion> version = ModelRegistry(workspace).registerRun(*runId, kModel);
    if (!version)
        return fail(version.errorMessage());
    std::printf("model: boosted trees, %d trees of depth %d, trained in %.1f s (scheduler), registered as %s "
                "(%.0f KB, accuracy %.3f)\n",
                kTrees, kDepth, trainSeconds, qPrintable(version->ref()), double(version->modelSize) / 1e3,
                version->metrics.value(QStringLiteral("accuracy")));

    clock.restart();
    const Expected<std::shared_ptr<const LoadedModel>> loaded = LoadedModel::load(workspace, version->ref());
    if (!loaded)
        return fail(loaded.errorMessage());
    const LoadedModel &model = **loaded;
    std::printf("LoadedModel::load: %.1f ms\n", double(clock.nsecsElapsed()) / 1e6);

    // The baseline's input: the same rows encoded by the training code path, outside the timing.
    const Expected<DatasetVersion> datasetVersion = DatasetCatalog(workspace.db()).versionByRef(datasetRef);
    if (!datasetVersion)
        return fail(datasetVersion.errorMessage());
    const Expected<std::shared_ptr<const DatasetTable>> table = DatasetTable::open(workspace.blobs(), *datasetVersion);
    if (!table)
        return fail(table.errorMessage());
    const Expected<EncodedRows> encoded = encode(model.encoding(), **table, MissingTarget::KeepAsNaN);
    if (!encoded)
        return fail(encoded.errorMessage());
    const TrainingData &matrix = encoded->data;
    if (matrix.rows != kRows)
        return fail(QStringLiteral("the encoded table has %1 rows, expected %2").arg(matrix.rows).arg(kRows));
    const Trainer &trainer = model.trainer();
    TrainedModel trained;
    trained.format = version->modelFormat;
    {
        QFile file(workspace.blobs().pathFor(version->modelSha256));
        if (!file.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the model %1: %2").arg(file.fileName(), file.errorString()));
        trained.bytes = file.readAll();
    }
    clock.restart();
    const Expected<std::shared_ptr<const ModelPredictor>> loadedPredictor = trainer.loadPredictor(trained);
    if (!loadedPredictor)
        return fail(loadedPredictor.errorMessage());
    const ModelPredictor &predictor = **loadedPredictor;
    std::printf("Trainer::loadPredictor: %.1f ms\n", double(clock.nsecsElapsed()) / 1e6);

    // ---- Batch: every row in one call ----
    Expected<Predictions> batch = Error {};
    const CallTimes batchTimes = timeCalls(kBatchRepeats, [&](int) {
        batch = model.predict(data.input);
        return batch ? QString() : QStringLiteral("LoadedModel::predict: %1").arg(batch.errorMessage());
    });
    Expected<std::vector<double>> batchBaseline = Error {};
    const CallTimes batchBaselineTimes = timeCalls(kBatchRepeats, [&](int) {
        batchBaseline = predictor.predict(matrix);
        return batchBaseline ? QString()
                             : QStringLiteral("ModelPredictor::predict: %1").arg(batchBaseline.errorMessage());
    });
    Expected<std::vector<double>> batchReloading = Error {};
    const CallTimes batchReloadingTimes = timeCalls(kBatchRepeats, [&](int) {
        batchReloading = trainer.predict(trained, matrix);
        return batchReloading ? QString() : QStringLiteral("Trainer::predict: %1").arg(batchReloading.errorMessage());
    });
    for (const CallTimes *t : {&batchTimes, &batchBaselineTimes, &batchReloadingTimes}) {
        if (!t->error.isEmpty())
            return fail(t->error);
    }
    if (const double d = largestDifference(batch->values, *batchBaseline); d > 0)
        return fail(QStringLiteral("LoadedModel and ModelPredictor::predict disagree by up to %1").arg(d));
    if (const double d = largestDifference(batch->values, *batchReloading); d > 0)
        return fail(QStringLiteral("LoadedModel and Trainer::predict disagree by up to %1").arg(d));
    const double batchMs = batchTimes.p50Us / 1e3;
    const double batchBaselineMs = batchBaselineTimes.p50Us / 1e3;
    const double batchReloadingMs = batchReloadingTimes.p50Us / 1e3;

    // ---- One row at a time ----
    std::vector<TrainingData> singleMatrices;
    std::vector<PredictionInput> singleInputs;
    std::vector<QByteArray> requests;
    for (int i = 0; i < singleCalls; ++i) {
        singleMatrices.push_back(oneRow(matrix, i));
        singleInputs.push_back(PredictionInput {data.input.columns, {data.input.rows[std::size_t(i)]}});
        requests.push_back(splitRequest(data.input, std::size_t(i)));
    }
    // A one-row answer must be the batch's answer for that row.
    const auto sameAsBatch = [&](const std::vector<double> &values, int i) {
        const std::size_t width = values.size();
        return std::equal(values.begin(), values.end(), batch->values.begin() + std::ptrdiff_t(std::size_t(i) * width))
            ? QString()
            : QStringLiteral("row %1 predicted alone differs from the batch").arg(i + 1);
    };
    const CallTimes single = timeCalls(singleCalls, [&](int i) {
        const Expected<Predictions> p = model.predict(singleInputs[std::size_t(i)]);
        return p ? sameAsBatch(p->values, i) : p.errorMessage();
    });
    const CallTimes singleBaseline = timeCalls(singleCalls, [&](int i) {
        const Expected<std::vector<double>> p = predictor.predict(singleMatrices[std::size_t(i)]);
        return p ? sameAsBatch(*p, i) : p.errorMessage();
    });
    const CallTimes json = timeCalls(singleCalls, [&](int i) {
        const Expected<PredictionInput> input = predictionInputFromJson(requests[std::size_t(i)]);
        if (!input)
            return input.errorMessage();
        const Expected<Predictions> p = model.predict(*input);
        return p ? sameAsBatch(p->values, i) : p.errorMessage();
    });
    const int reloadingCalls = std::min(singleCalls, kReloadingCalls);
    const CallTimes singleReloading = timeCalls(reloadingCalls, [&](int i) {
        const Expected<std::vector<double>> p = trainer.predict(trained, singleMatrices[std::size_t(i)]);
        return p ? sameAsBatch(*p, i) : p.errorMessage();
    });
    for (const CallTimes *t : {&single, &singleBaseline, &json, &singleReloading}) {
        if (!t->error.isEmpty())
            return fail(t->error);
    }
    // Every core predicting one row at a time from the same LoadedModel, as a server's workers.
    const int threads = std::max(2, QThread::idealThreadCount());
    const Expected<double> concurrentRate = callRate(singleCalls, threads, [&](int i) {
        const Expected<Predictions> p = model.predict(singleInputs[std::size_t(i)]);
        return p ? sameAsBatch(p->values, i) : p.errorMessage();
    });
    if (!concurrentRate)
        return fail(concurrentRate.errorMessage());

    std::printf("\nsingle row, %d calls (one row each, all different):\n", singleCalls);
    printCalls("LoadedModel::predict(PredictionInput)", singleCalls, single);
    printCalls("  baseline ModelPredictor::predict (encoded)", singleCalls, singleBaseline);
    printRatio(singleCalls, single, singleBaseline);
    printCalls("JSON dataframe_split, parse + predict", singleCalls, json);
    printRatio(singleCalls, json, singleBaseline);
    std::printf("  %-40s %9.0f rows/s   (%d threads, %.2fx one thread's rate)\n", "LoadedModel::predict, concurrent",
                *concurrentRate, threads, *concurrentRate / single.rate(singleCalls));
    printCalls(qPrintable(QStringLiteral("Trainer::predict (reads the model; %1 calls)").arg(reloadingCalls)),
               reloadingCalls, singleReloading);

    std::printf("\nbatch, %d rows in one call (median of %d):\n", kRows, kBatchRepeats);
    std::printf("  %-40s %9.1f ms   %9.0f rows/s\n", "LoadedModel::predict(PredictionInput)", batchMs,
                kRows / (batchMs / 1e3));
    std::printf("  %-40s %9.1f ms   %9.0f rows/s\n", "  baseline ModelPredictor::predict (encoded)", batchBaselineMs,
                kRows / (batchBaselineMs / 1e3));
    std::printf("  %-40s %9.2fx\n", "  ratio", batchMs / batchBaselineMs);
    std::printf("  %-40s %9.1f ms   %9.0f rows/s\n", "Trainer::predict (reads the model)", batchReloadingMs,
                kRows / (batchReloadingMs / 1e3));

    // ---- Bundle ----
    const QString bundlePath = dir.filePath(suggestedBundleName(*version));
    const CallTimes exported = timeCalls(kBundleRepeats, [&](int) {
        const Status s = exportBundle(workspace, version->ref(), bundlePath);
        return s ? QString() : s.errorMessage();
    });
    std::vector<std::unique_ptr<Workspace>> targets;
    for (int i = 0; i < kBundleRepeats; ++i) {
        auto target
            = Workspace::open(dir.filePath(QStringLiteral("import-%1").arg(i)), Workspace::OpenMode::CreateIfMissing);
        if (!target)
            return fail(target.errorMessage());
        targets.push_back(std::move(target).value());
    }
    const CallTimes imported = timeCalls(kBundleRepeats, [&](int i) {
        const Expected<ModelVersion> v = importBundle(*targets[std::size_t(i)], bundlePath);
        return v ? QString() : v.errorMessage();
    });
    for (const CallTimes *t : {&exported, &imported}) {
        if (!t->error.isEmpty())
            return fail(t->error);
    }
    const double exportMs = exported.p50Us / 1e3;
    const double importMs = imported.p50Us / 1e3;
    std::printf("\nbundle of %s: %.0f KB (model %.0f KB), median of %d:\n", qPrintable(version->ref()),
                double(QFileInfo(bundlePath).size()) / 1e3, double(version->modelSize) / 1e3, kBundleRepeats);
    std::printf("  %-40s %9.1f ms\n", "exportBundle", exportMs);
    std::printf("  %-40s %9.1f ms\n", "importBundle (fresh workspace)", importMs);
    return 0;
}
