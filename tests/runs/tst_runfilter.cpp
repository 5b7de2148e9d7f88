#include "runs/runfilter.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace kiln;

/// The filter language over a workspace of eight varied runs, made through the run store.
class tst_RunFilter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void matches_data();
    void matches();
    void errors_data();
    void errors();
    void emptyAndInvalidFilters();
    void unknownKeys();
    void runOrder_data();
    void runOrder();
    void runOrderErrors_data();
    void runOrderErrors();

private:
    QStringList names(const std::vector<int> &rows) const;

    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_ws;
    std::shared_ptr<const RunTable> m_table;
    QString m_alphaUuid;
};

namespace {

using Pairs = QList<QPair<QString, QString>>;

struct RunSetup
{
    QString name;
    QString experiment;
    Pairs params;
    Pairs tags;
    QHash<QString, std::vector<double>> metrics;
    QMap<QString, double> results;
};

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

} // namespace

void tst_RunFilter::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_ws = test::openWorkspace(m_dir.path());
    RunStore store(m_ws->db());

    // Created in this order, so run ids are 1..8; the first five end, the sixth keeps running,
    // the seventh is cancelled while queued and the eighth stays queued.
    const std::vector<RunSetup> runs = {
        {s("alpha"),
         s("vision"),
         {{s("max_depth"), s("6")}, {s("eta"), s("0.3")}, {s("optimizer"), s("adam")}, {s("learning rate"), s("0.01")}},
         {{s("team"), s("vision")}, {s("owner.name"), s("ann")}},
         {{s("auc"), {0.80, 0.95, 0.90}}, {s("loss"), {0.5, 0.2}}},
         {{s("accuracy"), 0.91}}},
        {s("beta"),
         s("vision"),
         {{s("max_depth"), s("10")}, {s("eta"), s("0.1")}, {s("optimizer"), s("sgd")}},
         {{s("team"), s("vision-large")}},
         {{s("auc"), {0.85}}},
         {{s("accuracy"), 0.88}}},
        {s("gamma run"),
         s("vision"),
         {{s("max_depth"), s("9")}, {s("eta"), s("0.3")}, {s("optimizer"), s("Adam")}},
         {{s("team"), s("nlp")}},
         {{s("auc"), {0.6}}},
         {}},
        {s("delta.v2"),
         s("nlp"),
         {{s("max_depth"), s("abc")}, {s("optimizer"), s("adam")}},
         {{s("team"), s("NLP")}},
         {{s("val loss"), {0.4}}},
         {{s("accuracy"), 0.95}}},
        {s("theta"), s("nlp"), {{s("max_depth"), s("6.0")}}, {{s("team"), s("vision")}}, {}, {{s("accuracy"), 0.5}}},
        {s("epsilon"), s("nlp"), {{s("max_depth"), s("6")}}, {}, {{s("auc"), {0.99}}}, {}},
        {s("eta"), s("vision"), {{s("eta"), s("0.05")}}, {{s("team"), s("it's")}}, {}, {}},
        {s("zeta"), s("vision"), {}, {{s("priority"), s("high")}}, {}, {}},
    };
    for (const RunSetup &setup : runs) {
        RunSpec spec;
        spec.name = setup.name;
        spec.experiment = setup.experiment;
        spec.trainer = s("boosted-trees");
        const RunRecord run = test::recordRun(store, spec, {setup.params, setup.tags, setup.metrics, setup.results});
        if (run.id == 1)
            m_alphaUuid = run.uuid;
    }
    const RunStatus ends[]
        = {RunStatus::Finished, RunStatus::Finished, RunStatus::Failed, RunStatus::Finished, RunStatus::Finished};
    for (RunStatus end : ends) {
        auto claimed = store.claimNextQueued();
        QVERIFY(claimed.ok() && claimed->has_value());
        QVERIFY(store.markEnded((*claimed)->id, end).ok());
    }
    auto running = store.claimNextQueued();
    QVERIFY(running.ok() && running->has_value());
    QCOMPARE((*running)->name, s("epsilon"));
    QVERIFY(store.requestCancel(7).ok());

    auto table = RunTable::load(m_ws->databasePath());
    QVERIFY2(table.ok(), qPrintable(table.ok() ? QString() : table.errorMessage()));
    m_table = *table;
    QCOMPARE(m_table->rowCount(), 8);
}

QStringList tst_RunFilter::names(const std::vector<int> &rows) const
{
    QStringList list;
    for (int row : rows)
        list << m_table->column(int(RunAttribute::Name)).displayText(row);
    list.sort();
    return list;
}

void tst_RunFilter::matches_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QStringList>("expected");

    const QStringList all
        = {s("alpha"), s("beta"), s("gamma run"), s("delta.v2"), s("theta"), s("epsilon"), s("eta"), s("zeta")};
    const QStringList started = {s("alpha"), s("beta"), s("gamma run"), s("delta.v2"), s("theta"), s("epsilon")};
    const QStringList finished = {s("alpha"), s("beta"), s("delta.v2"), s("theta")};
    const auto row = [](const char *name, const QString &expression, const QStringList &expected) {
        QTest::newRow(name) << expression << expected;
    };
    row("blank", s("  "), all);
    // Metrics: the last value; a run without the metric never matches.
    row("metric > is strict", s("metrics.auc > 0.9"), {s("epsilon")});
    row("metric >=", s("metrics.auc >= 0.9"), {s("alpha"), s("epsilon")});
    row("metric <", s("metrics.auc < 0.7"), {s("gamma run")});
    row("metric =", s("metrics.auc = 0.85"), {s("beta")});
    row("metric != skips missing", s("metrics.auc != 0.85"), {s("alpha"), s("gamma run"), s("epsilon")});
    row("metric <>", s("metrics.auc<>0.85"), {s("alpha"), s("gamma run"), s("epsilon")});
    row("exponent", s("metrics.auc > 9e-1"), {s("epsilon")});
    row("leading dot", s("metrics.auc > .95"), {s("epsilon")});
    row("results are metrics", s("metrics.accuracy > 0.9"), {s("alpha"), s("delta.v2")});
    row("quoted metric with space", s("metrics.`val loss` <= 0.4"), {s("delta.v2")});
    row("short prefixes", s("m.auc > 0.95 OR p.optimizer = 'sgd'"), {s("beta"), s("epsilon")});
    row("keywords in any case", s("METRICS.auc > 0.95 Or params.optimizer = 'sgd'"), {s("beta"), s("epsilon")});
    row("unknown metric", s("metrics.missing_metric > 0"), {});
    row("unknown metric is null", s("metrics.missing_metric IS NULL"), all);
    // Params: text, compared numerically with a number when the value is one.
    row("param as string", s("params.max_depth = '6'"), {s("alpha"), s("epsilon")});
    row("param as number", s("params.max_depth = 6"), {s("alpha"), s("theta"), s("epsilon")});
    row("param numeric >", s("params.max_depth > 8"), {s("beta"), s("gamma run")});
    row("param string >", s("params.max_depth > '8'"), {s("gamma run"), s("delta.v2")});
    row("param numeric !=", s("params.max_depth != 6"), {s("beta"), s("gamma run"), s("delta.v2")});
    row("param range", s("params.max_depth >= 6 and params.max_depth <= 9"),
        {s("alpha"), s("gamma run"), s("theta"), s("epsilon")});
    row("LIKE is case-sensitive", s("params.optimizer LIKE 'a%'"), {s("alpha"), s("delta.v2")});
    row("ILIKE", s("params.optimizer ILIKE 'a%'"), {s("alpha"), s("gamma run"), s("delta.v2")});
    row("NOT LIKE", s("params.optimizer NOT LIKE 'a%'"), {s("beta"), s("gamma run")});
    row("LIKE inner wildcard", s("params.optimizer LIKE 'a%m'"), {s("alpha"), s("delta.v2")});
    row("ILIKE contains", s("params.optimizer ILIKE '%DA%'"), {s("alpha"), s("gamma run"), s("delta.v2")});
    row("ILIKE exact", s("params.optimizer ILIKE 'ADAM'"), {s("alpha"), s("gamma run"), s("delta.v2")});
    row("LIKE anything", s("params.optimizer LIKE '%'"), {s("alpha"), s("beta"), s("gamma run"), s("delta.v2")});
    row("LIKE backtracking", s("tags.team LIKE '%i_i%'"), {s("alpha"), s("beta"), s("theta")});
    row("param exact case", s("params.optimizer = 'Adam'"), {s("gamma run")});
    row("quoted param with space", s("params.`learning rate` < 0.1"), {s("alpha")});
    row("double-quoted param", s("params.\"learning rate\" = '0.01'"), {s("alpha")});
    row("IN numbers", s("params.max_depth IN (6, 10)"), {s("alpha"), s("beta"), s("theta"), s("epsilon")});
    row("IN strings", s("params.max_depth IN ('6', '10')"), {s("alpha"), s("beta"), s("epsilon")});
    row("NOT IN skips missing", s("params.max_depth NOT IN ('6')"),
        {s("beta"), s("gamma run"), s("delta.v2"), s("theta")});
    row("IS NULL", s("params.eta IS NULL"), {s("delta.v2"), s("theta"), s("epsilon"), s("zeta")});
    row("IS NOT NULL", s("params.eta is not null"), {s("alpha"), s("beta"), s("gamma run"), s("eta")});
    // Tags.
    row("tag LIKE", s("tags.team LIKE 'vision%'"), {s("alpha"), s("beta"), s("theta")});
    row("tag =", s("tags.team = 'vision'"), {s("alpha"), s("theta")});
    row("tag ILIKE without wildcard", s("tags.team ILIKE 'nlp'"), {s("gamma run"), s("delta.v2")});
    row("tag LIKE underscore", s("tags.team LIKE '_lp'"), {s("gamma run")});
    row("doubled quote", s("tags.team = 'it''s'"), {s("eta")});
    row("double-quoted value", s("tags.team = \"it's\""), {s("eta")});
    row("backticked key with dot", s("tags.`owner.name` = 'ann'"), {s("alpha")});
    row("double-quoted key with dot", s("tags.\"owner.name\" = 'ann'"), {s("alpha")});
    row("unquoted key with dot", s("tags.owner.name = 'ann'"), {s("alpha")});
    // Attributes: MLflow's statuses and names, Kiln's too.
    row("status FINISHED", s("attributes.status = 'FINISHED'"), finished);
    row("status finished", s("attributes.status = 'finished'"), finished);
    row("bare status !=", s("status != 'FINISHED'"), {s("gamma run"), s("epsilon"), s("eta"), s("zeta")});
    row("status KILLED", s("attributes.status = 'KILLED'"), {s("eta")});
    row("status SCHEDULED", s("attributes.status = 'SCHEDULED'"), {s("zeta")});
    row("status IN", s("attributes.status IN ('RUNNING', 'Failed')"), {s("gamma run"), s("epsilon")});
    row("status LIKE", s("attributes.status LIKE 'FINI%'"), finished);
    row("run_name with space", s("attributes.run_name = 'gamma run'"), {s("gamma run")});
    row("run_name LIKE dot", s("attributes.run_name LIKE '%.v2'"), {s("delta.v2")});
    row("run_name IN", s("attributes.run_name IN ('alpha', 'beta')"), {s("alpha"), s("beta")});
    row("run_name NOT IN", s("attributes.run_name NOT IN ('alpha', 'beta')"),
        {s("gamma run"), s("delta.v2"), s("theta"), s("epsilon"), s("eta"), s("zeta")});
    row("run prefix, experiment", s("run.experiment = 'nlp'"), {s("delta.v2"), s("theta"), s("epsilon")});
    row("experiment !=", s("attributes.experiment != 'nlp'"),
        {s("alpha"), s("beta"), s("gamma run"), s("eta"), s("zeta")});
    row("end_time IS NULL", s("attributes.end_time IS NULL"), {s("epsilon"), s("zeta")});
    row("start_time IS NULL", s("attributes.start_time IS NULL"), {s("eta"), s("zeta")});
    row("start_time ms", s("attributes.start_time > 0"), started);
    row("start_time date", s("attributes.start_time > '2000-01-01'"), started);
    row("duration", s("attributes.duration >= 0"), started);
    row("id", s("attributes.id <= 2"), {s("alpha"), s("beta")});
    row("run_id prefix", s("attributes.run_id LIKE '%1%'").arg(m_alphaUuid.left(8)), {s("alpha")});
    row("parent_id", s("attributes.parent_id IS NULL"), all);
    // Combinations: AND binds tighter than OR.
    row("AND", s("metrics.auc > 0.8 AND params.eta = '0.3'"), {s("alpha")});
    row("AND before OR", s("metrics.auc > 0.8 and params.eta = '0.3' or tags.priority = 'high'"),
        {s("alpha"), s("zeta")});
    row("parentheses", s("metrics.auc > 0.8 and (params.eta = '0.3' or tags.team = 'vision-large')"),
        {s("alpha"), s("beta")});
    row("MLflow example", s("metrics.auc > 0.8 and params.max_depth = '6' and tags.team LIKE 'vision%'"), {s("alpha")});
}

void tst_RunFilter::matches()
{
    QFETCH(QString, expression);
    QFETCH(QStringList, expected);
    const RunFilter filter = RunFilter::parse(expression);
    QVERIFY2(filter.isValid(), qPrintable(filter.errorText()));
    expected.sort();
    QCOMPARE(names(filter.matchingRows(*m_table)), expected);
}

void tst_RunFilter::errors_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("position");
    QTest::addColumn<QString>("message");
    const auto row = [](const char *expression, int position, const char *message) {
        QTest::newRow(expression) << s(expression) << position << s(message);
    };
    row("metrics.auc >", 13, "expected a value after '>'");
    row("metrics.auc > 0.9 and", 21, "expected a column");
    row("metrics.auc 0.9", 12, "expected an operator");
    row("metric.auc > 'high'", 13, "is a number");
    row("foo.bar = 1", 0, "unknown prefix 'foo'");
    row("attributes.colour = 'red'", 11, "unknown attribute 'colour'");
    row("params.x = 'abc", 11, "unterminated string");
    row("tags.`team = 'a'", 5, "unterminated name");
    row("params.x = abc", 11, "quote text");
    row("(params.x = '1'", 15, "expected ')'");
    row("params.x = '1')", 14, "expected AND, OR or the end");
    row("params.x ! '1'", 9, "!=");
    row("metrics.auc LIKE '0.9%'", 12, "LIKE compares text");
    row("attributes.status = 'DONE'", 20, "unknown status");
    row("attributes.status > 'FINISHED'", 18, "a status compares with");
    row("params.x IN 'a'", 12, "expected '(' after IN");
    row("params.x IN ('a' 'b')", 17, "expected ',' or ')'");
    row("params.x IS 'a'", 12, "expected NULL");
    row("params. = 1", 8, "expected a name after 'params.'");
    row("params.x = 1 and and", 17, "expected a column");
    row("x = 1", 0, "unknown column 'x'");
    row("params.x = 1 # y", 13, "unexpected character '#'");
    row("params.x LIKE 5", 14, "expected a quoted pattern");
    row("params.x = 1.2.3", 11, "is not a number");
    row("params.x NOT = 1", 13, "expected IN or LIKE after NOT");
}

void tst_RunFilter::errors()
{
    QFETCH(QString, expression);
    QFETCH(int, position);
    QFETCH(QString, message);
    const RunFilter filter = RunFilter::parse(expression);
    QVERIFY(!filter.isValid());
    QVERIFY2(filter.errorMessage().contains(message), qPrintable(filter.errorMessage()));
    QCOMPARE(filter.errorPosition(), position);
    QCOMPARE(filter.errorText(), s("column %1: %2").arg(position + 1).arg(filter.errorMessage()));
    QVERIFY(filter.matchingRows(*m_table).empty());
}

void tst_RunFilter::emptyAndInvalidFilters()
{
    const RunFilter none;
    QVERIFY(none.isValid());
    QVERIFY(none.isEmpty());
    QCOMPARE(int(none.matchingRows(*m_table).size()), m_table->rowCount());
    QCOMPARE(none.errorPosition(), -1);

    const RunFilter blank = RunFilter::parse(s(" "));
    QVERIFY(blank.isEmpty());
    QCOMPARE(blank.expression(), s(" "));

    const RunFilter bad = RunFilter::parse(s("metrics.auc >"));
    QVERIFY(!bad.isEmpty());
    QCOMPARE(bad.errorText(), s("column 14: expected a value after '>'"));

    const RunFilter good = RunFilter::parse(s("metrics.auc > 0.5"));
    QVERIFY(!good.isEmpty());
    QVERIFY(good.errorText().isEmpty());
    // Matching rows come in table order.
    const std::vector<int> rows = good.matchingRows(*m_table);
    QVERIFY(std::is_sorted(rows.begin(), rows.end()));
}

void tst_RunFilter::unknownKeys()
{
    const RunFilter filter
        = RunFilter::parse(s("metrics.acc > 1 and params.max_depth = 6 and (tags.`my team` = 'x' or metrics.acc < 0) "
                             "and attributes.status = 'FINISHED' and params.eta IS NULL"));
    QVERIFY2(filter.isValid(), qPrintable(filter.errorText()));
    QCOMPARE(filter.unknownKeys(*m_table), (QStringList {s("metrics.acc"), s("tags.`my team`")}));
    QVERIFY(RunFilter::parse(s("metrics.auc > 0")).unknownKeys(*m_table).isEmpty());
    QVERIFY(RunFilter().unknownKeys(*m_table).isEmpty());
}

void tst_RunFilter::runOrder_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("stat");
    QTest::addColumn<bool>("descending");
    const auto row = [](const char *expression, RunColumnKind kind, const char *key, MetricStat stat, bool descending) {
        QTest::newRow(expression) << s(expression) << int(kind) << s(key) << int(stat) << descending;
    };
    row("metrics.auc DESC", RunColumnKind::Metric, "auc", MetricStat::Last, true);
    row("metrics.auc", RunColumnKind::Metric, "auc", MetricStat::Last, false);
    row("metrics.auc MIN ASC", RunColumnKind::Metric, "auc", MetricStat::Min, false);
    row("metrics.auc max desc", RunColumnKind::Metric, "auc", MetricStat::Max, true);
    row("params.`learning rate` ASC", RunColumnKind::Param, "learning rate", MetricStat::Last, false);
    row("tags.team desc", RunColumnKind::Tag, "team", MetricStat::Last, true);
    row("attributes.start_time", RunColumnKind::Attribute, "start_time", MetricStat::Last, false);
    row("status DESC", RunColumnKind::Attribute, "status", MetricStat::Last, true);
}

void tst_RunFilter::runOrder()
{
    QFETCH(QString, expression);
    QFETCH(int, kind);
    QFETCH(QString, key);
    QFETCH(int, stat);
    QFETCH(bool, descending);
    const Expected<RunOrder> order = parseRunOrder(expression, *m_table);
    QVERIFY2(order.ok(), qPrintable(order.ok() ? QString() : order.errorMessage()));
    QCOMPARE(order->column, m_table->findColumn(RunColumnKind(kind), key, MetricStat(stat)));
    QVERIFY(order->column >= 0);
    QCOMPARE(order->order, descending ? Qt::DescendingOrder : Qt::AscendingOrder);
}

void tst_RunFilter::runOrderErrors_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown key") << s("params.nope DESC") << s("no run has params.nope");
    QTest::newRow("MIN on a param") << s("params.max_depth MIN") << s("column 18: MIN applies to metrics");
    QTest::newRow("trailing") << s("metrics.auc DESC extra") << s("column 18: expected ASC, DESC or the end");
    QTest::newRow("empty") << s("") << s("column 1: expected a column");
    QTest::newRow("bad attribute") << s("attributes.colour") << s("column 12: unknown attribute 'colour'");
}

void tst_RunFilter::runOrderErrors()
{
    QFETCH(QString, expression);
    QFETCH(QString, error);
    const Expected<RunOrder> order = parseRunOrder(expression, *m_table);
    QVERIFY(!order.ok());
    QVERIFY2(order.errorMessage().startsWith(error), qPrintable(order.errorMessage()));
}

QTEST_GUILESS_MAIN(tst_RunFilter)
#include "tst_runfilter.moc"
