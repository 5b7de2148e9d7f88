#include "jsonlinesparser.h"

#include "util/utf8.h"

#include <QJsonValue>

#include <cstring>

namespace kiln::Internal {

namespace {

bool isBlank(const char *p, const char *end)
{
    for (; p < end; ++p) {
        if (*p != ' ' && *p != '\t' && *p != '\r')
            return false;
    }
    return true;
}

// 1-based position of `at` in the line, in characters rather than bytes.
qsizetype characterPosition(const char *begin, const char *at)
{
    qsizetype characters = 1;
    for (const char *p = begin; p < at; ++p) {
        if ((static_cast<unsigned char>(*p) & 0xC0) != 0x80)
            ++characters;
    }
    return characters;
}

} // namespace

JsonLinesParser::JsonLinesParser(const QJsonObject &options, RecordSink *sink)
    : m_sink(sink)
{
    const QString encoding = options.value(QLatin1String("encoding")).toString().toLower();
    if (!encoding.isEmpty() && encoding != QLatin1String("utf-8") && encoding != QLatin1String("utf8")
        && encoding != QLatin1String("auto"))
        fail(0, QStringLiteral("unsupported encoding \"%1\": JSON lines are UTF-8").arg(encoding));
}

QJsonObject JsonLinesParser::formatOptions() const
{
    QJsonObject options;
    options.insert(QLatin1String("encoding"), QStringLiteral("utf-8"));
    return options;
}

bool JsonLinesParser::feed(const char *data, qsizetype size)
{
    if (m_failed)
        return false;
    if (m_finished)
        return fail(0, QStringLiteral("data after the end of the stream"));
    const char *p = data;
    const char *end = data + size;
    const qint64 base = m_streamOffset;
    m_streamOffset += size;

    if (!m_pending.empty() && p < end) {
        const auto *lineEnd = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        const char *take = lineEnd ? lineEnd : end;
        m_pending.append(p, size_t(take - p));
        if (qsizetype(m_pending.size()) > kMaxLineBytes)
            return fail(m_line, QStringLiteral("line is longer than 16 MiB"));
        if (!lineEnd)
            return true;
        if (!parseLine(m_pending.data(), m_pending.data() + m_pending.size(), m_pendingOffset))
            return false;
        m_pending.clear();
        p = lineEnd + 1;
    }
    while (p < end) {
        const auto *lineEnd = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!lineEnd) {
            m_pending.assign(p, size_t(end - p));
            m_pendingOffset = base + (p - data);
            if (qsizetype(m_pending.size()) > kMaxLineBytes)
                return fail(m_line, QStringLiteral("line is longer than 16 MiB"));
            break;
        }
        if (!parseLine(p, lineEnd, base + (p - data)))
            return false;
        p = lineEnd + 1;
    }
    return true;
}

bool JsonLinesParser::finish()
{
    if (m_failed)
        return false;
    if (m_finished)
        return true;
    m_finished = true;
    if (!m_pending.empty() && !parseLine(m_pending.data(), m_pending.data() + m_pending.size(), m_pendingOffset))
        return false;
    m_pending.clear();
    if (m_records == 0)
        return fail(0, QStringLiteral("the file is empty"));
    return true;
}

bool JsonLinesParser::parseLine(const char *begin, const char *end, qint64 offset)
{
    const qint64 line = m_line++;
    if (end - begin > kMaxLineBytes)
        return fail(line, QStringLiteral("line is longer than 16 MiB"));
    if (offset == 0 && end - begin >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) {
        begin += 3;
        offset += 3;
    }
    if (end > begin && end[-1] == '\r')
        --end;
    if (isBlank(begin, end))
        return true;

    const qsizetype invalid = utf8::findInvalid(begin, end - begin);
    if (invalid >= 0) {
        const QString byte = QString::number(static_cast<unsigned char>(begin[invalid]), 16).toUpper();
        return fail(line,
                    QStringLiteral("invalid UTF-8 (byte 0x%1 at byte offset %2)")
                        .arg(byte.rightJustified(2, QLatin1Char('0')))
                        .arg(offset + invalid));
    }
    switch (m_scanner.scan(begin, end)) {
    case JsonObjectScanner::Result::Object:
        break;
    case JsonObjectScanner::Result::NotObject:
        return fail(line, QStringLiteral("not a JSON object"));
    case JsonObjectScanner::Result::Invalid:
        return fail(line,
                    QStringLiteral("invalid JSON (%1 at character %2)")
                        .arg(QLatin1String(m_scanner.errorReason()))
                        .arg(characterPosition(begin, m_scanner.errorPosition())));
    }

    bool grew = false;
    const int members = m_scanner.size();
    if (m_lastColumns.size() < size_t(members))
        m_lastColumns.resize(size_t(members), -1);
    for (int i = 0; i < members; ++i)
        m_lastColumns[size_t(i)] = columnFor(i, m_scanner.key(i), grew);
    if (grew || !m_columnsAnnounced) {
        m_sink->setColumns(m_columns);
        m_columnsAnnounced = true;
    }
    m_fields.assign(m_columns.size(), std::string_view());
    // A key given twice: the last one wins, as in most JSON readers.
    for (int i = 0; i < members; ++i)
        m_fields[size_t(m_lastColumns[size_t(i)])] = m_scanner.value(i);
    m_sink->addRecord(offset, m_fields.data(), int(m_fields.size()));
    ++m_records;
    return true;
}

int JsonLinesParser::columnFor(int member, std::string_view key, bool &grew)
{
    // Records of one file mostly list their keys in the same order: try last record's first.
    const int guess = m_lastColumns[size_t(member)];
    if (guess >= 0 && m_columns[size_t(guess)] == key)
        return guess;
    const auto found = m_columnIndex.find(key);
    if (found != m_columnIndex.end())
        return found->second;
    const int column = int(m_columns.size());
    m_keys.emplace_back(key);
    m_columnIndex.emplace(std::string_view(m_keys.back()), column);
    m_columns.emplace_back(key);
    grew = true;
    return column;
}

bool JsonLinesParser::fail(qint64 line, const QString &message)
{
    m_failed = true;
    m_error = line > 0 ? QStringLiteral("line %1: %2").arg(line).arg(message) : message;
    return false;
}

} // namespace kiln::Internal
