// Predictions: what a model gave, as a label per row, as CSV (predictions.csv's columns) and
// as the JSON of MLflow's scoring answer, written with or without Qt's JSON objects.
#include "registry/predictor.h"

#include "models/csv.h"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace kiln {

namespace {

// ---- Predictions::toJsonBytes: QJsonDocument's compact writer, without the QJson objects -----

// `text` as a JSON string, escaped as Qt's JSON writer escapes it: '"', '\\' and the controls
// below 0x20 (\b \f \n \r \t, others \u00xx), everything else as UTF-8 but a lone surrogate,
// written \uxxxx.
void appendJsonString(QByteArray &out, QStringView text)
{
    static constexpr std::string_view kHex = "0123456789abcdef";
    const auto escapeUnit = [&out](char16_t u) {
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4)
            out += kHex[(u >> shift) & 0xf];
    };
    out += '"';
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t u = text[i].unicode();
        if (u < 0x80) {
            if (u >= 0x20 && u != '"' && u != '\\') {
                out += char(u);
                continue;
            }
            switch (u) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                escapeUnit(u);
            }
        } else if (u < 0x800) {
            out += char(0xc0 | (u >> 6));
            out += char(0x80 | (u & 0x3f));
        } else if (!QChar::isSurrogate(u)) {
            out += char(0xe0 | (u >> 12));
            out += char(0x80 | ((u >> 6) & 0x3f));
            out += char(0x80 | (u & 0x3f));
        } else if (QChar::isHighSurrogate(u) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            const char32_t c = QChar::surrogateToUcs4(u, text[++i].unicode());
            out += char(0xf0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3f));
            out += char(0x80 | ((c >> 6) & 0x3f));
            out += char(0x80 | (c & 0x3f));
        } else {
            escapeUnit(u);
        }
    }
    out += '"';
}

// `x` as Qt's JSON writer writes a QJsonValue holding it: an integer below 2^53 as an integer
// (QJsonValue stores it as one), another finite value as QByteArray::number(x, 'g',
// QLocale::FloatingPointShortest) writes it (the fewest digits that read back, in the shorter
// of the fixed and the exponent form, fixed on a tie; exponents of two digits at least:
// "1e-05", "1e+21"), NaN and infinities as null.
void appendJsonNumber(QByteArray &out, double x)
{
    constexpr double kExactIntegers = 9007199254740992.0; // 2^53
    std::array<char, 32> text {};
    if (!std::isfinite(x)) {
        out += "null";
        return;
    }
    if (std::trunc(x) == x && std::abs(x) < kExactIntegers) {
        const auto written = std::to_chars(text.data(), text.data() + text.size(), qint64(x));
        out.append(text.data(), written.ptr - text.data());
        return;
    }
    // The shortest digits, as "-d.ddde+xx".
    const auto written = std::to_chars(text.data(), text.data() + text.size(), x, std::chars_format::scientific);
    const std::string_view scientific(text.data(), std::size_t(written.ptr - text.data()));
    const bool negative = scientific.front() == '-';
    const std::size_t e = scientific.find('e');
    std::array<char, 24> digits {};
    int n = 0;
    for (std::size_t i = negative ? 1 : 0; i < e; ++i) {
        if (scientific[i] != '.')
            digits[std::size_t(n++)] = scientific[i];
    }
    int exponent = 0;
    const char *exponentBegin = scientific.data() + e + 1;
    std::from_chars(*exponentBegin == '+' ? exponentBegin + 1 : exponentBegin, scientific.data() + scientific.size(),
                    exponent);
    const int point = exponent + 1; // digits before the decimal point
    const int magnitude = std::abs(exponent);
    const int exponentLength = n + (n > 1 ? 1 : 0) + 2 + (magnitude >= 100 ? 3 : 2);
    const int fixedLength = point <= 0 ? 2 - point + n : (point < n ? n + 1 : point);
    if (negative)
        out += '-';
    if (fixedLength <= exponentLength) {
        if (point <= 0) {
            out += "0.";
            out.append(-point, '0');
            out.append(digits.data(), n);
        } else if (point < n) {
            out.append(digits.data(), point);
            out += '.';
            out.append(digits.data() + point, n - point);
        } else {
            out.append(digits.data(), n);
            out.append(point - n, '0');
        }
        return;
    }
    out += digits[0];
    if (n > 1) {
        out += '.';
        out.append(digits.data() + 1, n - 1);
    }
    out += exponent < 0 ? "e-" : "e+";
    if (magnitude < 10)
        out += '0';
    const auto exponentWritten = std::to_chars(text.data(), text.data() + text.size(), magnitude);
    out.append(text.data(), exponentWritten.ptr - text.data());
}

} // namespace

QString Predictions::label(qint64 row) const
{
    if (row < 0 || row >= rows)
        return {};
    if (task == TaskKind::Regression)
        return QString::number(values[std::size_t(row)], 'g', 9);
    const auto k = std::size_t(classes.size());
    if (k == 0)
        return {};
    const double *p = values.data() + std::size_t(row) * k;
    return classes.at(int(std::max_element(p, p + k) - p));
}

QByteArray Predictions::toCsv() const
{
    QStringList header;
    if (task == TaskKind::Regression) {
        header.append(QStringLiteral("prediction"));
    } else {
        header.append(QStringLiteral("label"));
        for (const QString &c : classes)
            header.append(QLatin1String("p_") + c);
    }
    QByteArray csv = csvRecord(header);
    const auto k = std::size_t(classes.size());
    for (qint64 row = 0; row < rows; ++row) {
        QStringList fields {label(row)};
        if (task != TaskKind::Regression) {
            for (std::size_t c = 0; c < k; ++c)
                fields.append(QString::number(values[std::size_t(row) * k + c], 'g', 6));
        }
        csv += csvRecord(fields);
    }
    return csv;
}

QJsonObject Predictions::toJson() const
{
    QJsonArray list;
    const auto k = std::size_t(classes.size());
    for (qint64 row = 0; row < rows; ++row) {
        if (task == TaskKind::Regression) {
            list.append(values[std::size_t(row)]);
            continue;
        }
        QJsonObject probabilities;
        for (std::size_t c = 0; c < k; ++c)
            probabilities.insert(classes.at(int(c)), values[std::size_t(row) * k + c]);
        list.append(
            QJsonObject {{QStringLiteral("label"), label(row)}, {QStringLiteral("probabilities"), probabilities}});
    }
    return {{QStringLiteral("predictions"), list}};
}

QByteArray Predictions::toJsonBytes() const
{
    QByteArray out;
    out += "{\"predictions\":[";
    if (task == TaskKind::Regression) {
        out.reserve(16 + rows * 20);
        for (qint64 row = 0; row < rows; ++row) {
            if (row > 0)
                out += ',';
            appendJsonNumber(out, values[std::size_t(row)]);
        }
        out += "]}";
        return out;
    }
    // QJsonObject keeps its keys sorted (by UTF-16 code unit), a repeated key holding the last
    // value inserted: per distinct class, its key written once and the index of its value.
    const auto k = std::size_t(classes.size());
    std::vector<std::size_t> order(k);
    for (std::size_t c = 0; c < k; ++c)
        order[c] = c;
    std::stable_sort(order.begin(), order.end(),
                     [this](std::size_t a, std::size_t b) { return classes.at(int(a)) < classes.at(int(b)); });
    std::vector<std::pair<QByteArray, std::size_t>> keys;
    keys.reserve(k);
    for (const std::size_t c : order) {
        if (!keys.empty() && classes.at(int(keys.back().second)) == classes.at(int(c))) {
            keys.back().second = c;
            continue;
        }
        QByteArray key;
        appendJsonString(key, classes.at(int(c)));
        key += ':';
        keys.emplace_back(std::move(key), c);
    }
    qsizetype keyBytes = 0;
    for (const auto &key : keys)
        keyBytes += key.first.size() + 24;
    out.reserve(16 + rows * (48 + 2 * keyBytes));
    for (qint64 row = 0; row < rows; ++row) {
        out += row > 0 ? ",{\"label\":" : "{\"label\":";
        appendJsonString(out, label(row));
        out += ",\"probabilities\":{";
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (i > 0)
                out += ',';
            out += keys[i].first;
            appendJsonNumber(out, values[std::size_t(row) * k + keys[i].second]);
        }
        out += "}}";
    }
    out += "]}";
    return out;
}

} // namespace kiln
