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
#include "benchmodel.h"
#include "builtinplugins.h"
#include "data/datasetcatalog.h"
#include "data/datasettable.h"
#include "registry/bundle.h"
#include "training/datapreparation.h"
#include "util/openmp.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <thread>

using namespace kiln;
using namespace kiln::bench;

namespace {

constexpr int kRows = kModelRows;
constexpr int kBatchRepeats = 5;
constexpr int kBundleRepeats = 3;
constexpr int kReloadingCalls = 1'000; // Trainer::predict reads the model each time: ~2 ms a call
const QString kModel = QStringLiteral("bench-trees");

int fail(const QString &what)
{
    std::fprintf(stderr, "bench_predict: %s\n", qPrintable(what));
    return 1;
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
    const GeneratedRows data = generateRows();
    const Expected<BenchModel> built
        = buildBenchModel(workspace, data, dir.filePath(QStringLiteral("predict.csv")), kModel);
    if (!built)
        return fail(built.errorMessage());
    const QString &datasetRef = built->datasetRef;
    const ModelVersion &version = built->version;
    std::printf("data: %d rows x %d numeric features + yes/no label (%.1f MB CSV), imported in %.2f s\n", kRows,
                kFeatures, double(data.csv.size()) / 1e6, built->importSeconds);
    std::printf("model: boosted trees, %d trees of depth %d, trained in %.1f s (scheduler), registered as %s "
                "(%.0f KB, accuracy %.3f)\n",
                kTrees, kDepth, built->trainSeconds, qPrintable(version.ref()), double(version.modelSize) / 1e3,
                version.metrics.value(QStringLiteral("accuracy")));

    QElapsedTimer clock;
    clock.start();
    const Expected<std::shared_ptr<const LoadedModel>> loaded = LoadedModel::load(workspace, version.ref());
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
    trained.format = version.modelFormat;
    {
        QFile file(workspace.blobs().pathFor(version.modelSha256));
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
    const QString bundlePath = dir.filePath(suggestedBundleName(version));
    const CallTimes exported = timeCalls(kBundleRepeats, [&](int) {
        const Status s = exportBundle(workspace, version.ref(), bundlePath);
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
    std::printf("\nbundle of %s: %.0f KB (model %.0f KB), median of %d:\n", qPrintable(version.ref()),
                double(QFileInfo(bundlePath).size()) / 1e3, double(version.modelSize) / 1e3, kBundleRepeats);
    std::printf("  %-40s %9.1f ms\n", "exportBundle", exportMs);
    std::printf("  %-40s %9.1f ms\n", "importBundle (fresh workspace)", importMs);
    return 0;
}
