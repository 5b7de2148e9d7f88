#pragma once

#include <QMutex>
#include <QString>

#include <atomic>
#include <functional>

namespace kiln {

/// Progress and cancellation handed into every slow algorithm. Thread-safe: the worker
/// reports, any thread reads or cancels. Core code polls isCanceled() between chunks.
class Feedback final
{
public:
    Feedback() = default;
    Feedback(const Feedback &) = delete;
    Feedback &operator=(const Feedback &) = delete;

    void cancel() { m_canceled.store(true, std::memory_order_relaxed); }
    bool isCanceled() const { return m_canceled.load(std::memory_order_relaxed); }

    /// Fraction done, 0 to 1; values outside are clamped.
    void setProgress(double fraction);
    double progress() const { return m_progress.load(std::memory_order_relaxed); }

    /// A short line on what is being done now ("reading sales.csv").
    void setStatusText(const QString &text);
    QString statusText() const;

    /// Called on the reporting thread after each setProgress (the CLI prints from it).
    void setProgressCallback(std::function<void(double)> callback) { m_callback = std::move(callback); }

private:
    std::atomic<bool> m_canceled {false};
    std::atomic<double> m_progress {0.0};
    mutable QMutex m_textMutex;
    QString m_statusText;
    std::function<void(double)> m_callback;
};

} // namespace kiln
