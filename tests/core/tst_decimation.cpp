// The M4 decimator against a brute-force reference: every column's first, last, count, min
// and max, and every single-point spike, at several widths and zoom ranges; then the axis
// ticks the charts label with (linear, log10 and time).
#include "plot/axisticks.h"
#include "plot/decimation.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using namespace kiln;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Series
{
    std::vector<double> x;
    std::vector<double> y;
    std::vector<std::size_t> spikes; ///< indices of the single-point spikes
};

/// A noisy random walk over steps 0, 1, 2… (some repeated, as when a run logs a step twice),
/// with single-point spikes up and down at random steps and a few NaN values.
Series generate(std::size_t n, quint32 seed, double nanFraction = 0)
{
    QRandomGenerator random(seed);
    Series s;
    s.x.reserve(n);
    s.y.reserve(n);
    double step = 0;
    double level = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (random.bounded(50) != 0)
            step += 1;
        level += random.generateDouble() - 0.5;
        s.x.push_back(step);
        s.y.push_back(level);
    }
    for (int k = 0; k < 60; ++k) {
        const std::size_t i = random.bounded(quint32(n));
        s.y[i] += (k % 2 == 0 ? 1 : -1) * (50 + random.bounded(50));
        s.spikes.push_back(i);
    }
    const int nans = 20 + int(nanFraction * double(n));
    for (int k = 0; k < nans; ++k) {
        const std::size_t i = random.bounded(quint32(n));
        if (std::find(s.spikes.begin(), s.spikes.end(), i) == s.spikes.end())
            s.y[i] = kNaN;
    }
    return s;
}

/// The column of `x` as the contract defines it: the last c with x >= x0 + c·w.
int referenceColumn(double x, double x0, double x1, int width)
{
    const double w = (x1 - x0) / width;
    int column = 0;
    for (int c = 1; c < width; ++c) {
        if (x >= x0 + double(c) * w)
            column = c;
    }
    return column;
}

/// Brute force: every point, one by one, into its column.
std::vector<PixelEnvelope> referenceEnvelopes(const Series &s, double x0, double x1, int width)
{
    std::vector<PixelEnvelope> columns(static_cast<std::size_t>(width));
    for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (s.x[i] < x0 || s.x[i] > x1 || std::isnan(s.y[i]))
            continue;
        PixelEnvelope &e = columns[std::size_t(referenceColumn(s.x[i], x0, x1, width))];
        if (e.count == 0) {
            e.firstX = s.x[i];
            e.first = s.y[i];
            e.min = e.max = s.y[i];
        }
        e.min = std::min(e.min, s.y[i]);
        e.max = std::max(e.max, s.y[i]);
        e.lastX = s.x[i];
        e.last = s.y[i];
        ++e.count;
    }
    std::vector<PixelEnvelope> present;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].count > 0) {
            columns[c].column = int(c);
            present.push_back(columns[c]);
        }
    }
    return present;
}

/// A row of envelopeMatchesBruteForce_data(): a series generated for it and the x range shown.
struct Case
{
    Series series;
    int width = 0;
    double from = 0; ///< fractions of the series' x range
    double to = 0;
    double x0 = 0; ///< the x range
    double x1 = 0;
};

Case currentCase(quint32 seed)
{
    QFETCH(int, width);
    QFETCH(double, from);
    QFETCH(double, to);
    QFETCH(double, nanFraction);
    Case c {generate(40'000, seed + quint32(width), nanFraction), width, from, to, 0, 0};
    const double span = c.series.x.back() - c.series.x.front();
    c.x0 = c.series.x.front() + from * span;
    c.x1 = c.series.x.front() + to * span;
    return c;
}

} // namespace

class tst_Decimation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void envelopeMatchesBruteForce_data();
    void envelopeMatchesBruteForce();
    void decimatedLineKeepsEnvelope_data() { envelopeMatchesBruteForce_data(); }
    void decimatedLineKeepsEnvelope();
    void edgeCases();
    void pixelColumnAgreesWithEnvelope();
    void smoothEmaByHand();

    void linearTicks_data();
    void linearTicks();
    void logTicksAtDecades();
    void timeTicksAtRoundLocalTimes();
};

void tst_Decimation::envelopeMatchesBruteForce_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<double>("from"); // fraction of the x range
    QTest::addColumn<double>("to");
    QTest::addColumn<double>("nanFraction");
    for (const int width : {37, 300, 1599}) {
        const QByteArray w = QByteArray::number(width);
        QTest::newRow(QByteArray(w + " px, full").constData()) << width << 0.0 << 1.0 << 0.0;
        QTest::newRow(QByteArray(w + " px, middle window").constData()) << width << 0.4 << 0.55 << 0.0;
        // Fewer points than columns: most columns are empty, some hold one point.
        QTest::newRow(QByteArray(w + " px, window under one point per column").constData())
            << width << 0.5013 << 0.5013 + 0.00049 << 0.0;
        QTest::newRow(QByteArray(w + " px, beyond the last point").constData()) << width << 0.9 << 1.3 << 0.0;
        QTest::newRow(QByteArray(w + " px, half the values NaN").constData()) << width << 0.0 << 1.0 << 0.7;
    }
}

void tst_Decimation::envelopeMatchesBruteForce()
{
    const Case c = currentCase(7);
    const Series &s = c.series;

    const std::vector<PixelEnvelope> got = envelopeM4(s.x.data(), s.y.data(), s.x.size(), c.x0, c.x1, c.width);
    const std::vector<PixelEnvelope> want = referenceEnvelopes(s, c.x0, c.x1, c.width);
    QCOMPARE(got.size(), want.size());
    QVERIFY(!got.empty());
    for (std::size_t k = 0; k < got.size(); ++k) {
        const PixelEnvelope &g = got[k];
        const PixelEnvelope &r = want[k];
        QCOMPARE(g.column, r.column);
        QCOMPARE(g.count, r.count);
        QCOMPARE(g.firstX, r.firstX);
        QCOMPARE(g.first, r.first);
        QCOMPARE(g.lastX, r.lastX);
        QCOMPARE(g.last, r.last);
        QCOMPARE(g.min, r.min);
        QCOMPARE(g.max, r.max);
    }

    // Every spike in the range is its column's minimum or maximum: none is lost.
    int spikesSeen = 0;
    for (const std::size_t i : s.spikes) {
        if (s.x[i] < c.x0 || s.x[i] > c.x1)
            continue;
        const int column = referenceColumn(s.x[i], c.x0, c.x1, c.width);
        const auto e = std::find_if(got.begin(), got.end(), [&](const PixelEnvelope &p) { return p.column == column; });
        QVERIFY(e != got.end());
        QVERIFY2(s.y[i] >= e->min && s.y[i] <= e->max, qPrintable(QStringLiteral("spike at %1").arg(s.x[i])));
        // Spikes can share a column: then only the extremes are the column's, the rest lie within.
        const bool isExtreme = s.y[i] == e->min || s.y[i] == e->max;
        const int spikesInColumn = int(std::count_if(s.spikes.begin(), s.spikes.end(), [&](std::size_t j) {
            return s.x[j] >= c.x0 && s.x[j] <= c.x1 && referenceColumn(s.x[j], c.x0, c.x1, c.width) == column;
        }));
        QVERIFY2(isExtreme || spikesInColumn > 1, qPrintable(QStringLiteral("spike at %1 lost").arg(s.x[i])));
        ++spikesSeen;
    }
    if (c.to - c.from > 0.1)
        QVERIFY(spikesSeen > 0);
}

void tst_Decimation::decimatedLineKeepsEnvelope()
{
    const Case c = currentCase(11);
    const Series &s = c.series;

    std::vector<double> dx;
    std::vector<double> dy {1.0, 2.0}; // cleared by decimateM4
    decimateM4(s.x.data(), s.y.data(), s.x.size(), c.x0, c.x1, c.width, dx, dy);
    QCOMPARE(dx.size(), dy.size());
    QVERIFY(std::is_sorted(dx.begin(), dx.end()));

    // The neighbours outside the range: the last real point before x0, the first after x1.
    std::size_t inside = 0;
    for (std::size_t k = 0; k < dx.size(); ++k) {
        if (dx[k] >= c.x0 && dx[k] <= c.x1)
            ++inside;
    }
    std::optional<std::size_t> before;
    std::optional<std::size_t> after;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (std::isnan(s.y[i]))
            continue;
        if (s.x[i] < c.x0)
            before = i;
        if (s.x[i] > c.x1 && !after)
            after = i;
    }
    QCOMPARE(dx.size(), inside + (before ? 1 : 0) + (after ? 1 : 0));
    if (before) {
        QCOMPARE(dx.front(), s.x[*before]);
        QCOMPARE(dy.front(), s.y[*before]);
    }
    if (after) {
        QCOMPARE(dx.back(), s.x[*after]);
        QCOMPARE(dy.back(), s.y[*after]);
    }

    // Per column: the kept points are the column's first, min, max and last, nothing else.
    const std::vector<PixelEnvelope> want = referenceEnvelopes(s, c.x0, c.x1, c.width);
    std::size_t k = before ? 1 : 0;
    for (const PixelEnvelope &e : want) {
        std::vector<double> ys;
        while (k < dx.size() && dx[k] <= c.x1 && referenceColumn(dx[k], c.x0, c.x1, c.width) == e.column)
            ys.push_back(dy[k++]);
        QVERIFY(!ys.empty() && ys.size() <= 4);
        QCOMPARE(ys.front(), e.first);
        QCOMPARE(ys.back(), e.last);
        QCOMPARE(*std::min_element(ys.begin(), ys.end()), e.min);
        QCOMPARE(*std::max_element(ys.begin(), ys.end()), e.max);
        QVERIFY(ys.size() <= e.count);
    }
    QCOMPARE(k, dx.size() - (after ? 1 : 0));
}

void tst_Decimation::edgeCases()
{
    std::vector<double> outX;
    std::vector<double> outY;
    const std::vector<double> x {1, 2, 2, 3};
    const std::vector<double> y {5, kNaN, 7, 1};
    QVERIFY(envelopeM4(x.data(), y.data(), 0, 0, 10, 100).empty());
    QVERIFY(envelopeM4(x.data(), y.data(), x.size(), 0, 10, 0).empty());
    QVERIFY(envelopeM4(x.data(), y.data(), x.size(), 10, 0, 100).empty());
    QVERIFY(envelopeM4(x.data(), y.data(), x.size(), kNaN, 10, 100).empty());

    // x0 == x1: the points at that x, in the last column; NaN skipped.
    const std::vector<PixelEnvelope> one = envelopeM4(x.data(), y.data(), x.size(), 2, 2, 10);
    QCOMPARE(one.size(), std::size_t(1));
    QCOMPARE(one[0].column, 9);
    QCOMPARE(one[0].count, std::size_t(1));
    QCOMPARE(one[0].first, 7.0);

    // One column for everything: first, min, max, last.
    const std::vector<PixelEnvelope> all = envelopeM4(x.data(), y.data(), x.size(), 1, 3, 1);
    QCOMPARE(all.size(), std::size_t(1));
    QCOMPARE(all[0].count, std::size_t(3));
    QCOMPARE(all[0].first, 5.0);
    QCOMPARE(all[0].min, 1.0);
    QCOMPARE(all[0].max, 7.0);
    QCOMPARE(all[0].last, 1.0);
    QCOMPARE(all[0].lastX, 3.0);

    decimateM4(x.data(), y.data(), x.size(), 1, 3, 1, outX, outY);
    QCOMPARE(outX, (std::vector<double> {1, 2, 3}));
    QCOMPARE(outY, (std::vector<double> {5, 7, 1}));

    // A window between two points: no point inside, the line still crosses it.
    decimateM4(x.data(), y.data(), x.size(), 2.2, 2.8, 50, outX, outY);
    QCOMPARE(outX, (std::vector<double> {2, 3}));
    QCOMPARE(outY, (std::vector<double> {7, 1}));

    // Infinities are values like any other (a renderer may hide them); a column of
    // nothing but +inf has +inf as its lowest value.
    const std::vector<double> ramp {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    std::vector<double> infinite(ramp.size(), std::numeric_limits<double>::infinity());
    infinite[11] = -std::numeric_limits<double>::infinity();
    const std::vector<PixelEnvelope> inf = envelopeM4(ramp.data(), infinite.data(), ramp.size(), 0, 11, 2);
    QCOMPARE(inf.size(), std::size_t(2));
    QCOMPARE(inf[0].count, std::size_t(6));
    QVERIFY(std::isinf(inf[0].min) && inf[0].min > 0);
    QVERIFY(std::isinf(inf[1].min) && inf[1].min < 0);
    QVERIFY(std::isinf(inf[1].max) && inf[1].max > 0);

    // Only NaN values: nothing to draw.
    const std::vector<double> nans {kNaN, kNaN, kNaN, kNaN};
    QVERIFY(envelopeM4(x.data(), nans.data(), x.size(), 0, 10, 5).empty());
    decimateM4(x.data(), nans.data(), x.size(), 0, 10, 5, outX, outY);
    QVERIFY(outX.empty() && outY.empty());
}

void tst_Decimation::pixelColumnAgreesWithEnvelope()
{
    const Series s = generate(5'000, 3);
    const double x0 = 123.4;
    const double x1 = 3210.9;
    for (const int width : {1, 37, 1599}) {
        const std::vector<PixelEnvelope> envelopes = envelopeM4(s.x.data(), s.y.data(), s.x.size(), x0, x1, width);
        for (const PixelEnvelope &e : envelopes) {
            QCOMPARE(pixelColumn(e.firstX, x0, x1, width), e.column);
            QCOMPARE(pixelColumn(e.lastX, x0, x1, width), e.column);
        }
        QCOMPARE(pixelColumn(x0 - 1000, x0, x1, width), 0);
        QCOMPARE(pixelColumn(x1, x0, x1, width), width - 1);
        QCOMPARE(pixelColumn(x1 + 1000, x0, x1, width), width - 1);
    }
}

void tst_Decimation::smoothEmaByHand()
{
    // weight 0.5: averages 0.5, 1.25, 2.125 debiased by 0.5, 0.75, 0.875.
    const std::vector<double> s = smoothEma({1, 2, 3}, 0.5);
    QCOMPARE(s.size(), std::size_t(3));
    QCOMPARE(s[0], 1.0);
    QVERIFY(qFuzzyCompare(s[1], 1.25 / 0.75));
    QVERIFY(qFuzzyCompare(s[2], 2.125 / 0.875));

    // NaN passes through and does not count: the third value is the second smoothed one.
    const std::vector<double> gap = smoothEma({1, kNaN, 3}, 0.5);
    QCOMPARE(gap[0], 1.0);
    QVERIFY(std::isnan(gap[1]));
    QVERIFY(qFuzzyCompare(gap[2], (0.25 + 1.5) / 0.75));

    // weight 0.9 on 10, 0: 10, then (0.9·1 + 0.1·0) / (1 - 0.81) · 10 = 4.7368…
    const std::vector<double> heavy = smoothEma({10, 0}, 0.9);
    QVERIFY(qFuzzyCompare(heavy[0], 10.0));
    QVERIFY(qFuzzyCompare(heavy[1], 0.9 / 0.19));

    QCOMPARE(smoothEma({4, -2, 8}, 0), (std::vector<double> {4, -2, 8}));
    QVERIFY(smoothEma({}, 0.6).empty());
    for (const double v : smoothEma(std::vector<double>(500, 3.25), 0.99))
        QVERIFY(std::abs(v - 3.25) < 1e-9);
}

// ---- axis ticks ----------------------------------------------------------------------------------

namespace {

QStringList labels(const std::vector<AxisTick> &ticks)
{
    QStringList texts;
    for (const AxisTick &t : ticks)
        texts.append(t.label);
    return texts;
}

} // namespace

void tst_Decimation::linearTicks_data()
{
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::addColumn<int>("count");
    QTest::addColumn<QStringList>("expected");
    const auto list = [](const char *text) { return QString::fromLatin1(text).split(u' '); };
    QTest::newRow("[0, 1] in fifths") << 0.0 << 1.0 << 5 << list("0.0 0.2 0.4 0.6 0.8 1.0");
    QTest::newRow("[0, 1] in quarters") << 0.0 << 1.0 << 4 << list("0.00 0.25 0.50 0.75 1.00");
    QTest::newRow("[0, 1] in halves") << 0.0 << 1.0 << 2 << list("0.0 0.5 1.0");
    QTest::newRow("inside the range only") << 0.03 << 0.97 << 5 << list("0.2 0.4 0.6 0.8");
    QTest::newRow("across zero") << -3.0 << 7.0 << 5 << list("-2 0 2 4 6");
    QTest::newRow("large: exponent form") << 0.0 << 5e7 << 5 << list("0 1e+07 2e+07 3e+07 4e+07 5e+07");
    QTest::newRow("tiny: exponent form") << 0.0 << 4e-5 << 4 << list("0 1e-05 2e-05 3e-05 4e-05");
    QTest::newRow("empty range") << 1.0 << 1.0 << 5 << QStringList();
    QTest::newRow("reversed range") << 2.0 << 1.0 << 5 << QStringList();
    QTest::newRow("infinite range") << 0.0 << std::numeric_limits<double>::infinity() << 5 << QStringList();
}

void tst_Decimation::linearTicks()
{
    QFETCH(double, lo);
    QFETCH(double, hi);
    QFETCH(int, count);
    QFETCH(QStringList, expected);
    const std::vector<AxisTick> ticks = kiln::linearTicks(lo, hi, count);
    QCOMPARE(labels(ticks), expected);
    for (const AxisTick &t : ticks) {
        QVERIFY(t.value >= lo && t.value <= hi);
        QVERIFY2(qFuzzyCompare(1 + t.value, 1 + t.label.toDouble()), qPrintable(t.label)); // the label is the value
    }
}

void tst_Decimation::logTicksAtDecades()
{
    // Values from 1 to 1,000 (log10 0..3): a tick a decade, at its log position.
    std::vector<AxisTick> ticks = logTicks(0, 3, 5);
    QCOMPARE(labels(ticks), QString::fromLatin1("1 10 100 1000").split(u' '));
    for (std::size_t i = 0; i < ticks.size(); ++i)
        QCOMPARE(ticks[i].value, double(i));

    // Room for three ticks a decade: 2 and 5 between the decades.
    ticks = logTicks(0, 2, 12);
    QCOMPARE(labels(ticks), QString::fromLatin1("1 2 5 10 20 50 100").split(u' '));
    QVERIFY(qFuzzyCompare(ticks[1].value, std::log10(2.0)));
    QVERIFY(std::is_sorted(ticks.begin(), ticks.end(),
                           [](const AxisTick &a, const AxisTick &b) { return a.value < b.value; }));

    // Many decades, few ticks: every other decade.
    QCOMPARE(labels(logTicks(-2, 2, 3)), QString::fromLatin1("0.01 1 100").split(u' '));

    // Under one decade: linear ticks of the values, at their log positions.
    ticks = logTicks(std::log10(2.0), std::log10(8.0), 4);
    QCOMPARE(labels(ticks), QString::fromLatin1("2 4 6 8").split(u' '));
    QVERIFY(qFuzzyCompare(ticks[1].value, std::log10(4.0)));
    QVERIFY(logTicks(1, 1, 5).empty());
}

void tst_Decimation::timeTicksAtRoundLocalTimes()
{
    // An hour from 10:07 local time: every quarter of an hour, labelled as a clock reads.
    const auto local = [](int year, int month, int day, int hour, int minute) {
        return double(QDateTime(QDate(year, month, day), QTime(hour, minute)).toMSecsSinceEpoch());
    };
    const double start = local(2024, 3, 4, 10, 7);
    std::vector<AxisTick> ticks = timeTicks(start, start + 3600'000, 5);
    QCOMPARE(labels(ticks), QString::fromLatin1("10:15 10:30 10:45 11:00").split(u' '));
    QCOMPARE(ticks.front().value, local(2024, 3, 4, 10, 15));

    // Seconds: labelled with them.
    ticks = timeTicks(start, start + 60'000, 4);
    QCOMPARE(labels(ticks), QString::fromLatin1("10:07:00 10:07:15 10:07:30 10:07:45 10:08:00").split(u' '));

    // Two years: calendar steps of whole months, at the first of a month, midnight local time.
    ticks = timeTicks(local(2023, 1, 15, 0, 0), local(2024, 12, 31, 0, 0), 6);
    QCOMPARE(labels(ticks), QString::fromLatin1("Jul 2023,Jan 2024,Jul 2024").split(u','));
    QCOMPARE(ticks.front().value, local(2023, 7, 1, 0, 0));
    QVERIFY(timeTicks(start, start, 5).empty());
}

QTEST_MAIN(tst_Decimation)
#include "tst_decimation.moc"
