#include "utf8validation.h"

#include <cstdint>
#include <cstring>

namespace kiln::Internal {

qsizetype findInvalidUtf8(const char *data, qsizetype size)
{
    const auto *begin = reinterpret_cast<const unsigned char *>(data);
    const unsigned char *p = begin;
    const unsigned char *end = begin + size;
    while (p < end) {
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
        // Unicode 15, table 3-7: the second byte's range depends on the lead byte.
        const unsigned char lead = *p;
        int length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return p - begin;
        }
        if (end - p < length || p[1] < low || p[1] > high)
            return p - begin;
        for (int i = 2; i < length; ++i) {
            if (p[i] < 0x80 || p[i] > 0xBF)
                return p - begin;
        }
        p += length;
    }
    return -1;
}

} // namespace kiln::Internal
