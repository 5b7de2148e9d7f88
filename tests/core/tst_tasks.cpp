#include "tasks/taskmanager.h"

#include <QSemaphore>
#include <QThread>
#include <QtTest>

using namespace kiln;

namespace {

/// Counts to a limit in small steps, reporting progress, until done or cancelled; can be
/// told to fail. With semaphores it signals `started` at step 2 and waits for `gate`, so a
/// test can act while the work is known to be running.
class CountingTask final : public Task
{
public:
    CountingTask(int limit, bool fail, QSemaphore *started = nullptr, QSemaphore *gate = nullptr)
        : Task(QStringLiteral("Counting"))
        , m_limit(limit)
        , m_fail(fail)
        , m_started(started)
        , m_gate(gate)
    { }
    int reached = 0;
    bool appliedOnOwnerThread = false;
    Qt::HANDLE workerThread = nullptr;

protected:
    Status run(Feedback &feedback) override
    {
        workerThread = QThread::currentThreadId();
        for (int i = 1; i <= m_limit; ++i) {
            if (m_gate && i == 2) {
                m_started->release();
                m_gate->acquire();
            }
            if (feedback.isCanceled())
                return Error {QStringLiteral("stopped")};
            reached = i;
            feedback.setProgress(double(i) / m_limit);
        }
        if (m_fail)
            return Error {QStringLiteral("counting.csv: line 3: broken")};
        setMessage(QStringLiteral("counted to %1").arg(reached));
        return {};
    }
    void applyResult() override { appliedOnOwnerThread = QThread::currentThread() == thread(); }

private:
    int m_limit;
    bool m_fail;
    QSemaphore *m_started;
    QSemaphore *m_gate;
};

} // namespace

class tst_Tasks final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void succeedsOffTheCallingThread();
    void failureCarriesTheMessage();
    void cancelStopsTheWork();
    void runHereForTheCli();
};

void tst_Tasks::succeedsOffTheCallingThread()
{
    TaskManager manager;
    auto *task = new CountingTask(1000, false);
    QSignalSpy finished(task, &Task::finished);
    QSignalSpy started(&manager, &TaskManager::taskStarted);
    QSignalSpy done(&manager, &TaskManager::taskFinished);
    manager.start(task);
    QCOMPARE(started.count(), 1);
    QCOMPARE(manager.activeTasks().size(), 1);
    QVERIFY(finished.wait(10000));
    QCOMPARE(task->state(), Task::State::Succeeded);
    QCOMPARE(task->message(), QStringLiteral("counted to 1000"));
    QCOMPARE(task->progress(), 1.0);
    QVERIFY(task->appliedOnOwnerThread);
    QVERIFY(task->workerThread != QThread::currentThreadId());
    QCOMPARE(done.count(), 1);
    QVERIFY(manager.activeTasks().isEmpty());
}

void tst_Tasks::failureCarriesTheMessage()
{
    TaskManager manager;
    auto *task = new CountingTask(10, true);
    QSignalSpy finished(task, &Task::finished);
    manager.start(task);
    QVERIFY(finished.wait(10000));
    QCOMPARE(task->state(), Task::State::Failed);
    QCOMPARE(task->message(), QStringLiteral("counting.csv: line 3: broken"));
}

void tst_Tasks::cancelStopsTheWork()
{
    TaskManager manager;
    QSemaphore started;
    QSemaphore gate;
    auto *task = new CountingTask(1'000'000, false, &started, &gate);
    QSignalSpy finished(task, &Task::finished);
    manager.start(task);
    QVERIFY(started.tryAcquire(1, 10000)); // the worker is now held at step 2
    task->cancel();
    gate.release();
    QVERIFY(finished.wait(10000));
    QCOMPARE(task->state(), Task::State::Cancelled);
    QCOMPARE(task->reached, 1); // stopped at its first check after cancel()
    QCOMPARE(task->message(), QStringLiteral("Cancelled"));
}

void tst_Tasks::runHereForTheCli()
{
    CountingTask task(5, false);
    QSignalSpy finished(&task, &Task::finished);
    task.runHere();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(task.state(), Task::State::Succeeded);
    QCOMPARE(task.reached, 5);
}

QTEST_GUILESS_MAIN(tst_Tasks)
#include "tst_tasks.moc"
