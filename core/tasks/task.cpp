#include "tasks/task.h"

#include <QMetaObject>

namespace kiln {

Task::Task(QString title, QObject *parent)
    : QObject(parent)
    , m_title(std::move(title))
{
    // Progress is polled from the atomic in Feedback rather than signalled per update,
    // so a worker reporting a million times costs the GUI thread nothing.
    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, &Task::pollProgress);
}

Task::~Task() = default;

bool Task::isFinished() const
{
    return m_state == State::Succeeded || m_state == State::Failed || m_state == State::Cancelled;
}

void Task::cancel()
{
    m_feedback.cancel();
}

void Task::runHere()
{
    setState(State::Running);
    complete(m_feedback.isCanceled() ? Status(Error {tr("cancelled")}) : run(m_feedback));
}

void Task::execute()
{
    const Status status = m_feedback.isCanceled() ? Status(Error {tr("cancelled")}) : run(m_feedback);
    QMetaObject::invokeMethod(
        this, [this, status] { complete(status); }, Qt::QueuedConnection);
}

void Task::complete(const Status &status)
{
    m_progressTimer.stop();
    if (m_feedback.isCanceled()) {
        m_message = tr("Cancelled");
        setState(State::Cancelled);
    } else if (!status.ok()) {
        m_message = status.errorMessage();
        setState(State::Failed);
    } else {
        pollProgress();
        applyResult();
        setState(State::Succeeded);
    }
    Q_EMIT finished();
}

void Task::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    if (state == State::Running)
        m_progressTimer.start();
    Q_EMIT stateChanged(state);
}

void Task::pollProgress()
{
    const double p = m_feedback.progress();
    if (p != m_lastProgress) {
        m_lastProgress = p;
        Q_EMIT progressChanged(p);
    }
}

} // namespace kiln
