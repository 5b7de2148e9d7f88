#include "plot/axisticks.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

/// No axis needs more: a guard against a count or range gone wild.
constexpr std::size_t kMaxTicks = 200;

bool usable(double lo, double hi)
{
    return hi > lo && std::isfinite(hi - lo);
}

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

} // namespace

std::vector<AxisTick> linearTicks(double lo, double hi, int count)
{
    std::vector<AxisTick> ticks;
    if (!usable(lo, hi))
        return ticks;
    int decimals = 0;
    const double step = niceStep(hi - lo, count, &decimals);
    const double first = std::ceil(lo / step - 1e-9);
    const double last = std::floor(hi / step + 1e-9);
    // Large or tiny numbers read better in exponent form: 1.5e+07, 2e-06.
    const double largest = std::max(std::abs(lo), std::abs(hi));
    const bool exponent = largest >= 1e7 || step < 1e-4;
    const int digits = std::clamp(int(std::ceil(std::log10(largest / step))) + 1, 1, 15);
    for (double i = first; i <= last && ticks.size() < kMaxTicks; i += 1) {
        double v = i * step;
        if (std::abs(v) < step * 1e-9)
            v = 0;
        ticks.push_back({v, exponent ? QString::number(v, 'g', digits) : QString::number(v, 'f', decimals)});
    }
    return ticks;
}

std::vector<AxisTick> logTicks(double lo, double hi, int count)
{
    std::vector<AxisTick> ticks;
    if (!usable(lo, hi))
        return ticks;
    if (hi - lo < 1) {
        for (const AxisTick &t : linearTicks(std::pow(10.0, lo), std::pow(10.0, hi), count)) {
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
    std::sort(ticks.begin(), ticks.end(), [](const AxisTick &a, const AxisTick &b) { return a.value < b.value; });
    return ticks;
}

std::vector<AxisTick> timeTicks(double lo, double hi, int count)
{
    std::vector<AxisTick> ticks;
    if (!usable(lo, hi))
        return ticks;
    constexpr qint64 kSecond = 1000;
    constexpr qint64 kMinute = 60 * kSecond;
    constexpr qint64 kHour = 60 * kMinute;
    constexpr qint64 kDay = 24 * kHour;
    // clang-format off
    static constexpr qint64 kSteps[] = {
        1, 2, 5, 10, 20, 50, 100, 200, 500,
        kSecond, 2 * kSecond, 5 * kSecond, 10 * kSecond, 15 * kSecond, 30 * kSecond,
        kMinute, 2 * kMinute, 5 * kMinute, 10 * kMinute, 15 * kMinute, 30 * kMinute,
        kHour, 2 * kHour, 3 * kHour, 6 * kHour, 12 * kHour,
        kDay, 2 * kDay, 7 * kDay, 14 * kDay};
    // clang-format on
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
        for (double t = std::ceil((lo + offset) / double(step)) * double(step) - offset;
             t <= hi && ticks.size() < kMaxTicks; t += double(step))
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
    for (; ticks.size() < kMaxTicks; date = date.addMonths(monthStep)) {
        const double t = double(date.startOfDay().toMSecsSinceEpoch());
        if (t > hi)
            break;
        if (t >= lo)
            ticks.push_back({t, date.toString(format)});
    }
    return ticks;
}

} // namespace kiln
