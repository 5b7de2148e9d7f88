#include "data/parallelprofiler.h"

#include <cstring>

namespace kiln::Internal {
namespace {
constexpr int kBatchRows = 8192;
constexpr std::size_t kMaxQueuedBatches = 3;
} // namespace

ParallelProfiler::ParallelProfiler(int threads)
    : m_workers(std::size_t(std::max(1, threads)))
{
    for (std::size_t i = 0; i < m_workers.size(); ++i)
        m_workers[i].thread = std::thread([this, i] { work(i); });
}

ParallelProfiler::~ParallelProfiler()
{
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
        m_changed.notify_all();
    }
    for (Worker &worker : m_workers) {
        if (worker.thread.joinable())
            worker.thread.join();
    }
}

void ParallelProfiler::setColumns(const std::vector<std::string> &names)
{
    if (names.size() <= m_profilers.size())
        return;
    // Profilers are owned by the workers while they run: let them finish what was queued
    // before the column set changes.
    submit();
    drain();
    for (std::size_t i = m_profilers.size(); i < names.size(); ++i) {
        ColumnProfiler profiler(QString::fromUtf8(names[i].data(), qsizetype(names[i].size())));
        for (qint64 row = 0; row < m_rows; ++row)
            profiler.add(std::string_view());
        m_profilers.push_back(std::move(profiler));
    }
}

void ParallelProfiler::Batch::reserve(std::size_t needed)
{
    if (used + needed <= capacity)
        return;
    const std::size_t grown = std::max(capacity * 2, used + needed);
    std::unique_ptr<char[]> larger(new char[grown]);
    if (used > 0)
        std::memcpy(larger.get(), bytes.get(), used);
    bytes = std::move(larger);
    capacity = grown;
}

void ParallelProfiler::addRecord(const std::string_view *fields, int count)
{
    if (!m_current) {
        m_current = std::make_shared<Batch>();
        m_current->columns = int(m_profilers.size());
        m_current->ends.resize(std::size_t(kBatchRows) * m_profilers.size());
        m_current->reserve(std::size_t(kBatchRows) * 64);
    }
    Batch &batch = *m_current;
    const int n = std::min(count, batch.columns);
    std::size_t total = 0;
    for (int c = 0; c < n; ++c)
        total += fields[c].size();
    batch.reserve(total);
    char *out = batch.bytes.get() + batch.used;
    std::uint32_t *ends = batch.ends.data() + std::size_t(batch.rows) * std::size_t(batch.columns);
    std::size_t offset = batch.used;
    for (int c = 0; c < n; ++c) {
        std::memcpy(out, fields[c].data(), fields[c].size());
        out += fields[c].size();
        offset += fields[c].size();
        ends[c] = std::uint32_t(offset);
    }
    for (int c = n; c < batch.columns; ++c)
        ends[c] = std::uint32_t(offset); // fields the record lacks: empty, so missing
    batch.used = offset;
    ++batch.rows;
    ++m_rows;
    // 32-bit offsets: a batch ends well before 4 GiB (fields are at most ~1 MB each).
    if (batch.rows == kBatchRows || batch.used > (std::size_t(1) << 30))
        submit();
}

void ParallelProfiler::submit()
{
    if (!m_current)
        return;
    std::shared_ptr<const Batch> batch = std::move(m_current);
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] {
        for (const Worker &worker : m_workers) {
            if (worker.queue.size() >= kMaxQueuedBatches)
                return false;
        }
        return true;
    });
    for (Worker &worker : m_workers)
        worker.queue.push_back(batch);
    m_changed.notify_all();
}

void ParallelProfiler::drain()
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] {
        for (const Worker &worker : m_workers) {
            if (!worker.queue.empty())
                return false;
        }
        return true;
    });
}

void ParallelProfiler::work(std::size_t index)
{
    const std::size_t stride = m_workers.size();
    for (;;) {
        std::shared_ptr<const Batch> batch;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [this, index] { return !m_workers[index].queue.empty() || m_closing; });
            if (m_workers[index].queue.empty())
                return;
            batch = m_workers[index].queue.front();
        }
        const auto columns = std::size_t(batch->columns);
        for (std::size_t c = index; c < columns; c += stride) {
            ColumnProfiler &profiler = m_profilers[c];
            for (std::size_t r = 0; r < std::size_t(batch->rows); ++r) {
                const std::size_t i = r * columns + c;
                const std::uint32_t begin = i == 0 ? 0 : batch->ends[i - 1];
                profiler.add(std::string_view(batch->data() + begin, batch->ends[i] - begin));
            }
        }
        std::lock_guard lock(m_mutex);
        // Popped only when done, so drain() also waits for the batch in hand.
        m_workers[index].queue.pop_front();
        m_changed.notify_all();
    }
}

QList<ColumnProfile> ParallelProfiler::finish()
{
    submit();
    drain();
    QList<ColumnProfile> profiles;
    for (const ColumnProfiler &profiler : m_profilers)
        profiles.append(profiler.finish());
    return profiles;
}

} // namespace kiln::Internal
