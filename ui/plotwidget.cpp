#include "plotwidget.h"

#include "chartstyle.h"
#include "plot/decimation.h"
#include "theme.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QImage>
#include <QImageWriter>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEngine>
#include <QPainter>
#include <QPixmap>
#include <QSvgGenerator>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace kiln {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxReadoutLines = 12;
constexpr double kWheelZoom = 0.85; ///< view span per wheel notch
constexpr double kKeyZoom = 0.8;
/// Lines are cut this far outside the plot: Qt's rasterizer wants coordinates of moderate size.
constexpr double kClipMargin = 4096;
constexpr double kPointRadius = 3.5;
constexpr int kHoverRadius = 10;
constexpr double kFaintAlpha = 0.25; ///< raw lines under smoothed ones: this much of their colour

QColor gridColor()
{
    return {0xe6, 0xe6, 0xe9};
}
QColor frameColor()
{
    return {0xc4, 0xc6, 0xcc};
}

struct Tick
{
    double value = 0; ///< in axis units (log10 of the value on a log axis)
    QString label;
};

/// 1, 2, 2.5 or 5 times a power of ten: the step of about `count` ticks over `span`.
double niceStep(double span, int count, int *decimals)
{
    const double raw = span / std::max(1, count);
    const int exponent = int(std::floor(std::log10(raw)));
    const double magnitude = std::pow(10.0, exponent);
    const double n = raw / magnitude;
    const double factor = n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10;
    *decimals = std::max(0, factor == 10 ? -exponent - 1 : -exponent) + (factor == 2.5 && exponent <= 0 ? 1 : 0);
    return factor * magnitude;
}

std::vector<Tick> linearTicks(double lo, double hi, int count)
{
    std::vector<Tick> ticks;
    if (!(hi > lo) || !std::isfinite(hi - lo))
        return ticks;
    int decimals = 0;
    const double step = niceStep(hi - lo, count, &decimals);
    const double first = std::ceil(lo / step - 1e-9);
    const double last = std::floor(hi / step + 1e-9);
    // Large or tiny numbers read better in exponent form: 1.5e+07, 2e-06.
    const double largest = std::max(std::abs(lo), std::abs(hi));
    const bool exponent = largest >= 1e7 || step < 1e-4;
    const int digits = std::clamp(int(std::ceil(std::log10(largest / step))) + 1, 1, 15);
    for (double i = first; i <= last && ticks.size() < 200; i += 1) {
        double v = i * step;
        if (std::abs(v) < step * 1e-9)
            v = 0;
        ticks.push_back({v, exponent ? QString::number(v, 'g', digits) : QString::number(v, 'f', decimals)});
    }
    return ticks;
}

/// Ticks of a log10 axis showing log10 values in [lo, hi]: decades (with 2 and 5 between
/// them when there is room); under one decade, linear ticks at their log positions.
std::vector<Tick> logTicks(double lo, double hi, int count)
{
    std::vector<Tick> ticks;
    if (!(hi > lo) || !std::isfinite(hi - lo))
        return ticks;
    if (hi - lo < 1) {
        for (const Tick &t : linearTicks(std::pow(10.0, lo), std::pow(10.0, hi), count)) {
            if (t.value > 0)
                ticks.push_back({std::log10(t.value), t.label});
        }
        return ticks;
    }
    const int first = int(std::ceil(lo - 1e-9));
    const int last = int(std::floor(hi + 1e-9));
    const int decades = last - first + 1;
    const int every = std::max(1, (decades + count - 1) / std::max(1, count));
    const bool between = decades * 3 <= count;
    for (int k = first - 1; k <= last; ++k) {
        const double power = std::pow(10.0, k);
        if (k >= first && (k - first) % every == 0)
            ticks.push_back({double(k), QString::number(power, 'g', 6)});
        if (!between)
            continue;
        for (const double m : {2.0, 5.0}) {
            const double t = std::log10(m * power);
            if (t >= lo && t <= hi)
                ticks.push_back({t, QString::number(m * power, 'g', 6)});
        }
    }
    std::sort(ticks.begin(), ticks.end(), [](const Tick &a, const Tick &b) { return a.value < b.value; });
    return ticks;
}

/// Ticks of a time axis (ms since the epoch) at round local times: seconds, minutes, hours,
/// days, months or years, whichever gives about `count` of them.
std::vector<Tick> timeTicks(double lo, double hi, int count)
{
    std::vector<Tick> ticks;
    if (!(hi > lo) || !std::isfinite(hi - lo))
        return ticks;
    constexpr qint64 kSecond = 1000;
    constexpr qint64 kMinute = 60 * kSecond;
    constexpr qint64 kHour = 60 * kMinute;
    constexpr qint64 kDay = 24 * kHour;
    static constexpr qint64 kSteps[] = {1,
                                        2,
                                        5,
                                        10,
                                        20,
                                        50,
                                        100,
                                        200,
                                        500,
                                        kSecond,
                                        2 * kSecond,
                                        5 * kSecond,
                                        10 * kSecond,
                                        15 * kSecond,
                                        30 * kSecond,
                                        kMinute,
                                        2 * kMinute,
                                        5 * kMinute,
                                        10 * kMinute,
                                        15 * kMinute,
                                        30 * kMinute,
                                        kHour,
                                        2 * kHour,
                                        3 * kHour,
                                        6 * kHour,
                                        12 * kHour,
                                        kDay,
                                        2 * kDay,
                                        7 * kDay,
                                        14 * kDay};
    const double raw = (hi - lo) / std::max(1, count);
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(qint64(lo));
    const bool manyDays = hi - lo > 2.0 * kDay;
    for (const qint64 step : kSteps) {
        if (double(step) < raw)
            continue;
        // Round in local time: 10:00, 10:15, midnight.
        const double offset = double(start.offsetFromUtc()) * 1000;
        const QString format = step < kSecond ? QStringLiteral("HH:mm:ss.zzz")
            : step < kMinute                  ? QStringLiteral("HH:mm:ss")
            : step < kDay                     ? (manyDays ? QStringLiteral("MMM d HH:mm") : QStringLiteral("HH:mm"))
                                              : QStringLiteral("MMM d");
        for (double t = std::ceil((lo + offset) / double(step)) * double(step) - offset; t <= hi && ticks.size() < 200;
             t += double(step))
            ticks.push_back({t, QDateTime::fromMSecsSinceEpoch(qint64(t)).toString(format)});
        return ticks;
    }
    // Months and years: calendar steps.
    const double months = raw / double(30 * kDay);
    const int monthStep = months <= 1 ? 1
        : months <= 2                 ? 2
        : months <= 3                 ? 3
        : months <= 6                 ? 6
                                      : 12 * int(std::ceil(months / 12));
    QDate date(start.date().year(), 1, 1);
    const QString format = monthStep < 12 ? QStringLiteral("MMM yyyy") : QStringLiteral("yyyy");
    for (; ticks.size() < 200; date = date.addMonths(monthStep)) {
        const double t = double(date.startOfDay().toMSecsSinceEpoch());
        if (t > hi)
            break;
        if (t >= lo)
            ticks.push_back({t, date.toString(format)});
    }
    return ticks;
}

/// Where a rendering puts the plot area and how data maps to its pixels.
struct Frame
{
    QRect plot;
    double x0 = 0, x1 = 1; ///< the view's x range
    double t0 = 0, t1 = 1; ///< the view's y range in axis units (log10 on a log axis)
    std::vector<Tick> xTicks, yTicks;
    PixelColumns columns {0, 1, 1}; ///< of the plot area, once its width is known

    bool valid() const { return plot.width() >= 8 && plot.height() >= 8 && x1 > x0 && t1 > t0; }
    double columnWidth() const { return (x1 - x0) / plot.width(); }
    /// Points inside the view sit at the left edge of their pixel column, as the decimator
    /// assigns them: a column's points then draw one vertical run, and M4 is exact.
    double px(double x) const
    {
        if (x >= x0 && x <= x1)
            return plot.left() + columns.of(x);
        return pxContinuous(x);
    }
    double pxContinuous(double x) const { return plot.left() + (x - x0) / columnWidth(); }
    double py(double t) const { return plot.top() + (t1 - t) * (plot.height() - 1) / (t1 - t0); }
    /// The data x a pixel column ends at (the hover shows the points drawn in it).
    double xAtColumnEnd(int pixel) const
    {
        return std::nextafter(x0 + (pixel - plot.left() + 1) * columnWidth(), -std::numeric_limits<double>::infinity());
    }
    double xAt(double pixel) const { return x0 + (pixel - plot.left()) * columnWidth(); }
    double tAt(double pixel) const { return t1 - (pixel - plot.top()) * (t1 - t0) / (plot.height() - 1); }
};

struct FrameKey
{
    QRect plot;
    double x0 = 0, x1 = 0, t0 = 0, t1 = 0;
    double smoothing = 0;
    bool log = false;
    bool decimate = true;

    bool operator==(const FrameKey &o) const
    {
        return plot == o.plot && x0 == o.x0 && x1 == o.x1 && t0 == o.t0 && t1 == o.t1 && smoothing == o.smoothing
            && log == o.log && decimate == o.decimate;
    }
};

/// Cuts segment a-b to `box` (Liang-Barsky); false when it misses the box.
bool clipSegment(const QRectF &box, QPointF &a, QPointF &b)
{
    const QPointF from = a;
    const QPointF delta = b - a;
    const double p[4] = {-delta.x(), delta.x(), -delta.y(), delta.y()};
    const double q[4] = {a.x() - box.left(), box.right() - a.x(), a.y() - box.top(), box.bottom() - a.y()};
    double enter = 0;
    double leave = 1;
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return false;
            continue;
        }
        const double r = q[i] / p[i];
        if (p[i] < 0)
            enter = std::max(enter, r);
        else
            leave = std::min(leave, r);
    }
    if (enter > leave)
        return false;
    a = from + enter * delta;
    b = from + leave * delta;
    return true;
}

/// A line's points in pixels: x at its pixel column (continuing the scale outside the view),
/// y rounded to a row; non-finite values skipped.
std::vector<QPointF> toPixels(const Frame &f, const double *x, const double *t, std::size_t n)
{
    constexpr double kFar = 1e12;
    std::vector<QPointF> points;
    points.reserve(n);
    // Decimated points come four to a column: the column of the last point is checked first.
    int column = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(t[i]))
            continue;
        double px = 0;
        if (x[i] >= f.x0 && x[i] <= f.x1) {
            if (!(x[i] >= f.columns.start(column) && x[i] < f.columns.end(column)))
                column = f.columns.of(x[i]);
            px = f.plot.left() + column;
        } else {
            px = std::clamp(f.pxContinuous(x[i]), -kFar, kFar);
        }
        points.emplace_back(px, std::clamp(std::round(f.py(t[i])), -kFar, kFar));
    }
    return points;
}

QRectF clipBox(const Frame &f)
{
    return QRectF(f.plot).adjusted(-kClipMargin, -kClipMargin, kClipMargin, kClipMargin);
}

/// The segments between consecutive points, each to be stroked on its own. Qt strokes a
/// polyline with dropout control that looks at the previous segment's direction, so the
/// pixels of a segment depend on the points before it; lines stroked one by one do not,
/// and then a column's first, min, max and last light exactly the pixels all its points do.
/// With `mergeColumns` the segments within one pixel column become one vertical line over
/// the rows they cover: the same pixels, fewer lines.
std::vector<QLineF> toSegments(const Frame &f, const std::vector<QPointF> &points, bool mergeColumns)
{
    std::vector<QLineF> lines;
    const QRectF box = clipBox(f);
    const auto inside = [&box](const QPointF &p) {
        return p.x() >= box.left() && p.x() <= box.right() && p.y() >= box.top() && p.y() <= box.bottom();
    };
    const auto add = [&](QPointF a, QPointF b) {
        if ((inside(a) && inside(b)) || clipSegment(box, a, b))
            lines.emplace_back(a, b);
    };
    if (points.size() == 1) {
        // A lone point: a small cross, or it would be a single pixel.
        const QPointF p = points.front();
        add(p - QPointF(1, 0), p + QPointF(1, 0));
        add(p - QPointF(0, 1), p + QPointF(0, 1));
        return lines;
    }
    lines.reserve(mergeColumns ? points.size() / 2 + 2 : points.size());
    for (std::size_t i = 1; i < points.size(); ++i) {
        const QPointF from = points[i - 1];
        if (!mergeColumns || points[i].x() != from.x()) {
            add(from, points[i]);
            continue;
        }
        double low = std::min(from.y(), points[i].y());
        double high = std::max(from.y(), points[i].y());
        for (; i + 1 < points.size() && points[i + 1].x() == from.x(); ++i) {
            low = std::min(low, points[i + 1].y());
            high = std::max(high, points[i + 1].y());
        }
        add(QPointF(from.x(), low), QPointF(from.x(), high));
    }
    return lines;
}

/// Vector output: the points as polylines cut to the plot area (an SVG painter does not clip).
std::vector<QPolygonF> toPolylines(const Frame &f, const std::vector<QPointF> &points)
{
    std::vector<QPolygonF> pieces;
    const QRectF box(f.plot);
    QPolygonF piece;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const bool inside = box.contains(points[i]);
        if (i == 0 || (inside && box.contains(points[i - 1]))) {
            if (inside)
                piece << points[i];
            continue;
        }
        QPointF a = points[i - 1];
        QPointF b = points[i];
        if (clipSegment(box, a, b)) {
            if (piece.isEmpty())
                piece << a;
            piece << b;
        }
        if (!inside && !piece.isEmpty()) {
            pieces.push_back(piece);
            piece.clear();
        }
    }
    if (!piece.isEmpty())
        pieces.push_back(piece);
    return pieces;
}

QString valueText(double v)
{
    return QString::number(v, 'g', 6);
}

} // namespace

struct PlotWidget::Private
{
    /// What the renderer keeps per series: its ranges, derived values and last polylines.
    struct Cache
    {
        std::shared_ptr<const std::vector<double>> x; ///< the series' data, kept alive: identity
        std::shared_ptr<const std::vector<double>> y;
        std::vector<double> finiteY; ///< y with infinities as NaN, when it has any
        bool hasInfinity = false;
        double xMin = kNaN, xMax = kNaN, yMin = kNaN, yMax = kNaN, yMinPositive = kNaN, yMaxPositive = kNaN;
        std::vector<double> logY;
        std::vector<double> smooth;
        double smoothWeight = -1;
        std::vector<double> smoothLog;
        FrameKey key;
        bool linesValid = false;
        std::vector<QLineF> raw;
        std::vector<QLineF> smoothed;

        std::size_t size() const { return x && y ? std::min(x->size(), y->size()) : 0; }
    };

    enum class Drag { None, Pan, Box };

    QString title;
    QString xLabel;
    QString yLabel;
    QString emptyText;
    bool timeAxis = false;
    bool decimate = true;
    bool viewIsDefault = true;
    std::vector<Cache> caches;
    std::vector<double> scratchX; ///< decimated points, reused between series
    std::vector<double> scratchT;

    QPixmap layer; ///< the chart without hover marks: a hover repaint only copies it
    bool layerValid = false;

    bool hovering = false;
    QPoint hoverPos;
    QList<PlotReadout> hoverValues;
    std::optional<PlotReadout> hoverPoint;

    Drag drag = Drag::None;
    QPoint pressPos;
    QRectF pressView;
    QRect band;

    static void measure(Cache &c)
    {
        const std::size_t n = c.size();
        const double *x = c.x->data();
        const double *y = c.y->data();
        for (std::size_t i = 0; i < n; ++i) {
            const double v = y[i];
            if (std::isnan(v))
                continue;
            if (!std::isfinite(v)) {
                c.hasInfinity = true;
                continue;
            }
            if (!(x[i] >= c.xMin))
                c.xMin = x[i];
            if (!(x[i] <= c.xMax))
                c.xMax = x[i];
            if (!(v >= c.yMin))
                c.yMin = v;
            if (!(v <= c.yMax))
                c.yMax = v;
            if (v > 0 && !(v >= c.yMinPositive))
                c.yMinPositive = v;
            if (v > 0 && !(v <= c.yMaxPositive))
                c.yMaxPositive = v;
        }
        if (c.hasInfinity) {
            c.finiteY.assign(y, y + n);
            for (double &v : c.finiteY) {
                if (!std::isfinite(v))
                    v = kNaN;
            }
        }
    }

    static const std::vector<double> &rawValues(const Cache &c) { return c.hasInfinity ? c.finiteY : *c.y; }

    static void toLog(const std::vector<double> &from, std::vector<double> &to)
    {
        to.resize(from.size());
        std::transform(from.begin(), from.end(), to.begin(), [](double v) { return v > 0 ? std::log10(v) : kNaN; });
    }

    /// The values a line is drawn from: raw or smoothed, in axis units.
    static const std::vector<double> &values(Cache &c, bool smoothed, double weight, bool log)
    {
        if (smoothed && c.smoothWeight != weight) {
            c.smooth = smoothEma(rawValues(c), weight);
            c.smoothWeight = weight;
            c.smoothLog.clear();
        }
        const std::vector<double> &base = smoothed ? c.smooth : rawValues(c);
        if (!log)
            return base;
        std::vector<double> &logged = smoothed ? c.smoothLog : c.logY;
        if (logged.size() != base.size())
            toLog(base, logged);
        return logged;
    }

    /// The line through `x`, `t` in pixels: decimated per column (or every point).
    std::vector<QPointF> pixels(const Frame &f, const std::vector<double> &x, const std::vector<double> &t)
    {
        const std::size_t n = std::min(x.size(), t.size());
        if (!decimate)
            return toPixels(f, x.data(), t.data(), n);
        decimateM4(x.data(), t.data(), n, f.x0, f.x1, f.plot.width(), scratchX, scratchT);
        return toPixels(f, scratchX.data(), scratchT.data(), scratchX.size());
    }

    static QFont titleFont(const QFont &base)
    {
        QFont font = base;
        font.setBold(true);
        return font;
    }
};

PlotWidget::PlotWidget(QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(160, 120);
    m_view = QRectF(QPointF(0, 0), QPointF(1, 1));
}

PlotWidget::~PlotWidget() = default;

void PlotWidget::setMode(Mode mode)
{
    if (m_mode == mode)
        return;
    m_mode = mode;
    if (d->viewIsDefault)
        resetView();
    d->layerValid = false;
    update();
}

void PlotWidget::setSeries(QList<PlotSeries> series, bool keepView)
{
    // A live view hands the same series again every second: nothing to redo.
    const auto same = [](const PlotSeries &a, const PlotSeries &b) {
        return a.runId == b.runId && a.label == b.label && a.color == b.color && a.x == b.x && a.y == b.y;
    };
    if (keepView && std::equal(series.begin(), series.end(), m_series.begin(), m_series.end(), same))
        return;
    // A series whose data did not change keeps what was derived from it (ranges, smoothing).
    std::vector<Private::Cache> caches(std::size_t(series.size()));
    for (qsizetype i = 0; i < series.size(); ++i) {
        Private::Cache &c = caches[std::size_t(i)];
        const PlotSeries &s = series[i];
        const auto old = std::find_if(d->caches.begin(), d->caches.end(),
                                      [&](const Private::Cache &o) { return o.x && o.x == s.x && o.y == s.y; });
        if (old != d->caches.end()) {
            c = std::move(*old);
            old->x.reset();
            continue;
        }
        // A series without data draws nothing (and needs no null checks below).
        static const auto none = std::make_shared<const std::vector<double>>();
        c.x = s.x ? s.x : none;
        c.y = s.y ? s.y : none;
        if (c.size() > 0)
            Private::measure(c);
    }
    d->caches = std::move(caches);
    m_series = std::move(series);
    d->layerValid = false;
    if (!keepView || d->viewIsDefault)
        resetView();
    else
        viewChangedInternally(m_view);
}

void PlotWidget::setTitle(const QString &title)
{
    if (d->title == title)
        return;
    d->title = title;
    d->layerValid = false;
    update();
}

void PlotWidget::setAxisLabels(const QString &x, const QString &y)
{
    if (d->xLabel == x && d->yLabel == y)
        return;
    d->xLabel = x;
    d->yLabel = y;
    d->layerValid = false;
    update();
}

void PlotWidget::setTimeAxis(bool time)
{
    if (d->timeAxis == time)
        return;
    d->timeAxis = time;
    d->layerValid = false;
    update();
}

void PlotWidget::setLogY(bool log)
{
    if (m_logY == log)
        return;
    m_logY = log;
    // The y range is fitted again (a linear range may hold values a log axis cannot show);
    // a zoomed x range stays.
    const bool wasDefault = d->viewIsDefault;
    const QRectF kept = m_view;
    resetView();
    if (!wasDefault) {
        d->viewIsDefault = false;
        viewChangedInternally(QRectF(QPointF(kept.left(), m_view.top()), QPointF(kept.right(), m_view.bottom())));
    }
}

void PlotWidget::setSmoothing(double weight)
{
    weight = std::clamp(weight, 0.0, 0.999);
    if (m_smoothing == weight)
        return;
    m_smoothing = weight;
    d->layerValid = false;
    if (d->hovering)
        updateHover(d->hoverPos);
    update();
}

void PlotWidget::setEmptyText(const QString &text)
{
    if (d->emptyText == text)
        return;
    d->emptyText = text;
    d->layerValid = false;
    update();
}

void PlotWidget::setDecimation(bool on)
{
    if (d->decimate == on)
        return;
    d->decimate = on;
    d->layerValid = false;
    update();
}

bool PlotWidget::decimation() const
{
    return d->decimate;
}

void PlotWidget::setView(const QRectF &view)
{
    QRectF v = view.normalized();
    if (!(v.width() > 0) || !(v.height() > 0) || !std::isfinite(v.width()) || !std::isfinite(v.height()))
        return;
    if (m_logY && v.top() <= 0)
        return;
    d->viewIsDefault = false;
    viewChangedInternally(v);
}

void PlotWidget::resetView()
{
    double x0 = kNaN;
    double x1 = kNaN;
    double y0 = kNaN;
    double y1 = kNaN;
    for (const Private::Cache &c : d->caches) {
        const double low = m_logY ? c.yMinPositive : c.yMin;
        const double high = m_logY ? c.yMaxPositive : c.yMax;
        if (std::isnan(low))
            continue;
        x0 = std::isnan(x0) ? c.xMin : std::min(x0, c.xMin);
        x1 = std::isnan(x1) ? c.xMax : std::max(x1, c.xMax);
        y0 = std::isnan(y0) ? low : std::min(y0, low);
        y1 = std::isnan(y1) ? high : std::max(y1, high);
    }
    if (std::isnan(x0)) {
        x0 = 0;
        x1 = 1;
        y0 = m_logY ? 1 : 0;
        y1 = m_logY ? 10 : 1;
    }
    const auto widen = [](double &lo, double &hi, double padding) {
        if (hi <= lo) {
            const double half = lo == 0 ? 0.5 : std::abs(lo) * 0.05;
            lo -= half;
            hi += half;
        } else {
            const double pad = (hi - lo) * padding;
            lo -= pad;
            hi += pad;
        }
    };
    // Lines span the width exactly; points and the y axis get a margin so that nothing
    // sits on the frame.
    widen(x0, x1, m_mode == Mode::Points ? 0.05 : 0);
    if (m_logY) {
        double t0 = std::log10(y0);
        double t1 = std::log10(y1);
        widen(t0, t1, 0.05);
        y0 = std::pow(10.0, t0);
        y1 = std::pow(10.0, t1);
    } else {
        widen(y0, y1, 0.05);
    }
    d->viewIsDefault = true;
    viewChangedInternally(QRectF(QPointF(x0, y0), QPointF(x1, y1)));
}

void PlotWidget::viewChangedInternally(const QRectF &view)
{
    m_view = view;
    d->layerValid = false;
    update();
    if (d->hovering)
        updateHover(d->hoverPos);
    Q_EMIT viewChanged(view);
}

namespace {

Frame frameFor(const QRect &target, const QFont &font, const QString &title, bool hasXLabel, bool hasYLabel,
               const QRectF &view, bool logY, bool timeAxis)
{
    Frame f;
    f.x0 = view.left();
    f.x1 = view.right();
    f.t0 = logY ? std::log10(view.top()) : view.top();
    f.t1 = logY ? std::log10(view.bottom()) : view.bottom();
    const QFontMetricsF ticks(chartstyle::smallFont());
    QFont bold = font;
    bold.setBold(true);
    const double top = target.top() + (title.isEmpty() ? 10 : QFontMetricsF(bold).height() + 12);
    const double bottomMargin = ticks.height() + 8 + (hasXLabel ? ticks.height() + 4 : 0) + 4;
    const double plotHeight = target.bottom() + 1 - bottomMargin - top;
    const int yCount = std::max(2, int(plotHeight / 42));
    f.yTicks = logY ? logTicks(f.t0, f.t1, yCount) : linearTicks(f.t0, f.t1, yCount);
    double labelWidth = 0;
    for (const Tick &t : f.yTicks)
        labelWidth = std::max(labelWidth, ticks.horizontalAdvance(t.label));
    const double left = target.left() + 8 + (hasYLabel ? ticks.height() + 6 : 0) + labelWidth + 6;
    const double right = target.right() - 18;
    f.plot = QRect(QPoint(int(std::ceil(left)), int(std::ceil(top))),
                   QPoint(int(right), int(std::floor(top + plotHeight - 1))));
    if (f.plot.width() > 0)
        f.columns = PixelColumns(f.x0, f.x1, f.plot.width());
    const int xCount = std::max(2, f.plot.width() / (timeAxis ? 120 : 90));
    f.xTicks = timeAxis ? timeTicks(f.x0, f.x1, xCount) : linearTicks(f.x0, f.x1, xCount);
    return f;
}

} // namespace

QRect PlotWidget::plotArea() const
{
    return frameFor(rect(), font(), d->title, !d->xLabel.isEmpty(), !d->yLabel.isEmpty(), m_view, m_logY, d->timeAxis)
        .plot;
}

QList<PlotReadout> PlotWidget::valuesAt(double x) const
{
    QList<PlotReadout> values;
    for (std::size_t i = 0; i < d->caches.size(); ++i) {
        Private::Cache &c = d->caches[i];
        const std::size_t n = c.size();
        if (n == 0)
            continue;
        const std::vector<double> &xs = *c.x;
        const std::vector<double> &ys = Private::rawValues(c);
        std::size_t k = std::size_t(std::upper_bound(xs.begin(), xs.begin() + qsizetype(n), x) - xs.begin());
        while (k > 0 && std::isnan(ys[k - 1]))
            --k;
        if (k == 0)
            continue;
        --k;
        const PlotSeries &s = m_series[qsizetype(i)];
        PlotReadout r {s.runId, s.label, s.color, xs[k], ys[k], ys[k]};
        if (m_smoothing > 0)
            r.smoothed = Private::values(c, true, m_smoothing, false)[k];
        values.append(r);
    }
    return values;
}

std::optional<PlotReadout> PlotWidget::pointAt(const QPoint &pos) const
{
    const Frame f
        = frameFor(rect(), font(), d->title, !d->xLabel.isEmpty(), !d->yLabel.isEmpty(), m_view, m_logY, d->timeAxis);
    if (!f.valid())
        return std::nullopt;
    std::optional<PlotReadout> best;
    double bestDistance = kHoverRadius * kHoverRadius;
    for (std::size_t i = 0; i < d->caches.size(); ++i) {
        Private::Cache &c = d->caches[i];
        const std::vector<double> &t = Private::values(c, false, 0, m_logY);
        const std::vector<double> &xs = *c.x;
        for (std::size_t k = 0; k < c.size(); ++k) {
            if (!std::isfinite(t[k]))
                continue;
            const double dx = f.pxContinuous(xs[k]) - pos.x();
            const double dy = f.py(t[k]) - pos.y();
            const double distance = dx * dx + dy * dy;
            if (distance <= bestDistance) {
                bestDistance = distance;
                const PlotSeries &s = m_series[qsizetype(i)];
                const double y = (*c.y)[k];
                best = PlotReadout {s.runId, s.label, s.color, xs[k], y, y};
            }
        }
    }
    return best;
}

QString PlotWidget::xText(double x) const
{
    if (d->timeAxis)
        return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(x))).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    return QString::number(x, 'g', 10);
}

void PlotWidget::render(QPainter &painter, const QRect &target) const
{
    QElapsedTimer clock;
    clock.start();
    painter.save();
    painter.fillRect(target, Qt::white);
    painter.setFont(font());

    if (!d->title.isEmpty()) {
        painter.setFont(Private::titleFont(font()));
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(target.left(), target.top() + 4, target.width(), QFontMetrics(painter.font()).height()),
                         Qt::AlignHCenter | Qt::AlignTop, d->title);
    }
    const Frame f
        = frameFor(target, font(), d->title, !d->xLabel.isEmpty(), !d->yLabel.isEmpty(), m_view, m_logY, d->timeAxis);
    const bool hasData
        = std::any_of(d->caches.begin(), d->caches.end(), [](const Private::Cache &c) { return !std::isnan(c.yMin); });
    if (!hasData || !f.valid()) {
        painter.setFont(font());
        painter.setPen(theme::mutedText());
        painter.drawText(target.adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, d->emptyText);
        painter.restore();
        m_lastPaintMs = double(clock.nsecsElapsed()) / 1e6;
        return;
    }

    // Grid and ticks.
    painter.setFont(chartstyle::smallFont());
    const QFontMetricsF metrics(painter.font());
    painter.setRenderHint(QPainter::Antialiasing, false);
    for (const Tick &t : f.xTicks) {
        const double x = std::round(f.pxContinuous(t.value));
        if (x < f.plot.left() || x > f.plot.right())
            continue;
        painter.setPen(QPen(gridColor(), 0));
        painter.drawLine(QPointF(x, f.plot.top()), QPointF(x, f.plot.bottom()));
        painter.setPen(theme::mutedText());
        const double width = metrics.horizontalAdvance(t.label);
        painter.drawText(QPointF(x - width / 2, f.plot.bottom() + 4 + metrics.ascent()), t.label);
    }
    for (const Tick &t : f.yTicks) {
        const double y = std::round(f.py(t.value));
        if (y < f.plot.top() || y > f.plot.bottom())
            continue;
        painter.setPen(QPen(gridColor(), 0));
        painter.drawLine(QPointF(f.plot.left(), y), QPointF(f.plot.right(), y));
        painter.setPen(theme::mutedText());
        const double width = metrics.horizontalAdvance(t.label);
        painter.drawText(QPointF(f.plot.left() - 6 - width, y + metrics.ascent() / 2 - 1), t.label);
    }
    painter.setPen(palette().color(QPalette::WindowText));
    if (!d->xLabel.isEmpty()) {
        painter.drawText(
            QRectF(f.plot.left(), f.plot.bottom() + 6 + metrics.height(), f.plot.width(), metrics.height()),
            Qt::AlignHCenter | Qt::AlignTop, d->xLabel);
    }
    if (!d->yLabel.isEmpty()) {
        painter.save();
        painter.translate(target.left() + 8, f.plot.center().y());
        painter.rotate(-90);
        painter.drawText(QRectF(-f.plot.height() / 2.0, 0, f.plot.height(), metrics.height()),
                         Qt::AlignHCenter | Qt::AlignTop, d->yLabel);
        painter.restore();
    }
    painter.setPen(QPen(frameColor(), 0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(f.plot.adjusted(-1, -1, 0, 0));

    // The series, clipped to the plot area.
    painter.setClipRect(f.plot);
    if (m_mode == Mode::Lines) {
        const bool smoothing = m_smoothing > 0;
        const auto colorOf = [&](std::size_t i, bool faint) {
            const QColor color = m_series[qsizetype(i)].color;
            if (!faint)
                return color;
            // Opaque, so that where lines overlap the picture does not depend on how often
            // a pixel was drawn (the decimated line draws it fewer times than the full one).
            const auto mix = [](int c) { return int(std::lround(c * kFaintAlpha + 255 * (1 - kFaintAlpha))); };
            return QColor(mix(color.red()), mix(color.green()), mix(color.blue()));
        };
        const bool vector = painter.paintEngine() && painter.paintEngine()->type() == QPaintEngine::SVG;
        if (vector) {
            // An SVG keeps each line as one polyline of its decimated points.
            const auto draw = [&](bool smoothed) {
                for (std::size_t i = 0; i < d->caches.size(); ++i) {
                    Private::Cache &c = d->caches[i];
                    painter.setPen(QPen(colorOf(i, smoothing && !smoothed), 0));
                    const std::vector<QPointF> points
                        = d->pixels(f, *c.x, Private::values(c, smoothed, m_smoothing, m_logY));
                    for (const QPolygonF &piece : toPolylines(f, points))
                        painter.drawPolyline(piece);
                }
            };
            draw(false);
            if (smoothing)
                draw(true);
        } else {
            const FrameKey key {f.plot, f.x0, f.x1, f.t0, f.t1, m_smoothing, m_logY, d->decimate};
            for (Private::Cache &c : d->caches) {
                if (c.linesValid && c.key == key)
                    continue;
                // Decimated lines merge each column's segments into one vertical line; the
                // reference (every point) strokes every segment.
                c.raw = toSegments(f, d->pixels(f, *c.x, Private::values(c, false, 0, m_logY)), d->decimate);
                c.smoothed = smoothing
                    ? toSegments(f, d->pixels(f, *c.x, Private::values(c, true, m_smoothing, m_logY)), d->decimate)
                    : std::vector<QLineF>();
                c.key = key;
                c.linesValid = true;
            }
            // 1 px cosmetic pens without antialiasing: every pixel a line crosses, and no other.
            for (std::size_t i = 0; i < d->caches.size(); ++i) {
                painter.setPen(QPen(colorOf(i, smoothing), 0));
                painter.drawLines(d->caches[i].raw.data(), int(d->caches[i].raw.size()));
            }
            if (smoothing) {
                for (std::size_t i = 0; i < d->caches.size(); ++i) {
                    painter.setPen(QPen(colorOf(i, false), 0));
                    painter.drawLines(d->caches[i].smoothed.data(), int(d->caches[i].smoothed.size()));
                }
            }
        }
    } else {
        painter.setRenderHint(QPainter::Antialiasing, true);
        const QRectF visible = QRectF(f.plot).adjusted(-kPointRadius, -kPointRadius, kPointRadius, kPointRadius);
        for (std::size_t i = 0; i < d->caches.size(); ++i) {
            Private::Cache &c = d->caches[i];
            const std::vector<double> &t = Private::values(c, false, 0, m_logY);
            QColor fill = m_series[qsizetype(i)].color;
            painter.setPen(QPen(fill.darker(130), 1));
            fill.setAlphaF(0.8);
            painter.setBrush(fill);
            for (std::size_t k = 0; k < c.size(); ++k) {
                const QPointF p(f.pxContinuous((*c.x)[k]), f.py(t[k]));
                if (std::isfinite(t[k]) && visible.contains(p))
                    painter.drawEllipse(p, kPointRadius, kPointRadius);
            }
        }
    }
    painter.restore();
    m_lastPaintMs = double(clock.nsecsElapsed()) / 1e6;
}

bool PlotWidget::exportTo(const QString &path, QString *error) const
{
    const QSize canvas = size().isValid() && !size().isEmpty() ? size() : sizeHint();
    return exportPainting(
        path, canvas, [this](QPainter &painter, const QRect &target) { render(painter, target); }, error);
}

bool exportPainting(const QString &path, const QSize &size, const std::function<void(QPainter &, const QRect &)> &paint,
                    QString *error)
{
    const auto fail = [&](const QString &reason) {
        if (error)
            *error = PlotWidget::tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), reason);
        return false;
    };
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (size.isEmpty())
        return fail(PlotWidget::tr("the chart has no size"));
    if (suffix == u"png") {
        QImage image(size * 2, QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(2);
        image.fill(Qt::white);
        {
            QPainter painter(&image);
            paint(painter, QRect(QPoint(0, 0), size));
        }
        QImageWriter writer(path, "png");
        if (!writer.write(image))
            return fail(writer.errorString());
        return true;
    }
    if (suffix == u"svg") {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return fail(file.errorString());
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setResolution(96);
        svg.setTitle(QFileInfo(path).completeBaseName());
        {
            QPainter painter;
            if (!painter.begin(&svg))
                return fail(PlotWidget::tr("the SVG writer could not start"));
            paint(painter, QRect(QPoint(0, 0), size));
        }
        file.close();
        if (file.error() != QFileDevice::NoError)
            return fail(file.errorString());
        return true;
    }
    return fail(PlotWidget::tr("unknown format “%1” (use .png or .svg)").arg(suffix));
}

void PlotWidget::paintEvent(QPaintEvent *event)
{
    Q_UNUSED(event)
    const qreal ratio = devicePixelRatioF();
    const QSize pixels = size() * ratio;
    if (!d->layerValid || d->layer.size() != pixels) {
        d->layer = QPixmap(pixels);
        d->layer.setDevicePixelRatio(ratio);
        QPainter layerPainter(&d->layer);
        render(layerPainter, rect());
        d->layerValid = true;
    }
    QPainter painter(this);
    painter.drawPixmap(0, 0, d->layer);

    const QRect plot = plotArea();
    if (d->drag == Private::Drag::Box && !d->band.isEmpty()) {
        QColor fill = theme::accent();
        fill.setAlphaF(0.15);
        painter.setPen(QPen(theme::accent(), 0));
        painter.setBrush(fill);
        painter.drawRect(d->band);
    }
    if (!d->hovering || d->drag != Private::Drag::None)
        return;

    // Read-out: a box next to the cursor listing values, highest first.
    struct Line
    {
        QColor color;
        QString label;
        QString value;
    };
    QString header;
    std::vector<Line> lines;
    QString more;
    painter.setRenderHint(QPainter::Antialiasing, true);
    if (m_mode == Mode::Lines) {
        if (d->hoverValues.isEmpty())
            return;
        painter.setPen(QPen(QColor(0x70, 0x74, 0x7c), 0, Qt::DashLine));
        painter.drawLine(QPointF(d->hoverPos.x() + 0.5, plot.top()), QPointF(d->hoverPos.x() + 0.5, plot.bottom()));
        QList<PlotReadout> sorted = d->hoverValues;
        const bool smoothing = m_smoothing > 0;
        std::stable_sort(sorted.begin(), sorted.end(), [smoothing](const PlotReadout &a, const PlotReadout &b) {
            return (smoothing ? a.smoothed : a.y) > (smoothing ? b.smoothed : b.y);
        });
        const Frame f = frameFor(rect(), font(), d->title, !d->xLabel.isEmpty(), !d->yLabel.isEmpty(), m_view, m_logY,
                                 d->timeAxis);
        // The x of the points shown: the latest at or before the cursor.
        header = xText(std::max_element(sorted.begin(), sorted.end(), [](const PlotReadout &a, const PlotReadout &b) {
                           return a.x < b.x;
                       })->x);
        const int shown = int(std::min<qsizetype>(sorted.size(), kMaxReadoutLines));
        for (int i = 0; i < shown; ++i) {
            const PlotReadout &r = sorted[i];
            const double v = smoothing ? r.smoothed : r.y;
            lines.push_back({r.color, r.label,
                             smoothing ? QStringLiteral("%1 (%2)").arg(valueText(v), valueText(r.y)) : valueText(v)});
            if (m_logY && v <= 0)
                continue;
            const QPointF at(f.px(r.x), std::round(f.py(m_logY ? std::log10(v) : v)));
            if (plot.contains(at.toPoint())) {
                painter.setPen(QPen(Qt::white, 1));
                painter.setBrush(r.color);
                painter.drawEllipse(at, 3.5, 3.5);
            }
        }
        if (sorted.size() > shown)
            more = tr("and %n more", nullptr, int(sorted.size() - shown));
    } else {
        if (!d->hoverPoint)
            return;
        const PlotReadout &r = *d->hoverPoint;
        const Frame f = frameFor(rect(), font(), d->title, !d->xLabel.isEmpty(), !d->yLabel.isEmpty(), m_view, m_logY,
                                 d->timeAxis);
        painter.setPen(QPen(r.color.darker(150), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(QPointF(f.pxContinuous(r.x), f.py(m_logY ? std::log10(r.y) : r.y)), 6, 6);
        header = r.label;
        lines.push_back({QColor(), d->xLabel.isEmpty() ? QStringLiteral("x") : d->xLabel, xText(r.x)});
        lines.push_back({QColor(), d->yLabel.isEmpty() ? QStringLiteral("y") : d->yLabel, valueText(r.y)});
    }

    painter.setFont(chartstyle::smallFont());
    const QFontMetricsF metrics(painter.font());
    const double lineHeight = metrics.height() + 2;
    constexpr double kLabelMax = 280;
    double labelWidth = 0;
    double valueWidth = 0;
    for (const Line &l : lines) {
        // elidedText() wants a pixel or two more than horizontalAdvance() says.
        labelWidth = std::max(labelWidth, std::min(kLabelMax, metrics.horizontalAdvance(l.label) + 4));
        valueWidth = std::max(valueWidth, metrics.horizontalAdvance(l.value));
    }
    const double width = std::max({16 + labelWidth + 12 + valueWidth, metrics.horizontalAdvance(header),
                                   metrics.horizontalAdvance(more)})
        + 16;
    const double height = lineHeight * double(lines.size() + 1 + (more.isEmpty() ? 0 : 1)) + 10;
    QPointF corner(d->hoverPos.x() + 16, d->hoverPos.y() + 16);
    if (corner.x() + width > plot.right())
        corner.setX(d->hoverPos.x() - 16 - width);
    if (corner.y() + height > plot.bottom())
        corner.setY(std::max<double>(plot.top(), plot.bottom() - height));
    corner.setX(std::max<double>(corner.x(), 2));
    const QRectF box(corner, QSizeF(width, height));
    painter.setPen(QPen(frameColor(), 1));
    painter.setBrush(QColor(255, 255, 255, 235));
    painter.drawRoundedRect(box, 4, 4);
    double y = box.top() + 5;
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRectF(box.left() + 8, y, width - 16, lineHeight), Qt::AlignLeft | Qt::AlignVCenter, header);
    y += lineHeight;
    for (const Line &l : lines) {
        if (l.color.isValid())
            painter.fillRect(QRectF(box.left() + 8, y + lineHeight / 2 - 4, 8, 8), l.color);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRectF(box.left() + 24, y, labelWidth, lineHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(l.label, Qt::ElideMiddle, labelWidth));
        painter.drawText(QRectF(box.right() - 8 - valueWidth, y, valueWidth, lineHeight),
                         Qt::AlignRight | Qt::AlignVCenter, l.value);
        y += lineHeight;
    }
    if (!more.isEmpty()) {
        painter.setPen(theme::mutedText());
        painter.drawText(QRectF(box.left() + 8, y, width - 16, lineHeight), Qt::AlignLeft | Qt::AlignVCenter, more);
    }
}

void PlotWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    d->layerValid = false;
}

void PlotWidget::updateHover(const QPoint &pos)
{
    const QRect plot = plotArea();
    d->hoverPos = pos;
    d->hovering = plot.contains(pos) && !m_series.isEmpty();
    d->hoverValues.clear();
    d->hoverPoint.reset();
    if (d->hovering) {
        if (m_mode == Mode::Lines) {
            const Frame f = frameFor(rect(), font(), d->title, !d->xLabel.isEmpty(), !d->yLabel.isEmpty(), m_view,
                                     m_logY, d->timeAxis);
            d->hoverValues = valuesAt(f.xAtColumnEnd(pos.x()));
        } else if (std::optional<PlotReadout> point = pointAt(pos)) {
            d->hoverPoint = point;
            d->hoverValues.append(*point);
        }
    }
    update();
    Q_EMIT hovered(d->hoverValues);
}

void PlotWidget::zoomAround(const QPointF &pos, double factorX, double factorY)
{
    const Frame f
        = frameFor(rect(), font(), d->title, !d->xLabel.isEmpty(), !d->yLabel.isEmpty(), m_view, m_logY, d->timeAxis);
    if (!f.valid())
        return;
    const double x = f.xAt(pos.x());
    const double t = f.tAt(pos.y());
    const double x0 = x - (x - f.x0) * factorX;
    const double x1 = x + (f.x1 - x) * factorX;
    const double t0 = t - (t - f.t0) * factorY;
    const double t1 = t + (f.t1 - t) * factorY;
    // Beyond this the view's edges stop being distinct doubles.
    const auto tooNarrow = [](double a, double b) {
        return !(b - a > 1e-9 * std::max({1.0, std::abs(a), std::abs(b)})) || !std::isfinite(b - a);
    };
    if (tooNarrow(x0, x1) || tooNarrow(t0, t1))
        return;
    const double y0 = m_logY ? std::pow(10.0, t0) : t0;
    const double y1 = m_logY ? std::pow(10.0, t1) : t1;
    setView(QRectF(QPointF(x0, y0), QPointF(x1, y1)));
}

void PlotWidget::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y() != 0 ? event->angleDelta().y() : event->angleDelta().x();
    if (delta == 0 || !plotArea().contains(event->position().toPoint())) {
        event->ignore();
        return;
    }
    const double factor = std::pow(kWheelZoom, delta / 120.0);
    const bool yOnly = event->modifiers().testFlag(Qt::ControlModifier);
    zoomAround(event->position(), yOnly ? 1 : factor, factor);
    event->accept();
}

void PlotWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !plotArea().contains(event->position().toPoint())) {
        QWidget::mousePressEvent(event);
        return;
    }
    d->pressPos = event->position().toPoint();
    d->pressView = m_view;
    d->band = QRect();
    d->drag = event->modifiers().testFlag(Qt::ShiftModifier) ? Private::Drag::Box : Private::Drag::Pan;
    if (d->drag == Private::Drag::Pan)
        setCursor(Qt::ClosedHandCursor);
    update();
    event->accept();
}

void PlotWidget::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (d->drag == Private::Drag::Pan) {
        const QRect plot = plotArea();
        const double dx = double(pos.x() - d->pressPos.x()) / plot.width();
        const double dy = double(pos.y() - d->pressPos.y()) / std::max(1, plot.height() - 1);
        const QRectF v = d->pressView;
        const double shiftX = -dx * v.width();
        if (m_logY) {
            const double t0 = std::log10(v.top());
            const double t1 = std::log10(v.bottom());
            const double shiftT = dy * (t1 - t0);
            setView(QRectF(QPointF(v.left() + shiftX, std::pow(10.0, t0 + shiftT)),
                           QPointF(v.right() + shiftX, std::pow(10.0, t1 + shiftT))));
        } else {
            const double shiftY = dy * v.height();
            setView(
                QRectF(QPointF(v.left() + shiftX, v.top() + shiftY), QPointF(v.right() + shiftX, v.bottom() + shiftY)));
        }
    } else if (d->drag == Private::Drag::Box) {
        d->band = QRect(d->pressPos, pos).normalized().intersected(plotArea());
        update();
    } else {
        updateHover(pos);
    }
    QWidget::mouseMoveEvent(event);
}

void PlotWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || d->drag == Private::Drag::None) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    const Private::Drag drag = d->drag;
    d->drag = Private::Drag::None;
    unsetCursor();
    const QRect band = d->band;
    d->band = QRect();
    if (drag == Private::Drag::Box && band.width() >= 4 && band.height() >= 4) {
        const Frame f = frameFor(rect(), font(), d->title, !d->xLabel.isEmpty(), !d->yLabel.isEmpty(), m_view, m_logY,
                                 d->timeAxis);
        const double t0 = f.tAt(band.bottom());
        const double t1 = f.tAt(band.top());
        setView(QRectF(QPointF(f.xAt(band.left()), m_logY ? std::pow(10.0, t0) : t0),
                       QPointF(f.xAt(band.right() + 1), m_logY ? std::pow(10.0, t1) : t1)));
    }
    updateHover(event->position().toPoint());
    event->accept();
}

void PlotWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        resetView();
        event->accept();
        return;
    }
    QWidget::mouseDoubleClickEvent(event);
}

void PlotWidget::keyPressEvent(QKeyEvent *event)
{
    const QRectF plot = plotArea();
    const QRectF v = m_view;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomAround(plot.center(), kKeyZoom, kKeyZoom);
        break;
    case Qt::Key_Minus:
        zoomAround(plot.center(), 1 / kKeyZoom, 1 / kKeyZoom);
        break;
    case Qt::Key_Home:
        resetView();
        break;
    case Qt::Key_Left:
    case Qt::Key_Right: {
        const double shift = (event->key() == Qt::Key_Left ? -0.1 : 0.1) * v.width();
        setView(v.translated(shift, 0));
        break;
    }
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void PlotWidget::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    if (!d->hovering)
        return;
    d->hovering = false;
    d->hoverValues.clear();
    d->hoverPoint.reset();
    update();
    Q_EMIT hovered({});
}

} // namespace kiln
