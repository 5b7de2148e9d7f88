// The run models of core/models over a real run store, without widgets.

#include "builtinplugins.h"
#include "models/confusionmatrixmodel.h"
#include "models/evaluationdata.h"
#include "models/metricseries.h"
#include "models/runformat.h"
#include "models/texttablemodel.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "testsupport.h"
#include "training/evaluation.h"
#include "workspace/workspace.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace kiln;

namespace {

RunSpec trainerSpec(const QString &experiment, const QString &name)
{
    RunSpec spec;
    spec.experiment = experiment;
    spec.name = name;
    spec.trainer = QStringLiteral("boosted-trees");
    spec.datasetRef = QStringLiteral("iris@1");
    spec.target = QStringLiteral("species");
    return spec;
}

} // namespace

class TestRunModels final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void metricPlacement_data();
    void metricPlacement();
    void metricSeriesLoadOnlyNewPoints();
    void decimationKeepsExtremes();
    void evaluationDataFromClassifier();
    void evaluationDataFromRegression();
    void confusionMatrixModel();
    void textTableModel();
    void formatting_data();
    void formatting();
    void durations();

private:
    RunRecord create(const RunSpec &spec);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_workspace;
};

void TestRunModels::initTestCase()
{
    linkBuiltinPlugins();
}

void TestRunModels::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto workspace = Workspace::open(m_dir->filePath(QStringLiteral("ws")));
    QVERIFY2(workspace, workspace ? "" : qPrintable(workspace.errorMessage()));
    m_workspace = std::move(workspace).value();
}

void TestRunModels::cleanup()
{
    m_workspace.reset();
    m_dir.reset();
}

RunRecord TestRunModels::create(const RunSpec &spec)
{
    RunStore store(m_workspace->db());
    Expected<RunRecord> run = submitRun(store, spec);
    if (!run)
        qFatal("%s", qPrintable(run.errorMessage()));
    return *run;
}

void TestRunModels::metricPlacement_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QString>("line");
    QTest::addColumn<bool>("system");
    QTest::newRow("train") << "train/logloss"
                           << "logloss"
                           << "train" << false;
    QTest::newRow("validation") << "validation/logloss"
                                << "logloss"
                                << "validation" << false;
    QTest::newRow("val") << "val/acc"
                         << "acc"
                         << "val" << false;
    QTest::newRow("plain") << "loss"
                           << "loss"
                           << "loss" << false;
    QTest::newRow("cpu") << "system/cpu_percent"
                         << "system/cpu_percent"
                         << "cpu_percent" << true;
    QTest::newRow("other prefix") << "cv/accuracy"
                                  << "cv/accuracy"
                                  << "cv/accuracy" << false;
    QTest::newRow("trailing slash") << "train/"
                                    << "train/"
                                    << "train/" << false;
}

void TestRunModels::metricPlacement()
{
    QFETCH(QString, key);
    const MetricPlacement placement = placeMetric(key);
    QTEST(placement.group, "group");
    QTEST(placement.line, "line");
    QTEST(placement.system, "system");
}

void TestRunModels::metricSeriesLoadOnlyNewPoints()
{
    const RunRecord run = create(trainerSpec(QStringLiteral("Default"), QStringLiteral("curves")));
    RunStore store(m_workspace->db());
    QHash<QString, std::vector<MetricPoint>> first;
    for (qint64 step = 1; step <= 10; ++step) {
        first[QStringLiteral("train/logloss")].push_back({step, 0, 1.0 / double(step)});
        first[QStringLiteral("validation/logloss")].push_back({step, 0, 2.0 / double(step)});
    }
    QVERIFY(store.appendMetrics(run.id, first).ok());

    MetricSeriesBatch batch = loadMetricSeries(m_workspace->databasePath(), run.id, {});
    QVERIFY2(batch.error.isEmpty(), qPrintable(batch.error));
    QCOMPARE(batch.points.size(), 2);
    QCOMPARE(batch.points.value(QStringLiteral("train/logloss")).size(), std::size_t(10));
    QCOMPARE(batch.counts.value(QStringLiteral("validation/logloss")), qint64(10));

    QHash<QString, std::vector<MetricPoint>> more;
    more[QStringLiteral("train/logloss")].push_back({11, 0, 0.05});
    QVERIFY(store.appendMetrics(run.id, more).ok());
    batch = loadMetricSeries(m_workspace->databasePath(), run.id, batch.counts);
    QVERIFY(batch.error.isEmpty());
    QCOMPARE(batch.points.size(), 1); // the validation series did not grow: not read
    const std::vector<MetricPoint> &added = batch.points[QStringLiteral("train/logloss")];
    QCOMPARE(added.size(), std::size_t(1));
    QCOMPARE(added.front().step, qint64(11));
    QCOMPARE(added.front().value, 0.05);
    QCOMPARE(batch.counts.value(QStringLiteral("train/logloss")), qint64(11));

    const MetricSeriesBatch missing = loadMetricSeries(m_dir->filePath(QStringLiteral("no/such/kiln.db")), run.id, {});
    QVERIFY(!missing.error.isEmpty());
}

void TestRunModels::decimationKeepsExtremes()
{
    std::vector<MetricPoint> points;
    for (qint64 i = 0; i < 100000; ++i)
        points.push_back({i, 0, i == 54321 ? 1000.0 : double(i % 7)});
    const std::vector<MetricPoint> kept = decimatePoints(points, 1000);
    QVERIFY(kept.size() <= 1002);
    QVERIFY(kept.size() >= 500);
    QVERIFY(std::any_of(kept.cbegin(), kept.cend(), [](const MetricPoint &p) { return p.value == 1000.0; }));
    QVERIFY(std::is_sorted(kept.cbegin(), kept.cend(), [](const auto &a, const auto &b) { return a.step < b.step; }));
    const std::vector<MetricPoint> few(points.begin(), points.begin() + 10);
    QCOMPARE(decimatePoints(few, 1000).size(), std::size_t(10));
}

void TestRunModels::evaluationDataFromClassifier()
{
    // Three classes, six rows; row 4 is a miss (true b, predicted c).
    const std::vector<int> truth = {0, 1, 2, 0, 1, 2};
    const std::vector<double> probabilities
        = {0.8, 0.1, 0.1, 0.1, 0.7, 0.2, 0.1, 0.2, 0.7, 0.6, 0.3, 0.1, 0.2, 0.3, 0.5, 0.2, 0.2, 0.6};
    Expected<evaluation::ClassificationReport> report
        = evaluation::classify(truth, probabilities, {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    QVERIFY(report);
    QJsonObject json = report->toJson();
    json.insert(QStringLiteral("featureImportance"),
                QJsonObject {{QStringLiteral("x"), 0.2}, {QStringLiteral("y"), 0.7}, {QStringLiteral("z"), 0.1}});
    Expected<EvaluationData> data = EvaluationData::fromJson(QJsonDocument(json).toJson());
    QVERIFY2(data, data ? "" : qPrintable(data.errorMessage()));
    QCOMPARE(data->kind, EvaluationData::Kind::Classification);
    QCOMPARE(data->metrics.constFirst().first, QStringLiteral("Accuracy"));
    QCOMPARE(data->metrics.constFirst().second, 5.0 / 6.0);
    QCOMPARE(data->classes.size(), 3);
    QCOMPARE(data->perClass.size(), 3);
    QCOMPARE(data->perClass.at(1).support, qint64(2));
    QCOMPARE(data->confusion.size(), std::size_t(3));
    QCOMPARE(data->confusion[1][2], qint64(1));
    QCOMPARE(data->roc.size(), 3);
    for (const EvaluationCurve &curve : std::as_const(data->roc)) {
        QVERIFY(curve.auc > 0.5 && curve.auc <= 1.0);
        QCOMPARE(curve.x.size(), curve.y.size());
    }
    // Most important first.
    QCOMPARE(data->featureImportance.constFirst().first, QStringLiteral("y"));
    QCOMPARE(data->featureImportance.constLast().first, QStringLiteral("z"));

    QVERIFY(!EvaluationData::fromJson("not json"));
    QVERIFY(!EvaluationData::fromJson("{\"something\": 1}"));
    QCOMPARE(areaUnderCurve({0, 0, 1}, {0, 1, 1}), 1.0);
    QCOMPARE(areaUnderCurve({0, 1}, {0, 1}), 0.5);
}

void TestRunModels::evaluationDataFromRegression()
{
    Expected<evaluation::RegressionReport> report = evaluation::regress({1, 2, 3, 4}, {1.5, 2, 2.5, 4});
    QVERIFY(report);
    Expected<EvaluationData> data = EvaluationData::fromJson(QJsonDocument(report->toJson()).toJson());
    QVERIFY(data);
    QCOMPARE(data->kind, EvaluationData::Kind::Regression);
    QCOMPARE(data->metrics.constFirst().first, QStringLiteral("RMSE"));
    QCOMPARE(data->metrics.constFirst().second, report->rmse);

    QByteArray csv = "row,actual,predicted\n";
    for (int i = 0; i < 100; ++i)
        csv += QByteArray::number(i + 1) + ',' + QByteArray::number(i) + ',' + QByteArray::number(i + 0.5) + '\n';
    Expected<PredictionPoints> all = parseRegressionPredictions(csv, 1000);
    QVERIFY(all);
    QCOMPARE(all->rows, qint64(100));
    QCOMPARE(all->actual.size(), std::size_t(100));
    QCOMPARE(all->predicted.back(), 99.5);
    Expected<PredictionPoints> sampled = parseRegressionPredictions(csv, 10);
    QVERIFY(sampled);
    QCOMPARE(sampled->rows, qint64(100));
    QCOMPARE(sampled->actual.size(), std::size_t(10));
    QVERIFY(!parseRegressionPredictions("a,b\n1,2\n", 10));
}

void TestRunModels::confusionMatrixModel()
{
    ConfusionMatrixModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMatrix({QStringLiteral("no"), QStringLiteral("yes")}, {{50, 10}, {5, 35}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), 2);
    QCOMPARE(model.total(), qint64(100));
    QCOMPARE(model.index(0, 1).data(ConfusionMatrixModel::CountRole).toLongLong(), qint64(10));
    QCOMPARE(model.index(0, 0).data(ConfusionMatrixModel::IntensityRole).toDouble(), 1.0);
    QCOMPARE(model.index(1, 0).data(ConfusionMatrixModel::IntensityRole).toDouble(), 0.1);
    QVERIFY(model.index(1, 1).data(ConfusionMatrixModel::IsDiagonalRole).toBool());
    QCOMPARE(model.headerData(1, Qt::Vertical).toString(), QStringLiteral("yes"));
    QVERIFY(model.index(1, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("12.5")));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestRunModels::textTableModel()
{
    TextTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHeader({QStringLiteral("Name"), QStringLiteral("Value")});
    model.setRows({{QStringLiteral("accuracy"), 0.875}, {QStringLiteral("rows"), qint64(1200)}, {QStringLiteral("x")}});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("0.8750"));
    QCOMPARE(model.index(0, 1).data(TextTableModel::SortRole).toDouble(), 0.875);
    QCOMPARE(model.index(1, 1).data().toString(), QLocale().toString(1200));
    QVERIFY(model.index(2, 1).data().toString().isEmpty());
    QCOMPARE(model.index(1, 1).data(Qt::TextAlignmentRole).value<Qt::Alignment>(),
             Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
}

void TestRunModels::formatting_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("text");
    QTest::newRow("fraction") << 0.941666 << "0.9417";
    QTest::newRow("one digit") << 3.14159 << "3.1416";
    QTest::newRow("tens") << 12.3456 << "12.346";
    QTest::newRow("thousands") << 12345.6 << "12346";
    QTest::newRow("zero") << 0.0 << "0.0000";
    QTest::newRow("tiny") << 0.0000123 << "1.23e-05";
    QTest::newRow("negative") << -0.5 << "-0.5000";
}

void TestRunModels::formatting()
{
    QFETCH(double, value);
    QTEST(runformat::metricValue(value), "text");
}

void TestRunModels::durations()
{
    QCOMPARE(runformat::duration(-1), QString());
    QCOMPARE(runformat::duration(3.21), QStringLiteral("3.2 s"));
    QCOMPARE(runformat::duration(42), QStringLiteral("42 s"));
    QCOMPARE(runformat::duration(192), QStringLiteral("3 min 12 s"));
    QCOMPARE(runformat::duration(7500), QStringLiteral("2 h 05 min"));
}

QTEST_GUILESS_MAIN(TestRunModels)
#include "tst_runmodels.moc"
