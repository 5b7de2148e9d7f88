// Kiln's chart renderer, offscreen: read-outs, zoom and pan by real input events, the log
// axis, exports, and the decimated picture against every point drawn, pixel for pixel. The
// views built on it are tested in tst_chartviews.cpp.
#include "plot/decimation.h"
#include "plotwidget.h"
#include "runcolors.h"
#include "uitestsupport.h"

#include <QPainter>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QXmlStreamReader>

#include <cmath>

using namespace kiln;

namespace {

using Values = std::shared_ptr<const std::vector<double>>;

Values values(std::vector<double> v)
{
    return std::make_shared<const std::vector<double>>(std::move(v));
}

PlotSeries series(qint64 runId, std::vector<double> x, std::vector<double> y)
{
    PlotSeries s;
    s.runId = runId;
    s.label = QStringLiteral("#%1").arg(runId);
    s.color = runColor(runId);
    s.x = values(std::move(x));
    s.y = values(std::move(y));
    return s;
}

/// A training-like curve over steps 0..n-1: a decaying loss with noise, single-point spikes
/// up and down at random steps, and a few NaN values.
PlotSeries noisyRun(qint64 runId, std::size_t n, quint32 seed)
{
    QRandomGenerator random(seed);
    std::vector<double> x(n);
    std::vector<double> y(n);
    double level = 0;
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = double(i);
        level += (random.generateDouble() - 0.5) * 0.02;
        y[i] = 2.0 * std::exp(-double(i) / double(n) * 3) + 0.2 + level + 0.05 * random.generateDouble();
    }
    for (int k = 0; k < 40; ++k)
        y[random.bounded(quint32(n))] *= (k % 2 == 0 ? 2.5 : 0.2);
    for (int k = 0; k < 5; ++k)
        y[random.bounded(quint32(n))] = std::numeric_limits<double>::quiet_NaN();
    return series(runId, std::move(x), std::move(y));
}

QImage renderImage(const PlotWidget &plot, const QSize &size)
{
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    plot.render(painter, QRect(QPoint(0, 0), size));
    return image;
}

void sendWheel(QWidget *widget, const QPoint &pos, int delta, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QWheelEvent event(pos, widget->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, modifiers,
                      Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(widget, &event);
}

} // namespace

class tst_PlotWidget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void valuesAtTheCursor();
    void wheelZoomsAroundTheCursor();
    void dragPansAndDoubleClickResets();
    void shiftDragZoomsToTheBox();
    void keyboardZoom();
    void setSeriesKeepsAZoomedView();
    void logAxis();
    void hoverReadout();
    void decimatedPictureIsExact_data();
    void decimatedPictureIsExact();
    void exports();
    void pointsMode();
    void emptyText();
};

void tst_PlotWidget::valuesAtTheCursor()
{
    PlotWidget plot;
    plot.setSeries({series(1, {0, 10, 20, 30}, {1, 2, std::nan(""), 4}), series(2, {15, 25}, {7, 8})});
    QList<PlotReadout> at = plot.valuesAt(22);
    QCOMPARE(at.size(), 2);
    // Run 1's point at 20 is NaN: the read-out shows the last real one at or before 22.
    QCOMPARE(at[0].runId, qint64(1));
    QCOMPARE(at[0].x, 10.0);
    QCOMPARE(at[0].y, 2.0);
    QCOMPARE(at[0].smoothed, 2.0);
    QCOMPARE(at[1].x, 15.0);
    QCOMPARE(at[1].y, 7.0);
    QCOMPARE(at[1].label, QStringLiteral("#2"));
    // Before run 2's first point only run 1 has a value.
    at = plot.valuesAt(10);
    QCOMPARE(at.size(), 1);
    QCOMPARE(at[0].y, 2.0);
    QVERIFY(plot.valuesAt(-1).isEmpty());

    plot.setSmoothing(0.5);
    at = plot.valuesAt(30);
    const std::vector<double> smoothed = smoothEma({1, 2, std::nan(""), 4}, 0.5);
    QCOMPARE(at[0].y, 4.0);
    QCOMPARE(at[0].smoothed, smoothed[3]);

    // The default view fits every point; lines span the x range exactly.
    QCOMPARE(plot.view().left(), 0.0);
    QCOMPARE(plot.view().right(), 30.0);
    QVERIFY(plot.view().top() < 1 && plot.view().bottom() > 8);
}

void tst_PlotWidget::wheelZoomsAroundTheCursor()
{
    PlotWidget plot;
    plot.resize(800, 500);
    plot.setSeries({noisyRun(1, 1000, 1)});
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    QSignalSpy changed(&plot, &PlotWidget::viewChanged);
    const QRectF before = plot.view();
    const QRect area = plot.plotArea();
    const QPoint at(area.left() + area.width() / 4, area.center().y());
    const double xAtCursor = before.left() + double(at.x() - area.left()) / area.width() * before.width();

    sendWheel(&plot, at, 120);
    QCOMPARE(changed.size(), 1);
    QRectF after = plot.view();
    QVERIFY(after.width() < before.width() * 0.9);
    QVERIFY(after.height() < before.height() * 0.9);
    // The data under the cursor stays under it.
    const double xNow = after.left() + double(at.x() - area.left()) / area.width() * after.width();
    QVERIFY(std::abs(xNow - xAtCursor) < before.width() * 1e-9);

    // Ctrl+wheel zooms y only.
    sendWheel(&plot, at, -240, Qt::ControlModifier);
    QCOMPARE(plot.view().left(), after.left());
    QCOMPARE(plot.view().right(), after.right());
    QVERIFY(plot.view().height() > after.height() * 1.2);
}

void tst_PlotWidget::dragPansAndDoubleClickResets()
{
    PlotWidget plot;
    plot.resize(800, 500);
    plot.setSeries({noisyRun(1, 1000, 2), noisyRun(2, 800, 3)});
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    const QRectF fitted = plot.view();
    const QRect area = plot.plotArea();
    const QPoint start = area.center();
    QTest::mousePress(&plot, Qt::LeftButton, Qt::NoModifier, start);
    QTest::mouseMove(&plot, start + QPoint(-100, 50));
    QTest::mouseRelease(&plot, Qt::LeftButton, Qt::NoModifier, start + QPoint(-100, 50));
    const QRectF panned = plot.view();
    // Dragging left by 100 px shows what was 100 px to the right.
    QVERIFY(std::abs((panned.left() - fitted.left()) - 100.0 / area.width() * fitted.width()) < 1e-6 * fitted.width());
    QCOMPARE(panned.width(), fitted.width());
    QVERIFY(std::abs((panned.top() - fitted.top()) - 50.0 / (area.height() - 1) * fitted.height())
            < 1e-6 * fitted.height());

    QTest::mouseDClick(&plot, Qt::LeftButton, Qt::NoModifier, start);
    QCOMPARE(plot.view(), fitted);
}

void tst_PlotWidget::shiftDragZoomsToTheBox()
{
    PlotWidget plot;
    plot.resize(900, 600);
    plot.setSeries({noisyRun(1, 5000, 4)});
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    const QRectF fitted = plot.view();
    const QRect area = plot.plotArea();
    const QPoint from(area.left() + area.width() / 5, area.top() + area.height() / 4);
    const QPoint to(area.left() + area.width() * 2 / 5, area.top() + area.height() / 2);
    QTest::mousePress(&plot, Qt::LeftButton, Qt::ShiftModifier, from);
    QTest::mouseMove(&plot, to);
    QTest::mouseRelease(&plot, Qt::LeftButton, Qt::ShiftModifier, to);
    const QRectF box = plot.view();
    const double pxWidth = fitted.width() / area.width();
    QVERIFY(std::abs(box.left() - (fitted.left() + (from.x() - area.left()) * pxWidth)) < 1e-6 * fitted.width());
    QVERIFY(std::abs(box.right() - (fitted.left() + (to.x() + 1 - area.left()) * pxWidth)) < 1e-6 * fitted.width());
    // Rows: the top of the box is the higher value.
    const double rowHeight = fitted.height() / (area.height() - 1);
    QVERIFY(std::abs(box.bottom() - (fitted.bottom() - (from.y() - area.top()) * rowHeight)) < 1e-6 * fitted.height());
    QVERIFY(std::abs(box.top() - (fitted.bottom() - (to.y() - area.top()) * rowHeight)) < 1e-6 * fitted.height());

    QTest::keyClick(&plot, Qt::Key_Home);
    QCOMPARE(plot.view(), fitted);
}

void tst_PlotWidget::keyboardZoom()
{
    PlotWidget plot;
    plot.resize(600, 400);
    plot.setSeries({noisyRun(1, 300, 5)});
    const QRectF fitted = plot.view();
    QTest::keyClick(&plot, Qt::Key_Plus);
    QVERIFY(std::abs(plot.view().width() - fitted.width() * 0.8) < 1e-9 * fitted.width());
    QTest::keyClick(&plot, Qt::Key_Minus);
    QTest::keyClick(&plot, Qt::Key_Minus);
    QVERIFY(plot.view().width() > fitted.width());
    QTest::keyClick(&plot, Qt::Key_Home);
    QCOMPARE(plot.view(), fitted);
}

void tst_PlotWidget::setSeriesKeepsAZoomedView()
{
    PlotWidget plot;
    plot.resize(600, 400);
    plot.setSeries({noisyRun(1, 300, 6)});
    // An untouched view follows the data (a live run grows)...
    plot.setSeries({noisyRun(1, 600, 6)}, true);
    QCOMPARE(plot.view().right(), 599.0);
    // ...a zoomed one stays where the user put it.
    const QRectF zoomed(QPointF(100, 0.5), QPointF(200, 1.5));
    plot.setView(zoomed);
    plot.setSeries({noisyRun(1, 900, 6)}, true);
    QCOMPARE(plot.view(), zoomed);
    plot.setSeries({noisyRun(1, 900, 6)});
    QCOMPARE(plot.view().right(), 899.0);
}

void tst_PlotWidget::logAxis()
{
    PlotWidget plot;
    plot.resize(700, 450);
    plot.setSeries({series(1, {0, 1, 2, 3, 4}, {-5, 0, 0.01, 10, 1000})});
    QVERIFY(plot.view().top() < -5);
    plot.setLogY(true);
    QVERIFY(plot.logY());
    // Non-positive values are not on a log axis: the view fits 0.01..1000.
    QVERIFY(plot.view().top() > 0 && plot.view().top() < 0.01);
    QVERIFY(plot.view().bottom() > 1000 && plot.view().bottom() < 2000);
    plot.setView(QRectF(QPointF(0, -1), QPointF(4, 10))); // refused: a log axis has no -1
    QVERIFY(plot.view().top() > 0);

    // Wheel zoom works in log units: the zoomed range keeps the same ratio around the cursor.
    const double decadesBefore = std::log10(plot.view().bottom() / plot.view().top());
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    sendWheel(&plot, plot.plotArea().center(), 120, Qt::ControlModifier);
    const double decadesAfter = std::log10(plot.view().bottom() / plot.view().top());
    QVERIFY(std::abs(decadesAfter - decadesBefore * 0.85) < 1e-9);

    const QImage image = renderImage(plot, QSize(700, 450));
    const QRect area = plot.plotArea();
    // The line is drawn: some pixel of the plot area has the run's colour.
    bool found = false;
    for (int y = area.top(); y <= area.bottom() && !found; ++y) {
        for (int x = area.left(); x <= area.right() && !found; ++x)
            found = image.pixelColor(x, y) == runColor(1);
    }
    QVERIFY(found);
    QVERIFY(test::savePng(&plot, QStringLiteral("plotwidget-log.png")) > 0);
}

void tst_PlotWidget::hoverReadout()
{
    PlotWidget plot;
    plot.resize(1000, 600);
    plot.setTitle(QStringLiteral("validation/logloss"));
    plot.setAxisLabels(QStringLiteral("step"), QStringLiteral("logloss"));
    QList<PlotSeries> runs;
    for (int i = 1; i <= 30; ++i)
        runs.append(noisyRun(i, 20'000, quint32(100 + i)));
    plot.setSeries(runs);
    plot.setSmoothing(0.9);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    QSignalSpy hovered(&plot, &PlotWidget::hovered);
    const QPoint at = plot.plotArea().center();
    QTest::mouseMove(&plot, at);
    QTRY_VERIFY(!hovered.isEmpty());
    const auto values = hovered.last().first().value<QList<PlotReadout>>();
    QCOMPARE(values.size(), 30);
    for (const PlotReadout &r : values) {
        QVERIFY(r.x <= plot.view().left()
                    + double(at.x() - plot.plotArea().left() + 1) / plot.plotArea().width() * plot.view().width());
        QVERIFY(r.smoothed != r.y || std::isnan(r.y));
    }
    QVERIFY(test::savePng(&plot, QStringLiteral("plotwidget-hover.png")) > 0);
    QVERIFY(plot.lastPaintMs() > 0);

    hovered.clear();
    QEvent leave(QEvent::Leave);
    QCoreApplication::sendEvent(&plot, &leave);
    QCOMPARE(hovered.size(), 1);
    QVERIFY(hovered.first().first().value<QList<PlotReadout>>().isEmpty());
}

void tst_PlotWidget::decimatedPictureIsExact_data()
{
    QTest::addColumn<int>("width"); // of the image; the plot area is some 80 px narrower
    QTest::addColumn<double>("from"); // fraction of the x range
    QTest::addColumn<double>("to");
    QTest::addColumn<double>("smoothing");
    QTest::addColumn<bool>("log");
    for (const int width : {170, 380, 1680}) {
        const QByteArray w = QByteArray::number(width);
        QTest::newRow(QByteArray(w + " px, full").constData()) << width << 0.0 << 1.0 << 0.0 << false;
        QTest::newRow(QByteArray(w + " px, middle window").constData()) << width << 0.31 << 0.47 << 0.0 << false;
        QTest::newRow(QByteArray(w + " px, under a point per column").constData())
            << width << 0.5002 << 0.5002 + 0.0008 << 0.0 << false;
        QTest::newRow(QByteArray(w + " px, smoothed").constData()) << width << 0.0 << 1.0 << 0.95 << false;
        QTest::newRow(QByteArray(w + " px, log, window").constData()) << width << 0.2 << 0.6 << 0.0 << true;
    }
}

void tst_PlotWidget::decimatedPictureIsExact()
{
    QFETCH(int, width);
    QFETCH(double, from);
    QFETCH(double, to);
    QFETCH(double, smoothing);
    QFETCH(bool, log);
    PlotWidget plot;
    plot.resize(width, 320);
    plot.setSeries({noisyRun(1, 50'000, 7), noisyRun(2, 50'000, 8), noisyRun(3, 30'000, 9)});
    plot.setSmoothing(smoothing);
    plot.setLogY(log);
    const QRectF fitted = plot.view();
    plot.setView(QRectF(QPointF(fitted.left() + from * fitted.width(), fitted.top()),
                        QPointF(fitted.left() + to * fitted.width(), fitted.bottom())));
    const QSize size(width, 320);

    QVERIFY(plot.decimation());
    const QImage decimated = renderImage(plot, size);
    plot.setDecimation(false);
    const QImage full = renderImage(plot, size);

    int differing = 0;
    QPoint firstDifference;
    for (int y = 0; y < size.height(); ++y) {
        for (int x = 0; x < size.width(); ++x) {
            if (decimated.pixel(x, y) != full.pixel(x, y) && differing++ == 0)
                firstDifference = QPoint(x, y);
        }
    }
    if (differing > 0) {
        decimated.save(test::outputDir() + QStringLiteral("/plotwidget-exact-decimated.png"));
        full.save(test::outputDir() + QStringLiteral("/plotwidget-exact-full.png"));
    }
    QVERIFY2(differing == 0,
             qPrintable(QStringLiteral("%1 pixels differ, the first at %2,%3")
                            .arg(differing)
                            .arg(firstDifference.x())
                            .arg(firstDifference.y())));
    // Not a blank picture: the lines are there.
    const QRect area = plot.plotArea();
    int coloured = 0;
    for (int y = area.top(); y <= area.bottom(); ++y) {
        for (int x = area.left(); x <= area.right(); ++x) {
            const QColor c = full.pixelColor(x, y);
            coloured += c.saturation() > 60 ? 1 : 0;
        }
    }
    QVERIFY(coloured > area.width());
}

void tst_PlotWidget::exports()
{
    PlotWidget plot;
    plot.resize(640, 400);
    plot.setTitle(QStringLiteral("loss"));
    plot.setSeries({noisyRun(1, 10'000, 10), noisyRun(2, 10'000, 11)});
    QTemporaryDir dir;
    QString error;

    const QString png = dir.filePath(QStringLiteral("chart.png"));
    QVERIFY2(plot.exportTo(png, &error), qPrintable(error));
    const QImage image(png);
    QCOMPARE(image.size(), QSize(1280, 800));

    // Zoomed in: an SVG painter does not clip, so the lines must be cut to the plot area.
    const QRectF fitted = plot.view();
    plot.setView(QRectF(QPointF(3000, fitted.top() + fitted.height() / 3), QPointF(4000, fitted.bottom())));
    const QString svg = dir.filePath(QStringLiteral("chart.svg"));
    QVERIFY2(plot.exportTo(svg, &error), qPrintable(error));
    QXmlStreamReader xml(test::readFile(svg));
    int polylines = 0;
    const QRectF area = QRectF(plot.plotArea()).adjusted(-0.01, -0.01, 1.01, 1.01);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement || xml.name() != u"polyline")
            continue;
        ++polylines;
        const QStringList points
            = xml.attributes().value(QStringLiteral("points")).toString().split(u' ', Qt::SkipEmptyParts);
        QVERIFY(points.size() >= 2);
        for (const QString &point : points) {
            const QStringList xy = point.split(u',');
            QCOMPARE(xy.size(), 2);
            QVERIFY2(area.contains(QPointF(xy[0].toDouble(), xy[1].toDouble())), qPrintable(point));
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(polylines >= 2);

    // Errors name the file and say why.
    for (const QString &name : {QStringLiteral("chart.png"), QStringLiteral("chart.svg")}) {
        const QString missing = dir.filePath(QStringLiteral("no/such/folder/") + name);
        QVERIFY(!plot.exportTo(missing, &error));
        const QString prefix = QDir::toNativeSeparators(missing) + QStringLiteral(": ");
        QVERIFY2(error.contains(prefix) && error.size() > error.indexOf(prefix) + prefix.size() + 3, qPrintable(error));
    }
    QVERIFY(!plot.exportTo(dir.filePath(QStringLiteral("chart.bmpx")), &error));
    QVERIFY2(error.contains(QStringLiteral("bmpx")) && error.contains(QStringLiteral(".png or .svg")),
             qPrintable(error));
    QVERIFY(!plot.exportTo(dir.filePath(QStringLiteral("chart")), &error));
    QVERIFY2(error.contains(QStringLiteral(".png or .svg")), qPrintable(error));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("chart"))));
}

void tst_PlotWidget::pointsMode()
{
    PlotWidget plot;
    plot.resize(600, 420);
    plot.setMode(PlotWidget::Mode::Points);
    plot.setAxisLabels(QStringLiteral("max_depth"), QStringLiteral("auc"));
    QList<PlotSeries> runs;
    for (int i = 1; i <= 12; ++i)
        runs.append(series(i, {double(i % 4 + 2)}, {0.8 + 0.01 * i}));
    plot.setSeries(runs);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    // Points get a margin: none sits on the frame.
    QVERIFY(plot.view().left() < 2 && plot.view().right() > 5);

    const QRect area = plot.plotArea();
    const QRectF v = plot.view();
    const QPoint at(area.left() + int(std::lround((5 - v.left()) / v.width() * area.width())),
                    area.top() + int(std::lround((v.bottom() - 0.91) / v.height() * (area.height() - 1))));
    const std::optional<PlotReadout> hit = plot.pointAt(at + QPoint(2, -1));
    QVERIFY(hit);
    QCOMPARE(hit->runId, qint64(11)); // 11 % 4 + 2 == 5, 0.8 + 0.11
    QVERIFY(!plot.pointAt(area.topLeft() + QPoint(1, 1)));

    QSignalSpy hovered(&plot, &PlotWidget::hovered);
    QTest::mouseMove(&plot, at);
    QTRY_VERIFY(!hovered.isEmpty());
    const auto values = hovered.last().first().value<QList<PlotReadout>>();
    QCOMPARE(values.size(), 1);
    QCOMPARE(values.first().label, QStringLiteral("#11"));
    QVERIFY(test::savePng(&plot, QStringLiteral("plotwidget-points.png")) > 0);
}

void tst_PlotWidget::emptyText()
{
    PlotWidget plot;
    plot.resize(500, 300);
    plot.setEmptyText(QStringLiteral("No run has this metric"));
    const QImage empty = renderImage(plot, QSize(500, 300));
    // Only text: most of the picture is white and the middle has the note.
    int dark = 0;
    for (int y = 0; y < 300; ++y) {
        for (int x = 0; x < 500; ++x)
            dark += qGray(empty.pixel(x, y)) < 200 ? 1 : 0;
    }
    QVERIFY(dark > 20 && dark < 5000);
    plot.setSeries({series(1, {}, {})});
    QCOMPARE(renderImage(plot, QSize(500, 300)), empty);
    plot.setSeries({PlotSeries()}); // no data at all
    QCOMPARE(renderImage(plot, QSize(500, 300)), empty);
    QVERIFY(plot.valuesAt(0).isEmpty());
    QVERIFY(!plot.pointAt(QPoint(250, 150)));
}

QTEST_MAIN(tst_PlotWidget)
#include "tst_plotwidget.moc"
