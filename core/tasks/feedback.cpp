#include "tasks/feedback.h"

#include <algorithm>

namespace kiln {

void Feedback::setProgress(double fraction)
{
    fraction = std::clamp(fraction, 0.0, 1.0);
    m_progress.store(fraction, std::memory_order_relaxed);
    if (m_callback)
        m_callback(fraction);
}

void Feedback::setStatusText(const QString &text)
{
    QMutexLocker lock(&m_textMutex);
    m_statusText = text;
}

QString Feedback::statusText() const
{
    QMutexLocker lock(&m_textMutex);
    return m_statusText;
}

} // namespace kiln
