#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <string_view>

namespace kiln {

/// The types type inference can give a column, from most to least specific.
enum class ColumnType { Boolean, Integer, Float, DateTime, Categorical, Text };

QString columnTypeName(ColumnType type);
std::optional<ColumnType> columnTypeFromString(const QString &name);

/// Parsing of single field values (UTF-8 text as stored), shared by type inference,
/// statistics, sorting and filtering so that all of them agree on what a value is.
namespace values {

/// Empty, NA, N/A, NaN, nan, null, NULL, None (surrounding spaces ignored): a missing value.
bool isMissing(std::string_view text);
std::optional<std::int64_t> toInteger(std::string_view text);
/// Decimal or scientific notation, plus inf/-inf; not NaN (that is a missing value).
std::optional<double> toFloat(std::string_view text);
/// true/false, yes/no, t/f, y/n in any case (0 and 1 are integers, not booleans).
std::optional<bool> toBoolean(std::string_view text);
/// ISO 8601 dates and date-times (YYYY-MM-DD, optional time, 'T' or space, fraction,
/// Z or offset) and YYYY/MM/DD: milliseconds since the epoch, UTC.
std::optional<std::int64_t> toDateTimeMs(std::string_view text);

} // namespace values
} // namespace kiln
