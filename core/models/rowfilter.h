#pragma once

#include <QString>

namespace kiln {

/// How a RowFilter compares a column's values with its value. Comparisons follow the column's
/// type (2 < 10 in an integer column); a missing value matches only IsMissing.
enum class FilterOperator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Contains, ///< case-insensitive substring of the value as stored
    IsMissing,
    IsNotMissing,
};

/// Keeps the rows whose value in `column` passes `op` against `value`.
struct RowFilter
{
    int column = -1;
    FilterOperator op = FilterOperator::Equal;
    QString value;

    bool isActive() const { return column >= 0; }
    bool operator==(const RowFilter &other) const
    {
        return column == other.column && op == other.op && value == other.value;
    }
    bool operator!=(const RowFilter &other) const { return !(*this == other); }
};

/// False for the operators that ignore the value (is missing, is not missing).
inline bool filterNeedsValue(FilterOperator op)
{
    return op != FilterOperator::IsMissing && op != FilterOperator::IsNotMissing;
}

} // namespace kiln
