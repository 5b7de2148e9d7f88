#include "data/values.h"

#include <array>
#include <charconv>
#include <cstring>

namespace kiln {

QString columnTypeName(ColumnType type)
{
    switch (type) {
    case ColumnType::Boolean:
        return QStringLiteral("boolean");
    case ColumnType::Integer:
        return QStringLiteral("integer");
    case ColumnType::Float:
        return QStringLiteral("float");
    case ColumnType::DateTime:
        return QStringLiteral("datetime");
    case ColumnType::Categorical:
        return QStringLiteral("categorical");
    case ColumnType::Text:
        return QStringLiteral("text");
    }
    return QStringLiteral("text");
}

std::optional<ColumnType> columnTypeFromString(const QString &name)
{
    for (ColumnType type : {ColumnType::Boolean, ColumnType::Integer, ColumnType::Float, ColumnType::DateTime,
                            ColumnType::Categorical, ColumnType::Text}) {
        if (columnTypeName(type) == name)
            return type;
    }
    return std::nullopt;
}

namespace values {
namespace {

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool equalsNoCase(std::string_view a, std::string_view lowerB)
{
    if (a.size() != lowerB.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != lowerB[i])
            return false;
    }
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

bool isLeap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Reads exactly `n` digits at s[pos].
bool digits(std::string_view s, std::size_t pos, std::size_t n, int &out)
{
    if (pos + n > s.size())
        return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

} // namespace

bool isMissing(std::string_view text)
{
    // pandas' default na_values, so "missing" means the same here as in read_csv.
    static constexpr std::array<std::string_view, 19> kMissing
        = {"",     "NA",   "N/A",  "n/a",      "NaN", "nan",     "-NaN",     "-nan",   "NULL",   "null",
           "None", "<NA>", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN"};
    if (text.empty())
        return true;
    // Most fields are numbers or words that no marker starts like: decide on the first byte.
    switch (text.front()) {
    case ' ':
    case '\t':
    case '#':
    case '-':
    case '1':
    case '<':
    case 'N':
    case 'n':
        break;
    default:
        return false;
    }
    text = trimmed(text);
    if (text.size() > 8)
        return false;
    for (std::string_view m : kMissing) {
        if (text == m)
            return true;
    }
    return false;
}

std::optional<std::int64_t> toInteger(std::string_view text)
{
    text = trimmed(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::optional<double> toFloat(std::string_view text)
{
    text = trimmed(text);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value != value)
        return std::nullopt;
    return value;
}

std::optional<bool> toBoolean(std::string_view text)
{
    text = trimmed(text);
    switch (text.size()) {
    case 1:
        if (equalsNoCase(text, "t") || equalsNoCase(text, "y"))
            return true;
        if (equalsNoCase(text, "f") || equalsNoCase(text, "n"))
            return false;
        break;
    case 2:
        if (equalsNoCase(text, "no"))
            return false;
        break;
    case 3:
        if (equalsNoCase(text, "yes"))
            return true;
        break;
    case 4:
        if (equalsNoCase(text, "true"))
            return true;
        break;
    case 5:
        if (equalsNoCase(text, "false"))
            return false;
        break;
    default:
        break;
    }
    return std::nullopt;
}

std::optional<std::int64_t> toDateTimeMs(std::string_view s)
{
    s = trimmed(s);
    int year = 0, month = 0, day = 0;
    if (s.size() < 10 || !digits(s, 0, 4, year) || (s[4] != '-' && s[4] != '/') || s[7] != s[4]
        || !digits(s, 5, 2, month) || !digits(s, 8, 2, day))
        return std::nullopt;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] + (month == 2 && isLeap(year) ? 1 : 0))
        return std::nullopt;
    std::int64_t ms = daysFromCivil(year, unsigned(month), unsigned(day)) * 86400000LL;
    std::size_t pos = 10;
    if (pos == s.size())
        return ms;
    if (s[pos] != 'T' && s[pos] != ' ')
        return std::nullopt;
    int hour = 0, minute = 0, second = 0;
    if (!digits(s, pos + 1, 2, hour) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, minute)
        || hour > 23 || minute > 59)
        return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
        if (!digits(s, pos + 1, 2, second) || second > 60)
            return std::nullopt;
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            int fraction = 0, scale = 0;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                if (scale < 3) {
                    fraction = fraction * 10 + (s[pos] - '0');
                    ++scale;
                }
                ++pos;
            }
            if (scale == 0)
                return std::nullopt;
            while (scale++ < 3)
                fraction *= 10;
            ms += fraction;
        }
    }
    ms += (hour * 3600LL + minute * 60LL + second) * 1000LL;
    if (pos == s.size())
        return ms;
    if (s[pos] == 'Z' && pos + 1 == s.size())
        return ms;
    if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '+' ? 1 : -1;
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, oh))
            return std::nullopt;
        std::size_t next = pos + 3;
        if (next < s.size() && s[next] == ':')
            ++next;
        if (next < s.size() && !digits(s, next, 2, om))
            return std::nullopt;
        if (next < s.size())
            next += 2;
        if (next != s.size() || oh > 23 || om > 59)
            return std::nullopt;
        return ms - sign * (oh * 3600LL + om * 60LL) * 1000LL;
    }
    return std::nullopt;
}

} // namespace values
} // namespace kiln
