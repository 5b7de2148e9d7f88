#pragma once

#include "plot/axisticks.h"
#include "plot/decimation.h"

#include <QColor>
#include <QLineF>
#include <QPolygonF>
#include <QRect>
#include <QString>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

class QFont;
class QPainter;
class QPalette;

/// The drawing side of PlotWidget: where a rendering puts the plot area, how data maps to
/// its pixels, how lines are cut and stroked so that the picture is exact, and the axes and
/// read-out box. Functions of their arguments (what a series keeps between paints is its
/// SeriesCache, owned by the caller); GUI thread.
namespace kiln::plotrender {

/// Where a rendering puts the plot area and how data maps to its pixels.
struct Frame
{
    QRect plot;
    double x0 = 0, x1 = 1; ///< the view's x range
    double t0 = 0, t1 = 1; ///< the view's y range in axis units (log10 on a log axis)
    std::vector<AxisTick> xTicks, yTicks;
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

/// What a chart shows around its plot area.
struct Decoration
{
    QString title;
    QString xLabel;
    QString yLabel;
    bool timeAxis = false; ///< x is ms since the epoch
};

/// Everything a series' cached pixels depend on: they are reused while it stays the same.
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

/// The frame of a chart drawn into `target` with `font` showing `view` (data units; y as
/// values, log10 taken here when `logY`): margins for the title, tick labels and axis labels,
/// and the ticks that fit.
Frame frameFor(const QRect &target, const QFont &font, const Decoration &decoration, const QRectF &view, bool logY);

/// Cuts segment a-b to `box` (Liang-Barsky); false when it misses the box.
bool clipSegment(const QRectF &box, QPointF &a, QPointF &b);

/// A line's points in pixels: x at its pixel column (continuing the scale outside the view),
/// y rounded to a row; non-finite values skipped.
std::vector<QPointF> toPixels(const Frame &f, const double *x, const double *t, std::size_t n);

/// The segments between consecutive points, each to be stroked on its own. Qt strokes a
/// polyline with dropout control that looks at the previous segment's direction, so the
/// pixels of a segment depend on the points before it; lines stroked one by one do not,
/// and then a column's first, min, max and last light exactly the pixels all its points do.
/// With `mergeColumns` the segments within one pixel column become one vertical line over
/// the rows they cover: the same pixels, fewer lines.
std::vector<QLineF> toSegments(const Frame &f, const std::vector<QPointF> &points, bool mergeColumns);

/// Vector output: the points as polylines cut to the plot area (an SVG painter does not clip).
std::vector<QPolygonF> toPolylines(const Frame &f, const std::vector<QPointF> &points);

/// What the renderer keeps per series: its data (shared, kept alive: its identity), its
/// ranges, the values derived from it (log10, smoothing) and the segments it drew last.
struct SeriesCache
{
    std::shared_ptr<const std::vector<double>> x;
    std::shared_ptr<const std::vector<double>> y;
    std::vector<double> finiteY; ///< y with infinities as NaN, when it has any
    bool hasInfinity = false;
    double xMin = std::numeric_limits<double>::quiet_NaN();
    double xMax = xMin, yMin = xMin, yMax = xMin, yMinPositive = xMin, yMaxPositive = xMin;
    std::vector<double> logY;
    std::vector<double> smooth;
    double smoothWeight = -1;
    std::vector<double> smoothLog;
    FrameKey key;
    bool linesValid = false;
    std::vector<QLineF> raw;
    std::vector<QLineF> smoothed;

    /// A cache of `x` and `y` (null: no points) with their ranges measured.
    static SeriesCache of(const std::shared_ptr<const std::vector<double>> &x,
                          const std::shared_ptr<const std::vector<double>> &y);
    std::size_t size() const { return x && y ? std::min(x->size(), y->size()) : 0; }
    bool hasData() const { return !std::isnan(yMin); } ///< some finite value
    /// y as drawn: infinities as NaN.
    const std::vector<double> &rawValues() const { return hasInfinity ? finiteY : *y; }
    /// The values a line is drawn from: raw or (`ema`) smoothed with EMA `weight`, in axis
    /// units (log10 when `log`). Derived once and kept.
    const std::vector<double> &values(bool ema, double weight, bool log);
};

/// The range that shows every finite point of `caches` (positive ones on a log axis), with
/// a margin: 5 % above and below, and left and right when `padX` (points); one value gets a
/// range around it; no value gives [0, 1] (or [1, 10] on a log axis). y as values.
QRectF fittedView(const std::vector<SeriesCache> &caches, bool logY, bool padX);

/// How series are drawn.
struct SeriesStyle
{
    double smoothing = 0; ///< EMA weight; > 0 draws the smoothed line over the raw one drawn faint
    bool logY = false;
    bool decimate = true; ///< per pixel column (exact); off, every point (the tests' reference)
    QColor background = Qt::white; ///< what faint raw lines under smoothed ones are mixed with
};

/// Draws every series as 1 px lines (one logical pixel: two device pixels at 2×) in `colors`
/// (one per cache), clipped to the plot area.
/// Into an image: each series' segments are kept in its cache and reused while the frame
/// stays; into an SVG: polylines of the decimated points cut to the plot area.
/// `scratchX`/`scratchT` hold the decimated points, reused between series.
void drawLines(QPainter &painter, const Frame &f, std::vector<SeriesCache> &caches, const std::vector<QColor> &colors,
               const SeriesStyle &style, std::vector<double> &scratchX, std::vector<double> &scratchT);
/// Draws every point of every series as a small disc in its colour (a scatter).
void drawPoints(QPainter &painter, const Frame &f, std::vector<SeriesCache> &caches, const std::vector<QColor> &colors,
                bool logY);

/// The grid, tick labels, axis labels and the frame of the plot area, in `palette`'s colours
/// (theme::plotText, plotGrid, plotAxis).
void drawAxes(QPainter &painter, const Frame &f, const QRect &target, const Decoration &decoration,
              const QPalette &palette);

/// One line of a hover read-out: a colour swatch (none when invalid), a label and a value.
struct ReadoutLine
{
    QColor color;
    QString label;
    QString value;
};

/// The hover read-out: a box beside `cursor` (kept inside `plot`) with `header`, `lines`
/// and, when not empty, `more` ("and 3 more") in muted text; on `palette`'s base colour.
void drawReadout(QPainter &painter, const QRect &plot, const QPoint &cursor, const QString &header,
                 const std::vector<ReadoutLine> &lines, const QString &more, const QPalette &palette);

/// A value as read-outs show it: up to 6 significant digits.
QString valueText(double v);

} // namespace kiln::plotrender
