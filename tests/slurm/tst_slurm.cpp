#include "slurm/slurmexecutor.h"
#include "slurmcluster.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QtTest>

#include <csignal>
#include <memory>

using kiln::RunJob;
using kiln::RunQuery;
using kiln::RunRecord;
using kiln::RunStatus;
using kiln::RunStore;
using kiln::SlurmClient;
using kiln::SlurmJobInfo;
using kiln::SlurmJobState;
using Result = kiln::test::KilnctlResult;

/// Runs on a real single-node Slurm cluster (slurmctld + slurmd + munge, started here): the
/// command-line client, then training and command runs sent with `kilnctl train|run --slurm`,
/// whose worker jobs write into the workspace while Slurm runs them.
class tst_Slurm final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void stateNames_data();
    void stateNames();
    void endReasons();
    void batchScriptQuotesForSh();
    void clientSubmitsListsAndCancels();
    void timeLimitedRunIsSubmitted();
    void trainingRunStreamsMetrics();
    void externalRunReportsWhileItRuns();
    void cancelWithRunsCancelAndCtrlC();
    void sweepRunsAsJobArray();
    void controllerDownFailsTheRun();
    void jobWithoutWorkerFailsTheRun();
    void timeLimitedRunEndsFailed();
    void cleanupTestCase();

private:
    Result kilnctl(const QStringList &args) const { return kiln::test::runKilnctl(m_ws, args, m_dir.path()); }
    void startKilnctl(QProcess &process, const QStringList &args) const
    {
        process.setWorkingDirectory(m_dir.path());
        kiln::test::startKilnctl(process, m_ws, args);
        QVERIFY2(process.waitForStarted(10000), qPrintable(process.errorString()));
    }
    RunStore store() const { return RunStore(m_workspace->db()); }
    RunRecord run(qint64 id) const
    {
        auto found = store().run(id);
        if (!found)
            qFatal("no run %lld: %s", id, qPrintable(found.errorMessage()));
        return *found;
    }
    /// The newest run of `experiment`, if there is one yet.
    std::optional<RunRecord> newestRun(const QString &experiment) const
    {
        auto runs = store().runs(RunQuery {experiment, {}, {}, 1, true});
        if (!runs || runs->isEmpty())
            return std::nullopt;
        return runs->first();
    }
    RunJob job(qint64 runId) const
    {
        auto found = store().job(runId);
        if (!found || !found->has_value())
            return {};
        return **found;
    }
    /// What Slurm says about `jobId` now (Unknown when it does not list it).
    static SlurmJobInfo slurmJob(const QString &jobId)
    {
        auto jobs = SlurmClient().jobs({jobId});
        if (!jobs || jobs->isEmpty())
            return {};
        return jobs->first();
    }
    /// The run's Slurm output, for failure messages.
    QString jobOutput(qint64 runId) const
    {
        const RunJob j = job(runId);
        QString text;
        const QDir folder = QFileInfo(j.script).dir();
        for (const QString &file : folder.entryList({QStringLiteral("*.out")}, QDir::Files))
            text += QStringLiteral("--- %1\n%2")
                        .arg(file, QString::fromUtf8(kiln::test::readFile(folder.filePath(file))));
        return text + m_cluster->logs();
    }

    std::unique_ptr<kiln::test::SlurmCluster> m_cluster;
    QTemporaryDir m_dir;
    QString m_ws;
    std::unique_ptr<kiln::Workspace> m_workspace;
    qint64 m_timeLimited = 0;
};

void tst_Slurm::initTestCase()
{
    if (const QString missing = kiln::test::SlurmCluster::missing(); !missing.isEmpty()) {
        // QSKIP spelled out: clang -Wpedantic refuses its empty variadic part.
        QTest::qSkip(
            qPrintable(QStringLiteral("Slurm is not installed (%1): apt-get install slurm-wlm munge").arg(missing)),
            __FILE__, __LINE__);
        return;
    }
    m_cluster = std::make_unique<kiln::test::SlurmCluster>();
    const QString failure = m_cluster->start();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));

    // The jobs run here, on the same machine: a local folder is the shared workspace.
    m_ws = m_dir.filePath(QStringLiteral("ws"));
    QByteArray csv("x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,label\n");
    quint32 state = 2024;
    const auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return double(state >> 8) / double(1u << 24) - 0.5;
    };
    for (int row = 0; row < 10000; ++row) {
        double x[10];
        QByteArrayList fields;
        for (double &v : x) {
            v = next() * 4;
            fields << QByteArray::number(v, 'f', 4);
        }
        const double score = x[0] + 0.5 * x[1] * x[2] - x[3] + next() * 2;
        csv += fields.join(',') + ',' + (score > 0 ? "yes" : "no") + '\n';
    }
    kiln::test::writeFile(m_dir.filePath(QStringLiteral("big.csv")), csv);
    const Result imported = kilnctl({QStringLiteral("import"), m_dir.filePath(QStringLiteral("big.csv"))});
    QVERIFY2(imported.exitCode == 0, imported.err.constData());
    m_workspace = kiln::test::openWorkspace(m_ws);
}

void tst_Slurm::cleanupTestCase()
{
    m_workspace.reset();
    m_cluster.reset();
}

void tst_Slurm::stateNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("runStatus"); // empty: the run goes on

    const auto row = [](const char *name, SlurmJobState state, const char *status) {
        QTest::newRow(*name ? name : "empty") << QString::fromLatin1(name) << int(state) << QString::fromLatin1(status);
    };
    row("PENDING", SlurmJobState::Pending, "");
    row("REQUEUED", SlurmJobState::Pending, "");
    row("RUNNING", SlurmJobState::Running, "");
    row("COMPLETING", SlurmJobState::Running, "");
    row("CONFIGURING", SlurmJobState::Running, "");
    row("SUSPENDED", SlurmJobState::Running, "");
    row("COMPLETED", SlurmJobState::Completed, "finished");
    row("CD", SlurmJobState::Completed, "finished");
    row("FAILED", SlurmJobState::Failed, "failed");
    row("BOOT_FAIL", SlurmJobState::Failed, "failed");
    row("DEADLINE", SlurmJobState::Failed, "failed");
    row("CANCELLED", SlurmJobState::Cancelled, "cancelled");
    row("CANCELLED by 0", SlurmJobState::Cancelled, "cancelled");
    row("TIMEOUT", SlurmJobState::Timeout, "failed");
    row("OUT_OF_MEMORY", SlurmJobState::OutOfMemory, "failed");
    row("NODE_FAIL", SlurmJobState::NodeFail, "failed");
    row("PREEMPTED", SlurmJobState::Preempted, "failed");
    row("REVOKED", SlurmJobState::Unknown, "");
    row("", SlurmJobState::Unknown, "");
}

void tst_Slurm::stateNames()
{
    QFETCH(QString, name);
    QFETCH(int, state);
    QFETCH(QString, runStatus);
    const SlurmJobState mapped = kiln::slurmJobStateFromName(name);
    QCOMPARE(int(mapped), state);
    QCOMPARE(kiln::slurmJobStateFromName(name.toLower()), mapped);
    const std::optional<RunStatus> status = kiln::runStatusForJob(mapped);
    QCOMPARE(status ? kiln::runStatusName(*status) : QString(), runStatus);
    QCOMPARE(kiln::isTerminal(mapped), !runStatus.isEmpty());
}

void tst_Slurm::endReasons()
{
    kiln::ClusterResources requested;
    requested.timeLimitMinutes = 1;
    requested.memoryMb = 512;
    QCOMPARE(kiln::slurmEndReason(QStringLiteral("12"), SlurmJobState::Timeout, QStringLiteral("TimeLimit"), requested),
             QStringLiteral("Slurm ended job 12 at its time limit (1 min)"));
    QCOMPARE(kiln::slurmEndReason(QStringLiteral("12_3"), SlurmJobState::OutOfMemory, QStringLiteral("OutOfMemory"),
                                  requested),
             QStringLiteral("Slurm killed job 12_3: it ran out of memory (512 MB)"));
    requested.timeLimitMinutes = 90;
    QVERIFY(kiln::slurmEndReason(QStringLiteral("7"), SlurmJobState::Timeout, {}, requested)
                .endsWith(QLatin1String("(1 h 30 min)")));
    QCOMPARE(kiln::slurmEndReason(QStringLiteral("7"), SlurmJobState::Failed, QStringLiteral("NonZeroExitCode"), {}),
             QStringLiteral("Slurm job 7 failed (NonZeroExitCode)"));
    QCOMPARE(kiln::slurmEndReason(QStringLiteral("7"), SlurmJobState::Unknown, {}, {}),
             QStringLiteral("Slurm no longer lists job 7"));
}

void tst_Slurm::batchScriptQuotesForSh()
{
    kiln::SlurmBatch batch;
    batch.jobName = QStringLiteral("my run/1");
    batch.resources.cpus = 2;
    batch.resources.memoryMb = 512;
    batch.resources.timeLimitMinutes = 5;
    batch.resources.partition = QStringLiteral("debug");
    batch.outputPath = QStringLiteral("/tmp/a b/%A_%a.out");
    batch.workingDir = m_dir.path();
    batch.arrayTasks = 3;
    batch.environment.insert(QStringLiteral("KILN_X"), QStringLiteral("v'1 $y \"z\""));
    batch.command = {QStringLiteral("/bin/sh"),
                     QStringLiteral("-c"),
                     QStringLiteral("printf '%s\\n' \"$@\" \"$KILN_X\""),
                     QStringLiteral("sh"),
                     QStringLiteral("it's"),
                     QStringLiteral("a  b"),
                     QStringLiteral("$HOME `id` \\"),
                     QStringLiteral("{task}"),
                     QStringLiteral("x{task}")};
    const QByteArray script = kiln::slurmBatchScript(batch);
    for (const char *line : {"#!/bin/sh\n", "\n#SBATCH --job-name=my-run-1\n", "\n#SBATCH --cpus-per-task=2\n",
                             "\n#SBATCH --mem=512\n", "\n#SBATCH --time=5\n", "\n#SBATCH --partition=debug\n",
                             "\n#SBATCH --array=0-2\n", "\n#SBATCH --output=\"/tmp/a b/%A_%a.out\"\n", "\nexec "})
        QVERIFY2(script.contains(line), script.constData());
    // sh runs it as sbatch would (the exec'd command prints its arguments): every word arrives
    // as written, "{task}" as the task index.
    const QString path = kiln::test::writeFile(m_dir.filePath(QStringLiteral("quoting.sh")), script);
    QProcess sh;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLURM_ARRAY_TASK_ID"), QStringLiteral("2"));
    sh.setProcessEnvironment(env);
    sh.start(QStringLiteral("/bin/sh"), {path});
    QVERIFY(sh.waitForFinished(10000));
    QCOMPARE(sh.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(sh.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts),
             (QStringList {QStringLiteral("it's"), QStringLiteral("a  b"), QStringLiteral("$HOME `id` \\"),
                           QStringLiteral("2"), QStringLiteral("x{task}"), QStringLiteral("v'1 $y \"z\"")}));
}

void tst_Slurm::clientSubmitsListsAndCancels()
{
    const SlurmClient client;
    QVERIFY(client.isAvailable());
    const kiln::Status up = client.ping();
    QVERIFY2(up.ok(), qPrintable(up.ok() ? QString() : up.errorMessage()));

    const auto submit = [this, &client](const QString &name, const QString &shell, int arrayTasks = 0) {
        kiln::SlurmBatch batch;
        batch.jobName = name;
        batch.outputPath = m_dir.filePath(name + QStringLiteral("-%j.out"));
        batch.workingDir = m_dir.path();
        batch.command = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), shell};
        batch.arrayTasks = arrayTasks;
        const QString path
            = kiln::test::writeFile(m_dir.filePath(name + QStringLiteral(".sh")), kiln::slurmBatchScript(batch));
        auto id = client.submit(path);
        if (!id)
            qFatal("sbatch %s: %s", qPrintable(path), qPrintable(id.errorMessage()));
        return *id;
    };

    const QString failing = submit(QStringLiteral("exit3"), QStringLiteral("exit 3"));
    QTRY_VERIFY_WITH_TIMEOUT(kiln::isTerminal(slurmJob(failing).state), 30000);
    SlurmJobInfo info = slurmJob(failing);
    QCOMPARE(info.state, SlurmJobState::Failed);
    QCOMPARE(info.stateName, QStringLiteral("FAILED"));
    QCOMPARE(info.exitCode, 3);
    QCOMPARE(info.node, QStringLiteral("localhost"));

    const QString sleeper = submit(QStringLiteral("sleeper"), QStringLiteral("sleep 300"));
    QTRY_COMPARE_WITH_TIMEOUT(slurmJob(sleeper).state, SlurmJobState::Running, 30000);
    QCOMPARE(slurmJob(sleeper).exitCode, -1);
    const kiln::Status cancelled = client.cancel(sleeper);
    QVERIFY2(cancelled.ok(), qPrintable(cancelled.ok() ? QString() : cancelled.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(slurmJob(sleeper).state, SlurmJobState::Cancelled, 30000);

    // An array: each task as "N_i"; asking for "N" lists them all.
    const QString array = submit(QStringLiteral("array"), QStringLiteral("exit 0"), 2);
    QTRY_VERIFY_WITH_TIMEOUT(slurmJob(array + QStringLiteral("_1")).state == SlurmJobState::Completed, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(slurmJob(array + QStringLiteral("_0")).state == SlurmJobState::Completed, 30000);
    auto tasks = client.jobs({array});
    QVERIFY(tasks);
    QSet<QString> ids;
    for (const SlurmJobInfo &task : *tasks)
        ids.insert(task.jobId);
    QCOMPARE(ids, (QSet<QString> {array + QStringLiteral("_0"), array + QStringLiteral("_1")}));

    // A job Slurm never had is absent, not an error.
    auto none = client.jobs({QStringLiteral("987654")});
    QVERIFY2(none, qPrintable(none ? QString() : none.errorMessage()));
    QVERIFY(none->isEmpty());
    QVERIFY(!client.cancel(QStringLiteral("987654")));
}

void tst_Slurm::timeLimitedRunIsSubmitted()
{
    // Sent first, checked last (timeLimitedRunEndsFailed): Slurm ends it a minute or so after
    // it started, while the other tests run beside it.
    const Result r
        = kilnctl({QStringLiteral("run"), QStringLiteral("--slurm"), QStringLiteral("--time"), QStringLiteral("1"),
                   QStringLiteral("--detach"), QStringLiteral("--json"), QStringLiteral("--run-name"),
                   QStringLiteral("sleeper"), QStringLiteral("--"), QStringLiteral("sleep"), QStringLiteral("120")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject submitted = r.json().value(QStringLiteral("runs")).toArray().first().toObject();
    m_timeLimited = submitted.value(QStringLiteral("id")).toInteger();
    QVERIFY(m_timeLimited > 0);
    const QJsonObject jobJson = submitted.value(QStringLiteral("job")).toObject();
    QVERIFY(!jobJson.value(QStringLiteral("id")).toString().isEmpty());
    QCOMPARE(jobJson.value(QStringLiteral("executor")).toString(), QStringLiteral("slurm"));
    QCOMPARE(run(m_timeLimited).spec.resources.timeLimitMinutes, 1);
    QVERIFY(QFileInfo::exists(jobJson.value(QStringLiteral("script")).toString()));
}

void tst_Slurm::trainingRunStreamsMetrics()
{
    QProcess train;
    startKilnctl(train,
                 {QStringLiteral("train"), QStringLiteral("big"), QStringLiteral("--target"), QStringLiteral("label"),
                  QStringLiteral("--param"), QStringLiteral("n_estimators=300"), QStringLiteral("--param"),
                  QStringLiteral("max_depth=8"), QStringLiteral("--experiment"), QStringLiteral("slurm-train"),
                  QStringLiteral("--slurm"), QStringLiteral("--cpus"), QStringLiteral("1"), QStringLiteral("--mem"),
                  QStringLiteral("1G"), QStringLiteral("--json")});
    // While Slurm runs the job, its worker's points reach the workspace (flushed every second):
    // some poll sees part of the 300 rounds. (After the last round the run is still running
    // while it evaluates, so a poll may also see all 300: that proves nothing either way.)
    qint64 pointsWhileRunning = 0;
    QElapsedTimer clock;
    clock.start();
    while (!train.waitForFinished(100) && clock.elapsed() < 180000) {
        const std::optional<RunRecord> current = newestRun(QStringLiteral("slurm-train"));
        if (!current || current->status != RunStatus::Running)
            continue;
        auto points = store().metricPoints(current->id, QStringLiteral("train/logloss"));
        if (points && points->size() < 300)
            pointsWhileRunning = std::max(pointsWhileRunning, qint64(points->size()));
    }
    QCOMPARE(train.state(), QProcess::NotRunning);
    const Result r {train.exitCode(), train.readAllStandardOutput(), train.readAllStandardError()};
    const std::optional<RunRecord> ended = newestRun(QStringLiteral("slurm-train"));
    QVERIFY(ended);
    QVERIFY2(r.exitCode == 0, qPrintable(QString::fromUtf8(r.err) + jobOutput(ended->id)));
    QVERIFY2(pointsWhileRunning > 0, "no metric point reached the workspace while the run was training");

    const QJsonObject json = r.json().value(QStringLiteral("runs")).toArray().first().toObject();
    QCOMPARE(json.value(QStringLiteral("status")).toString(), QStringLiteral("finished"));
    QVERIFY(json.value(QStringLiteral("results")).toObject().value(QStringLiteral("accuracy")).toDouble() > 0.6);
    QCOMPARE(json.value(QStringLiteral("metrics"))
                 .toObject()
                 .value(QStringLiteral("train/logloss"))
                 .toObject()
                 .value(QStringLiteral("steps"))
                 .toInt(),
             300);
    const QJsonObject jobJson = json.value(QStringLiteral("job")).toObject();
    QCOMPARE(jobJson.value(QStringLiteral("node")).toString(), QStringLiteral("localhost"));
    QCOMPARE(jobJson.value(QStringLiteral("state")).toString(), QStringLiteral("COMPLETED"));
    const RunJob stored = job(ended->id);
    QCOMPARE(stored.jobId, jobJson.value(QStringLiteral("id")).toString());
    QCOMPARE(stored.node, QStringLiteral("localhost"));
    QCOMPARE(ended->spec.executor, QStringLiteral("slurm"));
    QCOMPARE(ended->spec.resources.memoryMb, 1024);

    // The run page's facts, from the shell too.
    const Result show = kilnctl({QStringLiteral("runs"), QStringLiteral("show"), QString::number(ended->id)});
    const QByteArray line = QByteArray("job      slurm ") + stored.jobId.toUtf8() + " on localhost: COMPLETED";
    QVERIFY2(show.out.contains(line), show.out.constData());
}

void tst_Slurm::externalRunReportsWhileItRuns()
{
    // The command reports a first point, then waits until the test has seen it in the workspace.
    const QString go = m_dir.filePath(QStringLiteral("go"));
    kiln::test::writeFile(m_dir.filePath(QStringLiteral("report.sh")),
                          "#!/bin/sh\n"
                          "echo '{\"kiln\": \"metric\", \"key\": \"loss\", \"value\": 0.9, \"step\": 0}'\n"
                          "echo 'warming up'\n"
                          "i=0\n"
                          "while [ ! -e '"
                              + go.toUtf8()
                              + "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
                                "echo '{\"kiln\": \"metric\", \"key\": \"loss\", \"value\": 0.4, \"step\": 1}'\n"
                                "echo '{\"kiln\": \"result\", \"key\": \"accuracy\", \"value\": 0.875}'\n");
    QProcess runProcess;
    startKilnctl(runProcess,
                 {QStringLiteral("run"), QStringLiteral("--slurm"), QStringLiteral("--experiment"),
                  QStringLiteral("slurm-command"), QStringLiteral("--json"), QStringLiteral("--"), QStringLiteral("sh"),
                  QStringLiteral("report.sh")});
    const auto firstPointArrived = [this] {
        const std::optional<RunRecord> current = newestRun(QStringLiteral("slurm-command"));
        if (!current || current->status != RunStatus::Running)
            return false;
        auto points = store().metricPoints(current->id, QStringLiteral("loss"));
        return points && points->size() == 1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(firstPointArrived(), 60000);
    kiln::test::writeFile(go, "go");
    QVERIFY(runProcess.waitForFinished(60000));
    const std::optional<RunRecord> ended = newestRun(QStringLiteral("slurm-command"));
    QVERIFY(ended);
    QVERIFY2(runProcess.exitCode() == 0,
             qPrintable(QString::fromUtf8(runProcess.readAllStandardError()) + jobOutput(ended->id)));
    QCOMPARE(ended->status, RunStatus::Finished);
    QCOMPARE(ended->results.value(QStringLiteral("accuracy")), 0.875);
    auto points = store().metricPoints(ended->id, QStringLiteral("loss"));
    QVERIFY(points);
    QCOMPARE(points->size(), std::size_t(2));
    QCOMPARE(job(ended->id).state, QStringLiteral("COMPLETED"));
    QCOMPARE(ended->exitCode, std::optional<int>(0));
}

void tst_Slurm::cancelWithRunsCancelAndCtrlC()
{
    // `kilnctl runs cancel` of a detached run: the request, then scancel.
    const Result detached
        = kilnctl({QStringLiteral("run"), QStringLiteral("--slurm"), QStringLiteral("--detach"),
                   QStringLiteral("--json"), QStringLiteral("--"), QStringLiteral("sleep"), QStringLiteral("300")});
    QVERIFY2(detached.exitCode == 0, detached.err.constData());
    const qint64 id = detached.json()
                          .value(QStringLiteral("runs"))
                          .toArray()
                          .first()
                          .toObject()
                          .value(QStringLiteral("id"))
                          .toInteger();
    QTRY_COMPARE_WITH_TIMEOUT(run(id).status, RunStatus::Running, 30000);
    const QString jobId = job(id).jobId;
    const Result cancel = kilnctl({QStringLiteral("runs"), QStringLiteral("cancel"), QString::number(id)});
    QVERIFY2(cancel.exitCode == 0, cancel.err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(run(id).status, RunStatus::Cancelled, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(slurmJob(jobId).state, SlurmJobState::Cancelled, 30000);
    QCOMPARE(run(id).error, QStringLiteral("cancelled"));

    // Ctrl+C on a waiting kilnctl cancels its run the same way, and it reports the end.
    QProcess waiting;
    startKilnctl(waiting,
                 {QStringLiteral("run"), QStringLiteral("--slurm"), QStringLiteral("--experiment"),
                  QStringLiteral("slurm-interrupt"), QStringLiteral("--json"), QStringLiteral("--"),
                  QStringLiteral("sleep"), QStringLiteral("300")});
    QTRY_VERIFY_WITH_TIMEOUT(newestRun(QStringLiteral("slurm-interrupt"))
                                 && newestRun(QStringLiteral("slurm-interrupt"))->status == RunStatus::Running,
                             30000);
    ::kill(pid_t(waiting.processId()), SIGINT);
    QVERIFY(waiting.waitForFinished(60000));
    QCOMPARE(waiting.exitCode(), 1);
    const QJsonObject json = QJsonDocument::fromJson(waiting.readAllStandardOutput())
                                 .object()
                                 .value(QStringLiteral("runs"))
                                 .toArray()
                                 .first()
                                 .toObject();
    QCOMPARE(json.value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
    QCOMPARE(json.value(QStringLiteral("job")).toObject().value(QStringLiteral("state")).toString(),
             QStringLiteral("CANCELLED"));
}

void tst_Slurm::sweepRunsAsJobArray()
{
    const Result r
        = kilnctl({QStringLiteral("train"), QStringLiteral("big"), QStringLiteral("--target"), QStringLiteral("label"),
                   QStringLiteral("--param"), QStringLiteral("n_estimators=10"), QStringLiteral("--sweep"),
                   QStringLiteral("max_depth=2,4,6"), QStringLiteral("--experiment"), QStringLiteral("slurm-sweep"),
                   QStringLiteral("--slurm"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray points = r.json().value(QStringLiteral("runs")).toArray();
    QCOMPARE(points.size(), 3);
    QSet<QString> jobIds;
    QStringList depths;
    qint64 parent = 0;
    for (const QJsonValue value : points) {
        const QJsonObject point = value.toObject();
        QCOMPARE(point.value(QStringLiteral("status")).toString(), QStringLiteral("finished"));
        parent = point.value(QStringLiteral("parent")).toInteger();
        jobIds.insert(point.value(QStringLiteral("job")).toObject().value(QStringLiteral("id")).toString());
        QCOMPARE(point.value(QStringLiteral("job")).toObject().value(QStringLiteral("node")).toString(),
                 QStringLiteral("localhost"));
        depths << point.value(QStringLiteral("params")).toObject().value(QStringLiteral("max_depth")).toString();
    }
    // One job array: "N_0", "N_1", "N_2", point i as task i.
    const QString array = jobIds.begin()->section(QLatin1Char('_'), 0, 0);
    QCOMPARE(
        jobIds,
        (QSet<QString> {array + QStringLiteral("_0"), array + QStringLiteral("_1"), array + QStringLiteral("_2")}));
    QCOMPARE(depths, (QStringList {QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("6")}));
    QVERIFY(parent > 0);
    QCOMPARE(run(parent).status, RunStatus::Finished);
}

void tst_Slurm::controllerDownFailsTheRun()
{
    const QString dead = m_cluster->deadControllerConf();
    const SlurmClient unreachable(SlurmClient::Options {{}, dead, 30000});
    const kiln::Status ping = unreachable.ping();
    QVERIFY(!ping.ok());
    QVERIFY2(ping.errorMessage().contains(QLatin1String("DOWN")), qPrintable(ping.errorMessage()));
    // squeue --json answers an empty list when it cannot reach the controller: never "no jobs".
    QVERIFY(!unreachable.jobs({QStringLiteral("1")}));

    QProcess submit;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLURM_CONF"), dead);
    submit.setProcessEnvironment(env);
    startKilnctl(submit,
                 {QStringLiteral("run"), QStringLiteral("--slurm"), QStringLiteral("--experiment"),
                  QStringLiteral("slurm-down"), QStringLiteral("--"), QStringLiteral("true")});
    QVERIFY(submit.waitForFinished(60000));
    const QByteArray err = submit.readAllStandardError();
    QCOMPARE(submit.exitCode(), 1);
    QVERIFY2(err.contains("Unable to contact slurm controller"), err.constData());
    const std::optional<RunRecord> failed = newestRun(QStringLiteral("slurm-down"));
    QVERIFY(failed);
    QCOMPARE(failed->status, RunStatus::Failed);
    QVERIFY2(failed->error.contains(QLatin1String("Unable to contact slurm controller")), qPrintable(failed->error));
    QVERIFY(job(failed->id).jobId.isEmpty());
}

void tst_Slurm::jobWithoutWorkerFailsTheRun()
{
    // A batch script whose kilnctl is not there (a node without Kiln): the job fails before any
    // worker could record an end, and refresh() ends the run with the job's output named.
    kiln::RunSpec spec;
    spec.kind = kiln::RunSpec::Kind::Command;
    spec.command = {QStringLiteral("true")};
    spec.workingDir = m_dir.path();
    spec.experiment = QStringLiteral("slurm-no-worker");
    spec.executor = QStringLiteral("slurm");
    RunStore runs = store();
    auto created = runs.createRun(spec);
    QVERIFY(created);
    kiln::SlurmExecutor executor(*m_workspace, SlurmClient(), m_dir.filePath(QStringLiteral("no/kilnctl")));
    auto submitted = executor.submitQueued();
    QVERIFY2(submitted, qPrintable(submitted ? QString() : submitted.errorMessage()));
    QCOMPARE(*submitted, 1);
    QCOMPARE(job(created->id).state, QStringLiteral("PENDING"));
    QVERIFY(!executor.submit(created->id)); // one job per run

    QElapsedTimer clock;
    clock.start();
    while (!kiln::isTerminal(run(created->id).status) && clock.elapsed() < 60000) {
        auto changed = executor.refresh();
        QVERIFY2(changed, qPrintable(changed ? QString() : changed.errorMessage()));
        QTest::qWait(500);
    }
    const RunRecord ended = run(created->id);
    QCOMPARE(ended.status, RunStatus::Failed);
    QVERIFY2(ended.error.contains(QLatin1String("FAILED) without its worker starting the run; see ")),
             qPrintable(ended.error));
    const QString output = ended.error.section(QStringLiteral("; see "), 1);
    QVERIFY2(kiln::test::readFile(output).contains("no/kilnctl"), qPrintable(output));
    QCOMPARE(job(created->id).state, QStringLiteral("FAILED"));
    QCOMPARE(ended.exitCode, std::optional<int>(127));
}

void tst_Slurm::timeLimitedRunEndsFailed()
{
    QVERIFY(m_timeLimited > 0);
    kiln::SlurmExecutor executor(*m_workspace, SlurmClient());
    const auto endedWithSlurmsWord = [&] {
        auto refreshed = executor.refresh();
        if (!refreshed)
            qWarning("refresh: %s", qPrintable(refreshed.errorMessage()));
        return kiln::isTerminal(run(m_timeLimited).status) && job(m_timeLimited).state == QLatin1String("TIMEOUT");
    };
    // --time 1: Slurm's time-limit check runs every 30 s, so the end comes 60 to 90 s after the start.
    QElapsedTimer clock;
    clock.start();
    while (!endedWithSlurmsWord() && clock.elapsed() < 150000)
        QTest::qWait(1000);
    const RunRecord ended = run(m_timeLimited);
    QVERIFY2(
        endedWithSlurmsWord(),
        qPrintable(QStringLiteral("run %1, job %2: %3")
                       .arg(kiln::runStatusName(ended.status), job(m_timeLimited).state, jobOutput(m_timeLimited))));
    QCOMPARE(ended.status, RunStatus::Failed);
    QVERIFY2(ended.error.contains(QLatin1String("time limit (1 min)")), qPrintable(ended.error));
    QCOMPARE(job(m_timeLimited).reason, QStringLiteral("TimeLimit"));
    // The worker caught Slurm's SIGTERM and recorded the end itself, in the 2 s before SIGKILL.
    const QString output = jobOutput(m_timeLimited);
    QVERIFY2(output.contains(QStringLiteral("kiln worker: run %1 failed: Slurm ended job").arg(m_timeLimited)),
             qPrintable(output));
}

QTEST_GUILESS_MAIN(tst_Slurm)
#include "tst_slurm.moc"
