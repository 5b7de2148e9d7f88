#pragma once

#include <QElapsedTimer>

#include <atomic>
#include <functional>
#include <thread>

namespace kiln {

/// Samples CPU (percent of one core) and resident memory (MiB) of a process group every
/// second on a thread of its own, and hands each sample to a callback (on that thread).
/// Reads /proc: Linux only.
class SystemSampler final
{
public:
    using Callback = std::function<void(qint64 second, double cpuPercent, double memoryMiB)>;

    /// `processGroup` 0 samples the calling process alone.
    SystemSampler(qint64 processGroup, Callback callback);
    ~SystemSampler();
    SystemSampler(const SystemSampler &) = delete;
    SystemSampler &operator=(const SystemSampler &) = delete;

    void stop();

    struct Usage
    {
        double cpuSeconds = 0;
        double memoryMiB = 0;
    };
    /// CPU time and memory of the group now (or of this process for 0).
    static Usage measure(qint64 processGroup);

private:
    void run();

    qint64 m_group;
    Callback m_callback;
    std::atomic<bool> m_stop {false};
    std::thread m_thread;
};

} // namespace kiln
