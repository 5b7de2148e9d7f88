#pragma once

#include <QtGlobal>

namespace kiln::Internal {

/// Index of the first byte of the first invalid UTF-8 sequence in [data, data + size), or -1.
/// Strict (no overlong forms, surrogates or code points past U+10FFFF); a sequence cut by the
/// end is invalid. ASCII is skipped eight bytes at a time.
qsizetype findInvalidUtf8(const char *data, qsizetype size);

} // namespace kiln::Internal
