#pragma once

#include "jsonobjectscanner.h"

#include "plugin/importer.h"

#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::Internal {

/// The streaming TableParser of JSON lines: one object per line (LF or CR LF), blank lines
/// skipped, a UTF-8 byte order mark skipped. Columns are the union of the keys in the order
/// they are first seen; a record that brings new keys announces the grown list first. Only a
/// line that straddles chunks is copied. Lives on one thread; once it fails it stays failed.
class JsonLinesParser final : public TableParser
{
public:
    JsonLinesParser(const QJsonObject &options, RecordSink *sink);

    bool feed(const char *data, qsizetype size) override;
    bool finish() override;
    QString errorString() const override { return m_error; }
    QJsonObject formatOptions() const override;

    static constexpr qsizetype kMaxLineBytes = 16 * 1024 * 1024;

private:
    bool parseLine(const char *begin, const char *end, qint64 offset);
    int columnFor(int member, std::string_view key, bool &grew);
    bool fail(qint64 line, const QString &message);

    RecordSink *m_sink;
    JsonObjectScanner m_scanner;
    std::string m_pending; ///< a line that straddles chunks, without its LF
    qint64 m_pendingOffset = 0;
    qint64 m_streamOffset = 0;
    qint64 m_line = 1; ///< 1-based number of the next line

    std::vector<std::string> m_columns;
    std::deque<std::string> m_keys; ///< stable storage for the views m_columnIndex is keyed by
    std::unordered_map<std::string_view, int> m_columnIndex;
    std::vector<int> m_lastColumns; ///< column of each member of the previous record: the usual order
    std::vector<std::string_view> m_fields;
    bool m_columnsAnnounced = false;

    qint64 m_records = 0;
    bool m_failed = false;
    bool m_finished = false;
    QString m_error;
};

} // namespace kiln::Internal
