#pragma once

#include "data/columnprofile.h"
#include "data/columnprofiler.h"

#include <QList>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kiln::Internal {

/// Profiles the columns of a stream of records on worker threads while the caller keeps
/// parsing. Records are copied into batches; each worker owns a fixed share of the columns
/// and sees every batch in order, so each ColumnProfiler is fed by one thread, in row order.
/// At most a few batches are in flight: memory stays bounded. Used from one thread.
class ParallelProfiler final
{
public:
    explicit ParallelProfiler(int threads = 2);
    ~ParallelProfiler();
    ParallelProfiler(const ParallelProfiler &) = delete;
    ParallelProfiler &operator=(const ParallelProfiler &) = delete;

    /// Appends new columns (existing ones never change); earlier rows count as missing in them.
    void setColumns(const std::vector<std::string> &names);
    void addRecord(const std::string_view *fields, int count);
    qint64 rows() const { return m_rows; }
    /// Waits for the workers and returns one profile per column.
    QList<ColumnProfile> finish();

private:
    /// Records copied out of the parser's buffers: all field bytes back to back, and where each
    /// field ends. Filled with plain memcpy into preallocated storage (no per-field
    /// bookkeeping): copying is on the parsing thread, which is the import's critical path.
    struct Batch
    {
        std::unique_ptr<char[]> bytes;
        std::size_t used = 0;
        std::size_t capacity = 0;
        std::vector<std::uint32_t> ends; ///< end offset of each field, row-major
        int columns = 0;
        int rows = 0;

        const char *data() const { return bytes.get(); }
        void reserve(std::size_t needed);
    };
    struct Worker
    {
        std::thread thread;
        std::deque<std::shared_ptr<const Batch>> queue;
    };

    void submit();
    void drain();
    void work(std::size_t index);

    std::vector<ColumnProfiler> m_profilers;
    std::vector<Worker> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_closing = false;
    std::shared_ptr<Batch> m_current;
    qint64 m_rows = 0;
};

} // namespace kiln::Internal
