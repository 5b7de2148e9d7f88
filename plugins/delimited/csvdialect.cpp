#include "csvdialect.h"

#include <QJsonValue>

namespace kiln::Internal {

namespace {

QString encodingName(TextEncoding encoding)
{
    return encoding == TextEncoding::Latin1 ? QStringLiteral("latin-1") : QStringLiteral("utf-8");
}

// Names and spellings a person types on the command line, besides the character itself.
std::optional<char> delimiterFromString(const QString &text)
{
    if (text == QLatin1String("\\t") || text.compare(QLatin1String("tab"), Qt::CaseInsensitive) == 0)
        return '\t';
    if (text.size() != 1 || text.at(0).unicode() >= 0x80)
        return std::nullopt;
    const char c = char(text.at(0).unicode());
    if (c == '\n' || c == '\r' || c == '\0')
        return std::nullopt;
    return c;
}

std::optional<bool> boolFromValue(const QJsonValue &value)
{
    if (value.isBool())
        return value.toBool();
    const QString text = value.toString().toLower();
    if (text == QLatin1String("true") || text == QLatin1String("yes") || text == QLatin1String("1"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("no") || text == QLatin1String("0"))
        return false;
    return std::nullopt;
}

} // namespace

QJsonObject CsvDialect::toJson() const
{
    QJsonObject object;
    object.insert(QLatin1String("delimiter"), QString(QLatin1Char(delimiter)));
    object.insert(QLatin1String("header"), header);
    object.insert(QLatin1String("encoding"), encodingName(encoding));
    object.insert(QLatin1String("quote"), quote < 0 ? QString() : QString(QLatin1Char(char(quote))));
    return object;
}

CsvOptions CsvOptions::fromJson(const QJsonObject &options)
{
    CsvOptions result;
    const QJsonValue delimiter = options.value(QLatin1String("delimiter"));
    if (!delimiter.isUndefined() && !delimiter.isNull()) {
        result.delimiter = delimiterFromString(delimiter.toString());
        if (!result.delimiter)
            result.error
                = QStringLiteral("unsupported delimiter \"%1\": use one ASCII character").arg(delimiter.toString());
    }
    const QJsonValue quote = options.value(QLatin1String("quote"));
    if (!quote.isUndefined() && !quote.isNull()) {
        const QString text = quote.toString();
        if (text.isEmpty())
            result.quote = -1;
        else if (text.size() == 1 && text.at(0).unicode() < 0x80 && text.at(0) != QLatin1Char('\n')
                 && text.at(0) != QLatin1Char('\r'))
            result.quote = int(text.at(0).unicode());
        else
            result.error = QStringLiteral("unsupported quote \"%1\": use one ASCII character").arg(text);
    }
    const QJsonValue header = options.value(QLatin1String("header"));
    if (!header.isUndefined() && !header.isNull()) {
        result.header = boolFromValue(header);
        if (!result.header)
            result.error = QStringLiteral("header must be true or false");
    }
    const QString encoding = options.value(QLatin1String("encoding")).toString().toLower();
    if (encoding == QLatin1String("utf-8") || encoding == QLatin1String("utf8"))
        result.encoding = TextEncoding::Utf8;
    else if (encoding == QLatin1String("latin-1") || encoding == QLatin1String("latin1")
             || encoding == QLatin1String("iso-8859-1"))
        result.encoding = TextEncoding::Latin1;
    else if (!encoding.isEmpty() && encoding != QLatin1String("auto"))
        result.error = QStringLiteral("unsupported encoding \"%1\": use utf-8 or latin-1").arg(encoding);
    if (result.error.isEmpty() && result.delimiter && result.quote && *result.quote == *result.delimiter)
        result.error = QStringLiteral("the quote and the delimiter must differ");
    return result;
}

} // namespace kiln::Internal
