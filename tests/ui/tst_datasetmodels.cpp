// The item models of core/models over real imported datasets, without widgets.

#include "builtinplugins.h"
#include "data/datasetcatalog.h"
#include "data/datasetimport.h"
#include "data/datasettable.h"
#include "models/columnstatsmodel.h"
#include "models/datasetlistmodel.h"
#include "models/datasettablemodel.h"
#include "tasks/feedback.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace kiln;

namespace {

// Five people with a missing value in most columns; ids tell rows apart in assertions.
const QByteArray kPeople = "id,name,age,score,joined,active\n"
                           "1,alice,30,2.5,2024-01-05,true\n"
                           "2,Bob,10,10,2023-12-31,false\n"
                           "3,carol,2,,2024-03-01,true\n"
                           "4,dave,,7.25,NA,false\n"
                           "5,eve,100,-1,2022-06-15,\n";

enum PeopleColumn { Id, Name, Age, Score, Joined, Active };

} // namespace

class TestDatasetModels final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listModelShowsDatasetsAndVersions();
    void tableModelCells();
    void sortOrder_data();
    void sortOrder();
    void filters_data();
    void filters();
    void filterRejectsValueOfWrongType();
    void newRequestReplacesRunningOne();
    void chunkCacheMatchesTableRows();
    void columnStatsModel();
    void millionRows();

private:
    ImportReport import(const QStringList &paths);
    std::shared_ptr<const DatasetTable> openTable(const QString &name, int version = 0);
    QList<int> viewIds(const DatasetTableModel &model) const;
    static bool waitForView(DatasetTableModel &model, QSignalSpy &spy);

    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_workspace;
};

void TestDatasetModels::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
    auto workspace = Workspace::open(m_dir.filePath(QStringLiteral("workspace")));
    QVERIFY2(workspace.ok(), qPrintable(workspace.ok() ? QString() : workspace.errorMessage()));
    m_workspace = std::move(workspace).value();

    const QString people = test::writeFile(m_dir.filePath(QStringLiteral("in/people.csv")), kPeople);
    const ImportReport report = import({people});
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));
    QCOMPARE(report.imported.size(), 1);
}

ImportReport TestDatasetModels::import(const QStringList &paths)
{
    ImportRequest request;
    request.workspaceRoot = m_workspace->root();
    request.paths = paths;
    Feedback feedback;
    return importPaths(request, feedback);
}

std::shared_ptr<const DatasetTable> TestDatasetModels::openTable(const QString &name, int version)
{
    Expected<DatasetVersion> found = DatasetCatalog(m_workspace->db()).version(name, version);
    if (!found) {
        qWarning("%s", qPrintable(found.errorMessage()));
        return {};
    }
    Expected<std::shared_ptr<const DatasetTable>> table = DatasetTable::open(m_workspace->blobs(), *found);
    if (!table) {
        qWarning("%s", qPrintable(table.errorMessage()));
        return {};
    }
    return std::move(table).value();
}

QList<int> TestDatasetModels::viewIds(const DatasetTableModel &model) const
{
    QList<int> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids << model.index(row, Id).data().toInt();
    return ids;
}

bool TestDatasetModels::waitForView(DatasetTableModel &model, QSignalSpy &spy)
{
    if (spy.isEmpty() && !spy.wait(30000))
        return false;
    return !model.isBusy();
}

void TestDatasetModels::listModelShowsDatasetsAndVersions()
{
    // people v2 (one more row) and a second dataset.
    const QString people2
        = test::writeFile(m_dir.filePath(QStringLiteral("in2/people.csv")), kPeople + "6,frank,41,3,2021-01-01,true\n");
    const QString other
        = test::writeFile(m_dir.filePath(QStringLiteral("in2/weather.tsv")), "city\ttemp\nOslo\t3.5\nRome\t18\n");
    const ImportReport report = import({people2, other});
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));

    DatasetListModel model;
    model.setDatabase(&m_workspace->db());
    QVERIFY(model.refresh().ok());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(DatasetListModel::ColumnCount));

    const QModelIndex people = model.indexFor(QStringLiteral("people"));
    QVERIFY(people.isValid());
    QCOMPARE(people.data().toString(), QStringLiteral("people"));
    QCOMPARE(people.data(DatasetListModel::VersionRole).toInt(), 2);
    QCOMPARE(people.data(DatasetListModel::IsVersionRole).toBool(), false);
    QCOMPARE(people.siblingAtColumn(DatasetListModel::ShapeColumn).data().toString(), QStringLiteral("6 × 6"));
    QCOMPARE(model.rowCount(people), 2);

    // Versions newest first, each with its own shape and ref.
    const QModelIndex newest = model.index(0, 0, people);
    const QModelIndex oldest = model.index(1, 0, people);
    QCOMPARE(newest.parent(), people);
    QCOMPARE(newest.data(DatasetListModel::VersionRole).toInt(), 2);
    QCOMPARE(oldest.data(DatasetListModel::VersionRole).toInt(), 1);
    QCOMPARE(newest.data(DatasetListModel::RefRole).toString(), QStringLiteral("people@2"));
    QCOMPARE(oldest.data(DatasetListModel::RefRole).toString(), QStringLiteral("people@1"));
    QCOMPARE(newest.data(DatasetListModel::IsVersionRole).toBool(), true);
    QCOMPARE(newest.data(DatasetListModel::RowCountRole).toLongLong(), 6);
    QCOMPARE(oldest.data(DatasetListModel::RowCountRole).toLongLong(), 5);
    QCOMPARE(oldest.siblingAtColumn(DatasetListModel::ShapeColumn).data().toString(), QStringLiteral("5 × 6"));
    QVERIFY(newest.data().toString().startsWith(QStringLiteral("v2")));
    QCOMPARE(model.rowCount(newest), 0);
    QCOMPARE(model.indexFor(QStringLiteral("people"), 1), oldest);

    // The tooltip says where the version came from and what it is.
    const DatasetVersion v1 = DatasetCatalog(m_workspace->db()).version(QStringLiteral("people"), 1).value();
    const QString tip = oldest.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(v1.sourcePath), qPrintable(tip));
    QVERIFY2(tip.contains(v1.blobSha256), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("SHA-256")), qPrintable(tip));
    QVERIFY2(tip.contains(QLocale().toString(v1.sourceSize)), qPrintable(tip));

    const QModelIndex weather = model.indexFor(QStringLiteral("weather"));
    QVERIFY(weather.isValid());
    QCOMPARE(weather.data(DatasetListModel::RowCountRole).toLongLong(), 2);
    QVERIFY(!model.indexFor(QStringLiteral("people"), 7).isValid());
    QVERIFY(!model.indexFor(QStringLiteral("nothing")).isValid());
}

void TestDatasetModels::tableModelCells()
{
    DatasetTableModel model;
    model.setTable(openTable(QStringLiteral("people"), 1));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.columnCount(), 6);
    QCOMPARE(model.totalRowCount(), 5);
    QCOMPARE(model.headerData(Age, Qt::Horizontal).toString(), QStringLiteral("age"));
    QVERIFY(model.headerData(Age, Qt::Horizontal, Qt::ToolTipRole).toString().contains(QStringLiteral("Integer")));
    QCOMPARE(model.headerData(4, Qt::Vertical).toLongLong(), 5); // stored row numbers, 1-based

    QCOMPARE(model.index(0, Name).data().toString(), QStringLiteral("alice"));
    QCOMPARE(model.index(1, Score).data().toString(), QStringLiteral("10"));
    QCOMPARE(model.index(4, Joined).data().toString(), QStringLiteral("2022-06-15"));

    // Missing: an empty cell flagged as missing, whatever it was spelt as in the file.
    const QModelIndex empty = model.index(2, Score);
    QCOMPARE(empty.data().toString(), QString());
    QCOMPARE(empty.data(DatasetTableModel::MissingRole).toBool(), true);
    const QModelIndex na = model.index(3, Joined);
    QCOMPARE(na.data().toString(), QString());
    QCOMPARE(na.data(DatasetTableModel::MissingRole).toBool(), true);
    QCOMPARE(na.data(DatasetTableModel::RawTextRole).toString(), QStringLiteral("NA"));
    QCOMPARE(model.index(0, Score).data(DatasetTableModel::MissingRole).toBool(), false);
    QCOMPARE(model.index(0, Age).data(Qt::TextAlignmentRole).value<Qt::Alignment>() & Qt::AlignRight, Qt::AlignRight);
}

void TestDatasetModels::sortOrder_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QList<int>>("ids");

    // Numbers as numbers (2 < 10 < 30 < 100), missing last in both orders.
    QTest::newRow("age ascending") << int(Age) << Qt::AscendingOrder << QList<int> {3, 2, 1, 5, 4};
    QTest::newRow("age descending") << int(Age) << Qt::DescendingOrder << QList<int> {5, 1, 2, 3, 4};
    QTest::newRow("score ascending") << int(Score) << Qt::AscendingOrder << QList<int> {5, 1, 4, 2, 3};
    QTest::newRow("score descending") << int(Score) << Qt::DescendingOrder << QList<int> {2, 4, 1, 5, 3};
    QTest::newRow("joined ascending") << int(Joined) << Qt::AscendingOrder << QList<int> {5, 2, 1, 3, 4};
    QTest::newRow("joined descending") << int(Joined) << Qt::DescendingOrder << QList<int> {3, 1, 2, 5, 4};
    QTest::newRow("name ascending, case folded") << int(Name) << Qt::AscendingOrder << QList<int> {1, 2, 3, 4, 5};
    QTest::newRow("name descending") << int(Name) << Qt::DescendingOrder << QList<int> {5, 4, 3, 2, 1};
    QTest::newRow("active ascending") << int(Active) << Qt::AscendingOrder << QList<int> {2, 4, 1, 3, 5};
    QTest::newRow("id descending") << int(Id) << Qt::DescendingOrder << QList<int> {5, 4, 3, 2, 1};
}

void TestDatasetModels::sortOrder()
{
    QFETCH(int, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(QList<int>, ids);

    DatasetTableModel model;
    model.setTable(openTable(QStringLiteral("people"), 1));
    QSignalSpy view(&model, &DatasetTableModel::viewChanged);
    QSignalSpy busy(&model, &DatasetTableModel::busyChanged);
    model.sort(column, order);
    QVERIFY(model.isBusy());
    QVERIFY(waitForView(model, view));
    QCOMPARE(viewIds(model), ids);
    QCOMPARE(model.sortColumn(), column);
    QCOMPARE(model.sortOrder(), order);
    QCOMPARE(busy.size(), 2); // on, then off
    QCOMPARE(model.sourceRow(0), qint64(ids.first() - 1));

    // Back to stored order.
    view.clear();
    model.sort(-1);
    QVERIFY(waitForView(model, view));
    QCOMPARE(viewIds(model), (QList<int> {1, 2, 3, 4, 5}));
}

void TestDatasetModels::filters_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<FilterOperator>("op");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QList<int>>("ids");

    using Op = FilterOperator;
    // A missing value matches only "is missing": dave has no age.
    QTest::newRow("age = 10") << int(Age) << Op::Equal << QStringLiteral("10") << QList<int> {2};
    QTest::newRow("age = 2.0") << int(Age) << Op::Equal << QStringLiteral("2.0") << QList<int> {3};
    QTest::newRow("age ≠ 10") << int(Age) << Op::NotEqual << QStringLiteral("10") << QList<int> {1, 3, 5};
    QTest::newRow("age < 30") << int(Age) << Op::Less << QStringLiteral("30") << QList<int> {2, 3};
    QTest::newRow("age ≤ 30") << int(Age) << Op::LessOrEqual << QStringLiteral("30") << QList<int> {1, 2, 3};
    QTest::newRow("age > 10") << int(Age) << Op::Greater << QStringLiteral("10") << QList<int> {1, 5};
    QTest::newRow("age ≥ 10") << int(Age) << Op::GreaterOrEqual << QStringLiteral("10") << QList<int> {1, 2, 5};
    QTest::newRow("score < 5") << int(Score) << Op::Less << QStringLiteral("5") << QList<int> {1, 5};
    QTest::newRow("score ≥ 7.25") << int(Score) << Op::GreaterOrEqual << QStringLiteral("7.25") << QList<int> {2, 4};
    QTest::newRow("name contains A") << int(Name) << Op::Contains << QStringLiteral("A") << QList<int> {1, 3, 4};
    QTest::newRow("name = Bob") << int(Name) << Op::Equal << QStringLiteral("Bob") << QList<int> {2};
    QTest::newRow("name > carol") << int(Name) << Op::Greater << QStringLiteral("carol") << QList<int> {4, 5};
    QTest::newRow("score is missing") << int(Score) << Op::IsMissing << QString() << QList<int> {3};
    QTest::newRow("score is not missing") << int(Score) << Op::IsNotMissing << QString() << QList<int> {1, 2, 4, 5};
    QTest::newRow("joined is missing (NA)") << int(Joined) << Op::IsMissing << QString() << QList<int> {4};
    QTest::newRow("joined ≥ 2024-01-01") << int(Joined) << Op::GreaterOrEqual << QStringLiteral("2024-01-01")
                                         << QList<int> {1, 3};
    QTest::newRow("active = true") << int(Active) << Op::Equal << QStringLiteral("true") << QList<int> {1, 3};
    QTest::newRow("active is missing") << int(Active) << Op::IsMissing << QString() << QList<int> {5};
    QTest::newRow("id contains 4") << int(Id) << Op::Contains << QStringLiteral("4") << QList<int> {4};
}

void TestDatasetModels::filters()
{
    QFETCH(int, column);
    QFETCH(FilterOperator, op);
    QFETCH(QString, value);
    QFETCH(QList<int>, ids);

    DatasetTableModel model;
    model.setTable(openTable(QStringLiteral("people"), 1));
    QSignalSpy view(&model, &DatasetTableModel::viewChanged);
    const Status status = model.setFilter(RowFilter {column, op, value});
    QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.errorMessage()));
    QVERIFY(waitForView(model, view));
    QCOMPARE(viewIds(model), ids);
    QCOMPARE(model.totalRowCount(), 5);
    QVERIFY(model.filter().isActive());

    // Sorted and filtered together: descending ids of the same rows.
    view.clear();
    model.sort(Id, Qt::DescendingOrder);
    QVERIFY(waitForView(model, view));
    QList<int> descending = ids;
    std::reverse(descending.begin(), descending.end());
    QCOMPARE(viewIds(model), descending);

    view.clear();
    model.clearFilter();
    QVERIFY(waitForView(model, view));
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(!model.filter().isActive());
}

void TestDatasetModels::filterRejectsValueOfWrongType()
{
    DatasetTableModel model;
    model.setTable(openTable(QStringLiteral("people"), 1));
    QSignalSpy view(&model, &DatasetTableModel::viewChanged);
    const Status status = model.setFilter(RowFilter {Age, FilterOperator::Less, QStringLiteral("abc")});
    QVERIFY(!status.ok());
    QVERIFY2(status.errorMessage().contains(QStringLiteral("abc")), qPrintable(status.errorMessage()));
    QVERIFY2(status.errorMessage().contains(QStringLiteral("age")), qPrintable(status.errorMessage()));
    QVERIFY(!model.isBusy());
    QVERIFY(!model.filter().isActive());
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(!model.setFilter(RowFilter {Joined, FilterOperator::Equal, QStringLiteral("soon")}).ok());
    QCOMPARE(view.size(), 0);
}

void TestDatasetModels::newRequestReplacesRunningOne()
{
    DatasetTableModel model;
    model.setTable(openTable(QStringLiteral("people"), 1));
    QSignalSpy view(&model, &DatasetTableModel::viewChanged);
    model.sort(Age, Qt::AscendingOrder);
    model.sort(Score, Qt::DescendingOrder);
    QVERIFY(waitForView(model, view));
    QTRY_VERIFY(!model.isBusy());
    QCOMPARE(viewIds(model), (QList<int> {2, 4, 1, 5, 3}));
    QCOMPARE(view.size(), 1); // the first sort was cancelled, never shown
}

void TestDatasetModels::chunkCacheMatchesTableRows()
{
    // More rows than the cache holds (64 chunks of 256), so chunks get evicted and decoded again.
    constexpr int kRows = 40000;
    QByteArray csv = "n,text,half\n";
    for (int i = 0; i < kRows; ++i) {
        csv += QByteArray::number(i) + ",row " + QByteArray::number(i * 7 % 1000) + ','
            + (i % 11 == 0 ? QByteArray() : QByteArray::number(i / 2.0)) + '\n';
    }
    const QString path = test::writeFile(m_dir.filePath(QStringLiteral("in3/chunks.csv")), csv);
    const ImportReport report = import({path});
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));
    const std::shared_ptr<const DatasetTable> table = openTable(QStringLiteral("chunks"));
    QVERIFY(table);

    DatasetTableModel model;
    model.setTable(table);
    QCOMPARE(model.rowCount(), kRows);
    auto *random = QRandomGenerator::global();
    const auto checkRandomRows = [&] {
        for (int i = 0; i < 3000; ++i) {
            const int row = int(random->bounded(kRows));
            const QStringList stored = table->row(model.sourceRow(row));
            for (int column = 0; column < 3; ++column) {
                const QModelIndex cell = model.index(row, column);
                QCOMPARE(cell.data(DatasetTableModel::RawTextRole).toString(), stored.at(column));
                if (!cell.data(DatasetTableModel::MissingRole).toBool())
                    QCOMPARE(cell.data().toString(), stored.at(column));
            }
        }
    };
    checkRandomRows();
    QCOMPARE(model.index(kRows - 1, 0).data().toString(), QString::number(kRows - 1));

    // The same through a sorted view: chunks hold view rows.
    QSignalSpy view(&model, &DatasetTableModel::viewChanged);
    model.sort(1, Qt::DescendingOrder);
    QVERIFY(waitForView(model, view));
    checkRandomRows();
    QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("row 999"));
}

void TestDatasetModels::columnStatsModel()
{
    const DatasetVersion version = DatasetCatalog(m_workspace->db()).version(QStringLiteral("people"), 1).value();
    QCOMPARE(version.columns.size(), 6);
    ColumnStatsModel model;
    QCOMPARE(model.rowCount(), 0);
    model.setProfile(version.columns.at(Age));
    QCOMPARE(model.rowCount(), int(ColumnStatsModel::StatisticCount));
    QCOMPARE(model.columnCount(), 2);
    const auto value = [&](ColumnStatsModel::Statistic statistic, int role = Qt::DisplayRole) {
        return model.index(statistic, ColumnStatsModel::ValueColumn).data(role);
    };
    QCOMPARE(model.index(ColumnStatsModel::Count, 0).data().toString(), QStringLiteral("Count"));
    QCOMPARE(value(ColumnStatsModel::Type).toString(), QStringLiteral("Integer"));
    QCOMPARE(value(ColumnStatsModel::Count, ColumnStatsModel::ValueRole).toLongLong(), 5);
    QCOMPARE(value(ColumnStatsModel::Missing, ColumnStatsModel::ValueRole).toLongLong(), 1);
    QCOMPARE(value(ColumnStatsModel::Missing).toString(), QStringLiteral("1 (20%)"));
    QCOMPARE(value(ColumnStatsModel::Distinct, ColumnStatsModel::ValueRole).toLongLong(), 4);
    QCOMPARE(value(ColumnStatsModel::Min).toString(), QStringLiteral("2"));
    QCOMPARE(value(ColumnStatsModel::Max).toString(), QStringLiteral("100"));
    QCOMPARE(value(ColumnStatsModel::Mean, ColumnStatsModel::ValueRole).toDouble(), 35.5);
    QCOMPARE(value(ColumnStatsModel::Mean).toString(), QStringLiteral("35.5"));
    QVERIFY(value(ColumnStatsModel::Std, ColumnStatsModel::ValueRole).toDouble() > 0);

    model.setProfile(version.columns.at(Name));
    QVERIFY(!value(ColumnStatsModel::Mean, ColumnStatsModel::ValueRole).isValid());
    QCOMPARE(value(ColumnStatsModel::Mean).toString(), QStringLiteral("—"));
    QVERIFY(!value(ColumnStatsModel::TopValues).toString().isEmpty());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestDatasetModels::millionRows()
{
    constexpr int kRows = 1000000;
    QByteArray csv;
    csv.reserve(kRows * 28);
    csv += "id,value,category\n";
    static const char *const categories[] = {"red", "green", "blue", "amber", "violet"};
    for (int i = 0; i < kRows; ++i) {
        csv += QByteArray::number(i);
        csv += ',';
        csv += QByteArray::number(double(qint64(i) * 7919 % 100003) / 10.0);
        csv += ',';
        csv += categories[i % 5];
        csv += '\n';
    }
    const QString path = test::writeFile(m_dir.filePath(QStringLiteral("in4/million.csv")), csv);
    csv.clear();

    QElapsedTimer importTimer;
    importTimer.start();
    const ImportReport report = import({path});
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));
    qInfo("import of 1,000,000 rows: %lld ms", importTimer.elapsed());

    // What a user waits for when choosing the version: catalog, open, first screen of rows.
    QElapsedTimer timer;
    timer.start();
    const std::shared_ptr<const DatasetTable> table = openTable(QStringLiteral("million"));
    QVERIFY(table);
    DatasetTableModel model;
    model.setTable(table);
    QStringList firstRows;
    for (int row = 0; row < 40; ++row)
        firstRows << model.index(row, 0).data().toString();
    qInfo("1,000,000-row dataset: open + first 40 rows readable in %.3f ms", double(timer.nsecsElapsed()) / 1e6);
    QCOMPARE(model.rowCount(), kRows);
    QCOMPARE(firstRows.first(), QStringLiteral("0"));
    QCOMPARE(firstRows.last(), QStringLiteral("39"));
    QCOMPARE(model.index(kRows - 1, 2).data().toString(), QStringLiteral("violet"));

    // Sorting runs off the calling thread, which stays free while it does.
    QSignalSpy view(&model, &DatasetTableModel::viewChanged);
    timer.restart();
    model.sort(1, Qt::DescendingOrder);
    const qint64 returnedMs = timer.elapsed();
    QVERIFY(model.isBusy());
    QVERIFY(waitForView(model, view));
    qInfo("sort of 1,000,000 rows by a float column: returned in %lld ms, done in %lld ms", returnedMs,
          timer.elapsed());
    const double first = model.index(0, 1).data().toDouble();
    const double second = model.index(1, 1).data().toDouble();
    const double last = model.index(kRows - 1, 1).data().toDouble();
    QVERIFY(first >= second);
    QVERIFY(second >= last);
    QCOMPARE(first, 10000.2);

    // Cancel keeps the view that was shown.
    view.clear();
    QSignalSpy busy(&model, &DatasetTableModel::busyChanged);
    QVERIFY(model.setFilter(RowFilter {2, FilterOperator::Equal, QStringLiteral("blue")}).ok());
    model.cancel();
    QVERIFY(!model.isBusy());
    QCOMPARE(busy.size(), 2);
    QVERIFY(!model.filter().isActive());
    QCOMPARE(model.sortColumn(), 1);
    QCOMPARE(model.rowCount(), kRows);

    timer.restart();
    QVERIFY(model.setFilter(RowFilter {2, FilterOperator::Equal, QStringLiteral("blue")}).ok());
    QVERIFY(waitForView(model, view));
    qInfo("filter + sort of 1,000,000 rows: %lld ms", timer.elapsed());
    QCOMPARE(model.rowCount(), kRows / 5);
    QCOMPARE(model.index(0, 2).data().toString(), QStringLiteral("blue"));
}

QTEST_GUILESS_MAIN(TestDatasetModels)
#include "tst_datasetmodels.moc"
