#include "runs/systemsampler.h"

#include <QDir>
#include <QFile>

#include <chrono>
#include <unistd.h>

namespace kiln {
namespace {

/// utime + stime (seconds) and RSS (MiB) of one /proc/PID, and its process group.
bool readProcess(const QString &pidDir, qint64 &group, double &cpuSeconds, double &memoryMiB)
{
    QFile stat(pidDir + QLatin1String("/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    if (close < 0)
        return false;
    const QList<QByteArray> f = text.mid(close + 2).split(' ');
    // After ")": index 0 is field 3 (state); pgrp is field 5, utime 14, stime 15, rss 24.
    if (f.size() < 22)
        return false;
    static const double ticks = double(sysconf(_SC_CLK_TCK));
    static const double pageMiB = double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
    group = f.at(2).toLongLong();
    cpuSeconds = double(f.at(11).toLongLong() + f.at(12).toLongLong()) / ticks;
    memoryMiB = double(f.at(21).toLongLong()) * pageMiB;
    return true;
}

} // namespace

SystemSampler::Usage SystemSampler::measure(qint64 processGroup)
{
    Usage usage;
    qint64 group = 0;
    double cpu = 0;
    double memory = 0;
    if (processGroup == 0) {
        if (readProcess(QStringLiteral("/proc/self"), group, cpu, memory))
            usage = {cpu, memory};
        return usage;
    }
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        if (!pid.front().isDigit())
            continue;
        if (readProcess(QLatin1String("/proc/") + pid, group, cpu, memory) && group == processGroup) {
            usage.cpuSeconds += cpu;
            usage.memoryMiB += memory;
        }
    }
    return usage;
}

SystemSampler::SystemSampler(qint64 processGroup, Callback callback)
    : m_group(processGroup)
    , m_callback(std::move(callback))
    , m_thread([this] { run(); })
{ }

SystemSampler::~SystemSampler()
{
    stop();
}

void SystemSampler::stop()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

void SystemSampler::run()
{
    QElapsedTimer clock;
    clock.start();
    Usage previous = measure(m_group);
    qint64 second = 0;
    while (!m_stop) {
        // Wake every 50 ms to notice stop() quickly; sample on each whole second.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (clock.elapsed() < (second + 1) * 1000)
            continue;
        ++second;
        const Usage now = measure(m_group);
        const double cpuPercent = std::max(0.0, (now.cpuSeconds - previous.cpuSeconds) * 100.0);
        previous = now;
        m_callback(second, cpuPercent, now.memoryMiB);
    }
}

} // namespace kiln
