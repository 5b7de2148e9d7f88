#include "csvboundaryscanner.h"
#include "csvdialect.h"
#include "delimitedimporterplugin.h"
#include "parsertestsupport.h"

#include <QJsonArray>
#include <QPluginLoader>
#include <QtTest>

#include <memory>

Q_IMPORT_PLUGIN(DelimitedImporterPlugin)

using kiln::test::json;
using kiln::test::kBom;
using kiln::test::list;
using kiln::test::ParseOutcome;
using kiln::test::parseWith;
using kiln::test::rows;
using namespace Qt::StringLiterals;

class tst_Delimited : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void chunkInvariance_data();
    void chunkInvariance();
    void errors_data();
    void errors();
    void detection_data();
    void detection();
    void formatOptionsReadBackIdentically_data();
    void formatOptionsReadBackIdentically();
    void forcedOptionsSkipDetection();
    void encodingDecidedPastTheHead();
    void decoderMatchesStream_data();
    void decoderMatchesStream();
    void limits();
    void recordBoundaries_data();
    void recordBoundaries();
    void probe_data();
    void probe();
    void metadata();
    void throughput();

private:
    kiln::Internal::DelimitedImporterPlugin m_plugin;
};

namespace {

void compareOutcomes(const ParseOutcome &actual, const ParseOutcome &expected)
{
    QCOMPARE(actual.error, expected.error);
    QCOMPARE(actual.ok, expected.ok);
    QCOMPARE(actual.columns, expected.columns);
    QCOMPARE(actual.columnCalls, expected.columnCalls);
    QCOMPARE(actual.records, expected.records);
    QCOMPARE(actual.offsets, expected.offsets);
    QCOMPARE(actual.formatOptions, expected.formatOptions);
}

// Inputs that exercise every path a chunk boundary can cut: quotes, CR LF, BOM, encodings.
QList<QPair<const char *, QByteArray>> tricky()
{
    QByteArray lateLatin1 = kiln::test::mixedCsv(3000);
    lateLatin1 += "3001,1,1.00,red,2024-01-01,true,\"caf\xE9, cr\xE8me\"\n3002,2,2.00,blue,2024-01-02,false,na\xEFve\n";
    return {
        {"quoted", "a,b\n\"x,\"\"y\"\"\",\"1\r\n2\"\r\n\"\",z\r\n"},
        {"crlf and lone cr", "a,b\r\n1,2\r3,4\r\n\r\n5,6\r"},
        {"bom", kBom + "id,name\n1,Jos\xC3\xA9\n2,\"\xE2\x82\xAC\"\n"},
        {"latin-1", "name,city\nJos\xE9,Z\xFCrich\n\"\xE9\"\"t\xE9\",x\n"},
        {"blank lines", "\n\na;b\n \n1;2\n\t\n3;4"},
        {"no trailing newline", "x\ty\n1\t\"2\""},
        {"mixed multi-line", kiln::test::mixedCsv(2500)},
        {"latin-1 after 64 KiB", lateLatin1},
        {"bad utf-8 after 64 KiB", "id,text\n1,\xC3\xA9t\xC3\xA9\n2," + QByteArray(70000, 'x') + "\n3,bad\xC3\x28\n"},
        {"ragged", "a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11\n"},
        {"ragged after CR LF", "a,b\r\n1,2\r\n\r\n3,4\r5,6\r\n7,8\r\n9\r\n"},
        {"unclosed quote", "a,b\n1,2\n3,\"open\n4,5\n"},
        {"text after quote", "a,b\n1,\"x\"y\n"},
        {"empty", ""},
        {"bom only", kBom},
        {"header only", "name,city\r\n"},
    };
}

} // namespace

void tst_Delimited::parse_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QJsonObject>("options");
    QTest::addColumn<QStringList>("columns");
    QTest::addColumn<QList<QStringList>>("records");
    QTest::addColumn<QList<qint64>>("offsets");

    const QJsonObject detect;
    QTest::newRow("header and types") << QByteArray("id,name,score\n1,alice,3.5\n2,bob,4\n") << detect
                                      << list({"id", "name", "score"})
                                      << rows({{"1", "alice", "3.5"}, {"2", "bob", "4"}}) << QList<qint64> {14, 26};
    QTest::newRow("no final newline") << QByteArray("a,b\n1,2\n3,4") << detect << list({"a", "b"})
                                      << rows({{"1", "2"}, {"3", "4"}}) << QList<qint64> {4, 8};
    QTest::newRow("crlf") << QByteArray("a,b\r\n1,2\r\n3,4\r\n") << detect << list({"a", "b"})
                          << rows({{"1", "2"}, {"3", "4"}}) << QList<qint64> {5, 10};
    QTest::newRow("lone cr") << QByteArray("a,b\r1,2\r3,4\r") << detect << list({"a", "b"})
                             << rows({{"1", "2"}, {"3", "4"}}) << QList<qint64> {4, 8};
    QTest::newRow("blank lines skipped") << QByteArray("a,b\n\n1,2\n   \n\r\n3,4\n\n") << detect << list({"a", "b"})
                                         << rows({{"1", "2"}, {"3", "4"}}) << QList<qint64> {5, 15};
    QTest::newRow("quoted delimiter and quotes")
        << QByteArray("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n") << detect << list({"name", "note"})
        << rows({{"Smith, J", "said \"hi\""}}) << QList<qint64> {10};
    QTest::newRow("quoted line breaks") << QByteArray("a,b\n\"one\ntwo\",x\n\"l1\r\nl2\",y\n") << detect
                                        << list({"a", "b"}) << rows({{"one\ntwo", "x"}, {"l1\r\nl2", "y"}})
                                        << QList<qint64> {4, 16};
    QTest::newRow("quote inside unquoted field") << QByteArray("a,b\n5'11\",x\nab\"c,y\n") << detect << list({"a", "b"})
                                                 << rows({{"5'11\"", "x"}, {"ab\"c", "y"}}) << QList<qint64> {4, 12};
    QTest::newRow("empty fields") << QByteArray("a,b,c\n1,,\n,,3\n\"\",\"\",\n") << detect << list({"a", "b", "c"})
                                  << rows({{"1", "", ""}, {"", "", "3"}, {"", "", ""}}) << QList<qint64> {6, 10, 14};
    QTest::newRow("spaces kept") << QByteArray("a,b\n x , y \n") << detect << list({"a", "b"}) << rows({{" x ", " y "}})
                                 << QList<qint64> {4};
    QTest::newRow("tsv with commas in text")
        << QByteArray("name\tnote\nalice\tHello, world\nbob\tfine, thanks, ok\n") << detect << list({"name", "note"})
        << rows({{"alice", "Hello, world"}, {"bob", "fine, thanks, ok"}}) << QList<qint64> {10, 29};
    QTest::newRow("semicolon with decimal commas")
        << QByteArray("a;b\n1,5;2,25\n3,0;4,5\n") << detect << list({"a", "b"})
        << rows({{"1,5", "2,25"}, {"3,0", "4,5"}}) << QList<qint64> {4, 13};
    QTest::newRow("pipe") << QByteArray("a|b\n1|2\n") << detect << list({"a", "b"}) << rows({{"1", "2"}})
                          << QList<qint64> {4};
    QTest::newRow("single column") << QByteArray("value\n1\n2\n3\n") << detect << list({"value"})
                                   << rows({{"1"}, {"2"}, {"3"}}) << QList<qint64> {6, 8, 10};
    QTest::newRow("numbers: no header") << QByteArray("1,2\n3,4\n") << detect << list({"column_1", "column_2"})
                                        << rows({{"1", "2"}, {"3", "4"}}) << QList<qint64> {0, 4};
    QTest::newRow("bom before header") << QByteArray(kBom + "id,name\n1,x\n") << detect << list({"id", "name"})
                                       << rows({{"1", "x"}}) << QList<qint64> {11};
    QTest::newRow("bom before data") << QByteArray(kBom + "1,2\n3,4\n") << detect << list({"column_1", "column_2"})
                                     << rows({{"1", "2"}, {"3", "4"}}) << QList<qint64> {3, 7};
    QTest::newRow("utf-8") << QByteArray("name,city\nJos\xC3\xA9,Z\xC3\xBCrich\n") << detect << list({"name", "city"})
                           << rows({{QString::fromUtf8("Jos\xC3\xA9"), QString::fromUtf8("Z\xC3\xBCrich")}})
                           << QList<qint64> {10};
    QTest::newRow("latin-1 detected") << QByteArray("name,city\nJos\xE9,Z\xFCrich\n\"\xE9\"\"t\xE9\",x\n") << detect
                                      << list({"name", "city"})
                                      << rows({{QString::fromUtf8("Jos\xC3\xA9"), QString::fromUtf8("Z\xC3\xBCrich")},
                                               {QString::fromUtf8("\xC3\xA9\"t\xC3\xA9"), "x"}})
                                      << QList<qint64> {10, 22};
    QTest::newRow("latin-1 forced") << QByteArray("a\n\xC3\xA9\n") << json(R"({"encoding": "latin-1"})") << list({"a"})
                                    << rows({{QString::fromUtf8("\xC3\x83\xC2\xA9")}}) << QList<qint64> {2};
    QTest::newRow("empty header names") << QByteArray(",b,\n1,2,3\n") << detect << list({"column_1", "b", "column_3"})
                                        << rows({{"1", "2", "3"}}) << QList<qint64> {4};
    QTest::newRow("duplicate header names")
        << QByteArray("a,a,b,a,a_2\n1,2,3,4,5\n") << detect << list({"a", "a_2", "b", "a_3", "a_2_2"})
        << rows({{"1", "2", "3", "4", "5"}}) << QList<qint64> {12};
    QTest::newRow("forced delimiter and no header")
        << QByteArray("a;b\nc;d\n") << json(R"({"delimiter": ";", "header": false})") << list({"column_1", "column_2"})
        << rows({{"a", "b"}, {"c", "d"}}) << QList<qint64> {0, 4};
    QTest::newRow("quoting off") << QByteArray("a,b\n\"x,y\"\n")
                                 << json(R"({"delimiter": ",", "header": true, "quote": ""})") << list({"a", "b"})
                                 << rows({{"\"x", "y\""}}) << QList<qint64> {4};
}

void tst_Delimited::parse()
{
    QFETCH(QByteArray, input);
    QFETCH(QJsonObject, options);
    QFETCH(QStringList, columns);
    QFETCH(QList<QStringList>, records);
    QFETCH(QList<qint64>, offsets);

    const ParseOutcome outcome = parseWith(m_plugin, input, options);
    QCOMPARE(outcome.error, QString());
    QVERIFY(outcome.ok);
    QCOMPARE(outcome.columnCalls, 1);
    QCOMPARE(outcome.columns, columns);
    QCOMPARE(outcome.records, records);
    QCOMPARE(outcome.offsets, offsets);
}

void tst_Delimited::chunkInvariance_data()
{
    kiln::test::addInputRows(tricky());
}

void tst_Delimited::chunkInvariance()
{
    QFETCH(QByteArray, input);
    const ParseOutcome whole = parseWith(m_plugin, input);
    for (const qsizetype chunk : {1, 2, 3, 7, 64, 4096}) {
        if (chunk == 1 && input.size() > 100000)
            continue; // the 2-byte run covers the same cuts in half the time
        compareOutcomes(parseWith(m_plugin, input, {}, chunk), whole);
        if (QTest::currentTestFailed()) {
            qWarning("fed in chunks of %lld bytes", qlonglong(chunk));
            return;
        }
    }
    // Without a head, detection waits for the stream's first 64 KiB.
    compareOutcomes(parseWith(m_plugin, input, {}, 1000, false), whole);
}

void tst_Delimited::errors_data()
{
    kiln::test::addParseErrorColumns();

    const QJsonObject detect;
    QTest::newRow("ragged") << QByteArray("a,b,c\n1,2,3\n4,5\n") << json(R"({"delimiter": ","})")
                            << u"line 3: 2 fields, expected 3"_s << 1;
    QTest::newRow("ragged, detected") << QByteArray("a,b\n1,2\n3,4\n5,6\n7,8\n9\n") << detect
                                      << u"line 6: 1 field, expected 2"_s << 4;
    QTest::newRow("ragged, CR LF and lone CR")
        << QByteArray("a,b\r\n1,2\r\n\r\n3,4\r5,6\r\n7,8\r\n9\r\n") << detect << u"line 7: 1 field, expected 2"_s << 4;
    QTest::newRow("ragged after a multi-line field")
        << QByteArray("a,b\n\"x\ny\",1\n\n1,2,3\n") << detect << u"line 5: 3 fields, expected 2"_s << 1;
    QTest::newRow("unclosed quote") << QByteArray("a,b\n1,2\n3,\"open\n4,5\n") << detect
                                    << u"line 3: quoted field is never closed"_s << 1;
    QTest::newRow("text after closing quote") << QByteArray("a,b,c\n1,2,3\n4,5,\"x\"y\n") << detect
                                              << u"line 3: unexpected character after closing quote in field 3"_s << 1;
    QTest::newRow("invalid utf-8 after utf-8") << QByteArray("name\nJos\xC3\xA9\nab\xC3(\n") << detect
                                               << u"line 3: invalid UTF-8 (byte 0xC3 at byte offset 13)"_s << 1;
    QTest::newRow("invalid utf-8, forced") << QByteArray("a\nb\xE9\n") << json(R"({"encoding": "utf-8"})")
                                           << u"line 2: invalid UTF-8 (byte 0xE9 at byte offset 3)"_s << 0;
    QTest::newRow("sequence cut by the end") << QByteArray("a\n\xC3\xA9\n\xE2\x82") << detect
                                             << u"line 3: invalid UTF-8 (byte 0xE2 at byte offset 5)"_s << 1;
    QTest::newRow("bom means utf-8") << QByteArray(kBom + "a\nx\xE9\n") << detect
                                     << u"line 2: invalid UTF-8 (byte 0xE9 at byte offset 6)"_s << 0;
    QTest::newRow("empty") << QByteArray() << detect << u"the file is empty"_s << 0;
    QTest::newRow("bom only") << kBom << detect << u"the file is empty"_s << 0;
    QTest::newRow("blank lines only") << QByteArray("\n\n  \n\r\n\t") << detect << u"the file is empty"_s << 0;
    QTest::newRow("header only") << QByteArray("a,b,c\n") << detect << u"line 1 is a header but no data rows follow"_s
                                 << 0;
    QTest::newRow("header only after blank lines")
        << QByteArray("\n\nname,city\n\n") << detect << u"line 3 is a header but no data rows follow"_s << 0;
    QTest::newRow("forced header, one row")
        << QByteArray("1,2") << json(R"({"header": true})") << u"line 1 is a header but no data rows follow"_s << 0;
    QTest::newRow("field too long") << QByteArray("a,b\n1,2\n3," + QByteArray(1000001, 'x') + "\n") << detect
                                    << u"line 3: field 2 is longer than 1,000,000 bytes"_s << 1;
    QTest::newRow("quoted field too long") << QByteArray("a,b\n1,\"" + QByteArray(1000001, 'x') + "\"\n") << detect
                                           << u"line 2: field 2 is longer than 1,000,000 bytes"_s << 0;
    QTest::newRow("too many columns") << QByteArray(QByteArray(16384, ',').replace(",", "a,") + "a\n")
                                      << json(R"({"delimiter": ",", "header": false})")
                                      << u"line 1: more than 16,384 columns"_s << 0;
    QTest::newRow("unusable option") << QByteArray("a,b\n1,2\n") << json(R"({"delimiter": "ab"})")
                                     << u"unsupported delimiter \"ab\": use one ASCII character"_s << 0;
}

void tst_Delimited::errors()
{
    kiln::test::verifyParseError(m_plugin, 5, QByteArray("x,y\n"));
}

void tst_Delimited::detection_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("delimiter");
    QTest::addColumn<bool>("header");

    QTest::newRow("comma") << QByteArray("id,name\n1,a\n2,b\n") << u","_s << true;
    QTest::newRow("tab") << QByteArray("id\tname\n1\ta, b\n2\tc\n") << u"\t"_s << true;
    QTest::newRow("semicolon, decimal commas") << QByteArray("x;y\n1,5;2\n2,5;3\n") << u";"_s << true;
    QTest::newRow("pipe") << QByteArray("x|y|z\n1|2|3\n") << u"|"_s << true;
    QTest::newRow("colon") << QByteArray("x:y\n1:2\n3:4\n") << u":"_s << true;
    QTest::newRow("times in a comma file") << QByteArray("t,v\n12:30:00,1\n13:45:10,2\n") << u","_s << true;
    QTest::newRow("semicolons inside quotes") << QByteArray("a,b\n\"x;y\",1\n\"p;q\",2\n") << u","_s << true;
    QTest::newRow("commas inside quotes, tab file")
        << QByteArray("a\tb\n\"x,y\"\t1\n\"p,q,r\"\t2\n") << u"\t"_s << true;
    QTest::newRow("one column") << QByteArray("value\nhello world\nfoo\n") << u","_s << true;
    QTest::newRow("numbers: no header") << QByteArray("1,2\n3,4\n") << u","_s << false;
    QTest::newRow("floats under names") << QByteArray("x,y\n1.5,2e3\n-0.5,7\n") << u","_s << true;
    QTest::newRow("dates: no header") << QByteArray("2024-01-01,5\n2024-01-02,6\n") << u","_s << false;
    QTest::newRow("dates under names") << QByteArray("date,value\n2024-01-01,5\n") << u","_s << true;
    QTest::newRow("booleans: no header") << QByteArray("true,1\nfalse,2\n") << u","_s << false;
    QTest::newRow("missing values ignored") << QByteArray("a,b\n,1\nNA,2\n3,\n") << u","_s << true;
    QTest::newRow("fixed-length codes under names") << QByteArray("code,n\nAB12,1\nCD34,2\n") << u","_s << true;
    QTest::newRow("fixed-length codes, no header")
        << QByteArray("AB12,CD34\nEF56,GH78\nIJ90,KL12\nMN34,OP56\n") << u","_s << false;
    QTest::newRow("all text: in doubt a header") << QByteArray("alice,paris\nbob,london\n") << u","_s << true;
    QTest::newRow("all text, repeated first cells") << QByteArray("x,x\nbob,london\n") << u","_s << false;
}

void tst_Delimited::detection()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, delimiter);
    QFETCH(bool, header);

    const ParseOutcome outcome = parseWith(m_plugin, input);
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.formatOptions.value(QLatin1String("delimiter")).toString(), delimiter);
    QCOMPARE(outcome.formatOptions.value(QLatin1String("header")).toBool(), header);
}

void tst_Delimited::formatOptionsReadBackIdentically_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QJsonObject>("formatOptions");

    auto options = [](const char *delimiter, bool header, const char *encoding) {
        QJsonObject object;
        object.insert(u"delimiter"_s, QLatin1String(delimiter));
        object.insert(u"header"_s, header);
        object.insert(u"encoding"_s, QLatin1String(encoding));
        object.insert(u"quote"_s, u"\""_s);
        return object;
    };
    QTest::newRow("csv") << QByteArray("a,b\n1,2\n") << options(",", true, "utf-8");
    QTest::newRow("tsv, no header") << QByteArray("1\t2\n3\t4\n") << options("\t", false, "utf-8");
    QTest::newRow("latin-1") << QByteArray("a;b\n\xE9;2\n") << options(";", true, "latin-1");
    QTest::newRow("utf-8 with bom") << QByteArray(kBom + "a|b\n\xC3\xA9|2\n") << options("|", true, "utf-8");
    QTest::newRow("mixed") << kiln::test::mixedCsv(500) << options(",", true, "utf-8");
}

void tst_Delimited::formatOptionsReadBackIdentically()
{
    QFETCH(QByteArray, input);
    QFETCH(QJsonObject, formatOptions);

    const ParseOutcome detected = parseWith(m_plugin, input);
    QVERIFY2(detected.ok, qPrintable(detected.error));
    QCOMPARE(detected.formatOptions, formatOptions);
    // Read again with what was stored, without a head to detect from: the same records.
    const ParseOutcome again = parseWith(m_plugin, input, formatOptions, 3, false);
    compareOutcomes(again, detected);
}

void tst_Delimited::forcedOptionsSkipDetection()
{
    // Detection would pick ';' and no header; forced options win.
    const ParseOutcome outcome
        = parseWith(m_plugin, QByteArray("1;2\n3;4\n"), json(R"({"delimiter": ",", "header": true})"));
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.columns, list({"1;2"}));
    QCOMPARE(outcome.records, (rows({{"3;4"}})));
}

void tst_Delimited::encodingDecidedPastTheHead()
{
    // ASCII for 130 KB, then Latin-1: earlier records stand, later ones are transcoded.
    QByteArray input = kiln::test::mixedCsv(3000);
    input += "3001,1,1.00,red,2024-01-01,true,\"caf\xE9, cr\xE8me\"\n3002,2,2.00,blue,2024-01-02,false,na\xEFve\n";
    ParseOutcome outcome = parseWith(m_plugin, input, {}, 65536);
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.records.size(), 3002);
    QCOMPARE(outcome.records.at(3000).at(6), QString::fromUtf8("caf\xC3\xA9, cr\xC3\xA8me"));
    QCOMPARE(outcome.records.at(3001).at(6), QString::fromUtf8("na\xC3\xAFve"));
    QCOMPARE(outcome.formatOptions.value(u"encoding"_s).toString(), u"latin-1"_s);

    // UTF-8 from the second line, an invalid sequence 70 KB later: the line is named.
    input = "id,text\n1,\xC3\xA9t\xC3\xA9\n2," + QByteArray(70000, 'x') + "\n3,bad\xC3\x28\n";
    outcome = parseWith(m_plugin, input, {}, 65536);
    QVERIFY(!outcome.ok);
    QCOMPARE(outcome.error, u"line 4: invalid UTF-8 (byte 0xC3 at byte offset %1)"_s.arg(input.indexOf("\xC3\x28")));
    QCOMPARE(outcome.records.size(), 2);
}

void tst_Delimited::decoderMatchesStream_data()
{
    chunkInvariance_data();
}

void tst_Delimited::decoderMatchesStream()
{
    QFETCH(QByteArray, input);
    const ParseOutcome outcome = parseWith(m_plugin, input, {}, 4096);
    QStringList columns = outcome.columns;
    const std::unique_ptr<kiln::RecordDecoder> decoder = m_plugin.createDecoder(outcome.formatOptions, columns);
    for (int i = 0; i < outcome.records.size(); ++i)
        QCOMPARE(kiln::test::decodeRecord(*decoder, input, outcome.offsets.at(i)), outcome.records.at(i));
}

void tst_Delimited::limits()
{
    // At the limits, not past them: a field of exactly 1,000,000 bytes, 16,384 columns.
    const QByteArray longField(1000000, 'x');
    ParseOutcome outcome = parseWith(m_plugin, "a,b\n1," + longField + "\n\"" + longField + "\",2\n", {}, 65536);
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.records.size(), 2);
    QCOMPARE(outcome.records.at(0).at(1).size(), 1000000);
    QCOMPARE(outcome.records.at(1).at(0).size(), 1000000);

    QByteArray wide;
    for (int i = 0; i < 16384; ++i)
        wide += (i ? "," : "") + QByteArray::number(i);
    outcome = parseWith(m_plugin, wide + '\n' + wide + '\n', json(R"({"delimiter": ",", "header": false})"), 1000);
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.columns.size(), 16384);
    QCOMPARE(outcome.records.size(), 2);
}

void tst_Delimited::recordBoundaries_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QList<qsizetype>>("ends");

    QTest::newRow("plain") << QByteArray("a,b\n1,2\n") << QList<qsizetype> {4, 8};
    QTest::newRow("line breaks inside quotes") << QByteArray("\"x\ny\r\nz\",1\r\n") << QList<qsizetype> {11, 12};
    QTest::newRow("doubled quotes") << QByteArray("\"a\"\"\nb\"\n") << QList<qsizetype> {8};
    QTest::newRow("quote inside unquoted field") << QByteArray("ab\"c\nd\n") << QList<qsizetype> {5, 7};
    QTest::newRow("text after closing quote") << QByteArray("\"a\"x\n") << QList<qsizetype> {4, 5};
    QTest::newRow("lone cr") << QByteArray("a\rb\r") << QList<qsizetype> {2, 4};
}

void tst_Delimited::recordBoundaries()
{
    // Where a record that straddles chunks ends: found once, byte by byte, so that a long
    // quoted field with many line breaks arriving in small chunks is parsed once.
    QFETCH(QByteArray, input);
    QFETCH(QList<qsizetype>, ends);

    kiln::Internal::CsvBoundaryScanner scanner(',', '"');
    QList<qsizetype> found;
    for (qsizetype at = 0; at < input.size(); ++at) {
        if (scanner.scan(input.constData() + at, 1) == 1) {
            found.append(at + 1);
            scanner.reset();
        }
    }
    QCOMPARE(found, ends);
}

void tst_Delimited::probe_data()
{
    kiln::test::addProbeColumns();

    const QByteArray csv("a,b\n1,2\n3,4\n");
    QTest::newRow("csv by name") << u"data.csv"_s << csv << 80 << 100;
    QTest::newRow("csv by name, not read yet") << u"data.csv"_s << QByteArray() << 80 << 100;
    QTest::newRow("TSV in capitals") << u"DATA.TSV"_s << QByteArray("a\tb\n1\t2\n") << 80 << 100;
    QTest::newRow("psv") << u"x.psv"_s << QByteArray("a|b\n1|2\n") << 80 << 100;
    QTest::newRow("tab") << u"x.tab"_s << QByteArray("a\tb\n1\t2\n") << 80 << 100;
    QTest::newRow("delimited txt") << u"export.txt"_s << QByteArray("a;b\n1;2\n3;4\n") << 30 << 79;
    QTest::newRow("prose txt") << u"notes.txt"_s << QByteArray("Dear diary, today\nwas long.\n") << 1 << 29;
    QTest::newRow("delimited dat") << u"run.dat"_s << QByteArray("t\tv\n0\t1.5\n1\t2.5\n") << 30 << 79;
    QTest::newRow("unknown name, delimited") << u"results"_s << csv << 1 << 29;
    QTest::newRow("unknown name, prose") << u"README"_s << QByteArray("Hello.\nThis, is prose; it is.\n") << 0 << 0;
    QTest::newRow("unknown name, not read") << u"results"_s << QByteArray() << 0 << 0;
    QTest::newRow("json lines") << u"events.log"_s << QByteArray("{\"a\":1,\"b\":2}\n{\"a\":3,\"b\":4}\n") << 0 << 0;
    QTest::newRow("NUL bytes") << u"data.csv"_s << QByteArray("a,b\n1,\0\n", 8) << 0 << 0;
    QTest::newRow("zip") << u"data.zip"_s << QByteArray("PK\x03\x04\x14\x00\x00\x00", 8) << 0 << 0;
    QTest::newRow("zip named csv") << u"data.csv"_s << QByteArray("PK\x03\x04\x14\x00\x00\x00", 8) << 0 << 0;
    QTest::newRow("gzip") << u"data.csv.gz"_s << QByteArray("\x1F\x8B\x08\x00", 4) << 0 << 0;
    QTest::newRow("zstd") << u"data.tar.zst"_s << QByteArray("\x28\xB5\x2F\xFD\x04", 5) << 0 << 0;
}

void tst_Delimited::probe()
{
    kiln::test::verifyProbe(m_plugin);
}

void tst_Delimited::metadata()
{
    // What PluginManager reads before creating the object, and the object it then gets.
    for (const QStaticPlugin &plugin : QPluginLoader::staticPlugins()) {
        const QJsonObject metaData = plugin.metaData();
        const QJsonObject data = metaData.value(QLatin1String("MetaData")).toObject();
        if (data.value(QLatin1String("id")).toString() != QLatin1String("delimited"))
            continue;
        QCOMPARE(metaData.value(QLatin1String("IID")).toString(), QLatin1String(KILN_IMPORTER_PLUGIN_IID));
        QCOMPARE(data.value(QLatin1String("kind")).toString(), QLatin1String("importer"));
        QCOMPARE(data.value(QLatin1String("compatVersion")).toString(), QLatin1String("1.0"));
        QCOMPARE(data.value(QLatin1String("extensions")).toArray().toVariantList(),
                 QVariant(list({"csv", "tsv", "tab", "psv", "txt", "dat"})).toList());
        auto *importer = qobject_cast<kiln::ImporterPlugin *>(plugin.instance());
        QVERIFY(importer);
        QCOMPARE(importer->formatId(), QLatin1String("delimited"));
        return;
    }
    QFAIL("the delimited plugin is not registered as a static plugin");
}

void tst_Delimited::throughput()
{
    // Prints MB/s on a mixed ~10 MB, 250k-row CSV.
    const QByteArray input = kiln::test::mixedCsv(250000, false);
    double best = 0;
    kiln::test::measureThroughput(m_plugin, input, 250000, best);
    if (QTest::currentTestFailed())
        return;
    qInfo("delimited parser: %.1f MB of mixed CSV at %.0f MB/s (best of 3)", input.size() / 1e6, best);
}

QTEST_GUILESS_MAIN(tst_Delimited)
#include "tst_delimited.moc"
