#include "data/importpipeline.h"

#include <QtEndian>

namespace kiln::Internal {
namespace {
constexpr std::size_t kIndexBatch = 8192; // offsets written per index write
constexpr std::size_t kMaxQueuedChunks = 4;
} // namespace

BackgroundBlobWriter::BackgroundBlobWriter(BlobStore::Writer &writer)
    : m_writer(writer)
    , m_thread([this] { run(); })
{ }

BackgroundBlobWriter::~BackgroundBlobWriter()
{
    finish();
}

Status BackgroundBlobWriter::write(const char *data, qsizetype size)
{
    QByteArray chunk(data, size);
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_queue.size() < kMaxQueuedChunks || !m_status.ok(); });
    if (!m_status.ok())
        return m_status;
    m_queue.push_back(std::move(chunk));
    m_changed.notify_all();
    return {};
}

Status BackgroundBlobWriter::finish()
{
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
        m_changed.notify_all();
    }
    if (m_thread.joinable())
        m_thread.join();
    return m_status;
}

void BackgroundBlobWriter::run()
{
    for (;;) {
        QByteArray chunk;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [this] { return !m_queue.empty() || m_closing; });
            if (m_queue.empty())
                return; // closing and drained
            chunk = std::move(m_queue.front());
            m_queue.pop_front();
            m_changed.notify_all();
        }
        Status s = m_writer.write(chunk.constData(), chunk.size());
        if (!s.ok()) {
            std::lock_guard lock(m_mutex);
            m_status = s;
            m_queue.clear();
            m_changed.notify_all();
            return;
        }
    }
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
    m_dataWriter = std::make_unique<BackgroundBlobWriter>(*m_data);
    m_index = std::move(index).value();
    m_parser = m_plugin.createParser(options, head, this);
    if (!m_parser)
        return Error {QStringLiteral("%1: the %2 importer cannot read it").arg(m_displayName, m_plugin.formatId())};
    return {};
}

Error DataFileStager::parseError() const
{
    return Error {m_displayName + QLatin1String(": ") + m_parser->errorString()};
}

Status DataFileStager::feed(const char *data, qsizetype size)
{
    if (Status s = m_dataWriter->write(data, size); !s)
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
    if (m_profiler.rows() == 0)
        return Error {m_displayName + QLatin1String(": no data rows")};
    if (Status s = m_dataWriter->finish(); !s)
        return s.error();
    m_dataWriter.reset();
    StagedDataset staged;
    auto dataSha = m_data->finish();
    if (!dataSha)
        return dataSha.error();
    auto indexSha = m_index->finish();
    if (!indexSha)
        return indexSha.error();
    staged.format = m_plugin.formatId();
    staged.formatOptions = m_parser->formatOptions();
    staged.rows = m_profiler.rows();
    staged.sourceSize = m_data->size();
    staged.columns = m_profiler.finish();
    staged.dataSha256 = *dataSha;
    staged.indexSha256 = *indexSha;
    staged.data = std::move(m_data);
    staged.index = std::move(m_index);
    return staged;
}

void DataFileStager::setColumns(const std::vector<std::string> &names)
{
    m_profiler.setColumns(names);
}

void DataFileStager::addRecord(qint64 offset, const std::string_view *fields, int count)
{
    m_profiler.addRecord(fields, count);
    m_indexBuffer.push_back(qToLittleEndian(offset));
    if (m_indexBuffer.size() == kIndexBatch && m_indexStatus.ok())
        m_indexStatus = flushIndex();
}

Status DataFileStager::flushIndex()
{
    if (m_indexBuffer.empty())
        return {};
    Status s = m_index->write(reinterpret_cast<const char *>(m_indexBuffer.data()),
                              qint64(m_indexBuffer.size()) * qint64(sizeof(qint64)));
    m_indexBuffer.clear();
    return s;
}

} // namespace kiln::Internal
