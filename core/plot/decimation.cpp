#include "plot/decimation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kiln {

double PixelColumns::end(int column) const
{
    return column + 1 < m_width ? start(column + 1) : std::numeric_limits<double>::infinity();
}

int PixelColumns::of(double x) const
{
    if (!(m_w > 0))
        return m_width - 1; // x0 == x1: the one x shown is x1, which falls in the last column
    const double guess = std::floor((x - m_x0) * m_perColumn);
    int column = guess < 0 ? 0 : guess >= m_width ? m_width - 1 : int(guess);
    // The estimate may land a column off the boundaries by rounding: they decide.
    while (column > 0 && x < start(column))
        --column;
    while (column + 1 < m_width && x >= start(column + 1))
        ++column;
    return column;
}

namespace {

bool validRange(double x0, double x1, int width)
{
    return width > 0 && std::isfinite(x0) && std::isfinite(x1) && x0 <= x1;
}

/// Indices [begin, end) of the points with x in [x0, x1].
std::pair<std::size_t, std::size_t> visibleRange(const double *x, std::size_t n, double x0, double x1)
{
    const double *begin = std::lower_bound(x, x + n, x0);
    const double *end = std::upper_bound(begin, x + n, x1);
    return {std::size_t(begin - x), std::size_t(end - x)};
}

struct ColumnIndices
{
    int column = 0;
    std::size_t first = 0, min = 0, max = 0, last = 0, count = 0;
};

/// The first index in (from, end) whose x is not below `next` (or `end`), given x[from] < next.
/// Columns of evenly logged steps hold about as many points as the one before: `guess` is
/// checked first (two comparisons), then a galloping search.
std::size_t columnEnd(const double *x, std::size_t from, std::size_t end, double next, std::size_t guess)
{
    if (std::isinf(next))
        return end;
    std::size_t probe = from + std::max<std::size_t>(guess, 1);
    if (probe < end && x[probe] >= next) {
        if (x[probe - 1] < next)
            return probe;
        return std::size_t(std::lower_bound(x + from + 1, x + probe, next) - x);
    }
    if (probe >= end)
        return std::size_t(std::lower_bound(x + from + 1, x + end, next) - x);
    std::size_t low = probe; // x[low] < next
    std::size_t step = 1;
    std::size_t high = low + 1;
    while (high < end && x[high] < next) {
        low = high;
        step *= 2;
        high = low + step;
    }
    return std::size_t(std::lower_bound(x + low + 1, x + std::min(high, end), next) - x);
}

/// Where the lowest and highest value of y[from, to) first occur, NaN skipped; false when
/// every value is NaN. `v < low` is false for a NaN, so a NaN never becomes an extreme.
bool extremes(const double *y, std::size_t from, std::size_t to, std::size_t &lowAt, std::size_t &highAt)
{
    constexpr double kInfinity = std::numeric_limits<double>::infinity();
    double low = kInfinity;
    double high = -kInfinity;
    std::size_t lowBlock = to;
    std::size_t highBlock = to;
    lowAt = to;
    highAt = to;
    std::size_t i = from;
#if defined(__SSE2__)
    // Blocks of 8: the block's extremes without a branch per value (MINPD/MAXPD return the
    // second operand when the first is NaN, so data goes first and the accumulators, which
    // start at infinity, never turn NaN); only a block that holds a new extreme is noted,
    // and the value is located in it at the end.
    constexpr std::size_t kBlock = 8;
    const __m128d up = _mm_set1_pd(kInfinity);
    const __m128d down = _mm_set1_pd(-kInfinity);
    for (; i + kBlock <= to; i += kBlock) {
        const __m128d a = _mm_loadu_pd(y + i);
        const __m128d b = _mm_loadu_pd(y + i + 2);
        const __m128d c = _mm_loadu_pd(y + i + 4);
        const __m128d d = _mm_loadu_pd(y + i + 6);
        const __m128d lows = _mm_min_pd(_mm_min_pd(c, _mm_min_pd(a, up)), _mm_min_pd(d, _mm_min_pd(b, up)));
        const __m128d highs = _mm_max_pd(_mm_max_pd(c, _mm_max_pd(a, down)), _mm_max_pd(d, _mm_max_pd(b, down)));
        const double blockLow = _mm_cvtsd_f64(_mm_min_sd(lows, _mm_unpackhi_pd(lows, lows)));
        const double blockHigh = _mm_cvtsd_f64(_mm_max_sd(highs, _mm_unpackhi_pd(highs, highs)));
        if (blockLow < low) {
            low = blockLow;
            lowBlock = i;
        }
        if (blockHigh > high) {
            high = blockHigh;
            highBlock = i;
        }
    }
    if (lowBlock != to) {
        for (lowAt = lowBlock; !(y[lowAt] == low);)
            ++lowAt;
    }
    if (highBlock != to) {
        for (highAt = highBlock; !(y[highAt] == high);)
            ++highAt;
    }
#endif
    for (; i < to; ++i) {
        const double v = y[i];
        if (v < low) {
            low = v;
            lowAt = i;
        }
        if (v > high) {
            high = v;
            highAt = i;
        }
    }
    if (!(low <= high))
        return false;
    // Only a column of nothing but +inf (or -inf) values never beats the starting infinity.
    for (std::size_t k = from; lowAt == to; ++k)
        lowAt = y[k] == low ? k : to;
    for (std::size_t k = from; highAt == to; ++k)
        highAt = y[k] == high ? k : to;
    return true;
}

/// The first, lowest, highest and last point of y[from, to), NaN skipped; false when there
/// is none. `count` is only counted when asked for.
bool scanColumn(const double *y, std::size_t from, std::size_t to, ColumnIndices &c, bool count)
{
    if (!extremes(y, from, to, c.min, c.max))
        return false;
    c.first = from;
    while (std::isnan(y[c.first]))
        ++c.first;
    c.last = to - 1;
    while (std::isnan(y[c.last]))
        --c.last;
    c.count = 0;
    if (count) {
        for (std::size_t i = from; i < to; ++i)
            c.count += std::isnan(y[i]) ? 0 : 1;
    }
    return true;
}

/// One pass over the points [begin, end): calls `visit` with each non-empty column's indices.
template<typename Visit>
void forEachColumn(const double *x, const double *y, std::size_t begin, std::size_t end, const PixelColumns &columns,
                   bool count, Visit &&visit)
{
    std::size_t i = begin;
    std::size_t guess = 1;
    int column = i < end ? columns.of(x[i]) : 0;
    while (i < end) {
        ColumnIndices c;
        c.column = column;
        const double next = columns.end(column);
        const std::size_t stop = columnEnd(x, i, end, next, guess);
        if (scanColumn(y, i, stop, c, count))
            visit(c);
        guess = stop - i;
        i = stop;
        // Dense data goes on in the next column; after a gap the division finds it.
        if (i < end)
            column = x[i] < columns.end(column + 1) ? column + 1 : columns.of(x[i]);
    }
}

} // namespace

std::vector<PixelEnvelope> envelopeM4(const double *x, const double *y, std::size_t n, double x0, double x1, int width)
{
    std::vector<PixelEnvelope> envelopes;
    if (n == 0 || !validRange(x0, x1, width))
        return envelopes;
    const auto [begin, end] = visibleRange(x, n, x0, x1);
    envelopes.reserve(std::min(end - begin, std::size_t(width)));
    forEachColumn(x, y, begin, end, PixelColumns(x0, x1, width), true, [&](const ColumnIndices &c) {
        PixelEnvelope e;
        e.column = c.column;
        e.firstX = x[c.first];
        e.first = y[c.first];
        e.min = y[c.min];
        e.max = y[c.max];
        e.lastX = x[c.last];
        e.last = y[c.last];
        e.count = c.count;
        envelopes.push_back(e);
    });
    return envelopes;
}

void decimateM4(const double *x, const double *y, std::size_t n, double x0, double x1, int width,
                std::vector<double> &outX, std::vector<double> &outY)
{
    outX.clear();
    outY.clear();
    if (n == 0 || !validRange(x0, x1, width))
        return;
    const auto [begin, end] = visibleRange(x, n, x0, x1);
    const std::size_t capacity = std::min(end - begin, 4 * std::size_t(width)) + 2;
    outX.reserve(capacity);
    outY.reserve(capacity);
    const auto emit = [&](std::size_t i) {
        outX.push_back(x[i]);
        outY.push_back(y[i]);
    };

    for (std::size_t i = begin; i > 0; --i) {
        if (!std::isnan(y[i - 1])) {
            emit(i - 1);
            break;
        }
    }
    forEachColumn(x, y, begin, end, PixelColumns(x0, x1, width), false, [&](const ColumnIndices &c) {
        // first <= min, max <= last in index order: the line visits them as the full line does.
        const std::size_t points[4] = {c.first, std::min(c.min, c.max), std::max(c.min, c.max), c.last};
        emit(points[0]);
        for (int k = 1; k < 4; ++k) {
            if (points[k] != points[k - 1])
                emit(points[k]);
        }
    });
    for (std::size_t i = end; i < n; ++i) {
        if (!std::isnan(y[i])) {
            emit(i);
            break;
        }
    }
}

int pixelColumn(double x, double x0, double x1, int width)
{
    if (!validRange(x0, x1, width))
        return 0;
    return PixelColumns(x0, x1, width).of(x);
}

std::vector<double> smoothEma(const std::vector<double> &y, double weight)
{
    // TensorBoard's smoothing: the running average starts at 0 and is divided by
    // 1 - weight^k after k values, so early values are not pulled towards 0. Infinities are
    // carried through like NaN: one would poison every later value.
    weight = std::clamp(weight, 0.0, 0.999);
    std::vector<double> smoothed(y.size());
    double average = 0;
    double weightPower = 1; // weight^k
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double v = y[i];
        if (!std::isfinite(v)) {
            smoothed[i] = v;
            continue;
        }
        average = average * weight + (1 - weight) * v;
        weightPower *= weight;
        smoothed[i] = average / (1 - weightPower);
    }
    return smoothed;
}

} // namespace kiln
