#include "jsonlinesimporterplugin.h"
#include "parsertestsupport.h"

#include <QJsonArray>
#include <QPluginLoader>
#include <QtTest>

#include <memory>

Q_IMPORT_PLUGIN(JsonLinesImporterPlugin)

using kiln::test::json;
using kiln::test::kBom;
using kiln::test::list;
using kiln::test::ParseOutcome;
using kiln::test::rows;
using namespace Qt::StringLiterals;

class tst_JsonLines : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void chunkInvariance_data();
    void chunkInvariance();
    void errors_data();
    void errors();
    void decoderMatchesStream_data();
    void decoderMatchesStream();
    void probe_data();
    void probe();
    void metadata();
    void throughput();

private:
    kiln::Internal::JsonLinesImporterPlugin m_plugin;
};

namespace {

// Every setColumns() call, in order: how the key union grew.
QList<QStringList> columnHistory(const QByteArray &input, qsizetype chunkSize = 0)
{
    kiln::test::RecordingSink sink;
    const auto parser = kiln::Internal::JsonLinesImporterPlugin().createParser({}, input, &sink);
    const qsizetype step = chunkSize > 0 ? chunkSize : qMax<qsizetype>(input.size(), 1);
    for (qsizetype at = 0; at < input.size(); at += step)
        parser->feed(input.constData() + at, qMin(step, input.size() - at));
    parser->finish();
    QList<QStringList> history;
    for (const auto &call : sink.columnCalls) {
        QStringList names;
        for (const std::string &name : call)
            names.append(QString::fromStdString(name));
        history.append(names);
    }
    return history;
}

QByteArray manyRecords(int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i) {
        out += "{\"id\":" + QByteArray::number(i) + ",\"score\":" + QByteArray::number(i * 0.25, 'g', 6)
            + ",\"name\":\"user " + QByteArray::number(i % 97) + "\",\"ok\":" + (i % 3 ? "true" : "false")
            + ",\"tags\":[\"a\",\"b\"]" + (i % 50 == 0 ? ",\"extra\":null" : "") + "}\n";
    }
    return out;
}

QList<QPair<const char *, QByteArray>> tricky()
{
    return {
        {"key union", "{\"a\":1}\r\n\n{\"b\":\"x\\ny\",\"a\":2}\n  \n{\"c\":[1, {\"d\": null}]}"},
        {"bom", kBom + "{\"\xC3\xA9\":\"\xE2\x82\xAC\"}\n{\"\xC3\xA9\":\"\\u00e9\\ud83d\\ude00\"}\n"},
        {"many", manyRecords(3000)},
        {"not an object", "{\"a\":1}\n[1,2]\n"},
        {"invalid json", "{\"a\":1}\n{\"a\":1,}\n"},
        {"invalid utf-8", "{\"a\":\"\xC3\xA9\"}\n{\"a\":\"\xC3(\"}\n"},
        {"empty", "\n \r\n"},
    };
}

} // namespace

void tst_JsonLines::parse_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QList<QStringList>>("columnCalls");
    QTest::addColumn<QList<QStringList>>("records");
    QTest::addColumn<QList<qint64>>("offsets");

    QTest::newRow("basic") << QByteArray("{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n")
                           << QList<QStringList> {list({"a", "b"})} << rows({{"1", "x"}, {"2", "y"}})
                           << QList<qint64> {0, 16};
    QTest::newRow("key union in first-seen order")
        << QByteArray("{\"a\":1}\n{\"b\":2,\"a\":3}\n{\"c\":true}\n{\"a\":4}\n")
        << QList<QStringList> {list({"a"}), list({"a", "b"}), list({"a", "b", "c"})}
        << rows({{"1"}, {"3", "2"}, {"", "", "true"}, {"4", "", ""}}) << QList<qint64> {0, 8, 22, 33};
    QTest::newRow("numbers") << QByteArray("{\"i\":3,\"f\":3.0,\"e\":1e3,\"d\":0.1,\"z\":-0,\"s\":1.50,\"x\":2.5e-7,"
                                           "\"m\":-9223372036854775808,\"big\":12345678901234567890,\"h\":1e400}")
                             << QList<QStringList> {list({"i", "f", "e", "d", "z", "s", "x", "m", "big", "h"})}
                             << rows({{"3", "3", "1000", "0.1", "0", "1.5", "2.5e-07", "-9223372036854775808",
                                       "1.2345678901234567e+19", "1e400"}})
                             << QList<qint64> {0};
    QTest::newRow("literals, null and empty")
        << QByteArray("{\"t\":true,\"f\":false,\"n\":null,\"s\":\"\"}")
        << QList<QStringList> {list({"t", "f", "n", "s"})} << rows({{"true", "false", "", ""}}) << QList<qint64> {0};
    QTest::newRow("nested as compact json")
        << QByteArray("{\"o\": {\"a\": [1, 2.50, {\"b\": null}]}, \"e\":[ ], \"c\":{\"k\":\"a\\\"b \\u00e9\"}}")
        << QList<QStringList> {list({"o", "e", "c"})}
        << rows({{"{\"a\":[1,2.50,{\"b\":null}]}", "[]", "{\"k\":\"a\\\"b \\u00e9\"}"}}) << QList<qint64> {0};
    QTest::newRow("string escapes") << QByteArray(
        "{\"s\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\",\"a\\u0062\":1}")
                                    << QList<QStringList> {list({"s", "ab"})}
                                    << rows({{"a\"b\\c/d\n\t\xC3\xA9\xF0\x9F\x98\x80", "1"}}) << QList<qint64> {0};
    QTest::newRow("crlf and blank lines")
        << QByteArray("{\"a\":1}\r\n\r\n  \n{\"a\":2}\r\n") << QList<QStringList> {list({"a"})} << rows({{"1"}, {"2"}})
        << QList<qint64> {0, 14};
    QTest::newRow("no final newline") << QByteArray("{\"a\":1}\n{\"a\":2}") << QList<QStringList> {list({"a"})}
                                      << rows({{"1"}, {"2"}}) << QList<qint64> {0, 8};
    QTest::newRow("bom") << QByteArray(kBom + "{\"a\":1}\n") << QList<QStringList> {list({"a"})} << rows({{"1"}})
                         << QList<qint64> {3};
    QTest::newRow("repeated key: the last wins")
        << QByteArray("{\"a\":1,\"a\":2}") << QList<QStringList> {list({"a"})} << rows({{"2"}}) << QList<qint64> {0};
    QTest::newRow("utf-8 keys and values")
        << QByteArray("{\"\xC3\xA9t\xC3\xA9\":\"\xE2\x82\xAC\"}") << QList<QStringList> {list({"\xC3\xA9t\xC3\xA9"})}
        << rows({{"\xE2\x82\xAC"}}) << QList<qint64> {0};
    QTest::newRow("empty object first") << QByteArray("{}\n{\"a\":1}\n") << QList<QStringList> {{}, list({"a"})}
                                        << QList<QStringList> {{}, list({"1"})} << QList<qint64> {0, 3};
    QTest::newRow("whitespace everywhere")
        << QByteArray(" \t{ \"a\" : 1 ,\r\"b\" : [ 1 , 2 ] }  \n") << QList<QStringList> {list({"a", "b"})}
        << rows({{"1", "[1,2]"}}) << QList<qint64> {0};
}

void tst_JsonLines::parse()
{
    QFETCH(QByteArray, input);
    QFETCH(QList<QStringList>, columnCalls);
    QFETCH(QList<QStringList>, records);
    QFETCH(QList<qint64>, offsets);

    const ParseOutcome outcome = kiln::test::parseWith(m_plugin, input);
    QCOMPARE(outcome.error, QString());
    QVERIFY(outcome.ok);
    QCOMPARE(columnHistory(input), columnCalls);
    QCOMPARE(outcome.records, records);
    QCOMPARE(outcome.offsets, offsets);
    QCOMPARE(outcome.formatOptions, json(R"({"encoding": "utf-8"})"));
}

void tst_JsonLines::chunkInvariance_data()
{
    kiln::test::addInputRows(tricky());
}

void tst_JsonLines::chunkInvariance()
{
    QFETCH(QByteArray, input);
    const ParseOutcome whole = kiln::test::parseWith(m_plugin, input);
    const QList<QStringList> history = columnHistory(input);
    for (const qsizetype chunk : {1, 2, 3, 7, 64}) {
        const ParseOutcome chunked = kiln::test::parseWith(m_plugin, input, {}, chunk);
        QCOMPARE(chunked.error, whole.error);
        QCOMPARE(chunked.ok, whole.ok);
        QCOMPARE(chunked.records, whole.records);
        QCOMPARE(chunked.offsets, whole.offsets);
        QCOMPARE(columnHistory(input, chunk), history);
    }
}

void tst_JsonLines::errors_data()
{
    kiln::test::addParseErrorColumns();

    auto invalid = [](int line, const char *reason, int character) {
        return u"line %1: invalid JSON (%2 at character %3)"_s.arg(line).arg(QLatin1String(reason)).arg(character);
    };
    const QJsonObject none;
    QTest::newRow("array") << QByteArray("{\"a\":1}\n[1,2]\n") << none << u"line 2: not a JSON object"_s << 1;
    QTest::newRow("string") << QByteArray("\n\"text\"") << none << u"line 2: not a JSON object"_s << 0;
    QTest::newRow("number") << QByteArray("42\n") << none << u"line 1: not a JSON object"_s << 0;
    QTest::newRow("missing value") << QByteArray("{\"a\":1}\r\n{\"a\":}\n") << none
                                   << invalid(2, "unexpected character", 6) << 1;
    QTest::newRow("trailing comma") << QByteArray("{\"a\":1,}") << none
                                    << invalid(1, "expected a key in double quotes", 8) << 0;
    QTest::newRow("missing colon") << QByteArray("{\"a\" 1}") << none << invalid(1, "expected ':' after the key", 6)
                                   << 0;
    QTest::newRow("text after the object")
        << QByteArray("{\"a\":1} x") << none << invalid(1, "unexpected text after the object", 9) << 0;
    QTest::newRow("unterminated string") << QByteArray("{\"a\":\"x\n") << none << invalid(1, "unterminated string", 6)
                                         << 0;
    QTest::newRow("bad literal") << QByteArray("{\"a\":tru}") << none << invalid(1, "invalid literal", 6) << 0;
    QTest::newRow("leading zero") << QByteArray("{\"a\":01}") << none << invalid(1, "expected ',' or '}'", 7) << 0;
    QTest::newRow("bad escape") << QByteArray("{\"a\":\"\\x\"}") << none << invalid(1, "invalid escape", 7) << 0;
    QTest::newRow("lone surrogate") << QByteArray("{\"a\":\"\\ud800\"}") << none
                                    << invalid(1, "unpaired surrogate in a \\u escape", 7) << 0;
    QTest::newRow("control character") << QByteArray("{\"a\":\"x\ty\"}") << none
                                       << invalid(1, "control character in a string", 8) << 0;
    QTest::newRow("position in characters")
        << QByteArray("{\"\xC3\xA9\":1,}") << none << invalid(1, "expected a key in double quotes", 8) << 0;
    QTest::newRow("bad nested value") << QByteArray("{\"a\":[1,]}") << none << invalid(1, "unexpected character", 9)
                                      << 0;
    QTest::newRow("too deep") << QByteArray("{\"a\":" + QByteArray(600, '[') + QByteArray(600, ']') + "}") << none
                              << invalid(1, "nesting deeper than 512 levels", 5 + 513) << 0;
    QTest::newRow("invalid utf-8") << QByteArray("{\"a\":1}\n{\"a\":\"\xC3(\"}\n") << none
                                   << u"line 2: invalid UTF-8 (byte 0xC3 at byte offset 14)"_s << 1;
    QTest::newRow("empty") << QByteArray() << none << u"the file is empty"_s << 0;
    QTest::newRow("blank lines only") << QByteArray("\n  \r\n\t\n") << none << u"the file is empty"_s << 0;
    QTest::newRow("bom only") << kBom << none << u"the file is empty"_s << 0;
    QTest::newRow("line too long") << QByteArray("{\"a\":1}\n{\"a\":\"" + QByteArray(16 * 1024 * 1024, 'x') + "\"}\n")
                                   << none << u"line 2: line is longer than 16 MiB"_s << 1;
    QTest::newRow("unsupported encoding") << QByteArray("{\"a\":1}\n") << json(R"({"encoding": "latin-1"})")
                                          << u"unsupported encoding \"latin-1\": JSON lines are UTF-8"_s << 0;
}

void tst_JsonLines::errors()
{
    kiln::test::verifyParseError(m_plugin, 4096, QByteArray("{\"b\":1}\n"));
}

void tst_JsonLines::decoderMatchesStream_data()
{
    chunkInvariance_data();
}

void tst_JsonLines::decoderMatchesStream()
{
    QFETCH(QByteArray, input);
    const ParseOutcome outcome = kiln::test::parseWith(m_plugin, input, {}, 64);
    const std::unique_ptr<kiln::RecordDecoder> decoder = m_plugin.createDecoder(outcome.formatOptions, outcome.columns);
    for (int i = 0; i < outcome.records.size(); ++i) {
        const QStringList decoded = kiln::test::decodeRecord(*decoder, input, outcome.offsets.at(i));
        // Records before a key first appeared lack its column: it reads as empty.
        QStringList expected = outcome.records.at(i);
        while (expected.size() < outcome.columns.size())
            expected.append(QString());
        QCOMPARE(decoded, expected);
    }
}

void tst_JsonLines::probe_data()
{
    kiln::test::addProbeColumns();

    const QByteArray lines("{\"a\":1,\"b\":2}\n{\"a\":3}\n");
    QTest::newRow("jsonl") << u"events.jsonl"_s << lines << 80 << 100;
    QTest::newRow("ndjson, not read yet") << u"events.NDJSON"_s << QByteArray() << 80 << 100;
    QTest::newRow("json holding lines") << u"events.json"_s << lines << 50 << 100;
    QTest::newRow("json, one long object")
        << u"big.json"_s << QByteArray("{\"a\":[1,2,3") + QByteArray(70000, ' ') << 50 << 100;
    QTest::newRow("json document") << u"config.json"_s << QByteArray("{\n  \"a\": 1\n}\n") << 0 << 0;
    QTest::newRow("json array") << u"rows.json"_s << QByteArray("[{\"a\":1},{\"a\":2}]") << 0 << 0;
    QTest::newRow("json, not read yet") << u"rows.json"_s << QByteArray() << 0 << 0;
    QTest::newRow("unknown name, json lines") << u"events.log"_s << lines << 21 << 49;
    QTest::newRow("unknown name, text") << u"events.log"_s << QByteArray("started\nstopped\n") << 0 << 0;
    QTest::newRow("csv") << u"data.csv"_s << QByteArray("a,b\n1,2\n") << 0 << 0;
    QTest::newRow("binary") << u"events.jsonl"_s << QByteArray("{\"a\":1}\0", 8) << 0 << 0;
}

void tst_JsonLines::probe()
{
    kiln::test::verifyProbe(m_plugin);
}

void tst_JsonLines::metadata()
{
    for (const QStaticPlugin &plugin : QPluginLoader::staticPlugins()) {
        const QJsonObject metaData = plugin.metaData();
        const QJsonObject data = metaData.value(QLatin1String("MetaData")).toObject();
        if (data.value(QLatin1String("id")).toString() != QLatin1String("jsonlines"))
            continue;
        QCOMPARE(metaData.value(QLatin1String("IID")).toString(), QLatin1String(KILN_IMPORTER_PLUGIN_IID));
        QCOMPARE(data.value(QLatin1String("kind")).toString(), QLatin1String("importer"));
        QCOMPARE(data.value(QLatin1String("extensions")).toArray().toVariantList(),
                 QVariant(list({"jsonl", "ndjson", "json"})).toList());
        auto *importer = qobject_cast<kiln::ImporterPlugin *>(plugin.instance());
        QVERIFY(importer);
        QCOMPARE(importer->formatId(), u"jsonlines"_s);
        return;
    }
    QFAIL("the jsonlines plugin is not registered as a static plugin");
}

void tst_JsonLines::throughput()
{
    const QByteArray input = manyRecords(100000);
    double best = 0;
    kiln::test::measureThroughput(m_plugin, input, 100000, best);
    if (QTest::currentTestFailed())
        return;
    qInfo("jsonlines parser: %.1f MB at %.0f MB/s (best of 3)", input.size() / 1e6, best);
}

QTEST_GUILESS_MAIN(tst_JsonLines)
#include "tst_jsonlines.moc"
