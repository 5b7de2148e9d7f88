#include "csvparser.h"

#include "csvsniffer.h"

#include <set>

namespace kiln::Internal {

namespace {

const char kBom[] = "\xEF\xBB\xBF";

// Header cells as column names: an empty one is named after its position, a repeated one
// gets _2, _3... so that every column can be addressed by name.
std::vector<std::string> headerNames(const CsvRecord &record)
{
    std::vector<std::string> names(record.fields(), record.fields() + record.size());
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty())
            names[i] = "column_" + std::to_string(i + 1);
    }
    std::set<std::string> used;
    for (std::string &name : names) {
        if (used.insert(name).second)
            continue;
        for (int suffix = 2;; ++suffix) {
            std::string candidate = name + '_' + std::to_string(suffix);
            if (used.insert(candidate).second) {
                name = std::move(candidate);
                break;
            }
        }
    }
    return names;
}

std::vector<std::string> positionalNames(int count)
{
    std::vector<std::string> names;
    names.reserve(size_t(count));
    for (int i = 1; i <= count; ++i)
        names.push_back("column_" + std::to_string(i));
    return names;
}

} // namespace

CsvParser::CsvParser(const QJsonObject &options, QByteArrayView head, RecordSink *sink)
    : m_sink(sink)
    , m_options(CsvOptions::fromJson(options))
    , m_detector(m_options.encoding)
{
    if (!m_options.error.isEmpty()) {
        fail(0, m_options.error);
        return;
    }
    if (m_options.delimiter && m_options.header)
        configure({}, true);
    else if (!head.isEmpty())
        configure(head, head.size() < kSniffBytes);
    // else: detect from the stream's first bytes once they have arrived.
}

void CsvParser::configure(QByteArrayView head, bool complete)
{
    m_configured = true;
    m_dialect.quote = m_options.quote.value_or('"');
    const CsvSniffer sniffer(head, m_dialect.quote, complete);
    m_dialect.delimiter = m_options.delimiter ? *m_options.delimiter : sniffer.delimiter();
    m_dialect.header = m_options.header ? *m_options.header : sniffer.hasHeader(m_dialect.delimiter);
    if (m_dialect.quote == static_cast<unsigned char>(m_dialect.delimiter)) {
        fail(0, QStringLiteral("the quote and the delimiter must differ"));
        return;
    }
    m_reader.emplace(m_dialect.delimiter, m_dialect.quote, m_options.encoding == TextEncoding::Latin1);
    m_boundary.emplace(m_dialect.delimiter, m_dialect.quote);
}

QJsonObject CsvParser::formatOptions() const
{
    CsvDialect dialect = m_dialect;
    dialect.encoding = m_detector.encoding() == TextEncoding::Latin1 ? TextEncoding::Latin1 : TextEncoding::Utf8;
    return dialect.toJson();
}

bool CsvParser::feed(const char *data, qsizetype size)
{
    if (m_failed)
        return false;
    if (m_finished)
        return fail(0, QStringLiteral("data after the end of the stream"));
    if (size <= 0)
        return true;
    if (!m_configured) {
        m_sniffBuffer.append(data, size_t(size));
        if (qsizetype(m_sniffBuffer.size()) < kSniffBytes)
            return true;
        configure(QByteArrayView(m_sniffBuffer.data(), kSniffBytes), false);
        if (m_failed)
            return false;
        std::string buffered;
        buffered.swap(m_sniffBuffer);
        return consume(buffered.data(), qsizetype(buffered.size()));
    }
    return consume(data, size);
}

void CsvParser::updateEncoding()
{
    if (m_detector.encoding() == TextEncoding::Latin1 && !m_reader->latin1())
        m_reader->setLatin1(true);
}

bool CsvParser::consume(const char *data, qsizetype size)
{
    // The whole chunk is checked before any of it is parsed, so that a record is parsed
    // knowing the encoding of all its bytes.
    m_detector.scan(data, size);
    updateEncoding();
    if (!m_bomDecided) {
        qsizetype i = 0;
        while (i < size && m_bomBytes.size() < 3 && data[i] == kBom[m_bomBytes.size()])
            m_bomBytes.push_back(data[i++]);
        if (m_bomBytes.size() < 3 && i == size)
            return true; // a BOM so far: wait for the byte that decides
        m_bomDecided = true;
        data += i;
        size -= i;
        if (m_bomBytes.size() == 3) {
            m_streamOffset = 3;
        } else {
            std::string held;
            held.swap(m_bomBytes);
            if (!held.empty() && !parseBytes(held.data(), qsizetype(held.size())))
                return false;
        }
    }
    return parseBytes(data, size);
}

bool CsvParser::parseBytes(const char *data, qsizetype size)
{
    const char *p = data;
    const char *end = data + size;
    const qint64 base = m_streamOffset;
    m_streamOffset += size;

    // Complete the record that straddles the previous chunk first; it is parsed once whole.
    while (!m_pending.empty() && p < end) {
        const qsizetype recordBytes = m_boundary->scan(p, end - p);
        const qsizetype take = recordBytes < 0 ? end - p : recordBytes;
        m_pending.append(p, size_t(take));
        p += take;
        if (recordBytes < 0)
            return true;
        if (!parsePending(false))
            return false;
    }

    const char *stop = parseBuffer(p, end, base + (p - data), false);
    if (!stop)
        return false;
    if (stop < end) {
        m_pending.assign(stop, size_t(end - stop));
        m_pendingOffset = base + (stop - data);
        rescanPending();
    }
    return true;
}

void CsvParser::rescanPending()
{
    // The reader stopped for want of data, so the held bytes end inside a record: scanning
    // them finds no record end, it only brings the scanner to where the next chunk goes on.
    m_boundary->reset();
    if (!m_pending.empty())
        m_boundary->scan(m_pending.data(), qsizetype(m_pending.size()));
}

bool CsvParser::parsePending(bool atEof)
{
    const char *begin = m_pending.data();
    const char *stop = parseBuffer(begin, begin + m_pending.size(), m_pendingOffset, atEof);
    if (!stop)
        return false;
    const auto consumed = size_t(stop - begin);
    m_pending.erase(0, consumed);
    m_pendingOffset += qint64(consumed);
    rescanPending();
    return true;
}

const char *CsvParser::parseBuffer(const char *begin, const char *end, qint64 base, bool atEof)
{
    const char *p = begin;
    if (m_skipLf && p < end) {
        if (*p == '\n')
            ++p;
        m_skipLf = false;
    }
    for (;;) {
        p = m_reader->skipBlankLines(p, end, atEof, m_line);
        if (p == end)
            break;
        const qint64 line = m_line;
        const CsvParseResult result = m_reader->parse(p, end, atEof, m_record);
        if (result.status == CsvParseResult::Status::NeedMore)
            return p;
        // An invalid byte inside the record wins over what else is wrong with it, but only one
        // strictly before the reader's error: the bytes up to it are decided whatever the chunks.
        const qint64 reached = base + (result.next - begin);
        const qint64 invalid = m_detector.invalidOffset();
        if (invalid >= 0 && invalid < reached) {
            failEncoding(line);
            return nullptr;
        }
        if (result.status == CsvParseResult::Status::Failed) {
            failRecord(line, result);
            return nullptr;
        }
        m_line += 1 + result.lineBreaks;
        if (!deliver(base + (p - begin), line))
            return nullptr;
        p = result.next;
    }
    if (p > begin && p[-1] == '\r' && !atEof)
        m_skipLf = true;
    return p;
}

bool CsvParser::deliver(qint64 offset, qint64 line)
{
    const int count = m_record.size();
    if (!m_columnsSet) {
        m_columnsSet = true;
        m_columnCount = count;
        if (m_dialect.header) {
            m_headerLine = line;
            m_sink->setColumns(headerNames(m_record));
            return true;
        }
        m_sink->setColumns(positionalNames(count));
    }
    if (count != m_columnCount) {
        return fail(line,
                    QStringLiteral("%1 %2, expected %3")
                        .arg(count)
                        .arg(count == 1 ? QLatin1String("field") : QLatin1String("fields"))
                        .arg(m_columnCount));
    }
    m_sink->addRecord(offset, m_record.fields(), count);
    ++m_records;
    return true;
}

bool CsvParser::finish()
{
    if (m_failed)
        return false;
    if (m_finished)
        return true;
    m_finished = true;
    if (!m_configured) {
        configure(QByteArrayView(m_sniffBuffer.data(), qsizetype(m_sniffBuffer.size())), true);
        if (m_failed)
            return false;
        std::string buffered;
        buffered.swap(m_sniffBuffer);
        if (!consume(buffered.data(), qsizetype(buffered.size())))
            return false;
    }
    m_detector.finish();
    updateEncoding();
    if (!m_bomDecided) {
        m_bomDecided = true;
        std::string held;
        held.swap(m_bomBytes);
        if (!held.empty() && !parseBytes(held.data(), qsizetype(held.size())))
            return false;
    }
    if (!m_pending.empty() && !parsePending(true))
        return false;
    if (m_detector.invalidOffset() >= 0)
        return failEncoding(m_line);
    if (!m_columnsSet)
        return fail(0, QStringLiteral("the file is empty"));
    if (m_dialect.header && m_records == 0) {
        return fail(0, QStringLiteral("line %1 is a header but no data rows follow").arg(m_headerLine));
    }
    return true;
}

bool CsvParser::fail(qint64 line, const QString &message)
{
    m_failed = true;
    m_error = line > 0 ? QStringLiteral("line %1: %2").arg(line).arg(message) : message;
    return false;
}

bool CsvParser::failRecord(qint64 line, const CsvParseResult &result)
{
    switch (result.error) {
    case CsvError::UnclosedQuote:
        return fail(line, QStringLiteral("quoted field is never closed"));
    case CsvError::TextAfterQuote:
        return fail(line, QStringLiteral("unexpected character after closing quote in field %1").arg(result.field));
    case CsvError::FieldTooLong:
        return fail(line, QStringLiteral("field %1 is longer than 1,000,000 bytes").arg(result.field));
    case CsvError::TooManyColumns:
        return fail(line, QStringLiteral("more than 16,384 columns"));
    case CsvError::None:
        break;
    }
    return fail(line, QStringLiteral("malformed record"));
}

bool CsvParser::failEncoding(qint64 line)
{
    const QString byte = QString::number(m_detector.invalidByte(), 16).toUpper().rightJustified(2, QLatin1Char('0'));
    return fail(
        line, QStringLiteral("invalid UTF-8 (byte 0x%1 at byte offset %2)").arg(byte).arg(m_detector.invalidOffset()));
}

} // namespace kiln::Internal
