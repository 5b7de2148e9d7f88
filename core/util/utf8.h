#pragma once

#include <QtGlobal>

#include <cstdint>
#include <cstring>

namespace kiln::utf8 {

/// Strict UTF-8 checking shared by the text importers: the streaming encoding detector of the
/// delimited plugin and the line validator of the JSON-lines plugin. Pure functions, any thread.
/// skipAscii() and checkSequence() are inline because parsers call them once per non-ASCII
/// character, on the hot path of every import.

enum class Sequence { Valid, Invalid, Truncated };

/// First byte in [p, end) with the high bit set, or end. Text is mostly ASCII, so eight bytes
/// are tested at a time.
inline const unsigned char *skipAscii(const unsigned char *p, const unsigned char *end)
{
    while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if (word & 0x8080808080808080ULL)
            break;
        p += 8;
    }
    while (p < end && *p < 0x80)
        ++p;
    return p;
}

/// Checks the sequence whose lead byte is *p (p < end), strictly: no overlong forms, no
/// surrogates, nothing past U+10FFFF. Truncated means [p, end) is a valid prefix that `end`
/// cuts short (more bytes may complete it). `length` receives the bytes the sequence spans
/// when it is valid (1 for ASCII).
inline Sequence checkSequence(const unsigned char *p, const unsigned char *end, int &length)
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

/// Index of the first byte of the first invalid sequence in [data, data + size), or -1. The
/// buffer is the whole text: a sequence cut short by its end is invalid.
qsizetype findInvalid(const char *data, qsizetype size);

} // namespace kiln::utf8
