#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "tasks/taskmanager.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QtTest>

using namespace kiln;

/// External command runs with real processes (Debian's python3 and sh), driven through the
/// scheduler as the app and kilnctl drive them.
class tst_ExternalRuns final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void pythonHelperAndProtocolAreRecorded();
    void failingCommandFails();
    void cancelEndsTheProcessTree();
    void timeoutFailsTheRun();
    void retriesUntilItSucceeds();
    void missingCommandIsAClearError();
    void sweepRunsEveryPoint();

private:
    RunRecord submit(const RunSpec &spec);
    RunRecord waitForEnd(qint64 runId, int timeoutMs = 60000);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;
    std::unique_ptr<TaskManager> m_tasks;
    std::unique_ptr<RunScheduler> m_scheduler;
};

void tst_ExternalRuns::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto ws = Workspace::open(m_dir->filePath(QStringLiteral("ws")));
    QVERIFY(ws.ok());
    m_ws = std::move(ws).value();
    m_tasks = std::make_unique<TaskManager>();
    m_scheduler = std::make_unique<RunScheduler>(m_ws->root(), *m_tasks);
    m_scheduler->setConcurrency(2);
    QVERIFY(m_scheduler->start().ok());
}

void tst_ExternalRuns::cleanup()
{
    m_scheduler.reset();
    m_tasks.reset();
    m_ws.reset();
    m_dir.reset();
}

RunRecord tst_ExternalRuns::submit(const RunSpec &spec)
{
    RunStore store(m_ws->db());
    auto run = submitRun(store, spec);
    if (!run)
        qFatal("%s", qPrintable(run.errorMessage()));
    m_scheduler->poke();
    return *run;
}

RunRecord tst_ExternalRuns::waitForEnd(qint64 runId, int timeoutMs)
{
    RunStore store(m_ws->db());
    // Callers check the status they expect; a run still going after the timeout fails that.
    if (!QTest::qWaitFor([&] { return isTerminal(store.run(runId, false)->status); }, timeoutMs))
        qWarning("run %lld did not end within %d ms", runId, timeoutMs);
    return *store.run(runId);
}

void tst_ExternalRuns::pythonHelperAndProtocolAreRecorded()
{
    const QString script = test::writeFile(m_dir->filePath(QStringLiteral("train.py")), R"(
import os, sys
import kiln_tracking as kiln
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
print("starting with", args)
kiln.log_param("optimizer", "adam")
kiln.log_tag("team", "vision")
for epoch in range(5):
    kiln.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
print('{"kiln": "metric", "key": "broken"')
kiln.log_result("accuracy", 0.875)
with open(os.path.join(kiln.output_dir(), "weights.txt"), "w") as f:
    f.write("w=" + args["--lr"] + " env=" + os.environ["KILN_PARAM_LR"])
open("declared.bin", "wb").write(b"\x00\x01")
kiln.log_artifact("declared.bin")
print("done", file=sys.stderr)
)");
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = {QStringLiteral("/usr/bin/python3"), script};
    spec.workingDir = m_dir->path();
    spec.params.insert(QStringLiteral("lr"), QStringLiteral("0.01"));
    const RunRecord run = waitForEnd(submit(spec).id);
    QCOMPARE(runStatusName(run.status), QStringLiteral("finished"));
    QCOMPARE(run.exitCode, std::optional<int>(0));
    QCOMPARE(run.results.value(QStringLiteral("accuracy")), 0.875);
    QVERIFY(run.params.contains(qMakePair(QStringLiteral("optimizer"), QStringLiteral("adam"))));
    QVERIFY(run.params.contains(qMakePair(QStringLiteral("lr"), QStringLiteral("0.01"))));
    QVERIFY(run.tags.contains(qMakePair(QStringLiteral("team"), QStringLiteral("vision"))));

    RunStore store(m_ws->db());
    auto loss = store.metricPoints(run.id, QStringLiteral("loss"));
    QCOMPARE(loss->size(), std::size_t(5));
    QCOMPARE(loss->at(4).step, 4);
    QCOMPARE(loss->at(4).value, 0.2);
    auto artifacts = store.artifacts(run.id);
    QStringList paths;
    for (const ArtifactInfo &a : *artifacts)
        paths << a.path;
    QVERIFY2(paths.contains(QStringLiteral("outputs/weights.txt")), qPrintable(paths.join(QLatin1Char(','))));
    QVERIFY(paths.contains(QStringLiteral("declared.bin")));
    QVERIFY(paths.contains(QStringLiteral("log.txt")));
    const auto weights = std::find_if(artifacts->begin(), artifacts->end(), [](const ArtifactInfo &a) {
        return a.path == QLatin1String("outputs/weights.txt");
    });
    QCOMPARE(test::readFile(m_ws->blobs().pathFor(weights->sha256)), QByteArray("w=0.01 env=0.01"));
    const auto log = std::find_if(artifacts->begin(), artifacts->end(),
                                  [](const ArtifactInfo &a) { return a.path == QLatin1String("log.txt"); });
    const QByteArray text = test::readFile(m_ws->blobs().pathFor(log->sha256));
    QVERIFY2(text.contains("starting with"), text.constData());
    QVERIFY(text.contains("done")); // stderr is part of the log
    QVERIFY(text.contains("{\"kiln\": \"metric\", \"key\": \"broken\"")); // kept...
    QVERIFY(text.contains("not a valid protocol line")); // ...and reported
    QVERIFY(!text.contains("\"key\":\"loss\"")); // protocol lines are not log lines
    // CPU and memory were sampled while it ran (at least the first second, if it lasted).
    QVERIFY(run.reproducibility.value(QStringLiteral("command")).toArray().size() == 2);
}

void tst_ExternalRuns::failingCommandFails()
{
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("echo oops; exit 3")};
    const RunRecord run = waitForEnd(submit(spec).id);
    QCOMPARE(runStatusName(run.status), QStringLiteral("failed"));
    QCOMPARE(run.exitCode, std::optional<int>(3));
    QCOMPARE(run.error, QStringLiteral("exited with code 3"));
}

void tst_ExternalRuns::cancelEndsTheProcessTree()
{
    const QString pidFile = m_dir->filePath(QStringLiteral("child.pid"));
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    // The command starts a grandchild that would outlive a naive kill of the direct child.
    spec.command = {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                    QStringLiteral("sleep 300 & echo $! > '%1'; wait").arg(pidFile)};
    const RunRecord run = submit(spec);
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(pidFile).size() > 0, 20000);
    const qint64 grandchild = test::readFile(pidFile).trimmed().toLongLong();
    QVERIFY(grandchild > 0);
    QVERIFY(test::processAlive(grandchild));
    QVERIFY(m_scheduler->cancel(run.id).ok());
    const RunRecord ended = waitForEnd(run.id);
    QCOMPARE(runStatusName(ended.status), QStringLiteral("cancelled"));
    QTRY_VERIFY_WITH_TIMEOUT(!test::processAlive(grandchild), 10000);
}

void tst_ExternalRuns::timeoutFailsTheRun()
{
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = {QStringLiteral("/bin/sleep"), QStringLiteral("300")};
    spec.timeoutSeconds = 1;
    const RunRecord run = waitForEnd(submit(spec).id, 30000);
    QCOMPARE(runStatusName(run.status), QStringLiteral("failed"));
    QCOMPARE(run.error, QStringLiteral("timed out after 1 s"));
}

void tst_ExternalRuns::retriesUntilItSucceeds()
{
    const QString marker = m_dir->filePath(QStringLiteral("tried"));
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    // Fails the first time, succeeds the second.
    spec.command = {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                    QStringLiteral("if [ -e '%1' ]; then exit 0; else touch '%1'; exit 1; fi").arg(marker)};
    spec.maxRetries = 2;
    const RunRecord run = waitForEnd(submit(spec).id);
    QCOMPARE(runStatusName(run.status), QStringLiteral("finished"));
    QCOMPARE(run.attempt, 2);
}

void tst_ExternalRuns::missingCommandIsAClearError()
{
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = {QStringLiteral("no-such-trainer-xyz")};
    const RunRecord run = waitForEnd(submit(spec).id);
    QCOMPARE(runStatusName(run.status), QStringLiteral("failed"));
    QCOMPARE(run.error, QStringLiteral("command 'no-such-trainer-xyz' not found on PATH"));
}

void tst_ExternalRuns::sweepRunsEveryPoint()
{
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command
        = {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
           QStringLiteral("echo \"{\\\"kiln\\\":\\\"result\\\",\\\"key\\\":\\\"x\\\",\\\"value\\\":$KILN_PARAM_X}\"")};
    spec.sweep.insert(QStringLiteral("x"), {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")});
    const RunRecord parent = submit(spec);
    const RunRecord ended = waitForEnd(parent.id);
    QCOMPARE(runStatusName(ended.status), QStringLiteral("finished"));
    auto children = RunStore(m_ws->db()).runs(RunQuery {{}, {}, parent.id, 0, true});
    QCOMPARE(children->size(), 3);
    QList<double> xs;
    for (const RunRecord &child : *children) {
        QCOMPARE(runStatusName(child.status), QStringLiteral("finished"));
        xs << child.results.value(QStringLiteral("x"));
    }
    std::sort(xs.begin(), xs.end());
    QCOMPARE(xs, (QList<double> {1, 2, 3}));
}

QTEST_GUILESS_MAIN(tst_ExternalRuns)
#include "tst_externalruns.moc"
