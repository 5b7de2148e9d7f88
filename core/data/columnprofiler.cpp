#include "data/columnprofiler.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace kiln {
namespace {

/// Mean and variance from sums shifted by the first value (no division per value, and no
/// catastrophic cancellation for data far from zero), plus the extremes.
struct Moments
{
    qint64 n = 0;
    double shift = 0;
    double sum = 0;
    double sumSquares = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();

    void add(double x)
    {
        if (n == 0)
            shift = x;
        ++n;
        const double d = x - shift;
        sum += d;
        sumSquares += d * d;
        min = std::min(min, x);
        max = std::max(max, x);
    }
    double mean() const { return n ? shift + sum / double(n) : 0.0; }
    std::optional<double> sampleStd() const
    {
        if (n < 2)
            return std::nullopt;
        const double variance = (sumSquares - sum * sum / double(n)) / double(n - 1);
        return std::sqrt(std::max(0.0, variance));
    }
};

/// A fast 64-bit hash of short strings (fields are mostly a few bytes): 8-byte loads, a
/// multiply-xorshift per word and MurmurHash3's finaliser, so that the high bits HyperLogLog
/// reads are well mixed. Only for counting; never stored.
std::uint64_t hashField(std::string_view s)
{
    const char *p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xA0761D6478BD642FULL);
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xE7037ED1A0B428DBULL;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    // The last 0-7 bytes without a variable-length memcpy (a library call per field).
    std::uint64_t tail = 0;
    if (n >= 4) {
        std::uint32_t a;
        std::uint32_t b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        tail = (std::uint64_t(a) << 32) | b;
    } else if (n > 0) {
        const auto byte = [p](std::size_t i) { return std::uint64_t(static_cast<unsigned char>(p[i])); };
        tail = (byte(0) << 16) | (byte(n / 2) << 8) | byte(n - 1);
    }
    h = (h ^ tail) * 0x8EBC6AF09C88C6E3ULL;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
}

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
        m_inverseWidth = 1.0 / m_width;
        if (*hi == *lo)
            m_lower -= kBins / 2.0;
        m_ranged = true;
        for (double v : m_buffer)
            place(v);
        m_buffer.clear();
        m_buffer.shrink_to_fit();
    }

    void place(double v)
    {
        for (;;) {
            const double pos = std::floor((v - m_lower) * m_inverseWidth);
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
            m_counts[std::size_t(i)] = m_counts[2 * std::size_t(i)] + m_counts[2 * std::size_t(i) + 1];
        std::fill(m_counts.begin() + kBins / 2, m_counts.end(), 0);
        m_width *= 2;
        m_inverseWidth = 1.0 / m_width;
    }

    void growDown()
    {
        std::array<qint64, kBins> merged {};
        for (int i = 0; i < kBins / 2; ++i)
            merged[std::size_t(kBins / 2) + std::size_t(i)]
                = m_counts[2 * std::size_t(i)] + m_counts[2 * std::size_t(i) + 1];
        const double upper = m_lower + kBins * m_width;
        m_width *= 2;
        m_inverseWidth = 1.0 / m_width;
        m_lower = upper - kBins * m_width;
        m_counts = merged;
    }

    bool m_ranged = false;
    std::vector<double> m_buffer;
    double m_lower = 0;
    double m_width = 1;
    double m_inverseWidth = 1;
    std::array<qint64, kBins> m_counts {};
};

/// Estimates the number of distinct values with HyperLogLog (2^14 one-byte registers: 16 KiB,
/// about 0.8% standard error), for columns with more distinct values than we count exactly.
class DistinctEstimator
{
public:
    static constexpr int kPrecision = 14;
    static constexpr std::size_t kRegisters = std::size_t(1) << kPrecision;

    void add(std::uint64_t hash)
    {
        const std::size_t index = std::size_t(hash >> (64 - kPrecision));
        // The sentinel bit bounds the rank when the remaining bits are all zero.
        const std::uint64_t rest = (hash << kPrecision) | (std::uint64_t(1) << (kPrecision - 1));
        const auto rank = std::uint8_t(__builtin_clzll(rest) + 1);
        if (rank > m_registers[index])
            m_registers[index] = rank;
    }

    double estimate() const
    {
        const double m = double(kRegisters);
        double sum = 0;
        std::size_t zeros = 0;
        for (std::uint8_t r : m_registers) {
            sum += std::ldexp(1.0, -int(r));
            zeros += r == 0;
        }
        const double raw = (0.7213 / (1.0 + 1.079 / m)) * m * m / sum;
        if (raw <= 2.5 * m && zeros > 0)
            return m * std::log(m / double(zeros)); // linear counting is better while sparse
        return raw;
    }

private:
    std::array<std::uint8_t, kRegisters> m_registers {};
};

/// Counts values exactly in an open-addressing table while there are few distinct ones
/// (keeping their text, so the most frequent can be named), and estimates the distinct count
/// beyond that. Slots are 8 bytes (a 32-bit fingerprint and a count) and the table is capped
/// at 128 KiB, so it stays in the CPU cache: a million-row ID column costs a HyperLogLog
/// update per value, not a cache miss.
class ValueCounter
{
public:
    static constexpr std::size_t kMaxTracked = 8'192;
    static constexpr std::size_t kFreezeWindow = 65'536;
    static constexpr std::size_t kMaxNameBytes = 200;

    void add(std::string_view value)
    {
        const std::uint64_t h = hashField(value);
        if (m_overflow) {
            m_estimator.add(h);
            if (m_frozen)
                return;
            // A column past the budget whose values almost never repeat (an ID, a
            // measurement) has no meaningful top values: stop paying for the lookups.
            if (++m_lookupsSinceOverflow == kFreezeWindow) {
                m_frozen = m_hitsSinceOverflow * 100 < kFreezeWindow;
                m_lookupsSinceOverflow = m_hitsSinceOverflow = 0;
            }
        }
        if (m_slots.empty()) {
            m_slots.resize(1024);
            m_names.resize(1024);
            m_hashes.resize(1024);
        }
        // Fingerprints are the high half (never 0, which marks an empty slot); the table
        // is indexed by the low half.
        const std::uint32_t fp = std::uint32_t(h >> 32) | 1u;
        const std::size_t mask = m_slots.size() - 1;
        std::size_t i = std::size_t(h) & mask;
        while (m_slots[i].fingerprint != 0) {
            if (m_slots[i].fingerprint == fp) {
                m_slots[i].count++;
                m_hitsSinceOverflow += m_overflow;
                return;
            }
            i = (i + 1) & mask;
        }
        if (m_used >= kMaxTracked) {
            if (!m_overflow) {
                // From now on the estimator sees every value; replay the tracked ones once.
                m_overflow = true;
                for (std::size_t j = 0; j < m_slots.size(); ++j) {
                    if (m_slots[j].fingerprint != 0)
                        m_estimator.add(m_hashes[j]);
                }
                m_estimator.add(h);
            }
            return;
        }
        m_slots[i] = {fp, 1};
        m_names[i] = std::string(value.substr(0, kMaxNameBytes));
        m_hashes[i] = h;
        if (++m_used * 2 > m_slots.size())
            grow();
    }

    std::size_t distinct() const
    {
        if (!m_overflow)
            return m_used;
        return std::max(m_used, std::size_t(std::llround(m_estimator.estimate())));
    }
    bool exact() const { return !m_overflow; }

    QList<QPair<QString, qint64>> top(int n) const
    {
        std::vector<std::size_t> used;
        for (std::size_t i = 0; i < m_slots.size(); ++i) {
            if (m_slots[i].fingerprint != 0)
                used.push_back(i);
        }
        const auto before = [this](std::size_t a, std::size_t b) {
            if (m_slots[a].count != m_slots[b].count)
                return m_slots[a].count > m_slots[b].count;
            return m_names[a] < m_names[b];
        };
        const std::size_t k = std::min(used.size(), std::size_t(n));
        std::partial_sort(used.begin(), used.begin() + std::ptrdiff_t(k), used.end(), before);
        QList<QPair<QString, qint64>> result;
        for (std::size_t i = 0; i < k; ++i) {
            const std::string &name = m_names[used[i]];
            result.append({QString::fromUtf8(name.data(), qsizetype(name.size())), qint64(m_slots[used[i]].count)});
        }
        return result;
    }

private:
    struct Slot
    {
        std::uint32_t fingerprint = 0;
        std::uint32_t count = 0;
    };

    void grow()
    {
        std::vector<Slot> oldSlots(m_slots.size() * 2);
        std::vector<std::string> oldNames(m_slots.size() * 2);
        std::vector<std::uint64_t> oldHashes(m_slots.size() * 2);
        oldSlots.swap(m_slots);
        oldNames.swap(m_names);
        oldHashes.swap(m_hashes);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t from = 0; from < oldSlots.size(); ++from) {
            if (oldSlots[from].fingerprint == 0)
                continue;
            std::size_t to = std::size_t(oldHashes[from]) & mask;
            while (m_slots[to].fingerprint != 0)
                to = (to + 1) & mask;
            m_slots[to] = oldSlots[from];
            m_names[to] = std::move(oldNames[from]);
            m_hashes[to] = oldHashes[from];
        }
    }

    std::vector<Slot> m_slots;
    std::vector<std::string> m_names; ///< parallel to m_slots, read only by top()
    std::vector<std::uint64_t> m_hashes; ///< parallel to m_slots: full hashes, to rehash and replay
    std::size_t m_used = 0;
    bool m_overflow = false;
    bool m_frozen = false;
    std::size_t m_lookupsSinceOverflow = 0;
    std::size_t m_hitsSinceOverflow = 0;
    DistinctEstimator m_estimator;
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
        p.mean = s.numbers.mean();
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
