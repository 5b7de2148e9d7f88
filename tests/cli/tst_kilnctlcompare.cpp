#include "testsupport.h"

#include "runs/runstore.h"
#include "workspace/workspace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <csignal>

using Result = kiln::test::KilnctlResult;
using kiln::test::parseCsv;

/// The runs table from the shell: `runs list --filter/--order-by`, `runs compare`, `runs export`
/// and `kilnctl demo`, driven through real kilnctl processes on real workspaces.
class tst_KilnctlCompare final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listFilter_data();
    void listFilter();
    void invalidFilter_data();
    void invalidFilter();
    void unknownKeyWarns();
    void orderBy_data();
    void orderBy();
    void invalidOrderBy();
    void compareText();
    void compareJson();
    void compareWithoutCommonMetric();
    void compareBadArguments();
    void exportCsv();
    void exportToFile();
    void demoBuildsTrainedWorkspace();
    void demoRefusesUsedFolders();
    void demoCancelLeavesNothing();

private:
    Result kilnctl(const QStringList &args, const QString &workspace = {}, int timeoutMs = 300000) const
    {
        return kiln::test::runKilnctl(workspace.isEmpty() ? m_ws : workspace, args, m_dir.path(), timeoutMs);
    }

    QTemporaryDir m_dir;
    QString m_ws;
};

void tst_KilnctlCompare::initTestCase()
{
    // Four runs written through the run store, as a trainer would leave them.
    m_ws = m_dir.filePath(QStringLiteral("ws"));
    const std::unique_ptr<kiln::Workspace> ws = kiln::test::openWorkspace(m_ws);
    kiln::RunStore store(ws->db());
    struct Seed
    {
        const char *experiment;
        const char *name;
        QList<QPair<QString, QString>> params;
        QList<QPair<QString, QString>> tags;
        std::vector<double> auc;
        QMap<QString, double> results;
        kiln::RunStatus status;
    };
    const auto pairs = [](std::initializer_list<std::pair<const char *, const char *>> list) {
        QList<QPair<QString, QString>> out;
        for (const auto &[k, v] : list)
            out.append({QLatin1String(k), QLatin1String(v)});
        return out;
    };
    const QList<Seed> seeds {
        {"vision",
         "alpha, the first",
         pairs({{"max_depth", "3"}, {"optimizer", "adam"}, {"seed", "42"}}),
         pairs({{"team", "vision"}}),
         {0.7, 0.8, 0.85},
         {{QStringLiteral("accuracy"), 0.9}},
         kiln::RunStatus::Finished},
        {"vision",
         "beta",
         pairs({{"max_depth", "6"}, {"optimizer", "sgd"}, {"seed", "42"}}),
         pairs({{"team", "vision-research"}}),
         {0.6, 0.95, 0.9},
         {{QStringLiteral("accuracy"), 0.8}},
         kiln::RunStatus::Finished},
        {"vision",
         "gamma",
         pairs({{"max_depth", "10"}, {"optimizer", "adam"}, {"seed", "42"}}),
         pairs({{"team", "nlp"}}),
         {0.5, 0.55},
         {},
         kiln::RunStatus::Failed},
        {"other",
         "delta",
         pairs({{"learning rate", "0.1"}}),
         pairs({{"team", "nlp"}}),
         {},
         {},
         kiln::RunStatus::Finished},
    };
    for (const Seed &seed : seeds) {
        kiln::RunSpec spec;
        spec.kind = kiln::RunSpec::Kind::Command;
        spec.command = {QStringLiteral("python3"), QStringLiteral("train.py")};
        spec.experiment = QLatin1String(seed.experiment);
        spec.name = QString::fromUtf8(seed.name);
        QHash<QString, std::vector<double>> metrics;
        if (seed.auc.empty())
            metrics.insert(QStringLiteral("loss"), {0.5, 0.25});
        else
            metrics.insert(QStringLiteral("auc"), seed.auc);
        const qint64 id = kiln::test::recordRun(store, spec, {seed.params, seed.tags, metrics, seed.results}).id;
        QVERIFY(store.markEnded(id, seed.status));
    }
}

void tst_KilnctlCompare::listFilter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("names"); // newest first
    const QString alpha = QStringLiteral("alpha, the first");
    QTest::newRow("metric") << QStringLiteral("metrics.auc > 0.8") << QStringList {QStringLiteral("beta"), alpha};
    QTest::newRow("param as text") << QStringLiteral("params.max_depth = '6'") << QStringList {QStringLiteral("beta")};
    QTest::newRow("param as number") << QStringLiteral("params.max_depth > 5")
                                     << QStringList {QStringLiteral("gamma"), QStringLiteral("beta")};
    QTest::newRow("tag like") << QStringLiteral("tags.team LIKE 'vision%'")
                              << QStringList {QStringLiteral("beta"), alpha};
    QTest::newRow("status") << QStringLiteral("attributes.status = 'FAILED'") << QStringList {QStringLiteral("gamma")};
    QTest::newRow("and, result") << QStringLiteral("params.optimizer = 'adam' and metrics.accuracy >= 0.9")
                                 << QStringList {alpha};
    QTest::newRow("quoted key") << QStringLiteral("params.`learning rate` = '0.1'")
                                << QStringList {QStringLiteral("delta")};
    QTest::newRow("empty") << QString()
                           << QStringList {QStringLiteral("delta"), QStringLiteral("gamma"), QStringLiteral("beta"),
                                           alpha};
}

void tst_KilnctlCompare::listFilter()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, names);
    const Result r = kilnctl(
        {QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"), filter, QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.runNames(), names);
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    // The existing JSON shape, with params and metric summaries.
    const QJsonObject first = r.json().value(QStringLiteral("runs")).toArray().first().toObject();
    for (const char *key : {"id", "uuid", "experiment", "name", "status", "params", "tags", "metrics", "results"})
        QVERIFY2(first.contains(QLatin1String(key)), key);

    // The text table names the same runs.
    const Result text = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"), filter});
    QCOMPARE(text.exitCode, 0);
    const QStringList lines = QString::fromUtf8(text.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), names.size() + 1);
    QVERIFY(lines.first().startsWith(QLatin1String("RUN")));
}

void tst_KilnctlCompare::invalidFilter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("column"); // 1-based, as printed
    QTest::newRow("missing value") << QStringLiteral("metrics.auc >") << 14;
    QTest::newRow("unquoted text") << QStringLiteral("params.optimizer = adam") << 20;
    QTest::newRow("dangling and") << QStringLiteral("metrics.auc > 0.5 and") << 22;
    QTest::newRow("unknown prefix") << QStringLiteral("metric_s.auc > 1") << 1;
}

void tst_KilnctlCompare::invalidFilter()
{
    QFETCH(QString, filter);
    QFETCH(int, column);
    for (const char *command : {"list", "export"}) {
        const Result r = kilnctl({QStringLiteral("runs"), QLatin1String(command), QStringLiteral("--filter"), filter});
        QCOMPARE(r.exitCode, 2); // a usage error: never an empty table that looks like a result
        QVERIFY2(r.out.isEmpty(), r.out.constData());
        const QStringList lines = QString::fromUtf8(r.err).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(lines.size() >= 3, r.err.constData());
        QVERIFY2(lines[0].startsWith(QStringLiteral("kilnctl: invalid filter at column %1: ").arg(column)),
                 qPrintable(lines[0]));
        QCOMPARE(lines[1], QLatin1String("  ") + filter);
        // The caret sits under the column named.
        QCOMPARE(lines[2], QString(column + 1, QLatin1Char(' ')) + QLatin1Char('^'));
    }
}

void tst_KilnctlCompare::unknownKeyWarns()
{
    const Result r = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"),
                              QStringLiteral("metrics.acc > 0.5 or tags.team = 'nlp'"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains("warning: no run has metrics.acc"), r.err.constData());
    QVERIFY2(!r.err.contains("tags.team"), r.err.constData());
    QCOMPARE(r.runNames(), (QStringList {QStringLiteral("delta"), QStringLiteral("gamma")}));
}

void tst_KilnctlCompare::orderBy_data()
{
    QTest::addColumn<QString>("order");
    QTest::addColumn<QStringList>("names");
    const QString alpha = QStringLiteral("alpha, the first");
    // Missing values last in either direction.
    QTest::newRow("metric desc") << QStringLiteral("metrics.auc DESC")
                                 << QStringList {QStringLiteral("beta"), alpha, QStringLiteral("gamma"),
                                                 QStringLiteral("delta")};
    QTest::newRow("metric max asc") << QStringLiteral("metrics.auc MAX ASC")
                                    << QStringList {QStringLiteral("gamma"), alpha, QStringLiteral("beta"),
                                                    QStringLiteral("delta")};
    QTest::newRow("param as number") << QStringLiteral("params.max_depth")
                                     << QStringList {alpha, QStringLiteral("beta"), QStringLiteral("gamma"),
                                                     QStringLiteral("delta")};
    QTest::newRow("attribute") << QStringLiteral("attributes.run_name DESC")
                               << QStringList {QStringLiteral("gamma"), QStringLiteral("delta"), QStringLiteral("beta"),
                                               alpha};
}

void tst_KilnctlCompare::orderBy()
{
    QFETCH(QString, order);
    QFETCH(QStringList, names);
    const Result r = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--order-by"), order,
                              QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.runNames(), names);
    const Result limited = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--order-by"), order,
                                    QStringLiteral("--limit"), QStringLiteral("2"), QStringLiteral("--json")});
    QCOMPARE(limited.runNames(), names.mid(0, 2));
    QCOMPARE(limited.json().value(QStringLiteral("matched")).toInt(), 4);
}

void tst_KilnctlCompare::invalidOrderBy()
{
    const Result bad = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--order-by"),
                                QStringLiteral("metrics.auc sideways")});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains("invalid --order-by at column 13"), bad.err.constData());
    // A key no run has yet is a warning: the runs come newest first.
    const Result unknown = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--order-by"),
                                    QStringLiteral("metrics.nope"), QStringLiteral("--json")});
    QCOMPARE(unknown.exitCode, 0);
    QVERIFY2(unknown.err.contains("no run has metrics.nope"), unknown.err.constData());
    QCOMPARE(unknown.runNames().value(0), QStringLiteral("delta"));
}

void tst_KilnctlCompare::compareText()
{
    const Result r
        = kilnctl({QStringLiteral("runs"), QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("2")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    const QString text = QString::fromUtf8(r.out);
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.first().contains(QLatin1String("#1 alpha")) && lines.first().contains(QLatin1String("#2 beta")),
             qPrintable(lines.first()));
    const auto line = [&lines](const QString &label) {
        for (const QString &l : lines) {
            if (l.startsWith(label + QLatin1Char(' ')) || l.startsWith(QLatin1String("* ") + label + QLatin1Char(' ')))
                return l.simplified();
        }
        return QString();
    };
    QCOMPARE(line(QStringLiteral("params.max_depth")), QStringLiteral("params.max_depth 3 6"));
    QCOMPARE(line(QStringLiteral("params.optimizer")), QStringLiteral("params.optimizer adam sgd"));
    QCOMPARE(line(QStringLiteral("metrics.auc")), QStringLiteral("metrics.auc 0.85 0.9"));
    QVERIFY(line(QStringLiteral("params.seed")).isEmpty()); // the same in both: hidden by default

    const Result all = kilnctl({QStringLiteral("runs"), QStringLiteral("compare"), QStringLiteral("1"),
                                QStringLiteral("2"), QStringLiteral("--all")});
    QVERIFY(all.out.contains("params.seed"));
    QVERIFY(all.out.contains("* params.max_depth"));
}

void tst_KilnctlCompare::compareJson()
{
    const Result r = kilnctl({QStringLiteral("runs"), QStringLiteral("compare"), QStringLiteral("1"),
                              QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(o.value(QStringLiteral("runs")).toArray().size(), 3);
    QCOMPARE(o.value(QStringLiteral("runs")).toArray().at(2).toObject().value(QStringLiteral("id")).toInt(), 3);
    QCOMPARE(o.value(QStringLiteral("commonMetrics")).toInt(), 1); // auc; gamma has no accuracy
    QHash<QString, QJsonObject> lines;
    for (const QJsonValue v : o.value(QStringLiteral("lines")).toArray())
        lines.insert(v.toObject().value(QStringLiteral("name")).toString(), v.toObject());
    QVERIFY(lines.contains(QStringLiteral("params.seed")));
    QCOMPARE(lines[QStringLiteral("params.seed")].value(QStringLiteral("differs")).toBool(), false);
    QCOMPARE(lines[QStringLiteral("params.max_depth")].value(QStringLiteral("differs")).toBool(), true);
    QCOMPARE(lines[QStringLiteral("params.max_depth")].value(QStringLiteral("values")).toArray(),
             (QJsonArray {QStringLiteral("3"), QStringLiteral("6"), QStringLiteral("10")}));
    // Metrics as exact numbers; a run without one has null.
    QCOMPARE(lines[QStringLiteral("metrics.auc")].value(QStringLiteral("values")).toArray(),
             (QJsonArray {0.85, 0.9, 0.55}));
    const QJsonArray accuracy = lines[QStringLiteral("metrics.accuracy")].value(QStringLiteral("values")).toArray();
    QCOMPARE(accuracy.at(0).toDouble(), 0.9);
    QVERIFY(accuracy.at(2).isNull());
    QCOMPARE(lines[QStringLiteral("metrics.accuracy")].value(QStringLiteral("differs")).toBool(), true);
}

void tst_KilnctlCompare::compareWithoutCommonMetric()
{
    const Result r = kilnctl({QStringLiteral("runs"), QStringLiteral("compare"), QStringLiteral("1"),
                              QStringLiteral("4"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.contains("these runs have no metric in common"), r.err.constData());
    QCOMPARE(r.json().value(QStringLiteral("commonMetrics")).toInt(), 0);
    const Result common
        = kilnctl({QStringLiteral("runs"), QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("2")});
    QVERIFY(!common.err.contains("no metric in common"));
}

void tst_KilnctlCompare::compareBadArguments()
{
    const Result unknown
        = kilnctl({QStringLiteral("runs"), QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("999")});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains("999"), unknown.err.constData());
    QVERIFY(unknown.out.isEmpty());
    const Result one = kilnctl({QStringLiteral("runs"), QStringLiteral("compare"), QStringLiteral("1")});
    QCOMPARE(one.exitCode, 2);
}

void tst_KilnctlCompare::exportCsv()
{
    const Result r
        = kilnctl({QStringLiteral("runs"), QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv"),
                   QStringLiteral("--filter"), QStringLiteral("tags.team LIKE 'vision%'"), QStringLiteral("--order-by"),
                   QStringLiteral("metrics.auc ASC")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QStringList> records = parseCsv(QString::fromUtf8(r.out));
    QCOMPARE(records.size(), 3); // header and two runs
    const QStringList header = records.first();
    for (const QString &column :
         {QStringLiteral("params.max_depth"), QStringLiteral("params.seed"), QStringLiteral("metrics.auc"),
          QStringLiteral("metrics.accuracy"), QStringLiteral("tags.team")})
        QVERIFY2(header.contains(column), qPrintable(header.join(QLatin1Char(','))));
    for (const QStringList &record : records)
        QCOMPARE(record.size(), header.size());
    const auto cell = [&](int record, const QString &column) { return records[record][header.indexOf(column)]; };
    // Ordered by auc ascending: alpha (0.85, its name quoted for the comma), then beta (0.9).
    QVERIFY(records[1].contains(QStringLiteral("alpha, the first")));
    QVERIFY(records[2].contains(QStringLiteral("beta")));
    QCOMPARE(cell(1, QStringLiteral("metrics.auc")).toDouble(), 0.85);
    QCOMPARE(cell(2, QStringLiteral("metrics.auc")).toDouble(), 0.9);
    QCOMPARE(cell(1, QStringLiteral("params.max_depth")), QStringLiteral("3"));
    QCOMPARE(cell(2, QStringLiteral("tags.team")), QStringLiteral("vision-research"));
    QCOMPARE(cell(1, QStringLiteral("metrics.accuracy")).toDouble(), 0.9);

    const Result everything = kilnctl({QStringLiteral("runs"), QStringLiteral("export")});
    QCOMPARE(everything.exitCode, 0);
    QCOMPARE(parseCsv(QString::fromUtf8(everything.out)).size(), 5);
    const Result badFormat = kilnctl(
        {QStringLiteral("runs"), QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("xlsx")});
    QCOMPARE(badFormat.exitCode, 2);
}

void tst_KilnctlCompare::exportToFile()
{
    const QString path = m_dir.filePath(QStringLiteral("runs.csv"));
    const Result r = kilnctl({QStringLiteral("runs"), QStringLiteral("export"), QStringLiteral("--output"), path,
                              QStringLiteral("--filter"), QStringLiteral("attributes.status = 'finished'"),
                              QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(QStringLiteral("runs")).toInt(), 3);
    const QList<QStringList> records = parseCsv(QString::fromUtf8(kiln::test::readFile(path)));
    QCOMPARE(records.size(), 4);
    QCOMPARE(r.json().value(QStringLiteral("columns")).toInt(), int(records.first().size()));
}

void tst_KilnctlCompare::demoBuildsTrainedWorkspace()
{
    const QString demo = m_dir.filePath(QStringLiteral("demo"));
    const Result r = kilnctl({QStringLiteral("demo"), QStringLiteral("--json")}, demo, 600000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.contains("training"), r.err.constData()); // progress on stderr
    QCOMPARE(r.json().value(QStringLiteral("ok")).toBool(), true);
    qInfo("demo workspace built in %.1f s", r.json().value(QStringLiteral("seconds")).toDouble());
    // Nothing but the workspace next to it: the staging folder was renamed into place.
    QCOMPARE(QDir(m_dir.path()).entryList({QStringLiteral(".demo*")}, QDir::AllEntries | QDir::Hidden), QStringList());

    const Result datasets
        = kilnctl({QStringLiteral("datasets"), QStringLiteral("list"), QStringLiteral("--json")}, demo);
    QStringList names;
    for (const QJsonValue d : datasets.json().value(QStringLiteral("datasets")).toArray()) {
        names << d.toObject().value(QStringLiteral("name")).toString();
        QVERIFY(d.toObject().value(QStringLiteral("rows")).toInt() >= 3000);
    }
    names.sort();
    QCOMPARE(names, (QStringList {QStringLiteral("customer_churn"), QStringLiteral("house_prices")}));

    const Result runs = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json")}, demo);
    const QJsonArray list = runs.json().value(QStringLiteral("runs")).toArray();
    QVERIFY(list.size() >= 10);
    int classifiers = 0;
    int regressions = 0;
    for (const QJsonValue v : list) {
        const QJsonObject run = v.toObject();
        QCOMPARE(run.value(QStringLiteral("status")).toString(), QStringLiteral("finished"));
        if (run.value(QStringLiteral("kind")).toString() == QLatin1String("sweep"))
            continue;
        const QJsonObject results = run.value(QStringLiteral("results")).toObject();
        QVERIFY(run.value(QStringLiteral("tags")).toObject().contains(QStringLiteral("team")));
        if (run.value(QStringLiteral("experiment")).toString() == QLatin1String("churn")) {
            const double accuracy = results.value(QStringLiteral("accuracy")).toDouble();
            QVERIFY2(accuracy > 0.5 && accuracy <= 1.0, qPrintable(QString::number(accuracy)));
            QVERIFY(results.value(QStringLiteral("roc_auc")).toDouble() > 0.6);
            ++classifiers;
        } else {
            QVERIFY2(results.value(QStringLiteral("r2")).toDouble() > 0.5,
                     qPrintable(QString::number(results.value(QStringLiteral("r2")).toDouble())));
            ++regressions;
        }
    }
    QVERIFY(classifiers >= 6);
    QVERIFY(regressions >= 2);

    // The best churn run (highest ROC AUC) is registered as churn v1, called champion.
    double bestAuc = 0;
    qint64 bestRun = 0;
    for (const QJsonValue v : list) {
        const QJsonObject run = v.toObject();
        const double auc = run.value(QStringLiteral("results")).toObject().value(QStringLiteral("roc_auc")).toDouble();
        if (run.value(QStringLiteral("experiment")).toString() == QLatin1String("churn") && auc > bestAuc) {
            bestAuc = auc;
            bestRun = run.value(QStringLiteral("id")).toInteger();
        }
    }
    const Result champion = kilnctl(
        {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("churn@champion"), QStringLiteral("--json")},
        demo);
    QVERIFY2(champion.exitCode == 0, champion.err.constData());
    const QJsonObject version = champion.json().value(QStringLiteral("version")).toObject();
    QCOMPARE(version.value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(version.value(QStringLiteral("run")).toInteger(), bestRun);
    const Result models = kilnctl({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")}, demo);
    QStringList modelNames;
    for (const QJsonValue m : models.json().value(QStringLiteral("models")).toArray())
        modelNames << m.toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(modelNames, (QStringList {QStringLiteral("churn"), QStringLiteral("house-prices")}));

    // The filter language over it.
    const Result sweep
        = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"),
                   QStringLiteral("tags.purpose = 'sweep' and metrics.accuracy > 0.5 and "
                                  "params.max_depth >= 5"),
                   QStringLiteral("--order-by"), QStringLiteral("metrics.roc_auc DESC"), QStringLiteral("--json")},
                  demo);
    QVERIFY2(sweep.exitCode == 0, sweep.err.constData());
    const QJsonArray points = sweep.json().value(QStringLiteral("runs")).toArray();
    QVERIFY(points.size() >= 2);
    double previous = 2;
    for (const QJsonValue v : points) {
        const QJsonObject run = v.toObject();
        QVERIFY(run.value(QStringLiteral("params")).toObject().value(QStringLiteral("max_depth")).toString().toInt()
                >= 5);
        const double auc = run.value(QStringLiteral("results")).toObject().value(QStringLiteral("roc_auc")).toDouble();
        QVERIFY(auc <= previous);
        previous = auc;
    }

    // Generated and trained deterministically: a second build holds the same numbers.
    const QString again = m_dir.filePath(QStringLiteral("demo-again"));
    QCOMPARE(kilnctl({QStringLiteral("demo")}, again, 600000).exitCode, 0);
    const Result runsAgain = kilnctl({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json")}, again);
    const QJsonArray listAgain = runsAgain.json().value(QStringLiteral("runs")).toArray();
    QCOMPARE(listAgain.size(), list.size());
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject a = list[i].toObject().value(QStringLiteral("results")).toObject();
        const QJsonObject b = listAgain[i].toObject().value(QStringLiteral("results")).toObject();
        for (const QString &key : {QStringLiteral("accuracy"), QStringLiteral("roc_auc"), QStringLiteral("rmse")})
            QCOMPARE(a.value(key).toDouble(), b.value(key).toDouble());
    }
}

void tst_KilnctlCompare::demoRefusesUsedFolders()
{
    const QString used = m_dir.filePath(QStringLiteral("used"));
    kiln::test::writeFile(used + QLatin1String("/notes.txt"), "mine\n");
    const Result r = kilnctl({QStringLiteral("demo")}, used);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("not empty"), r.err.constData());
    QCOMPARE(QDir(used).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
             QStringList {QStringLiteral("notes.txt")});
    const Result workspace = kilnctl({QStringLiteral("demo")}, m_ws);
    QCOMPARE(workspace.exitCode, 1);
    QVERIFY2(workspace.err.contains("already a workspace"), workspace.err.constData());
}

void tst_KilnctlCompare::demoCancelLeavesNothing()
{
    // An empty folder the user chose: it stays as it was after a cancel.
    const QString target = m_dir.filePath(QStringLiteral("cancelled"));
    QVERIFY(QDir().mkpath(target));
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    kiln::test::startKilnctl(p, target, {QStringLiteral("demo")});
    QVERIFY(p.waitForStarted());
    QByteArray err;
    // Interrupt once training started: data imported, runs queued and running.
    while (!err.contains("training") && p.state() == QProcess::Running) {
        p.waitForReadyRead(1000);
        err += p.readAllStandardError();
    }
    QVERIFY2(err.contains("training"), err.constData());
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(120000));
    err += p.readAllStandardError();
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(err.contains("cancelled"), err.constData());
    QVERIFY(QFileInfo(target).isDir());
    QCOMPARE(QDir(target).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
    QCOMPARE(QDir(m_dir.path()).entryList({QStringLiteral(".cancelled*")}, QDir::AllEntries | QDir::Hidden),
             QStringList());
}

QTEST_MAIN(tst_KilnctlCompare)
#include "tst_kilnctlcompare.moc"
