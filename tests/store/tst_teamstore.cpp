#include "postgresserver.h"
#include "runs/runstore.h"
#include "storage/database.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QtTest>

#include <thread>

using namespace kiln;

/// A team store on a real PostgreSQL server (Debian's postgresql 15, started by the test on
/// loopback): several kilnctl processes and threads writing at once lose and duplicate
/// nothing; a store that cannot be used says which and why, and is left as it was; the
/// password comes from the URL, a pgpass file or the keychain; kilnctl makes and describes
/// stores without ever printing a password.
class tst_TeamStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void kilnctlProcessesLogMetricsAtOnce();
    void processesClaimEachQueuedRunOnce();
    void threadsWriteThroughTheirOwnConnections();
    void unreachableServerFailsWithinTheTimeout();
    void silentServerFailsWithinTheTimeout();
    void wrongPasswordIsRefused();
    void missingDatabaseIsNamed();
    void databaseThatIsNotAStoreIsLeftAlone();
    void newerSchemaIsRefused();
    void lostServerFailsCleanly();
    void passwordSources_data();
    void passwordSources();
    void kilnctlInitAndInfo();
    void kilnctlInitNeedsABlobFolder();
    void kilnctlKeepsAWrongPasswordOut();

private:
    /// A new database on the shared server; its URL (with the password) and ?blobs= a folder.
    QString newStore(const QString &name, QString *plainUrl = nullptr);
    /// kilnctl's environment: credentials in this test's file, no ~/.pgpass, no $PGPASSWORD.
    QProcessEnvironment kilnctlEnvironment() const;
    test::KilnctlResult kilnctl(const QString &workspace, const QStringList &args, const QByteArray &input = {});
    /// Whether the table exists in the shared server's `database` (read through a connection
    /// of its own).
    bool hasTable(const QString &database, const char *table);

    test::PostgresServer *m_server = nullptr;
    std::unique_ptr<QTemporaryDir> m_dir;
    QByteArray m_savedEnvironment[3];
};

namespace {

const char *const kEnvironment[] = {"KILN_CREDENTIALS_FILE", "PGPASSFILE", "PGPASSWORD"};

/// The value step `step` of metric `key` of the run with `seed` has: the script computes the
/// same IEEE operations in the same order, so the doubles must match bit for bit.
double metricValue(int seed, int key, qint64 step)
{
    return double(seed) + double(key) / 10.0 + double(step) / 7.0;
}

/// Waits for the go file, then prints 3 metrics × --steps points in the run protocol, in
/// chunks, so that the runs' writes interleave.
const QByteArray kMetricsScript = R"(
import os, sys, time
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
seed, steps, go = int(args["--seed"]), int(args["--steps"]), args["--go"]
while not os.path.exists(go):
    time.sleep(0.02)
for start in range(0, steps, 250):
    lines = []
    for step in range(start, min(start + 250, steps)):
        for key in range(3):
            value = seed + key / 10 + step / 7
            lines.append('{"kiln": "metric", "key": "m%d", "value": %r, "step": %d}' % (key, value, step))
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    time.sleep(0.1)
print("seed", seed, "done")
)";

/// Records that it ran (appends its run id to --claims, one line, atomic with O_APPEND), waits
/// for the go file, says so in its log.
const QByteArray kClaimScript = R"(
import os, sys, time
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
run = os.environ["KILN_RUN_ID"]
fd = os.open(args["--claims"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
os.write(fd, ("%s %d\n" % (run, os.getppid())).encode())
os.close(fd)
while not os.path.exists(args["--go"]):
    time.sleep(0.02)
print("ran", run)
)";

QString runsText(const QList<RunRecord> &runs)
{
    QStringList parts;
    for (const RunRecord &run : runs)
        parts << QStringLiteral("%1:%2:attempt %3:%4")
                     .arg(run.id)
                     .arg(runStatusName(run.status))
                     .arg(run.attempt)
                     .arg(run.error);
    return parts.join(QLatin1String(", "));
}

QList<RunRecord> allRuns(Workspace &ws)
{
    auto runs = RunStore(ws.db()).runs();
    if (!runs)
        qFatal("cannot list the runs: %s", qPrintable(runs.errorMessage()));
    return *runs;
}

int countRuns(Workspace &ws, RunStatus status)
{
    const QList<RunRecord> runs = allRuns(ws);
    return int(std::count_if(runs.begin(), runs.end(), [status](const RunRecord &r) { return r.status == status; }));
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port on 127.0.0.1");
    return probe.serverPort();
}

} // namespace

void tst_TeamStore::initTestCase()
{
    QString why;
    m_server = test::PostgresServer::shared(&why);
    if (!m_server) {
        // QSKIP spelled out: clang -Wpedantic refuses its empty variadic part.
        QTest::qSkip(qPrintable(QStringLiteral("no PostgreSQL server for the team store tests: %1").arg(why)), __FILE__,
                     __LINE__);
        return;
    }
    for (int i = 0; i < 3; ++i)
        m_savedEnvironment[i] = qgetenv(kEnvironment[i]);
}

void tst_TeamStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    // No password may come from this user's own files or keychain.
    qputenv("KILN_CREDENTIALS_FILE", m_dir->filePath(QStringLiteral("credentials.json")).toUtf8());
    qputenv("PGPASSFILE", m_dir->filePath(QStringLiteral("no-pgpass")).toUtf8());
    qunsetenv("PGPASSWORD");
}

void tst_TeamStore::cleanup()
{
    for (int i = 0; i < 3; ++i) {
        if (m_savedEnvironment[i].isNull())
            qunsetenv(kEnvironment[i]);
        else
            qputenv(kEnvironment[i], m_savedEnvironment[i]);
    }
    m_dir.reset();
}

QString tst_TeamStore::newStore(const QString &name, QString *plainUrl)
{
    const QString url = m_server->createDatabase(name);
    if (plainUrl)
        *plainUrl = url;
    return url + QStringLiteral("?blobs=") + m_dir->filePath(QStringLiteral("blobs-") + name);
}

QProcessEnvironment tst_TeamStore::kilnctlEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KILN_CREDENTIALS_FILE"), m_dir->filePath(QStringLiteral("credentials.json")));
    env.insert(QStringLiteral("PGPASSFILE"), m_dir->filePath(QStringLiteral("no-pgpass")));
    env.remove(QStringLiteral("PGPASSWORD"));
    env.remove(QStringLiteral("KILN_BLOB_FOLDER"));
    return env;
}

test::KilnctlResult tst_TeamStore::kilnctl(const QString &workspace, const QStringList &args, const QByteArray &input)
{
    QProcess process;
    process.setProcessEnvironment(kilnctlEnvironment());
    process.setWorkingDirectory(m_dir->path());
    test::startKilnctl(process, workspace, args);
    if (!input.isNull()) {
        process.write(input);
        process.closeWriteChannel();
    }
    if (!process.waitForFinished(120000))
        qFatal("kilnctl %s did not finish", qPrintable(args.join(u' ')));
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

bool tst_TeamStore::hasTable(const QString &database, const char *table)
{
    auto db = Database::open(m_server->url(database));
    if (!db)
        qFatal("cannot reach %s: %s", qPrintable(database), qPrintable(db.errorMessage()));
    auto stmt = (*db)->prepare("SELECT to_regclass(?) IS NOT NULL");
    if (!stmt)
        qFatal("%s", qPrintable(stmt.errorMessage()));
    stmt->bind(1, std::string_view(table));
    return stmt->next() && stmt->int64(0) != 0;
}

void tst_TeamStore::kilnctlProcessesLogMetricsAtOnce()
{
    constexpr int kProcesses = 3;
    constexpr qint64 kSteps = 5000;
    const QString location = newStore(QStringLiteral("metrics"));
    auto ws = test::openWorkspace(location);
    const QString script = test::writeFile(m_dir->filePath(QStringLiteral("metrics.py")), kMetricsScript);
    const QString go = m_dir->filePath(QStringLiteral("go"));

    // Each process serves one run at a time and starts once the previous one's run is
    // running, so each runs its own; the go file then lets all three print at once.
    std::vector<std::unique_ptr<QProcess>> processes;
    for (int seed = 1; seed <= kProcesses; ++seed) {
        auto process = std::make_unique<QProcess>();
        process->setProcessEnvironment(kilnctlEnvironment());
        process->setWorkingDirectory(m_dir->path());
        test::startKilnctl(
            *process, location,
            {QStringLiteral("run"), QStringLiteral("--concurrency"), QStringLiteral("1"), QStringLiteral("--run-name"),
             QStringLiteral("seed-%1").arg(seed), QStringLiteral("--param"), QStringLiteral("seed=%1").arg(seed),
             QStringLiteral("--param"), QStringLiteral("steps=%1").arg(kSteps), QStringLiteral("--param"),
             QStringLiteral("go=") + go, QStringLiteral("--"), QStringLiteral("/usr/bin/python3"), script});
        processes.push_back(std::move(process));
        QTRY_COMPARE_WITH_TIMEOUT(countRuns(*ws, RunStatus::Running), seed, 60000);
    }
    test::writeFile(go, "go");
    for (auto &process : processes) {
        QVERIFY2(process->waitForFinished(300000), "a kilnctl run did not end");
        QVERIFY2(process->exitCode() == 0, process->readAllStandardError().constData());
    }

    const QList<RunRecord> runs = allRuns(*ws);
    QCOMPARE(runs.size(), kProcesses);
    RunStore store(ws->db());
    for (const RunRecord &run : runs) {
        QVERIFY2(run.status == RunStatus::Finished, qPrintable(runsText(runs)));
        QCOMPARE(run.attempt, 1);
        const int seed = run.name.mid(5).toInt();
        QVERIFY2(seed >= 1 && seed <= kProcesses, qPrintable(run.name));
        // Besides m0..m2, the runner samples the command's CPU and memory (system/...).
        QCOMPARE(std::count_if(run.metrics.begin(), run.metrics.end(),
                               [](const MetricSummary &m) { return !m.key.startsWith(QLatin1String("system/")); }),
                 3);
        for (int key = 0; key < 3; ++key) {
            const QString name = QStringLiteral("m%1").arg(key);
            auto points = store.metricPoints(run.id, name);
            QVERIFY2(points.ok(), qPrintable(points.ok() ? QString() : points.errorMessage()));
            QCOMPARE(qint64(points->size()), kSteps);
            qint64 wrong = 0;
            QString first;
            for (qint64 i = 0; i < kSteps; ++i) {
                const MetricPoint &p = points->at(std::size_t(i));
                if (p.step != i || p.value != metricValue(seed, key, i)) {
                    if (wrong++ == 0)
                        first = QStringLiteral("point %1 of %2: step %3 value %4, expected step %1 value %5")
                                    .arg(i)
                                    .arg(name)
                                    .arg(p.step)
                                    .arg(p.value, 0, 'g', 17)
                                    .arg(metricValue(seed, key, i), 0, 'g', 17);
                }
            }
            QVERIFY2(wrong == 0,
                     qPrintable(QStringLiteral("%1 points differ in %2, first %3").arg(wrong).arg(run.name, first)));
            const auto summary = std::find_if(run.metrics.begin(), run.metrics.end(),
                                              [&name](const MetricSummary &m) { return m.key == name; });
            QVERIFY(summary != run.metrics.end());
            QCOMPARE(summary->count, kSteps);
            QCOMPARE(summary->lastStep, kSteps - 1);
            QVERIFY(summary->last == metricValue(seed, key, kSteps - 1));
            QVERIFY(summary->min == metricValue(seed, key, 0));
            QVERIFY(summary->max == metricValue(seed, key, kSteps - 1));
        }
    }
}

void tst_TeamStore::processesClaimEachQueuedRunOnce()
{
    constexpr int kQueued = 8;
    constexpr int kServers = 3;
    constexpr int kConcurrency = 2;
    const QString location = newStore(QStringLiteral("queue"));
    auto ws = test::openWorkspace(location);
    const QString script = test::writeFile(m_dir->filePath(QStringLiteral("claim.py")), kClaimScript);
    const QString claims = m_dir->filePath(QStringLiteral("claims.txt"));
    const QString go = m_dir->filePath(QStringLiteral("go"));
    const QStringList command = {QStringLiteral("--param"),
                                 QStringLiteral("claims=") + claims,
                                 QStringLiteral("--param"),
                                 QStringLiteral("go=") + go,
                                 QStringLiteral("--"),
                                 QStringLiteral("/usr/bin/python3"),
                                 script};
    for (int i = 0; i < kQueued; ++i) {
        const test::KilnctlResult queued
            = kilnctl(location, QStringList {QStringLiteral("run"), QStringLiteral("--detach")} + command);
        QVERIFY2(queued.exitCode == 0, queued.err.constData());
    }
    QCOMPARE(countRuns(*ws, RunStatus::Queued), kQueued);

    // Three processes serve the queue at once, two runs each. The runs wait for the go file,
    // so six running at once means all three claimed theirs concurrently.
    std::vector<std::unique_ptr<QProcess>> servers;
    for (int i = 0; i < kServers; ++i) {
        auto process = std::make_unique<QProcess>();
        process->setProcessEnvironment(kilnctlEnvironment());
        process->setWorkingDirectory(m_dir->path());
        test::startKilnctl(
            *process, location,
            QStringList {QStringLiteral("run"), QStringLiteral("--concurrency"), QString::number(kConcurrency)}
                + command);
        servers.push_back(std::move(process));
    }
    QTRY_COMPARE_WITH_TIMEOUT(countRuns(*ws, RunStatus::Running), kServers * kConcurrency, 60000);
    test::writeFile(go, "go");
    const int total = kQueued + kServers;
    QTRY_COMPARE_WITH_TIMEOUT(countRuns(*ws, RunStatus::Finished), total, 120000);

    // Each `kilnctl run` ends once its own run has ended, whichever process ran it.
    const auto allEnded = [&servers] {
        return std::all_of(servers.begin(), servers.end(),
                           [](const auto &p) { return p->state() == QProcess::NotRunning; });
    };
    QVERIFY(QTest::qWaitFor(allEnded, 30000));
    for (auto &process : servers) {
        QCOMPARE(process->exitStatus(), QProcess::NormalExit);
        QVERIFY2(process->exitCode() == 0, process->readAllStandardError().constData());
    }

    const QList<RunRecord> runs = allRuns(*ws);
    QCOMPARE(runs.size(), total);
    const QList<QByteArray> lines = test::readFile(claims).trimmed().split('\n');
    QCOMPARE(lines.size(), total);
    QHash<QString, int> claimsOf;
    QSet<QByteArray> runners;
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.split(' ');
        QCOMPARE(fields.size(), 2);
        ++claimsOf[QString::fromUtf8(fields[0])];
        runners.insert(fields[1]);
    }
    QCOMPARE(int(runners.size()), kServers);
    for (const RunRecord &run : runs) {
        QVERIFY2(run.status == RunStatus::Finished, qPrintable(runsText(runs)));
        QCOMPARE(run.attempt, 1);
        QCOMPARE(claimsOf.value(run.uuid), 1);
        const QByteArray log
            = test::readFile(ws->root() + QStringLiteral("/runs/") + run.uuid + QStringLiteral("/log.txt"));
        QCOMPARE(log.count(QByteArray("ran " + run.uuid.toUtf8())), 1);
        auto artifacts = RunStore(ws->db()).artifacts(run.id);
        QVERIFY(artifacts.ok());
        QCOMPARE(std::count_if(artifacts->begin(), artifacts->end(),
                               [](const ArtifactInfo &a) { return a.path == QLatin1String("log.txt"); }),
                 1);
    }
}

void tst_TeamStore::threadsWriteThroughTheirOwnConnections()
{
    constexpr int kThreads = 4;
    constexpr int kRunsEach = 25;
    constexpr int kPoints = 40;
    const QString location = newStore(QStringLiteral("threads"));
    auto ws = test::openWorkspace(location);

    std::vector<QString> failures(kThreads);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&location, &failures, t] {
            auto own = Workspace::open(location, Workspace::OpenMode::OpenExisting);
            if (!own) {
                failures[std::size_t(t)] = own.errorMessage();
                return;
            }
            RunStore store((*own)->db());
            for (int i = 0; i < kRunsEach; ++i) {
                RunSpec spec;
                spec.kind = RunSpec::Kind::Command;
                spec.name = QStringLiteral("t%1-%2").arg(t).arg(i);
                spec.command = {QStringLiteral("true")};
                auto run = store.createRun(spec);
                if (!run) {
                    failures[std::size_t(t)] = run.errorMessage();
                    return;
                }
                QHash<QString, std::vector<MetricPoint>> points;
                for (int step = 0; step < kPoints; ++step) {
                    points[QStringLiteral("loss")].push_back({step, step, metricValue(t, i, step)});
                    points[QStringLiteral("acc")].push_back({step, step, -metricValue(t, i, step)});
                }
                // Two appends per run: the second tops up the chunk the first wrote.
                QHash<QString, std::vector<MetricPoint>> firstHalf;
                QHash<QString, std::vector<MetricPoint>> secondHalf;
                for (auto it = points.begin(); it != points.end(); ++it) {
                    firstHalf[it.key()].assign(it->begin(), it->begin() + kPoints / 2);
                    secondHalf[it.key()].assign(it->begin() + kPoints / 2, it->end());
                }
                for (const Status &s :
                     {store.appendMetrics(run->id, firstHalf), store.appendMetrics(run->id, secondHalf),
                      store.markEnded(run->id, RunStatus::Finished, 0)}) {
                    if (!s) {
                        failures[std::size_t(t)] = s.errorMessage();
                        return;
                    }
                }
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    for (const QString &failure : failures)
        QVERIFY2(failure.isEmpty(), qPrintable(failure));

    const QList<RunRecord> runs = allRuns(*ws);
    QCOMPARE(runs.size(), kThreads * kRunsEach);
    QSet<QString> names;
    RunStore store(ws->db());
    for (const RunRecord &run : runs) {
        names.insert(run.name);
        QCOMPARE(run.status, RunStatus::Finished);
        const int t = run.name.mid(1, run.name.indexOf(u'-') - 1).toInt();
        const int i = run.name.mid(run.name.indexOf(u'-') + 1).toInt();
        auto loss = store.metricPoints(run.id, QStringLiteral("loss"));
        auto acc = store.metricPoints(run.id, QStringLiteral("acc"));
        QVERIFY(loss.ok() && acc.ok());
        QCOMPARE(int(loss->size()), kPoints);
        QCOMPARE(int(acc->size()), kPoints);
        for (int step = 0; step < kPoints; ++step) {
            QCOMPARE(loss->at(std::size_t(step)).step, qint64(step));
            QVERIFY(loss->at(std::size_t(step)).value == metricValue(t, i, step));
            QVERIFY(acc->at(std::size_t(step)).value == -metricValue(t, i, step));
        }
        for (const MetricSummary &summary : run.metrics)
            QCOMPARE(summary.count, qint64(kPoints));
    }
    QCOMPARE(int(names.size()), kThreads * kRunsEach);
}

void tst_TeamStore::unreachableServerFailsWithinTheTimeout()
{
    const quint16 port = freePort(); // closed again: nothing listens there
    const QString url = QStringLiteral("postgresql://kiln:%1@127.0.0.1:%2/kiln?blobs=%3")
                            .arg(QLatin1String(test::PostgresServer::kPassword))
                            .arg(port)
                            .arg(m_dir->filePath(QStringLiteral("blobs")));
    QElapsedTimer clock;
    clock.start();
    auto ws = Workspace::open(url);
    QVERIFY(!ws);
    QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
    const QString &message = ws.errorMessage();
    QVERIFY2(message.contains(
                 QStringLiteral("cannot connect to the team store postgresql://kiln@127.0.0.1:%1/kiln").arg(port)),
             qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("refused")), qPrintable(message));
    QVERIFY(!message.contains(QLatin1String(test::PostgresServer::kPassword)));
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("blobs"))));
}

void tst_TeamStore::silentServerFailsWithinTheTimeout()
{
    // A port that accepts connections and never answers (a server that hangs, a firewall
    // that swallows packets): Kiln's connect timeout ends the wait.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    const QString url = QStringLiteral("postgresql://kiln@127.0.0.1:%1/kiln?blobs=%2")
                            .arg(silent.serverPort())
                            .arg(m_dir->filePath(QStringLiteral("blobs")));
    QElapsedTimer clock;
    clock.start();
    auto ws = Workspace::open(url);
    QVERIFY(!ws);
    QVERIFY2(clock.elapsed() < 30000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(ws.errorMessage().contains(
                 QStringLiteral("cannot connect to the team store postgresql://kiln@127.0.0.1:%1/kiln")
                     .arg(silent.serverPort())),
             qPrintable(ws.errorMessage()));
    QVERIFY2(ws.errorMessage().contains(QLatin1String("timeout")), qPrintable(ws.errorMessage()));
}

void tst_TeamStore::wrongPasswordIsRefused()
{
    QString plain;
    newStore(QStringLiteral("wrongpw"), &plain);
    QUrl url(plain);
    url.setPassword(QStringLiteral("not-the-password"));
    auto ws = Workspace::open(url.toString() + QStringLiteral("?blobs=") + m_dir->filePath(QStringLiteral("blobs")));
    QVERIFY(!ws);
    const QString &message = ws.errorMessage();
    QVERIFY2(message.contains(Database::displayUrl(plain)), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("password authentication failed")), qPrintable(message));
    QVERIFY(!message.contains(QLatin1String("not-the-password")));
    QVERIFY(!hasTable(QStringLiteral("wrongpw"), "kiln_schema"));
}

void tst_TeamStore::missingDatabaseIsNamed()
{
    const QString url = m_server->url(QStringLiteral("nosuchstore"));
    auto ws = Workspace::open(url + QStringLiteral("?blobs=") + m_dir->filePath(QStringLiteral("blobs")));
    QVERIFY(!ws);
    QVERIFY2(ws.errorMessage().contains(Database::displayUrl(url)), qPrintable(ws.errorMessage()));
    QVERIFY2(ws.errorMessage().contains(QLatin1String("database \"nosuchstore\" does not exist")),
             qPrintable(ws.errorMessage()));
}

void tst_TeamStore::databaseThatIsNotAStoreIsLeftAlone()
{
    QString plain;
    const QString location = newStore(QStringLiteral("customers"), &plain);
    QVERIFY(m_server->execute(QStringLiteral("customers"), "CREATE TABLE customers(id BIGINT PRIMARY KEY, name TEXT)")
                .ok());
    auto ws = Workspace::open(location, Workspace::OpenMode::OpenExisting);
    QVERIFY(!ws);
    QVERIFY2(ws.errorMessage().contains(Database::displayUrl(plain) + QLatin1String(" is not a Kiln team store")),
             qPrintable(ws.errorMessage()));
    QVERIFY(!hasTable(QStringLiteral("customers"), "kiln_schema"));
    QVERIFY(!hasTable(QStringLiteral("customers"), "workspace_info"));
    QVERIFY(hasTable(QStringLiteral("customers"), "customers"));
}

void tst_TeamStore::newerSchemaIsRefused()
{
    QString plain;
    const QString location = newStore(QStringLiteral("newer"), &plain);
    {
        auto ws = test::openWorkspace(location);
        QCOMPARE(ws->schemaVersion(), Workspace::currentSchemaVersion());
    }
    const int newer = Workspace::currentSchemaVersion() + 1;
    QVERIFY(m_server->execute(QStringLiteral("newer"), "UPDATE kiln_schema SET version = " + QByteArray::number(newer))
                .ok());
    for (const auto mode : {Workspace::OpenMode::OpenExisting, Workspace::OpenMode::CreateIfMissing}) {
        auto ws = Workspace::open(location, mode);
        QVERIFY(!ws);
        QVERIFY2(ws.errorMessage().contains(Database::displayUrl(plain)), qPrintable(ws.errorMessage()));
        QVERIFY2(ws.errorMessage().contains(QLatin1String("newer than this Kiln understands")),
                 qPrintable(ws.errorMessage()));
    }
    auto db = Database::open(plain);
    QVERIFY(db.ok());
    auto version = (*db)->prepare("SELECT version FROM kiln_schema");
    QVERIFY(version.ok() && version->next());
    QCOMPARE(int(version->int64(0)), newer);
    QVERIFY(!version->next());

    const test::KilnctlResult info = kilnctl(location, {QStringLiteral("workspace"), QStringLiteral("info")});
    QCOMPARE(info.exitCode, 1);
    QVERIFY2(info.err.contains("newer than this Kiln understands"), info.err.constData());
}

void tst_TeamStore::lostServerFailsCleanly()
{
    test::PostgresServer server; // its own: this test stops it
    if (const QString why = server.start(); !why.isEmpty()) {
        QTest::qSkip(qPrintable(QStringLiteral("no second PostgreSQL server: %1").arg(why)), __FILE__, __LINE__);
        return;
    }
    const QString plain = server.createDatabase(QStringLiteral("lost"));
    const QString location = plain + QStringLiteral("?blobs=") + m_dir->filePath(QStringLiteral("blobs"));
    auto ws = test::openWorkspace(location);
    RunStore store(ws->db());
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = {QStringLiteral("true")};
    QVERIFY(store.createRun(spec).ok());

    server.stop();
    QVERIFY(!server.isRunning());
    auto run = store.createRun(spec);
    QVERIFY(!run);
    QVERIFY2(run.errorMessage().contains(QLatin1String("lost the connection to the team store")),
             qPrintable(run.errorMessage()));
    const Status metrics = store.appendMetrics(1, {{QStringLiteral("loss"), {{0, 0, 1.0}}}});
    QVERIFY(!metrics);
    QVERIFY2(metrics.errorMessage().contains(QLatin1String("lost the connection to the team store")),
             qPrintable(metrics.errorMessage()));

    auto again = Workspace::open(location);
    QVERIFY(!again);
    QVERIFY2(again.errorMessage().contains(
                 QStringLiteral("cannot connect to the team store %1").arg(Database::displayUrl(plain))),
             qPrintable(again.errorMessage()));
}

void tst_TeamStore::passwordSources_data()
{
    QTest::addColumn<QString>("source");
    QTest::newRow("url") << QStringLiteral("url");
    QTest::newRow("pgpass file") << QStringLiteral("pgpass");
    QTest::newRow("keychain") << QStringLiteral("keychain");
    QTest::newRow("none") << QStringLiteral("none");
}

void tst_TeamStore::passwordSources()
{
    QFETCH(QString, source);
    // A database of its own per source: passwords read from the keychain are kept per store.
    const QString database = QStringLiteral("pw_") + source;
    QString plain;
    newStore(database, &plain);
    const QString withoutPassword = m_server->url(database, false);
    const QString blobs = QStringLiteral("?blobs=") + m_dir->filePath(QStringLiteral("blobs"));
    QString location = withoutPassword + blobs;
    if (source == QLatin1String("url")) {
        location = plain + blobs;
    } else if (source == QLatin1String("pgpass")) {
        const QString file = m_dir->filePath(QStringLiteral("pgpass"));
        test::writeFile(file,
                        QStringLiteral("127.0.0.1:%1:%2:%3:%4\n")
                            .arg(m_server->port())
                            .arg(database, QLatin1String(test::PostgresServer::kUser),
                                 QLatin1String(test::PostgresServer::kPassword))
                            .toUtf8());
        QVERIFY(QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner));
        qputenv("PGPASSFILE", file.toUtf8());
    } else if (source == QLatin1String("keychain")) {
        QVERIFY(Database::storePassword(withoutPassword, test::PostgresServer::kPassword).ok());
        QCOMPARE(QFile::permissions(m_dir->filePath(QStringLiteral("credentials.json")))
                     & (QFile::ReadGroup | QFile::ReadOther),
                 QFile::Permissions());
    }
    auto ws = Workspace::open(location);
    if (source == QLatin1String("none")) {
        QVERIFY(!ws);
        QVERIFY2(ws.errorMessage().contains(Database::displayUrl(withoutPassword)), qPrintable(ws.errorMessage()));
        QVERIFY2(ws.errorMessage().contains(QLatin1String("no password")), qPrintable(ws.errorMessage()));
        QVERIFY(!hasTable(database, "kiln_schema"));
        return;
    }
    QVERIFY2(ws.ok(), qPrintable(ws.ok() ? QString() : ws.errorMessage()));
    QVERIFY((*ws)->isTeamStore());
    QCOMPARE((*ws)->schemaVersion(), Workspace::currentSchemaVersion());
}

void tst_TeamStore::kilnctlInitAndInfo()
{
    QString plain;
    newStore(QStringLiteral("cli"), &plain);
    const QString url = m_server->url(QStringLiteral("cli"), false);
    const QString blobs = m_dir->filePath(QStringLiteral("shared-blobs"));
    const QByteArray password = test::PostgresServer::kPassword;

    // The password from stdin, checked against the store, then saved for later commands.
    test::KilnctlResult init = kilnctl(url,
                                       {QStringLiteral("workspace"), QStringLiteral("init"), QStringLiteral("--blobs"),
                                        blobs, QStringLiteral("--secret-stdin"), QStringLiteral("--json")},
                                       password + '\n');
    QVERIFY2(init.exitCode == 0, init.err.constData());
    QJsonObject o = init.json();
    QCOMPARE(o.value(QLatin1String("kind")).toString(), QStringLiteral("teamStore"));
    QCOMPARE(o.value(QLatin1String("location")).toString(), url);
    QCOMPARE(o.value(QLatin1String("blobFolder")).toString(), blobs);
    QCOMPARE(o.value(QLatin1String("created")).toBool(), true);
    QCOMPARE(o.value(QLatin1String("schemaVersion")).toInt(), Workspace::currentSchemaVersion());
    QCOMPARE(o.value(QLatin1String("passwordSaved")).toBool(), true);
    QVERIFY(!init.out.contains(password) && !init.err.contains(password));
    QVERIFY(QFileInfo(blobs + QStringLiteral("/blobs")).isDir());

    // Again: an existing store, the blob folder it recorded, the saved password.
    init = kilnctl(url, {QStringLiteral("workspace"), QStringLiteral("init"), QStringLiteral("--json")});
    QVERIFY2(init.exitCode == 0, init.err.constData());
    QCOMPARE(init.json().value(QLatin1String("created")).toBool(), false);
    QCOMPARE(init.json().value(QLatin1String("blobFolder")).toString(), blobs);
    QCOMPARE(init.json().value(QLatin1String("passwordSaved")).toBool(), false);

    // Data in the store: one dataset through kilnctl import, its blob in the shared folder.
    const QString csv = test::writeFile(m_dir->filePath(QStringLiteral("iris.csv")), "a,b\n1,2\n3,4\n");
    const test::KilnctlResult imported = kilnctl(url, {QStringLiteral("import"), csv});
    QVERIFY2(imported.exitCode == 0, imported.err.constData());

    for (const QString &location : {url, plain}) {
        const test::KilnctlResult info
            = kilnctl(location, {QStringLiteral("workspace"), QStringLiteral("info"), QStringLiteral("--json")});
        QVERIFY2(info.exitCode == 0, info.err.constData());
        o = info.json();
        QCOMPARE(o.value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(o.value(QLatin1String("kind")).toString(), QStringLiteral("teamStore"));
        QCOMPARE(o.value(QLatin1String("location")).toString(), url);
        QVERIFY2(o.value(QLatin1String("serverVersion")).toString().startsWith(QLatin1String("15")),
                 info.out.constData());
        QCOMPARE(o.value(QLatin1String("schemaVersion")).toInt(), Workspace::currentSchemaVersion());
        QCOMPARE(o.value(QLatin1String("blobFolder")).toString(), blobs);
        QCOMPARE(o.value(QLatin1String("recordedBlobFolder")).toString(), blobs);
        QCOMPARE(o.value(QLatin1String("datasets")).toInt(), 1);
        QCOMPARE(o.value(QLatin1String("versions")).toInt(), 1);
        QCOMPARE(o.value(QLatin1String("runs")).toInt(), 0);
        QVERIFY(o.value(QLatin1String("blobs")).toInt() >= 1);
        QVERIFY(o.value(QLatin1String("blobBytes")).toInt() > 0);
        QCOMPARE(o.value(QLatin1String("integrity")).toString(), QStringLiteral("ok"));
        QVERIFY2(!info.out.contains(password) && !info.err.contains(password), info.out.constData());

        const test::KilnctlResult text = kilnctl(location, {QStringLiteral("workspace"), QStringLiteral("info")});
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QVERIFY2(text.out.contains(QByteArray("Team store:  " + url.toUtf8())), text.out.constData());
        QVERIFY2(text.out.contains("Server:      PostgreSQL 15"), text.out.constData());
        QVERIFY2(text.out.contains(QByteArray("Blob folder: " + blobs.toUtf8())), text.out.constData());
        QVERIFY2(!text.out.contains(password) && !text.err.contains(password), text.out.constData());
    }
    QDir blobFolder(blobs + QStringLiteral("/blobs"));
    QVERIFY(!blobFolder.entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty());

    // The password on the command line and in the URL at once is a usage error.
    const test::KilnctlResult twice = kilnctl(
        plain, {QStringLiteral("workspace"), QStringLiteral("info"), QStringLiteral("--secret-stdin")}, password);
    QCOMPARE(twice.exitCode, 2);
}

void tst_TeamStore::kilnctlInitNeedsABlobFolder()
{
    QString plain;
    newStore(QStringLiteral("noblobs"), &plain);
    const test::KilnctlResult init = kilnctl(plain, {QStringLiteral("workspace"), QStringLiteral("init")});
    QCOMPARE(init.exitCode, 1);
    QVERIFY2(init.err.contains("has no blob folder"), init.err.constData());
    QVERIFY2(init.err.contains(Database::displayUrl(plain).toUtf8()), init.err.constData());
    QVERIFY(!init.err.contains(test::PostgresServer::kPassword));
}

void tst_TeamStore::kilnctlKeepsAWrongPasswordOut()
{
    newStore(QStringLiteral("wrongsecret"));
    const QString url = m_server->url(QStringLiteral("wrongsecret"), false);
    const QString credentials = m_dir->filePath(QStringLiteral("credentials.json"));
    const QString secret = test::writeFile(m_dir->filePath(QStringLiteral("secret")), "wrong-password\n");
    const test::KilnctlResult init
        = kilnctl(url,
                  {QStringLiteral("workspace"), QStringLiteral("init"), QStringLiteral("--blobs"),
                   m_dir->filePath(QStringLiteral("b")), QStringLiteral("--secret-file"), secret});
    QCOMPARE(init.exitCode, 1);
    QVERIFY2(init.err.contains("password authentication failed"), init.err.constData());
    QVERIFY2(init.err.contains(url.toUtf8()), init.err.constData());
    QVERIFY(!test::readFile(credentials).contains("wrong-password"));
    QVERIFY(!init.err.contains("wrong-password"));
    QVERIFY(!hasTable(QStringLiteral("wrongsecret"), "kiln_schema"));
}

QTEST_GUILESS_MAIN(tst_TeamStore)
#include "tst_teamstore.moc"
