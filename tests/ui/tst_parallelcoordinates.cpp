// The parallel-coordinates comparison view, offscreen, over a real workspace: three runs trained
// by the built-in trainers through the real scheduler and one plain run (comparetestsupport.h).
// Axes, brushes by real mouse drags, the axis chooser, saved settings, exports, and a crowd of
// lines drawn by the renderer that writes pixels itself.

#include "compare/parallelcoordinatesview.h"
#include "comparetestsupport.h"
#include "runcolors.h"
#include "runs/runtable.h"
#include "uitestsupport.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>

#include <cmath>

using namespace kiln;
using test::showAt;

class TestParallelCoordinates final : public test::TrainedWorkspaceTest
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void parallelCoordinatesDrawAndBrush();
    void parallelCoordinatesAxesAndSettings();
    void parallelCoordinatesOfManyLines();
};

void TestParallelCoordinates::initTestCase()
{
    setUpWorkspace();
}

void TestParallelCoordinates::cleanupTestCase()
{
    tearDownWorkspace();
}

void TestParallelCoordinates::parallelCoordinatesDrawAndBrush()
{
    ParallelCoordinatesView view;
    QVERIFY(showAt(view, {1300, 620}));
    std::optional<QSet<qint64>> lastBrush;
    int brushSignals = 0;
    connect(&view, &ParallelCoordinatesView::brushChanged, this, [&](const std::optional<QSet<qint64>> &runs) {
        lastBrush = runs;
        ++brushSignals;
    });
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest}));

    // Default axes: the params that differ, then metrics every run has; same params left out.
    const QStringList labels = view.axisLabels();
    QVERIFY2(labels.contains(QStringLiteral("max_depth")), qPrintable(labels.join(u',')));
    QVERIFY(labels.contains(QStringLiteral("n_estimators")));
    QVERIFY(!labels.contains(QStringLiteral("tree_method"))); // "hist" in every run
    QVERIFY(!labels.contains(QStringLiteral("n_threads"))); // 1 in every run
    const QList<ParallelAxisKey> axes = view.axes();
    QCOMPARE(axes.size(), labels.size());
    QCOMPARE(std::count_if(axes.cbegin(), axes.cend(),
                           [](const ParallelAxisKey &key) { return key.kind == RunColumnKind::Metric; }),
             3);
    for (const ParallelAxisKey &key : axes) {
        if (key.kind == RunColumnKind::Metric) {
            const int column = m_table->findColumn(key.kind, key.key, key.stat);
            for (qint64 runId : {m_shallow, m_deep, m_forest})
                QVERIFY(!m_table->column(column).isMissing(m_table->rowOfRun(runId)));
        }
    }
    QCOMPARE(view.lineCount(), 3);
    QVERIFY(!view.brushedRuns().has_value());

    // max_depth 2, 4 and 3: bottom, top and middle of its axis.
    const int depth = int(labels.indexOf(QStringLiteral("max_depth")));
    QCOMPARE(view.runFraction(depth, m_shallow), 0.0);
    QCOMPARE(view.runFraction(depth, m_deep), 1.0);
    QCOMPARE(view.runFraction(depth, m_forest), 0.5);

    // Drag along max_depth from its top to just below the middle: depth 4 and 3.
    QWidget *canvas = view.canvas();
    QTest::mousePress(canvas, Qt::LeftButton, {}, view.axisPoint(depth, 1.0));
    QTest::mouseMove(canvas, view.axisPoint(depth, 0.8));
    QTest::mouseMove(canvas, view.axisPoint(depth, 0.4));
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, view.axisPoint(depth, 0.4));
    QCOMPARE(brushSignals, 1);
    QVERIFY(lastBrush.has_value());
    QCOMPARE(*lastBrush, QSet<qint64>({m_deep, m_forest}));
    QCOMPARE(view.brushedRuns(), lastBrush);
    QVERIFY(test::savePng(&view, QStringLiteral("compare-parallel-brushed.png")) > 5000);

    // A second brush on n_estimators (15, 15, 10): the top keeps the boosted runs; with the
    // first brush only the deep one is inside both.
    const int rounds = int(labels.indexOf(QStringLiteral("n_estimators")));
    QCOMPARE(view.runFraction(rounds, m_forest), 0.0);
    QTest::mousePress(canvas, Qt::LeftButton, {}, view.axisPoint(rounds, 0.6));
    QTest::mouseMove(canvas, view.axisPoint(rounds, 0.8));
    QTest::mouseMove(canvas, view.axisPoint(rounds, 1.0));
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, view.axisPoint(rounds, 1.0));
    QCOMPARE(brushSignals, 2);
    QCOMPARE(*lastBrush, QSet<qint64>({m_deep}));
    QCOMPARE(view.brushCount(), 2);

    // A click on max_depth outside its brush clears that brush only.
    QTest::mouseClick(canvas, Qt::LeftButton, {}, view.axisPoint(depth, 0.1));
    QCOMPARE(view.brushCount(), 1);
    QCOMPARE(*lastBrush, QSet<qint64>({m_shallow, m_deep}));
    // Inside a brush a click keeps it.
    QTest::mouseClick(canvas, Qt::LeftButton, {}, view.axisPoint(rounds, 0.95));
    QCOMPARE(view.brushCount(), 1);
    QCOMPARE(brushSignals, 3);

    // Hover names the run under the mouse.
    QTest::mouseMove(canvas, view.axisPoint(depth, 0.5));
    QTRY_COMPARE(view.hoveredRun(), m_forest);

    // Exports: a PNG of twice the canvas size and an SVG.
    QString error;
    const QString png = outputPath(QStringLiteral("parallel.png"));
    QVERIFY2(view.exportTo(png, &error), qPrintable(error));
    const QImage image(png);
    QCOMPARE(image.size(), canvas->size() * 2);
    const QString svg = outputPath(QStringLiteral("parallel.svg"));
    QVERIFY2(view.exportTo(svg, &error), qPrintable(error));
    const QByteArray svgBytes = test::readFile(svg);
    QVERIFY(svgBytes.contains("<svg"));
    QVERIFY(svgBytes.contains("max_depth"));
    QVERIFY(!view.exportTo(outputPath(QStringLiteral("parallel.gif")), &error));
    QVERIFY(error.contains(QStringLiteral(".png or .svg")));

    view.clearBrushes();
    QCOMPARE(brushSignals, 4);
    QVERIFY(!lastBrush.has_value());
    QVERIFY(test::savePng(&view, QStringLiteral("compare-parallel.png")) > 5000);
}

void TestParallelCoordinates::parallelCoordinatesAxesAndSettings()
{
    ParallelCoordinatesView view;
    QVERIFY(showAt(view, {1100, 560}));
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest, m_plain}));
    QCOMPARE(view.lineCount(), 4);
    const int depth = int(view.axisLabels().indexOf(QStringLiteral("max_depth")));
    QVERIFY(depth >= 0);
    QVERIFY(std::isnan(view.runFraction(depth, m_plain))); // no max_depth: no point on that axis

    // The chooser: keep max_depth and one metric only.
    QTest::mouseClick(view.axesButton(), Qt::LeftButton);
    QDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<QDialog>()) != nullptr);
    auto *list = dialog->findChild<QListWidget *>(QStringLiteral("parallelAxesList"));
    QVERIFY(list);
    QVERIFY(list->count() > view.axisLabels().size()); // more columns to choose from
    QString metricItem;
    for (int i = 0; i < list->count(); ++i) {
        QListWidgetItem *item = list->item(i);
        const bool keep = item->text() == QStringLiteral("param · max_depth")
            || (metricItem.isEmpty() && item->text().startsWith(QStringLiteral("metric · ")));
        if (keep && item->text().startsWith(QStringLiteral("metric · ")))
            metricItem = item->text();
        item->setCheckState(keep ? Qt::Checked : Qt::Unchecked);
    }
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QTRY_VERIFY(!dialog->isVisible());
    QVERIFY(view.hasCustomAxes());
    QCOMPARE(view.axisLabels().size(), 2);
    QCOMPARE(view.axisLabels().constFirst(), QStringLiteral("max_depth"));
    QCOMPARE(u"metric · " + view.axisLabels().at(1), metricItem);

    // A brush and the axes survive a saved view.
    QTest::mousePress(view.canvas(), Qt::LeftButton, {}, view.axisPoint(0, 1.0));
    QTest::mouseMove(view.canvas(), view.axisPoint(0, 0.9));
    QTest::mouseMove(view.canvas(), view.axisPoint(0, 0.75));
    QTest::mouseRelease(view.canvas(), Qt::LeftButton, {}, view.axisPoint(0, 0.75));
    QCOMPARE(view.brushedRuns(), std::optional<QSet<qint64>>(QSet<qint64>({m_deep})));
    const QJsonObject settings = view.settings();
    QCOMPARE(settings.value(QStringLiteral("axes")).toArray().size(), 2);
    QCOMPARE(settings.value(QStringLiteral("brushes")).toArray().size(), 1);

    ParallelCoordinatesView restored;
    restored.resize(1100, 560);
    QSignalSpy brushed(&restored, &ParallelCoordinatesView::brushChanged);
    restored.setComparison(comparisonOf({m_shallow, m_deep, m_forest, m_plain}));
    restored.restoreSettings(settings);
    QCOMPARE(restored.axisLabels(), view.axisLabels());
    QCOMPARE(restored.brushedRuns(), view.brushedRuns());
    QCOMPARE(brushed.count(), 1); // the panel hears of the restored brush

    // Back to the defaults, which follow the runs.
    restored.resetAxes();
    QVERIFY(!restored.hasCustomAxes());
    QVERIFY(restored.axisLabels().size() > 2);
    QVERIFY(restored.axisLabels().contains(QStringLiteral("optimizer"))); // only the plain run has it
}

void TestParallelCoordinates::parallelCoordinatesOfManyLines()
{
    // 1,200 lines (the three runs, 400 times over) take the renderer that writes pixels itself.
    ParallelCoordinatesView view;
    QVERIFY(showAt(view, {1000, 500}));
    QList<qint64> runs;
    for (int i = 0; i < 400; ++i)
        runs << m_shallow << m_deep << m_forest;
    view.setComparison(comparisonOf(runs));
    QCOMPARE(view.lineCount(), 1200);
    const QStringList labels = view.axisLabels();
    const int depth = int(labels.indexOf(QStringLiteral("max_depth")));
    QCOMPARE(labels.value(depth + 1), QStringLiteral("n_estimators"));

    // The deep run is at the top of both axes: its line joins them at the top, in its colour
    // made as light as the translucent lines of a crowded chart look on white.
    QString error;
    const QString png = outputPath(QStringLiteral("parallel-many.png"));
    QVERIFY2(view.exportTo(png, &error), qPrintable(error));
    const QImage image(png);
    const QPoint left = view.axisPoint(depth, 1.0);
    const QPoint right = view.axisPoint(depth + 1, 1.0);
    QVERIFY(right.x() - left.x() > 20);
    // Just right of the left axis: the right axis's tick labels cover the rest of the gap.
    const QPoint probe((left.x() + 4) * 2, left.y() * 2);
    const QColor drawn = image.pixelColor(probe);
    const QColor run = runColor(m_deep);
    const auto light = [](double c) { return int(std::lround(255 * (1 - 0.6 * (1 - c)))); };
    QVERIFY2(std::abs(drawn.red() - light(run.redF())) <= 2 && std::abs(drawn.green() - light(run.greenF())) <= 2
                 && std::abs(drawn.blue() - light(run.blueF())) <= 2,
             qPrintable(drawn.name()));
    // Between the lines, the background.
    QCOMPARE(image.pixelColor(probe + QPoint(0, 40)), QColor(Qt::white));

    // A brush works the same on many lines.
    QTest::mousePress(view.canvas(), Qt::LeftButton, {}, view.axisPoint(depth, 1.0));
    QTest::mouseMove(view.canvas(), view.axisPoint(depth, 0.9));
    QTest::mouseMove(view.canvas(), view.axisPoint(depth, 0.75));
    QTest::mouseRelease(view.canvas(), Qt::LeftButton, {}, view.axisPoint(depth, 0.75));
    QCOMPARE(view.brushedRuns(), std::optional<QSet<qint64>>(QSet<qint64>({m_deep})));
    QVERIFY(test::savePng(&view, QStringLiteral("compare-parallel-many.png")) > 5000);
}

QTEST_MAIN(TestParallelCoordinates)
#include "tst_parallelcoordinates.moc"
