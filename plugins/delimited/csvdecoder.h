#pragma once

#include "csvrecordreader.h"

#include "plugin/importer.h"

namespace kiln::Internal {

struct CsvDialect;

/// Decodes single records of a stored delimited file at the offsets CsvParser reported, with
/// the dialect it stored. Const and thread-safe: each thread parses into its own record.
class CsvDecoder final : public RecordDecoder
{
public:
    CsvDecoder(const CsvDialect &dialect, int columnCount);

    void decode(QByteArrayView data, std::vector<std::string> &fields) const override;

private:
    CsvRecordReader m_reader;
    size_t m_columnCount;
};

} // namespace kiln::Internal
