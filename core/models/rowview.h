#pragma once

#include "data/values.h"
#include "models/rowfilter.h"
#include "util/expected.h"

#include <QString>
#include <QtGlobal>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

class DatasetTable;
class Feedback;

namespace Internal {

/// How the fields of a column are parsed to be compared; Integer, DateTime and Boolean
/// compare as 64-bit integers, Float as double, Text byte-wise with ASCII case folded.
enum class ValueKind { Integer, Float, DateTime, Boolean, Text };

ValueKind valueKindFor(ColumnType type);
/// The field as an integer of `kind` (Integer, DateTime or Boolean); nullopt if it is not one.
std::optional<std::int64_t> parseIntegral(ValueKind kind, std::string_view text);
/// A total order on text: ASCII letters case-folded first, the bytes as they are on a tie.
int compareText(std::string_view a, std::string_view b);

/// A RowFilter whose value was parsed once, for the type of its column.
struct CompiledFilter
{
    int column = -1;
    FilterOperator op = FilterOperator::Equal;
    ValueKind kind = ValueKind::Text;
    std::int64_t integer = 0;
    double real = 0;
    std::string text; ///< the value as UTF-8
    std::string lowerNeedle; ///< for Contains when the value is ASCII
    QString needle; ///< for Contains otherwise
    bool asciiNeedle = true;

    bool matches(std::string_view field) const;
};

/// Parses `filter.value` for a column of `type`; the error says why the value does not fit
/// ("“abc” is not a number; age holds integers").
Expected<CompiledFilter> compileFilter(const RowFilter &filter, ColumnType type, const QString &columnName);

/// What a view of a table shows: the rows passing `filter`, in the order of `sortColumn`.
struct ViewSpec
{
    std::optional<CompiledFilter> filter;
    int sortColumn = -1;
    Qt::SortOrder order = Qt::AscendingOrder;
};

using RowList = std::vector<qint64>;

/// The stored row numbers the view shows, in order; a null pointer means every row in stored
/// order. Missing values sort last in either order; equal values keep their stored order.
/// Runs on any thread; nullopt when `feedback` was cancelled.
std::optional<std::shared_ptr<const RowList>> computeRowView(const DatasetTable &table, const ViewSpec &spec,
                                                             Feedback &feedback);

} // namespace Internal
} // namespace kiln
