#include "data/importpipeline.h"

#include <QtEndian>

namespace kiln::Internal {
namespace {
constexpr std::size_t kIndexBatch = 8192; // offsets written per index write
}

DataFileStager::DataFileStager(BlobStore &blobs, const ImporterPlugin &plugin, QString displayName)
    : m_blobs(blobs)
    , m_plugin(plugin)
    , m_displayName(std::move(displayName))
{
    m_indexBuffer.reserve(kIndexBatch);
}

DataFileStager::~DataFileStager() = default;

Status DataFileStager::start(const QJsonObject &options, QByteArrayView head)
{
    auto data = m_blobs.beginWrite();
    if (!data)
        return data.error();
    auto index = m_blobs.beginWrite();
    if (!index)
        return index.error();
    m_data = std::move(data).value();
    m_index = std::move(index).value();
    m_parser = m_plugin.createParser(options, head, this);
    if (!m_parser)
        return Error{QStringLiteral("%1: the %2 importer cannot read it").arg(m_displayName, m_plugin.formatId())};
    return {};
}

Error DataFileStager::parseError() const
{
    return Error{m_displayName + QLatin1String(": ") + m_parser->errorString()};
}

Status DataFileStager::feed(const char *data, qsizetype size)
{
    if (Status s = m_data->write(data, size); !s)
        return s;
    if (!m_parser->feed(data, size))
        return parseError();
    return m_indexStatus;
}

Expected<StagedDataset> DataFileStager::finish()
{
    if (!m_parser->finish())
        return parseError();
    if (Status s = flushIndex(); !s)
        return s.error();
    if (m_rows == 0)
        return Error{m_displayName + QLatin1String(": no data rows")};
    StagedDataset staged;
    auto dataSha = m_data->finish();
    if (!dataSha)
        return dataSha.error();
    auto indexSha = m_index->finish();
    if (!indexSha)
        return indexSha.error();
    staged.format = m_plugin.formatId();
    staged.formatOptions = m_parser->formatOptions();
    staged.rows = m_rows;
    staged.sourceSize = m_data->size();
    for (const ColumnProfiler &profiler : m_profilers)
        staged.columns.append(profiler.finish());
    staged.dataSha256 = *dataSha;
    staged.indexSha256 = *indexSha;
    staged.data = std::move(m_data);
    staged.index = std::move(m_index);
    return staged;
}

void DataFileStager::setColumns(const std::vector<std::string> &names)
{
    // Columns only ever grow (JSON lines meeting a new key): earlier rows lacked them.
    for (std::size_t i = m_profilers.size(); i < names.size(); ++i) {
        ColumnProfiler profiler(QString::fromUtf8(names[i].data(), qsizetype(names[i].size())));
        for (qint64 row = 0; row < m_rows; ++row)
            profiler.add(std::string_view());
        m_profilers.push_back(std::move(profiler));
    }
}

void DataFileStager::addRecord(qint64 offset, const std::string_view *fields, int count)
{
    const int n = std::min(count, int(m_profilers.size()));
    for (int i = 0; i < n; ++i)
        m_profilers[std::size_t(i)].add(fields[i]);
    for (std::size_t i = std::size_t(n); i < m_profilers.size(); ++i)
        m_profilers[i].add(std::string_view());
    m_indexBuffer.push_back(qToLittleEndian(offset));
    ++m_rows;
    if (m_indexBuffer.size() == kIndexBatch && m_indexStatus.ok())
        m_indexStatus = flushIndex();
}

Status DataFileStager::flushIndex()
{
    if (m_indexBuffer.empty())
        return {};
    Status s = m_index->write(reinterpret_cast<const char *>(m_indexBuffer.data()),
                              qint64(m_indexBuffer.size() * sizeof(qint64)));
    m_indexBuffer.clear();
    return s;
}

} // namespace kiln::Internal
