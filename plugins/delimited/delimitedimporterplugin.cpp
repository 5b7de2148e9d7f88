#include "delimitedimporterplugin.h"

#include "csvdecoder.h"
#include "csvdialect.h"
#include "csvparser.h"
#include "csvsniffer.h"

#include <QFileInfo>

namespace kiln::Internal {

namespace {

// Text has few control characters; anything with NUL bytes, a container's magic number or
// many control bytes is some other format's business (archives have their own plugin).
bool looksBinary(QByteArrayView head)
{
    if (head.contains('\0'))
        return true;
    static const QByteArrayView magics[] = {
        QByteArrayView("PK\x03\x04", 4),
        QByteArrayView("PK\x05\x06", 4),
        QByteArrayView("\x1F\x8B", 2),
        QByteArrayView("BZh", 3),
        QByteArrayView("\xFD"
                       "7zXZ",
                       5),
        QByteArrayView("\x28\xB5\x2F\xFD", 4),
        QByteArrayView("7z\xBC\xAF", 4),
        QByteArrayView("Rar!", 4),
        QByteArrayView("%PDF", 4),
    };
    for (const QByteArrayView magic : magics) {
        if (head.startsWith(magic))
            return true;
    }
    if (head.size() > 262 && head.sliced(257, 5) == QByteArrayView("ustar", 5))
        return true;
    qsizetype controls = 0;
    for (const char c : head) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
            ++controls;
    }
    return controls * 100 > head.size();
}

bool startsLikeJson(QByteArrayView head)
{
    for (const char c : head) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' || c == '[';
    }
    return false;
}

} // namespace

DelimitedImporterPlugin::DelimitedImporterPlugin(QObject *parent)
    : QObject(parent)
{ }

QString DelimitedImporterPlugin::formatId() const
{
    return QStringLiteral("delimited");
}

int DelimitedImporterPlugin::probe(const QString &fileName, QByteArrayView head) const
{
    if (looksBinary(head))
        return 0;
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("tsv") || suffix == QLatin1String("tab")
        || suffix == QLatin1String("psv"))
        return 90;
    const bool complete = head.size() < CsvParser::kSniffBytes;
    if (suffix == QLatin1String("txt") || suffix == QLatin1String("dat")) {
        if (head.isEmpty())
            return 30;
        // Plain text reads as one column, but only a delimited look makes it likely data.
        return CsvSniffer(head, '"', complete).looksDelimited() ? 60 : 10;
    }
    if (head.isEmpty() || startsLikeJson(head))
        return 0;
    return CsvSniffer(head, '"', complete).looksDelimited() ? 20 : 0;
}

std::unique_ptr<TableParser> DelimitedImporterPlugin::createParser(const QJsonObject &options, QByteArrayView head,
                                                                   RecordSink *sink) const
{
    return std::make_unique<CsvParser>(options, head, sink);
}

std::unique_ptr<RecordDecoder> DelimitedImporterPlugin::createDecoder(const QJsonObject &formatOptions,
                                                                      const QStringList &columns) const
{
    const CsvOptions options = CsvOptions::fromJson(formatOptions);
    CsvDialect dialect;
    dialect.delimiter = options.delimiter.value_or(',');
    dialect.quote = options.quote.value_or('"');
    dialect.encoding = options.encoding == TextEncoding::Latin1 ? TextEncoding::Latin1 : TextEncoding::Utf8;
    return std::make_unique<CsvDecoder>(dialect, int(columns.size()));
}

} // namespace kiln::Internal
