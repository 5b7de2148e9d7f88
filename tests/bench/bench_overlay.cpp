// The metric overlay at scale: a real workspace of 100 runs × 100,000 steps (random walks with
// spikes, written through RunStore::appendMetrics), read back with loadMetricSeries, then the
// redraw of all 100 series in a 1600×900 PlotWidget (decimate + draw, into a QImage) against
// the baseline in the same run: every raw point drawn with QPainter::drawPolyline.
// Not a test: prints one line per figure and the ratio.
#include "models/metricseries.h"
#include "plot/decimation.h"
#include "plotwidget.h"
#include "runcolors.h"
#include "runs/runstore.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>

#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

using namespace kiln;

namespace {

constexpr int kRuns = 100;
constexpr qint64 kSteps = 100'000;
constexpr qint64 kBatch = 20'000;
constexpr int kRepeats = 5;
const QSize kCanvas(1600, 900);

double milliseconds(const QElapsedTimer &clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// A loss curve: decay plus a random walk, with a single-step spike every few thousand steps.
std::vector<MetricPoint> curve(int run, qint64 from, qint64 count, double &level, std::mt19937 &rng)
{
    std::normal_distribution<double> noise(0.0, 0.01);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<MetricPoint> points;
    points.reserve(std::size_t(count));
    for (qint64 step = from; step < from + count; ++step) {
        level += noise(rng);
        double value = 2.0 * std::exp(-double(step) / 30'000.0) + 0.1 + 0.002 * run + level;
        if (uniform(rng) < 0.0003)
            value *= uniform(rng) < 0.5 ? 3.0 : 0.1;
        points.push_back({step, 1'700'000'000'000 + step * 250, value});
    }
    return points;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    auto workspace = Workspace::open(dir.filePath(QStringLiteral("ws")));
    if (!workspace) {
        std::fprintf(stderr, "%s\n", qPrintable(workspace.errorMessage()));
        return 1;
    }
    const QString key = QStringLiteral("train/loss");

    // Write the workspace the way a training run does: batches through the run store.
    QElapsedTimer clock;
    clock.start();
    std::vector<qint64> runIds;
    {
        RunStore store((*workspace)->db());
        std::mt19937 rng(20240501);
        for (int run = 0; run < kRuns; ++run) {
            RunSpec spec;
            spec.experiment = QStringLiteral("bench");
            spec.name = QStringLiteral("run-%1").arg(run);
            auto created = store.createRun(spec);
            if (!created) {
                std::fprintf(stderr, "%s\n", qPrintable(created.errorMessage()));
                return 1;
            }
            runIds.push_back(created->id);
            double level = 0;
            for (qint64 from = 0; from < kSteps; from += kBatch) {
                QHash<QString, std::vector<MetricPoint>> batch;
                batch.insert(key, curve(run, from, kBatch, level, rng));
                if (Status s = store.appendMetrics(created->id, batch); !s) {
                    std::fprintf(stderr, "%s\n", qPrintable(s.errorMessage()));
                    return 1;
                }
            }
        }
    }
    std::printf("overlay benchmark: %d runs x %lld steps (%lld points), canvas %dx%d\n", kRuns, kSteps,
                qint64(kRuns) * kSteps, kCanvas.width(), kCanvas.height());
    std::printf("write workspace (RunStore::appendMetrics):      %9.0f ms\n", milliseconds(clock));

    // Read every series back as the overlay view does: loadMetricSeries on worker threads.
    const QString databasePath = (*workspace)->databasePath();
    clock.restart();
    const QList<MetricSeriesBatch> batches
        = QtConcurrent::blockingMapped(QList<qint64>(runIds.begin(), runIds.end()),
                                       [&](qint64 runId) { return loadMetricSeries(databasePath, runId, {}); });
    const double loadMs = milliseconds(clock);
    QList<PlotSeries> series;
    qint64 loaded = 0;
    for (int i = 0; i < batches.size(); ++i) {
        if (!batches[i].error.isEmpty()) {
            std::fprintf(stderr, "%s\n", qPrintable(batches[i].error));
            return 1;
        }
        const std::vector<MetricPoint> &points = batches[i].points.value(key);
        auto x = std::make_shared<std::vector<double>>(points.size());
        auto y = std::make_shared<std::vector<double>>(points.size());
        for (std::size_t k = 0; k < points.size(); ++k) {
            (*x)[k] = double(points[k].step);
            (*y)[k] = points[k].value;
        }
        loaded += qint64(points.size());
        series.append({runIds[std::size_t(i)], QStringLiteral("#%1").arg(runIds[std::size_t(i)]),
                       runColor(runIds[std::size_t(i)]), x, y});
    }
    if (loaded != qint64(kRuns) * kSteps) {
        std::fprintf(stderr, "read back %lld points, expected %lld\n", loaded, qint64(kRuns) * kSteps);
        return 1;
    }
    std::printf("load all series (loadMetricSeries, %d threads): %9.0f ms\n",
                QThreadPool::globalInstance()->maxThreadCount(), loadMs);

    PlotWidget plot;
    plot.resize(kCanvas);
    plot.setTitle(key);
    plot.setAxisLabels(QStringLiteral("step"), QStringLiteral("loss"));
    clock.restart();
    plot.setSeries(series);
    std::printf("setSeries (ranges of every series):            %9.1f ms\n", milliseconds(clock));
    const QRectF fitted = plot.view();
    QImage image(kCanvas, QImage::Format_ARGB32_Premultiplied);

    // Decimation alone, for the record: M4 over every series at the plot area's width.
    const int columns = plot.plotArea().width();
    std::vector<double> times;
    std::vector<double> outX;
    std::vector<double> outY;
    std::size_t kept = 0;
    for (int r = 0; r < kRepeats; ++r) {
        clock.restart();
        kept = 0;
        for (const PlotSeries &s : std::as_const(series)) {
            decimateM4(s.x->data(), s.y->data(), s.x->size(), fitted.left(), fitted.right(), columns, outX, outY);
            kept += outX.size();
        }
        times.push_back(milliseconds(clock));
    }
    std::printf("decimate only (decimateM4, %d columns):        %9.1f ms  (%zu of %lld points kept)\n", columns,
                median(times), kept, loaded);

    // The redraw: each repetition shows a slightly different view, so that nothing cached
    // from the last one is reused (decimation and drawing both run).
    times.clear();
    for (int r = 0; r < kRepeats; ++r) {
        plot.setView(fitted.translated(double(r + 1), 0));
        image.fill(Qt::white);
        QPainter painter(&image);
        clock.restart();
        plot.render(painter, QRect(QPoint(0, 0), kCanvas));
        times.push_back(milliseconds(clock));
    }
    const double redrawMs = median(times);
    std::printf("kiln redraw (decimate + draw, median of %d):    %9.1f ms\n", kRepeats, redrawMs);

    // A hover repaint: the same view again, the lines cached.
    times.clear();
    for (int r = 0; r < kRepeats; ++r) {
        image.fill(Qt::white);
        QPainter painter(&image);
        clock.restart();
        plot.render(painter, QRect(QPoint(0, 0), kCanvas));
        times.push_back(milliseconds(clock));
    }
    std::printf("kiln repaint, same view (lines cached):        %9.1f ms\n", median(times));

    // Baseline: every raw point mapped to the same plot area and drawn with drawPolyline,
    // the same 1 px cosmetic pen without antialiasing.
    const QRect area = plot.plotArea();
    const QRectF view = plot.view();
    times.clear();
    for (int r = 0; r < kRepeats; ++r) {
        image.fill(Qt::white);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing, false);
        painter.setClipRect(area);
        clock.restart();
        QPolygonF polyline;
        for (const PlotSeries &s : std::as_const(series)) {
            const std::size_t n = s.x->size();
            polyline.resize(qsizetype(n));
            for (std::size_t k = 0; k < n; ++k) {
                polyline[qsizetype(k)]
                    = QPointF(area.left() + ((*s.x)[k] - view.left()) / view.width() * area.width(),
                              area.top() + (view.bottom() - (*s.y)[k]) / view.height() * area.height());
            }
            painter.setPen(QPen(s.color, 0));
            painter.drawPolyline(polyline);
        }
        times.push_back(milliseconds(clock));
    }
    const double baselineMs = median(times);
    std::printf("baseline: every raw point, drawPolyline:       %9.1f ms\n", baselineMs);
    std::printf("ratio baseline/kiln redraw: %.1fx (target: kiln redraw < 100 ms)\n", baselineMs / redrawMs);
    return 0;
}
