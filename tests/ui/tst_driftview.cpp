// The drift view offscreen, fed with monitor samples whose drift is computed by the real
// computeDrift from scrapes: the features table (values, drifted rows first and marked), the
// PSI-over-time lines with the threshold, the prediction distribution over time; screenshots.
#include "deploy/driftview.h"
#include "monitoring/drift.h"
#include "uitestsupport.h"

#include <QChartView>
#include <QDateTimeAxis>
#include <QItemSelectionModel>
#include <QLabel>
#include <QStackedWidget>
#include <QTableView>
#include <QTest>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace kiln;

namespace {

constexpr int kSamples = 12;
const QDateTime kStart = QDateTime::fromMSecsSinceEpoch(1700000000000, Qt::UTC);

/// Training profile: x (float, four bins of 25 rows), y (float, same), c (categorical: a 60,
/// b 40).
QList<ColumnProfile> profile()
{
    QList<ColumnProfile> columns;
    for (const char *name : {"x", "y"}) {
        ColumnProfile p;
        p.name = QString::fromLatin1(name);
        p.type = ColumnType::Float;
        p.count = 100;
        p.histogram.lower = 0;
        p.histogram.upper = 4;
        p.histogram.counts = {25, 25, 25, 25};
        columns.append(p);
    }
    ColumnProfile c;
    c.name = QStringLiteral("c");
    c.type = ColumnType::Categorical;
    c.count = 100;
    c.topValues = {{QStringLiteral("a"), 60}, {QStringLiteral("b"), 40}};
    columns.append(c);
    return columns;
}

/// Sample i of a deployment: 100 rows a scrape; y and c keep to the training distribution;
/// x slides towards its top bin from sample 6 on, and "yes" predictions grow with it. Drift is
/// computed between consecutive scrapes.
std::deque<DeploymentMonitor::Sample> makeSamples(int count, bool regression = false)
{
    std::deque<DeploymentMonitor::Sample> samples;
    MetricsSnapshot previous;
    MetricsSnapshot total;
    total.modelName = QStringLiteral("m");
    total.modelVersion = 1;
    for (int i = 0; i < count; ++i) {
        const double shift = i < 6 ? 0 : std::min(48.0, 8.0 * (i - 5));
        auto &x = total.featureBins[QStringLiteral("x")];
        x[QStringLiteral("0")] += 25 - shift / 2;
        x[QStringLiteral("1")] += 25 - shift / 2;
        x[QStringLiteral("2")] += 25;
        x[QStringLiteral("3")] += 25 + shift;
        for (const char *bin : {"0", "1", "2", "3"})
            total.featureBins[QStringLiteral("y")][QString::fromLatin1(bin)] += 25;
        total.featureBins[QStringLiteral("c")][QStringLiteral("a")] += 60;
        total.featureBins[QStringLiteral("c")][QStringLiteral("b")] += 40;
        if (regression) {
            for (int b = 0; b < 20; ++b)
                total.predictionBins[QString::number(b)] += b < 10 ? 4 : 6;
            total.predictionBins[QStringLiteral("under")] += 0;
            total.predictionBins[QStringLiteral("over")] += 0;
        } else {
            total.predictionBins[QStringLiteral("yes")] += 30 + shift;
            total.predictionBins[QStringLiteral("no")] += 70 - shift;
        }
        total.at = kStart.addSecs(2 * i);
        DeploymentMonitor::Sample sample;
        sample.snapshot = total;
        sample.drift = computeDrift(profile(), previous, total);
        previous = total;
        samples.push_back(sample);
    }
    return samples;
}

QStringList column(QTableView *table, int c)
{
    QStringList values;
    for (int r = 0; r < table->model()->rowCount(); ++r)
        values.append(table->model()->index(r, c).data().toString());
    return values;
}

} // namespace

class TestDriftView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyView();
    void samplesFillTableAndCharts();
    void selectionPicksPsiLines();
    void regressionRanges();

private:
    static QChart *chart(DriftView &view, const char *name)
    {
        auto *chartView = view.findChild<QChartView *>(QString::fromLatin1(name));
        return chartView ? chartView->chart() : nullptr;
    }
};

void TestDriftView::emptyView()
{
    DriftView view;
    view.resize(900, 640);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *stack = view.findChild<QStackedWidget *>();
    QVERIFY(stack);
    QCOMPARE(stack->currentWidget()->objectName(), QStringLiteral("driftNote"));
    view.setSamples(makeSamples(3));
    QVERIFY(stack->currentWidget()->objectName() != QStringLiteral("driftNote"));
    view.clear();
    QCOMPARE(stack->currentWidget()->objectName(), QStringLiteral("driftNote"));
    QCOMPARE(view.findChild<QTableView *>(QStringLiteral("driftTable"))->model()->rowCount(), 0);
    for (QAbstractSeries *series : chart(view, "driftPsiChart")->series()) {
        if (series->name() != QLatin1String("threshold"))
            QCOMPARE(qobject_cast<QLineSeries *>(series)->count(), 0);
    }
    QVERIFY(chart(view, "driftPredictionChart")->series().isEmpty());
}

void TestDriftView::samplesFillTableAndCharts()
{
    DriftThresholds thresholds;
    thresholds.psi = 0.1;
    thresholds.minRows = 50;
    DriftView view;
    view.setThresholds(thresholds);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const std::deque<DeploymentMonitor::Sample> samples = makeSamples(kSamples);
    QVERIFY(samples.back().drift.anyDrift()); // the fixture drifts at the end...
    QVERIFY(!samples.front().drift.anyDrift()); // ...and not at first
    view.setSamples(samples);

    auto *table = view.findChild<QTableView *>(QStringLiteral("driftTable"));
    QVERIFY(table);
    QCOMPARE(table->model()->rowCount(), 3);
    // x drifted: first and marked; then the others by PSI (both 0, in profile order).
    QCOMPARE(column(table, 0), (QStringList {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("c")}));
    QCOMPARE(column(table, 4),
             (QStringList {QStringLiteral("drifted"), QStringLiteral("stable"), QStringLiteral("stable")}));
    const FeatureDrift &x = samples.back().drift.features.at(0);
    QCOMPARE(x.feature, QStringLiteral("x"));
    QCOMPARE(column(table, 1).at(0), QString::number(x.psi, 'f', 3));
    QCOMPARE(column(table, 2).at(0), QString::number(x.ks, 'f', 3));
    QCOMPARE(column(table, 3).at(0), QStringLiteral("100"));
    QVERIFY(table->model()->index(0, 0).data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!table->model()->index(1, 0).data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("driftSummary"))->text().startsWith(QLatin1String("1 of 3")));

    // PSI over time: a line per feature (none selected: the first rows), every sample drawn,
    // and the threshold across the whole time range.
    QChart *psi = chart(view, "driftPsiChart");
    QVERIFY(psi);
    for (const char *feature : {"x", "y", "c"}) {
        QLineSeries *line = test::lineNamed(psi, QString::fromLatin1(feature));
        QVERIFY2(line, feature);
        QCOMPARE(line->count(), kSamples);
    }
    QCOMPARE(test::lineNamed(psi, QStringLiteral("x"))->at(kSamples - 1).y(), x.psi);
    QLineSeries *threshold = test::lineNamed(psi, QStringLiteral("threshold"));
    QVERIFY(threshold);
    QCOMPARE(threshold->count(), 2);
    QCOMPARE(threshold->at(0).y(), 0.1);
    QCOMPARE(threshold->at(0).x(), double(kStart.toMSecsSinceEpoch()));

    // Predictions over time: each class's share of every window.
    QChart *predictions = chart(view, "driftPredictionChart");
    QCOMPARE(predictions->series().size(), 2);
    QLineSeries *yes = test::lineNamed(predictions, QStringLiteral("yes"));
    QVERIFY(yes);
    QCOMPARE(yes->count(), kSamples);
    QCOMPARE(yes->at(0).y(), 0.3);
    QCOMPARE(yes->at(kSamples - 1).y(), 0.78);

    // One more scrape: one more point everywhere.
    view.addSample(makeSamples(kSamples + 1).back());
    QCOMPARE(test::lineNamed(psi, QStringLiteral("x"))->count(), kSamples + 1);
    QCOMPARE(yes->count(), kSamples + 1);
    QVERIFY(test::savePng(&view, QStringLiteral("driftview-classifier.png")) > 0);
}

void TestDriftView::selectionPicksPsiLines()
{
    DriftView view;
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSamples(makeSamples(kSamples));
    auto *table = view.findChild<QTableView *>(QStringLiteral("driftTable"));
    QChart *psi = chart(view, "driftPsiChart");
    // The user picks c: only its line (and the threshold) remain.
    table->selectionModel()->select(table->model()->index(2, 0),
                                    QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(psi->series().size(), 2);
    QVERIFY(test::lineNamed(psi, QStringLiteral("c")));
    QCOMPARE(test::lineNamed(psi, QStringLiteral("c"))->count(), kSamples);
    // Scaled to the line shown (PSI 0) and the threshold (0.2), not to x's PSI of 2.
    auto *axis = qobject_cast<QValueAxis *>(psi->axes(Qt::Vertical).value(0));
    QVERIFY(axis);
    QVERIFY2(axis->max() >= 0.2 && axis->max() <= 0.5, qPrintable(QString::number(axis->max())));
    // New samples keep the pick, wherever its row moves.
    view.addSample(makeSamples(kSamples + 1).back());
    QCOMPARE(psi->series().size(), 2);
    QCOMPARE(test::lineNamed(psi, QStringLiteral("c"))->count(), kSamples + 1);
    const QModelIndexList selected = table->selectionModel()->selectedRows(0);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.front().data().toString(), QStringLiteral("c"));
    QVERIFY(test::savePng(&view, QStringLiteral("driftview-selected.png")) > 0);
}

void TestDriftView::regressionRanges()
{
    DriftView view;
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSamples(makeSamples(kSamples, true));
    // 20 bins (and under/over) charted as five ranges of four bins.
    QChart *predictions = chart(view, "driftPredictionChart");
    QCOMPARE(predictions->series().size(), 5);
    QLineSeries *lowest = test::lineNamed(predictions, QStringLiteral("range 1/5"));
    QLineSeries *highest = test::lineNamed(predictions, QStringLiteral("range 5/5"));
    QVERIFY(lowest && highest);
    QCOMPARE(lowest->count(), kSamples);
    QVERIFY(std::abs(lowest->at(0).y() - 0.16) < 1e-12); // 4 bins × 4 of 100
    QVERIFY(std::abs(highest->at(0).y() - 0.24) < 1e-12); // 4 bins × 6 of 100
    QVERIFY(test::savePng(&view, QStringLiteral("driftview-regression.png")) > 0);
}

QTEST_MAIN(TestDriftView)
#include "tst_driftview.moc"
