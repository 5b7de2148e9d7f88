#include "csvdecoder.h"

#include "csvdialect.h"

#include <algorithm>

namespace kiln::Internal {

CsvDecoder::CsvDecoder(const CsvDialect &dialect, int columnCount)
    : m_reader(dialect.delimiter, dialect.quote, dialect.encoding == TextEncoding::Latin1)
    , m_columnCount(size_t(std::max(columnCount, 0)))
{ }

void CsvDecoder::decode(QByteArrayView data, std::vector<std::string> &fields) const
{
    thread_local CsvRecord record;
    const CsvParseResult result = m_reader.parse(data.data(), data.data() + data.size(), true, record);
    const size_t parsed
        = result.status == CsvParseResult::Status::Complete ? std::min(size_t(record.size()), m_columnCount) : 0;
    fields.resize(m_columnCount);
    for (size_t i = 0; i < parsed; ++i)
        fields[i].assign(record.field(int(i)));
    // Only a damaged or mismatched file gets here: what is missing reads as empty.
    for (size_t i = parsed; i < m_columnCount; ++i)
        fields[i].clear();
}

} // namespace kiln::Internal
