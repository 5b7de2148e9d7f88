// The runs table model over a real workspace: loading on a worker, columns and roles,
// filter, brush, sort, groups, CSV and the live poll.

#include "builtinplugins.h"
#include "models/runtablemodel.h"
#include "runs/runstore.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace kiln;
using kiln::test::parseCsv;

namespace {

/// One run as the tests make it: params, results (one-point metrics), a step metric, an end.
struct RunData
{
    QString name;
    QList<QPair<QString, QString>> params;
    QMap<QString, double> results;
    std::vector<double> loss; ///< the "loss" metric, one point per step
    std::optional<RunStatus> end; ///< nullopt: left running; Queued: left in the queue
};

QList<qint64> shownRuns(const RunTableModel &model)
{
    QList<qint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids << model.runIdAt(model.index(row, 0));
    return ids;
}

} // namespace

class TestRunTableModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void loadsColumnsValuesAndRoles();
    void headers();
    void filterValidAndInvalid();
    void brushNarrowsTheFilter();
    void sortKeepsMissingValuesLast();
    void groupsByParam();
    void csvIsExact();
    void pollUpdatesRowsAndKeepsSelection();
    void newKeyAppendsColumns();
    void experimentsAndFailures();

private:
    qint64 addRun(const RunData &data, const QString &experiment = QStringLiteral("Default"));
    void load(RunTableModel &model);
    QString cell(const RunTableModel &model, qint64 runId, RunColumnKind kind, const QString &key,
                 MetricStat stat = MetricStat::Last) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_workspace;
    // The usual fixture: three finished runs, one failed, one without eta.
    qint64 m_a = 0;
    qint64 m_b = 0;
    qint64 m_c = 0;
    qint64 m_d = 0;
};

void TestRunTableModel::initTestCase()
{
    linkBuiltinPlugins();
}

void TestRunTableModel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_workspace = test::openWorkspace(m_dir->filePath(QStringLiteral("ws")));

    const QString depth = QStringLiteral("max_depth");
    const QString eta = QStringLiteral("eta");
    const QString accuracy = QStringLiteral("accuracy");
    m_a = addRun({QStringLiteral("alpha"),
                  {{depth, QStringLiteral("3")}, {eta, QStringLiteral("0.3")}},
                  {{accuracy, 0.91}},
                  {0.9, 0.5, 0.7},
                  RunStatus::Finished});
    m_b = addRun({QStringLiteral("beta, \"quoted\"\nsecond line"),
                  {{depth, QStringLiteral("6")}, {eta, QStringLiteral("0.1")}},
                  {{accuracy, 0.1 + 0.2}},
                  {0.8, 0.2},
                  RunStatus::Finished});
    m_c = addRun(
        {QStringLiteral("gamma"), {{depth, QStringLiteral("3")}}, {{accuracy, 0.95}}, {0.4}, RunStatus::Finished});
    m_d = addRun({QStringLiteral("delta"), {{eta, QStringLiteral("10")}}, {}, {}, RunStatus::Failed});
}

void TestRunTableModel::cleanup()
{
    m_workspace.reset();
    m_dir.reset();
}

qint64 TestRunTableModel::addRun(const RunData &data, const QString &experiment)
{
    RunStore store(m_workspace->db());
    RunSpec spec;
    spec.experiment = experiment;
    spec.name = data.name;
    spec.trainer = QStringLiteral("boosted-trees");
    spec.datasetRef = QStringLiteral("iris@1");
    const qint64 id
        = test::recordRun(store, spec, {data.params, {}, {{QStringLiteral("loss"), data.loss}}, data.results}).id;
    if (data.end == RunStatus::Queued)
        return id;
    Expected<std::optional<RunRecord>> claimed = store.claimNextQueued();
    if (!claimed || !claimed->has_value() || claimed->value().id != id)
        qFatal("run %lld was not the next queued run", id);
    if (data.end && !store.markEnded(id, *data.end).ok())
        qFatal("could not end run %lld", id);
    return id;
}

void TestRunTableModel::load(RunTableModel &model)
{
    QSignalSpy loaded(&model, &RunTableModel::loaded);
    model.setPollInterval(0);
    model.setDatabasePath(m_workspace->databasePath());
    QVERIFY(model.isLoading());
    QVERIFY(loaded.wait());
    QVERIFY(!model.isLoading());
    QVERIFY(loaded.constFirst().constFirst().toDouble() >= 0);
}

QString TestRunTableModel::cell(const RunTableModel &model, qint64 runId, RunColumnKind kind, const QString &key,
                                MetricStat stat) const
{
    const int column = model.columnForKey(kind, key, stat);
    if (column < 0)
        return QStringLiteral("<no column>");
    return model.indexForRun(runId, column).data().toString();
}

void TestRunTableModel::loadsColumnsValuesAndRoles()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.table());
    load(model);

    QVERIFY(model.table());
    QCOMPARE(model.runCount(), 4);
    QCOMPARE(model.visibleRunCount(), 4);
    QCOMPARE(shownRuns(model), (QList<qint64> {m_d, m_c, m_b, m_a})); // newest first
    QVERIFY(!model.isPolling()); // every run has ended

    // Attributes first, in RunAttribute order, then a column per param, metric stat and tag.
    QCOMPARE(model.columnForKey(RunColumnKind::Attribute, QStringLiteral("id")), int(RunAttribute::Id));
    QCOMPARE(model.columnForKey(RunColumnKind::Attribute, QStringLiteral("status")), int(RunAttribute::Status));
    QCOMPARE(model.tableColumn(int(RunAttribute::Name)), int(RunAttribute::Name));
    QCOMPARE(model.columnForKey(RunColumnKind::Param, QStringLiteral("nope")), -1);
    QCOMPARE(model.tableColumn(-1), -1);
    QCOMPARE(model.tableColumn(model.columnCount()), -1);
    QCOMPARE(model.columnCount(), model.table()->columnCount());

    QCOMPARE(cell(model, m_a, RunColumnKind::Attribute, QStringLiteral("id")), QString::number(m_a));
    QCOMPARE(cell(model, m_a, RunColumnKind::Attribute, QStringLiteral("run_name")), QStringLiteral("alpha"));
    QCOMPARE(cell(model, m_a, RunColumnKind::Attribute, QStringLiteral("status")), QStringLiteral("Finished"));
    QCOMPARE(cell(model, m_d, RunColumnKind::Attribute, QStringLiteral("status")), QStringLiteral("Failed"));
    QCOMPARE(cell(model, m_a, RunColumnKind::Attribute, QStringLiteral("source")), QStringLiteral("boosted-trees"));
    QCOMPARE(cell(model, m_a, RunColumnKind::Param, QStringLiteral("max_depth")), QStringLiteral("3"));
    QCOMPARE(cell(model, m_a, RunColumnKind::Param, QStringLiteral("eta")), QStringLiteral("0.3"));
    QCOMPARE(cell(model, m_c, RunColumnKind::Param, QStringLiteral("eta")), QString()); // missing
    QCOMPARE(cell(model, m_a, RunColumnKind::Metric, QStringLiteral("accuracy")), QStringLiteral("0.91"));
    QCOMPARE(cell(model, m_a, RunColumnKind::Metric, QStringLiteral("loss")), QStringLiteral("0.7"));
    QCOMPARE(cell(model, m_a, RunColumnKind::Metric, QStringLiteral("loss"), MetricStat::Min), QStringLiteral("0.5"));
    QCOMPARE(cell(model, m_a, RunColumnKind::Metric, QStringLiteral("loss"), MetricStat::Max), QStringLiteral("0.9"));

    const int accuracy = model.columnForKey(RunColumnKind::Metric, QStringLiteral("accuracy"));
    const QModelIndex b = model.indexForRun(m_b, accuracy);
    QVERIFY(b.isValid());
    QCOMPARE(model.runIdAt(b), m_b);
    QCOMPARE(b.data(RunTableModel::RunIdRole).toLongLong(), m_b);
    QCOMPARE(b.data(RunTableModel::StatusRole).toInt(), int(RunStatus::Finished));
    QCOMPARE(b.data(RunTableModel::IsGroupRole).toBool(), false);
    QCOMPARE(b.data(RunTableModel::ValueRole).toDouble(), 0.1 + 0.2); // exactly, not as displayed
    QCOMPARE(b.data().toString(), QStringLiteral("0.3"));
    QCOMPARE(b.data(Qt::ToolTipRole).toString(), QStringLiteral("0.30000000000000004"));
    QCOMPARE(b.data(Qt::TextAlignmentRole).value<Qt::Alignment>(), Qt::AlignRight | Qt::AlignVCenter);
    QVERIFY(!model.indexForRun(m_c, model.columnForKey(RunColumnKind::Param, QStringLiteral("eta")))
                 .data(RunTableModel::ValueRole)
                 .isValid());
    // Params that are numbers sort and align as numbers; text stays left.
    const QModelIndex depth
        = model.indexForRun(m_a, model.columnForKey(RunColumnKind::Param, QStringLiteral("max_depth")));
    QCOMPARE(depth.data(RunTableModel::ValueRole).toDouble(), 3.0);
    QCOMPARE(depth.data(Qt::TextAlignmentRole).value<Qt::Alignment>(), Qt::AlignRight | Qt::AlignVCenter);
    QVERIFY(!model.indexForRun(m_a, int(RunAttribute::Name)).data(Qt::TextAlignmentRole).isValid());
    QCOMPARE(model.indexForRun(m_a, int(RunAttribute::Name)).data(RunTableModel::ValueRole).toString(),
             QStringLiteral("alpha"));
    QVERIFY(!model.parent(b).isValid());
    QCOMPARE(model.rowCount(b), 0);
    QCOMPARE(model.indexForRun(12345), QModelIndex());
}

void TestRunTableModel::headers()
{
    RunTableModel model;
    load(model);
    const int depth = model.columnForKey(RunColumnKind::Param, QStringLiteral("max_depth"));
    QCOMPARE(model.headerData(depth, Qt::Horizontal).toString(), QStringLiteral("max_depth"));
    QCOMPARE(model.headerData(depth, Qt::Horizontal, RunTableModel::FilterNameRole).toString(),
             QStringLiteral("params.max_depth"));
    QCOMPARE(model.headerData(depth, Qt::Horizontal, RunTableModel::ColumnKindRole).toInt(), int(RunColumnKind::Param));
    QCOMPARE(model.headerData(depth, Qt::Horizontal, Qt::ToolTipRole).toString(),
             QStringLiteral("params.max_depth · param"));

    const int lossMin = model.columnForKey(RunColumnKind::Metric, QStringLiteral("loss"), MetricStat::Min);
    QCOMPARE(model.headerData(lossMin, Qt::Horizontal).toString(), QStringLiteral("loss (min)"));
    QCOMPARE(model.headerData(lossMin, Qt::Horizontal, RunTableModel::FilterNameRole).toString(), QString());
    QVERIFY(model.headerData(lossMin, Qt::Horizontal, Qt::ToolTipRole).toString().startsWith(u"metrics.loss · "));
    QCOMPARE(model.headerData(int(RunAttribute::Status), Qt::Horizontal).toString(), QStringLiteral("Status"));
    QCOMPARE(model.headerData(int(RunAttribute::Status), Qt::Horizontal, RunTableModel::FilterNameRole).toString(),
             QStringLiteral("attributes.status"));
    QVERIFY(!model.headerData(0, Qt::Vertical).isValid());
    QVERIFY(!model.headerData(model.columnCount(), Qt::Horizontal).isValid());
}

void TestRunTableModel::filterValidAndInvalid()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    load(model);
    QSignalSpy errors(&model, &RunTableModel::filterError);
    QSignalSpy applied(&model, &RunTableModel::filterApplied);

    QVERIFY(model.setFilter(QStringLiteral("metrics.accuracy > 0.5 and params.max_depth = '3'")));
    QCOMPARE(shownRuns(model), (QList<qint64> {m_c, m_a}));
    QCOMPARE(model.visibleRunCount(), 2);
    QCOMPARE(model.runCount(), 4);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.constFirst().at(0).toString(), QString());
    QCOMPARE(errors.constFirst().at(1).toInt(), -1);
    QCOMPARE(applied.constLast().constFirst().toInt(), 2);
    QCOMPARE(model.filter().expression(), QStringLiteral("metrics.accuracy > 0.5 and params.max_depth = '3'"));

    // Refused: the rows stay those of the last valid filter, the error says where.
    const std::vector<int> before = model.visibleTableRows();
    QVERIFY(!model.setFilter(QStringLiteral("metrics.accuracy >")));
    QCOMPARE(errors.size(), 2);
    QCOMPARE(errors.constLast().at(0).toString(), QStringLiteral("column 19: expected a value after '>'"));
    QCOMPARE(errors.constLast().at(1).toInt(), 18);
    QCOMPARE(model.visibleTableRows(), before);
    QCOMPARE(shownRuns(model), (QList<qint64> {m_c, m_a}));
    QCOMPARE(model.filter().expression(), QStringLiteral("metrics.accuracy > 0.5 and params.max_depth = '3'"));
    QCOMPARE(applied.size(), 1);

    // Attributes, strings, and a blank filter for every run again.
    QVERIFY(model.setFilter(QStringLiteral("attributes.status = 'FAILED'")));
    QCOMPARE(shownRuns(model), (QList<qint64> {m_d}));
    QVERIFY(model.setFilter(QStringLiteral("attributes.run_name LIKE '%a'")));
    QCOMPARE(shownRuns(model), (QList<qint64> {m_d, m_c, m_a}));
    QVERIFY(model.setFilter(QStringLiteral("  ")));
    QCOMPARE(model.visibleRunCount(), 4);
    QVERIFY(model.filter().isEmpty());
}

void TestRunTableModel::brushNarrowsTheFilter()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    load(model);
    QVERIFY(!model.isBrushed());
    model.setBrushedRuns(QSet<qint64> {m_a, m_b, m_d});
    QVERIFY(model.isBrushed());
    QCOMPARE(shownRuns(model), (QList<qint64> {m_d, m_b, m_a}));
    QVERIFY(model.setFilter(QStringLiteral("params.max_depth IS NOT NULL")));
    QCOMPARE(shownRuns(model), (QList<qint64> {m_b, m_a}));
    model.setBrushedRuns(std::nullopt);
    QVERIFY(!model.isBrushed());
    QCOMPARE(shownRuns(model), (QList<qint64> {m_c, m_b, m_a}));
    model.setBrushedRuns(QSet<qint64> {});
    QCOMPARE(model.rowCount(), 0);
}

void TestRunTableModel::sortKeepsMissingValuesLast()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    load(model);
    const int eta = model.columnForKey(RunColumnKind::Param, QStringLiteral("eta"));
    model.sort(eta, Qt::AscendingOrder);
    QCOMPARE(model.sortColumn(), eta);
    QCOMPARE(model.sortOrder(), Qt::AscendingOrder);
    // Numerically (10 after 0.3), the run without eta last.
    QCOMPARE(shownRuns(model), (QList<qint64> {m_b, m_a, m_d, m_c}));
    model.sort(eta, Qt::DescendingOrder);
    QCOMPARE(shownRuns(model), (QList<qint64> {m_d, m_a, m_b, m_c}));

    const int accuracy = model.columnForKey(RunColumnKind::Metric, QStringLiteral("accuracy"));
    model.sort(accuracy, Qt::DescendingOrder);
    QCOMPARE(shownRuns(model), (QList<qint64> {m_c, m_a, m_b, m_d}));
    QVERIFY(model.setFilter(QStringLiteral("params.max_depth = 3")));
    QCOMPARE(shownRuns(model), (QList<qint64> {m_c, m_a}));
    model.sort(-1);
    QCOMPARE(model.sortColumn(), -1);
    QCOMPARE(shownRuns(model), (QList<qint64> {m_c, m_a}));
}

void TestRunTableModel::groupsByParam()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    load(model);
    const int depth = model.columnForKey(RunColumnKind::Param, QStringLiteral("max_depth"));
    const int accuracy = model.columnForKey(RunColumnKind::Metric, QStringLiteral("accuracy"));
    model.sort(accuracy, Qt::AscendingOrder);
    model.setGroupColumn(depth);
    QCOMPARE(model.groupColumn(), depth);

    // Groups by value (3 before 6), the runs without one last; runs sorted inside each.
    QCOMPARE(model.rowCount(), 3);
    const QModelIndex three = model.index(0, 0);
    const QModelIndex six = model.index(1, 0);
    const QModelIndex none = model.index(2, 0);
    QCOMPARE(three.data().toString(), QStringLiteral("max_depth = 3 (2 runs)"));
    QCOMPARE(six.data().toString(), QStringLiteral("max_depth = 6 (1 run)"));
    QCOMPARE(none.data().toString(), QStringLiteral("max_depth = (none) (1 run)"));
    QVERIFY(three.data(RunTableModel::IsGroupRole).toBool());
    QCOMPARE(three.data(RunTableModel::RunIdRole).toLongLong(), 0);
    QCOMPARE(three.data(RunTableModel::StatusRole).toInt(), -1);
    QCOMPARE(model.runIdAt(three), 0);
    QCOMPARE(model.index(0, depth).data(RunTableModel::ValueRole).toString(), QStringLiteral("3"));
    QCOMPARE(model.rowCount(three), 2);
    QCOMPARE(model.rowCount(six), 1);
    QCOMPARE(model.rowCount(none), 1);
    QCOMPARE(model.runIdAt(model.index(0, 0, three)), m_a); // 0.91
    QCOMPARE(model.runIdAt(model.index(1, 0, three)), m_c); // 0.95
    QCOMPARE(model.runIdAt(model.index(0, 0, six)), m_b);
    QCOMPARE(model.runIdAt(model.index(0, 0, none)), m_d);
    QCOMPARE(model.index(1, 0, three).parent(), three);
    QCOMPARE(model.indexForRun(m_c, 2), model.index(1, 2, three));
    QCOMPARE(model.rowCount(model.index(1, 0, three)), 0);
    QVERIFY(!model.index(2, 0, three).isValid());
    const std::vector<int> flattened = model.visibleTableRows();
    QCOMPARE(flattened.size(), std::size_t(4));
    QCOMPARE(model.table()->runId(flattened[0]), m_a);
    QCOMPARE(model.table()->runId(flattened[3]), m_d);

    // A filter keeps only the groups that still have runs.
    QVERIFY(model.setFilter(QStringLiteral("metrics.accuracy > 0.5")));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("max_depth = 3 (2 runs)"));

    // Grouping by an attribute, then no grouping.
    QVERIFY(model.setFilter({}));
    model.setGroupColumn(int(RunAttribute::Status));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("Status = Failed (1 run)"));
    QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("Status = Finished (3 runs)"));
    model.setGroupColumn(-1);
    QCOMPARE(model.groupColumn(), -1);
    QCOMPARE(model.rowCount(), 4);
}

void TestRunTableModel::csvIsExact()
{
    RunTableModel model;
    load(model);
    const int name = int(RunAttribute::Name);
    const int depth = model.columnForKey(RunColumnKind::Param, QStringLiteral("max_depth"));
    const int accuracy = model.columnForKey(RunColumnKind::Metric, QStringLiteral("accuracy"));
    const int lossMax = model.columnForKey(RunColumnKind::Metric, QStringLiteral("loss"), MetricStat::Max);
    model.sort(accuracy, Qt::DescendingOrder);

    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    const Status written = model.writeCsv(buffer, {int(RunAttribute::Id), name, depth, accuracy, lossMax});
    QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.errorMessage()));
    const QString text = QString::fromUtf8(buffer.data());
    QVERIFY(text.endsWith(QLatin1String("\r\n")));
    // The name with a comma, quotes and a line break is one quoted field.
    QVERIFY(text.contains(QLatin1String("\"beta, \"\"quoted\"\"\nsecond line\"")));

    const QList<QStringList> records = parseCsv(text);
    const QList<QStringList> expected = {
        {QStringLiteral("Id"), QStringLiteral("Name"), QStringLiteral("params.max_depth"),
         QStringLiteral("metrics.accuracy"), QStringLiteral("metrics.loss (max)")},
        {QString::number(m_c), QStringLiteral("gamma"), QStringLiteral("3"), QStringLiteral("0.95"),
         QStringLiteral("0.4")},
        {QString::number(m_a), QStringLiteral("alpha"), QStringLiteral("3"), QStringLiteral("0.91"),
         QStringLiteral("0.9")},
        {QString::number(m_b), QStringLiteral("beta, \"quoted\"\nsecond line"), QStringLiteral("6"),
         QStringLiteral("0.30000000000000004"), QStringLiteral("0.8")},
        {QString::number(m_d), QStringLiteral("delta"), QString(), QString(), QString()},
    };
    QCOMPARE(records, expected);
    QCOMPARE(records.at(3).at(3).toDouble(), 0.1 + 0.2);

    // Every column by default, only the visible rows, groups flattened in display order.
    QVERIFY(model.setFilter(QStringLiteral("params.max_depth = 3")));
    model.setGroupColumn(depth);
    QBuffer all;
    QVERIFY(all.open(QIODevice::WriteOnly));
    QVERIFY(model.writeCsv(all).ok());
    const QList<QStringList> allRecords = parseCsv(QString::fromUtf8(all.data()));
    QCOMPARE(allRecords.size(), 3);
    QCOMPARE(allRecords.constFirst().size(), model.columnCount());
    QCOMPARE(allRecords.at(1).at(int(RunAttribute::Id)), QString::number(m_c));
    QCOMPARE(allRecords.at(2).at(int(RunAttribute::Id)), QString::number(m_a));
    QCOMPARE(allRecords.at(1).at(int(RunAttribute::Status)), QStringLiteral("finished"));
    // Times exactly, as ISO 8601.
    QVERIFY(QDateTime::fromString(allRecords.at(1).at(int(RunAttribute::Started)), Qt::ISODateWithMs).isValid());

    // A device that cannot be written says so.
    QBuffer closed;
    const Status refused = model.writeCsv(closed);
    QVERIFY(!refused.ok());
    QVERIFY(refused.errorMessage().startsWith(QLatin1String("cannot write the CSV")));
}

void TestRunTableModel::pollUpdatesRowsAndKeepsSelection()
{
    RunStore store(m_workspace->db());
    const qint64 live = addRun(
        {QStringLiteral("live"), {{QStringLiteral("max_depth"), QStringLiteral("4")}}, {}, {1.0}, std::nullopt});
    const qint64 waiting = addRun({QStringLiteral("waiting"), {}, {}, {}, RunStatus::Queued});

    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    load(model);
    QCOMPARE(shownRuns(model), (QList<qint64> {waiting, live, m_d, m_c, m_b, m_a}));
    QCOMPARE(model.indexForRun(live).data(RunTableModel::StatusRole).toInt(), int(RunStatus::Running));
    model.setPollInterval(1000);
    QVERIFY(model.isPolling()); // runs are active
    model.setPollInterval(0);
    QVERIFY(!model.isPolling());

    // A selection and a current index on a finished run, as a view holds them.
    QItemSelectionModel selection(&model);
    selection.setCurrentIndex(model.indexForRun(m_b, 1),
                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(selection.selectedRows().size(), 1);

    // The live run logs and ends, a new run arrives.
    QVERIFY(store.appendMetrics(live, {{QStringLiteral("loss"), {{1, 1'700'000'000'100, 0.25}}}}).ok());
    QVERIFY(store.setResults(live, {{QStringLiteral("accuracy"), 0.97}}).ok());
    QVERIFY(store.markEnded(live, RunStatus::Finished).ok());
    const qint64 fresh = addRun(
        {QStringLiteral("fresh"), {{QStringLiteral("max_depth"), QStringLiteral("6")}}, {}, {}, RunStatus::Queued});
    QCOMPARE(store.claimNextQueued()->value().id, waiting);

    QSignalSpy loaded(&model, &RunTableModel::loaded);
    QSignalSpy changed(&model, &RunTableModel::runChanged);
    QSignalSpy values(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
    model.poll();
    QVERIFY(loaded.wait());

    QCOMPARE(shownRuns(model), (QList<qint64> {fresh, waiting, live, m_d, m_c, m_b, m_a}));
    QCOMPARE(layout.size(), 1);
    QCOMPARE(cell(model, live, RunColumnKind::Attribute, QStringLiteral("status")), QStringLiteral("Finished"));
    QCOMPARE(cell(model, live, RunColumnKind::Metric, QStringLiteral("loss")), QStringLiteral("0.25"));
    QCOMPARE(cell(model, live, RunColumnKind::Metric, QStringLiteral("accuracy")), QStringLiteral("0.97"));
    QCOMPARE(cell(model, waiting, RunColumnKind::Attribute, QStringLiteral("status")), QStringLiteral("Running"));
    QSet<qint64> statusChanges;
    for (const QList<QVariant> &args : std::as_const(changed))
        statusChanges.insert(args.at(0).toLongLong());
    QCOMPARE(statusChanges, (QSet<qint64> {live, waiting}));
    QCOMPARE(changed.constFirst().at(1).value<RunStatus>(),
             changed.constFirst().at(0).toLongLong() == live ? RunStatus::Finished : RunStatus::Running);
    bool liveRowChanged = false;
    for (const QList<QVariant> &args : std::as_const(values)) {
        const auto topLeft = args.at(0).value<QModelIndex>();
        liveRowChanged = liveRowChanged || model.runIdAt(topLeft) == live;
    }
    QVERIFY(liveRowChanged);

    // The selection moved with its run (one row down, under the new run).
    QCOMPARE(selection.selectedRows().size(), 1);
    QCOMPARE(model.runIdAt(selection.selectedRows().constFirst()), m_b);
    QCOMPARE(model.runIdAt(selection.currentIndex()), m_b);
    QCOMPARE(selection.currentIndex().column(), 1);

    // Nothing moved this time: values change in place, without a layout change.
    QVERIFY(store.appendMetrics(fresh, {{QStringLiteral("loss"), {{0, 1'700'000'000'000, 0.5}}}}).ok());
    layout.clear();
    values.clear();
    model.poll();
    QVERIFY(loaded.wait());
    QCOMPARE(layout.size(), 0);
    // The poll re-read the two active runs.
    QSet<qint64> changedRows;
    for (const QList<QVariant> &args : std::as_const(values))
        changedRows.insert(model.runIdAt(args.at(0).value<QModelIndex>()));
    QCOMPARE(changedRows, (QSet<qint64> {fresh, waiting}));
    QCOMPARE(cell(model, fresh, RunColumnKind::Metric, QStringLiteral("loss")), QStringLiteral("0.5"));
    QCOMPARE(model.runIdAt(selection.currentIndex()), m_b);

    // Grouped, a run that changes group keeps its selection too.
    model.setGroupColumn(model.columnForKey(RunColumnKind::Param, QStringLiteral("max_depth")));
    selection.setCurrentIndex(model.indexForRun(fresh),
                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QVERIFY(store.setParams(fresh, {{QStringLiteral("max_depth"), QStringLiteral("3")}}).ok());
    model.poll();
    QVERIFY(loaded.wait());
    QCOMPARE(model.indexForRun(fresh).parent().data().toString(), QStringLiteral("max_depth = 3 (3 runs)"));
    QCOMPARE(model.runIdAt(selection.currentIndex()), fresh);
    QCOMPARE(selection.selectedRows().size(), 1);
}

void TestRunTableModel::newKeyAppendsColumns()
{
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const qint64 live = addRun({QStringLiteral("live"), {}, {}, {}, std::nullopt});
    load(model);
    const int columns = model.columnCount();
    const int depth = model.columnForKey(RunColumnKind::Param, QStringLiteral("max_depth"));
    const int accuracy = model.columnForKey(RunColumnKind::Metric, QStringLiteral("accuracy"));
    QCOMPARE(model.columnForKey(RunColumnKind::Param, QStringLiteral("subsample")), -1);

    RunStore store(m_workspace->db());
    QVERIFY(store.setParams(live, {{QStringLiteral("subsample"), QStringLiteral("0.8")}}).ok());
    QVERIFY(store.setTags(live, {{QStringLiteral("team"), QStringLiteral("vision")}}).ok());
    QSignalSpy inserted(&model, &QAbstractItemModel::columnsInserted);
    QSignalSpy loaded(&model, &RunTableModel::loaded);
    model.poll();
    QVERIFY(loaded.wait());

    // Appended after every column there was; the others keep their place.
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.constFirst().at(1).toInt(), columns);
    QCOMPARE(inserted.constFirst().at(2).toInt(), columns + 1);
    QCOMPARE(model.columnCount(), columns + 2);
    QCOMPARE(model.columnForKey(RunColumnKind::Param, QStringLiteral("max_depth")), depth);
    QCOMPARE(model.columnForKey(RunColumnKind::Metric, QStringLiteral("accuracy")), accuracy);
    const int subsample = model.columnForKey(RunColumnKind::Param, QStringLiteral("subsample"));
    const int team = model.columnForKey(RunColumnKind::Tag, QStringLiteral("team"));
    QCOMPARE(QSet<int>({subsample, team}), QSet<int>({columns, columns + 1}));
    QCOMPARE(model.headerData(team, Qt::Horizontal, RunTableModel::FilterNameRole).toString(),
             QStringLiteral("tags.team"));
    QCOMPARE(cell(model, live, RunColumnKind::Param, QStringLiteral("subsample")), QStringLiteral("0.8"));
    QCOMPARE(cell(model, live, RunColumnKind::Tag, QStringLiteral("team")), QStringLiteral("vision"));
    QCOMPARE(cell(model, m_a, RunColumnKind::Param, QStringLiteral("max_depth")), QStringLiteral("3"));
    QCOMPARE(model.tableColumn(depth), model.table()->findColumn(RunColumnKind::Param, QStringLiteral("max_depth")));
    QCOMPARE(model.tableColumn(subsample),
             model.table()->findColumn(RunColumnKind::Param, QStringLiteral("subsample")));
    QVERIFY(model.setFilter(QStringLiteral("tags.team = 'vision'")));
    QCOMPARE(shownRuns(model), (QList<qint64> {live}));
}

void TestRunTableModel::experimentsAndFailures()
{
    const qint64 other = addRun(
        {QStringLiteral("elsewhere"), {{QStringLiteral("lr"), QStringLiteral("0.01")}}, {}, {}, RunStatus::Finished},
        QStringLiteral("other"));
    RunTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    load(model);
    QCOMPARE(model.runCount(), 5);
    const int lr = model.columnForKey(RunColumnKind::Param, QStringLiteral("lr"));
    QVERIFY(lr >= 0);

    // Another experiment: its columns stay (empty, without a table column), rows change.
    QSignalSpy loaded(&model, &RunTableModel::loaded);
    model.setExperiments({QStringLiteral("Default")});
    QCOMPARE(model.experiments(), QStringList {QStringLiteral("Default")});
    QVERIFY(loaded.wait());
    QCOMPARE(model.runCount(), 4);
    QVERIFY(!model.indexForRun(other).isValid());
    QCOMPARE(model.columnForKey(RunColumnKind::Param, QStringLiteral("lr")), lr);
    QCOMPARE(model.tableColumn(lr), -1);
    QCOMPARE(model.headerData(lr, Qt::Horizontal).toString(), QStringLiteral("lr"));
    QVERIFY(!model.indexForRun(m_a, lr).data().isValid());

    // A workspace that is not there: loadFailed, and the rows stay.
    QSignalSpy failed(&model, &RunTableModel::loadFailed);
    model.setDatabasePath(m_dir->filePath(QStringLiteral("missing/kiln.db")));
    QCOMPARE(model.rowCount(), 0); // another workspace: nothing of the old one
    QVERIFY(failed.wait());
    QVERIFY(failed.constFirst().constFirst().toString().contains(QLatin1String("missing/kiln.db")));
    QCOMPARE(model.databasePath(), m_dir->filePath(QStringLiteral("missing/kiln.db")));

    // An empty path empties the model; a load in flight is dropped.
    model.setDatabasePath(m_workspace->databasePath());
    model.setDatabasePath({});
    QCOMPARE(model.columnCount(), 0);
    QVERIFY(!model.isLoading());
    QVERIFY(!loaded.wait(300));
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TestRunTableModel)
#include "tst_runtablemodel.moc"
