#pragma once

// What the parser tests share: a sink that records everything, a driver that feeds a parser in
// chunks of a given size, and a deterministic mixed CSV for large inputs.

#include "plugin/importer.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <initializer_list>
#include <string>
#include <vector>

namespace kiln::test {

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
    outcome.ok = true;
    const qsizetype step = chunkSize > 0 ? chunkSize : qMax<qsizetype>(input.size(), 1);
    for (qsizetype at = 0; at < input.size() && outcome.ok; at += step)
        outcome.ok = parser->feed(input.constData() + at, qMin(step, input.size() - at));
    if (outcome.ok)
        outcome.ok = parser->finish();
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
