#include "builtinplugins.h"
#include "training/datapreparation.h"
#include "training/datasplit.h"
#include "trainingtestsupport.h"
#include "xgboostapi.h"
#include "xgboosttrainerprovider.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QThreadPool>
#include <QtConcurrent>
#include <QtTest>

#include <ctime>
#include <map>
#include <set>

using namespace kiln;

namespace {

// Collects what a trainer reports; optionally cancels once a step is reached.
class RecordingLogger final : public TrainingLogger
{
public:
    void logMetric(const QString &key, qint64 step, double value) override
    {
        const QMutexLocker lock(&m_mutex);
        metrics[key][step] = value;
        maxStep = std::max(maxStep, step);
        if (cancelAt > 0 && step >= cancelAt && feedback)
            feedback->cancel();
    }
    void logLine(const QString &line) override
    {
        const QMutexLocker lock(&m_mutex);
        lines.append(line);
    }

    std::map<QString, std::map<qint64, double>> metrics;
    QStringList lines;
    qint64 maxStep = 0;
    qint64 cancelAt = 0;
    Feedback *feedback = nullptr;

private:
    QMutex m_mutex;
};

struct Split
{
    TrainingData train;
    TrainingData validation;
    TrainingData test;
};

Split split(const TrainingData &data, quint64 seed = 11)
{
    const bool classes = data.task != TaskKind::Regression;
    const auto rows = splitRows(data, {0.15, 0.2, seed, classes}).value();
    return {subset(data, rows.train), subset(data, rows.validation), subset(data, rows.test)};
}

double accuracy(const TrainingData &data, const std::vector<double> &probabilities)
{
    const auto k = std::size_t(data.classes.size());
    qint64 right = 0;
    for (std::size_t i = 0; i < std::size_t(data.rows); ++i) {
        const auto row = probabilities.begin() + std::ptrdiff_t(i * k);
        const auto predicted = std::max_element(row, row + std::ptrdiff_t(k)) - row;
        right += predicted == std::ptrdiff_t(data.target[i]);
    }
    return double(right) / double(data.rows);
}

double rSquared(const TrainingData &data, const std::vector<double> &predictions)
{
    double mean = 0;
    for (float y : data.target)
        mean += y;
    mean /= double(data.rows);
    double residual = 0;
    double total = 0;
    for (std::size_t i = 0; i < std::size_t(data.rows); ++i) {
        residual += (data.target[i] - predictions[i]) * (data.target[i] - predictions[i]);
        total += (data.target[i] - mean) * (data.target[i] - mean);
    }
    return 1 - residual / total;
}

// Accuracy for classification, R² for regression.
double score(const TrainingData &data, const std::vector<double> &predictions)
{
    return data.task == TaskKind::Regression ? rSquared(data, predictions) : accuracy(data, predictions);
}

TrainingData generated(TaskKind task, qint64 rows)
{
    switch (task) {
    case TaskKind::BinaryClassification:
        return test::binaryData(rows, 20);
    case TaskKind::MulticlassClassification:
        return test::multiclassData(rows);
    case TaskKind::Regression:
        return test::regressionData(rows);
    }
    return {};
}

QJsonObject params(std::initializer_list<std::pair<const char *, QJsonValue>> values)
{
    QJsonObject object;
    for (const auto &[name, value] : values)
        object.insert(QLatin1String(name), value);
    return object;
}

// The rows first .. first + count - 1 of `data`.
TrainingData rowsOf(const TrainingData &data, qint64 first, qint64 count)
{
    std::vector<qint64> rows(static_cast<std::size_t>(count));
    for (qint64 i = 0; i < count; ++i)
        rows[std::size_t(i)] = first + i;
    return subset(data, rows);
}

// Values for predictions `first` .. first + count - 1 of `all`, `width` values a row.
std::vector<double> slice(const std::vector<double> &all, std::size_t width, qint64 first, qint64 count)
{
    const auto begin = all.begin() + std::ptrdiff_t(std::size_t(first) * width);
    return {begin, begin + std::ptrdiff_t(std::size_t(count) * width)};
}

// What XGBoost gives for `data` through a DMatrix, the way Kiln predicted before models were kept
// loaded, in Trainer::predict's form: (1 - p, p) for a binary task, XGBoost's values otherwise.
Expected<std::vector<double>> throughDMatrix(const TrainedModel &model, const TrainingData &data)
{
    auto booster = Internal::xgb::loadModel(model.bytes);
    if (!booster)
        return booster.error();
    auto matrix = Internal::xgb::makeMatrix(data, 0, Internal::xgb::Labels::Without);
    if (!matrix)
        return matrix.error();
    const auto predicted = Internal::xgb::predict(booster->get(), matrix->get());
    if (!predicted)
        return predicted.error();
    std::vector<double> values;
    for (std::size_t i = 0; i < predicted->size; ++i) {
        if (data.task == TaskKind::BinaryClassification)
            values.push_back(1.0 - double(predicted->values[i]));
        values.push_back(double(predicted->values[i]));
    }
    return values;
}

} // namespace

class tst_XGBoost final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void declaresTrainersAndHyperParameters();
    void hyperParameterValidation_data();
    void hyperParameterValidation();
    void learns_data();
    void learns();
    void logsEveryRoundForTrainAndValidation_data();
    void logsEveryRoundForTrainAndValidation();
    void sameSeedSameModel_data();
    void sameSeedSameModel();
    void cancelStopsBetweenRounds();
    void earlyStoppingKeepsTheBestRound();
    void savedModelPredictsTheSame();
    void loadedPredictorGivesTheSameValues_data();
    void loadedPredictorGivesTheSameValues();
    void loadedPredictorFromSeveralThreads_data();
    void loadedPredictorFromSeveralThreads();
    void rejectsBadParametersAndData_data();
    void rejectsBadParametersAndData();
    void featureImportanceSumsToOne_data();
    void featureImportanceSumsToOne();
    void csvToPredictions();
    void fitTimeOnSpambaseShape();

private:
    const Trainer *trainer(const QString &id) const;

    std::unique_ptr<Internal::XGBoostTrainerProvider> m_provider;
};

void tst_XGBoost::initTestCase()
{
    linkBuiltinPlugins();
    m_provider = std::make_unique<Internal::XGBoostTrainerProvider>();
}

const Trainer *tst_XGBoost::trainer(const QString &id) const
{
    for (const Trainer *t : m_provider->trainers()) {
        if (t->id() == id)
            return t;
    }
    qFatal("no trainer %s", qPrintable(id));
}

void tst_XGBoost::declaresTrainersAndHyperParameters()
{
    QStringList ids;
    for (const Trainer *t : m_provider->trainers()) {
        ids.append(t->id());
        QVERIFY(t->libraryVersion().startsWith(QLatin1String("xgboost 1.")));
        QCOMPARE(t->tasks().size(), 3);
        QVERIFY(!t->displayName().isEmpty() && !t->description().isEmpty());
        for (const HyperParameter &p : t->hyperParameters(TaskKind::BinaryClassification)) {
            // Every default passes its own validation, and every parameter is explained.
            const auto checked = p.validate(p.defaultValue);
            QVERIFY2(checked.ok(), qPrintable(p.name));
            QVERIFY2(p.help.size() > 30, qPrintable(p.name));
            if (p.type == HyperParameter::Type::Integer || p.type == HyperParameter::Type::Float)
                QVERIFY(p.minimum <= p.defaultValue.toDouble() && p.defaultValue.toDouble() <= p.maximum);
        }
    }
    QCOMPARE(
        ids,
        (QStringList {QStringLiteral("boosted-trees"), QStringLiteral("random-forest"), QStringLiteral("linear")}));
    QStringList names;
    for (const HyperParameter &p : trainer(QStringLiteral("boosted-trees"))->hyperParameters(TaskKind::Regression))
        names.append(p.name);
    QCOMPARE(names,
             (QStringList {QStringLiteral("n_estimators"), QStringLiteral("max_depth"), QStringLiteral("learning_rate"),
                           QStringLiteral("subsample"), QStringLiteral("colsample_bytree"),
                           QStringLiteral("min_child_weight"), QStringLiteral("reg_lambda"),
                           QStringLiteral("reg_alpha"), QStringLiteral("early_stopping_rounds"),
                           QStringLiteral("tree_method"), QStringLiteral("n_threads")}));
}

void tst_XGBoost::hyperParameterValidation_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QVariant>("input");
    QTest::addColumn<QVariant>("expected"); // invalid: an error is expected
    QTest::addColumn<QString>("message");
    const QVariant error;
    QTest::newRow("integer as typed") << "max_depth" << QVariant(QStringLiteral(" 6 ")) << QVariant(qint64(6)) << "";
    QTest::newRow("integer from JSON") << "max_depth" << QVariant(8.0) << QVariant(qint64(8)) << "";
    QTest::newRow("integer too small") << "max_depth" << QVariant(QStringLiteral("0")) << error
                                       << "max_depth must be an integer from 1 to 20, not 0";
    QTest::newRow("integer with a fraction") << "max_depth" << QVariant(QStringLiteral("2.5")) << error
                                             << "max_depth must be an integer from 1 to 20, not '2.5'";
    QTest::newRow("integer not a number") << "n_estimators" << QVariant(QStringLiteral("many")) << error
                                          << "n_estimators must be an integer from 1 to 5000, not 'many'";
    QTest::newRow("boolean is not a number")
        << "n_estimators" << QVariant(true) << error << "n_estimators must be an integer from 1 to 5000, not true";
    QTest::newRow("float as typed") << "learning_rate" << QVariant(QStringLiteral("0.3")) << QVariant(0.3) << "";
    QTest::newRow("float bound inclusive") << "learning_rate" << QVariant(1) << QVariant(1.0) << "";
    QTest::newRow("float too large") << "learning_rate" << QVariant(QStringLiteral("1.5")) << error
                                     << "learning_rate must be a number from 0.001 to 1, not 1.5";
    QTest::newRow("float not finite") << "learning_rate" << QVariant(QStringLiteral("nan")) << error
                                      << "learning_rate must be a number from 0.001 to 1, not 'nan'";
    QTest::newRow("choice any case") << "tree_method" << QVariant(QStringLiteral("Approx"))
                                     << QVariant(QStringLiteral("approx")) << "";
    QTest::newRow("choice unknown") << "tree_method" << QVariant(QStringLiteral("gpu_hist")) << error
                                    << "tree_method must be one of hist, approx, exact, not 'gpu_hist'";
    QTest::newRow("empty") << "subsample" << QVariant(QString()) << error << "subsample needs a value";
    QTest::newRow("JSON value") << "subsample" << QVariant::fromValue(QJsonValue(0.5)) << QVariant(0.5) << "";
}

void tst_XGBoost::hyperParameterValidation()
{
    QFETCH(QString, name);
    QFETCH(QVariant, input);
    QFETCH(QVariant, expected);
    QFETCH(QString, message);
    const auto declared = trainer(QStringLiteral("boosted-trees"))->hyperParameters(TaskKind::Regression);
    const auto p
        = std::find_if(declared.begin(), declared.end(), [&](const HyperParameter &h) { return h.name == name; });
    QVERIFY(p != declared.end());
    const auto result = p->validate(input);
    if (!expected.isValid()) {
        QVERIFY(!result.ok());
        QCOMPARE(result.errorMessage(), message);
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.errorMessage()));
    QCOMPARE(*result, expected);
    QCOMPARE(result->typeId(), expected.typeId());
}

void tst_XGBoost::learns_data()
{
    QTest::addColumn<QString>("trainer");
    QTest::addColumn<TaskKind>("task");
    QTest::addColumn<double>("bar"); // accuracy, or R² for regression, on the test set
    const struct
    {
        const char *trainer;
        double binary, multiclass, regression;
    } bars[] = {{"boosted-trees", 0.82, 0.80, 0.90}, {"random-forest", 0.75, 0.80, 0.80}, {"linear", 0.85, 0.80, 0.65}};
    for (const auto &b : bars) {
        const QString id = QLatin1String(b.trainer);
        QTest::newRow(qPrintable(id + QStringLiteral(" binary"))) << id << TaskKind::BinaryClassification << b.binary;
        QTest::newRow(qPrintable(id + QStringLiteral(" multiclass")))
            << id << TaskKind::MulticlassClassification << b.multiclass;
        QTest::newRow(qPrintable(id + QStringLiteral(" regression"))) << id << TaskKind::Regression << b.regression;
    }
}

void tst_XGBoost::learns()
{
    QFETCH(QString, trainer);
    QFETCH(TaskKind, task);
    QFETCH(double, bar);
    const Split data = split(generated(task, 3000));
    RecordingLogger logger;
    Feedback feedback;
    const Trainer *t = this->trainer(trainer);
    const auto model = t->train(data.train, &data.validation, params({{"n_threads", 2}}), 1, logger, feedback);
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.errorMessage()));
    QCOMPARE(model->format, QStringLiteral("xgboost-ubj"));
    QCOMPARE(feedback.progress(), 1.0);
    const auto predictions = t->predict(*model, data.test);
    QVERIFY2(predictions.ok(), qPrintable(predictions.ok() ? QString() : predictions.errorMessage()));
    const std::size_t perRow = task == TaskKind::Regression ? 1 : std::size_t(data.test.classes.size());
    QCOMPARE(predictions->size(), std::size_t(data.test.rows) * perRow);
    if (task != TaskKind::Regression) {
        for (std::size_t i = 0; i < std::size_t(data.test.rows); ++i) {
            double sum = 0;
            for (std::size_t c = 0; c < perRow; ++c)
                sum += (*predictions)[i * perRow + c];
            QVERIFY(std::abs(sum - 1) < 1e-5);
        }
    }
    const double achieved = score(data.test, *predictions);
    qInfo("%s: %.3f (bar %.2f)", QTest::currentDataTag(), achieved, bar);
    QVERIFY2(achieved > bar, qPrintable(QStringLiteral("%1 is not above %2").arg(achieved).arg(bar)));
}

void tst_XGBoost::logsEveryRoundForTrainAndValidation_data()
{
    QTest::addColumn<QString>("trainer");
    QTest::addColumn<TaskKind>("task");
    QTest::addColumn<QStringList>("metrics");
    QTest::addColumn<int>("rounds");
    QTest::newRow("binary") << "boosted-trees" << TaskKind::BinaryClassification
                            << QStringList {QStringLiteral("logloss"), QStringLiteral("error"), QStringLiteral("auc")}
                            << 25;
    QTest::newRow("multiclass") << "boosted-trees" << TaskKind::MulticlassClassification
                                << QStringList {QStringLiteral("mlogloss"), QStringLiteral("merror")} << 25;
    QTest::newRow("regression") << "boosted-trees" << TaskKind::Regression
                                << QStringList {QStringLiteral("rmse"), QStringLiteral("mae")} << 25;
    QTest::newRow("linear") << "linear" << TaskKind::BinaryClassification
                            << QStringList {QStringLiteral("logloss"), QStringLiteral("error"), QStringLiteral("auc")}
                            << 25;
    QTest::newRow("forest: one round") << "random-forest" << TaskKind::Regression
                                       << QStringList {QStringLiteral("rmse"), QStringLiteral("mae")} << 1;
}

void tst_XGBoost::logsEveryRoundForTrainAndValidation()
{
    QFETCH(QString, trainer);
    QFETCH(TaskKind, task);
    QFETCH(QStringList, metrics);
    QFETCH(int, rounds);
    const Split data = split(generated(task, 1200));
    RecordingLogger logger;
    Feedback feedback;
    const QString roundsName
        = trainer == QLatin1String("linear") ? QStringLiteral("rounds") : QStringLiteral("n_estimators");
    QJsonObject p {{QStringLiteral("n_threads"), 2}};
    if (rounds > 1)
        p.insert(roundsName, rounds);
    const auto model = this->trainer(trainer)->train(data.train, &data.validation, p, 3, logger, feedback);
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.errorMessage()));
    QCOMPARE(model->rounds, rounds);
    std::set<QString> expectedKeys;
    for (const QString &set : {QStringLiteral("train"), QStringLiteral("validation")}) {
        for (const QString &metric : metrics) {
            const QString key = set + QLatin1Char('/') + metric;
            expectedKeys.insert(key);
            QVERIFY2(logger.metrics.count(key), qPrintable(key));
            const auto &points = logger.metrics.at(key);
            QCOMPARE(int(points.size()), rounds);
            QCOMPARE(points.begin()->first, 1);
            QCOMPARE(points.rbegin()->first, rounds);
        }
    }
    std::set<QString> keys;
    for (const auto &[key, points] : logger.metrics)
        keys.insert(key);
    QCOMPARE(keys, expectedKeys);
    // The training loss falls as rounds are added.
    if (rounds > 1) {
        const auto &loss = logger.metrics.at(QStringLiteral("train/") + metrics.first());
        QVERIFY(loss.at(rounds) < loss.at(1));
    }
    QVERIFY(!logger.lines.isEmpty());

    if (task == TaskKind::BinaryClassification) {
        // The logged AUC is the final model's, by its definition: the share of (positive,
        // negative) pairs ordered correctly, ties counting half.
        const auto probability = this->trainer(trainer)->predict(*model, data.validation).value();
        double ordered = 0;
        double pairs = 0;
        for (std::size_t i = 0; i < std::size_t(data.validation.rows); ++i) {
            for (std::size_t j = 0; j < std::size_t(data.validation.rows); ++j) {
                if (data.validation.target[i] != 1 || data.validation.target[j] != 0)
                    continue;
                pairs += 1;
                const double positive = probability[2 * i + 1];
                const double negative = probability[2 * j + 1];
                ordered += positive > negative ? 1 : positive == negative ? 0.5 : 0;
            }
        }
        QVERIFY(std::abs(logger.metrics.at(QStringLiteral("validation/auc")).at(rounds) - ordered / pairs) < 1e-9);
    }
}

void tst_XGBoost::sameSeedSameModel_data()
{
    QTest::addColumn<QString>("trainer");
    QTest::addColumn<QJsonObject>("parameters");
    QTest::newRow("boosted trees, sampled")
        << "boosted-trees"
        << params({{"subsample", 0.7}, {"colsample_bytree", 0.7}, {"n_estimators", 30}, {"n_threads", 2}});
    QTest::newRow("random forest") << "random-forest" << params({{"n_estimators", 30}, {"n_threads", 2}});
    QTest::newRow("linear") << "linear" << params({{"rounds", 30}, {"n_threads", 2}});
}

void tst_XGBoost::sameSeedSameModel()
{
    QFETCH(QString, trainer);
    QFETCH(QJsonObject, parameters);
    const Split data = split(test::binaryData(1500, 20));
    const Trainer *t = this->trainer(trainer);
    const auto fit = [&](quint64 seed) {
        RecordingLogger logger;
        Feedback feedback;
        return t->train(data.train, &data.validation, parameters, seed, logger, feedback).value();
    };
    const TrainedModel a = fit(7);
    const TrainedModel b = fit(7);
    QCOMPARE(a.bytes, b.bytes);
    QCOMPARE(t->predict(a, data.test).value(), t->predict(b, data.test).value());
    if (trainer != QLatin1String("linear")) // coordinate descent has no randomness to seed
        QVERIFY(fit(8).bytes != a.bytes);
    // Every 64-bit seed is accepted (XGBoost's own is signed).
    QVERIFY(!fit(std::numeric_limits<quint64>::max()).bytes.isEmpty());
}

void tst_XGBoost::cancelStopsBetweenRounds()
{
    const Split data = split(test::binaryData(1500, 20));
    RecordingLogger logger;
    Feedback feedback;
    logger.feedback = &feedback;
    logger.cancelAt = 5;
    const auto model = trainer(QStringLiteral("boosted-trees"))
                           ->train(data.train, &data.validation, params({{"n_estimators", 500}}), 1, logger, feedback);
    QVERIFY(!model.ok());
    QCOMPARE(model.errorMessage(), QStringLiteral("training cancelled after 5 of 500 rounds"));
    QCOMPARE(logger.maxStep, 5);
    QVERIFY(feedback.progress() < 0.02);
}

void tst_XGBoost::earlyStoppingKeepsTheBestRound()
{
    // Labels that are noise: the validation loss stops improving within a few rounds.
    TrainingData noise = test::binaryData(1500, 10);
    test::Random random(5);
    for (float &label : noise.target)
        label = random.uniform() < 0.5 ? 1.0f : 0.0f;
    const Split data = split(noise);
    RecordingLogger logger;
    Feedback feedback;
    const Trainer *t = trainer(QStringLiteral("boosted-trees"));
    const auto model = t->train(data.train, &data.validation,
                                params({{"n_estimators", 500}, {"early_stopping_rounds", 10}}), 1, logger, feedback);
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.errorMessage()));
    const auto &loss = logger.metrics.at(QStringLiteral("validation/logloss"));
    QVERIFY(logger.maxStep < 500);
    // It ran exactly ten rounds past the best one, and kept the model at the best.
    const auto best
        = std::min_element(loss.begin(), loss.end(), [](const auto &a, const auto &b) { return a.second < b.second; });
    QCOMPARE(model->rounds, int(best->first));
    QCOMPARE(logger.maxStep, best->first + 10);
    QVERIFY(logger.lines.last().startsWith(QLatin1String("early stopping after round")));
    QCOMPARE(feedback.progress(), 1.0);

    // The kept model scores the validation set at the best round's loss.
    const auto probabilities = t->predict(*model, data.validation).value();
    double logLoss = 0;
    for (std::size_t i = 0; i < std::size_t(data.validation.rows); ++i) {
        const double p = std::clamp(probabilities[2 * i + 1], 1e-15, 1 - 1e-15);
        logLoss -= data.validation.target[i] > 0 ? std::log(p) : std::log(1 - p);
    }
    logLoss /= double(data.validation.rows);
    QVERIFY(std::abs(logLoss - best->second) < 1e-4);
}

void tst_XGBoost::savedModelPredictsTheSame()
{
    const Split data = split(test::multiclassData(1500));
    RecordingLogger logger;
    Feedback feedback;
    const Trainer *t = trainer(QStringLiteral("boosted-trees"));
    const auto model = t->train(data.train, nullptr, params({{"n_estimators", 40}}), 1, logger, feedback);
    QVERIFY(model.ok());
    // Through a file and back, as the model bundle will store it.
    QTemporaryDir dir;
    const QString path = test::writeFile(dir.filePath(QStringLiteral("model.ubj")), model->bytes);
    TrainedModel loaded;
    loaded.format = model->format;
    loaded.bytes = test::readFile(path);
    QCOMPARE(t->predict(loaded, data.test).value(), t->predict(*model, data.test).value());
    // Any of the three trainers reads any XGBoost model.
    QCOMPARE(trainer(QStringLiteral("linear"))->predict(loaded, data.test).value(),
             t->predict(*model, data.test).value());

    // A damaged file is an error, never a crash (XGBoost's own reader runs past a truncated end).
    for (int cut = 1; cut < 60; ++cut) {
        TrainedModel truncated = loaded;
        truncated.bytes.truncate(loaded.bytes.size() * cut / 60);
        const auto broken = t->predict(truncated, data.test);
        QVERIFY(!broken.ok());
        QVERIFY2(broken.errorMessage().startsWith(QLatin1String("the model is damaged: ")),
                 qPrintable(broken.errorMessage()));
    }
    TrainedModel notUbj = loaded;
    notUbj.bytes = QByteArrayLiteral("{\"learner\": {}}");
    QCOMPARE(t->predict(notUbj, data.test).errorMessage(), QStringLiteral("the model is not an XGBoost UBJSON model"));
    // Well-formed UBJSON that is not a model: XGBoost's message, without its stack trace.
    TrainedModel empty = loaded;
    empty.bytes = QByteArrayLiteral("{L\0\0\0\0\0\0\0\1xZ}");
    const auto rejected = t->predict(empty, data.test);
    QVERIFY(!rejected.ok());
    QVERIFY2(rejected.errorMessage().startsWith(QLatin1String("XGBoost failed to load the model: ")),
             qPrintable(rejected.errorMessage()));
    QVERIFY(!rejected.errorMessage().contains(QLatin1String("Stack trace")));

    TrainingData narrow = data.test;
    narrow.columns -= 1;
    narrow.features.resize(std::size_t(narrow.rows * narrow.columns));
    const auto mismatched = t->predict(loaded, narrow);
    QVERIFY(!mismatched.ok());
    QCOMPARE(mismatched.errorMessage(), QStringLiteral("the model takes 8 features; the data has 7"));
}

void tst_XGBoost::loadedPredictorGivesTheSameValues_data()
{
    QTest::addColumn<QString>("trainer");
    QTest::addColumn<TaskKind>("task");
    for (const char *trainer : {"boosted-trees", "random-forest", "linear"}) {
        const QString id = QLatin1String(trainer);
        QTest::newRow(qPrintable(id + QStringLiteral(" binary"))) << id << TaskKind::BinaryClassification;
        QTest::newRow(qPrintable(id + QStringLiteral(" multiclass"))) << id << TaskKind::MulticlassClassification;
        QTest::newRow(qPrintable(id + QStringLiteral(" regression"))) << id << TaskKind::Regression;
    }
}

void tst_XGBoost::loadedPredictorGivesTheSameValues()
{
    // Bit for bit what a DMatrix gives, for batches and single rows alike: tree models predict
    // in place, and few rows run on a booster of one thread.
    QFETCH(QString, trainer);
    QFETCH(TaskKind, task);
    Split data = split(generated(task, 1500));
    // Missing values, which in-place prediction reads as the DMatrix does.
    for (std::size_t i = 0; i < data.test.features.size(); i += 7)
        data.test.features[i] = NAN;
    RecordingLogger logger;
    Feedback feedback;
    const Trainer *t = this->trainer(trainer);
    const QString roundsName
        = trainer == QLatin1String("linear") ? QStringLiteral("rounds") : QStringLiteral("n_estimators");
    const auto model
        = t->train(data.train, nullptr, params({{"n_threads", 2}, {qPrintable(roundsName), 20}}), 1, logger, feedback);
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.errorMessage()));
    const auto expected = throughDMatrix(*model, data.test);
    QVERIFY2(expected.ok(), qPrintable(expected.ok() ? QString() : expected.errorMessage()));
    const std::size_t width = expected->size() / std::size_t(data.test.rows);
    QCOMPARE(width, task == TaskKind::Regression ? std::size_t(1) : std::size_t(data.test.classes.size()));

    const auto loaded = t->loadPredictor(*model);
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.errorMessage()));
    const ModelPredictor &predictor = **loaded;
    QCOMPARE(predictor.predict(data.test).value(), *expected);
    QCOMPARE(t->predict(*model, data.test).value(), *expected);
    QVERIFY(data.test.rows > 130);
    for (qint64 row = 0; row < data.test.rows; ++row) {
        const auto one = predictor.predict(rowsOf(data.test, row, 1));
        QVERIFY2(one.ok(), qPrintable(one.ok() ? QString() : one.errorMessage()));
        QVERIFY2(*one == slice(*expected, width, row, 1), qPrintable(QStringLiteral("row %1").arg(row)));
    }
    // Either side of the one-thread booster's limit of 64 rows.
    for (const qint64 count : {2, 63, 64, 65, 130}) {
        const auto some = predictor.predict(rowsOf(data.test, 1, count));
        QVERIFY2(some.ok(), qPrintable(some.ok() ? QString() : some.errorMessage()));
        QVERIFY2(*some == slice(*expected, width, 1, count), qPrintable(QStringLiteral("%1 rows").arg(count)));
    }
    QVERIFY(predictor.predict(rowsOf(data.test, 0, 0)).value().empty());

    TrainingData narrow = rowsOf(data.test, 0, 3);
    narrow.columns -= 1;
    narrow.features.resize(std::size_t(narrow.rows * narrow.columns));
    QCOMPARE(predictor.predict(narrow).errorMessage(),
             QStringLiteral("the model takes %1 features; the data has %2").arg(data.test.columns).arg(narrow.columns));
    TrainingData ragged = rowsOf(data.test, 0, 3);
    ragged.features.pop_back();
    QCOMPARE(predictor.predict(ragged).errorMessage(),
             QStringLiteral("the feature matrix holds %1 values, expected 3 rows × %2 columns")
                 .arg(ragged.features.size())
                 .arg(ragged.columns));
    TrainedModel other = *model;
    other.format = QStringLiteral("onnx");
    QCOMPARE(t->loadPredictor(other).errorMessage(),
             t->displayName() + QStringLiteral(" cannot read a model in the format 'onnx'"));
}

void tst_XGBoost::loadedPredictorFromSeveralThreads_data()
{
    QTest::addColumn<QString>("trainer");
    QTest::addColumn<TaskKind>("task");
    // Trees predict without a lock; gblinear, not documented thread-safe, one call at a time.
    QTest::newRow("boosted trees") << "boosted-trees" << TaskKind::BinaryClassification;
    QTest::newRow("random forest") << "random-forest" << TaskKind::MulticlassClassification;
    QTest::newRow("linear") << "linear" << TaskKind::MulticlassClassification;
}

void tst_XGBoost::loadedPredictorFromSeveralThreads()
{
    QFETCH(QString, trainer);
    QFETCH(TaskKind, task);
    const Split data = split(generated(task, 1500));
    RecordingLogger logger;
    Feedback feedback;
    const Trainer *t = this->trainer(trainer);
    const auto model = t->train(data.train, nullptr, params({{"n_threads", 2}}), 1, logger, feedback);
    QVERIFY(model.ok());
    const std::vector<double> expected = t->predict(*model, data.test).value();
    const std::size_t width = expected.size() / std::size_t(data.test.rows);
    // A fresh predictor: the first calls also race to set up its two boosters.
    const std::shared_ptr<const ModelPredictor> predictor = t->loadPredictor(*model).value();
    QThreadPool pool;
    pool.setMaxThreadCount(8);
    QList<qint64> jobs;
    for (qint64 job = 0; job < 400; ++job)
        jobs.append(job);
    // Mostly single rows, every tenth job a batch of all the rows.
    const auto rows = [&](qint64 job) {
        return job % 10 == 0 ? std::pair {qint64(0), data.test.rows} : std::pair {job % data.test.rows, qint64(1)};
    };
    const QList<std::vector<double>> results
        = QtConcurrent::blockingMapped(&pool, jobs, [&](qint64 job) -> std::vector<double> {
              const auto [first, count] = rows(job);
              const auto predicted = predictor->predict(rowsOf(data.test, first, count));
              return predicted ? *predicted : std::vector<double> {};
          });
    for (qint64 job = 0; job < results.size(); ++job) {
        const auto [first, count] = rows(job);
        QVERIFY2(results.at(job) == slice(expected, width, first, count),
                 qPrintable(QStringLiteral("job %1").arg(job)));
    }
}

void tst_XGBoost::rejectsBadParametersAndData_data()
{
    QTest::addColumn<QString>("trainer");
    QTest::addColumn<QJsonObject>("parameters");
    QTest::addColumn<bool>("withValidation");
    QTest::addColumn<QString>("message");
    QTest::newRow("depth out of range") << "boosted-trees" << params({{"max_depth", 0}}) << true
                                        << "max_depth must be an integer from 1 to 20, not 0";
    QTest::newRow("rate as bad text") << "boosted-trees" << params({{"learning_rate", QStringLiteral("fast")}}) << true
                                      << "learning_rate must be a number from 0.001 to 1, not 'fast'";
    QTest::newRow("too many trees") << "random-forest" << params({{"n_estimators", 10000}}) << true
                                    << "n_estimators must be an integer from 1 to 5000, not 10000";
    QTest::newRow("unknown parameter") << "linear" << params({{"max_depth", 3}}) << true
                                       << "linear has no hyperparameter 'max_depth'; it takes rounds, learning_rate, "
                                          "reg_lambda, reg_alpha, n_threads";
    QTest::newRow("early stopping without validation")
        << "boosted-trees" << params({{"early_stopping_rounds", 5}}) << false
        << "early_stopping_rounds is 5 but there is no validation set: give the split a validation fraction, or set "
           "early_stopping_rounds to 0";
}

void tst_XGBoost::rejectsBadParametersAndData()
{
    QFETCH(QString, trainer);
    QFETCH(QJsonObject, parameters);
    QFETCH(bool, withValidation);
    QFETCH(QString, message);
    const Split data = split(test::binaryData(300, 5));
    RecordingLogger logger;
    Feedback feedback;
    const auto model = this->trainer(trainer)->train(data.train, withValidation ? &data.validation : nullptr,
                                                     parameters, 1, logger, feedback);
    QVERIFY(!model.ok());
    QCOMPARE(model.errorMessage(), message);
    QVERIFY(logger.metrics.empty());
}

void tst_XGBoost::featureImportanceSumsToOne_data()
{
    QTest::addColumn<QString>("trainer");
    QTest::newRow("boosted-trees") << "boosted-trees";
    QTest::newRow("random-forest") << "random-forest";
    QTest::newRow("linear") << "linear";
}

void tst_XGBoost::featureImportanceSumsToOne()
{
    QFETCH(QString, trainer);
    const Split data = split(test::regressionData(2000));
    RecordingLogger logger;
    Feedback feedback;
    const auto model = this->trainer(trainer)->train(data.train, nullptr, {}, 1, logger, feedback);
    QVERIFY(model.ok());
    const QJsonObject &importance = model->featureImportance;
    QCOMPARE(importance.size(), data.train.columns);
    double sum = 0;
    QString top;
    for (auto it = importance.begin(); it != importance.end(); ++it) {
        sum += it.value().toDouble();
        if (top.isEmpty() || it.value().toDouble() > importance.value(top).toDouble())
            top = it.key();
    }
    QVERIFY(std::abs(sum - 1) < 1e-9);
    QCOMPARE(top, QStringLiteral("x0")); // y = 3 x0 + ...: the strongest feature by far
}

void tst_XGBoost::csvToPredictions()
{
    // The whole path a run takes: CSV → dataset → encoding → stratified split → fit → predict.
    QByteArray csv = "size,colour,weight,label\n";
    test::Random random(9);
    const char *colours[] = {"red", "green", "blue"};
    for (int i = 0; i < 900; ++i) {
        const double size = random.normal();
        const int colour = random.below(3);
        const double weight = random.normal();
        const bool positive = size + (colour == 0 ? 1.0 : -0.5) + 0.3 * random.normal() > 0;
        csv += (random.uniform() < 0.05 ? QByteArray("NA") : QByteArray::number(size, 'f', 4)) + ',' + colours[colour]
            + ',' + QByteArray::number(weight, 'f', 4) + ',' + (positive ? "yes" : "no") + '\n';
    }
    test::DatasetFixture fixture;
    const auto table = fixture.import(QStringLiteral("fruit"), csv);
    QVERIFY2(table, qPrintable(fixture.error()));
    const auto prepared = prepareTrainingData(*table, {QStringLiteral("label"), {}, std::nullopt});
    QVERIFY2(prepared.ok(), qPrintable(prepared.ok() ? QString() : prepared.errorMessage()));
    QCOMPARE(prepared->data.columns, 5); // size, colour=×3, weight
    const auto rows = splitRows(prepared->data, {0.1, 0.2, 4, true}).value();
    const TrainingData train = subset(prepared->data, rows.train);
    const TrainingData validation = subset(prepared->data, rows.validation);
    const TrainingData test = subset(prepared->data, rows.test);
    RecordingLogger logger;
    Feedback feedback;
    const Trainer *t = trainer(QStringLiteral("boosted-trees"));
    const auto model
        = t->train(train, &validation, params({{"max_depth", 3}, {"n_estimators", 50}}), 4, logger, feedback);
    QVERIFY(model.ok());
    const double achieved = accuracy(test, t->predict(*model, test).value());
    QVERIFY2(achieved > 0.85, qPrintable(QString::number(achieved)));
    QVERIFY(model->featureImportance.value(QStringLiteral("size")).toDouble()
            > model->featureImportance.value(QStringLiteral("weight")).toDouble());
}

void tst_XGBoost::fitTimeOnSpambaseShape()
{
    // PRODUCT.md's reference: 100 trees, depth 6, eta 0.3, hist, 2 threads on 4,601 × 57, which a
    // bare C program fits in 0.29 s. Missing values double the split search (XGBoost tries sending
    // them either way), so complete data is timed as well as data with 3% missing.
    for (const double missing : {0.0, 0.03}) {
        const TrainingData data = test::binaryData(4600, 57, 1, missing);
        RecordingLogger logger;
        Feedback feedback;
        const Trainer *t = trainer(QStringLiteral("boosted-trees"));
        QElapsedTimer timer;
        timer.start();
        const std::clock_t cpuStart = std::clock();
        const auto model = t->train(data, nullptr, params({{"n_threads", 2}}), 1, logger, feedback);
        const qint64 fitMs = timer.elapsed();
        const double cpuMs = double(std::clock() - cpuStart) * 1000.0 / CLOCKS_PER_SEC;
        QVERIFY(model.ok());
        timer.restart();
        const auto predictions = t->predict(*model, data);
        const qint64 predictMs = timer.elapsed();
        QVERIFY(predictions.ok());
        qInfo("boosted trees on 4,600 x 57 (%.0f%% missing), 100 rounds, 2 threads: fit %lld ms (%.0f ms CPU; "
              "metrics logged every round), predict %lld ms; GOMP_SPINCOUNT=%s",
              missing * 100, fitMs, cpuMs, predictMs, qgetenv("GOMP_SPINCOUNT").constData());
        QVERIFY2(fitMs < 20000, "far slower than the 0.3 s reference");
    }
}

QTEST_GUILESS_MAIN(tst_XGBoost)
#include "tst_xgboost.moc"
