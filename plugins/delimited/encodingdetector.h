#pragma once

#include "csvdialect.h"

#include <QtGlobal>

namespace kiln::Internal {

/// Decides and checks the text encoding of a byte stream as it arrives, chunk by chunk (a
/// multi-byte sequence may straddle chunks). In Detect mode the stream is ASCII until the
/// first non-ASCII byte: a valid UTF-8 sequence makes it UTF-8 from then on, an invalid one
/// makes it Latin-1 (every byte is a character, nothing left to check). In UTF-8 mode the
/// first invalid sequence is remembered and checking stops. Lives on the parser's thread.
class EncodingDetector final
{
public:
    explicit EncodingDetector(TextEncoding encoding = TextEncoding::Detect);

    /// Checks the next bytes of the stream (all of them, a byte order mark included).
    void scan(const char *data, qsizetype size);
    /// End of stream: a sequence cut short by it is invalid.
    void finish();

    /// Detect while only ASCII has been seen.
    TextEncoding encoding() const { return m_encoding; }
    /// Stream offset of the first byte of the first invalid sequence, or -1.
    qint64 invalidOffset() const { return m_invalidOffset; }
    unsigned char invalidByte() const { return m_invalidByte; }

private:
    void invalid(qint64 offset, unsigned char byte);

    TextEncoding m_encoding;
    qint64 m_offset = 0; ///< stream offset of the next byte scan() sees
    qint64 m_invalidOffset = -1;
    unsigned char m_invalidByte = 0;
    unsigned char m_partial[4] = {};
    int m_partialSize = 0; ///< bytes of a sequence the previous chunk cut off
};

} // namespace kiln::Internal
