#pragma once

#include "plugin/importer.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::Internal {

/// Decodes single JSON-lines records at the offsets JsonLinesParser reported, mapping each
/// key to the stored column of that name (a key absent from the record reads as empty).
/// Const and thread-safe: each thread scans with its own scanner.
class JsonLinesDecoder final : public RecordDecoder
{
public:
    explicit JsonLinesDecoder(const QStringList &columns);
    // The index holds views into m_names.
    JsonLinesDecoder(const JsonLinesDecoder &) = delete;
    JsonLinesDecoder &operator=(const JsonLinesDecoder &) = delete;

    void decode(QByteArrayView data, std::vector<std::string> &fields) const override;

private:
    std::vector<std::string> m_names;
    std::unordered_map<std::string_view, int> m_index;
};

} // namespace kiln::Internal
