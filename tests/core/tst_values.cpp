#include "data/values.h"

#include <QDateTime>
#include <QtTest>

using namespace kiln;

class tst_Values final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missing_data();
    void missing();
    void integers_data();
    void integers();
    void floats_data();
    void floats();
    void booleans_data();
    void booleans();
    void dateTimes_data();
    void dateTimes();
    void typeNamesRoundTrip();
};

void tst_Values::missing_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("missing");
    for (const char *m : {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "  NA ", "#N/A", "<NA>"})
        QTest::newRow(m) << QByteArray(m) << true;
    for (const char *v : {"0", "none?", "NAN!", "n", "Nonesuch", "-", "0.0", "false"})
        QTest::newRow(v) << QByteArray(v) << false;
}

void tst_Values::missing()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, missing);
    QCOMPARE(values::isMissing(std::string_view(text.constData(), std::size_t(text.size()))), missing);
}

void tst_Values::integers_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("value");
    QTest::newRow("zero") << QByteArray("0") << true << qint64(0);
    QTest::newRow("negative") << QByteArray("-42") << true << qint64(-42);
    QTest::newRow("plus") << QByteArray("+7") << true << qint64(7);
    QTest::newRow("spaces") << QByteArray(" 12 ") << true << qint64(12);
    QTest::newRow("int64 max") << QByteArray("9223372036854775807") << true << qint64(9223372036854775807LL);
    QTest::newRow("overflow") << QByteArray("9223372036854775808") << false << qint64(0);
    QTest::newRow("decimal") << QByteArray("1.5") << false << qint64(0);
    QTest::newRow("text") << QByteArray("12a") << false << qint64(0);
    QTest::newRow("empty") << QByteArray("") << false << qint64(0);
}

void tst_Values::integers()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);
    QFETCH(qint64, value);
    const auto parsed = values::toInteger(std::string_view(text.constData(), std::size_t(text.size())));
    QCOMPARE(parsed.has_value(), ok);
    if (ok)
        QCOMPARE(qint64(*parsed), value);
}

void tst_Values::floats_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<double>("value");
    QTest::newRow("decimal") << QByteArray("3.25") << true << 3.25;
    QTest::newRow("scientific") << QByteArray("-1.5e3") << true << -1500.0;
    QTest::newRow("integer") << QByteArray("8") << true << 8.0;
    QTest::newRow("leading dot") << QByteArray(".5") << true << 0.5;
    QTest::newRow("inf") << QByteArray("inf") << true << qInf();
    QTest::newRow("nan is missing, not a float") << QByteArray("nan") << false << 0.0;
    QTest::newRow("comma decimal") << QByteArray("3,5") << false << 0.0;
    QTest::newRow("two dots") << QByteArray("1.2.3") << false << 0.0;
}

void tst_Values::floats()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);
    QFETCH(double, value);
    const auto parsed = values::toFloat(std::string_view(text.constData(), std::size_t(text.size())));
    QCOMPARE(parsed.has_value(), ok);
    if (ok)
        QCOMPARE(*parsed, value);
}

void tst_Values::booleans_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("expected"); // -1: not a boolean
    QTest::newRow("true") << QByteArray("true") << 1;
    QTest::newRow("TRUE") << QByteArray("TRUE") << 1;
    QTest::newRow("False") << QByteArray("False") << 0;
    QTest::newRow("yes") << QByteArray("yes") << 1;
    QTest::newRow("N") << QByteArray("N") << 0;
    QTest::newRow("1 is an integer") << QByteArray("1") << -1;
    QTest::newRow("truthy") << QByteArray("truthy") << -1;
}

void tst_Values::booleans()
{
    QFETCH(QByteArray, text);
    QFETCH(int, expected);
    const auto parsed = values::toBoolean(std::string_view(text.constData(), std::size_t(text.size())));
    QCOMPARE(parsed.has_value(), expected >= 0);
    if (parsed)
        QCOMPARE(int(*parsed), expected);
}

void tst_Values::dateTimes_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("iso"); // empty: not a date-time
    QTest::newRow("date") << QByteArray("2024-02-29") << QStringLiteral("2024-02-29T00:00:00.000Z");
    QTest::newRow("slashes") << QByteArray("2023/12/31") << QStringLiteral("2023-12-31T00:00:00.000Z");
    QTest::newRow("T time") << QByteArray("2024-01-02T03:04:05") << QStringLiteral("2024-01-02T03:04:05.000Z");
    QTest::newRow("space time") << QByteArray("2024-01-02 03:04") << QStringLiteral("2024-01-02T03:04:00.000Z");
    QTest::newRow("millis Z") << QByteArray("2024-01-02T03:04:05.123Z") << QStringLiteral("2024-01-02T03:04:05.123Z");
    QTest::newRow("offset") << QByteArray("2024-01-02T03:04:05+02:00") << QStringLiteral("2024-01-02T01:04:05.000Z");
    QTest::newRow("before 1970") << QByteArray("1969-07-20") << QStringLiteral("1969-07-20T00:00:00.000Z");
    QTest::newRow("not leap") << QByteArray("2023-02-29") << QString();
    QTest::newRow("month 13") << QByteArray("2023-13-01") << QString();
    QTest::newRow("mixed separators") << QByteArray("2023-01/01") << QString();
    QTest::newRow("number") << QByteArray("20230101") << QString();
    QTest::newRow("trailing junk") << QByteArray("2023-01-01x") << QString();
}

void tst_Values::dateTimes()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, iso);
    const auto ms = values::toDateTimeMs(std::string_view(text.constData(), std::size_t(text.size())));
    QCOMPARE(ms.has_value(), !iso.isEmpty());
    if (ms)
        QCOMPARE(QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC).toString(Qt::ISODateWithMs), iso);
}

void tst_Values::typeNamesRoundTrip()
{
    for (ColumnType type : {ColumnType::Boolean, ColumnType::Integer, ColumnType::Float, ColumnType::DateTime,
                            ColumnType::Categorical, ColumnType::Text})
        QCOMPARE(columnTypeFromString(columnTypeName(type)), std::optional<ColumnType>(type));
    QVERIFY(!columnTypeFromString(QStringLiteral("blob")));
}

QTEST_GUILESS_MAIN(tst_Values)
#include "tst_values.moc"
