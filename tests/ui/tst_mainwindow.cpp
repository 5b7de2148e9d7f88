// The main window offscreen, driven as a user drives it: drops, clicks, typing.

#include "builtinplugins.h"
#include "columnstatspane.h"
#include "datapanel.h"
#include "datasetbrowser.h"
#include "importcontroller.h"
#include "mainwindow.h"
#include "models/columnstatsmodel.h"
#include "models/datasetlistmodel.h"
#include "models/datasettablemodel.h"
#include "tasks/taskmanager.h"
#include "taskstatuswidget.h"
#include "testsupport.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDate>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QTreeView>

#include <cmath>

using namespace kiln;
using kiln::test::dropFiles;

namespace {

constexpr int kSalesRows = 500;
constexpr int kInventoryRows = 40;
constexpr int kRegion = 0;
constexpr int kUnits = 1;
constexpr int kPrice = 2;

QByteArray toCsv(const QStringList &header, const QList<QStringList> &rows)
{
    QByteArray csv = header.join(u',').toUtf8() + '\n';
    for (const QStringList &row : rows)
        csv += row.join(u',').toUtf8() + '\n';
    return csv;
}

QMessageBox *visibleImportErrorDialog()
{
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (QWidget *window : windows) {
        auto *box = qobject_cast<QMessageBox *>(window);
        if (box && box->isVisible() && box->objectName() == QStringLiteral("importErrorDialog"))
            return box;
    }
    return nullptr;
}

void clickHeader(QHeaderView *header, int section)
{
    const QPoint at(header->sectionViewportPosition(section) + header->sectionSize(section) / 2, header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, Qt::NoModifier, at);
}

qint64 savePng(QWidget *widget, const QString &name)
{
    const QString path = test::outputDir() + u'/' + name;
    if (!widget->grab().save(path, "PNG"))
        return 0;
    qInfo("screenshot: %s", qPrintable(path));
    return QFileInfo(path).size();
}

} // namespace

class TestMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dropImportsAndBrowses();
    void malformedDropShowsErrorDialog();
    void layoutIsRestored();
    void millionRowsBrowseAtOnce();

private:
    std::unique_ptr<Workspace> openWorkspace();

    QTemporaryDir m_dir;
    QString m_workspaceFolder;
    QList<QStringList> m_sales;
    QString m_salesCsv;
    QString m_archive;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
    m_workspaceFolder = m_dir.filePath(QStringLiteral("workspace"));

    // sales.csv: four regions, integer units, prices with a missing one every ninth row, dates.
    static const char *const regions[] = {"north", "south", "east", "west"};
    for (int i = 0; i < kSalesRows; ++i) {
        m_sales << QStringList {QString::fromLatin1(regions[i % 4]), QString::number(i * 37 % 101),
                                i % 9 == 0 ? QString() : QString::number(10 + (i * 13 % 200) * 0.5),
                                QDate(2024, 1, 1).addDays(i % 365).toString(Qt::ISODate)};
    }
    m_salesCsv = test::writeFile(
        m_dir.filePath(QStringLiteral("drop/sales.csv")),
        toCsv({QStringLiteral("region"), QStringLiteral("units"), QStringLiteral("price"), QStringLiteral("sold_on")},
              m_sales));

    // An archive holding a CSV in a folder, made by the system's tar as a user's would be.
    QList<QStringList> inventory;
    for (int i = 0; i < kInventoryRows; ++i)
        inventory << QStringList {QStringLiteral("SKU-%1").arg(1000 + i), QString::number(i % 7)};
    test::writeFile(m_dir.filePath(QStringLiteral("pack/bundle/inventory.csv")),
                    toCsv({QStringLiteral("sku"), QStringLiteral("qty")}, inventory));
    m_archive = m_dir.filePath(QStringLiteral("drop/stock.tar.gz"));
    QProcess tar;
    tar.start(QStringLiteral("/bin/tar"),
              {QStringLiteral("-czf"), m_archive, QStringLiteral("-C"), m_dir.filePath(QStringLiteral("pack")),
               QStringLiteral("bundle")});
    QVERIFY(tar.waitForFinished(30000));
    QCOMPARE(tar.exitCode(), 0);
    QVERIFY(QFileInfo(m_archive).size() > 0);
}

std::unique_ptr<Workspace> TestMainWindow::openWorkspace()
{
    auto workspace = Workspace::open(m_workspaceFolder);
    if (!workspace) {
        qWarning("%s", qPrintable(workspace.errorMessage()));
        return {};
    }
    return std::move(workspace).value();
}

void TestMainWindow::dropImportsAndBrowses()
{
    std::unique_ptr<Workspace> workspace = openWorkspace();
    QVERIFY(workspace);
    MainWindow window(std::move(workspace));
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.windowTitle().contains(QStringLiteral("workspace")));
    QVERIFY(window.windowTitle().contains(QStringLiteral("Kiln")));
    QCOMPARE(window.currentPanel(), MainWindow::Panel::Data);
    QVERIFY(savePng(&window, QStringLiteral("data-panel-empty.png")) > 10000);

    // The running import has a row in the status bar while it runs, none after.
    auto *taskStatus = window.findChild<TaskStatusWidget *>();
    QVERIFY(taskStatus);
    int rowsWhileRunning = -1;
    connect(window.taskManager(), &TaskManager::taskStarted, this, [&] { rowsWhileRunning = taskStatus->rowCount(); });

    QSignalSpy finished(window.taskManager(), &TaskManager::taskFinished);
    QVERIFY(dropFiles(&window, {m_salesCsv, m_archive}));
    QCOMPARE(rowsWhileRunning, 1);
    QVERIFY(finished.wait(60000));
    QTRY_COMPARE(taskStatus->rowCount(), 0);
    QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("Imported 2")),
             qPrintable(window.statusBar()->currentMessage()));
    QVERIFY(!visibleImportErrorDialog());

    // Both datasets listed, with their row counts.
    DataPanel *panel = window.dataPanel();
    DatasetListModel *list = panel->datasetModel();
    QCOMPARE(list->rowCount(), 2);
    QHash<QString, qint64> rowsByName;
    for (int row = 0; row < list->rowCount(); ++row) {
        const QModelIndex index = list->index(row, 0);
        rowsByName.insert(index.data(DatasetListModel::NameRole).toString(),
                          index.data(DatasetListModel::RowCountRole).toLongLong());
    }
    QCOMPARE(rowsByName.value(QStringLiteral("sales")), qint64(kSalesRows));
    QVERIFY2(rowsByName.key(kInventoryRows).contains(QStringLiteral("inventory")),
             qPrintable(rowsByName.keys().join(u',')));

    // The last imported dataset is selected; click "sales" in the tree to browse it.
    DatasetTableModel *model = panel->browser()->model();
    QTableView *view = panel->browser()->view();
    QCOMPARE(model->rowCount(), kInventoryRows);
    QTreeView *tree = panel->datasetTree();
    const QRect salesRect = tree->visualRect(list->indexFor(QStringLiteral("sales")));
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, Qt::NoModifier, salesRect.center());
    QCOMPARE(model->rowCount(), kSalesRows);
    QCOMPARE(model->columnCount(), 4);

    // Cells equal the file's values, at the top and at the bottom after scrolling there.
    const auto checkRow = [&](int viewRow, const QStringList &expected) {
        for (int column = 0; column < expected.size(); ++column)
            QCOMPARE(model->index(viewRow, column).data(DatasetTableModel::RawTextRole).toString(),
                     expected.at(column));
    };
    checkRow(0, m_sales.first());
    checkRow(1, m_sales.at(1));
    QVERIFY(model->index(0, kPrice).data(DatasetTableModel::MissingRole).toBool());
    view->scrollToBottom();
    QTRY_COMPARE(view->rowAt(view->viewport()->height() - 2), kSalesRows - 1);
    checkRow(kSalesRows - 1, m_sales.last());
    QCOMPARE(model->index(kSalesRows - 1, kRegion).data().toString(), m_sales.last().at(kRegion));

    // A header click sorts ascending by number (not by text), a second one descending.
    QHeaderView *header = view->horizontalHeader();
    QSignalSpy viewChanged(model, &DatasetTableModel::viewChanged);
    clickHeader(header, kUnits);
    QVERIFY(viewChanged.wait(30000));
    QCOMPARE(model->sortColumn(), kUnits);
    for (int row = 1; row < kSalesRows; ++row)
        QVERIFY(model->index(row - 1, kUnits).data().toInt() <= model->index(row, kUnits).data().toInt());
    QCOMPARE(model->index(0, kUnits).data().toString(), QStringLiteral("0"));
    viewChanged.clear();
    clickHeader(header, kUnits);
    QVERIFY(viewChanged.wait(30000));
    QCOMPARE(model->sortOrder(), Qt::DescendingOrder);
    QCOMPARE(model->index(0, kUnits).data().toString(), QStringLiteral("100"));
    QCOMPARE(header->sortIndicatorSection(), kUnits);

    // The filter bar: region = north, applied with Enter.
    auto *columnCombo = panel->findChild<QComboBox *>(QStringLiteral("filterColumn"));
    auto *operatorCombo = panel->findChild<QComboBox *>(QStringLiteral("filterOperator"));
    auto *valueEdit = panel->findChild<QLineEdit *>(QStringLiteral("filterValue"));
    auto *countLabel = panel->findChild<QLabel *>(QStringLiteral("filterCount"));
    QVERIFY(columnCombo && operatorCombo && valueEdit && countLabel);
    columnCombo->setCurrentIndex(kRegion);
    operatorCombo->setCurrentIndex(operatorCombo->findText(QStringLiteral("=")));
    QTest::keyClicks(valueEdit, QStringLiteral("north"));
    viewChanged.clear();
    QTest::keyClick(valueEdit, Qt::Key_Return);
    QVERIFY(viewChanged.wait(30000));
    QCOMPARE(model->rowCount(), kSalesRows / 4);
    QCOMPARE(countLabel->text(), QStringLiteral("%1 of %2 rows").arg(kSalesRows / 4).arg(kSalesRows));
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(model->index(row, kRegion).data().toString(), QStringLiteral("north"));
    // Still sorted by units, descending, within the filter.
    QVERIFY(model->index(0, kUnits).data().toInt() >= model->index(1, kUnits).data().toInt());

    // A numeric filter: units ≥ 50.
    int atLeast50 = 0;
    for (const QStringList &row : std::as_const(m_sales))
        atLeast50 += row.at(kUnits).toInt() >= 50 ? 1 : 0;
    columnCombo->setCurrentIndex(kUnits);
    operatorCombo->setCurrentIndex(operatorCombo->findText(QStringLiteral("≥")));
    valueEdit->clear();
    QTest::keyClicks(valueEdit, QStringLiteral("50"));
    viewChanged.clear();
    QTest::keyClick(valueEdit, Qt::Key_Return);
    QVERIFY(viewChanged.wait(30000));
    QCOMPARE(model->rowCount(), atLeast50);

    // Clear brings every row back.
    viewChanged.clear();
    QTest::mouseClick(panel->findChild<QWidget *>(QStringLiteral("filterClear")), Qt::LeftButton);
    QVERIFY(viewChanged.wait(30000));
    QCOMPARE(model->rowCount(), kSalesRows);

    // Clicking a price cell shows the price column's statistics.
    double sum = 0;
    int present = 0;
    for (const QStringList &row : std::as_const(m_sales)) {
        if (!row.at(kPrice).isEmpty()) {
            sum += row.at(kPrice).toDouble();
            ++present;
        }
    }
    view->scrollToTop();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier,
                      view->visualRect(model->index(2, kPrice)).center());
    QCOMPARE(panel->browser()->currentColumn(), kPrice);
    ColumnStatsModel *stats = panel->statsPane()->model();
    QVERIFY(stats->profile().has_value());
    QCOMPARE(stats->profile()->name, QStringLiteral("price"));
    const auto statistic = [&](ColumnStatsModel::Statistic which) {
        return stats->index(which, ColumnStatsModel::ValueColumn).data(ColumnStatsModel::ValueRole);
    };
    QCOMPARE(statistic(ColumnStatsModel::Count).toLongLong(), qint64(kSalesRows));
    QCOMPARE(statistic(ColumnStatsModel::Missing).toLongLong(), qint64(kSalesRows - present));
    QVERIFY(std::abs(statistic(ColumnStatsModel::Mean).toDouble() - sum / present) < 1e-9 * sum);
    QCOMPARE(stats->index(ColumnStatsModel::Count, ColumnStatsModel::ValueColumn).data().toString(),
             QLocale().toString(kSalesRows));
    QChart *chart = panel->statsPane()->chartView()->chart();
    QVERIFY(chart);
    QCOMPARE(chart->series().size(), 1);

    // Another version with the same columns keeps the column: re-import changed sales.
    QList<QStringList> more = m_sales;
    more << QStringList {QStringLiteral("north"), QStringLiteral("7"), QStringLiteral("12.5"),
                         QStringLiteral("2024-02-02")};
    const QString salesV2 = test::writeFile(
        m_dir.filePath(QStringLiteral("drop2/sales.csv")),
        toCsv({QStringLiteral("region"), QStringLiteral("units"), QStringLiteral("price"), QStringLiteral("sold_on")},
              more));
    finished.clear();
    QVERIFY(dropFiles(&window, {salesV2}));
    QVERIFY(finished.wait(60000));
    QCOMPARE(model->rowCount(), kSalesRows + 1);
    QCOMPARE(panel->browser()->currentColumn(), kPrice);
    QCOMPARE(stats->profile()->count, qint64(kSalesRows + 1));
    QCOMPARE(list->rowCount(list->indexFor(QStringLiteral("sales"))), 2);

    // Sort by units descending again so that the screenshot shows a sorted view.
    viewChanged.clear();
    clickHeader(header, kUnits);
    QVERIFY(viewChanged.wait(30000));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier,
                      view->visualRect(model->index(0, kPrice)).center());

    // Screenshots of each panel, for a person to look at.
    QVERIFY(savePng(&window, QStringLiteral("data-panel.png")) > 20000);
    const QList<QPair<MainWindow::Panel, QString>> panels = {
        {MainWindow::Panel::Experiments, QStringLiteral("experiments-panel-empty.png")},
        {MainWindow::Panel::Models, QStringLiteral("models-panel.png")},
        {MainWindow::Panel::Deployments, QStringLiteral("deployments-panel.png")},
    };
    for (const auto &[which, file] : panels) {
        window.showPanel(which);
        QCOMPARE(window.currentPanel(), which);
        QVERIFY(window.panel(which)->isVisible());
        QVERIFY(savePng(&window, file) > 10000);
    }
    window.showPanel(MainWindow::Panel::Data);
}

void TestMainWindow::malformedDropShowsErrorDialog()
{
    const QString bad
        = test::writeFile(m_dir.filePath(QStringLiteral("bad/broken.csv")), "a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n");
    std::unique_ptr<Workspace> workspace = openWorkspace();
    QVERIFY(workspace);
    MainWindow window(std::move(workspace));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const int datasetsBefore = window.dataPanel()->datasetModel()->rowCount();

    QSignalSpy finished(window.taskManager(), &TaskManager::taskFinished);
    QVERIFY(dropFiles(&window, {bad}));
    QVERIFY(finished.wait(60000));

    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = visibleImportErrorDialog()) != nullptr);
    QVERIFY(!box->isModal());
    const QString text = box->text() + u'\n' + box->informativeText();
    QVERIFY2(text.contains(QStringLiteral("broken.csv")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("line 4")), qPrintable(text));
    QCOMPARE(window.importController()->errorDialog(), box);
    savePng(box, QStringLiteral("import-error-dialog.png"));
    // Nothing of the failed import remains.
    QCOMPARE(window.dataPanel()->datasetModel()->rowCount(), datasetsBefore);
    box->close();
}

void TestMainWindow::layoutIsRestored()
{
    QList<int> sizes;
    QSize size;
    {
        MainWindow first(openWorkspace());
        first.resize(1100, 720);
        first.show();
        QVERIFY(QTest::qWaitForWindowExposed(&first));
        QSplitter *splitter = first.dataPanel()->splitter();
        splitter->setSizes({300, 420, 300});
        sizes = splitter->sizes();
        first.showPanel(MainWindow::Panel::Models);
        size = first.size();
        QCOMPARE(size, QSize(1100, 720));
        QVERIFY(first.close());
    }
    MainWindow second(openWorkspace());
    second.show();
    QVERIFY(QTest::qWaitForWindowExposed(&second));
    QTRY_COMPARE(second.size(), size);
    QCOMPARE(second.currentPanel(), MainWindow::Panel::Models);
    second.showPanel(MainWindow::Panel::Data);
    QTRY_COMPARE(second.dataPanel()->splitter()->sizes(), sizes);
}

void TestMainWindow::millionRowsBrowseAtOnce()
{
    constexpr int kRows = 1000000;
    QByteArray csv;
    csv.reserve(kRows * 24);
    csv += "id,reading,label\n";
    for (int i = 0; i < kRows; ++i) {
        csv += QByteArray::number(i) + ',' + QByteArray::number(double(i % 1000) / 8.0) + ",l"
            + QByteArray::number(i % 13) + '\n';
    }
    const QString path = test::writeFile(m_dir.filePath(QStringLiteral("big/readings.csv")), csv);
    csv.clear();

    MainWindow window(openWorkspace());
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy finished(window.taskManager(), &TaskManager::taskFinished);
    // A small file after the big one: the last imported (small) one is shown at the end.
    const QString small = test::writeFile(m_dir.filePath(QStringLiteral("big/tiny.csv")), "a,b\n1,2\n");
    window.importPaths({path, small});
    QVERIFY(finished.wait(120000));
    DataPanel *panel = window.dataPanel();
    QCOMPARE(panel->browser()->model()->rowCount(), 1);

    // From choosing the version to its first screen of rows painted.
    QElapsedTimer timer;
    timer.start();
    QVERIFY(panel->selectVersion(QStringLiteral("readings")));
    const QPixmap painted = panel->browser()->view()->grab();
    qInfo("1,000,000-row dataset: chosen to first rows painted in %.1f ms", double(timer.nsecsElapsed()) / 1e6);
    QVERIFY(!painted.isNull());
    DatasetTableModel *model = panel->browser()->model();
    QCOMPARE(model->rowCount(), kRows);
    QCOMPARE(model->index(kRows - 1, 0).data().toString(), QString::number(kRows - 1));

    // Sorting a million rows leaves the window responsive: the call returns at once.
    QSignalSpy viewChanged(model, &DatasetTableModel::viewChanged);
    timer.restart();
    clickHeader(panel->browser()->view()->horizontalHeader(), 1);
    const qint64 clickMs = timer.elapsed();
    QVERIFY(model->isBusy());
    QVERIFY(viewChanged.wait(60000));
    qInfo("sort by header click: click returned in %lld ms, sorted view after %lld ms", clickMs, timer.elapsed());
    QCOMPARE(model->index(0, 1).data().toString(), QStringLiteral("0"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
