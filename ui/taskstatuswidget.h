#pragma once

#include <QHash>
#include <QWidget>

class QVBoxLayout;

namespace kiln {

class Task;
class TaskManager;

/// The one place that lists running tasks: a row per task (title, progress, Cancel) that
/// goes away when the task finishes. Sits in the main window's status bar.
class TaskStatusWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskStatusWidget)

public:
    explicit TaskStatusWidget(TaskManager *tasks, QWidget *parent = nullptr);
    ~TaskStatusWidget() override;

    int rowCount() const { return int(m_rows.size()); }

private:
    void addTask(Task *task);
    void removeTask(Task *task);

    QVBoxLayout *m_layout = nullptr;
    QHash<Task *, QWidget *> m_rows;
};

} // namespace kiln
