#include "csvsniffer.h"

#include "csvrecordreader.h"

#include <QtGlobal>

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

namespace kiln::Internal {

namespace {

// In order of preference when several split every record alike: a rare character that does
// so is stronger evidence than a common one (decimal commas in ';' files, times in ',' files).
constexpr char kCandidates[] = {'\t', ';', '|', ',', ':'};
constexpr int kDelimiterSample = 1000;
constexpr int kHeaderSample = 50;
// Lines of spaces and tabs are blank to the sniffer whatever the candidate: they must not make
// tab the delimiter of a file that has none.
constexpr char kWhitespaceOnly = ',';

QByteArrayView withoutBom(QByteArrayView head)
{
    if (head.size() >= 3 && head.startsWith(QByteArrayView("\xEF\xBB\xBF", 3)))
        return head.sliced(3);
    return head;
}

enum class CellKind { Missing, Number, Boolean, Date, Text };

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool equalsNoCase(std::string_view text, std::string_view word)
{
    return text.size() == word.size() && std::equal(text.begin(), text.end(), word.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isNumber(std::string_view text)
{
    size_t i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-'))
        ++i;
    int digits = 0;
    while (i < text.size() && isDigit(text[i]))
        ++i, ++digits;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && isDigit(text[i]))
            ++i, ++digits;
    }
    if (digits == 0)
        return false;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-'))
            ++i;
        const size_t exponentStart = i;
        while (i < text.size() && isDigit(text[i]))
            ++i;
        if (i == exponentStart)
            return false;
    }
    return i == text.size();
}

// Matches a run of digits of the given length range at text[i]; advances i.
bool digits(std::string_view text, size_t &i, size_t minimum, size_t maximum)
{
    size_t count = 0;
    while (i < text.size() && isDigit(text[i]) && count < maximum)
        ++i, ++count;
    return count >= minimum;
}

bool isDate(std::string_view text)
{
    size_t i = 0;
    // YYYY-MM-DD or YYYY/MM/DD, with anything (a time) after it.
    if (digits(text, i, 4, 4) && i < text.size() && (text[i] == '-' || text[i] == '/')) {
        const char separator = text[i++];
        return digits(text, i, 1, 2) && i < text.size() && text[i++] == separator && digits(text, i, 1, 2)
            && (i == text.size() || !isDigit(text[i]));
    }
    // DD/MM/YYYY or MM/DD/YYYY.
    i = 0;
    return digits(text, i, 1, 2) && i < text.size() && text[i++] == '/' && digits(text, i, 1, 2) && i < text.size()
        && text[i++] == '/' && digits(text, i, 4, 4) && (i == text.size() || !isDigit(text[i]));
}

CellKind classify(std::string_view cell)
{
    const std::string_view text = trimmed(cell);
    if (text.empty())
        return CellKind::Missing;
    for (const std::string_view missing : {"na", "n/a", "nan", "null", "none"}) {
        if (equalsNoCase(text, missing))
            return CellKind::Missing;
    }
    if (isNumber(text))
        return CellKind::Number;
    for (const std::string_view word : {"true", "false", "yes", "no"}) {
        if (equalsNoCase(text, word))
            return CellKind::Boolean;
    }
    if (isDate(text))
        return CellKind::Date;
    return CellKind::Text;
}

bool isTyped(CellKind kind)
{
    return kind == CellKind::Number || kind == CellKind::Boolean || kind == CellKind::Date;
}

// +1: the first row looks like a header over this column, -1: like data, 0: cannot tell.
int columnVote(const std::vector<std::vector<std::string>> &rows, size_t column)
{
    const std::string &first = rows.front()[column];
    const CellKind firstKind = classify(first);
    bool seen = false;
    bool uniform = true;
    CellKind kind = CellKind::Missing;
    size_t length = 0;
    bool sameLength = true;
    int texts = 0;
    for (size_t row = 1; row < rows.size(); ++row) {
        if (rows[row].size() != rows.front().size())
            continue;
        const std::string &cell = rows[row][column];
        const CellKind cellKind = classify(cell);
        if (cellKind == CellKind::Missing)
            continue;
        if (!seen) {
            kind = cellKind;
            length = cell.size();
            seen = true;
        }
        uniform = uniform && cellKind == kind;
        if (cellKind == CellKind::Text) {
            sameLength = sameLength && cell.size() == length;
            ++texts;
        }
    }
    if (!seen || firstKind == CellKind::Missing)
        return 0;
    if (uniform && isTyped(kind))
        return firstKind == kind ? -1 : 1;
    // Text of one fixed length (codes, ids) under a header of another length: Python's rule,
    // on enough values that a shared length is no coincidence.
    if (uniform && kind == CellKind::Text && texts >= 3 && sameLength && firstKind == CellKind::Text)
        return first.size() != length ? 1 : -1;
    return 0;
}

} // namespace

CsvSniffer::CsvSniffer(QByteArrayView head, int quote, bool complete)
    : m_head(withoutBom(head))
    , m_quote(quote)
    , m_complete(complete)
{ }

CsvSniffer::Candidate CsvSniffer::evaluate(char delimiter) const
{
    Candidate candidate;
    candidate.delimiter = delimiter;
    CsvRecordReader reader(delimiter, m_quote, false);
    reader.setTrackStrayQuotes(true);
    CsvRecord record;
    const char *p = m_head.data();
    const char *end = p + m_head.size();
    qint64 lines = 0;
    while (candidate.records < kDelimiterSample) {
        p = CsvRecordReader::skipBlankLines(p, end, m_complete, lines, kWhitespaceOnly);
        if (p == end)
            break;
        const CsvParseResult result = reader.parse(p, end, m_complete, record);
        if (result.status == CsvParseResult::Status::NeedMore)
            break;
        if (result.status == CsvParseResult::Status::Failed) {
            candidate.failed = true;
            break;
        }
        if (candidate.records++ == 0)
            candidate.firstCount = record.size();
        if (record.size() == candidate.firstCount)
            ++candidate.matching;
        candidate.strayQuotes = candidate.strayQuotes || record.strayQuote();
        p = result.next;
    }
    return candidate;
}

char CsvSniffer::delimiter() const
{
    // Rank: 3 splits every record cleanly, 2 with quotes inside unquoted fields, 1 until a
    // record it cannot parse (a real error the parser will then report with its line).
    auto rank = [](const Candidate &c) {
        if (c.records == 0 || c.matching != c.records || c.firstCount < 2)
            return 0;
        if (c.failed)
            return 1;
        return c.strayQuotes ? 2 : 3;
    };
    const Candidate *best = nullptr;
    const Candidate *mostlyConsistent = nullptr;
    std::vector<Candidate> candidates;
    candidates.reserve(std::size(kCandidates));
    for (const char c : kCandidates)
        candidates.push_back(evaluate(c));
    for (const Candidate &candidate : candidates) {
        const int candidateRank = rank(candidate);
        if (candidateRank > 0) {
            const int bestRank = best ? rank(*best) : 0;
            // One record proves little: then more fields is the better guess.
            const bool better = candidateRank > bestRank
                || (candidateRank == bestRank && candidate.records == 1 && candidate.firstCount > best->firstCount);
            if (better)
                best = &candidate;
        } else if (candidate.firstCount > 1 && candidate.matching * 5 >= candidate.records * 4
                   && (!mostlyConsistent || candidate.matching > mostlyConsistent->matching)) {
            mostlyConsistent = &candidate;
        }
    }
    if (best)
        return best->delimiter;
    // Ragged rows: keep the delimiter most of them agree on, so the parser names the bad line.
    return mostlyConsistent ? mostlyConsistent->delimiter : ',';
}

bool CsvSniffer::looksDelimited() const
{
    for (const char c : kCandidates) {
        const Candidate candidate = evaluate(c);
        if (candidate.consistent() && candidate.records >= 2)
            return true;
    }
    return false;
}

std::vector<std::vector<std::string>> CsvSniffer::sample(char delimiter, int maxRecords) const
{
    std::vector<std::vector<std::string>> rows;
    CsvRecordReader reader(delimiter, m_quote, false);
    CsvRecord record;
    const char *p = m_head.data();
    const char *end = p + m_head.size();
    qint64 lines = 0;
    while (int(rows.size()) < maxRecords) {
        p = CsvRecordReader::skipBlankLines(p, end, m_complete, lines, kWhitespaceOnly);
        if (p == end)
            break;
        const CsvParseResult result = reader.parse(p, end, m_complete, record);
        if (result.status != CsvParseResult::Status::Complete)
            break;
        rows.emplace_back(record.fields(), record.fields() + record.size());
        p = result.next;
    }
    return rows;
}

bool CsvSniffer::hasHeader(char delimiter) const
{
    const std::vector<std::vector<std::string>> rows = sample(delimiter, kHeaderSample);
    if (rows.empty())
        return true;
    const std::vector<std::string> &first = rows.front();
    int votes = 0;
    for (size_t column = 0; column < first.size(); ++column)
        votes += columnVote(rows, column);
    if (votes != 0)
        return votes > 0;
    // Nothing to compare with (all text, or one row): a header names things, so its cells are
    // words, present and distinct.
    std::set<std::string_view> seen;
    for (const std::string &cell : first) {
        const CellKind kind = classify(cell);
        if (kind != CellKind::Text || !seen.insert(cell).second)
            return false;
    }
    return true;
}

} // namespace kiln::Internal
