// kiln-serve's metrics and what the desktop makes of them: the Prometheus text ServeMetrics
// and InputStats write for a real model, parsed back exactly; PSI and KS against values worked
// out by hand; drift of shifted inputs; traffic percentiles; the Open Inference Protocol v2
// conversions; and the DeploymentMonitor polling a real HTTP server on loopback.
#include "monitoring/deploymentmonitor.h"
#include "monitoring/drift.h"
#include "monitoring/metricssnapshot.h"
#include "registry/modelregistry.h"
#include "registry/predictor.h"
#include "registrytestsupport.h"
#include "serving/oip.h"
#include "serving/servedmodel.h"
#include "serving/servemetrics.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <thread>

using namespace kiln;

namespace {

QHash<QString, double> bins(std::initializer_list<std::pair<const char *, double>> counts)
{
    QHash<QString, double> out;
    for (const auto &[label, count] : counts)
        out.insert(QString::fromLatin1(label), count);
    return out;
}

const FeatureDrift *featureNamed(const DriftReport &report, const QString &name)
{
    for (const FeatureDrift &f : report.features) {
        if (f.feature == name)
            return &f;
    }
    return nullptr;
}

// The training rows with `change` applied to each row (by column name).
PredictionInput shifted(const PredictionInput &input,
                        const std::function<void(const QString &, std::string &, std::size_t)> &change)
{
    PredictionInput out = input;
    for (std::size_t r = 0; r < out.rows.size(); ++r) {
        for (qsizetype c = 0; c < out.columns.size(); ++c)
            change(out.columns.at(c), out.rows[r][std::size_t(c)], r);
    }
    return out;
}

/// A crafted profile whose drift numbers are worked out by hand below: a float column x with
/// four bins of 10, 20, 30, 40 rows over [0, 4]; a categorical c of 100 rows, 10 missing,
/// a 50 times and b 30 times (so 10 others).
QList<ColumnProfile> craftedProfile()
{
    ColumnProfile x;
    x.name = QStringLiteral("x");
    x.type = ColumnType::Float;
    x.count = 100;
    x.histogram.lower = 0;
    x.histogram.upper = 4;
    x.histogram.counts = {10, 20, 30, 40};
    ColumnProfile c;
    c.name = QStringLiteral("c");
    c.type = ColumnType::Categorical;
    c.count = 100;
    c.missing = 10;
    c.topValues = {{QStringLiteral("a"), 50}, {QStringLiteral("b"), 30}};
    return {x, c};
}

} // namespace

class TestServeMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void metricsRoundTrip();
    void regressionPredictionBins();
    void recordFromManyThreads();
    void prometheusFormat();
    void parseErrors();
    void psiAndKsByHand();
    void driftAgainstTrainingData();
    void trafficPercentiles();
    void trafficAfterReset();
    void oipRequestToInput();
    void oipBadRequests_data();
    void oipBadRequests();
    void oipResponseAndMetadata();
    void monitorPollsRealServer();
    void monitorUnauthorized();

private:
    std::shared_ptr<ServedModel> served(const QString &ref) const;

    QTemporaryDir m_dir;
    test::TrainedRegistryWorkspace m_trained;
    PredictionInput m_rows; ///< the training data, every column
};

void TestServeMetrics::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::TrainedRegistryWorkspace::create(m_dir.filePath(QStringLiteral("ws")), m_trained, m_dir.path());
    QVERIFY(m_trained.workspace);
    ModelRegistry registry(*m_trained.workspace);
    QVERIFY(registry.registerRun(m_trained.classifier, QStringLiteral("loans-risk")));
    QVERIFY(registry.registerRun(m_trained.regressor, QStringLiteral("loans-amount")));
    Expected<PredictionInput> rows = predictionInputFromCsv(test::loansCsv());
    QVERIFY2(rows, rows ? "" : qPrintable(rows.errorMessage()));
    m_rows = *rows;
}

std::shared_ptr<ServedModel> TestServeMetrics::served(const QString &ref) const
{
    const Expected<ModelVersion> version = ModelRegistry(*m_trained.workspace).version(ref);
    if (!version)
        qFatal("%s", qPrintable(version.errorMessage()));
    Expected<std::shared_ptr<const LoadedModel>> model = LoadedModel::load(*m_trained.workspace, ref);
    if (!model)
        qFatal("%s", qPrintable(model.errorMessage()));
    auto served = std::make_shared<ServedModel>();
    served->name = version->modelName;
    served->version = version->version;
    served->sha256 = QStringLiteral("ab12");
    served->trainer = version->trainer;
    served->loadedAt = QDateTime::fromMSecsSinceEpoch(1700000000500, Qt::UTC);
    served->profile = version->profile;
    served->model = *model;
    served->inputStats = std::make_shared<InputStats>(served->profile, **model);
    return served;
}

void TestServeMetrics::metricsRoundTrip()
{
    const std::shared_ptr<ServedModel> model = served(QStringLiteral("loans-risk@1"));
    const Expected<Predictions> predictions = model->model->predict(m_rows, ExtraColumns::Ignore);
    QVERIFY2(predictions, predictions ? "" : qPrintable(predictions.errorMessage()));

    ServeMetrics metrics;
    model->inputStats->record(m_rows, *predictions);
    // Latencies in known buckets: 3 under 0.1 ms, 2 in (0.5, 1] ms, one error in (5, 10] ms, one
    // over a second, two on a non-inference endpoint.
    for (int i = 0; i < 3; ++i)
        metrics.recordRequest(ServeEndpoint::Invocations, 200, 0.00005);
    metrics.recordRequest(ServeEndpoint::V2Infer, 200, 0.0008);
    metrics.recordRequest(ServeEndpoint::V2Infer, 200, 0.001);
    metrics.recordRequest(ServeEndpoint::Invocations, 400, 0.007);
    metrics.recordRequest(ServeEndpoint::V2Infer, 503, 3.0);
    metrics.recordRequest(ServeEndpoint::Other, 200, 0.00001);
    metrics.recordRequest(ServeEndpoint::Other, 404, 0.00001);

    const QByteArray text = metrics.prometheusText(model.get());
    const Expected<MetricsSnapshot> snapshot = MetricsSnapshot::parse(text);
    QVERIFY2(snapshot, snapshot ? "" : qPrintable(snapshot.errorMessage()));
    QCOMPARE(snapshot->modelName, QStringLiteral("loans-risk"));
    QCOMPARE(snapshot->modelVersion, 1);
    QCOMPARE(snapshot->sha256, QStringLiteral("ab12"));
    QCOMPARE(snapshot->loadedAt, model->loadedAt);
    QCOMPARE(snapshot->requests, 7.0);
    QCOMPARE(snapshot->errors, 2.0);
    QCOMPARE(snapshot->predictedRows, double(test::kLoanRows));

    const std::array<double, 13> &bounds = ServeMetrics::latencyBounds();
    QCOMPARE(snapshot->latencyBounds.size(), bounds.size() + 1);
    QVERIFY(std::isinf(snapshot->latencyBounds.back()));
    std::vector<double> expected;
    for (double bound : bounds) {
        double n = 3; // 0.05 ms
        n += bound >= 0.0008 ? 1 : 0;
        n += bound >= 0.001 ? 1 : 0;
        n += bound >= 0.007 ? 1 : 0;
        expected.push_back(n);
    }
    expected.push_back(7);
    QCOMPARE(snapshot->latencyCumulative, expected);

    // Every feature of the signature, each row counted once, in exactly the training
    // profile's bins: the counts are those the profile was built from.
    const QStringList features {QStringLiteral("income"),  QStringLiteral("age"),    QStringLiteral("owner"),
                                QStringLiteral("purpose"), QStringLiteral("branch"), QStringLiteral("opened")};
    QCOMPARE(snapshot->featureBins.size(), features.size());
    for (const ColumnProfile &column : model->profile) {
        if (!features.contains(column.name)) {
            QVERIFY2(!snapshot->featureBins.contains(column.name), qPrintable(column.name));
            continue;
        }
        QCOMPARE(snapshot->featureBins.value(column.name), driftbins::trainingCounts(column));
    }
    QCOMPARE(snapshot->featureBins.value(QStringLiteral("owner")).size(), 2 + 3); // false, true, under, over, missing
    QVERIFY(snapshot->featureBins.value(QStringLiteral("branch")).contains(QStringLiteral("__other__")));

    double yes = 0;
    double no = 0;
    for (qint64 row = 0; row < predictions->rows; ++row)
        (predictions->label(row) == QLatin1String("yes") ? yes : no) += 1;
    QCOMPARE(snapshot->predictionBins.value(QStringLiteral("yes")), yes);
    QCOMPARE(snapshot->predictionBins.value(QStringLiteral("no")), no);
    QCOMPARE(snapshot->predictionBins.size(), 2);

    // A swap starts the request counters afresh; the swaps counter keeps counting.
    metrics.recordSwap();
    QVERIFY(metrics.prometheusText(nullptr).contains("\nkiln_model_swaps_total 1\n"));
    const Expected<MetricsSnapshot> empty = MetricsSnapshot::parse(metrics.prometheusText(nullptr));
    QVERIFY(empty);
    QCOMPARE(empty->requests, 0.0);
    QCOMPARE(empty->modelVersion, 0);
    QVERIFY(empty->modelName.isEmpty());
    QVERIFY(!empty->loadedAt.isValid());
    QVERIFY(empty->featureBins.isEmpty());
}

void TestServeMetrics::regressionPredictionBins()
{
    const std::shared_ptr<ServedModel> model = served(QStringLiteral("loans-amount@1"));
    const Expected<Predictions> predictions = model->model->predict(m_rows, ExtraColumns::Ignore);
    QVERIFY(predictions);
    model->inputStats->record(m_rows, *predictions);
    const Expected<MetricsSnapshot> snapshot = MetricsSnapshot::parse(ServeMetrics().prometheusText(model.get()));
    QVERIFY(snapshot);
    QCOMPARE(snapshot->featureBins.size(), 4);
    // 20 bins over the target's range, and under/over.
    QCOMPARE(snapshot->predictionBins.size(), 22);
    double sum = 0;
    for (double n : snapshot->predictionBins)
        sum += n;
    QCOMPARE(sum, double(test::kLoanRows));
    QVERIFY(snapshot->predictionBins.value(QStringLiteral("10")) > 0);
}

void TestServeMetrics::recordFromManyThreads()
{
    // Serving threads record side by side: not one count is lost.
    const std::shared_ptr<ServedModel> model = served(QStringLiteral("loans-risk@1"));
    const Expected<Predictions> predictions = model->model->predict(m_rows, ExtraColumns::Ignore);
    QVERIFY(predictions);
    // Single rows, as requests carry them, with the columns in another order than the
    // signature's (the target first).
    std::vector<PredictionInput> singles;
    std::vector<Predictions> single;
    for (std::size_t r = 0; r < m_rows.rows.size(); ++r) {
        PredictionInput one;
        one.columns = m_rows.columns;
        one.columns.move(one.columns.size() - 1, 0);
        std::vector<std::string> row = m_rows.rows[r];
        std::rotate(row.rbegin(), row.rbegin() + 1, row.rend());
        one.rows = {row};
        const Expected<Predictions> p = model->model->predict(one, ExtraColumns::Ignore);
        QVERIFY(p);
        singles.push_back(one);
        single.push_back(*p);
    }
    constexpr int kThreads = 4;
    constexpr int kRounds = 5;
    ServeMetrics metrics;
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int round = 0; round < kRounds; ++round) {
                for (std::size_t r = 0; r < singles.size(); ++r) {
                    model->inputStats->record(singles[r], single[r]);
                    metrics.recordRequest(ServeEndpoint::V2Infer, 200, 0.0002);
                }
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    const Expected<MetricsSnapshot> snapshot = MetricsSnapshot::parse(metrics.prometheusText(model.get()));
    QVERIFY(snapshot);
    const double times = kThreads * kRounds;
    QCOMPARE(snapshot->requests, times * test::kLoanRows);
    QCOMPARE(snapshot->predictedRows, times * test::kLoanRows);
    QCOMPARE(snapshot->latencyCumulative.front(), 0.0);
    QCOMPARE(snapshot->latencyCumulative.at(1), times * test::kLoanRows);
    for (const ColumnProfile &column : model->profile) {
        if (!snapshot->featureBins.contains(column.name))
            continue;
        QHash<QString, double> expected = driftbins::trainingCounts(column);
        for (double &n : expected)
            n *= times;
        QCOMPARE(snapshot->featureBins.value(column.name), expected);
    }
}

void TestServeMetrics::prometheusFormat()
{
    const std::shared_ptr<ServedModel> model = served(QStringLiteral("loans-risk@1"));
    model->name = QStringLiteral("a \"quoted\"\\name\nwith a line");
    ServeMetrics metrics;
    metrics.recordRequest(ServeEndpoint::Invocations, 200, 0.0002);
    const QByteArray text = metrics.prometheusText(model.get());
    QVERIFY(text.contains("# TYPE kiln_requests_total counter\n"));
    QVERIFY(text.contains("# TYPE kiln_request_duration_seconds histogram\n"));
    QVERIFY(text.contains("# TYPE kiln_model_version gauge\n"));
    QVERIFY(text.contains("# HELP kiln_feature_bin_total "));
    QVERIFY(text.contains("kiln_requests_total{endpoint=\"invocations\",code=\"200\"} 1\n"));
    QVERIFY(text.contains("kiln_request_duration_seconds_bucket{endpoint=\"invocations\",le=\"0.0001\"} 0\n"));
    QVERIFY(text.contains("kiln_request_duration_seconds_bucket{endpoint=\"invocations\",le=\"0.00025\"} 1\n"));
    QVERIFY(text.contains("kiln_request_duration_seconds_bucket{endpoint=\"invocations\",le=\"+Inf\"} 1\n"));
    QVERIFY(text.contains("kiln_request_duration_seconds_count{endpoint=\"invocations\"} 1\n"));
    QVERIFY(text.contains("kiln_model_info{name=\"a \\\"quoted\\\"\\\\name\\nwith a line\",version=\"1\""));
    QVERIFY(text.contains("kiln_feature_bin_total{feature=\"income\",bin=\"under\"} 0\n"));
    QVERIFY(text.contains("kiln_feature_bin_total{feature=\"purpose\",value=\"__other__\"} 0\n"));
    QVERIFY(text.contains("kiln_prediction_bin_total{class=\"yes\"} 0\n"));
    QVERIFY(text.endsWith('\n'));
    // Every line is a comment or `name{labels} value`, and reads back with the name unescaped.
    const Expected<MetricsSnapshot> snapshot = MetricsSnapshot::parse(text);
    QVERIFY(snapshot);
    QCOMPARE(snapshot->modelName, model->name);
}

void TestServeMetrics::parseErrors()
{
    const auto errorOf = [](const QByteArray &text) {
        const Expected<MetricsSnapshot> s = MetricsSnapshot::parse(text);
        return s ? QString() : s.errorMessage();
    };
    QVERIFY(errorOf("# HELP x y\nunknown_family{a=\"b\"} 3 1700000000\nkiln_model_version 2\n").isEmpty());
    QCOMPARE(errorOf("kiln_model_version 2\nkiln_requests_total{endpoint=\"invocations\" 3\n"),
             QStringLiteral("line 2 of the metrics: expected ',' or '}' after label endpoint"));
    QCOMPARE(errorOf("\n\nkiln_model_version abc\n"), QStringLiteral("line 3 of the metrics: abc is not a number"));
    QCOMPARE(errorOf("kiln_model_version\n"),
             QStringLiteral("line 1 of the metrics: expected a space and a value after kiln_model_version"));
    QCOMPARE(errorOf("{a=\"b\"} 1\n"), QStringLiteral("line 1 of the metrics: expected a metric name"));
    QCOMPARE(errorOf("kiln_feature_bin_total{bin=\"1\"} 4\n"),
             QStringLiteral("line 1 of the metrics: kiln_feature_bin_total has no feature label"));
    QCOMPARE(errorOf("x{a=\"unclosed} 1\n"), QStringLiteral("line 1 of the metrics: label a has no closing quote"));
    QCOMPARE(errorOf("x 1 2 3\n"),
             QStringLiteral("line 1 of the metrics: expected a value and at most a timestamp after x"));
}

void TestServeMetrics::psiAndKsByHand()
{
    const QList<ColumnProfile> profile = craftedProfile();
    MetricsSnapshot from;
    from.modelVersion = 1;
    from.featureBins[QStringLiteral("x")] = bins({{"0", 5}, {"1", 5}, {"2", 5}, {"3", 5}});
    from.featureBins[QStringLiteral("c")] = bins({{"a", 10}, {"b", 10}});
    from.predictionBins = bins({{"yes", 3}});
    MetricsSnapshot to = from;
    // Window: x 40, 30, 20, 10 (reversed); c a 20, b 20, other 50, missing 10.
    to.featureBins[QStringLiteral("x")] = bins({{"0", 45}, {"1", 35}, {"2", 25}, {"3", 15}});
    to.featureBins[QStringLiteral("c")] = bins({{"a", 30}, {"b", 30}, {"__other__", 50}, {"__missing__", 10}});
    to.predictionBins = bins({{"yes", 10}, {"no", 4}});

    const DriftReport report = computeDrift(profile, from, to);
    QCOMPARE(report.features.size(), 2);
    QCOMPARE(report.features.at(0).feature, QStringLiteral("x")); // profile order
    const FeatureDrift &x = report.features.at(0);
    const FeatureDrift &c = report.features.at(1);
    QCOMPARE(x.liveRows, 100.0);
    QCOMPARE(report.liveRows, 100.0);
    // Σ (live − train) ln(live / train): 0.3 ln 4 + 0.1 ln 1.5 − 0.1 ln (2/3) − 0.3 ln 0.25 =
    // 0.6 ln 4 + 0.2 ln 1.5; under, over and missing are 1e-4 on both sides and add nothing.
    QVERIFY(std::abs(x.psi - (0.6 * std::log(4.0) + 0.2 * std::log(1.5))) < 1e-12);
    // CDFs 0.1 0.3 0.6 1 against 0.4 0.7 0.9 1.
    QVERIFY(std::abs(x.ks - 0.4) < 1e-12);
    QVERIFY(x.drifted);
    // c: train a .5 b .3 other .1 missing .1; live a .2 b .2 other .5 missing .1.
    const double cPsi = -0.3 * std::log(0.4) - 0.1 * std::log(2.0 / 3.0) + 0.4 * std::log(5.0);
    QVERIFY(std::abs(c.psi - cPsi) < 1e-12);
    QCOMPARE(c.ks, 0.0);
    QVERIFY(c.drifted);
    QCOMPARE(report.predictionBins, bins({{"yes", 7}, {"no", 4}}));
    QVERIFY(report.anyDrift());

    // The floor: live values only above the range (train 0 there) against a training bin the
    // window never hits: 1e-4 stands in for each zero.
    MetricsSnapshot over;
    over.featureBins[QStringLiteral("x")] = bins({{"over", 100}});
    const FeatureDrift o = computeDrift(profile, {}, over).features.at(0);
    const double floorPsi = (1 - 1e-4) * std::log(1 / 1e-4) + (1e-4 - 0.1) * std::log(1e-4 / 0.1)
        + (1e-4 - 0.2) * std::log(1e-4 / 0.2) + (1e-4 - 0.3) * std::log(1e-4 / 0.3)
        + (1e-4 - 0.4) * std::log(1e-4 / 0.4);
    QVERIFY2(std::abs(o.psi - floorPsi) < 1e-9, qPrintable(QString::number(o.psi)));
    QVERIFY(std::abs(o.ks - 1.0) < 1e-12);

    // Too few rows: numbers, but no verdict.
    MetricsSnapshot few;
    few.featureBins[QStringLiteral("x")] = bins({{"over", 10}});
    const FeatureDrift f = computeDrift(profile, {}, few).features.at(0);
    QVERIFY(f.psi > 1);
    QVERIFY(!f.drifted);

    // Counters that went down (the agent restarted): the window is `to` alone.
    MetricsSnapshot restarted;
    restarted.modelVersion = 1;
    restarted.featureBins[QStringLiteral("x")] = bins({{"0", 1}, {"1", 2}, {"2", 3}, {"3", 4}});
    const DriftReport afterRestart = computeDrift(profile, to, restarted);
    QCOMPARE(afterRestart.features.at(0).liveRows, 10.0);
    QVERIFY(afterRestart.features.at(0).psi < 1e-12);
}

void TestServeMetrics::driftAgainstTrainingData()
{
    const QList<ColumnProfile> profile = served(QStringLiteral("loans-risk@1"))->profile;
    const auto driftOf = [&](const PredictionInput &input, QStringList *drifted) {
        const std::shared_ptr<ServedModel> model = served(QStringLiteral("loans-risk@1"));
        const Expected<Predictions> predictions = model->model->predict(input, ExtraColumns::Ignore);
        if (!predictions)
            qFatal("%s", qPrintable(predictions.errorMessage()));
        model->inputStats->record(input, *predictions);
        const Expected<MetricsSnapshot> snapshot = MetricsSnapshot::parse(ServeMetrics().prometheusText(model.get()));
        if (!snapshot)
            qFatal("%s", qPrintable(snapshot.errorMessage()));
        DriftReport report = computeDrift(profile, {}, *snapshot);
        for (const FeatureDrift &f : report.features) {
            if (f.drifted)
                drifted->append(f.feature);
        }
        return report;
    };

    QStringList none;
    const DriftReport same = driftOf(m_rows, &none);
    QCOMPARE(same.features.size(), 6);
    QCOMPARE(same.liveRows, double(test::kLoanRows));
    QVERIFY2(none.isEmpty(), qPrintable(none.join(u',')));
    for (const FeatureDrift &f : same.features) {
        QVERIFY2(f.psi < 1e-9, qPrintable(f.feature));
        QVERIFY2(f.ks < 1e-9, qPrintable(f.feature));
    }

    // Richer applicants who all travel: income and purpose move, the rest stays.
    const PredictionInput richer = shifted(m_rows, [](const QString &column, std::string &field, std::size_t) {
        if (column == QLatin1String("income"))
            field = std::to_string(std::stod(field) + 50000);
        else if (column == QLatin1String("purpose"))
            field = "travel";
    });
    QStringList drifted;
    const DriftReport moved = driftOf(richer, &drifted);
    drifted.sort();
    QCOMPARE(drifted, (QStringList {QStringLiteral("income"), QStringLiteral("purpose")}));
    QVERIFY(featureNamed(moved, QStringLiteral("income"))->ks > 0.4);
    QVERIFY(featureNamed(moved, QStringLiteral("age"))->psi < 1e-9);

    // Missing values count in their own bin: half the ages missing is drift too.
    const PredictionInput holes = shifted(m_rows, [](const QString &column, std::string &field, std::size_t row) {
        if (column == QLatin1String("age") && row % 2 == 0)
            field.clear();
    });
    QStringList ageDrift;
    const DriftReport withHoles = driftOf(holes, &ageDrift);
    QCOMPARE(ageDrift, QStringList {QStringLiteral("age")});
    QVERIFY(featureNamed(withHoles, QStringLiteral("age"))->psi > 1);
}

void TestServeMetrics::trafficPercentiles()
{
    const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1700000000000, Qt::UTC);
    MetricsSnapshot from;
    from.at = t0;
    from.modelVersion = 3;
    from.requests = 100;
    from.errors = 1;
    from.latencyBounds = {0.001, 0.002, 0.004, INFINITY};
    from.latencyCumulative = {50, 80, 100, 100};
    MetricsSnapshot to = from;
    to.at = t0.addSecs(10);
    to.requests = 300;
    to.errors = 6;
    // Window: 100 in (0, 1] ms, 50 in (1, 2], 50 in (2, 4].
    to.latencyCumulative = {150, 230, 300, 300};
    const TrafficSample t = trafficBetween(from, to);
    QCOMPARE(t.requestsPerSecond, 20.0);
    QCOMPARE(t.errorsPerSecond, 0.5);
    QVERIFY(std::abs(t.p50Ms - 1.0) < 1e-9); // rank 100: the end of the first bucket
    QVERIFY(std::abs(t.p99Ms - (2.0 + 2.0 * 48.0 / 50.0)) < 1e-9); // rank 198 in (2, 4]

    // Linear within the first bucket from 0; the +Inf bucket answers its lower bound.
    MetricsSnapshot slow = to;
    slow.at = to.at.addSecs(5);
    slow.requests = to.requests + 40;
    slow.latencyCumulative = {160, 230 + 10, 300 + 10, 300 + 40};
    const TrafficSample s = trafficBetween(to, slow);
    QCOMPARE(s.requestsPerSecond, 8.0);
    QVERIFY(std::abs(s.p50Ms - 4.0) < 1e-9); // rank 20 of 40: in +Inf, answered 4 ms
    MetricsSnapshot fast = to;
    fast.at = to.at.addSecs(1);
    fast.requests = to.requests + 10;
    fast.latencyCumulative = {160, 240, 310, 310};
    QVERIFY(std::abs(trafficBetween(to, fast).p50Ms - 0.5) < 1e-9);

    // No traffic: zeros, not NaN.
    const TrafficSample idle = trafficBetween(to, [&] {
        MetricsSnapshot same = to;
        same.at = to.at.addSecs(2);
        return same;
    }());
    QCOMPARE(idle.requestsPerSecond, 0.0);
    QCOMPARE(idle.p50Ms, 0.0);
    QCOMPARE(idle.p99Ms, 0.0);
}

void TestServeMetrics::trafficAfterReset()
{
    const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1700000000000, Qt::UTC);
    MetricsSnapshot from;
    from.at = t0;
    from.modelVersion = 3;
    from.requests = 1000;
    from.latencyBounds = {0.001, INFINITY};
    from.latencyCumulative = {1000, 1000};
    // Version 4 loaded 5 s before the next scrape, 10 s after this one: 50 requests since.
    MetricsSnapshot to;
    to.at = t0.addSecs(10);
    to.modelVersion = 4;
    to.loadedAt = t0.addSecs(5);
    to.requests = 50;
    to.latencyBounds = from.latencyBounds;
    to.latencyCumulative = {50, 50};
    TrafficSample t = trafficBetween(from, to);
    QCOMPARE(t.requestsPerSecond, 10.0);
    QVERIFY(std::abs(t.p50Ms - 0.5) < 1e-9);
    // The same version, counters down (a restart) and no load time: the whole interval.
    to.modelVersion = 3;
    to.loadedAt = {};
    t = trafficBetween(from, to);
    QCOMPARE(t.requestsPerSecond, 5.0);
}

void TestServeMetrics::oipRequestToInput()
{
    QString id;
    const QByteArray request = R"({"id": "req-7", "parameters": {"content_type": "pd"}, "inputs": [
        {"name": "income", "shape": [2], "datatype": "FP64", "data": [52000.5, 61000]},
        {"name": "age", "shape": [2, 1], "datatype": "INT64", "data": [[34], [51]]},
        {"name": "owner", "shape": [2], "datatype": "BOOL", "data": [true, false]},
        {"name": "purpose", "shape": [2], "datatype": "BYTES", "data": ["car", null]},
        {"name": "small", "shape": [2], "datatype": "UINT8", "data": [0, 255]},
        {"name": "f32", "shape": [2], "datatype": "FP32", "data": [0.25, -1e-3]},
        {"name": "i8", "shape": [2, 1], "datatype": "INT8", "data": [-128, 127]}]})";
    const Expected<PredictionInput> input = oip::requestToInput(request, &id);
    QVERIFY2(input, input ? "" : qPrintable(input.errorMessage()));
    QCOMPARE(id, QStringLiteral("req-7"));
    QCOMPARE(input->columns,
             (QStringList {QStringLiteral("income"), QStringLiteral("age"), QStringLiteral("owner"),
                           QStringLiteral("purpose"), QStringLiteral("small"), QStringLiteral("f32"),
                           QStringLiteral("i8")}));
    QCOMPARE(input->rows.size(), std::size_t(2));
    const std::vector<std::string> first {"52000.5", "34", "true", "car", "0", "0.25", "-128"};
    const std::vector<std::string> second {"61000", "51", "false", "", "255", "-0.001", "127"};
    QVERIFY(input->rows[0] == first);
    QVERIFY(input->rows[1] == second);

    // Flat data for an [N, 1] shape is fine too; no id leaves it empty.
    const Expected<PredictionInput> flat = oip::requestToInput(
        R"({"inputs": [{"name": "a", "shape": [3, 1], "datatype": "INT32", "data": [1, 2, 3]}]})", &id);
    QVERIFY(flat);
    QVERIFY(id.isEmpty());
    QCOMPARE(flat->rows.size(), std::size_t(3));
    QCOMPARE(flat->rows[2].front(), std::string("3"));

    // A request in v2 form predicts what the same rows in MLflow's form do.
    const std::shared_ptr<ServedModel> model = served(QStringLiteral("loans-risk@1"));
    const QByteArray v2 = R"({"inputs": [
        {"name": "income", "shape": [1], "datatype": "FP64", "data": [42000.5]},
        {"name": "age", "shape": [1], "datatype": "INT64", "data": [30]},
        {"name": "owner", "shape": [1], "datatype": "BOOL", "data": [true]},
        {"name": "purpose", "shape": [1], "datatype": "BYTES", "data": ["travel"]},
        {"name": "branch", "shape": [1], "datatype": "BYTES", "data": ["b3"]},
        {"name": "opened", "shape": [1], "datatype": "BYTES", "data": ["2024-03-05T10:00:00"]}]})";
    const QByteArray mlflow = R"({"dataframe_records": [{"income": 42000.5, "age": 30, "owner": true,
        "purpose": "travel", "branch": "b3", "opened": "2024-03-05T10:00:00"}]})";
    const Expected<PredictionInput> fromV2 = oip::requestToInput(v2);
    const Expected<PredictionInput> fromMlflow = predictionInputFromJson(mlflow);
    QVERIFY(fromV2 && fromMlflow);
    const Expected<Predictions> a = model->model->predict(*fromV2);
    const Expected<Predictions> b = model->model->predict(*fromMlflow);
    QVERIFY2(a, a ? "" : qPrintable(a.errorMessage()));
    QVERIFY(b);
    QCOMPARE(a->values, b->values);
}

void TestServeMetrics::oipBadRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("error");
    const auto row = [](const char *name, const char *request, const char *error) {
        QTest::newRow(name) << QByteArray(request) << QString::fromUtf8(error);
    };
    row("not json", "{\"inputs\": [", "the request is not JSON");
    row("array", "[1, 2]", "the request is an array, expected an object with \"inputs\"");
    row("no inputs", "{\"id\": \"x\"}", "the request has no \"inputs\" array (missing)");
    row("empty inputs", "{\"inputs\": []}", "the request has no inputs");
    row("input not object", "{\"inputs\": [3]}", "inputs[0] is a number, expected an object");
    row("no name", R"({"inputs": [{"shape": [1], "datatype": "FP64", "data": [1]}]})", "inputs[0] has no name");
    row("shape mismatch", R"({"inputs": [{"name": "age", "shape": [3], "datatype": "FP64", "data": [1, 2]}]})",
        "input 'age': shape [3] but 2 values");
    row("wrong type", R"({"inputs": [{"name": "age", "shape": [2], "datatype": "FP64", "data": [1, "abc"]}]})",
        "input 'age': datatype FP64 but 'abc'");
    row("fraction for int", R"({"inputs": [{"name": "n", "shape": [1], "datatype": "INT32", "data": [2.5]}]})",
        "input 'n': datatype INT32 but 2.5");
    row("int8 range", R"({"inputs": [{"name": "n", "shape": [1], "datatype": "INT8", "data": [300]}]})",
        "input 'n': datatype INT8 but 300");
    row("negative uint", R"({"inputs": [{"name": "n", "shape": [1], "datatype": "UINT16", "data": [-1]}]})",
        "input 'n': datatype UINT16 but -1");
    row("bool as number", R"({"inputs": [{"name": "b", "shape": [1], "datatype": "BOOL", "data": [1]}]})",
        "input 'b': datatype BOOL but 1");
    row("bytes as number", R"({"inputs": [{"name": "s", "shape": [1], "datatype": "BYTES", "data": [3]}]})",
        "input 's': datatype BYTES but 3");
    row("object value", R"({"inputs": [{"name": "s", "shape": [1], "datatype": "BYTES", "data": [{}]}]})",
        "input 's': datatype BYTES but an object");
    row("unknown datatype", R"({"inputs": [{"name": "x", "shape": [1], "datatype": "FP8", "data": [1]}]})",
        "input 'x': datatype 'FP8' is not one of FP64");
    row("matrix shape", R"({"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP64", "data": [1,2,3,4,5,6]}]})",
        "input 'x': shape [2, 3] is not [N] or [N, 1]");
    row("no shape", R"({"inputs": [{"name": "x", "datatype": "FP64", "data": [1]}]})",
        "input 'x': shape missing is not [N] or [N, 1]");
    row("data not array", R"({"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": 1}]})",
        "input 'x': data is a number, expected an array");
    row("row counts", R"({"inputs": [{"name": "age", "shape": [2], "datatype": "INT64", "data": [1, 2]},
        {"name": "city", "shape": [1], "datatype": "BYTES", "data": ["Lyon"]}]})",
        "inputs 'age' and 'city' have different row counts (2 and 1)");
    row("twice", R"({"inputs": [{"name": "age", "shape": [1], "datatype": "INT64", "data": [1]},
        {"name": "age", "shape": [1], "datatype": "INT64", "data": [2]}]})",
        "input 'age' is given twice");
}

void TestServeMetrics::oipBadRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, error);
    const Expected<PredictionInput> input = oip::requestToInput(request);
    QVERIFY(!input);
    QVERIFY2(input.errorMessage().startsWith(error), qPrintable(input.errorMessage()));
}

void TestServeMetrics::oipResponseAndMetadata()
{
    const std::shared_ptr<ServedModel> risk = served(QStringLiteral("loans-risk@1"));
    PredictionInput two = m_rows;
    two.rows.resize(2);
    const Expected<Predictions> p = risk->model->predict(two, ExtraColumns::Ignore);
    QVERIFY(p);
    const QJsonObject reply = oip::response(*risk, *p, QStringLiteral("req-1"));
    QCOMPARE(reply.value(u"model_name").toString(), QStringLiteral("loans-risk"));
    QCOMPARE(reply.value(u"model_version").toString(), QStringLiteral("1"));
    QCOMPARE(reply.value(u"id").toString(), QStringLiteral("req-1"));
    const QJsonArray outputs = reply.value(u"outputs").toArray();
    QCOMPARE(outputs.size(), 2);
    const QJsonObject predict = outputs.at(0).toObject();
    QCOMPARE(predict.value(u"name").toString(), QStringLiteral("predict"));
    QCOMPARE(predict.value(u"datatype").toString(), QStringLiteral("BYTES"));
    QCOMPARE(predict.value(u"shape").toArray(), (QJsonArray {2}));
    QCOMPARE(predict.value(u"data").toArray(), (QJsonArray {p->label(0), p->label(1)}));
    const QJsonObject probabilities = outputs.at(1).toObject();
    QCOMPARE(probabilities.value(u"shape").toArray(), (QJsonArray {2, 2}));
    QCOMPARE(probabilities.value(u"data").toArray().size(), 4);
    QCOMPARE(probabilities.value(u"data").toArray().at(3).toDouble(), p->values[3]);
    QCOMPARE(probabilities.value(u"parameters").toObject().value(u"classes").toArray(),
             QJsonArray::fromStringList(p->classes));
    QVERIFY(!oip::response(*risk, *p, {}).contains(u"id"));

    const QJsonObject meta = oip::metadata(*risk);
    QCOMPARE(meta.value(u"name").toString(), QStringLiteral("loans-risk"));
    QCOMPARE(meta.value(u"versions").toArray(), (QJsonArray {QStringLiteral("1")}));
    QCOMPARE(meta.value(u"platform").toString(), QStringLiteral("kiln-boosted-trees"));
    QStringList inputs;
    const QJsonArray metaInputs = meta.value(u"inputs").toArray();
    for (const auto &input : metaInputs) {
        const QJsonObject o = input.toObject();
        inputs.append(o.value(u"name").toString() + u':' + o.value(u"datatype").toString());
        QCOMPARE(o.value(u"shape").toArray(), (QJsonArray {-1}));
    }
    QCOMPARE(inputs,
             (QStringList {QStringLiteral("income:FP64"), QStringLiteral("age:INT64"), QStringLiteral("owner:BOOL"),
                           QStringLiteral("purpose:BYTES"), QStringLiteral("branch:BYTES"),
                           QStringLiteral("opened:BYTES")}));
    QCOMPARE(meta.value(u"outputs").toArray().size(), 2);

    const std::shared_ptr<ServedModel> amount = served(QStringLiteral("loans-amount@1"));
    const Expected<Predictions> q = amount->model->predict(two, ExtraColumns::Ignore);
    QVERIFY(q);
    const QJsonArray regression = oip::response(*amount, *q, {}).value(u"outputs").toArray();
    QCOMPARE(regression.size(), 1);
    QCOMPARE(regression.at(0).toObject().value(u"datatype").toString(), QStringLiteral("FP64"));
    QCOMPARE(regression.at(0).toObject().value(u"data").toArray().at(1).toDouble(), q->values[1]);
    const QJsonArray amountOutputs = oip::metadata(*amount).value(u"outputs").toArray();
    QCOMPARE(amountOutputs.size(), 1);
    QCOMPARE(amountOutputs.at(0).toObject().value(u"datatype").toString(), QStringLiteral("FP64"));
}

void TestServeMetrics::monitorPollsRealServer()
{
    // A real HTTP server on loopback serving what an agent would, changed between scrapes.
    const std::shared_ptr<ServedModel> model = served(QStringLiteral("loans-risk@1"));
    ServeMetrics metrics;
    const Expected<Predictions> predictions = model->model->predict(m_rows, ExtraColumns::Ignore);
    QVERIFY(predictions);
    model->inputStats->record(m_rows, *predictions);
    metrics.recordRequest(ServeEndpoint::Invocations, 200, 0.0004);
    QByteArray body = metrics.prometheusText(model.get());
    int scrapes = 0;
    auto server = std::make_unique<QHttpServer>();
    server->route(QStringLiteral("/metrics"), [&](const QHttpServerRequest &) {
        ++scrapes;
        return QHttpServerResponse("text/plain; version=0.0.4", body);
    });
    const quint16 port = server->listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);

    DeploymentMonitor monitor;
    QSignalSpy sampled(&monitor, &DeploymentMonitor::sampled);
    QSignalSpy alerts(&monitor, &DeploymentMonitor::driftAlert);
    QSignalSpy unreachable(&monitor, &DeploymentMonitor::unreachable);
    monitor.setDriftWindowSeconds(3600);
    monitor.start(QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port)), model->profile, {}, 50);
    QVERIFY(monitor.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(sampled.size() >= 2, 10000);
    QCOMPARE(unreachable.size(), 0);
    QCOMPARE(alerts.size(), 0);
    {
        const DeploymentMonitor::Sample &first = monitor.samples().front();
        QCOMPARE(first.snapshot.modelName, QStringLiteral("loans-risk"));
        QCOMPARE(first.snapshot.requests, 1.0);
        QVERIFY(first.snapshot.at.isValid());
        // Since the load: the training rows themselves, which do not drift.
        QCOMPARE(first.drift.liveRows, double(test::kLoanRows));
        QVERIFY(!first.drift.anyDrift());
        QCOMPARE(first.drift.features.size(), 6);
    }

    // Travellers arrive: the window (the first scrape against the newest) drifts on purpose.
    const PredictionInput travellers = shifted(m_rows, [](const QString &column, std::string &field, std::size_t) {
        if (column == QLatin1String("purpose"))
            field = "travel";
    });
    const Expected<Predictions> more = model->model->predict(travellers, ExtraColumns::Ignore);
    QVERIFY(more);
    model->inputStats->record(travellers, *more);
    for (int i = 0; i < 100; ++i)
        metrics.recordRequest(ServeEndpoint::V2Infer, 200, 0.002);
    body = metrics.prometheusText(model.get());
    QTRY_COMPARE_WITH_TIMEOUT(alerts.size(), 1, 10000);
    QCOMPARE(alerts.at(0).at(0).toString(), QStringLiteral("purpose"));
    QVERIFY(alerts.at(0).at(1).toDouble() > 0.2);
    const qsizetype seen = sampled.size();
    QTRY_VERIFY_WITH_TIMEOUT(sampled.size() >= seen + 3, 10000);
    QCOMPARE(alerts.size(), 1); // still drifted: no second alert
    const DeploymentMonitor::Sample &last = monitor.samples().back();
    QVERIFY(last.drift.anyDrift());
    QCOMPARE(last.drift.liveRows, double(test::kLoanRows));
    QCOMPARE(last.snapshot.requests, 101.0);
    QCOMPARE(monitor.samples().size(), std::size_t(sampled.size()));
    QVERIFY(scrapes >= sampled.size());

    // The agent goes away: a reason, and polling goes on.
    server.reset();
    const auto refused = [&] {
        return std::any_of(unreachable.begin(), unreachable.end(), [](const QList<QVariant> &signal) {
            return signal.at(0).toString().contains(QLatin1String("refused"), Qt::CaseInsensitive);
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(refused(), 10000);
    const std::size_t kept = monitor.samples().size();
    const qsizetype failures = unreachable.size();
    QTRY_VERIFY_WITH_TIMEOUT(unreachable.size() >= failures + 2, 10000);
    QVERIFY(monitor.isRunning());
    QCOMPARE(monitor.samples().size(), kept);
    monitor.stop();
    QVERIFY(!monitor.isRunning());
}

void TestServeMetrics::monitorUnauthorized()
{
    QHttpServer server;
    server.route(QStringLiteral("/metrics"), [](const QHttpServerRequest &request) {
        if (request.value("Authorization") != "Bearer right")
            return QHttpServerResponse(QHttpServerResponder::StatusCode::Unauthorized);
        return QHttpServerResponse("text/plain", "kiln_model_version 7\nkiln_model_info{name=\"m\",version=\"7\"} 1\n");
    });
    const quint16 port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    const QUrl url(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port));
    DeploymentMonitor monitor;
    QSignalSpy sampled(&monitor, &DeploymentMonitor::sampled);
    QSignalSpy unreachable(&monitor, &DeploymentMonitor::unreachable);
    monitor.start(url, {}, "wrong", 50);
    QTRY_VERIFY_WITH_TIMEOUT(!unreachable.isEmpty(), 10000);
    QVERIFY2(unreachable.at(0).at(0).toString().startsWith(QLatin1String("HTTP 401")),
             qPrintable(unreachable.at(0).at(0).toString()));
    QCOMPARE(sampled.size(), 0);
    monitor.start(url, {}, "right", 50);
    QTRY_VERIFY_WITH_TIMEOUT(!sampled.isEmpty(), 10000);
    QCOMPARE(monitor.samples().front().snapshot.modelVersion, 7);
    QCOMPARE(monitor.samples().front().snapshot.modelName, QStringLiteral("m"));
}

QTEST_GUILESS_MAIN(TestServeMetrics)
#include "tst_servemetrics.moc"
