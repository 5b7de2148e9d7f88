#pragma once

#include "csvboundaryscanner.h"
#include "csvdialect.h"
#include "csvrecordreader.h"
#include "encodingdetector.h"

#include "plugin/importer.h"

#include <optional>
#include <string>

namespace kiln::Internal {

/// The streaming TableParser of delimited text. Detects what the options leave open (the
/// delimiter and header from the head, the encoding as bytes arrive), skips a UTF-8 byte order
/// mark and blank lines, and hands each record to the sink as views into the chunk being fed:
/// only records that straddle chunks, or fields that need unescaping or transcoding, are
/// copied. Lives on one thread; once it fails it stays failed.
class CsvParser final : public TableParser
{
public:
    CsvParser(const QJsonObject &options, QByteArrayView head, RecordSink *sink);

    bool feed(const char *data, qsizetype size) override;
    bool finish() override;
    QString errorString() const override { return m_error; }
    QJsonObject formatOptions() const override;

    /// How much of the head detection looks at; a shorter head is the whole file.
    static constexpr qsizetype kSniffBytes = 64 * 1024;

private:
    void configure(QByteArrayView head, bool complete);
    bool consume(const char *data, qsizetype size);
    bool parseBytes(const char *data, qsizetype size);
    bool parsePending(bool atEof);
    void rescanPending();
    /// Parses records from [begin, end), whose first byte is at stream offset `base`. Returns
    /// where it stopped for want of data, or nullptr on an error.
    const char *parseBuffer(const char *begin, const char *end, qint64 base, bool atEof);
    bool deliver(qint64 offset, qint64 line);
    bool fail(qint64 line, const QString &message);
    bool failRecord(qint64 line, const CsvParseResult &result);
    bool failEncoding(qint64 line);
    void updateEncoding();

    RecordSink *m_sink;
    CsvOptions m_options;
    CsvDialect m_dialect;
    std::optional<CsvRecordReader> m_reader;
    std::optional<CsvBoundaryScanner> m_boundary;
    CsvRecord m_record;
    EncodingDetector m_detector;

    bool m_configured = false;
    std::string m_sniffBuffer; ///< the stream's first bytes, when no head was given to detect from
    bool m_bomDecided = false;
    std::string m_bomBytes; ///< first bytes held until it is clear whether they are a BOM

    std::string m_pending; ///< a record that straddles chunks, up to its end once found
    qint64 m_pendingOffset = 0;
    qint64 m_streamOffset = 0; ///< stream offset of the next byte parseBytes() sees
    qint64 m_line = 1; ///< 1-based physical line where the next line starts
    bool m_skipLf = false; ///< the last chunk ended in CR: a LF first in the next is its pair

    bool m_columnsSet = false;
    int m_columnCount = 0;
    qint64 m_headerLine = 0;
    qint64 m_records = 0;
    bool m_failed = false;
    bool m_finished = false;
    QString m_error;
};

} // namespace kiln::Internal
