#include "encodingdetector.h"

#include <cstdint>
#include <cstring>

namespace kiln::Internal {

EncodingDetector::EncodingDetector(TextEncoding encoding)
    : m_encoding(encoding)
{ }

EncodingDetector::Sequence EncodingDetector::checkSequence(const unsigned char *p, const unsigned char *end,
                                                           int &length)
{
    // Unicode 15, table 3-7: the second byte's range depends on the lead byte.
    const unsigned char lead = p[0];
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead < 0x80) {
        length = 1;
        return Sequence::Valid;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            low = 0xA0;
        else if (lead == 0xED)
            high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            low = 0x90;
        else if (lead == 0xF4)
            high = 0x8F;
    } else {
        return Sequence::Invalid;
    }
    for (int i = 1; i < length; ++i) {
        if (p + i >= end)
            return Sequence::Truncated;
        const unsigned char c = p[i];
        if (i == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF))
            return Sequence::Invalid;
    }
    return Sequence::Valid;
}

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
            const Sequence sequence = checkSequence(m_partial, m_partial + m_partialSize, length);
            if (sequence == Sequence::Truncated)
                continue;
            m_partialSize = 0;
            if (sequence == Sequence::Invalid) {
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
        // Text is mostly ASCII: test eight bytes at a time for a high bit.
        while (end - p >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, sizeof word);
            if (word & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        while (p < end && *p < 0x80)
            ++p;
        if (p == end)
            break;
        int length = 0;
        switch (checkSequence(p, end, length)) {
        case Sequence::Valid:
            m_encoding = TextEncoding::Utf8;
            p += length;
            break;
        case Sequence::Invalid:
            invalid(base + (p - reinterpret_cast<const unsigned char *>(data)), *p);
            return;
        case Sequence::Truncated:
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
