#pragma once

#include "tasks/feedback.h"
#include "util/expected.h"

#include <QObject>
#include <QString>
#include <QTimer>

namespace kiln {

/// One piece of slow work (import, train, push, export). run() executes on a worker
/// thread of the TaskManager's pool; the Task object itself lives on the thread that
/// created it (the GUI thread in the app) and emits all its signals there.
class Task : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Task)

public:
    enum class State { Queued, Running, Succeeded, Failed, Cancelled };
    Q_ENUM(State)

    explicit Task(QString title, QObject *parent = nullptr);
    ~Task() override;

    QString title() const { return m_title; }
    State state() const { return m_state; }
    bool isFinished() const;
    double progress() const { return m_feedback.progress(); }
    QString statusText() const { return m_feedback.statusText(); }
    /// The error for Failed, otherwise a one-line summary set by the task.
    QString message() const { return m_message; }

    /// Asks the work to stop; it ends as Cancelled at its next check.
    void cancel();

    /// Runs the work on the calling thread (kilnctl, tests) and finishes the task.
    void runHere();

Q_SIGNALS:
    void stateChanged(kiln::Task::State state);
    void progressChanged(double fraction);
    /// Emitted once, on the task's thread, after results are applied.
    void finished();

protected:
    /// The work. Runs on a worker thread: touch no QObject of another thread here.
    virtual Status run(Feedback &feedback) = 0;
    /// Runs on the task's thread after run() returned, before finished(): apply results.
    virtual void applyResult() { }
    void setMessage(const QString &message) { m_message = message; }
    Feedback &feedback() { return m_feedback; }

private:
    friend class TaskManager;
    void execute(); // worker thread
    void complete(const Status &status); // task thread
    void setState(State state);
    void pollProgress();

    QString m_title;
    State m_state = State::Queued;
    QString m_message;
    Feedback m_feedback;
    QTimer m_progressTimer;
    double m_lastProgress = -1.0;
};

} // namespace kiln
