#pragma once

#include "data/columnprofile.h"
#include "data/parallelprofiler.h"
#include "plugin/importer.h"
#include "workspace/blobstore.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::Internal {

/// A data file parsed, profiled and staged in the blob store, not yet in the catalog.
struct StagedDataset
{
    QString name;
    QString sourcePath;
    qint64 sourceSize = 0;
    QString format;
    QJsonObject formatOptions;
    qint64 rows = 0;
    QList<ColumnProfile> columns;
    std::unique_ptr<BlobStore::Writer> data;
    std::unique_ptr<BlobStore::Writer> index;
    QString dataSha256;
    QString indexSha256;
};

/// Hashes and writes a blob's bytes on a thread of its own, so that SHA-256 and the disk
/// overlap parsing on a second core. At most a few chunks wait in memory.
class BackgroundBlobWriter final
{
public:
    explicit BackgroundBlobWriter(BlobStore::Writer &writer);
    ~BackgroundBlobWriter();
    BackgroundBlobWriter(const BackgroundBlobWriter &) = delete;
    BackgroundBlobWriter &operator=(const BackgroundBlobWriter &) = delete;

    /// Queues a copy of the bytes; waits while the queue is full. Returns an earlier write error.
    Status write(const char *data, qsizetype size);
    /// Waits until every queued byte is written; the first error, if any.
    Status finish();

private:
    void run();

    BlobStore::Writer &m_writer;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<QByteArray> m_queue;
    bool m_closing = false;
    Status m_status;
    std::thread m_thread;
};

/// Streams one data file in a single pass: each chunk is hashed and staged as a blob, parsed,
/// and every field profiled, while the record offsets go to a second blob (the row index).
/// Memory stays bounded by the chunk size and the profilers' fixed budgets.
class DataFileStager final : public RecordSink
{
public:
    /// `displayName` prefixes errors ("sales.csv", "data.zip!/train.csv").
    DataFileStager(BlobStore &blobs, const ImporterPlugin &plugin, QString displayName);
    ~DataFileStager() override;
    DataFileStager(const DataFileStager &) = delete;
    DataFileStager &operator=(const DataFileStager &) = delete;

    Status start(const QJsonObject &options, QByteArrayView head);
    Status feed(const char *data, qsizetype size);
    /// Ends the stream; the staged blobs are handed over in the result.
    Expected<StagedDataset> finish();

    void setColumns(const std::vector<std::string> &names) override;
    void addRecord(qint64 offset, const std::string_view *fields, int count) override;

private:
    Status flushIndex();
    Error parseError() const;

    BlobStore &m_blobs;
    const ImporterPlugin &m_plugin;
    QString m_displayName;
    std::unique_ptr<TableParser> m_parser;
    std::unique_ptr<BlobStore::Writer> m_data;
    std::unique_ptr<BackgroundBlobWriter> m_dataWriter;
    std::unique_ptr<BlobStore::Writer> m_index;
    ParallelProfiler m_profiler;
    std::vector<qint64> m_indexBuffer;
    Status m_indexStatus;
};

} // namespace kiln::Internal
