#pragma once

#include <cstddef>
#include <vector>

namespace kiln {

/// What the points of one series falling in one pixel column look like: the first and last
/// (in x order) and the lowest and highest value. A polyline through first, min, max, last
/// of every column lights exactly the pixels the full line lights (M4; exact for lines drawn
/// 1 px wide without antialiasing), so no spike is lost at any zoom.
struct PixelEnvelope
{
    int column = 0; ///< 0-based pixel column in the plot area
    double firstX = 0, first = 0;
    double min = 0, max = 0;
    double lastX = 0, last = 0;
    std::size_t count = 0; ///< points in the column
};

/// The envelopes of the pixel columns of a plot `width` pixels wide that shows x in
/// [x0, x1] (column c covers [x0 + c·w, x0 + (c+1)·w) with w = (x1 - x0) / width; x1 falls
/// in the last column). `x` ascends (ties allowed); NaN y values are skipped. Only columns
/// with points come back, in column order. Runs in O(points in range + log n).
std::vector<PixelEnvelope> envelopeM4(const double *x, const double *y, std::size_t n, double x0, double x1, int width);

/// The points a renderer draws for one series in [x0, x1]: each column's first, min, max
/// and last (fewer when they coincide), plus the last point before x0 and the first after x1
/// so that lines enter and leave the plot at the right height. Ascending x; `outX`/`outY`
/// are cleared first.
void decimateM4(const double *x, const double *y, std::size_t n, double x0, double x1, int width,
                std::vector<double> &outX, std::vector<double> &outY);

/// The pixel columns of a plot `width` (> 0) pixels wide showing [x0, x1], as envelopeM4
/// assigns points to them: column c starts at x0 + c·w, computed this way and no other, so
/// every caller agrees on a point's column to the last bit.
class PixelColumns
{
public:
    PixelColumns(double x0, double x1, int width)
        : m_x0(x0)
        , m_w((x1 - x0) / width)
        , m_perColumn(m_w > 0 ? 1 / m_w : 0)
        , m_width(width)
    { }

    double start(int column) const { return m_x0 + double(column) * m_w; }
    /// The first x of the column after `column` (infinity for the last).
    double end(int column) const;
    /// The column of x in [x0, x1]; outside, the nearest one (0 or width - 1).
    int of(double x) const;

private:
    double m_x0;
    double m_w;
    double m_perColumn;
    int m_width;
};

/// PixelColumns(x0, x1, width).of(x): the column a renderer draws a point at (every point
/// of a column at that column, so the decimated line and the full line light the same pixels).
int pixelColumn(double x, double x0, double x1, int width);

/// Exponential moving average as TensorBoard smooths: debiased, weight `weight` in [0, 1)
/// on the past (0: the series itself). NaN values are carried through untouched.
std::vector<double> smoothEma(const std::vector<double> &y, double weight);

} // namespace kiln
