#include "runs/processidentity.h"
#include "runs/protocol.h"
#include "runs/runstore.h"
#include "runs/savedviews.h"
#include "runs/sweep.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using namespace kiln;

class tst_RunStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void lifecycle();
    void metricsRoundTripExactly();
    void smallAppendsFillChunks();
    void cancelQueuedAndRunning();
    void deadRunnerMeansInterrupted();
    void gridAndRandomSweeps();
    void sweepQueuesOneChildPerPoint();
    void protocol_data();
    void protocol();
    void savedViewsPersist();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;
};

void tst_RunStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    auto ws = Workspace::open(test::storeLocation(m_dir->path()));
    QVERIFY2(ws.ok(), qPrintable(ws.ok() ? QString() : ws.errorMessage()));
    m_ws = std::move(ws).value();
}

void tst_RunStore::lifecycle()
{
    RunStore store(m_ws->db());
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = {QStringLiteral("python3"), QStringLiteral("train.py")};
    spec.experiment = QStringLiteral("baseline");
    spec.params.insert(QStringLiteral("lr"), QStringLiteral("0.1"));
    auto run = store.createRun(spec);
    QVERIFY(run.ok());
    QCOMPARE(run->status, RunStatus::Queued);
    QCOMPARE(run->experiment, QStringLiteral("baseline"));
    QCOMPARE(run->params.value(0), qMakePair(QStringLiteral("lr"), QStringLiteral("0.1")));
    QCOMPARE(run->uuid.size(), 32);

    auto claimed = store.claimNextQueued();
    QVERIFY(claimed.ok() && claimed->has_value());
    QCOMPARE((*claimed)->id, run->id);
    QCOMPARE((*claimed)->status, RunStatus::Running);
    QCOMPARE((*claimed)->attempt, 1);
    QCOMPARE((*claimed)->host, ProcessIdentity::hostName());
    QVERIFY(!store.claimNextQueued()->has_value()); // nothing else waits

    QVERIFY(store.requeue(run->id).ok());
    QCOMPARE((*store.claimNextQueued())->attempt, 2);
    QVERIFY(store.setResults(run->id, {{QStringLiteral("accuracy"), 0.91}}).ok());
    QVERIFY(store.markEnded(run->id, RunStatus::Finished, 0).ok());
    auto ended = store.run(run->id);
    QCOMPARE(ended->status, RunStatus::Finished);
    QCOMPARE(ended->exitCode, std::optional<int>(0));
    QCOMPARE(ended->results.value(QStringLiteral("accuracy")), 0.91);
    QVERIFY(ended->durationSeconds() >= 0);
    QCOMPARE(store.runByRef(ended->uuid.left(8))->id, run->id);
    QCOMPARE(RunSpec::fromJson(ended->spec.toJson()).command, spec.command);
}

void tst_RunStore::metricsRoundTripExactly()
{
    RunStore store(m_ws->db());
    auto run = store.createRun(RunSpec {});
    std::vector<MetricPoint> loss;
    for (qint64 i = 0; i < 100'000; ++i)
        loss.push_back({i, 1'700'000'000'000 + i, 1.0 / double(i + 1)});
    QVERIFY(store.appendMetrics(run->id, {{QStringLiteral("train/loss"), loss}}).ok());
    auto back = store.metricPoints(run->id, QStringLiteral("train/loss"));
    QVERIFY(back.ok());
    QCOMPARE(back->size(), loss.size());
    for (std::size_t i = 0; i < loss.size(); i += 997) {
        QCOMPARE((*back)[i].step, loss[i].step);
        QCOMPARE((*back)[i].timeMs, loss[i].timeMs);
        QCOMPARE((*back)[i].value, loss[i].value); // bit-exact: stored as raw doubles
    }
    // A live chart reads only what is new.
    auto tail = store.metricPoints(run->id, QStringLiteral("train/loss"), 99'990);
    QCOMPARE(tail->size(), std::size_t(10));
    QCOMPARE(tail->front().step, 99'990);
    QCOMPARE(store.metricPoints(run->id, QStringLiteral("train/loss"), 8'200)->front().step, 8'200);
    const MetricSummary summary = store.metricSummaries(run->id)->first();
    QCOMPARE(summary.count, 100'000);
    QCOMPARE(summary.last, 1.0 / 100'000.0);
    QCOMPARE(summary.min, 1.0 / 100'000.0);
    QCOMPARE(summary.max, 1.0);
    QCOMPARE(summary.lastStep, 99'999);
}

void tst_RunStore::smallAppendsFillChunks()
{
    RunStore store(m_ws->db());
    auto run = store.createRun(RunSpec {});
    for (int batch = 0; batch < 300; ++batch) {
        std::vector<MetricPoint> points;
        points.reserve(7);
        for (int i = 0; i < 7; ++i)
            points.push_back({batch * 7 + i, 0, double(batch * 7 + i)});
        QVERIFY(store.appendMetrics(run->id, {{QStringLiteral("acc"), points}}).ok());
    }
    auto back = store.metricPoints(run->id, QStringLiteral("acc"));
    QCOMPARE(back->size(), std::size_t(2100));
    for (std::size_t i = 0; i < back->size(); ++i)
        QCOMPARE((*back)[i].step, qint64(i));
    auto chunks = m_ws->db().prepare("SELECT COUNT(*) FROM metric_chunks");
    QVERIFY(chunks->next());
    QCOMPARE(chunks->int64(0), 3); // topped up to 1,024 points a row, not one row per append
}

void tst_RunStore::cancelQueuedAndRunning()
{
    RunStore store(m_ws->db());
    auto queued = store.createRun(RunSpec {});
    QVERIFY(store.requestCancel(queued->id).ok());
    QCOMPARE(store.run(queued->id)->status, RunStatus::Cancelled);
    QVERIFY(!store.requestCancel(queued->id).ok()); // already ended

    auto running = store.createRun(RunSpec {});
    QVERIFY(store.claimNextQueued()->has_value());
    QVERIFY(!store.cancelRequested(running->id));
    QVERIFY(store.requestCancel(running->id).ok());
    QVERIFY(store.cancelRequested(running->id));
    QCOMPARE(store.run(running->id)->status, RunStatus::Running); // its runner ends it
}

void tst_RunStore::deadRunnerMeansInterrupted()
{
    RunStore store(m_ws->db());
    auto mine = store.createRun(RunSpec {});
    QVERIFY(store.claimNextQueued()->has_value());
    auto orphan = store.createRun(RunSpec {});
    QVERIFY(store.claimNextQueued()->has_value());
    // The orphan's runner: a process that has ended.
    QProcess gone;
    gone.start(QStringLiteral("/bin/true"));
    QVERIFY(gone.waitForFinished());
    auto stmt = m_ws->db().prepare("UPDATE runs SET runner_pid = ? WHERE id = ?");
    stmt->bind(1, gone.processId() > 0 ? gone.processId() : 999'999'999).bind(2, orphan->id);
    QVERIFY(stmt->exec().ok());

    auto count = store.markInterrupted();
    QVERIFY(count.ok());
    QCOMPARE(*count, 1);
    QCOMPARE(store.run(orphan->id)->status, RunStatus::Interrupted);
    QCOMPARE(store.run(mine->id)->status, RunStatus::Running); // this process is alive
}

void tst_RunStore::gridAndRandomSweeps()
{
    QMap<QString, QStringList> values {
        {QStringLiteral("depth"), {QStringLiteral("3"), QStringLiteral("6")}},
        {QStringLiteral("eta"), {QStringLiteral("0.1"), QStringLiteral("0.3"), QStringLiteral("1")}}};
    auto grid = expandSweep(values, QStringLiteral("grid"), 0, 1);
    QVERIFY(grid.ok());
    QCOMPARE(grid->size(), 6);
    QSet<QString> seen;
    for (const QJsonObject &p : *grid)
        seen << p.value(QStringLiteral("depth")).toString() + QLatin1Char('/')
                + p.value(QStringLiteral("eta")).toString();
    QCOMPARE(seen.size(), 6);
    auto random = expandSweep(values, QStringLiteral("random"), 20, 7);
    QCOMPARE(random->size(), 20);
    QCOMPARE(*expandSweep(values, QStringLiteral("random"), 20, 7), *random); // same seed, same points
    QVERIFY(!expandSweep(values, QStringLiteral("bayes"), 0, 1).ok());
    QVERIFY(!expandSweep({{QStringLiteral("x"), {}}}, QStringLiteral("grid"), 0, 1).ok());
}

void tst_RunStore::sweepQueuesOneChildPerPoint()
{
    RunStore store(m_ws->db());
    RunSpec spec;
    spec.trainer = QStringLiteral("boosted-trees");
    spec.params.insert(QStringLiteral("n_estimators"), QStringLiteral("10"));
    spec.sweep.insert(QStringLiteral("max_depth"), {QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("8")});
    auto parent = submitRun(store, spec);
    QVERIFY(parent.ok());
    QCOMPARE(parent->spec.kind, RunSpec::Kind::Sweep);
    auto children = store.runs(RunQuery {{}, {}, parent->id, 0, true});
    QCOMPARE(children->size(), 3);
    QStringList depths;
    for (const RunRecord &child : *children) {
        QCOMPARE(child.status, RunStatus::Queued);
        QCOMPARE(child.spec.params.value(QStringLiteral("n_estimators")).toString(), QStringLiteral("10"));
        depths << child.spec.params.value(QStringLiteral("max_depth")).toString();
    }
    depths.sort();
    QCOMPARE(depths, (QStringList {QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("8")}));
    // The parent is bookkeeping: the queue hands out its points, never the parent itself.
    auto first = store.claimNextQueued();
    QVERIFY((*first)->parentId == parent->id);
    QCOMPARE(store.run(parent->id)->status, RunStatus::Running);
}

void tst_RunStore::protocol_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("value");
    using K = ProtocolMessage::Kind;
    QTest::newRow("plain log") << QByteArray("epoch 3 done") << int(K::None) << QString() << 0.0;
    QTest::newRow("other json") << QByteArray("{\"loss\": 1}") << int(K::None) << QString() << 0.0;
    QTest::newRow("metric") << QByteArray(R"({"kiln":"metric","key":"loss","value":0.25,"step":3})") << int(K::Metric)
                            << QStringLiteral("loss") << 0.25;
    QTest::newRow("result") << QByteArray(R"( {"kiln": "result", "key": "acc", "value": 1} )") << int(K::Result)
                            << QStringLiteral("acc") << 1.0;
    QTest::newRow("param number") << QByteArray(R"({"kiln":"param","key":"lr","value":0.5})") << int(K::Param)
                                  << QStringLiteral("lr") << 0.0;
    QTest::newRow("artifact") << QByteArray(R"({"kiln":"artifact","path":"m.bin"})") << int(K::Artifact) << QString()
                              << 0.0;
    QTest::newRow("broken json") << QByteArray(R"({"kiln":"metric","key":)") << int(K::Malformed) << QString() << 0.0;
    QTest::newRow("text value") << QByteArray(R"({"kiln":"metric","key":"loss","value":"low"})") << int(K::Malformed)
                                << QStringLiteral("loss") << 0.0;
    QTest::newRow("fractional step") << QByteArray(R"({"kiln":"metric","key":"l","value":1,"step":1.5})")
                                     << int(K::Malformed) << QStringLiteral("l") << 0.0;
    QTest::newRow("unknown kind") << QByteArray(R"({"kiln":"metrc","key":"l","value":1})") << int(K::Malformed)
                                  << QStringLiteral("l") << 0.0;
    QTest::newRow("no key") << QByteArray(R"({"kiln":"metric","value":1})") << int(K::Malformed) << QString() << 0.0;
}

void tst_RunStore::protocol()
{
    QFETCH(QByteArray, line);
    QFETCH(int, kind);
    QFETCH(QString, key);
    QFETCH(double, value);
    const ProtocolMessage m = parseProtocolLine(line);
    QCOMPARE(int(m.kind), kind);
    if (m.kind != ProtocolMessage::Kind::Malformed) {
        QCOMPARE(m.key, key);
        QCOMPARE(m.value, value);
    } else {
        QVERIFY(!m.text.isEmpty()); // says why
    }
}

void tst_RunStore::savedViewsPersist()
{
    const QJsonObject spec = {{QStringLiteral("filter"), QStringLiteral("metrics.auc > 0.9")},
                              {QStringLiteral("selection"), QJsonArray {3, 5, 8}}};
    {
        SavedViews views(m_ws->db());
        QVERIFY(views.save(QStringLiteral("  best runs "), spec).ok());
        QVERIFY(views.save(QStringLiteral("Alpha"), {}).ok());
        const Status blank = views.save(QStringLiteral("   "), spec);
        QVERIFY(!blank.ok());
        QVERIFY(blank.errorMessage().contains(QStringLiteral("name")));
    }
    // Reopened: what was saved is there, names trimmed, listed case-insensitively.
    const QString location = m_ws->location();
    m_ws.reset();
    auto reopened = Workspace::open(location, Workspace::OpenMode::OpenExisting);
    QVERIFY(reopened.ok());
    m_ws = std::move(reopened).value();
    SavedViews views(m_ws->db());
    const auto list = views.list();
    QVERIFY(list.ok());
    QCOMPARE(list->size(), 2);
    QCOMPARE(list->at(0).name, QStringLiteral("Alpha"));
    QCOMPARE(list->at(1).name, QStringLiteral("best runs"));
    QCOMPARE(list->at(1).spec, spec);
    QVERIFY(list->at(1).updatedAt.isValid());

    // Saving under an existing name replaces the view; removing it forgets it.
    const QJsonObject changed = {{QStringLiteral("filter"), QStringLiteral("params.eta = '0.1'")}};
    QVERIFY(views.save(QStringLiteral("best runs"), changed).ok());
    QCOMPARE(views.view(QStringLiteral("best runs"))->spec, changed);
    QVERIFY(views.remove(QStringLiteral("best runs")).ok());
    const auto missing = views.view(QStringLiteral("best runs"));
    QVERIFY(!missing.ok());
    QVERIFY(missing.errorMessage().contains(QStringLiteral("best runs")));
    QCOMPARE(views.list()->size(), 1);
}

QTEST_GUILESS_MAIN(tst_RunStore)
#include "tst_runstore.moc"
