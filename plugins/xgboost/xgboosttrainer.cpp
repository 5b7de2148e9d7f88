#include "xgboosttrainer.h"

#include "xgboostapi.h"
#include "xgboostpredictor.h"

#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace kiln::Internal {

namespace {

QString count(qint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

Status checkData(const TrainingData &data, const QString &which)
{
    if (data.rows <= 0)
        return Error {QStringLiteral("the %1 set has no rows").arg(which)};
    if (data.columns <= 0)
        return Error {QStringLiteral("the %1 set has no feature columns").arg(which)};
    if (data.features.size() != std::size_t(data.rows) * std::size_t(data.columns)
        || data.target.size() != std::size_t(data.rows))
        return Error {QStringLiteral("the %1 set is inconsistent: %2 rows × %3 columns, but %4 values and %5 targets")
                          .arg(which)
                          .arg(data.rows)
                          .arg(data.columns)
                          .arg(data.features.size())
                          .arg(data.target.size())};
    if (data.task != TaskKind::Regression) {
        if (data.classes.size() < 2)
            return Error {QStringLiteral("the %1 set declares %2 classes; classification needs at least 2")
                              .arg(which)
                              .arg(data.classes.size())};
        for (const float label : data.target) {
            if (!(label >= 0) || label >= float(data.classes.size()) || label != std::floor(label))
                return Error {
                    QStringLiteral("the %1 set holds a target %2 that is not a class index").arg(which).arg(label)};
        }
    } else {
        for (const float value : data.target) {
            if (!std::isfinite(value))
                return Error {QStringLiteral("the %1 set holds a missing or infinite target").arg(which)};
        }
    }
    return Status::success();
}

// The objective and the metrics logged each round, for the task.
std::vector<std::pair<std::string, std::string>> taskParams(const TrainingData &data)
{
    switch (data.task) {
    case TaskKind::BinaryClassification:
        // AUC is computed by rocAuc(), not by XGBoost: see there.
        return {{"objective", "binary:logistic"}, {"eval_metric", "logloss"}, {"eval_metric", "error"}};
    case TaskKind::MulticlassClassification:
        return {{"objective", "multi:softprob"},
                {"num_class", std::to_string(data.classes.size())},
                {"eval_metric", "mlogloss"},
                {"eval_metric", "merror"}};
    case TaskKind::Regression:
        return {{"objective", "reg:squarederror"}, {"eval_metric", "rmse"}, {"eval_metric", "mae"}};
    }
    return {};
}

// The loss early stopping watches: the objective's own.
QString lossMetric(TaskKind task)
{
    switch (task) {
    case TaskKind::BinaryClassification:
        return QStringLiteral("logloss");
    case TaskKind::MulticlassClassification:
        return QStringLiteral("mlogloss");
    case TaskKind::Regression:
        return QStringLiteral("rmse");
    }
    return {};
}

// ROC AUC of `scores` against 0/1 `labels`: the probability that a random positive scores above
// a random negative, ties counting half (the Mann-Whitney statistic, as sklearn's roc_auc_score).
// XGBoost 1.7's own "auc" metric opens an OpenMP team of every core on each call whatever nthread
// says; on a busy machine its spinning threads cost ~30 ms a round, more than the round itself.
std::optional<double> rocAuc(const float *scores, const std::vector<float> &labels)
{
    std::vector<std::size_t> order(labels.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [scores](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
    double positives = 0;
    double positiveRankSum = 0;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        double tiedPositives = 0;
        for (; j < order.size() && scores[order[j]] == scores[order[i]]; ++j)
            tiedPositives += labels[order[j]] > 0.5f ? 1 : 0;
        const double averageRank = (double(i + 1) + double(j)) / 2; // ranks i+1 .. j share their mean
        positiveRankSum += tiedPositives * averageRank;
        positives += tiedPositives;
        i = j;
    }
    const double negatives = double(labels.size()) - positives;
    if (positives == 0 || negatives == 0)
        return std::nullopt; // undefined with one class; nothing is logged
    return (positiveRankSum - positives * (positives + 1) / 2) / (positives * negatives);
}

// Importance per feature, normalised to sum 1: total gain for trees, absolute weight (summed
// over classes) for linear models, where gain is not defined.
Expected<QJsonObject> featureImportance(void *booster, const TrainingData &data, bool linear)
{
    const auto scores = xgb::featureScores(booster, linear ? "weight" : "total_gain");
    if (!scores)
        return scores.error();
    std::vector<double> totals(std::size_t(data.columns), 0.0);
    for (std::size_t i = 0; i < scores->names.size(); ++i) {
        // Without feature names XGBoost calls features "f0", "f1", ...
        bool ok = false;
        const int index = scores->names[i].mid(1).toInt(&ok);
        if (!ok || index < 0 || index >= data.columns)
            continue;
        for (std::size_t c = 0; c < scores->perFeature; ++c)
            totals[std::size_t(index)] += std::abs(double(scores->scores[i * scores->perFeature + c]));
    }
    double sum = 0;
    for (const double total : totals)
        sum += total;
    QJsonObject importance;
    for (int i = 0; i < data.columns; ++i)
        importance.insert(data.featureNames.value(i, QStringLiteral("f%1").arg(i)),
                          sum > 0 ? totals[std::size_t(i)] / sum : 0.0);
    return importance;
}

} // namespace

QList<TaskKind> XGBoostTrainer::tasks() const
{
    return {TaskKind::BinaryClassification, TaskKind::MulticlassClassification, TaskKind::Regression};
}

QString XGBoostTrainer::libraryVersion() const
{
    return QStringLiteral("xgboost ") + xgb::version();
}

Expected<QVariantMap> XGBoostTrainer::resolveParams(TaskKind task, const QJsonObject &params) const
{
    const QList<HyperParameter> declared = hyperParameters(task);
    QVariantMap resolved;
    QStringList names;
    for (const HyperParameter &parameter : declared) {
        resolved.insert(parameter.name, parameter.defaultValue);
        names.append(parameter.name);
    }
    for (auto it = params.begin(); it != params.end(); ++it) {
        const auto parameter = std::find_if(declared.begin(), declared.end(),
                                            [&](const HyperParameter &p) { return p.name == it.key(); });
        if (parameter == declared.end())
            return Error {QStringLiteral("%1 has no hyperparameter '%2'; it takes %3")
                              .arg(id(), it.key(), names.join(QStringLiteral(", ")))};
        auto value = parameter->validate(it.value().toVariant());
        if (!value)
            return value.error();
        resolved.insert(parameter->name, *value);
    }
    return resolved;
}

Expected<TrainedModel> XGBoostTrainer::train(const TrainingData &train, const TrainingData *validation,
                                             const QJsonObject &params, quint64 seed, TrainingLogger &logger,
                                             Feedback &feedback) const
{
    if (!tasks().contains(train.task))
        return Error {QStringLiteral("%1 does not do %2").arg(displayName(), taskKindName(train.task))};
    if (const Status ok = checkData(train, QStringLiteral("training")); !ok)
        return ok.error();
    if (validation && validation->rows == 0)
        validation = nullptr; // a split with a validation fraction of 0
    if (validation) {
        if (const Status ok = checkData(*validation, QStringLiteral("validation")); !ok)
            return ok.error();
        if (validation->columns != train.columns || validation->task != train.task
            || validation->classes != train.classes)
            return Error {QStringLiteral("the validation set's columns or classes differ from the training set's")};
    }
    auto resolved = resolveParams(train.task, params);
    if (!resolved)
        return resolved.error();
    const BoosterSetup setup = this->setup(train.task, *resolved);
    if (setup.earlyStoppingRounds > 0 && !validation)
        return Error {QStringLiteral("early_stopping_rounds is %1 but there is no validation set: give the split a "
                                     "validation fraction, or set early_stopping_rounds to 0")
                          .arg(setup.earlyStoppingRounds)};

    const xgb::LogRedirect redirect(&logger);
    auto trainMatrix = xgb::makeMatrix(train, setup.threads);
    if (!trainMatrix)
        return trainMatrix.error();
    std::vector<void *> matrices {trainMatrix->get()};
    std::vector<const char *> matrixNames {"train"};
    std::optional<xgb::DMatrix> validationMatrix;
    if (validation) {
        auto made = xgb::makeMatrix(*validation, setup.threads);
        if (!made)
            return made.error();
        validationMatrix = std::move(*made);
        matrices.push_back(validationMatrix->get());
        matrixNames.push_back("validation");
    }
    auto booster = xgb::makeBooster(matrices);
    if (!booster)
        return booster.error();

    std::vector<std::pair<std::string, std::string>> all = taskParams(train);
    // XGBoost's seed is a signed 64-bit integer.
    all.emplace_back("seed", std::to_string(qint64(seed & quint64(std::numeric_limits<qint64>::max()))));
    all.emplace_back("verbosity", "1"); // warnings reach the run log through LogRedirect
    if (setup.threads > 0)
        all.emplace_back("nthread", std::to_string(setup.threads));
    all.insert(all.end(), setup.params.begin(), setup.params.end());
    for (const auto &[name, value] : all) {
        if (const Status ok = xgb::setParam(booster->get(), name, value); !ok)
            return ok.error();
    }

    logger.logLine(
        QStringLiteral("%1 (%2): %3, %4 training rows × %5 features%6, up to %7 rounds")
            .arg(id(), libraryVersion(), taskKindName(train.task), count(train.rows), count(train.columns),
                 validation ? QStringLiteral(", %1 validation rows").arg(count(validation->rows)) : QString(),
                 count(setup.rounds)));

    const QString watched = QStringLiteral("validation/") + lossMetric(train.task);
    int rounds = 0;
    int bestRound = -1;
    double bestLoss = std::numeric_limits<double>::infinity();
    for (int round = 0; round < setup.rounds; ++round) {
        if (feedback.isCanceled())
            return Error {QStringLiteral("training cancelled after %1 of %2 rounds").arg(round).arg(setup.rounds)};
        if (const Status ok = xgb::updateOneIter(booster->get(), round, trainMatrix->get()); !ok)
            return ok.error();
        const auto evaluation = xgb::evalOneIter(booster->get(), round, matrices, matrixNames);
        if (!evaluation)
            return evaluation.error();
        rounds = round + 1;
        std::optional<double> loss;
        // Steps count rounds from 1: the value at step n is that of the model with n rounds.
        for (const xgb::EvalResult &result : *evaluation) {
            logger.logMetric(result.key, rounds, result.value);
            if (result.key == watched)
                loss = result.value;
        }
        if (train.task == TaskKind::BinaryClassification) {
            for (std::size_t m = 0; m < matrices.size(); ++m) {
                // The booster caches its predictions for these matrices: this costs no tree walk.
                auto scores = xgb::predict(booster->get(), matrices[m]);
                if (!scores)
                    return scores.error();
                const TrainingData &set = m == 0 ? train : *validation;
                if (scores->size != set.target.size())
                    return Error {QStringLiteral("XGBoost gave %1 scores for %2 rows").arg(scores->size).arg(set.rows)};
                if (const auto auc = rocAuc(scores->values, set.target))
                    logger.logMetric(QLatin1String(matrixNames[m]) + QStringLiteral("/auc"), rounds, *auc);
            }
        }
        feedback.setProgress(double(rounds) / double(setup.rounds));
        if (setup.earlyStoppingRounds > 0 && loss) {
            if (*loss < bestLoss) {
                bestLoss = *loss;
                bestRound = round;
            } else if (round - bestRound >= setup.earlyStoppingRounds) {
                logger.logLine(QStringLiteral("early stopping after round %1: %2 has not improved for %3 rounds; "
                                              "keeping the %4 rounds up to its best, %5")
                                   .arg(rounds)
                                   .arg(watched)
                                   .arg(setup.earlyStoppingRounds)
                                   .arg(bestRound + 1)
                                   .arg(bestLoss));
                break;
            }
        }
    }

    TrainedModel model;
    model.format = QStringLiteral("xgboost-ubj");
    model.rounds = rounds;
    xgb::Booster kept;
    if (setup.earlyStoppingRounds > 0 && bestRound >= 0 && bestRound + 1 < rounds) {
        auto sliced = xgb::slice(booster->get(), bestRound + 1);
        if (!sliced)
            return sliced.error();
        kept = std::move(*sliced);
        model.rounds = bestRound + 1;
    }
    void *fitted = kept ? kept.get() : booster->get();
    auto bytes = xgb::saveModel(fitted);
    if (!bytes)
        return bytes.error();
    model.bytes = std::move(*bytes);
    auto importance = featureImportance(fitted, train, setup.linear);
    if (!importance)
        return importance.error();
    model.featureImportance = std::move(*importance);
    feedback.setProgress(1.0);
    return model;
}

Expected<std::shared_ptr<const ModelPredictor>> XGBoostTrainer::loadPredictor(const TrainedModel &model) const
{
    if (model.format != QLatin1String("xgboost-ubj"))
        return Error {QStringLiteral("%1 cannot read a model in the format '%2'").arg(displayName(), model.format)};
    auto predictor = XGBoostPredictor::load(model.bytes);
    if (!predictor)
        return predictor.error();
    return std::shared_ptr<const ModelPredictor>(std::move(*predictor));
}

} // namespace kiln::Internal
