#pragma once

#include <QtGlobal>

namespace kiln::Internal {

/// Finds where a record that straddles chunks ends, so that the parser parses it once it is
/// whole instead of re-parsing a growing record after every chunk (quadratic for a long
/// quoted field arriving in small chunks). Keeps its state between calls; quote-aware like
/// CsvRecordReader. Also stops where the record breaks a limit, so that the reader reports it.
class CsvBoundaryScanner final
{
public:
    CsvBoundaryScanner(char delimiter, int quote);

    void reset();
    /// Scans on from where the last call stopped. Returns how many bytes of `data` belong to
    /// the record (its line end included), or -1 when all of them do and it goes on.
    qsizetype scan(const char *data, qsizetype size);

private:
    enum class State { FieldStart, Unquoted, Quoted, QuoteInQuoted };

    char m_delimiter;
    int m_quote;
    State m_state = State::FieldStart;
    int m_field = 0; ///< 0-based index of the field being scanned
    qint64 m_fieldBytes = 0; ///< raw bytes of it so far, quotes inside it included
};

} // namespace kiln::Internal
