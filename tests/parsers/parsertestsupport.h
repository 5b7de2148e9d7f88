#pragma once

// What the parser tests share: a sink that records everything, a driver that feeds a parser in
// chunks of a given size, the checks every importer's errors and probe tables run, a throughput
// run, and a deterministic mixed CSV for large inputs.

#include "plugin/importer.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QTest>

#include <initializer_list>
#include <string>
#include <vector>

namespace kiln::test {

/// The UTF-8 byte order mark.
const QByteArray kBom("\xEF\xBB\xBF");

/// A field in expected-value tables: a UTF-8 literal (QT_NO_CAST_FROM_ASCII is on) or a QString.
struct Text
{
    Text(const char *utf8)
        : value(QString::fromUtf8(utf8))
    { }
    Text(const QString &text)
        : value(text)
    { }
    QString value;
};

inline QStringList list(std::initializer_list<Text> items)
{
    QStringList result;
    for (const Text &item : items)
        result.append(item.value);
    return result;
}

inline QList<QStringList> rows(std::initializer_list<std::initializer_list<Text>> items)
{
    QList<QStringList> result;
    for (const auto &row : items)
        result.append(list(row));
    return result;
}

/// An object from JSON text: json(R"({"delimiter": ";"})").
inline QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

/// Keeps every setColumns() and addRecord() call as owned strings.
class RecordingSink final : public RecordSink
{
public:
    void setColumns(const std::vector<std::string> &names) override { columnCalls.push_back(names); }
    void addRecord(qint64 offset, const std::string_view *fields, int count) override
    {
        offsets.append(offset);
        QStringList record;
        for (int i = 0; i < count; ++i)
            record.append(QString::fromUtf8(fields[i].data(), qsizetype(fields[i].size())));
        records.append(record);
    }

    std::vector<std::vector<std::string>> columnCalls;
    QList<QStringList> records;
    QList<qint64> offsets;
};

/// Everything a parse produced, comparable as a whole between two ways of feeding it.
struct ParseOutcome
{
    bool ok = false;
    QString error;
    QStringList columns; ///< the last setColumns() call
    int columnCalls = 0;
    QList<QStringList> records;
    QList<qint64> offsets;
    QJsonObject formatOptions;

    bool operator==(const ParseOutcome &other) const
    {
        return ok == other.ok && error == other.error && columns == other.columns && columnCalls == other.columnCalls
            && records == other.records && offsets == other.offsets && formatOptions == other.formatOptions;
    }
};

/// Feeds `input` to `parser` in chunks of `chunkSize` bytes (0: all at once) up to the first
/// failure, then finishes the stream. False when the parse failed.
inline bool feedAll(TableParser &parser, const QByteArray &input, qsizetype chunkSize)
{
    bool ok = true;
    const qsizetype step = chunkSize > 0 ? chunkSize : qMax<qsizetype>(input.size(), 1);
    for (qsizetype at = 0; at < input.size() && ok; at += step)
        ok = parser.feed(input.constData() + at, qMin(step, input.size() - at));
    return ok && parser.finish();
}

/// Parses `input` fed in chunks of `chunkSize` bytes (0: all at once); `withHead` hands the
/// first 64 KiB to createParser() as callers do, otherwise the parser sees only the stream.
inline ParseOutcome parseWith(const ImporterPlugin &plugin, const QByteArray &input, const QJsonObject &options = {},
                              qsizetype chunkSize = 0, bool withHead = true)
{
    RecordingSink sink;
    const QByteArrayView head
        = withHead ? QByteArrayView(input).first(qMin<qsizetype>(input.size(), 64 * 1024)) : QByteArrayView();
    const std::unique_ptr<TableParser> parser = plugin.createParser(options, head, &sink);
    ParseOutcome outcome;
    outcome.ok = feedAll(*parser, input, chunkSize);
    outcome.error = parser->errorString();
    if (!sink.columnCalls.empty()) {
        for (const std::string &name : sink.columnCalls.back())
            outcome.columns.append(QString::fromStdString(name));
    }
    outcome.columnCalls = int(sink.columnCalls.size());
    outcome.records = sink.records;
    outcome.offsets = sink.offsets;
    outcome.formatOptions = parser->formatOptions();
    return outcome;
}

/// One data row named after each input: for tables of inputs that several test functions share.
inline void addInputRows(const QList<QPair<const char *, QByteArray>> &inputs)
{
    QTest::addColumn<QByteArray>("input");
    for (const auto &[name, input] : inputs)
        QTest::newRow(name) << input;
}

/// What the parser made of the record at `offset`, read back through a decoder.
inline QStringList decodeRecord(const RecordDecoder &decoder, const QByteArray &input, qint64 offset)
{
    std::vector<std::string> fields;
    decoder.decode(QByteArrayView(input).sliced(offset), fields);
    QStringList decoded;
    for (const std::string &field : fields)
        decoded.append(QString::fromStdString(field));
    return decoded;
}

/// The columns verifyParseError() fetches.
inline void addParseErrorColumns()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QJsonObject>("options");
    QTest::addColumn<QString>("error");
    QTest::addColumn<int>("recordsBefore");
}

/// Checks the current row of an addParseErrorColumns() table, fed whole and in chunks of
/// `chunkSize` bytes: the parse fails with `error` after `recordsBefore` records, and a failed
/// parser stays failed, refusing `validInput` and keeping its message.
inline void verifyParseError(const ImporterPlugin &plugin, qsizetype chunkSize, const QByteArray &validInput)
{
    QFETCH(QByteArray, input);
    QFETCH(QJsonObject, options);
    QFETCH(QString, error);
    QFETCH(int, recordsBefore);

    for (const qsizetype chunk : {qsizetype(0), chunkSize}) {
        RecordingSink sink;
        const auto parser = plugin.createParser(options, QByteArrayView(input).first(qMin(input.size(), 65536)), &sink);
        QVERIFY(!feedAll(*parser, input, chunk));
        QCOMPARE(parser->errorString(), error);
        QCOMPARE(int(sink.records.size()), recordsBefore);
        QVERIFY(!parser->feed(validInput.constData(), validInput.size()));
        QVERIFY(!parser->finish());
        QCOMPARE(parser->errorString(), error);
        QCOMPARE(int(sink.records.size()), recordsBefore);
    }
}

/// The columns verifyProbe() fetches.
inline void addProbeColumns()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("minimum");
    QTest::addColumn<int>("maximum");
}

/// Checks the current row of an addProbeColumns() table: the score lies in [minimum, maximum].
inline void verifyProbe(const ImporterPlugin &plugin)
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, head);
    QFETCH(int, minimum);
    QFETCH(int, maximum);

    const int score = plugin.probe(fileName, head);
    QVERIFY2(score >= minimum && score <= maximum,
             qPrintable(QStringLiteral("score %1 not in [%2, %3]").arg(score).arg(minimum).arg(maximum)));
}

/// Counts records and keeps nothing, so that a throughput run times the parser alone.
class CountingSink final : public RecordSink
{
public:
    void setColumns(const std::vector<std::string> &) override { }
    void addRecord(qint64, const std::string_view *, int) override { ++records; }
    qint64 records = 0;
};

/// Not a pass/fail timing: `best` receives the best of three runs in MB/s, parsing `input` fed in
/// 64 KiB chunks as the importer does. Each run must yield `records` records.
inline void measureThroughput(const ImporterPlugin &plugin, const QByteArray &input, qint64 records, double &best)
{
    best = 0;
    for (int run = 0; run < 3; ++run) {
        CountingSink sink;
        QElapsedTimer timer;
        timer.start();
        const auto parser = plugin.createParser({}, QByteArrayView(input).first(65536), &sink);
        for (qsizetype at = 0; at < input.size(); at += 65536)
            QVERIFY(parser->feed(input.constData() + at, qMin<qsizetype>(65536, input.size() - at)));
        QVERIFY(parser->finish());
        const qint64 ns = qMax<qint64>(timer.nsecsElapsed(), 1);
        QCOMPARE(sink.records, records);
        best = qMax(best, input.size() / 1e6 / (ns / 1e9));
    }
}

/// A deterministic CSV with the mix real files have: integers, floats, categories, dates,
/// booleans, missing values and quoted text with commas, quotes and now and then a line break.
inline QByteArray mixedCsv(int rows, bool multiLine = true)
{
    static const char *const categories[] = {"red", "green", "blue", "amber", "violet"};
    QByteArray csv = "id,count,price,category,date,flag,comment\n";
    csv.reserve(qsizetype(rows) * 48);
    quint32 state = 12345;
    auto next = [&state] { return state = state * 1664525u + 1013904223u; };
    for (int row = 1; row <= rows; ++row) {
        const quint32 r = next();
        csv += QByteArray::number(row) + ',' + QByteArray::number(r % 1000) + ','
            + QByteArray::number((r % 100000) / 100.0, 'f', 2) + ',' + categories[r % 5] + ",2024-"
            + QByteArray::number(1 + r % 12).rightJustified(2, '0') + '-'
            + QByteArray::number(1 + r % 28).rightJustified(2, '0') + ',' + (r & 1 ? "true" : "false") + ',';
        switch (r % 7) {
        case 0:
            break; // missing
        case 1:
            csv += "\"fine, thanks\"";
            break;
        case 2:
            csv += "\"she said \"\"yes\"\"\"";
            break;
        case 3:
            csv += multiLine ? "\"two\nlines\"" : "plain";
            break;
        default:
            csv += "ok";
        }
        csv += '\n';
    }
    return csv;
}

} // namespace kiln::test
