#include "taskstatuswidget.h"

#include "tasks/taskmanager.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace kiln {

namespace {
constexpr int kProgressSteps = 1000;
constexpr int kTitleWidth = 260;
} // namespace

TaskStatusWidget::TaskStatusWidget(TaskManager *tasks, QWidget *parent)
    : QWidget(parent)
    , m_layout(new QVBoxLayout(this))
{
    setObjectName(QStringLiteral("taskStatus"));
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(2);
    connect(tasks, &TaskManager::taskStarted, this, &TaskStatusWidget::addTask);
    connect(tasks, &TaskManager::taskFinished, this, &TaskStatusWidget::removeTask);
    const QList<Task *> active = tasks->activeTasks();
    for (Task *task : active)
        addTask(task);
    setVisible(!m_rows.isEmpty());
}

TaskStatusWidget::~TaskStatusWidget() = default;

void TaskStatusWidget::addTask(Task *task)
{
    if (m_rows.contains(task))
        return;
    auto *row = new QWidget(this);
    row->setObjectName(QStringLiteral("taskRow"));
    auto *title = new QLabel(row);
    title->setText(title->fontMetrics().elidedText(task->title(), Qt::ElideMiddle, kTitleWidth));
    title->setToolTip(task->title());
    auto *progress = new QProgressBar(row);
    progress->setRange(0, kProgressSteps);
    progress->setValue(int(std::lround(task->progress() * kProgressSteps)));
    progress->setFixedWidth(160);
    progress->setMaximumHeight(title->sizeHint().height() + 2);
    progress->setTextVisible(false);
    auto *cancel = new QToolButton(row);
    cancel->setObjectName(QStringLiteral("taskCancel"));
    cancel->setText(tr("Cancel"));
    cancel->setToolTip(tr("Cancel “%1”").arg(task->title()));
    cancel->setAutoRaise(true);

    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(title);
    layout->addWidget(progress);
    layout->addWidget(cancel);

    connect(task, &Task::progressChanged, progress,
            [progress](double fraction) { progress->setValue(int(std::lround(fraction * kProgressSteps))); });
    connect(task, &Task::stateChanged, title, [title, task] { title->setToolTip(task->statusText()); });
    connect(cancel, &QToolButton::clicked, task, [task, cancel] {
        task->cancel();
        cancel->setEnabled(false);
        cancel->setText(tr("Cancelling…"));
    });
    // The manager deletes the task after taskFinished; a task destroyed another way must not
    // leave a row pointing at it.
    connect(task, &QObject::destroyed, this, [this, task] { removeTask(task); });

    m_rows.insert(task, row);
    m_layout->addWidget(row);
    setVisible(true);
}

void TaskStatusWidget::removeTask(Task *task)
{
    QWidget *row = m_rows.take(task);
    if (!row)
        return;
    row->hide();
    row->deleteLater();
    setVisible(!m_rows.isEmpty());
}

} // namespace kiln
