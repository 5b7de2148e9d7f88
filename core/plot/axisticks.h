#pragma once

#include <QString>

#include <vector>

namespace kiln {

/// One tick of a chart axis: where it is and what it reads.
struct AxisTick
{
    double value = 0; ///< in axis units (log10 of the value on a log axis)
    QString label;
};

/// About `count` ticks over [lo, hi] at a step of 1, 2, 2.5 or 5 times a power of ten, with
/// as many decimals as the step needs; large or tiny numbers read in exponent form (1.5e+07).
/// Empty when the range is empty or not finite. Pure functions of their arguments: any thread.
std::vector<AxisTick> linearTicks(double lo, double hi, int count);
/// Ticks of a log10 axis showing log10 values in [lo, hi]: decades (with 2 and 5 between
/// them when there is room); under one decade, linear ticks at their log positions. Values
/// are log10 positions, labels the values themselves ("100", "0.01").
std::vector<AxisTick> logTicks(double lo, double hi, int count);
/// Ticks of a time axis over [lo, hi] in ms since the epoch, at round local times (seconds,
/// minutes, hours, days, months or years, whichever gives about `count` of them), labelled
/// as fits the step ("10:15", "Mar 4 10:00", "Mar 2024", "2024").
std::vector<AxisTick> timeTicks(double lo, double hi, int count);

} // namespace kiln
