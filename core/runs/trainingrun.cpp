#include "runs/trainingrun.h"

#include "data/datasetcatalog.h"
#include "data/datasettable.h"
#include "models/csv.h"
#include "plugin/pluginmanager.h"
#include "runs/runrecorder.h"
#include "runs/runstore.h"
#include "runs/systemsampler.h"
#include "training/datapreparation.h"
#include "training/datasplit.h"
#include "training/evaluation.h"
#include "workspace/workspace.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace kiln {
namespace {

/// Forwards a trainer's reports to the recorder and turns a cancel asked for in the database
/// (by another process, or the UI's scheduler) into the trainer's Feedback cancel.
class CancellingLogger final : public TrainingLogger
{
public:
    CancellingLogger(RunRecorder &recorder, Feedback &feedback, const std::function<bool()> &cancelRequested)
        : m_recorder(recorder)
        , m_feedback(feedback)
        , m_cancelRequested(cancelRequested)
    {
        m_sincePoll.start();
    }
    void logMetric(const QString &key, qint64 step, double value) override
    {
        m_recorder.logMetric(key, step, value);
        poll();
    }
    void logLine(const QString &line) override
    {
        m_recorder.logLine(line);
        poll();
    }

private:
    void poll()
    {
        if (m_sincePoll.elapsed() < 500)
            return;
        m_sincePoll.restart();
        if (m_cancelRequested && m_cancelRequested())
            m_feedback.cancel();
    }

    RunRecorder &m_recorder;
    Feedback &m_feedback;
    const std::function<bool()> &m_cancelRequested;
    QElapsedTimer m_sincePoll;
};

/// Cross-validation folds train quietly: only their scores are logged.
class NullLogger final : public TrainingLogger
{
public:
    void logMetric(const QString &, qint64, double) override { }
    void logLine(const QString &) override { }
};

TrainingOutcome failed(const QString &error)
{
    return {RunStatus::Failed, error};
}

/// Hyperparameters as the trainer declares them: given values validated, the rest defaulted.
Expected<QJsonObject> effectiveParams(const Trainer &trainer, TaskKind task, const QJsonObject &given)
{
    const QList<HyperParameter> declared = trainer.hyperParameters(task);
    QJsonObject params;
    for (auto it = given.begin(); it != given.end(); ++it) {
        const auto known = std::find_if(declared.begin(), declared.end(),
                                        [&it](const HyperParameter &p) { return p.name == it.key(); });
        if (known == declared.end()) {
            QStringList names;
            for (const HyperParameter &p : declared)
                names << p.name;
            return Error {QStringLiteral("unknown hyperparameter '%1' for %2 (known: %3)")
                              .arg(it.key(), trainer.id(), names.join(QLatin1String(", ")))};
        }
    }
    for (const HyperParameter &p : declared) {
        const QVariant value = given.contains(p.name) ? given.value(p.name).toVariant() : p.defaultValue;
        auto typed = p.validate(value);
        if (!typed)
            return typed.error();
        params.insert(p.name, QJsonValue::fromVariant(*typed));
    }
    return params;
}

QString predictionsCsv(const TrainingData &test, const std::vector<qint64> &sourceRows, const std::vector<double> &pred)
{
    QString csv;
    const bool classification = !test.classes.isEmpty();
    const int k = int(test.classes.size());
    csv += QLatin1String("row,actual,predicted");
    // Class labels are data: a comma or a quote in one is quoted, as RFC 4180 says.
    const auto field = [](const QString &value) { return QString::fromUtf8(csvField(value)); };
    for (const QString &c : test.classes)
        csv += u',' + field(QLatin1String("p_") + c);
    csv += QLatin1Char('\n');
    for (qint64 i = 0; i < test.rows; ++i) {
        csv += QString::number(sourceRows[std::size_t(i)] + 1) + QLatin1Char(',');
        if (classification) {
            const double *p = pred.data() + i * k;
            const int best = int(std::max_element(p, p + k) - p);
            csv += field(test.classes.value(int(test.target[std::size_t(i)]))) + u',' + field(test.classes.value(best));
            for (int c = 0; c < k; ++c)
                csv += QLatin1Char(',') + QString::number(p[c], 'g', 6);
        } else {
            csv += QString::number(test.target[std::size_t(i)], 'g', 9) + QLatin1Char(',')
                + QString::number(pred[std::size_t(i)], 'g', 9);
        }
        csv += QLatin1Char('\n');
    }
    return csv;
}

} // namespace

TrainingOutcome runTrainer(const RunRecord &run, Workspace &workspace, RunRecorder &recorder,
                           QJsonObject &reproducibility, Feedback &feedback,
                           const std::function<bool()> &cancelRequested)
{
    const RunSpec &spec = run.spec;
    const Trainer *trainer = PluginManager::instance().trainer(spec.trainer);
    if (!trainer) {
        QStringList ids;
        for (const Trainer *t : PluginManager::instance().trainers())
            ids << t->id();
        return failed(
            QStringLiteral("unknown trainer '%1' (available: %2)").arg(spec.trainer, ids.join(QLatin1String(", "))));
    }
    auto version = DatasetCatalog(workspace.db()).versionByRef(spec.datasetRef);
    if (!version)
        return failed(version.errorMessage());
    RunStore(workspace.db()).setDatasetVersion(run.id, version->id);
    reproducibility.insert(QLatin1String("dataset"),
                           QJsonObject {{QLatin1String("name"), version->datasetName},
                                        {QLatin1String("version"), version->version},
                                        {QLatin1String("sha256"), version->blobSha256}});
    reproducibility.insert(QLatin1String("trainer"), trainer->id());
    reproducibility.insert(QLatin1String("library"), trainer->libraryVersion());
    auto table = DatasetTable::open(workspace.blobs(), *version);
    if (!table)
        return failed(table.errorMessage());

    SystemSampler sampler(0, [&recorder](qint64 second, double cpu, double memory) {
        recorder.queueMetric(QStringLiteral("system/cpu_percent"), second, cpu);
        recorder.queueMetric(QStringLiteral("system/memory_mib"), second, memory);
    });

    PreparationOptions options;
    options.target = spec.target;
    options.features = spec.features;
    if (!spec.task.isEmpty()) {
        options.task = taskKindFromName(spec.task);
        if (!options.task)
            return failed(QStringLiteral("unknown task '%1': use binary, multiclass or regression").arg(spec.task));
    }
    recorder.logLine(QStringLiteral("Preparing %1 (%2 rows), target '%3'")
                         .arg(version->ref())
                         .arg(version->rowCount)
                         .arg(spec.target));
    auto prepared = prepareTrainingData(**table, options, &feedback);
    if (!prepared)
        return failed(prepared.errorMessage());
    for (const QString &note : prepared->notes)
        recorder.logLine(note);
    const TrainingData &data = prepared->data;
    if (!trainer->tasks().contains(data.task))
        return failed(QStringLiteral("%1 cannot do %2").arg(trainer->displayName(), taskKindName(data.task)));
    auto params = effectiveParams(*trainer, data.task, spec.params);
    if (!params)
        return failed(params.errorMessage());
    QList<QPair<QString, QString>> paramPairs;
    for (auto it = params->begin(); it != params->end(); ++it)
        paramPairs.append({it.key(), it.value().toVariant().toString()});
    paramPairs.append({QStringLiteral("target"), spec.target});
    paramPairs.append({QStringLiteral("task"), taskKindName(data.task)});
    paramPairs.append({QStringLiteral("seed"), QString::number(spec.seed)});
    RunStore(workspace.db()).setParams(run.id, paramPairs);

    const bool classification = data.task != TaskKind::Regression;
    SplitOptions splitOptions;
    splitOptions.testFraction = spec.testFraction;
    splitOptions.validationFraction = spec.validationFraction;
    splitOptions.seed = spec.seed;
    splitOptions.stratify = spec.stratify && classification;
    auto split = splitRows(data, splitOptions);
    if (!split)
        return failed(split.errorMessage());
    reproducibility.insert(QLatin1String("split"),
                           QJsonObject {{QLatin1String("train"), qint64(split->train.size())},
                                        {QLatin1String("validation"), qint64(split->validation.size())},
                                        {QLatin1String("test"), qint64(split->test.size())},
                                        {QLatin1String("stratified"), splitOptions.stratify}});
    reproducibility.insert(QLatin1String("params"), *params);
    const TrainingData train = subset(data, split->train);
    const TrainingData validation = subset(data, split->validation);
    const TrainingData test = subset(data, split->test);
    if (test.rows == 0)
        return failed(QStringLiteral("no rows left for the test set: raise the test fraction"));

    CancellingLogger logger(recorder, feedback, cancelRequested);
    QMap<QString, double> results;
    if (spec.folds > 1) {
        // Cross-validation over train + validation; the test set stays untouched.
        std::vector<qint64> pool = split->train;
        pool.insert(pool.end(), split->validation.begin(), split->validation.end());
        const TrainingData cvData = subset(data, pool);
        auto folds = kFold(cvData, spec.folds, spec.seed, splitOptions.stratify);
        if (!folds)
            return failed(folds.errorMessage());
        std::vector<double> scores;
        NullLogger quiet;
        for (std::size_t f = 0; f < folds->size(); ++f) {
            const TrainingData foldTrain = subset(cvData, (*folds)[f].train);
            const TrainingData foldValid = subset(cvData, (*folds)[f].validation);
            auto model = trainer->train(foldTrain, nullptr, *params, spec.seed, quiet, feedback);
            if (feedback.isCanceled())
                return {RunStatus::Cancelled, QStringLiteral("cancelled")};
            if (!model)
                return failed(model.errorMessage());
            auto pred = trainer->predict(*model, foldValid);
            if (!pred)
                return failed(pred.errorMessage());
            double score = 0;
            if (classification) {
                qint64 right = 0;
                const int k = int(foldValid.classes.size());
                for (qint64 i = 0; i < foldValid.rows; ++i) {
                    const double *p = pred->data() + i * k;
                    right += int(std::max_element(p, p + k) - p) == int(foldValid.target[std::size_t(i)]);
                }
                score = double(right) / double(std::max<qint64>(1, foldValid.rows));
            } else {
                double sum = 0;
                for (qint64 i = 0; i < foldValid.rows; ++i)
                    sum += std::pow((*pred)[std::size_t(i)] - foldValid.target[std::size_t(i)], 2);
                score = std::sqrt(sum / double(std::max<qint64>(1, foldValid.rows)));
            }
            scores.push_back(score);
            logger.logMetric(classification ? QStringLiteral("cv/accuracy") : QStringLiteral("cv/rmse"), qint64(f),
                             score);
        }
        double mean = 0;
        for (double s : scores)
            mean += s / double(scores.size());
        double var = 0;
        for (double s : scores)
            var += (s - mean) * (s - mean) / double(std::max<std::size_t>(1, scores.size() - 1));
        const QString name = classification ? QStringLiteral("cv_accuracy") : QStringLiteral("cv_rmse");
        results.insert(name + QLatin1String("_mean"), mean);
        results.insert(name + QLatin1String("_std"), std::sqrt(var));
    }

    recorder.logLine(QStringLiteral("Training %1 on %2 rows × %3 features (%4)")
                         .arg(trainer->displayName())
                         .arg(train.rows)
                         .arg(train.columns)
                         .arg(taskKindName(data.task)));
    QElapsedTimer fitClock;
    fitClock.start();
    auto model
        = trainer->train(train, validation.rows > 0 ? &validation : nullptr, *params, spec.seed, logger, feedback);
    if (feedback.isCanceled())
        return {RunStatus::Cancelled, QStringLiteral("cancelled")};
    if (!model)
        return failed(model.errorMessage());
    results.insert(QStringLiteral("fit_seconds"), double(fitClock.elapsed()) / 1000.0);
    auto predictions = trainer->predict(*model, test);
    if (!predictions)
        return failed(predictions.errorMessage());

    QJsonObject evaluation;
    if (classification) {
        std::vector<int> yTrue(std::size_t(test.rows));
        for (qint64 i = 0; i < test.rows; ++i)
            yTrue[std::size_t(i)] = int(test.target[std::size_t(i)]);
        auto report = evaluation::classify(yTrue, *predictions, test.classes);
        if (!report)
            return failed(report.errorMessage());
        results.insert(QStringLiteral("accuracy"), report->accuracy);
        results.insert(QStringLiteral("precision_macro"), report->precisionMacro);
        results.insert(QStringLiteral("recall_macro"), report->recallMacro);
        results.insert(QStringLiteral("f1_macro"), report->f1Macro);
        results.insert(QStringLiteral("precision_weighted"), report->precisionWeighted);
        results.insert(QStringLiteral("recall_weighted"), report->recallWeighted);
        results.insert(QStringLiteral("f1_weighted"), report->f1Weighted);
        if (report->rocAuc)
            results.insert(QStringLiteral("roc_auc"), *report->rocAuc);
        if (report->logLoss)
            results.insert(QStringLiteral("log_loss"), *report->logLoss);
        evaluation = report->toJson();
    } else {
        std::vector<double> yTrue(test.target.begin(), test.target.end());
        auto report = evaluation::regress(yTrue, *predictions);
        if (!report)
            return failed(report.errorMessage());
        results.insert(QStringLiteral("rmse"), report->rmse);
        results.insert(QStringLiteral("mae"), report->mae);
        if (report->r2)
            results.insert(QStringLiteral("r2"), *report->r2);
        results.insert(QStringLiteral("mape"), report->mape);
        results.insert(QStringLiteral("max_error"), report->maxError);
        evaluation = report->toJson();
    }
    evaluation.insert(QLatin1String("featureImportance"), model->featureImportance);
    if (Status s = recorder.logResults(results); !s)
        return failed(s.errorMessage());
    std::vector<qint64> testSource;
    for (qint64 row : split->test)
        testSource.push_back(prepared->sourceRows[std::size_t(row)]);
    const auto json = [](const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Indented); };
    for (const auto &[name, bytes] :
         {std::pair {QString(QStringLiteral("model.") + model->format), model->bytes},
          std::pair {QStringLiteral("feature_encoding.json"), json(prepared->encoding.toJson())},
          std::pair {QStringLiteral("evaluation.json"), json(evaluation)},
          std::pair {QStringLiteral("predictions.csv"), predictionsCsv(test, testSource, *predictions).toUtf8()}}) {
        if (Status s = recorder.addArtifactBytes(name, bytes); !s)
            return failed(s.errorMessage());
    }
    for (auto it = results.begin(); it != results.end(); ++it)
        recorder.logLine(QStringLiteral("%1 = %2").arg(it.key()).arg(it.value(), 0, 'g', 6));
    return {RunStatus::Finished, {}};
}

} // namespace kiln
