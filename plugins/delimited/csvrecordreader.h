#pragma once

#include <QtGlobal>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::Internal {

/// A field longer than this is refused: it is almost always a quote that was never closed.
constexpr std::size_t kMaxFieldBytes = 1000000;
constexpr int kMaxColumns = 16384;

/// One record as CsvRecordReader splits it: UTF-8 fields as views into the input, or into the
/// record's scratch buffer for fields that had to be unescaped or transcoded. Valid until the
/// next parse into the same record; reused so that steady-state parsing allocates nothing.
class CsvRecord final
{
public:
    const std::string_view *fields() const { return m_fields.data(); }
    int size() const { return int(m_fields.size()); }
    std::string_view field(int index) const { return m_fields[size_t(index)]; }
    /// An unquoted field held the quote character (only tracked when the reader sniffs).
    bool strayQuote() const { return m_strayQuote; }

private:
    friend class CsvRecordReader;

    struct ScratchField
    {
        std::size_t index;
        std::size_t offset;
        std::size_t size;
    };

    std::vector<std::string_view> m_fields;
    // The scratch buffer may move while a record grows, so its fields are placed at the end.
    std::vector<ScratchField> m_scratchFields;
    std::string m_scratch;
    bool m_strayQuote = false;
};

enum class CsvError { None, UnclosedQuote, TextAfterQuote, FieldTooLong, TooManyColumns };

struct CsvParseResult
{
    enum class Status { Complete, NeedMore, Failed };
    Status status = Status::NeedMore;
    /// Complete: the first byte after the record's line end. Failed: where the error is (for a
    /// field too long, the byte past the limit, wherever the reader noticed it).
    const char *next = nullptr;
    int lineBreaks = 0; ///< inside quoted fields; the record's own line end is not counted
    CsvError error = CsvError::None;
    int field = 0; ///< 1-based field of the error
};

/// Splits records of one dialect out of a contiguous buffer: RFC 4180 quoting (embedded
/// delimiters, doubled quotes, line breaks), a quote inside an unquoted field is literal,
/// line ends are LF, CR LF or a lone CR. In Latin-1 mode fields are transcoded to UTF-8.
/// Const once set up, so one reader serves any number of threads, each with its own record.
class CsvRecordReader final
{
public:
    CsvRecordReader(char delimiter, int quote, bool latin1);

    void setLatin1(bool latin1);
    bool latin1() const { return m_latin1; }
    /// Sniffing wants to know when an unquoted field contains a quote: a hint of a wrong
    /// delimiter. Off by default, it costs a scan per field.
    void setTrackStrayQuotes(bool track) { m_trackStrayQuotes = track; }

    /// Skips blank lines (empty, or only spaces and tabs that are not the delimiter) from the
    /// start of a line, counting them. Returns where the next record starts, `end` when only
    /// blank lines remain, or `p` itself when the line is still open (and not at EOF).
    const char *skipBlankLines(const char *p, const char *end, bool atEof, qint64 &lines) const
    {
        return skipBlankLines(p, end, atEof, lines, m_delimiter);
    }
    static const char *skipBlankLines(const char *p, const char *end, bool atEof, qint64 &lines, char delimiter);

    /// Parses the record starting at `p`. Without `atEof`, a record that reaches `end` needs
    /// more data; with it, `end` closes the record.
    CsvParseResult parse(const char *p, const char *end, bool atEof, CsvRecord &record) const;

private:
    enum ByteClass : unsigned char { Plain = 0, Delimiter, LineFeed, CarriageReturn, Quote, High };

    void buildTables();
    void appendDecoded(CsvRecord &record, const unsigned char *begin, const unsigned char *end, bool quoted) const;

    char m_delimiter;
    int m_quote;
    bool m_latin1;
    bool m_trackStrayQuotes = false;
    unsigned char m_unquoted[256];
    unsigned char m_quoted[256];
};

} // namespace kiln::Internal
