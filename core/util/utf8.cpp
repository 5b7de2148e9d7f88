#include "util/utf8.h"

namespace kiln::utf8 {

qsizetype findInvalid(const char *data, qsizetype size)
{
    const auto *begin = reinterpret_cast<const unsigned char *>(data);
    const unsigned char *end = begin + size;
    const unsigned char *p = skipAscii(begin, end);
    while (p < end) {
        int length = 0;
        if (checkSequence(p, end, length) != Sequence::Valid)
            return p - begin;
        p = skipAscii(p + length, end);
    }
    return -1;
}

} // namespace kiln::utf8
