#include "data/columnprofiler.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace kiln {
namespace {

/// Mean and variance by Welford's method, plus the extremes.
struct Moments
{
    qint64 n = 0;
    double mean = 0;
    double m2 = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();

    void add(double x)
    {
        ++n;
        const double delta = x - mean;
        mean += delta / double(n);
        m2 += delta * (x - mean);
        min = std::min(min, x);
        max = std::max(max, x);
    }
    std::optional<double> sampleStd() const
    {
        if (n < 2)
            return std::nullopt;
        return std::sqrt(m2 / double(n - 1));
    }
};

/// Exact counts in equal-width bins over a range learnt as values stream in: the first
/// values fix a range; a value outside it doubles the bin width (merging pairs of bins)
/// until it fits. Memory is constant and no value is ever dropped or counted twice.
class GrowingHistogram
{
public:
    static constexpr int kBins = 64;
    static constexpr std::size_t kWarmup = 1024;

    void add(double v)
    {
        if (!std::isfinite(v))
            return;
        if (!m_ranged) {
            m_buffer.push_back(v);
            if (m_buffer.size() == kWarmup)
                fixRange();
            return;
        }
        place(v);
    }

    Histogram finish() const
    {
        Histogram h;
        if (!m_ranged) {
            if (m_buffer.empty())
                return h;
            const auto [lo, hi] = std::minmax_element(m_buffer.begin(), m_buffer.end());
            // Sturges' rule for the few values we saw; one bin when they are all equal.
            const int bins = *lo == *hi ? 1 : int(std::ceil(std::log2(double(m_buffer.size())))) + 1;
            h.lower = *lo;
            h.upper = *hi;
            h.counts.assign(std::size_t(bins), 0);
            const double width = (*hi - *lo) / bins;
            for (double v : m_buffer) {
                int i = width > 0 ? int((v - *lo) / width) : 0;
                h.counts[std::size_t(std::clamp(i, 0, bins - 1))]++;
            }
            return h;
        }
        int first = 0;
        int last = kBins - 1;
        while (first < last && m_counts[std::size_t(first)] == 0)
            ++first;
        while (last > first && m_counts[std::size_t(last)] == 0)
            --last;
        h.lower = m_lower + first * m_width;
        h.upper = m_lower + (last + 1) * m_width;
        h.counts.assign(m_counts.begin() + first, m_counts.begin() + last + 1);
        return h;
    }

private:
    void fixRange()
    {
        const auto [lo, hi] = std::minmax_element(m_buffer.begin(), m_buffer.end());
        m_lower = *lo;
        // kBins - 1 so the maximum lands inside the last bin rather than just past it.
        m_width = *hi > *lo ? (*hi - *lo) / (kBins - 1) : 1.0;
        if (*hi == *lo)
            m_lower -= kBins / 2;
        m_ranged = true;
        for (double v : m_buffer)
            place(v);
        m_buffer.clear();
        m_buffer.shrink_to_fit();
    }

    void place(double v)
    {
        for (;;) {
            const double pos = std::floor((v - m_lower) / m_width);
            if (pos < 0) {
                growDown();
            } else if (pos >= kBins) {
                growUp();
            } else {
                m_counts[std::size_t(pos)]++;
                return;
            }
        }
    }

    void growUp()
    {
        for (int i = 0; i < kBins / 2; ++i)
            m_counts[std::size_t(i)] = m_counts[std::size_t(2 * i)] + m_counts[std::size_t(2 * i + 1)];
        std::fill(m_counts.begin() + kBins / 2, m_counts.end(), 0);
        m_width *= 2;
    }

    void growDown()
    {
        std::array<qint64, kBins> merged{};
        for (int i = 0; i < kBins / 2; ++i)
            merged[std::size_t(kBins / 2 + i)] = m_counts[std::size_t(2 * i)] + m_counts[std::size_t(2 * i + 1)];
        const double upper = m_lower + kBins * m_width;
        m_width *= 2;
        m_lower = upper - kBins * m_width;
        m_counts = merged;
    }

    bool m_ranged = false;
    std::vector<double> m_buffer;
    double m_lower = 0;
    double m_width = 1;
    std::array<qint64, kBins> m_counts{};
};

/// Counts distinct values by 64-bit hash in an open-addressing table, and keeps the text of
/// the first values seen so that the most frequent ones can be named.
class ValueCounter
{
public:
    static constexpr std::size_t kMaxTracked = 100'000; // beyond: distinct is a lower bound
    static constexpr std::size_t kMaxNamed = 10'000;
    static constexpr std::size_t kMaxNameBytes = 200;

    void add(std::string_view value)
    {
        std::uint64_t h = std::hash<std::string_view>{}(value);
        h += h == 0; // 0 marks an empty slot
        if (m_slots.empty())
            m_slots.resize(1024);
        std::size_t mask = m_slots.size() - 1;
        std::size_t i = std::size_t(h) & mask;
        while (m_slots[i].hash != 0) {
            if (m_slots[i].hash == h) {
                m_slots[i].count++;
                return;
            }
            i = (i + 1) & mask;
        }
        if (m_used >= kMaxTracked) {
            m_overflow = true;
            return;
        }
        Slot &slot = m_slots[i];
        slot.hash = h;
        slot.count = 1;
        slot.name = kUnnamed;
        if (m_names.size() < kMaxNamed) {
            slot.name = std::uint32_t(m_names.size());
            m_names.emplace_back(value.substr(0, kMaxNameBytes));
        }
        if (++m_used * 2 > m_slots.size())
            grow();
    }

    std::size_t distinct() const { return m_used; }
    bool exact() const { return !m_overflow; }

    QList<QPair<QString, qint64>> top(int n) const
    {
        std::vector<const Slot *> named;
        for (const Slot &slot : m_slots) {
            if (slot.hash != 0 && slot.name != kUnnamed)
                named.push_back(&slot);
        }
        const auto before = [this](const Slot *a, const Slot *b) {
            if (a->count != b->count)
                return a->count > b->count;
            return m_names[a->name] < m_names[b->name];
        };
        const std::size_t k = std::min(named.size(), std::size_t(n));
        std::partial_sort(named.begin(), named.begin() + std::ptrdiff_t(k), named.end(), before);
        QList<QPair<QString, qint64>> result;
        for (std::size_t i = 0; i < k; ++i) {
            const std::string &name = m_names[named[i]->name];
            result.append({QString::fromUtf8(name.data(), qsizetype(name.size())), qint64(named[i]->count)});
        }
        return result;
    }

private:
    static constexpr std::uint32_t kUnnamed = std::numeric_limits<std::uint32_t>::max();
    struct Slot
    {
        std::uint64_t hash = 0;
        std::uint32_t count = 0;
        std::uint32_t name = 0;
    };

    void grow()
    {
        std::vector<Slot> old(m_slots.size() * 2);
        old.swap(m_slots);
        const std::size_t mask = m_slots.size() - 1;
        for (const Slot &slot : old) {
            if (slot.hash == 0)
                continue;
            std::size_t i = std::size_t(slot.hash) & mask;
            while (m_slots[i].hash != 0)
                i = (i + 1) & mask;
            m_slots[i] = slot;
        }
    }

    std::vector<Slot> m_slots;
    std::vector<std::string> m_names;
    std::size_t m_used = 0;
    bool m_overflow = false;
};

QString formatNumber(double v)
{
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString formatDateTime(double ms)
{
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(qint64(ms), Qt::UTC);
    if (dt.time() == QTime(0, 0))
        return dt.date().toString(Qt::ISODate);
    return dt.toString(dt.time().msec() ? Qt::ISODateWithMs : Qt::ISODate);
}

} // namespace

struct ColumnProfiler::State
{
    QString name;
    qint64 count = 0;
    qint64 missing = 0;
    bool canBool = true;
    bool canInt = true;
    bool canFloat = true;
    bool canDate = true;
    qint64 trueCount = 0;
    std::int64_t intMin = std::numeric_limits<std::int64_t>::max();
    std::int64_t intMax = std::numeric_limits<std::int64_t>::min();
    Moments numbers;
    Moments dates;
    GrowingHistogram numberHistogram;
    GrowingHistogram dateHistogram;
    ValueCounter values;
};

ColumnProfiler::ColumnProfiler(QString name)
    : d(std::make_unique<State>())
{
    d->name = std::move(name);
}

ColumnProfiler::~ColumnProfiler() = default;
ColumnProfiler::ColumnProfiler(ColumnProfiler &&) noexcept = default;
ColumnProfiler &ColumnProfiler::operator=(ColumnProfiler &&) noexcept = default;

void ColumnProfiler::add(std::string_view v)
{
    State &s = *d;
    ++s.count;
    if (values::isMissing(v)) {
        ++s.missing;
        return;
    }
    s.values.add(v);
    // Each candidate type is tried only while every earlier value fitted it, so a column
    // pays for one parser per value once its type has settled.
    if (s.canBool) {
        if (const auto b = values::toBoolean(v))
            s.trueCount += *b;
        else
            s.canBool = false;
    }
    if (s.canInt) {
        if (const auto i = values::toInteger(v)) {
            s.intMin = std::min(s.intMin, *i);
            s.intMax = std::max(s.intMax, *i);
            s.numbers.add(double(*i));
            s.numberHistogram.add(double(*i));
            s.canDate = false; // an integer is a float, and never a date
            return;
        }
        s.canInt = false;
    }
    if (s.canFloat) {
        if (const auto f = values::toFloat(v)) {
            s.numbers.add(*f);
            s.numberHistogram.add(*f);
            s.canDate = false;
            return;
        }
        s.canFloat = false;
    }
    if (s.canDate) {
        if (const auto ms = values::toDateTimeMs(v)) {
            s.dates.add(double(*ms));
            s.dateHistogram.add(double(*ms));
        } else {
            s.canDate = false;
        }
    }
}

ColumnProfile ColumnProfiler::finish() const
{
    const State &s = *d;
    ColumnProfile p;
    p.name = s.name;
    p.count = s.count;
    p.missing = s.missing;
    p.distinct = qint64(s.values.distinct());
    p.distinctExact = s.values.exact();
    p.topValues = s.values.top(10);
    const qint64 present = s.count - s.missing;
    if (present == 0) {
        p.type = ColumnType::Text;
    } else if (s.canBool) {
        p.type = ColumnType::Boolean;
        const double mean = double(s.trueCount) / double(present);
        p.mean = mean;
        if (present > 1)
            p.std = std::sqrt(mean * (1 - mean) * double(present) / double(present - 1));
        p.min = s.trueCount == present ? QStringLiteral("true") : QStringLiteral("false");
        p.max = s.trueCount > 0 ? QStringLiteral("true") : QStringLiteral("false");
    } else if (s.canInt || s.canFloat) {
        p.type = s.canInt ? ColumnType::Integer : ColumnType::Float;
        p.min = s.canInt ? QString::number(s.intMin) : formatNumber(s.numbers.min);
        p.max = s.canInt ? QString::number(s.intMax) : formatNumber(s.numbers.max);
        p.mean = s.numbers.mean;
        p.std = s.numbers.sampleStd();
        p.histogram = s.numberHistogram.finish();
    } else if (s.canDate) {
        p.type = ColumnType::DateTime;
        p.min = formatDateTime(s.dates.min);
        p.max = formatDateTime(s.dates.max);
        p.histogram = s.dateHistogram.finish();
    } else {
        // Values that repeat (on average at least twice) from a bounded set read as
        // categories; anything else is free text.
        const bool repeats = p.distinctExact && p.distinct * 2 <= present && p.distinct <= 1000;
        p.type = repeats ? ColumnType::Categorical : ColumnType::Text;
    }
    return p;
}

} // namespace kiln
