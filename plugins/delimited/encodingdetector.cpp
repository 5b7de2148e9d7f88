#include "encodingdetector.h"

#include "util/utf8.h"

#include <cstring>

namespace kiln::Internal {

EncodingDetector::EncodingDetector(TextEncoding encoding)
    : m_encoding(encoding)
{ }

void EncodingDetector::invalid(qint64 offset, unsigned char byte)
{
    if (m_encoding == TextEncoding::Detect) {
        m_encoding = TextEncoding::Latin1;
        return;
    }
    m_invalidOffset = offset;
    m_invalidByte = byte;
}

void EncodingDetector::scan(const char *data, qsizetype size)
{
    const auto *p = reinterpret_cast<const unsigned char *>(data);
    const unsigned char *end = p + size;
    const qint64 base = m_offset;
    m_offset += size;
    if (m_encoding == TextEncoding::Latin1 || m_invalidOffset >= 0)
        return;

    if (m_partialSize > 0) {
        // Complete the sequence the previous chunk cut, one byte at a time.
        const qint64 leadOffset = base - m_partialSize;
        while (p < end) {
            m_partial[m_partialSize++] = *p++;
            int length = 0;
            const utf8::Sequence sequence = utf8::checkSequence(m_partial, m_partial + m_partialSize, length);
            if (sequence == utf8::Sequence::Truncated)
                continue;
            m_partialSize = 0;
            if (sequence == utf8::Sequence::Invalid) {
                invalid(leadOffset, m_partial[0]);
                return;
            }
            m_encoding = TextEncoding::Utf8;
            break;
        }
        if (m_partialSize > 0)
            return;
    }

    while (p < end) {
        p = utf8::skipAscii(p, end);
        if (p == end)
            break;
        int length = 0;
        switch (utf8::checkSequence(p, end, length)) {
        case utf8::Sequence::Valid:
            m_encoding = TextEncoding::Utf8;
            p += length;
            break;
        case utf8::Sequence::Invalid:
            invalid(base + (p - reinterpret_cast<const unsigned char *>(data)), *p);
            return;
        case utf8::Sequence::Truncated:
            m_partialSize = int(end - p);
            std::memcpy(m_partial, p, size_t(m_partialSize));
            return;
        }
    }
}

void EncodingDetector::finish()
{
    if (m_partialSize > 0 && m_encoding != TextEncoding::Latin1 && m_invalidOffset < 0)
        invalid(m_offset - m_partialSize, m_partial[0]);
    m_partialSize = 0;
}

} // namespace kiln::Internal
