#include "csvrecordreader.h"

#include <cstring>

namespace kiln::Internal {

namespace {

using Status = CsvParseResult::Status;

CsvParseResult failed(const unsigned char *at, CsvError error, int field)
{
    CsvParseResult result;
    result.status = Status::Failed;
    result.next = reinterpret_cast<const char *>(at);
    result.error = error;
    result.field = field;
    return result;
}

CsvParseResult needMore()
{
    return {};
}

} // namespace

CsvRecordReader::CsvRecordReader(char delimiter, int quote, bool latin1)
    : m_delimiter(delimiter)
    , m_quote(quote)
    , m_latin1(latin1)
{
    buildTables();
}

void CsvRecordReader::setLatin1(bool latin1)
{
    if (latin1 == m_latin1)
        return;
    m_latin1 = latin1;
    buildTables();
}

void CsvRecordReader::buildTables()
{
    std::memset(m_unquoted, Plain, sizeof m_unquoted);
    std::memset(m_quoted, Plain, sizeof m_quoted);
    if (m_latin1) {
        // Only Latin-1 needs to look at high bytes: UTF-8 was validated before parsing.
        std::memset(m_unquoted + 0x80, High, 0x80);
        std::memset(m_quoted + 0x80, High, 0x80);
    }
    m_unquoted[static_cast<unsigned char>(m_delimiter)] = Delimiter;
    m_unquoted[static_cast<unsigned char>('\n')] = LineFeed;
    m_unquoted[static_cast<unsigned char>('\r')] = CarriageReturn;
    m_quoted[static_cast<unsigned char>('\n')] = LineFeed;
    m_quoted[static_cast<unsigned char>('\r')] = CarriageReturn;
    if (m_quote >= 0)
        m_quoted[m_quote] = Quote;
}

const char *CsvRecordReader::skipBlankLines(const char *p, const char *end, bool atEof, qint64 &lines, char delimiter)
{
    for (;;) {
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t') && *q != delimiter)
            ++q;
        if (q == end)
            return atEof ? end : p;
        if (*q == '\n') {
            ++lines;
            p = q + 1;
        } else if (*q == '\r') {
            ++lines;
            p = q + 1;
            if (p < end && *p == '\n')
                ++p;
        } else {
            return p;
        }
    }
}

void CsvRecordReader::appendDecoded(CsvRecord &record, const unsigned char *begin, const unsigned char *end,
                                    bool quoted) const
{
    std::string &scratch = record.m_scratch;
    const std::size_t offset = scratch.size();
    const unsigned char *run = begin;
    for (const unsigned char *p = begin; p < end; ++p) {
        const unsigned char c = *p;
        if (quoted && c == m_quote) {
            // Every quote inside a quoted field was doubled (parse() checked): keep one.
            scratch.append(reinterpret_cast<const char *>(run), size_t(p + 1 - run));
            ++p;
            run = p + 1;
        } else if (c >= 0x80 && m_latin1) {
            scratch.append(reinterpret_cast<const char *>(run), size_t(p - run));
            scratch.push_back(char(0xC0 | (c >> 6)));
            scratch.push_back(char(0x80 | (c & 0x3F)));
            run = p + 1;
        }
    }
    scratch.append(reinterpret_cast<const char *>(run), size_t(end - run));
    record.m_scratchFields.push_back({record.m_fields.size(), offset, scratch.size() - offset});
    record.m_fields.emplace_back();
}

CsvParseResult CsvRecordReader::parse(const char *begin, const char *endOfData, bool atEof, CsvRecord &record) const
{
    record.m_fields.clear();
    record.m_scratchFields.clear();
    record.m_scratch.clear();
    record.m_strayQuote = false;

    const auto *p = reinterpret_cast<const unsigned char *>(begin);
    const auto *end = reinterpret_cast<const unsigned char *>(endOfData);
    int lineBreaks = 0;

    for (;;) {
        const int fieldNumber = int(record.m_fields.size()) + 1;
        if (fieldNumber > kMaxColumns)
            return failed(p, CsvError::TooManyColumns, fieldNumber);

        if (p < end && *p == m_quote) {
            const unsigned char *content = ++p;
            bool decode = false;
            for (;;) {
                while (p < end && m_quoted[*p] == Plain)
                    ++p;
                if (p == end) {
                    if (size_t(p - content) > kMaxFieldBytes)
                        return failed(content + kMaxFieldBytes, CsvError::FieldTooLong, fieldNumber);
                    return atEof ? failed(p, CsvError::UnclosedQuote, fieldNumber) : needMore();
                }
                const unsigned char kind = m_quoted[*p];
                if (kind == Quote) {
                    if (p + 1 == end && !atEof) {
                        // A doubled quote or the closing one: the next byte tells.
                        if (size_t(p - content) > kMaxFieldBytes)
                            return failed(content + kMaxFieldBytes, CsvError::FieldTooLong, fieldNumber);
                        return needMore();
                    }
                    if (p + 1 < end && p[1] == m_quote) {
                        decode = true;
                        p += 2;
                        continue;
                    }
                    break;
                }
                ++p;
                if (kind == High) {
                    decode = true;
                } else {
                    ++lineBreaks;
                    if (kind == CarriageReturn && p < end && *p == '\n')
                        ++p;
                }
            }
            if (size_t(p - content) > kMaxFieldBytes)
                return failed(content + kMaxFieldBytes, CsvError::FieldTooLong, fieldNumber);
            if (decode)
                appendDecoded(record, content, p, true);
            else
                record.m_fields.emplace_back(reinterpret_cast<const char *>(content), size_t(p - content));
            ++p; // the closing quote
            if (p < end && m_unquoted[*p] != Delimiter && m_unquoted[*p] != LineFeed
                && m_unquoted[*p] != CarriageReturn)
                return failed(p, CsvError::TextAfterQuote, fieldNumber);
            if (p == end && !atEof)
                return needMore();
        } else {
            const unsigned char *start = p;
            bool decode = false;
            for (;;) {
                while (p < end && m_unquoted[*p] == Plain)
                    ++p;
                if (p < end && m_unquoted[*p] == High) {
                    decode = true;
                    ++p;
                    continue;
                }
                break;
            }
            if (size_t(p - start) > kMaxFieldBytes)
                return failed(start + kMaxFieldBytes, CsvError::FieldTooLong, fieldNumber);
            if (p == end && !atEof)
                return needMore();
            if (m_trackStrayQuotes && m_quote >= 0 && std::memchr(start, m_quote, size_t(p - start)))
                record.m_strayQuote = true;
            if (decode)
                appendDecoded(record, start, p, false);
            else
                record.m_fields.emplace_back(reinterpret_cast<const char *>(start), size_t(p - start));
        }

        if (p == end)
            break; // atEof: the last record needs no line end
        const unsigned char kind = m_unquoted[*p++];
        if (kind == Delimiter)
            continue;
        if (kind == CarriageReturn && p < end && *p == '\n')
            ++p;
        break;
    }

    for (const CsvRecord::ScratchField &field : record.m_scratchFields)
        record.m_fields[field.index] = std::string_view(record.m_scratch.data() + field.offset, field.size);

    CsvParseResult result;
    result.status = Status::Complete;
    result.next = reinterpret_cast<const char *>(p);
    result.lineBreaks = lineBreaks;
    return result;
}

} // namespace kiln::Internal
