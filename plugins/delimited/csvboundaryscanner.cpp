#include "csvboundaryscanner.h"

#include "csvrecordreader.h"

namespace kiln::Internal {

CsvBoundaryScanner::CsvBoundaryScanner(char delimiter, int quote)
    : m_delimiter(delimiter)
    , m_quote(quote)
{ }

void CsvBoundaryScanner::reset()
{
    m_state = State::FieldStart;
    m_field = 0;
    m_fieldBytes = 0;
}

qsizetype CsvBoundaryScanner::scan(const char *data, qsizetype size)
{
    for (qsizetype i = 0; i < size; ++i) {
        const char c = data[i];
        const bool lineEnd = c == '\n' || c == '\r';
        switch (m_state) {
        case State::FieldStart:
        case State::Unquoted:
            if (lineEnd)
                return i + 1;
            if (c == m_delimiter) {
                m_state = State::FieldStart;
                m_fieldBytes = 0;
                // The reader refuses the record as soon as one field too many begins.
                if (++m_field >= kMaxColumns)
                    return i + 1;
            } else if (m_state == State::FieldStart && static_cast<unsigned char>(c) == m_quote) {
                m_state = State::Quoted;
            } else {
                m_state = State::Unquoted;
                ++m_fieldBytes;
            }
            break;
        case State::Quoted:
            if (static_cast<unsigned char>(c) == m_quote)
                m_state = State::QuoteInQuoted;
            ++m_fieldBytes;
            break;
        case State::QuoteInQuoted:
            if (static_cast<unsigned char>(c) == m_quote) {
                m_state = State::Quoted;
                ++m_fieldBytes;
            } else if (c == m_delimiter) {
                m_state = State::FieldStart;
                m_fieldBytes = 0;
                if (++m_field >= kMaxColumns)
                    return i + 1;
            } else {
                // A line end closes the record; anything else is an error the reader reports.
                return i + 1;
            }
            break;
        }
        // Past the limit by a margin, so the reader is sure to see it too.
        if (m_fieldBytes > qint64(kMaxFieldBytes) + 2)
            return i + 1;
    }
    return -1;
}

} // namespace kiln::Internal
