#include "jsonlinesdecoder.h"

#include "jsonobjectscanner.h"

#include <cstring>

namespace kiln::Internal {

JsonLinesDecoder::JsonLinesDecoder(const QStringList &columns)
{
    m_names.reserve(size_t(columns.size()));
    for (const QString &column : columns)
        m_names.push_back(column.toStdString());
    for (size_t i = 0; i < m_names.size(); ++i)
        m_index.emplace(std::string_view(m_names[i]), int(i));
}

void JsonLinesDecoder::decode(QByteArrayView data, std::vector<std::string> &fields) const
{
    fields.resize(m_names.size());
    for (std::string &field : fields)
        field.clear();
    const char *begin = data.data();
    const auto *lineEnd = static_cast<const char *>(std::memchr(begin, '\n', size_t(data.size())));
    const char *end = lineEnd ? lineEnd : begin + data.size();
    if (end > begin && end[-1] == '\r')
        --end;

    thread_local JsonObjectScanner scanner;
    if (scanner.scan(begin, end) != JsonObjectScanner::Result::Object)
        return; // only a damaged file gets here: the record reads as missing values
    for (int i = 0; i < scanner.size(); ++i) {
        const auto column = m_index.find(scanner.key(i));
        if (column != m_index.end())
            fields[size_t(column->second)].assign(scanner.value(i));
    }
}

} // namespace kiln::Internal
