#include "tasks/taskmanager.h"

#include <QThread>

namespace kiln {

TaskManager::TaskManager(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
}

TaskManager::~TaskManager()
{
    cancelAll();
    m_pool.waitForDone();
}

void TaskManager::start(Task *task)
{
    task->setParent(this);
    m_active.append(task);
    connect(task, &Task::finished, this, [this, task] {
        m_active.removeAll(task);
        Q_EMIT taskFinished(task);
        task->deleteLater();
    });
    Q_EMIT taskStarted(task);
    task->setState(Task::State::Running);
    m_pool.start([task] { task->execute(); });
}

QList<Task *> TaskManager::activeTasks() const
{
    QList<Task *> tasks;
    for (const QPointer<Task> &task : m_active) {
        if (task)
            tasks.append(task.data());
    }
    return tasks;
}

void TaskManager::cancelAll()
{
    for (Task *task : activeTasks())
        task->cancel();
}

void TaskManager::waitForIdle()
{
    m_pool.waitForDone();
}

} // namespace kiln
