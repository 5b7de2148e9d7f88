#include "data/columnprofiler.h"

#include <QRandomGenerator>
#include <QtTest>

#include <cmath>
#include <numeric>

using namespace kiln;

namespace {
ColumnProfile profile(const QStringList &values)
{
    ColumnProfiler profiler(QStringLiteral("c"));
    for (const QString &v : values) {
        const QByteArray utf8 = v.toUtf8();
        profiler.add(std::string_view(utf8.constData(), std::size_t(utf8.size())));
    }
    return profiler.finish();
}
} // namespace

class tst_ColumnProfiler final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void inferredType_data();
    void inferredType();
    void missingValuesAreCountedNotZeroed();
    void numericStatisticsMatchHandComputed();
    void histogramCountsEveryValueOnce();
    void histogramGrowsBothWays();
    void distinctAndTopValues();
    void distinctBeyondBudgetIsEstimated();
    void dateTimeRange();
    void jsonRoundTrip();
};

void tst_ColumnProfiler::inferredType_data()
{
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<ColumnType>("type");
    QTest::newRow("integers") << QStringList {QStringLiteral("1"), QStringLiteral("-2"), QStringLiteral("30")}
                              << ColumnType::Integer;
    QTest::newRow("integers with missing")
        << QStringList {QStringLiteral("1"), QStringLiteral("NA"), QStringLiteral("")} << ColumnType::Integer;
    QTest::newRow("floats") << QStringList {QStringLiteral("1"), QStringLiteral("2.5"), QStringLiteral("1e3")}
                            << ColumnType::Float;
    QTest::newRow("booleans") << QStringList {QStringLiteral("true"), QStringLiteral("False"), QStringLiteral("yes")}
                              << ColumnType::Boolean;
    QTest::newRow("0/1 are integers") << QStringList {QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("1")}
                                      << ColumnType::Integer;
    QTest::newRow("dates") << QStringList {QStringLiteral("2024-01-01"), QStringLiteral("2024-01-02T10:00:00")}
                           << ColumnType::DateTime;
    QTest::newRow("integer then date is text")
        << QStringList {QStringLiteral("5"), QStringLiteral("2024-01-01")} << ColumnType::Text;
    QTest::newRow("number then word") << QStringList {QStringLiteral("5"), QStringLiteral("five")} << ColumnType::Text;
    QTest::newRow("repeated labels") << QStringList {QStringLiteral("cat"), QStringLiteral("dog"),
                                                     QStringLiteral("cat"), QStringLiteral("dog")}
                                     << ColumnType::Categorical;
    QTest::newRow("unique words") << QStringList {QStringLiteral("alpha"), QStringLiteral("beta"),
                                                  QStringLiteral("gamma")}
                                  << ColumnType::Text;
    QTest::newRow("all missing") << QStringList {QStringLiteral("NA"), QStringLiteral("")} << ColumnType::Text;
}

void tst_ColumnProfiler::inferredType()
{
    QFETCH(QStringList, values);
    QFETCH(ColumnType, type);
    QCOMPARE(columnTypeName(profile(values).type), columnTypeName(type));
}

void tst_ColumnProfiler::missingValuesAreCountedNotZeroed()
{
    const ColumnProfile p = profile({QStringLiteral("10"), QStringLiteral("NA"), QStringLiteral("20"),
                                     QStringLiteral(""), QStringLiteral("null"), QStringLiteral("None")});
    QCOMPARE(p.count, 6);
    QCOMPARE(p.missing, 4);
    QCOMPARE(p.distinct, 2);
    QCOMPARE(*p.mean, 15.0); // a zero for each missing value would give 5
    QCOMPARE(p.min, QStringLiteral("10"));
    QCOMPARE(p.max, QStringLiteral("20"));
}

void tst_ColumnProfiler::numericStatisticsMatchHandComputed()
{
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7.
    const ColumnProfile p
        = profile({QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("4"), QStringLiteral("4"),
                   QStringLiteral("5"), QStringLiteral("5"), QStringLiteral("7"), QStringLiteral("9")});
    QCOMPARE(p.type, ColumnType::Integer);
    QCOMPARE(*p.mean, 5.0);
    QVERIFY(qFuzzyCompare(*p.std, std::sqrt(32.0 / 7.0)));
    QCOMPARE(p.topValues.first(), qMakePair(QStringLiteral("4"), qint64(3)));
    const ColumnProfile one = profile({QStringLiteral("3.5")});
    QVERIFY(!one.std.has_value()); // undefined for one value, as in pandas
}

void tst_ColumnProfiler::histogramCountsEveryValueOnce()
{
    ColumnProfiler profiler(QStringLiteral("x"));
    QRandomGenerator rng(7);
    std::vector<double> values;
    for (int i = 0; i < 50'000; ++i) {
        const double v = rng.generateDouble() * 1000.0 - 200.0;
        values.push_back(v);
        const QByteArray text = QByteArray::number(v, 'g', 17);
        profiler.add(std::string_view(text.constData(), std::size_t(text.size())));
    }
    const ColumnProfile p = profiler.finish();
    const qint64 total = std::accumulate(p.histogram.counts.begin(), p.histogram.counts.end(), qint64(0));
    QCOMPARE(total, qint64(values.size()));
    QVERIFY(p.histogram.lower <= *std::min_element(values.begin(), values.end()));
    QVERIFY(p.histogram.upper >= *std::max_element(values.begin(), values.end()));
    // Each bin's count equals the values that fall in it.
    const double width = (p.histogram.upper - p.histogram.lower) / double(p.histogram.counts.size());
    std::vector<qint64> expected(p.histogram.counts.size(), 0);
    for (double v : values)
        expected[std::min(expected.size() - 1, std::size_t((v - p.histogram.lower) / width))]++;
    QCOMPARE(p.histogram.counts, expected);
}

void tst_ColumnProfiler::histogramGrowsBothWays()
{
    QStringList values;
    for (int i = 0; i < 2000; ++i)
        values << QString::number(i % 10);
    values << QStringLiteral("-100000") << QStringLiteral("100000");
    const ColumnProfile p = profile(values);
    const qint64 total = std::accumulate(p.histogram.counts.begin(), p.histogram.counts.end(), qint64(0));
    QCOMPARE(total, qint64(values.size()));
    QVERIFY(p.histogram.lower <= -100000);
    QVERIFY(p.histogram.upper >= 100000);
    QCOMPARE(p.min, QStringLiteral("-100000"));
}

void tst_ColumnProfiler::distinctAndTopValues()
{
    QStringList values;
    for (int i = 0; i < 30; ++i)
        values << QStringLiteral("red");
    for (int i = 0; i < 20; ++i)
        values << QStringLiteral("green");
    for (int i = 0; i < 10; ++i)
        values << QStringLiteral("blue");
    const ColumnProfile p = profile(values);
    QCOMPARE(p.type, ColumnType::Categorical);
    QCOMPARE(p.distinct, 3);
    QVERIFY(p.distinctExact);
    QCOMPARE(p.topValues.size(), 3);
    QCOMPARE(p.topValues.at(0), qMakePair(QStringLiteral("red"), qint64(30)));
    QCOMPARE(p.topValues.at(2), qMakePair(QStringLiteral("blue"), qint64(10)));
}

void tst_ColumnProfiler::distinctBeyondBudgetIsEstimated()
{
    // Half the rows one frequent value, half unique IDs: far past the exact-count budget.
    ColumnProfiler profiler(QStringLiteral("id"));
    for (int i = 0; i < 150'000; ++i) {
        const QByteArray text = i % 2 == 0 ? QByteArray("common") : "id-" + QByteArray::number(i);
        profiler.add(std::string_view(text.constData(), std::size_t(text.size())));
    }
    const ColumnProfile p = profiler.finish();
    QVERIFY(!p.distinctExact);
    // HyperLogLog with 2^14 registers: within 3% (about four standard errors) of 75,001.
    QVERIFY2(std::abs(p.distinct - 75'001) < 2'250, qPrintable(QString::number(p.distinct)));
    QCOMPARE(p.count, 150'000);
    QCOMPARE(columnTypeName(p.type), columnTypeName(ColumnType::Text));
    // A value tracked before the budget ran out keeps an exact count.
    QCOMPARE(p.topValues.first(), qMakePair(QStringLiteral("common"), qint64(75'000)));
}

void tst_ColumnProfiler::dateTimeRange()
{
    const ColumnProfile p
        = profile({QStringLiteral("2024-03-01"), QStringLiteral("2023-01-15"), QStringLiteral("2024-12-31T23:00:00Z")});
    QCOMPARE(p.type, ColumnType::DateTime);
    QCOMPARE(p.min, QStringLiteral("2023-01-15"));
    QCOMPARE(p.max, QStringLiteral("2024-12-31T23:00:00Z"));
}

void tst_ColumnProfiler::jsonRoundTrip()
{
    const ColumnProfile p = profile({QStringLiteral("1.5"), QStringLiteral("2.5"), QStringLiteral("NA")});
    const ColumnProfile back = ColumnProfile::fromJson(p.name, p.type, p.statsToJson());
    QCOMPARE(back.count, p.count);
    QCOMPARE(back.missing, p.missing);
    QCOMPARE(*back.mean, *p.mean);
    QCOMPARE(*back.std, *p.std);
    QCOMPARE(back.min, p.min);
    QCOMPARE(back.histogram.counts, p.histogram.counts);
    QCOMPARE(back.topValues, p.topValues);
}

QTEST_GUILESS_MAIN(tst_ColumnProfiler)
#include "tst_columnprofiler.moc"
