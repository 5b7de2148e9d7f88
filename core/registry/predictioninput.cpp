// Prediction rows from what a request carries: the JSON shapes of MLflow's scoring server, and
// CSV text with a header line.
#include "registry/predictor.h"

#include "models/csv.h"
#include "plugin/importer.h"
#include "plugin/pluginmanager.h"
#include "util/jsonutil.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLocale>
#include <QVariant>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>

namespace kiln {

namespace {

const QString kDataframeSplit = QStringLiteral("dataframe_split");
const QString kDataframeRecords = QStringLiteral("dataframe_records");
const QString kInstances = QStringLiteral("instances");
const QString kInputs = QStringLiteral("inputs");
const QString kColumns = QStringLiteral("columns");
const QString kData = QStringLiteral("data");

QString quoted(const QString &text)
{
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

// `text` as UTF-8: an ASCII string (most fields) copied as is, without QString::toStdString()'s
// intermediate QByteArray.
std::string utf8Text(QStringView text)
{
    std::string out(std::size_t(text.size()), '\0');
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (c >= 0x80)
            return text.toString().toStdString();
        out[std::size_t(i)] = char(c);
    }
    return out;
}

// A JSON value as a dataset stores it: integers without ".0", other numbers in the fewest
// digits that read back as the same double, booleans "true"/"false", null as missing (empty).
// Nothing for an array or an object: a field holds one value.
std::optional<std::string> fieldText(const QJsonValue &value)
{
    constexpr double kExactIntegers = 9007199254740992.0; // 2^53: every integer below is a double
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return std::string();
    case QJsonValue::Bool:
        return std::string(value.toBool() ? "true" : "false");
    case QJsonValue::Double: {
        const double x = value.toDouble();
        // Below 2^53 an integer reads the same whether the parser stored it as an integer or
        // as a double, so only larger ones need to know which (through a QVariant).
        if (std::trunc(x) == x && std::abs(x) < kExactIntegers)
            return std::to_string(qint64(x));
        if (std::trunc(x) != x) {
            // For a number with a fraction, std::to_chars writes what QString::number(x, 'g',
            // shortest) writes (compared on 7.8 million of every magnitude) without QString's
            // allocations and conversion, where a one-row request spent a quarter of its parsing.
            // Integers past 2^53 differ (to_chars writes every digit, Qt pads with zeros).
            std::array<char, 32> text {};
            const auto written = std::to_chars(text.data(), text.data() + text.size(), x);
            return std::string(text.data(), written.ptr);
        }
        const QVariant number = value.toVariant();
        if (number.typeId() == QMetaType::LongLong)
            return std::to_string(number.toLongLong());
        return QString::number(x, 'g', QLocale::FloatingPointShortest).toStdString();
    }
    case QJsonValue::String:
        return utf8Text(value.toString());
    case QJsonValue::Array:
    case QJsonValue::Object:
        break;
    }
    return std::nullopt;
}

Error notAValue(qsizetype row, const QString &column, const QJsonValue &value)
{
    return Error {QStringLiteral("row %1: %2 is %3, expected a value")
                      .arg(row + 1)
                      .arg(quoted(column), jsonTypeName(value.type()))};
}

// [{"age": 3, "city": "Lyon"}, ...]: the columns are every key of any record, in order of
// first appearance; a record without a key is missing that value (as pandas reads records).
Expected<PredictionInput> fromRecords(const QJsonArray &records)
{
    PredictionInput input;
    QHash<QString, int> fieldOf;
    input.rows.reserve(std::size_t(records.size()));
    for (qsizetype r = 0; r < records.size(); ++r) {
        const QJsonValue record = records.at(r);
        if (!record.isObject())
            return Error {QStringLiteral("row %1 is %2, expected an object of column values")
                              .arg(r + 1)
                              .arg(jsonTypeName(record.type()))};
        const QJsonObject object = record.toObject();
        std::vector<std::string> row(std::size_t(input.columns.size()));
        for (auto it = object.begin(); it != object.end(); ++it) {
            int field = fieldOf.value(it.key(), -1);
            if (field < 0) {
                field = int(input.columns.size());
                fieldOf.insert(it.key(), field);
                input.columns.append(it.key());
                row.resize(std::size_t(input.columns.size()));
            }
            std::optional<std::string> text = fieldText(it.value());
            if (!text)
                return notAValue(r, it.key(), it.value());
            row[std::size_t(field)] = std::move(*text);
        }
        input.rows.push_back(std::move(row));
    }
    for (std::vector<std::string> &row : input.rows)
        row.resize(std::size_t(input.columns.size()));
    return input;
}

// {"columns": [...], "data": [[...], ...]} (pandas' "split" orient; an "index" is ignored).
Expected<PredictionInput> fromSplit(const QJsonObject &split, const QString &where)
{
    for (auto it = split.begin(); it != split.end(); ++it) {
        if (it.key() != kColumns && it.key() != kData && it.key() != QLatin1String("index"))
            return Error {
                QStringLiteral("%1: unknown key %2 (expected columns and data)").arg(where, quoted(it.key()))};
    }
    const QJsonValue columns = split.value(kColumns);
    const QJsonValue data = split.value(kData);
    if (!columns.isArray())
        return Error {QStringLiteral("%1: 'columns' must be an array of column names").arg(where)};
    if (!data.isArray())
        return Error {QStringLiteral("%1: 'data' must be an array of rows").arg(where)};
    PredictionInput input;
    for (const QJsonValue name : columns.toArray()) {
        if (!name.isString())
            return Error {
                QStringLiteral("%1: a column name is %2, expected a string").arg(where, jsonTypeName(name.type()))};
        input.columns.append(name.toString());
    }
    const QJsonArray rows = data.toArray();
    input.rows.reserve(std::size_t(rows.size()));
    qsizetype r = 0;
    for (const QJsonValue rowValue : rows) {
        if (!rowValue.isArray())
            return Error {QStringLiteral("row %1 is %2, expected an array of values")
                              .arg(r + 1)
                              .arg(jsonTypeName(rowValue.type()))};
        const QJsonArray values = rowValue.toArray();
        if (values.size() != input.columns.size())
            return Error {QStringLiteral("row %1 has %2 values, expected %3 (one per column)")
                              .arg(r + 1)
                              .arg(values.size())
                              .arg(input.columns.size())};
        std::vector<std::string> &row = input.rows.emplace_back();
        row.reserve(std::size_t(values.size()));
        qsizetype c = 0;
        for (const QJsonValue value : values) {
            std::optional<std::string> text = fieldText(value);
            if (!text)
                return notAValue(r, input.columns.at(c), value);
            row.push_back(std::move(*text));
            ++c;
        }
        ++r;
    }
    return input;
}

// {"age": [3, 4], "city": ["Lyon", "Paris"]}: one array of values per column, all as long.
Expected<PredictionInput> fromColumns(const QJsonObject &columns)
{
    PredictionInput input;
    qsizetype rowCount = -1;
    for (auto it = columns.begin(); it != columns.end(); ++it) {
        if (!it.value().isArray())
            return Error {QStringLiteral("inputs: %1 is %2, expected an array of values (one per row)")
                              .arg(quoted(it.key()), jsonTypeName(it.value().type()))};
        const QJsonArray values = it.value().toArray();
        if (rowCount < 0) {
            rowCount = values.size();
            input.rows.resize(std::size_t(rowCount));
        } else if (values.size() != rowCount) {
            return Error {QStringLiteral("inputs: %1 has %2 values, %3 has %4")
                              .arg(quoted(it.key()))
                              .arg(values.size())
                              .arg(quoted(input.columns.constFirst()))
                              .arg(rowCount)};
        }
        input.columns.append(it.key());
        for (qsizetype r = 0; r < rowCount; ++r) {
            std::optional<std::string> text = fieldText(values.at(r));
            if (!text)
                return notAValue(r, it.key(), values.at(r));
            input.rows[std::size_t(r)].push_back(std::move(*text));
        }
    }
    return input;
}

// Receives nothing: the importer's parser is only asked what it detected.
class NoRecords final : public RecordSink
{
public:
    void setColumns(const std::vector<std::string> &) override { }
    void addRecord(qint64, const std::string_view *, int) override { }
};

// The delimiter the data importer detects in the first bytes of `csv`; a comma when no
// importer of delimited text is loaded.
char detectDelimiter(const QByteArray &csv)
{
    constexpr qsizetype kHead = 64 * 1024; // what the importer sniffs
    const ImporterPlugin *importer = PluginManager::instance().importer(QStringLiteral("delimited"));
    if (!importer)
        return ',';
    NoRecords sink;
    const std::unique_ptr<TableParser> parser = importer->createParser(
        QJsonObject {{QStringLiteral("header"), true}}, QByteArrayView(csv).first(qMin(csv.size(), kHead)), &sink);
    const QString delimiter = parser->formatOptions().value(QLatin1String("delimiter")).toString();
    if (delimiter.size() != 1 || delimiter.at(0).unicode() >= 0x80)
        return ',';
    const char c = char(delimiter.at(0).unicode());
    return c == '"' || c == '\r' || c == '\n' ? ',' : c;
}

} // namespace

Expected<PredictionInput> predictionInputFromJson(const QByteArray &json)
{
    QJsonParseError parseError {};
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error {QStringLiteral("the input is not valid JSON: %1 at byte %2")
                          .arg(parseError.errorString())
                          .arg(parseError.offset)};
    if (document.isArray())
        return fromRecords(document.array());
    const QJsonObject object = document.object();
    static const QStringList shapes {kDataframeSplit, kDataframeRecords, kInstances, kInputs};
    QStringList given;
    for (const QString &shape : shapes) {
        if (object.contains(shape))
            given.append(shape);
    }
    if (given.size() > 1)
        return Error {QStringLiteral("exactly one of %1 is allowed (the input has %2)")
                          .arg(shapes.join(QLatin1String(", ")), given.join(QLatin1String(" and ")))};
    if (given.isEmpty()) {
        if (object.contains(kColumns) || object.contains(kData))
            return fromSplit(object, QStringLiteral("the input"));
        return Error {QStringLiteral("the input must be an array of records, or an object with one of %1")
                          .arg(shapes.join(QLatin1String(", ")))};
    }
    const QString &shape = given.constFirst();
    for (auto it = object.begin(); it != object.end(); ++it) {
        // MLflow passes "params" to models that take inference parameters; Kiln's take none.
        if (it.key() != shape && it.key() != QLatin1String("params"))
            return Error {QStringLiteral("unknown key %1 beside %2").arg(quoted(it.key()), shape)};
    }
    const QJsonValue value = object.value(shape);
    if (shape == kDataframeSplit) {
        if (!value.isObject())
            return Error {QStringLiteral("%1 is %2, expected an object with columns and data")
                              .arg(shape, jsonTypeName(value.type()))};
        return fromSplit(value.toObject(), shape);
    }
    if (value.isArray())
        return fromRecords(value.toArray());
    if (shape == kInputs && value.isObject())
        return fromColumns(value.toObject());
    return Error {QStringLiteral("%1 is %2, expected an array of records%3")
                      .arg(shape, jsonTypeName(value.type()),
                           shape == kInputs ? QStringLiteral(" or an object of columns") : QString())};
}

Expected<PredictionInput> predictionInputFromCsv(const QByteArray &csv)
{
    Expected<QList<QStringList>> records = parseCsv(csv, detectDelimiter(csv));
    if (!records)
        return Error {QStringLiteral("the CSV input: %1").arg(records.errorMessage())};
    if (records->isEmpty())
        return Error {QStringLiteral("the CSV input is empty: it needs a header line with the column names")};
    PredictionInput input;
    input.columns = records->constFirst();
    input.rows.reserve(std::size_t(records->size() - 1));
    for (qsizetype r = 1; r < records->size(); ++r) {
        const QStringList &record = records->at(r);
        if (record.size() != input.columns.size())
            return Error {QStringLiteral("the CSV input: row %1 has %2 fields, expected %3 (one per column)")
                              .arg(r)
                              .arg(record.size())
                              .arg(input.columns.size())};
        std::vector<std::string> row;
        row.reserve(std::size_t(record.size()));
        for (const QString &field : record)
            row.push_back(field.toStdString());
        input.rows.push_back(std::move(row));
    }
    return input;
}

} // namespace kiln
