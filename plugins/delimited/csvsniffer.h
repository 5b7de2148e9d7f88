#pragma once

#include <QByteArrayView>

#include <string>
#include <vector>

namespace kiln::Internal {

/// Guesses a delimited file's dialect from its first bytes, quote-aware: the delimiter that
/// splits every sampled record into the same number (> 1) of fields, and whether the first
/// record is a header (a vote per column, in the spirit of Python's csv.Sniffer.has_header).
/// A plain value; the head must outlive it.
class CsvSniffer final
{
public:
    /// `complete`: the head is the whole file, so its last line counts even without a line end.
    CsvSniffer(QByteArrayView head, int quote, bool complete);

    /// The delimiter that fits best; ',' when none splits the records (one column).
    char delimiter() const;
    /// Whether some candidate splits every sampled record (at least two) the same way.
    bool looksDelimited() const;
    bool hasHeader(char delimiter) const;

private:
    struct Candidate
    {
        char delimiter = ',';
        int records = 0;
        int firstCount = 0; ///< fields in the first record
        int matching = 0; ///< records with as many fields as the first
        bool failed = false; ///< a record could not be parsed with it
        bool strayQuotes = false;

        bool consistent() const { return !failed && records > 0 && matching == records && firstCount > 1; }
    };

    Candidate evaluate(char delimiter) const;
    std::vector<std::vector<std::string>> sample(char delimiter, int maxRecords) const;

    QByteArrayView m_head;
    int m_quote;
    bool m_complete;
};

} // namespace kiln::Internal
