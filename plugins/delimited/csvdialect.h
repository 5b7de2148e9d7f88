#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace kiln::Internal {

enum class TextEncoding {
    Detect, ///< ASCII so far: the first non-ASCII byte decides between UTF-8 and Latin-1
    Utf8,
    Latin1,
};

/// Everything needed to split a delimited file into records the same way twice. The parser
/// reports it as formatOptions() so that a stored dataset version is re-read without guessing.
struct CsvDialect
{
    char delimiter = ',';
    int quote = '"'; ///< -1: quoting is off and quotes are ordinary characters
    bool header = true;
    TextEncoding encoding = TextEncoding::Utf8;

    QJsonObject toJson() const;
};

/// What a user forced (or a stored formatOptions() repeats); an absent key is detected.
struct CsvOptions
{
    std::optional<char> delimiter;
    std::optional<int> quote;
    std::optional<bool> header;
    TextEncoding encoding = TextEncoding::Detect;
    QString error; ///< an option that cannot be honoured, e.g. a two-character delimiter

    static CsvOptions fromJson(const QJsonObject &options);
};

} // namespace kiln::Internal
