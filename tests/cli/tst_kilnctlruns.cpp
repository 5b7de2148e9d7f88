#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <csignal>

using Result = kiln::test::KilnctlResult;

/// Training and runs from the shell, as a CI job drives them: the real kilnctl, real
/// XGBoost, real processes.
class tst_KilnctlRuns final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trainBoostedTrees();
    void sweepQueuesAndRunsEveryPoint();
    void crossValidationAndTrainers();
    void badTrainingInput_data();
    void badTrainingInput();
    void externalRunWithHelper();
    void killedRunnerLeavesRunInterrupted();

private:
    Result kilnctl(const QStringList &args) const { return kiln::test::runKilnctl(m_ws, args, m_dir.path()); }

    QTemporaryDir m_dir;
    QString m_ws;
};

void tst_KilnctlRuns::initTestCase()
{
    m_ws = m_dir.filePath(QStringLiteral("ws"));
    // Two informative features, one noise feature, a categorical one, some missing values.
    QByteArray csv("x1,x2,noise,colour,label\n");
    quint32 state = 12345;
    const auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return double(state >> 8) / double(1u << 24);
    };
    for (int i = 0; i < 800; ++i) {
        const bool positive = next() < 0.5;
        const double x1 = (positive ? 1.0 : -1.0) + (next() - 0.5) * 2.0;
        const double x2 = (positive ? 0.5 : -0.5) + (next() - 0.5) * 2.0;
        const char *colour = next() < 0.5 ? "red" : "blue";
        csv += (i % 50 == 0 ? QByteArray() : QByteArray::number(x1, 'f', 4)) + ',' + QByteArray::number(x2, 'f', 4)
            + ',' + QByteArray::number(next(), 'f', 4) + ',' + colour + ',' + (positive ? "yes" : "no") + '\n';
    }
    kiln::test::writeFile(m_dir.filePath(QStringLiteral("churn.csv")), csv);
    QCOMPARE(kilnctl({QStringLiteral("import"), m_dir.filePath(QStringLiteral("churn.csv"))}).exitCode, 0);
}

void tst_KilnctlRuns::trainBoostedTrees()
{
    const Result r = kilnctl({QStringLiteral("train"), QStringLiteral("churn"), QStringLiteral("--target"),
                              QStringLiteral("label"), QStringLiteral("--param"), QStringLiteral("n_estimators=40"),
                              QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject run = r.json().value(QStringLiteral("runs")).toArray().first().toObject();
    QCOMPARE(run.value(QStringLiteral("status")).toString(), QStringLiteral("finished"));
    const QJsonObject results = run.value(QStringLiteral("results")).toObject();
    QVERIFY2(results.value(QStringLiteral("accuracy")).toDouble() > 0.8,
             qPrintable(QString::number(results.value(QStringLiteral("accuracy")).toDouble())));
    QVERIFY(results.value(QStringLiteral("roc_auc")).toDouble() > 0.85);
    const QJsonObject metrics = run.value(QStringLiteral("metrics")).toObject();
    // One point per boosting round, on the training and the validation rows.
    QCOMPARE(metrics.value(QStringLiteral("train/logloss")).toObject().value(QStringLiteral("steps")).toInt(), 40);
    QCOMPARE(metrics.value(QStringLiteral("validation/logloss")).toObject().value(QStringLiteral("steps")).toInt(), 40);
    const QJsonObject repro = run.value(QStringLiteral("reproducibility")).toObject();
    QVERIFY(repro.value(QStringLiteral("library")).toString().startsWith(QStringLiteral("xgboost ")));
    QCOMPARE(repro.value(QStringLiteral("dataset")).toObject().value(QStringLiteral("sha256")).toString().size(), 64);

    // Same data, same seed: the same metrics.
    const Result again = kilnctl({QStringLiteral("train"), QStringLiteral("churn"), QStringLiteral("--target"),
                                  QStringLiteral("label"), QStringLiteral("--param"), QStringLiteral("n_estimators=40"),
                                  QStringLiteral("--json")});
    const QJsonObject results2 = again.json()
                                     .value(QStringLiteral("runs"))
                                     .toArray()
                                     .first()
                                     .toObject()
                                     .value(QStringLiteral("results"))
                                     .toObject();
    for (const QString &key : {QStringLiteral("accuracy"), QStringLiteral("roc_auc"), QStringLiteral("log_loss")})
        QCOMPARE(results2.value(key).toDouble(), results.value(key).toDouble());

    const Result show = kilnctl({QStringLiteral("runs"), QStringLiteral("show"),
                                 QString::number(run.value(QStringLiteral("id")).toInt()), QStringLiteral("--json")});
    QStringList artifacts;
    for (const QJsonValue &a : show.json().value(QStringLiteral("artifacts")).toArray())
        artifacts << a.toObject().value(QStringLiteral("path")).toString();
    for (const QString &expected : {QStringLiteral("evaluation.json"), QStringLiteral("feature_encoding.json"),
                                    QStringLiteral("predictions.csv"), QStringLiteral("log.txt")})
        QVERIFY2(artifacts.contains(expected), qPrintable(artifacts.join(QLatin1Char(','))));
}

void tst_KilnctlRuns::sweepQueuesAndRunsEveryPoint()
{
    const Result r = kilnctl({QStringLiteral("train"), QStringLiteral("churn"), QStringLiteral("--target"),
                              QStringLiteral("label"), QStringLiteral("--param"), QStringLiteral("n_estimators=10"),
                              QStringLiteral("--sweep"), QStringLiteral("max_depth=2,4,6"),
                              QStringLiteral("--experiment"), QStringLiteral("depth"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray runs = r.json().value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 3);
    QStringList depths;
    for (const QJsonValue &v : runs) {
        QCOMPARE(v.toObject().value(QStringLiteral("status")).toString(), QStringLiteral("finished"));
        QVERIFY(v.toObject().value(QStringLiteral("parent")).toInt() > 0);
        depths << v.toObject().value(QStringLiteral("params")).toObject().value(QStringLiteral("max_depth")).toString();
    }
    depths.sort();
    QCOMPARE(depths, (QStringList {QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("6")}));
    const Result list = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--experiment"),
                                 QStringLiteral("depth"), QStringLiteral("--json")});
    QCOMPARE(list.json().value(QStringLiteral("runs")).toArray().size(), 4); // the sweep and its points
}

void tst_KilnctlRuns::crossValidationAndTrainers()
{
    const Result r = kilnctl({QStringLiteral("train"), QStringLiteral("churn"), QStringLiteral("--target"),
                              QStringLiteral("label"), QStringLiteral("--trainer"), QStringLiteral("random-forest"),
                              QStringLiteral("--folds"), QStringLiteral("3"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject run = r.json().value(QStringLiteral("runs")).toArray().first().toObject();
    const QJsonObject results = run.value(QStringLiteral("results")).toObject();
    QVERIFY(results.value(QStringLiteral("cv_accuracy_mean")).toDouble() > 0.75);
    QVERIFY(results.contains(QStringLiteral("cv_accuracy_std")));
    QCOMPARE(run.value(QStringLiteral("metrics"))
                 .toObject()
                 .value(QStringLiteral("cv/accuracy"))
                 .toObject()
                 .value(QStringLiteral("steps"))
                 .toInt(),
             3);

    const Result trainers = kilnctl({QStringLiteral("trainers"), QStringLiteral("--json")});
    QCOMPARE(trainers.exitCode, 0);
    QStringList ids;
    for (const QJsonValue &t : trainers.json().value(QStringLiteral("trainers")).toArray()) {
        ids << t.toObject().value(QStringLiteral("id")).toString();
        QVERIFY(!t.toObject().value(QStringLiteral("hyperparameters")).toArray().isEmpty());
    }
    QVERIFY(ids.contains(QStringLiteral("boosted-trees")) && ids.contains(QStringLiteral("random-forest"))
            && ids.contains(QStringLiteral("linear")));
}

void tst_KilnctlRuns::badTrainingInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown target") << QStringList {QStringLiteral("--target"), QStringLiteral("nope")}
                                    << QStringLiteral("nope");
    QTest::newRow("param out of range") << QStringList {QStringLiteral("--target"), QStringLiteral("label"),
                                                        QStringLiteral("--param"), QStringLiteral("max_depth=0")}
                                        << QStringLiteral("max_depth");
    QTest::newRow("unknown param") << QStringList {QStringLiteral("--target"), QStringLiteral("label"),
                                                   QStringLiteral("--param"), QStringLiteral("depth=3")}
                                   << QStringLiteral("unknown hyperparameter 'depth'");
    QTest::newRow("text target as regression") << QStringList {QStringLiteral("--target"), QStringLiteral("colour"),
                                                               QStringLiteral("--task"), QStringLiteral("regression")}
                                               << QStringLiteral("colour");
    QTest::newRow("unknown trainer") << QStringList {QStringLiteral("--target"), QStringLiteral("label"),
                                                     QStringLiteral("--trainer"), QStringLiteral("deep-magic")}
                                     << QStringLiteral("unknown trainer 'deep-magic'");
}

void tst_KilnctlRuns::badTrainingInput()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Result r
        = kilnctl(QStringList {QStringLiteral("train"), QStringLiteral("churn"), QStringLiteral("--json")} + args);
    QCOMPARE(r.exitCode, 1);
    const QJsonObject run = r.json().value(QStringLiteral("runs")).toArray().first().toObject();
    QCOMPARE(run.value(QStringLiteral("status")).toString(), QStringLiteral("failed")); // never left running
    QVERIFY2(run.value(QStringLiteral("error")).toString().contains(message),
             qPrintable(run.value(QStringLiteral("error")).toString()));
}

void tst_KilnctlRuns::externalRunWithHelper()
{
    kiln::test::writeFile(m_dir.filePath(QStringLiteral("fit.py")),
                          "import kiln_tracking as kiln\n"
                          "p = kiln.params()\n"
                          "for i in range(4):\n"
                          "    kiln.log_metric('loss', 1.0 / (i + 1) * float(p['scale']), step=i)\n"
                          "kiln.log_result('score', 0.5)\n");
    const Result r = kilnctl({QStringLiteral("run"), QStringLiteral("--param"), QStringLiteral("scale=2"),
                              QStringLiteral("--json"), QStringLiteral("--"), QStringLiteral("/usr/bin/python3"),
                              QStringLiteral("fit.py")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const int id
        = r.json().value(QStringLiteral("runs")).toArray().first().toObject().value(QStringLiteral("id")).toInt();
    const Result m = kilnctl({QStringLiteral("runs"), QStringLiteral("metrics"), QString::number(id),
                              QStringLiteral("--key"), QStringLiteral("loss"), QStringLiteral("--json")});
    const QJsonArray values = m.json()
                                  .value(QStringLiteral("metrics"))
                                  .toObject()
                                  .value(QStringLiteral("loss"))
                                  .toObject()
                                  .value(QStringLiteral("values"))
                                  .toArray();
    QCOMPARE(values.size(), 4);
    QCOMPARE(values.at(0).toDouble(), 2.0);
    QCOMPARE(values.at(3).toDouble(), 0.5);

    const Result missing
        = kilnctl({QStringLiteral("run"), QStringLiteral("--"), QStringLiteral("no-such-program-xyz")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.out.contains("not found on PATH"));
}

void tst_KilnctlRuns::killedRunnerLeavesRunInterrupted()
{
    const QString pidFile = m_dir.filePath(QStringLiteral("sleeper.pid"));
    QProcess runner;
    runner.setWorkingDirectory(m_dir.path());
    kiln::test::startKilnctl(runner, m_ws,
                             {QStringLiteral("run"), QStringLiteral("--run-name"), QStringLiteral("sleeper"),
                              QStringLiteral("--"), QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                              QStringLiteral("echo $$ > '%1'; exec sleep 300").arg(pidFile)});
    QVERIFY(runner.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(pidFile).size() > 0, 30000);
    const qint64 child = kiln::test::readFile(pidFile).trimmed().toLongLong();
    QVERIFY(kiln::test::processAlive(child));
    ::kill(pid_t(runner.processId()), SIGKILL);
    QVERIFY(runner.waitForFinished());
    // The command does not outlive the runner...
    QTRY_VERIFY_WITH_TIMEOUT(!kiln::test::processAlive(child), 10000);
    // ...and the next start shows the run as interrupted, not running forever.
    const Result list = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json")});
    bool found = false;
    for (const QJsonValue &v : list.json().value(QStringLiteral("runs")).toArray()) {
        if (v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("sleeper")) {
            found = true;
            QCOMPARE(v.toObject().value(QStringLiteral("status")).toString(), QStringLiteral("interrupted"));
        }
    }
    QVERIFY(found);
}

QTEST_GUILESS_MAIN(tst_KilnctlRuns)
#include "tst_kilnctlruns.moc"
