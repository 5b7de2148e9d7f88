#pragma once

// What the file-store reader and the exporter share: MLflow's folder names, and numbers as
// Python writes and reads them in metric files ("%s" of a float is its repr; float() and
// int() read them back).

#include <QLatin1String>
#include <QString>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

namespace kiln::mlflow::Internal::filestore {

inline constexpr QLatin1String kMeta("meta.yaml");
inline constexpr QLatin1String kTrash(".trash");
inline constexpr QLatin1String kModels("models");
inline constexpr QLatin1String kParams("params");
inline constexpr QLatin1String kTags("tags");
inline constexpr QLatin1String kMetrics("metrics");
inline constexpr QLatin1String kArtifacts("artifacts");
inline constexpr QLatin1String kRunNameTag("mlflow.runName");
inline constexpr QLatin1String kUserTag("mlflow.user");
inline constexpr QLatin1String kParentTag("mlflow.parentRunId");
inline constexpr QLatin1String kSourceNameTag("mlflow.source.name");
inline constexpr QLatin1String kSourceTypeTag("mlflow.source.type");
/// SourceType.LOCAL, what MLflow's file store writes as a run's source_type.
constexpr int kSourceTypeLocal = 4;

/// Python's repr() of a float: the shortest digits that read back to the same double, in
/// positional notation for decimal exponents -4 to 15 ("0.0001", "1.0", "123.5") and
/// scientific otherwise ("1e-05", "1.5e+16"); "nan", "inf", "-inf".
inline QString pythonFloat(double value)
{
    if (std::isnan(value))
        return QStringLiteral("nan");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const std::string text(buffer, result.ptr);
    // "-d.ddde+XX": split into sign, digits and exponent.
    const std::size_t e = text.find('e');
    std::string mantissa = text.substr(0, e);
    const int exponent = std::atoi(text.c_str() + e + 1);
    const bool negative = !mantissa.empty() && mantissa[0] == '-';
    if (negative)
        mantissa.erase(0, 1);
    std::string digits;
    for (const char c : mantissa) {
        if (c != '.')
            digits += c;
    }
    std::string out = negative ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
        out += digits.substr(0, 1);
        if (digits.size() > 1)
            out += '.' + digits.substr(1);
        out += exponent < 0 ? "e-" : "e+";
        const int magnitude = std::abs(exponent);
        if (magnitude < 10)
            out += '0';
        out += std::to_string(magnitude);
    } else if (exponent < 0) {
        out += "0." + std::string(std::size_t(-exponent - 1), '0') + digits;
    } else {
        const std::size_t integerDigits = std::size_t(exponent) + 1;
        if (digits.size() <= integerDigits) {
            out += digits + std::string(integerDigits - digits.size(), '0') + ".0";
        } else {
            out += digits.substr(0, integerDigits) + '.' + digits.substr(integerDigits);
        }
    }
    return QString::fromLatin1(out.c_str());
}

/// Python's float() of a metric value: decimal or scientific, optional sign, digits grouped
/// with '_', and "nan"/"inf"/"infinity" in any case. Empty when it is not a number.
inline std::optional<double> parsePythonFloat(QStringView text)
{
    QString clean = text.trimmed().toString();
    clean.remove(u'_');
    bool negative = false;
    if (clean.startsWith(u'+') || clean.startsWith(u'-')) {
        negative = clean.startsWith(u'-');
        clean.remove(0, 1);
    }
    const QString lower = clean.toLower();
    if (lower == QLatin1String("nan"))
        return std::nan("");
    if (lower == QLatin1String("inf") || lower == QLatin1String("infinity"))
        return negative ? -HUGE_VAL : HUGE_VAL;
    if (clean.isEmpty() || !(clean.at(0).isDigit() || clean.at(0) == u'.'))
        return std::nullopt;
    const QByteArray bytes = clean.toLatin1();
    double value = 0;
    const auto result = std::from_chars(bytes.constData(), bytes.constData() + bytes.size(), value);
    if (result.ec == std::errc::result_out_of_range) {
        // Python reads 1e999 as inf and 1e-999 as 0.0.
        value = std::strtod(bytes.constData(), nullptr);
    } else if (result.ec != std::errc() || result.ptr != bytes.constData() + bytes.size()) {
        return std::nullopt;
    }
    return negative ? -value : value;
}

/// Python's int() of a timestamp or step: optional sign, digits grouped with '_'.
inline std::optional<qint64> parsePythonInt(QStringView text)
{
    QString clean = text.trimmed().toString();
    clean.remove(u'_');
    if (clean.startsWith(u'+'))
        clean.remove(0, 1);
    if (clean.isEmpty() || clean == QLatin1String("-"))
        return std::nullopt;
    bool ok = false;
    const qint64 value = clean.toLongLong(&ok, 10);
    if (!ok)
        return std::nullopt;
    return value;
}

} // namespace kiln::mlflow::Internal::filestore
