// The runs table view offscreen: filter typing and errors, default columns, grouping,
// selection signals, CSV export, state round trip, column chooser. Screenshots for a person.
#include "models/runtablemodel.h"
#include "runs/runstore.h"
#include "runstableview.h"
#include "testsupport.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QFileDialog>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

using namespace kiln;

class TestRunsTableView final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void everything();

private:
    qint64 add(const QString &name, const QString &experiment, const QList<QPair<QString, QString>> &params,
               double accuracy, bool end = true);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;
};

void TestRunsTableView::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_ws = std::move(Workspace::open(m_dir->filePath(QStringLiteral("ws")))).value();
}

void TestRunsTableView::cleanup()
{
    m_ws.reset();
    m_dir.reset();
}

qint64 TestRunsTableView::add(const QString &name, const QString &experiment,
                              const QList<QPair<QString, QString>> &params, double accuracy, bool end)
{
    RunStore store(m_ws->db());
    RunSpec spec;
    spec.experiment = experiment;
    spec.name = name;
    spec.trainer = QStringLiteral("boosted-trees");
    const qint64 id = store.createRun(spec)->id;
    store.claimNextQueued();
    store.setParams(id, params);
    store.setResults(id, {{QStringLiteral("accuracy"), accuracy}});
    store.appendMetrics(id, {{QStringLiteral("loss"), {{0, 1700000000000, 1.0}, {1, 1700000000001, accuracy / 2}}}});
    if (end)
        store.markEnded(id, RunStatus::Finished);
    return id;
}

void TestRunsTableView::everything()
{
    QList<qint64> ids;
    for (int i = 0; i < 12; ++i)
        ids << add(QStringLiteral("run %1").arg(i), i < 6 ? QStringLiteral("a") : QStringLiteral("b"),
                   {{QStringLiteral("max_depth"), QString::number(2 + i % 3 * 2)},
                    {QStringLiteral("eta"), QString::number(0.1 * (i + 1))}},
                   0.8 + 0.015 * i);
    RunsTableView view;
    view.resize(1400, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&view));
    QSignalSpy loaded(view.model(), &RunTableModel::loaded);
    view.model()->setPollInterval(0);
    view.setDatabasePath(m_ws->databasePath());
    QVERIFY(view.statusText().contains(QLatin1String("Loading")));
    QVERIFY(loaded.wait());
    qInfo() << "status:" << view.statusText();
    QVERIFY(view.statusText().startsWith(QStringLiteral("12 runs · loaded in")));

    // Default columns.
    RunTableModel *model = view.model();
    const auto shown = [&](RunColumnKind kind, const QString &key, MetricStat stat = MetricStat::Last) {
        return view.isColumnShown(model->columnForKey(kind, key, stat));
    };
    QVERIFY(shown(RunColumnKind::Attribute, QStringLiteral("id")));
    QVERIFY(shown(RunColumnKind::Attribute, QStringLiteral("run_name")));
    QVERIFY(shown(RunColumnKind::Attribute, QStringLiteral("experiment"))); // two experiments
    QVERIFY(!shown(RunColumnKind::Attribute, QStringLiteral("run_id")));
    QVERIFY(!shown(RunColumnKind::Attribute, QStringLiteral("created")));
    QVERIFY(shown(RunColumnKind::Param, QStringLiteral("max_depth")));
    QVERIFY(shown(RunColumnKind::Metric, QStringLiteral("loss")));
    QVERIFY(!shown(RunColumnKind::Metric, QStringLiteral("loss"), MetricStat::Min));
    QVERIFY(!shown(RunColumnKind::Metric, QStringLiteral("loss"), MetricStat::Max));
    QTest::qWait(50);
    QVERIFY(test::savePng(&view, QStringLiteral("runstable-1-loaded.png")) > 0);

    // Typing an invalid filter: after the pause, the error in place, rows kept and dimmed.
    view.filterEdit()->setFocus();
    QTest::keyClicks(view.filterEdit(), QStringLiteral("metrics.accuracy > 0.85"));
    QTRY_COMPARE(model->visibleRunCount(), 8);
    QVERIFY(view.statusText().startsWith(QStringLiteral("8 of 12 runs · filtered")));
    QTest::keyClicks(view.filterEdit(), QStringLiteral(" and params.max_depth >"));
    QTRY_VERIFY(!view.filterError().isEmpty());
    qInfo() << "error:" << view.filterError();
    auto *errorLabel = view.findChild<QLabel *>(QStringLiteral("filterError"));
    QVERIFY(errorLabel && errorLabel->isVisible());
    qInfo().noquote() << "label:\n" << errorLabel->text();
    QCOMPARE(model->visibleRunCount(), 8);
    QVERIFY(view.findChild<QWidget *>(QStringLiteral("runsTableOverlay"))->isVisible());
    QTest::qWait(50);
    QVERIFY(test::savePng(&view, QStringLiteral("runstable-2-filter-error.png")) > 0);
    QTest::keyClicks(view.filterEdit(), QStringLiteral(" 4"));
    QTest::keyClick(view.filterEdit(), Qt::Key_Return);
    QCOMPARE(view.filterError(), QString());
    QVERIFY(!errorLabel->isVisible());
    QVERIFY(!view.findChild<QWidget *>(QStringLiteral("runsTableOverlay"))->isVisible());
    QCOMPARE(model->visibleRunCount(), 3);
    // The completer offers filter names containing the word typed and replaces the word.
    QTest::keyClicks(view.filterEdit(), QStringLiteral(" and acc"));
    auto *completer = view.findChild<QCompleter *>();
    QVERIFY(completer);
    QCOMPARE(completer->completionPrefix(), QStringLiteral("acc"));
    QCOMPARE(completer->currentCompletion(), QStringLiteral("metrics.accuracy"));
    Q_EMIT completer->activated(QStringLiteral("metrics.accuracy"));
    QCOMPARE(view.filterEdit()->text(),
             QStringLiteral("metrics.accuracy > 0.85 and params.max_depth > 4 and metrics.accuracy"));
    QTest::keyClicks(view.filterEdit(), QStringLiteral(" < 0.9"));
    QTest::keyClick(view.filterEdit(), Qt::Key_Return);
    QCOMPARE(model->visibleRunCount(), 1); // max_depth 6 with 0.875
    // Escape clears the filter.
    // (the completer's popup took the activation away, as offscreen windows do not get it back)
    view.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&view));
    view.filterEdit()->setFocus();
    QTest::keyClick(view.filterEdit(), Qt::Key_Escape);
    QCOMPARE(view.filterEdit()->text(), QString());
    QCOMPARE(model->visibleRunCount(), 12);
    // Ctrl+F focuses the filter.
    view.tree()->setFocus();
    QTest::keyClick(view.tree(), Qt::Key_F, Qt::ControlModifier);
    QVERIFY(view.filterEdit()->hasFocus());
    // A misspelt key matches nothing, and says why.
    QVERIFY(view.applyFilter(QStringLiteral("metrics.acuracy > 0.5")));
    qInfo() << "status:" << view.statusText();
    QVERIFY(view.statusText().contains(QLatin1String("no run has metrics.acuracy")));
    QTest::qWait(50);
    QVERIFY(test::savePng(&view, QStringLiteral("runstable-3-no-match.png")) > 0);
    QVERIFY(view.applyFilter({}));

    // Selection signals, Ctrl+A, activation.
    QSignalSpy selected(&view, &RunsTableView::selectedRunsChanged);
    QSignalSpy current(&view, &RunsTableView::currentRunChanged);
    QSignalSpy activated(&view, &RunsTableView::runActivated);
    view.selectRuns({ids[3], ids[5]});
    QCOMPARE(view.selectedRunIds(), (QList<qint64> {ids[5], ids[3]})); // display order: newest first
    QCOMPARE(selected.size(), 1);
    QCOMPARE(view.currentRunId(), ids[3]);
    QCOMPARE(current.constLast().constFirst().toLongLong(), ids[3]);
    view.tree()->setFocus();
    QTest::keyClick(view.tree(), Qt::Key_A, Qt::ControlModifier);
    QCOMPARE(view.selectedRunIds().size(), 12);
    QTest::keyClick(view.tree()->viewport(), Qt::Key_Return);
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.constFirst().constFirst().toLongLong(), ids[3]);

    // Sort by a header click, then group by a param.
    const int accuracy = model->columnForKey(RunColumnKind::Metric, QStringLiteral("accuracy"));
    view.tree()->sortByColumn(accuracy, Qt::AscendingOrder);
    QCOMPARE(model->sortColumn(), accuracy);
    view.selectRuns({ids[0]});
    const int index = view.groupCombo()->findText(QStringLiteral("max_depth"));
    QVERIFY(index > 0);
    view.groupCombo()->setCurrentIndex(index);
    Q_EMIT view.groupCombo()->activated(index);
    QCOMPARE(model->rowCount(), 3);
    QVERIFY(view.tree()->isExpanded(model->index(0, 0)));
    QVERIFY(view.tree()->isFirstColumnSpanned(0, {}));
    QCOMPARE(view.selectedRunIds(), (QList<qint64> {ids[0]}));
    QTest::qWait(50);
    QVERIFY(test::savePng(&view, QStringLiteral("runstable-4-grouped.png")) > 0);

    // Export, through the button and its file dialog: shown columns of shown rows, written on
    // a worker while the status line says so.
    view.setColumnShown(model->columnForKey(RunColumnKind::Attribute, QStringLiteral("started")), false);
    view.setColumnShown(model->columnForKey(RunColumnKind::Attribute, QStringLiteral("start_time")), false);
    QSignalSpy exported(&view, &RunsTableView::csvExported);
    const QString csv = m_dir->filePath(QStringLiteral("runs.csv"));
    test::clickAction(view.toolBar(), view.exportAction());
    QFileDialog *fileDialog = nullptr;
    QTRY_VERIFY((fileDialog = test::visibleDialog<QFileDialog>()) != nullptr);
    fileDialog->selectFile(csv);
    static_cast<QDialog *>(fileDialog)->accept(); // QFileDialog::accept(), as the Save button does
    QVERIFY(view.isExporting());
    QVERIFY2(view.statusText().endsWith(QStringLiteral("exporting to runs.csv…")), qPrintable(view.statusText()));
    QVERIFY(!view.exportAction()->isEnabled());
    // A second export meanwhile is refused, and says why; the first one goes on.
    view.exportCsv(m_dir->filePath(QStringLiteral("other.csv")));
    QTRY_COMPARE(exported.size(), 2);
    QVERIFY(!view.isExporting());
    QVERIFY(view.exportAction()->isEnabled());
    QVERIFY(!view.statusText().contains(QLatin1String("exporting")));
    const auto exportOf = [&](const QString &path) {
        const auto found = std::find_if(exported.cbegin(), exported.cend(),
                                        [&](const QList<QVariant> &args) { return args.at(0).toString() == path; });
        return found == exported.cend() ? QList<QVariant>() : *found;
    };
    const QList<QVariant> written = exportOf(csv);
    QVERIFY2(written.value(1).toBool(), qPrintable(written.value(2).toString()));
    const QList<QVariant> refused = exportOf(m_dir->filePath(QStringLiteral("other.csv")));
    QVERIFY(!refused.value(1).toBool());
    QVERIFY2(refused.value(2).toString().contains(QLatin1String("still being written")),
             qPrintable(refused.value(2).toString()));
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("other.csv"))));
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = test::visibleDialog<QMessageBox>()) != nullptr); // the refusal's
    box->close();
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    qInfo() << "csv header:" << lines.constFirst();
    QVERIFY(!lines.constFirst().contains("Started"));
    QVERIFY(lines.constFirst().startsWith("Id,Name,Experiment,Status"));
    QCOMPARE(lines.size(), 14); // header, 12 rows, the empty rest after the last CRLF
    // A file that cannot be written: the signal and a dialog name it; nothing is left behind.
    exported.clear();
    const QString unwritable = m_dir->filePath(QStringLiteral("missing/dir/runs.csv"));
    view.exportCsv(unwritable);
    QVERIFY(exported.wait());
    QCOMPARE(exported.constFirst().at(0).toString(), unwritable);
    QVERIFY(!exported.constFirst().at(1).toBool());
    const QString error = exported.constFirst().at(2).toString();
    qInfo() << "export error:" << error;
    QVERIFY2(error.contains(QLatin1String("missing/dir/runs.csv")), qPrintable(error));
    QTRY_VERIFY((box = test::visibleDialog<QMessageBox>()) != nullptr);
    QVERIFY(box->text().contains(error));
    box->close();
    QVERIFY(!QFileInfo::exists(unwritable));

    // State round trip.
    view.tree()->header()->resizeSection(model->columnForKey(RunColumnKind::Param, QStringLiteral("eta")), 211);
    view.applyFilter(QStringLiteral("params.eta > 0.2"));
    const QJsonObject state = view.saveState();
    qInfo().noquote() << QJsonDocument(state).toJson(QJsonDocument::Compact);
    RunsTableView other;
    other.resize(1400, 600);
    other.model()->setPollInterval(0);
    other.restoreState(state);
    QSignalSpy otherLoaded(other.model(), &RunTableModel::loaded);
    other.setDatabasePath(m_ws->databasePath());
    QVERIFY(otherLoaded.wait());
    QCOMPARE(other.model()->sortColumn(), accuracy);
    QCOMPARE(other.model()->sortOrder(), Qt::AscendingOrder);
    QCOMPARE(other.model()->groupColumn(), model->groupColumn());
    QCOMPARE(other.groupCombo()->currentText(), QStringLiteral("max_depth"));
    QCOMPARE(other.filterEdit()->text(), QStringLiteral("params.eta > 0.2"));
    QCOMPARE(other.model()->visibleRunCount(), model->visibleRunCount());
    QVERIFY(!other.isColumnShown(model->columnForKey(RunColumnKind::Attribute, QStringLiteral("start_time"))));
    QCOMPARE(other.tree()->header()->sectionSize(model->columnForKey(RunColumnKind::Param, QStringLiteral("eta"))),
             211);

    // The header's menu: hide a column, group by it.
    {
        QHeaderView *header = view.tree()->header();
        const int eta = model->columnForKey(RunColumnKind::Param, QStringLiteral("eta"));
        Q_EMIT header->customContextMenuRequested(QPoint(header->sectionViewportPosition(eta) + 5, 5));
        auto *menu = view.findChild<QMenu *>();
        QVERIFY(menu);
        QStringList texts;
        for (QAction *action : menu->actions())
            texts << action->text();
        qInfo() << texts;
        QCOMPARE(texts.at(0), QStringLiteral("Hide “eta”"));
        QCOMPARE(texts.at(1), QStringLiteral("Group by “eta”"));
        menu->actions().at(0)->trigger();
        menu->close();
        QVERIFY(!view.isColumnShown(eta));
        view.setColumnShown(eta, true);
    }
    // The column chooser: search, uncheck.
    view.showColumnChooser();
    auto *chooser = view.findChild<QWidget *>(QStringLiteral("columnChooser"));
    QVERIFY(chooser && chooser->isVisible());
    auto *list = chooser->findChild<QListWidget *>(QStringLiteral("columnList"));
    QTest::keyClicks(chooser->findChild<QLineEdit *>(QStringLiteral("columnSearch")), QStringLiteral("loss"));
    int visibleItems = 0;
    QListWidgetItem *lossMin = nullptr;
    for (int i = 0; i < list->count(); ++i) {
        if (!list->item(i)->isHidden())
            ++visibleItems;
        if (list->item(i)->text() == QStringLiteral("loss (min)"))
            lossMin = list->item(i);
    }
    QCOMPARE(visibleItems, 3);
    QVERIFY(lossMin && lossMin->checkState() == Qt::Unchecked);
    QVERIFY(test::savePng(chooser, QStringLiteral("runstable-5-chooser.png")) > 0);
    lossMin->setCheckState(Qt::Checked);
    QVERIFY(shown(RunColumnKind::Metric, QStringLiteral("loss"), MetricStat::Min));
    chooser->close();

    // Live: a running run ends; a new run appears; selection survives.
    RunStore store(m_ws->db());
    const qint64 live = add(QStringLiteral("live"), QStringLiteral("a"),
                            {{QStringLiteral("max_depth"), QStringLiteral("2")}}, 0.99, false);
    view.reload();
    QVERIFY(loaded.wait());
    view.applyFilter({});
    view.selectRuns({ids[7]});
    QCOMPARE(view.selectedRunIds(), (QList<qint64> {ids[7]}));
    store.markEnded(live, RunStatus::Failed, 1, QStringLiteral("boom"));
    const qint64 newer = add(QStringLiteral("newer"), QStringLiteral("b"),
                             {{QStringLiteral("subsample"), QStringLiteral("0.5")}}, 0.5);
    qInfo() << "before" << view.tree()->selectionModel()->selection();
    QObject::connect(model, &QAbstractItemModel::columnsInserted,
                     [&] { qInfo() << "after columns" << view.tree()->selectionModel()->selection(); });
    QObject::connect(model, &QAbstractItemModel::layoutChanged,
                     [&] { qInfo() << "after layout" << view.tree()->selectionModel()->selection(); });
    model->poll();
    QVERIFY(loaded.wait());
    QVERIFY(model->indexForRun(newer).isValid());
    QVERIFY(shown(RunColumnKind::Param, QStringLiteral("subsample")));
    QCOMPARE(view.selectedRunIds(), (QList<qint64> {ids[7]}));
    QVERIFY(test::savePng(&view, QStringLiteral("runstable-6-live.png")) > 0);
}

QTEST_MAIN(TestRunsTableView)
#include "tst_runstableview.moc"
