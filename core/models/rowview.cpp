#include "models/rowview.h"

#include "data/datasettable.h"
#include "tasks/feedback.h"

#include <algorithm>
#include <numeric>

namespace kiln::Internal {

namespace {

char foldAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

bool isAscii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return (uchar(c) & 0x80) == 0; });
}

std::string_view fieldAt(const std::vector<std::string> &fields, int column)
{
    if (column < 0 || std::size_t(column) >= fields.size())
        return {};
    return fields[std::size_t(column)];
}

QString typeDescription(ColumnType type)
{
    switch (type) {
    case ColumnType::Integer:
        return QStringLiteral("integers");
    case ColumnType::Float:
        return QStringLiteral("numbers");
    case ColumnType::DateTime:
        return QStringLiteral("dates");
    case ColumnType::Boolean:
        return QStringLiteral("true/false values");
    case ColumnType::Categorical:
    case ColumnType::Text:
        break;
    }
    return QStringLiteral("text");
}

template<typename Key, typename Less>
void sortRows(RowList &rows, const std::vector<Key> &keys, const std::vector<char> &missing, Qt::SortOrder order,
              Less less)
{
    std::vector<std::size_t> positions(rows.size());
    std::iota(positions.begin(), positions.end(), std::size_t(0));
    // Missing values go last whichever way the column is sorted, as in a spreadsheet.
    const auto presentEnd
        = std::stable_partition(positions.begin(), positions.end(), [&](std::size_t i) { return !missing[i]; });
    if (order == Qt::AscendingOrder) {
        std::stable_sort(positions.begin(), presentEnd,
                         [&](std::size_t a, std::size_t b) { return less(keys[a], keys[b]); });
    } else {
        std::stable_sort(positions.begin(), presentEnd,
                         [&](std::size_t a, std::size_t b) { return less(keys[b], keys[a]); });
    }
    RowList sorted(rows.size());
    for (std::size_t i = 0; i < positions.size(); ++i)
        sorted[i] = rows[positions[i]];
    rows.swap(sorted);
}

} // namespace

ValueKind valueKindFor(ColumnType type)
{
    switch (type) {
    case ColumnType::Integer:
        return ValueKind::Integer;
    case ColumnType::Float:
        return ValueKind::Float;
    case ColumnType::DateTime:
        return ValueKind::DateTime;
    case ColumnType::Boolean:
        return ValueKind::Boolean;
    case ColumnType::Categorical:
    case ColumnType::Text:
        break;
    }
    return ValueKind::Text;
}

std::optional<std::int64_t> parseIntegral(ValueKind kind, std::string_view text)
{
    switch (kind) {
    case ValueKind::Integer:
        return values::toInteger(text);
    case ValueKind::DateTime:
        return values::toDateTimeMs(text);
    case ValueKind::Boolean:
        if (const std::optional<bool> value = values::toBoolean(text))
            return *value ? 1 : 0;
        return std::nullopt;
    case ValueKind::Float:
    case ValueKind::Text:
        break;
    }
    return std::nullopt;
}

int compareText(std::string_view a, std::string_view b)
{
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i) {
        const char x = foldAscii(a[i]);
        const char y = foldAscii(b[i]);
        if (x != y)
            return uchar(x) < uchar(y) ? -1 : 1;
    }
    if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
    const int raw = a.compare(b);
    return raw < 0 ? -1 : (raw > 0 ? 1 : 0);
}

bool CompiledFilter::matches(std::string_view field) const
{
    const bool missing = values::isMissing(field);
    if (op == FilterOperator::IsMissing)
        return missing;
    if (op == FilterOperator::IsNotMissing || missing)
        return !missing && op == FilterOperator::IsNotMissing;

    if (op == FilterOperator::Contains) {
        if (!asciiNeedle)
            return QString::fromUtf8(field.data(), qsizetype(field.size())).contains(needle, Qt::CaseInsensitive);
        const auto found = std::search(field.begin(), field.end(), lowerNeedle.begin(), lowerNeedle.end(),
                                       [](char a, char b) { return foldAscii(a) == b; });
        return found != field.end() || lowerNeedle.empty();
    }

    int order = 0;
    switch (kind) {
    case ValueKind::Float: {
        const std::optional<double> value = values::toFloat(field);
        if (!value)
            return false;
        order = *value < real ? -1 : (*value > real ? 1 : 0);
        break;
    }
    case ValueKind::Integer:
    case ValueKind::DateTime:
    case ValueKind::Boolean: {
        const std::optional<std::int64_t> value = parseIntegral(kind, field);
        if (!value)
            return false;
        order = *value < integer ? -1 : (*value > integer ? 1 : 0);
        break;
    }
    case ValueKind::Text:
        order = compareText(field, text);
        break;
    }

    switch (op) {
    case FilterOperator::Equal:
        return order == 0;
    case FilterOperator::NotEqual:
        return order != 0;
    case FilterOperator::Less:
        return order < 0;
    case FilterOperator::LessOrEqual:
        return order <= 0;
    case FilterOperator::Greater:
        return order > 0;
    case FilterOperator::GreaterOrEqual:
        return order >= 0;
    case FilterOperator::Contains:
    case FilterOperator::IsMissing:
    case FilterOperator::IsNotMissing:
        break;
    }
    return false;
}

Expected<CompiledFilter> compileFilter(const RowFilter &filter, ColumnType type, const QString &columnName)
{
    CompiledFilter compiled;
    compiled.column = filter.column;
    compiled.op = filter.op;
    const QString value = filter.value.trimmed();
    compiled.text = value.toStdString();

    if (!filterNeedsValue(filter.op))
        return compiled;
    if (filter.op == FilterOperator::Contains) {
        // Contains looks at the text as stored, whatever the column's type.
        compiled.kind = ValueKind::Text;
        compiled.needle = value;
        compiled.asciiNeedle = isAscii(compiled.text);
        compiled.lowerNeedle = compiled.text;
        std::transform(compiled.lowerNeedle.begin(), compiled.lowerNeedle.end(), compiled.lowerNeedle.begin(),
                       foldAscii);
        return compiled;
    }

    compiled.kind = valueKindFor(type);
    const auto notA = [&](const QString &what) {
        return Error {
            QStringLiteral("“%1” is not %2; %3 holds %4.").arg(value, what, columnName, typeDescription(type))};
    };
    switch (compiled.kind) {
    case ValueKind::Integer:
        if (const std::optional<std::int64_t> integer = values::toInteger(compiled.text)) {
            compiled.integer = *integer;
        } else if (const std::optional<double> real = values::toFloat(compiled.text)) {
            // 2.5 against an integer column: compare as numbers, not as integers.
            compiled.kind = ValueKind::Float;
            compiled.real = *real;
        } else {
            return notA(QStringLiteral("a number"));
        }
        break;
    case ValueKind::Float:
        if (const std::optional<double> real = values::toFloat(compiled.text))
            compiled.real = *real;
        else
            return notA(QStringLiteral("a number"));
        break;
    case ValueKind::DateTime:
    case ValueKind::Boolean:
        if (const std::optional<std::int64_t> integer = parseIntegral(compiled.kind, compiled.text))
            compiled.integer = *integer;
        else
            return notA(compiled.kind == ValueKind::DateTime
                            ? QStringLiteral("a date (use YYYY-MM-DD or YYYY-MM-DD hh:mm)")
                            : QStringLiteral("true or false"));
        break;
    case ValueKind::Text:
        break;
    }
    return compiled;
}

std::optional<std::shared_ptr<const RowList>> computeRowView(const DatasetTable &table, const ViewSpec &spec,
                                                             Feedback &feedback)
{
    const bool sorting = spec.sortColumn >= 0 && spec.sortColumn < table.columnCount();
    if (!spec.filter && !sorting)
        return std::shared_ptr<const RowList>();

    const ValueKind kind = sorting ? valueKindFor(table.columnType(spec.sortColumn)) : ValueKind::Text;
    auto rows = std::make_shared<RowList>();
    std::vector<std::int64_t> integers;
    std::vector<double> reals;
    std::vector<std::string> texts;
    std::vector<char> missing;
    if (!spec.filter) {
        const auto expected = std::size_t(table.rowCount());
        rows->reserve(expected);
        missing.reserve(expected);
        if (kind == ValueKind::Float)
            reals.reserve(expected);
        else if (kind == ValueKind::Text)
            texts.reserve(expected);
        else
            integers.reserve(expected);
    }

    const bool completed = table.scan(
        [&](qint64 row, const std::vector<std::string> &fields) {
            if (spec.filter && !spec.filter->matches(fieldAt(fields, spec.filter->column)))
                return true;
            rows->push_back(row);
            if (!sorting)
                return true;
            const std::string_view field = fieldAt(fields, spec.sortColumn);
            bool isMissing = values::isMissing(field);
            switch (kind) {
            case ValueKind::Float: {
                const std::optional<double> value = isMissing ? std::nullopt : values::toFloat(field);
                isMissing = !value;
                reals.push_back(value.value_or(0.0));
                break;
            }
            case ValueKind::Text:
                texts.emplace_back(isMissing ? std::string_view() : field);
                break;
            case ValueKind::Integer:
            case ValueKind::DateTime:
            case ValueKind::Boolean: {
                const std::optional<std::int64_t> value = isMissing ? std::nullopt : parseIntegral(kind, field);
                isMissing = !value;
                integers.push_back(value.value_or(0));
                break;
            }
            }
            missing.push_back(isMissing ? 1 : 0);
            return true;
        },
        &feedback);
    if (!completed || feedback.isCanceled())
        return std::nullopt;

    if (sorting) {
        switch (kind) {
        case ValueKind::Float:
            sortRows(*rows, reals, missing, spec.order, std::less<double>());
            break;
        case ValueKind::Text:
            sortRows(*rows, texts, missing, spec.order,
                     [](const std::string &a, const std::string &b) { return compareText(a, b) < 0; });
            break;
        case ValueKind::Integer:
        case ValueKind::DateTime:
        case ValueKind::Boolean:
            sortRows(*rows, integers, missing, spec.order, std::less<std::int64_t>());
            break;
        }
        if (feedback.isCanceled())
            return std::nullopt;
    }
    return std::shared_ptr<const RowList>(std::move(rows));
}

} // namespace kiln::Internal
