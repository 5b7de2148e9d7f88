#include "plotrender.h"

#include "chartstyle.h"
#include "theme.h"

#include <QFontMetricsF>
#include <QPaintEngine>
#include <QPainter>
#include <QPalette>

#include <algorithm>

namespace kiln::plotrender {

namespace {

/// Lines are cut this far outside the plot: Qt's rasterizer wants coordinates of moderate size.
constexpr double kClipMargin = 4096;
constexpr double kPointRadius = 3.5;
constexpr double kFaintAlpha = 0.25; ///< raw lines under smoothed ones: this much of their colour
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QRectF clipBox(const Frame &f)
{
    return QRectF(f.plot).adjusted(-kClipMargin, -kClipMargin, kClipMargin, kClipMargin);
}

} // namespace

Frame frameFor(const QRect &target, const QFont &font, const Decoration &decoration, const QRectF &view, bool logY)
{
    Frame f;
    f.x0 = view.left();
    f.x1 = view.right();
    f.t0 = logY ? std::log10(view.top()) : view.top();
    f.t1 = logY ? std::log10(view.bottom()) : view.bottom();
    const QFontMetricsF ticks(chartstyle::smallFont());
    QFont bold = font;
    bold.setBold(true);
    const double top = target.top() + (decoration.title.isEmpty() ? 10 : QFontMetricsF(bold).height() + 12);
    const double bottomMargin = ticks.height() + 8 + (decoration.xLabel.isEmpty() ? 0 : ticks.height() + 4) + 4;
    const double plotHeight = target.bottom() + 1 - bottomMargin - top;
    const int yCount = std::max(2, int(plotHeight / 42));
    f.yTicks = logY ? logTicks(f.t0, f.t1, yCount) : linearTicks(f.t0, f.t1, yCount);
    double labelWidth = 0;
    for (const AxisTick &t : f.yTicks)
        labelWidth = std::max(labelWidth, ticks.horizontalAdvance(t.label));
    const double left = target.left() + 8 + (decoration.yLabel.isEmpty() ? 0 : ticks.height() + 6) + labelWidth + 6;
    const double right = target.right() - 18;
    f.plot = QRect(QPoint(int(std::ceil(left)), int(std::ceil(top))),
                   QPoint(int(right), int(std::floor(top + plotHeight - 1))));
    if (f.plot.width() > 0)
        f.columns = PixelColumns(f.x0, f.x1, f.plot.width());
    const int xCount = std::max(2, f.plot.width() / (decoration.timeAxis ? 120 : 90));
    f.xTicks = decoration.timeAxis ? timeTicks(f.x0, f.x1, xCount) : linearTicks(f.x0, f.x1, xCount);
    return f;
}

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

namespace {

/// `color` as it looks at `alpha` over white, opaque: where lines overlap, the picture does
/// not depend on how often a pixel was drawn (a decimated line draws it fewer times).
/// `color` at `alpha` over `background`, opaque: a faint line that costs no blending.
QColor over(const QColor &color, double alpha, const QColor &background)
{
    return theme::blend(background, color, alpha);
}

/// The line through `x`, `t` in pixels: decimated per column (or every point).
std::vector<QPointF> linePixels(const Frame &f, const std::vector<double> &x, const std::vector<double> &t,
                                bool decimate, std::vector<double> &scratchX, std::vector<double> &scratchT)
{
    const std::size_t n = std::min(x.size(), t.size());
    if (!decimate)
        return toPixels(f, x.data(), t.data(), n);
    decimateM4(x.data(), t.data(), n, f.x0, f.x1, f.plot.width(), scratchX, scratchT);
    return toPixels(f, scratchX.data(), scratchT.data(), scratchX.size());
}

} // namespace

SeriesCache SeriesCache::of(const std::shared_ptr<const std::vector<double>> &x,
                            const std::shared_ptr<const std::vector<double>> &y)
{
    // A series without data draws nothing (and needs no null checks elsewhere).
    static const auto none = std::make_shared<const std::vector<double>>();
    SeriesCache c;
    c.x = x ? x : none;
    c.y = y ? y : none;
    const std::size_t n = c.size();
    const double *xs = c.x->data();
    const double *ys = c.y->data();
    for (std::size_t i = 0; i < n; ++i) {
        const double v = ys[i];
        if (std::isnan(v))
            continue;
        if (!std::isfinite(v)) {
            c.hasInfinity = true;
            continue;
        }
        if (!(xs[i] >= c.xMin))
            c.xMin = xs[i];
        if (!(xs[i] <= c.xMax))
            c.xMax = xs[i];
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
        c.finiteY.assign(ys, ys + n);
        for (double &v : c.finiteY) {
            if (!std::isfinite(v))
                v = kNaN;
        }
    }
    return c;
}

const std::vector<double> &SeriesCache::values(bool ema, double weight, bool log)
{
    if (ema && smoothWeight != weight) {
        smooth = smoothEma(rawValues(), weight);
        smoothWeight = weight;
        smoothLog.clear();
    }
    const std::vector<double> &base = ema ? smooth : rawValues();
    if (!log)
        return base;
    std::vector<double> &logged = ema ? smoothLog : logY;
    if (logged.size() != base.size()) {
        logged.resize(base.size());
        std::transform(base.begin(), base.end(), logged.begin(), [](double v) { return v > 0 ? std::log10(v) : kNaN; });
    }
    return logged;
}

QRectF fittedView(const std::vector<SeriesCache> &caches, bool logY, bool padX)
{
    double x0 = kNaN;
    double x1 = kNaN;
    double y0 = kNaN;
    double y1 = kNaN;
    for (const SeriesCache &c : caches) {
        const double low = logY ? c.yMinPositive : c.yMin;
        const double high = logY ? c.yMaxPositive : c.yMax;
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
        y0 = logY ? 1 : 0;
        y1 = logY ? 10 : 1;
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
    widen(x0, x1, padX ? 0.05 : 0);
    if (logY) {
        double t0 = std::log10(y0);
        double t1 = std::log10(y1);
        widen(t0, t1, 0.05);
        y0 = std::pow(10.0, t0);
        y1 = std::pow(10.0, t1);
    } else {
        widen(y0, y1, 0.05);
    }
    return {QPointF(x0, y0), QPointF(x1, y1)};
}

void drawLines(QPainter &painter, const Frame &f, std::vector<SeriesCache> &caches, const std::vector<QColor> &colors,
               const SeriesStyle &style, std::vector<double> &scratchX, std::vector<double> &scratchT)
{
    const bool smoothing = style.smoothing > 0;
    const auto colorOf
        = [&](std::size_t i, bool faint) { return faint ? over(colors[i], kFaintAlpha, style.background) : colors[i]; };
    const auto pixels = [&](SeriesCache &c, bool smoothed) {
        return linePixels(f, *c.x, c.values(smoothed, style.smoothing, style.logY), style.decimate, scratchX, scratchT);
    };
    if (painter.paintEngine() && painter.paintEngine()->type() == QPaintEngine::SVG) {
        // An SVG keeps each line as one polyline of its decimated points.
        for (const bool smoothed : {false, true}) {
            if (smoothed && !smoothing)
                break;
            for (std::size_t i = 0; i < caches.size(); ++i) {
                painter.setPen(QPen(colorOf(i, smoothing && !smoothed), 1));
                for (const QPolygonF &piece : toPolylines(f, pixels(caches[i], smoothed)))
                    painter.drawPolyline(piece);
            }
        }
        return;
    }
    const FrameKey key {f.plot, f.x0, f.x1, f.t0, f.t1, style.smoothing, style.logY, style.decimate};
    for (SeriesCache &c : caches) {
        if (c.linesValid && c.key == key)
            continue;
        // Decimated lines merge each column's segments into one vertical line; the reference
        // (every point) strokes every segment.
        c.raw = toSegments(f, pixels(c, false), style.decimate);
        c.smoothed = smoothing ? toSegments(f, pixels(c, true), style.decimate) : std::vector<QLineF>();
        c.key = key;
        c.linesValid = true;
    }
    // 1 px pens without antialiasing: every pixel a line crosses, and no other. One logical
    // pixel wide, not cosmetic: at a device pixel ratio of 2 a line is 2 crisp device pixels
    // (at 1 Qt draws it exactly as a cosmetic pen).
    painter.setRenderHint(QPainter::Antialiasing, false);
    for (std::size_t i = 0; i < caches.size(); ++i) {
        painter.setPen(QPen(colorOf(i, smoothing), 1));
        painter.drawLines(caches[i].raw.data(), int(caches[i].raw.size()));
    }
    if (smoothing) {
        for (std::size_t i = 0; i < caches.size(); ++i) {
            painter.setPen(QPen(colorOf(i, false), 1));
            painter.drawLines(caches[i].smoothed.data(), int(caches[i].smoothed.size()));
        }
    }
}

void drawPoints(QPainter &painter, const Frame &f, std::vector<SeriesCache> &caches, const std::vector<QColor> &colors,
                bool logY)
{
    painter.setRenderHint(QPainter::Antialiasing, true);
    const QRectF visible = QRectF(f.plot).adjusted(-kPointRadius, -kPointRadius, kPointRadius, kPointRadius);
    for (std::size_t i = 0; i < caches.size(); ++i) {
        SeriesCache &c = caches[i];
        const std::vector<double> &t = c.values(false, 0, logY);
        QColor fill = colors[i];
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

void drawAxes(QPainter &painter, const Frame &f, const QRect &target, const Decoration &decoration,
              const QPalette &palette)
{
    const QColor textColor = theme::plotText(palette);
    const QColor tickColor = theme::mutedText(palette);
    const QColor gridColor = theme::plotGrid(palette);
    painter.setFont(chartstyle::smallFont());
    const QFontMetricsF metrics(painter.font());
    painter.setRenderHint(QPainter::Antialiasing, false);
    for (const AxisTick &t : f.xTicks) {
        const double x = std::round(f.pxContinuous(t.value));
        if (x < f.plot.left() || x > f.plot.right())
            continue;
        painter.setPen(QPen(gridColor, 1));
        painter.drawLine(QPointF(x, f.plot.top()), QPointF(x, f.plot.bottom()));
        painter.setPen(tickColor);
        const double width = metrics.horizontalAdvance(t.label);
        painter.drawText(QPointF(x - width / 2, f.plot.bottom() + 4 + metrics.ascent()), t.label);
    }
    for (const AxisTick &t : f.yTicks) {
        const double y = std::round(f.py(t.value));
        if (y < f.plot.top() || y > f.plot.bottom())
            continue;
        painter.setPen(QPen(gridColor, 1));
        painter.drawLine(QPointF(f.plot.left(), y), QPointF(f.plot.right(), y));
        painter.setPen(tickColor);
        const double width = metrics.horizontalAdvance(t.label);
        painter.drawText(QPointF(f.plot.left() - 6 - width, y + metrics.ascent() / 2 - 1), t.label);
    }
    painter.setPen(textColor);
    if (!decoration.xLabel.isEmpty()) {
        painter.drawText(
            QRectF(f.plot.left(), f.plot.bottom() + 6 + metrics.height(), f.plot.width(), metrics.height()),
            Qt::AlignHCenter | Qt::AlignTop, decoration.xLabel);
    }
    if (!decoration.yLabel.isEmpty()) {
        painter.save();
        painter.translate(target.left() + 8, f.plot.center().y());
        painter.rotate(-90);
        painter.drawText(QRectF(-f.plot.height() / 2.0, 0, f.plot.height(), metrics.height()),
                         Qt::AlignHCenter | Qt::AlignTop, decoration.yLabel);
        painter.restore();
    }
    painter.setPen(QPen(theme::plotAxis(palette), 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(f.plot.adjusted(-1, -1, 0, 0));
}

void drawReadout(QPainter &painter, const QRect &plot, const QPoint &cursor, const QString &header,
                 const std::vector<ReadoutLine> &lines, const QString &more, const QPalette &palette)
{
    const QColor textColor = theme::plotText(palette);
    painter.setFont(chartstyle::smallFont());
    const QFontMetricsF metrics(painter.font());
    const double lineHeight = metrics.height() + 2;
    constexpr double kLabelMax = 280;
    double labelWidth = 0;
    double valueWidth = 0;
    for (const ReadoutLine &l : lines) {
        // elidedText() wants a pixel or two more than horizontalAdvance() says.
        labelWidth = std::max(labelWidth, std::min(kLabelMax, metrics.horizontalAdvance(l.label) + 4));
        valueWidth = std::max(valueWidth, metrics.horizontalAdvance(l.value));
    }
    const double width = std::max({16 + labelWidth + 12 + valueWidth, metrics.horizontalAdvance(header),
                                   metrics.horizontalAdvance(more)})
        + 16;
    const double height = lineHeight * double(lines.size() + 1 + (more.isEmpty() ? 0 : 1)) + 10;
    QPointF corner(cursor.x() + 16, cursor.y() + 16);
    if (corner.x() + width > plot.right())
        corner.setX(cursor.x() - 16 - width);
    if (corner.y() + height > plot.bottom())
        corner.setY(std::max<double>(plot.top(), plot.bottom() - height));
    corner.setX(std::max<double>(corner.x(), 2));
    const QRectF box(corner, QSizeF(width, height));
    painter.setPen(QPen(theme::plotAxis(palette), 1));
    QColor background = theme::plotBackground(palette);
    background.setAlpha(235);
    painter.setBrush(background);
    painter.drawRoundedRect(box, 4, 4);
    double y = box.top() + 5;
    painter.setPen(textColor);
    painter.drawText(QRectF(box.left() + 8, y, width - 16, lineHeight), Qt::AlignLeft | Qt::AlignVCenter, header);
    y += lineHeight;
    for (const ReadoutLine &l : lines) {
        if (l.color.isValid())
            painter.fillRect(QRectF(box.left() + 8, y + lineHeight / 2 - 4, 8, 8),
                             theme::readableOn(l.color, theme::plotBackground(palette)));
        painter.setPen(textColor);
        painter.drawText(QRectF(box.left() + 24, y, labelWidth, lineHeight), Qt::AlignLeft | Qt::AlignVCenter,
                         metrics.elidedText(l.label, Qt::ElideMiddle, labelWidth));
        painter.drawText(QRectF(box.right() - 8 - valueWidth, y, valueWidth, lineHeight),
                         Qt::AlignRight | Qt::AlignVCenter, l.value);
        y += lineHeight;
    }
    if (!more.isEmpty()) {
        painter.setPen(theme::mutedText(palette));
        painter.drawText(QRectF(box.left() + 8, y, width - 16, lineHeight), Qt::AlignLeft | Qt::AlignVCenter, more);
    }
}

QString valueText(double v)
{
    return QString::number(v, 'g', 6);
}

} // namespace kiln::plotrender
