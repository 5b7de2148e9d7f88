// The chart views built on PlotWidget (metric overlay, scatter, bars), offscreen, over a real
// workspace: runs with step metrics and results logged through the real RunStore.
#include "chartstyle.h"
#include "compare/barsview.h"
#include "compare/metricoverlayview.h"
#include "compare/scatterview.h"
#include "plotwidget.h"
#include "runcolors.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "theme.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QSlider>
#include <QTemporaryDir>

#include <cmath>

using namespace kiln;

namespace {
constexpr qint64 kStart = 1'700'000'000'000;
}

class tst_ChartViews : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void overlayShowsEveryRun();
    void overlayFollowsALiveRun();
    void overlayEmptyStatesAndSettings();
    void scatterOfTwoColumns();
    void barsHighestFirst();
    void barsStayReadableForManyRuns();

private:
    qint64 makeRun(const QString &lr, int steps, double accuracy, bool finished, const QString &experiment = {});
    void appendLoss(qint64 runId, int from, int to);
    Comparison comparison(const std::vector<qint64> &runs);
    static const PlotSeries *seriesOf(const PlotWidget *plot, qint64 runId);

    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_workspace;
    qint64 m_a = 0; ///< 5000 steps, a spike at 1234, accuracy 0.91
    qint64 m_b = 0; ///< 3000 steps, accuracy 0.88
    qint64 m_c = 0; ///< no steps, accuracy 0.5
    std::vector<qint64> m_many;
};

void tst_ChartViews::initTestCase()
{
    QVERIFY(m_dir.isValid());
    auto workspace = Workspace::open(m_dir.filePath(QStringLiteral("ws")));
    QVERIFY2(workspace, qPrintable(workspace ? QString() : workspace.errorMessage()));
    m_workspace = std::move(*workspace);
    m_a = makeRun(QStringLiteral("0.1"), 5000, 0.91, true);
    m_b = makeRun(QStringLiteral("0.01"), 3000, 0.88, true);
    m_c = makeRun(QStringLiteral("0.001"), 0, 0.5, true);
    RunStore store(m_workspace->db());
    QVERIFY(store.appendMetrics(m_a, {{QStringLiteral("train/loss"), {{1234, kStart + 1234 * 1000, 50.0}}}}));
    for (int i = 0; i < 200; ++i)
        m_many.push_back(
            makeRun(QString::number(0.001 * (i + 1)), 0, 0.5 + 0.4 * std::sin(i * 0.37), true, QStringLiteral("many")));
}

qint64 tst_ChartViews::makeRun(const QString &lr, int steps, double accuracy, bool finished, const QString &experiment)
{
    RunStore store(m_workspace->db());
    RunSpec spec;
    spec.experiment = experiment.isEmpty() ? QStringLiteral("compare") : experiment;
    spec.name = u"lr " + lr;
    const auto run = store.createRun(spec);
    if (!run)
        qFatal("%s", qPrintable(run.errorMessage()));
    store.setParams(run->id, {{QStringLiteral("lr"), lr}, {QStringLiteral("depth"), QStringLiteral("6")}});
    if (!std::isnan(accuracy))
        store.setResults(run->id, {{QStringLiteral("accuracy"), accuracy}});
    appendLoss(run->id, 0, steps);
    if (finished)
        store.markEnded(run->id, RunStatus::Finished);
    return run->id;
}

/// train/loss at every step in [from, to) (one point a second), validation/loss every 10th.
void tst_ChartViews::appendLoss(qint64 runId, int from, int to)
{
    if (to <= from)
        return;
    std::vector<MetricPoint> train;
    std::vector<MetricPoint> validation;
    for (int step = from; step < to; ++step) {
        const double loss = 1.0 / (1.0 + step / 300.0) + 0.01 * double(runId % 7) + 0.02 * std::sin(step * 0.1);
        train.push_back({step, kStart + qint64(step) * 1000, loss});
        if (step % 10 == 0)
            validation.push_back({step, kStart + qint64(step) * 1000, loss * 1.1});
    }
    RunStore store(m_workspace->db());
    const Status status = store.appendMetrics(
        runId, {{QStringLiteral("train/loss"), train}, {QStringLiteral("validation/loss"), validation}});
    if (!status)
        qFatal("%s", qPrintable(status.errorMessage()));
}

Comparison tst_ChartViews::comparison(const std::vector<qint64> &runs)
{
    auto table = RunTable::load(m_workspace->databasePath());
    if (!table)
        qFatal("%s", qPrintable(table.errorMessage()));
    Comparison c;
    c.table = *table;
    c.workspace = m_workspace.get();
    for (const qint64 runId : runs)
        c.rows.push_back(c.table->rowOfRun(runId));
    return c;
}

const PlotSeries *tst_ChartViews::seriesOf(const PlotWidget *plot, qint64 runId)
{
    for (const PlotSeries &s : plot->series()) {
        if (s.runId == runId)
            return &s;
    }
    return nullptr;
}

void tst_ChartViews::overlayShowsEveryRun()
{
    MetricOverlayView view;
    view.resize(1200, 620);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setComparison(comparison({m_a, m_b, m_c}));
    // Only step metrics: "accuracy" is a result (one value a run, no line), shown by Bars.
    QCOMPARE(view.metrics(), (QStringList {QStringLiteral("train/loss"), QStringLiteral("validation/loss")}));
    QCOMPARE(view.currentMetric(), QStringLiteral("train/loss"));
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 10000);
    const PlotWidget *plot = view.plot();
    QCOMPARE(plot->series().size(), 2); // run c logged nothing per step
    QCOMPARE(seriesOf(plot, m_a)->x->size(), std::size_t(5001));
    QCOMPARE(seriesOf(plot, m_b)->x->size(), std::size_t(3000));
    QCOMPARE(seriesOf(plot, m_a)->color, runColor(m_a));

    // Every point is there: the spike at step 1234 (logged twice at that step: the later wins
    // at the cursor, as the line is drawn in step order).
    bool spike = false;
    for (const PlotReadout &r : plot->valuesAt(1234))
        spike = spike || (r.runId == m_a && r.y == 50.0);
    QVERIFY(spike);

    // The legend names every compared run by what differs (lr), run c greyed.
    QCOMPARE(view.legend()->count(), 3);
    QCOMPARE(view.legend()->item(0)->text(), QStringLiteral("#%1 lr=0.1").arg(m_a));
    QVERIFY(!view.legend()->item(0)->text().contains(QStringLiteral("depth")));
    QCOMPARE(view.legend()->item(2)->foreground().color(), theme::mutedText());

    // Relative time: seconds since each run's first point; wall time: ms since the epoch.
    view.setXAxis(MetricOverlayView::XAxis::RelativeTime);
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading() && seriesOf(view.plot(), m_b), 10000);
    QCOMPARE(seriesOf(plot, m_b)->x->front(), 0.0);
    QCOMPARE(seriesOf(plot, m_b)->x->back(), 2999.0);
    view.setXAxis(MetricOverlayView::XAxis::WallTime);
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading() && seriesOf(view.plot(), m_b), 10000);
    QCOMPARE(seriesOf(plot, m_b)->x->front(), double(kStart));
    view.setXAxis(MetricOverlayView::XAxis::Step);
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading() && seriesOf(view.plot(), m_b), 10000);

    view.setCurrentMetric(QStringLiteral("validation/loss"));
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading() && seriesOf(view.plot(), m_a), 10000);
    QCOMPARE(seriesOf(plot, m_a)->x->size(), std::size_t(500));

    view.setCurrentMetric(QStringLiteral("train/loss"));
    view.findChild<QSlider *>(QStringLiteral("overlaySmoothing"))->setValue(80);
    QCOMPARE(plot->smoothing(), 0.8);
    view.findChild<QCheckBox *>(QStringLiteral("overlayLogScale"))->setChecked(true);
    QVERIFY(plot->logY());
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading() && plot->series().size() == 2, 10000);
    QTest::mouseMove(view.plot(), plot->plotArea().center());
    QVERIFY(test::savePng(&view, QStringLiteral("compare-overlay.png")) > 0);

    QTemporaryDir dir;
    QString error;
    const QString png = dir.filePath(QStringLiteral("overlay.png"));
    QVERIFY2(view.exportTo(png, &error), qPrintable(error));
    QCOMPARE(QImage(png).width(), (plot->width() + 240) * 2);
    QVERIFY2(view.exportTo(dir.filePath(QStringLiteral("overlay.svg")), &error), qPrintable(error));
    QVERIFY(test::readFile(dir.filePath(QStringLiteral("overlay.svg"))).contains("lr=0.01"));
    QCOMPARE(view.exportFormats(), (QStringList {QStringLiteral("png"), QStringLiteral("svg")}));
}

void tst_ChartViews::overlayFollowsALiveRun()
{
    const qint64 live = makeRun(QStringLiteral("0.3"), 100, std::nan(""), false);
    MetricOverlayView view;
    view.resize(1000, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setCurrentMetric(QStringLiteral("train/loss"));
    view.setComparison(comparison({m_b, live}));
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading() && seriesOf(view.plot(), live), 10000);
    QCOMPARE(seriesOf(view.plot(), live)->x->size(), std::size_t(100));
    const QRectF zoomed(QPointF(10, 0.2), QPointF(150, 1.5));
    view.plot()->setView(zoomed);

    // The run logs on: the chart reads only the new points, within a second or so, and keeps the zoom.
    appendLoss(live, 100, 200);
    QTRY_COMPARE_WITH_TIMEOUT(seriesOf(view.plot(), live)->x->size(), std::size_t(200), 10000);
    QCOMPARE(seriesOf(view.plot(), live)->x->back(), 199.0);
    QCOMPARE(view.plot()->view(), zoomed);
    QCOMPARE(seriesOf(view.plot(), m_b)->x->size(), std::size_t(3000));

    // It ends after a last few points: the next snapshot says so and they are read.
    appendLoss(live, 200, 250);
    RunStore(m_workspace->db()).markEnded(live, RunStatus::Finished);
    view.setComparison(comparison({m_b, live}));
    QTRY_COMPARE_WITH_TIMEOUT(seriesOf(view.plot(), live)->x->size(), std::size_t(250), 10000);
    QCOMPARE(view.plot()->view(), zoomed);
}

void tst_ChartViews::overlayEmptyStatesAndSettings()
{
    MetricOverlayView view;
    view.resize(800, 500);
    view.setComparison(comparison({}));
    QVERIFY(view.metrics().isEmpty());
    QVERIFY(view.plot()->series().isEmpty());

    // Only a run without step metrics: nothing to choose or draw, and the chart says where
    // its result is.
    view.setComparison(comparison({m_c}));
    QVERIFY(view.metrics().isEmpty());
    QVERIFY(!view.metricCombo()->isEnabled());
    QVERIFY(!view.isLoading());
    QVERIFY(view.plot()->series().isEmpty());
    QCOMPARE(view.legend()->count(), 1);
    QVERIFY2(view.plot()->emptyText().contains(QStringLiteral("Bars")), qPrintable(view.plot()->emptyText()));

    view.setComparison(comparison({m_a, m_b}));
    view.setCurrentMetric(QStringLiteral("validation/loss"));
    view.setXAxis(MetricOverlayView::XAxis::RelativeTime);
    view.findChild<QSlider *>(QStringLiteral("overlaySmoothing"))->setValue(60);
    view.findChild<QCheckBox *>(QStringLiteral("overlayLogScale"))->setChecked(true);
    const QJsonObject saved = view.settings();
    QCOMPARE(saved.value(QStringLiteral("metric")).toString(), QStringLiteral("validation/loss"));
    QCOMPARE(saved.value(QStringLiteral("xAxis")).toString(), QStringLiteral("relative"));
    QCOMPARE(saved.value(QStringLiteral("smoothing")).toDouble(), 0.6);
    QCOMPARE(saved.value(QStringLiteral("log")).toBool(), true);

    MetricOverlayView restored;
    restored.restoreSettings(saved);
    restored.setComparison(comparison({m_a, m_b}));
    QCOMPARE(restored.settings(), saved);
    QCOMPARE(restored.currentMetric(), QStringLiteral("validation/loss"));
    QCOMPARE(restored.xAxis(), MetricOverlayView::XAxis::RelativeTime);
    QCOMPARE(restored.plot()->smoothing(), 0.6);
    QTRY_VERIFY_WITH_TIMEOUT(!restored.isLoading() && restored.plot()->series().size() == 2, 10000);
}

void tst_ChartViews::scatterOfTwoColumns()
{
    const qint64 noAccuracy = makeRun(QStringLiteral("0.5"), 10, std::nan(""), true);
    ScatterView view;
    view.resize(800, 520);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setComparison(comparison({m_a, m_b, m_c, noAccuracy}));
    QVERIFY(view.xCombo()->findData(QStringLiteral("param:lr")) >= 0);
    QVERIFY(view.yCombo()->findData(QStringLiteral("metric:train/loss:min")) >= 0);
    QVERIFY(view.xCombo()->findData(QStringLiteral("attribute:id")) >= 0);
    QVERIFY(view.xCombo()->findData(QStringLiteral("attribute:created")) >= 0);
    QVERIFY(view.yCombo()->findData(QStringLiteral("attribute:created")) < 0); // no times on y
    // The runs never started: no duration to offer.
    QVERIFY(view.xCombo()->findData(QStringLiteral("attribute:duration")) < 0);

    view.setColumns(QStringLiteral("param:lr"), QStringLiteral("metric:accuracy:last"));
    const PlotWidget *plot = view.plot();
    QCOMPARE(plot->mode(), PlotWidget::Mode::Points);
    QCOMPARE(plot->series().size(), 3); // the fourth run has no accuracy
    QCOMPARE(seriesOf(plot, m_b)->x->front(), 0.01);
    QCOMPARE(seriesOf(plot, m_b)->y->front(), 0.88);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("scatterNote"))->text().contains(QString::number(noAccuracy)));

    // Hovering a point names its run.
    const QRect area = plot->plotArea();
    const QRectF v = plot->view();
    const QPoint at(area.left() + int(std::lround((0.01 - v.left()) / v.width() * area.width())),
                    area.top() + int(std::lround((v.bottom() - 0.88) / v.height() * (area.height() - 1))));
    const std::optional<PlotReadout> hit = plot->pointAt(at);
    QVERIFY(hit);
    QCOMPARE(hit->runId, m_b);
    QVERIFY(hit->label.startsWith(QStringLiteral("#%1").arg(m_b)));
    QTest::mouseMove(view.plot(), at);
    QVERIFY(test::savePng(&view, QStringLiteral("compare-scatter.png")) > 0);

    ScatterView restored;
    restored.restoreSettings(view.settings());
    restored.setComparison(comparison({m_a, m_b, m_c, noAccuracy}));
    QCOMPARE(restored.xColumn(), QStringLiteral("param:lr"));
    QCOMPARE(restored.yColumn(), QStringLiteral("metric:accuracy:last"));
    QTemporaryDir dir;
    QString error;
    QVERIFY2(view.exportTo(dir.filePath(QStringLiteral("scatter.svg")), &error), qPrintable(error));
}

void tst_ChartViews::barsHighestFirst()
{
    const qint64 noAccuracy = makeRun(QStringLiteral("0.7"), 10, std::nan(""), true);
    BarsView view;
    view.resize(700, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setComparison(comparison({m_c, m_a, noAccuracy, m_b}));
    view.setCurrentMetric(QStringLiteral("accuracy"));
    QCOMPARE(view.currentMetric(), QStringLiteral("accuracy"));
    QCOMPARE(view.bars().size(), std::size_t(3));
    QCOMPARE(view.bars()[0].runId, m_a);
    QCOMPARE(view.bars()[1].runId, m_b);
    QCOMPARE(view.bars()[2].runId, m_c);
    QCOMPARE(view.bars()[1].value, 0.88);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("barsNote"))->text().contains(QString::number(noAccuracy)));

    // Each bar in its run's colour, longest first.
    QImage image(view.canvas()->size(), QImage::Format_ARGB32_Premultiplied);
    {
        QPainter painter(&image);
        view.render(painter, image.rect());
    }
    const auto barLength = [&](int row) {
        int first = 0;
        while (view.barAt(first) != row)
            ++first;
        int last = first;
        while (view.barAt(last + 1) == row)
            ++last;
        const int y = (first + last) / 2;
        int length = 0;
        for (int x = 0; x < image.width(); ++x)
            length += image.pixelColor(x, y) == runColor(view.bars()[std::size_t(row)].runId) ? 1 : 0;
        return length;
    };
    QVERIFY(barLength(0) > barLength(1));
    QVERIFY(barLength(1) > barLength(2));
    QVERIFY(barLength(2) > 10);
    QVERIFY(test::savePng(&view, QStringLiteral("compare-bars.png")) > 0);
    QCOMPARE(view.settings().value(QStringLiteral("metric")).toString(), QStringLiteral("accuracy"));
}

void tst_ChartViews::barsStayReadableForManyRuns()
{
    BarsView view;
    view.resize(700, 500);
    view.setComparison(comparison(m_many));
    view.setCurrentMetric(QStringLiteral("accuracy"));
    QCOMPARE(view.bars().size(), std::size_t(200));
    for (std::size_t i = 1; i < view.bars().size(); ++i)
        QVERIFY(view.bars()[i - 1].value >= view.bars()[i].value);
    // A row is at least a line of text high: every label stays readable.
    const int row = view.heightFor(1) - view.heightFor(0);
    QVERIFY(row >= QFontMetrics(chartstyle::smallFont()).height());
    QCOMPARE(view.canvas()->minimumHeight(), view.heightFor(200));
    QTemporaryDir dir;
    QString error;
    const QString png = dir.filePath(QStringLiteral("bars.png"));
    QVERIFY2(view.exportTo(png, &error), qPrintable(error));
    QCOMPARE(QImage(png).height(), view.heightFor(200) * 2); // every bar, not only the visible ones
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(test::savePng(&view, QStringLiteral("compare-bars-200.png")) > 0);
    QFile::copy(png, test::outputDir() + QStringLiteral("/compare-bars-200-export.png"));
}

QTEST_MAIN(tst_ChartViews)
#include "tst_chartviews.moc"
