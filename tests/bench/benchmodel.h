#pragma once
// The model the prediction benchmarks measure, built the way a user builds one: 20,000 rows of
// 30 numeric features and a yes/no label (a CSV imported by the real importer), boosted trees
// (200 trees, depth 6) trained through the real scheduler and registered. The same numbers on
// every run. Also the per-call timing both benchmarks use. Used by bench_predict and bench_serve.
#include "data/datasetimport.h"
#include "registry/modelregistry.h"
#include "registry/predictor.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "tasks/feedback.h"
#include "tasks/taskmanager.h"
#include "workspace/workspace.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace kiln::bench {

inline constexpr int kModelRows = 20'000;
inline constexpr int kFeatures = 30;
inline constexpr int kTrees = 200;
inline constexpr int kDepth = 6;

/// The generated rows: feature columns as text (as a request carries them) and the CSV file.
struct GeneratedRows
{
    PredictionInput input; ///< the 30 feature columns f0..f29 of every row
    QByteArray csv; ///< the same rows with the label
};

/// A linear score with one interaction (so that depth matters) and noise decides the label.
inline GeneratedRows generateRows()
{
    std::mt19937 rng(20240501);
    std::normal_distribution<double> normal;
    std::vector<double> weights(kFeatures);
    for (double &w : weights)
        w = normal(rng);
    GeneratedRows g;
    for (int f = 0; f < kFeatures; ++f)
        g.input.columns << QStringLiteral("f%1").arg(f);
    g.csv = g.input.columns.join(QLatin1Char(',')).toUtf8() + ",label\n";
    g.input.rows.reserve(kModelRows);
    for (int r = 0; r < kModelRows; ++r) {
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
inline QByteArray splitRequest(const PredictionInput &input, std::size_t row)
{
    QJsonArray values;
    for (const std::string &field : input.rows[row])
        values.append(std::stod(field));
    const QJsonObject split {{QStringLiteral("columns"), QJsonArray::fromStringList(input.columns)},
                             {QStringLiteral("data"), QJsonArray {values}}};
    return QJsonDocument(QJsonObject {{QStringLiteral("dataframe_split"), split}}).toJson(QJsonDocument::Compact);
}

/// Trains `spec` through the real scheduler; the run's id, or the reason it did not finish.
inline Expected<qint64> trainRun(Workspace &workspace, const RunSpec &spec)
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

/// The model registered in a workspace, and what building it took.
struct BenchModel
{
    QString datasetRef; ///< the imported CSV ("predict@1")
    ModelVersion version;
    double importSeconds = 0;
    double trainSeconds = 0;
};

/// Writes `rows.csv` to `csvPath`, imports it into `workspace`, trains boosted trees on it and
/// registers the run as `modelName`. Needs a QCoreApplication and the built-in plugins linked.
inline Expected<BenchModel> buildBenchModel(Workspace &workspace, const GeneratedRows &rows, const QString &csvPath,
                                            const QString &modelName)
{
    {
        QFile file(csvPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(rows.csv) != rows.csv.size())
            return Error {QStringLiteral("cannot write %1: %2").arg(csvPath, file.errorString())};
    }
    BenchModel model;
    QElapsedTimer clock;
    clock.start();
    ImportRequest request;
    request.paths = {csvPath};
    Feedback feedback;
    const ImportReport report = importPaths(workspace, request, feedback);
    if (!report.failed.isEmpty() || report.imported.size() != 1)
        return Error {report.summary()};
    model.datasetRef
        = report.imported.constFirst().name + QLatin1Char('@') + QString::number(report.imported.constFirst().version);
    model.importSeconds = double(clock.nsecsElapsed()) / 1e9;

    RunSpec spec;
    spec.experiment = QStringLiteral("bench");
    spec.name = QStringLiteral("trees");
    spec.trainer = QStringLiteral("boosted-trees");
    spec.datasetRef = model.datasetRef;
    spec.target = QStringLiteral("label");
    spec.params.insert(QStringLiteral("n_estimators"), kTrees);
    spec.params.insert(QStringLiteral("max_depth"), kDepth);
    clock.restart();
    const Expected<qint64> runId = trainRun(workspace, spec);
    if (!runId)
        return runId.error();
    model.trainSeconds = double(clock.nsecsElapsed()) / 1e9;
    Expected<ModelVersion> version = ModelRegistry(workspace).registerRun(*runId, modelName);
    if (!version)
        return version.error();
    model.version = std::move(*version);
    return model;
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

inline CallTimes timeCalls(int count, const std::function<QString(int)> &call)
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

} // namespace kiln::bench
