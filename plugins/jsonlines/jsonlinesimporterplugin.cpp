#include "jsonlinesimporterplugin.h"

#include "jsonlinesdecoder.h"
#include "jsonlinesparser.h"
#include "jsonobjectscanner.h"

#include <QFileInfo>

#include <cstring>

namespace kiln::Internal {

namespace {

constexpr qsizetype kHeadBytes = 64 * 1024;
constexpr int kLinesToCheck = 20;

// The head holds JSON lines if it starts with '{' and each of its first lines is one object.
// A pretty-printed document fails on its first line ("{" alone); a single object too long for
// the head cannot be checked and is given the benefit of the doubt.
bool looksLikeJsonLines(QByteArrayView head)
{
    if (head.startsWith(QByteArrayView("\xEF\xBB\xBF", 3)))
        head = head.sliced(3);
    const char *p = head.data();
    const char *end = p + head.size();
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        ++p;
    if (p == end || *p != '{')
        return false;
    const bool complete = head.size() < kHeadBytes;
    JsonObjectScanner scanner;
    for (int checked = 0; p < end && checked < kLinesToCheck;) {
        const auto *lineEnd = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!lineEnd && !complete)
            break;
        const char *stop = lineEnd ? lineEnd : end;
        const char *q = p;
        while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r'))
            ++q;
        if (q < stop) {
            if (scanner.scan(p, stop) != JsonObjectScanner::Result::Object)
                return false;
            ++checked;
        }
        p = lineEnd ? lineEnd + 1 : end;
    }
    return true;
}

} // namespace

JsonLinesImporterPlugin::JsonLinesImporterPlugin(QObject *parent)
    : QObject(parent)
{ }

QString JsonLinesImporterPlugin::formatId() const
{
    return QStringLiteral("jsonlines");
}

int JsonLinesImporterPlugin::probe(const QString &fileName, QByteArrayView head) const
{
    if (head.contains('\0'))
        return 0; // binary: an archive, UTF-16, ...
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix == QLatin1String("jsonl") || suffix == QLatin1String("ndjson"))
        return 90;
    const bool looksLike = !head.isEmpty() && looksLikeJsonLines(head);
    if (suffix == QLatin1String("json"))
        return looksLike ? 80 : 0; // a .json document that is not JSON lines is not a table
    return looksLike ? 30 : 0;
}

std::unique_ptr<TableParser> JsonLinesImporterPlugin::createParser(const QJsonObject &options, QByteArrayView,
                                                                   RecordSink *sink) const
{
    return std::make_unique<JsonLinesParser>(options, sink);
}

std::unique_ptr<RecordDecoder> JsonLinesImporterPlugin::createDecoder(const QJsonObject &,
                                                                      const QStringList &columns) const
{
    return std::make_unique<JsonLinesDecoder>(columns);
}

} // namespace kiln::Internal
