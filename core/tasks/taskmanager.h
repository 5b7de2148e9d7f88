#pragma once

#include "tasks/task.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

namespace kiln {

/// Starts Tasks on its own thread pool and keeps the list of those not yet finished.
/// Lives on the GUI thread; the one place the UI asks "what is running?".
class TaskManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskManager)

public:
    explicit TaskManager(QObject *parent = nullptr);
    ~TaskManager() override;

    /// Takes ownership and queues the task; it is deleted (deleteLater) after finished().
    void start(Task *task);
    QList<Task *> activeTasks() const;
    void cancelAll();
    /// Blocks until the pool is idle (shutdown only: never on a path the user waits on).
    void waitForIdle();

Q_SIGNALS:
    void taskStarted(kiln::Task *task);
    void taskFinished(kiln::Task *task);

private:
    QThreadPool m_pool;
    QList<QPointer<Task>> m_active;
};

} // namespace kiln
