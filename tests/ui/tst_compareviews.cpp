// The comparison views other than the metric overlay, scatter and bars, offscreen, over a
// real workspace: a CSV imported by the real importer, three runs trained by the built-in
// trainers through the real scheduler, and one plain run without an evaluation.

#include "builtinplugins.h"
#include "compare/confusionview.h"
#include "compare/curvesview.h"
#include "compare/diffview.h"
#include "compare/importanceview.h"
#include "compare/parallelcoordinatesview.h"
#include "data/datasetimport.h"
#include "models/confusionmatrixmodel.h"
#include "models/evaluationdata.h"
#include "models/rundiffmodel.h"
#include "runcolors.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "runs/sweep.h"
#include "tasks/feedback.h"
#include "tasks/taskmanager.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QGraphicsScene>
#include <QHeaderView>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QLegend>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>

#include <cmath>

using namespace kiln;

namespace {

constexpr int kRows = 300;
constexpr int kRunTimeoutMs = 240000;

/// Three grades that follow height, weight and colour, with noise: learnable, not trivially.
QByteArray gradesCsv()
{
    QRandomGenerator random(20240917);
    QByteArray csv = "height,weight,colour,noise,grade\n";
    static const char *const colours[] = {"red", "green", "blue"};
    for (int i = 0; i < kRows; ++i) {
        const double height = random.bounded(100.0);
        const double weight = random.bounded(50.0);
        const int colour = int(random.bounded(3));
        const double noise = random.generateDouble();
        const double score
            = height / 100 + weight / 50 + (colour == 0 ? 0.3 : 0.0) + (random.generateDouble() - 0.5) * 0.5;
        const char *grade = score < 0.85 ? "low" : score < 1.35 ? "mid" : "high";
        csv += QByteArray::number(height, 'f', 2) + ',' + QByteArray::number(weight, 'f', 2) + ',' + colours[colour]
            + ',' + QByteArray::number(noise, 'f', 3) + ',' + grade + '\n';
    }
    return csv;
}

RunSpec trainerSpec(const QString &trainer, const QString &name, int rounds, int depth)
{
    RunSpec spec;
    spec.experiment = QStringLiteral("grades");
    spec.name = name;
    spec.trainer = trainer;
    spec.datasetRef = QStringLiteral("grades@1");
    spec.target = QStringLiteral("grade");
    spec.params.insert(QStringLiteral("n_estimators"), rounds);
    spec.params.insert(QStringLiteral("max_depth"), depth);
    spec.params.insert(QStringLiteral("n_threads"), 1);
    return spec;
}

QList<QByteArray> csvLines(const QString &path)
{
    QList<QByteArray> lines = test::readFile(path).split('\n');
    while (!lines.isEmpty() && lines.constLast().trimmed().isEmpty())
        lines.removeLast();
    for (QByteArray &line : lines)
        line = line.trimmed();
    return lines;
}

/// Shows `view` at `size`, exposed: what every test here starts with.
bool showAt(QWidget &view, QSize size)
{
    view.resize(size);
    view.show();
    return QTest::qWaitForWindowExposed(&view);
}

/// The series of `chart` that belong to runs (the dashed chance line is not one).
QList<QLineSeries *> runSeries(QChart *chart)
{
    QList<QLineSeries *> series;
    const QList<QAbstractSeries *> all = chart->series();
    for (QAbstractSeries *s : all) {
        if (s->property("runId").isValid())
            series << qobject_cast<QLineSeries *>(s);
    }
    return series;
}

} // namespace

class TestCompareViews final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void evaluationReadsPrecisionRecall();
    void parallelCoordinatesDrawAndBrush();
    void parallelCoordinatesAxesAndSettings();
    void parallelCoordinatesOfManyLines();
    void diffHighlightsWhatDiffers();
    void diffSaysWhenNoMetricIsShared();
    void curvesOfEveryEvaluatedRun();
    void confusionMatricesSideBySide();
    void importanceAcrossRuns();

private:
    Comparison comparisonOf(const QList<qint64> &runIds) const;
    std::shared_ptr<const EvaluationData> evaluationOf(qint64 runId) const;
    QString outputPath(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_workspace;
    std::shared_ptr<const RunTable> m_table;
    qint64 m_plain = 0;
    qint64 m_shallow = 0; ///< boosted trees, max_depth 2
    qint64 m_deep = 0; ///< boosted trees, max_depth 4
    qint64 m_forest = 0; ///< random forest, max_depth 3, fewer trees
};

void TestCompareViews::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    linkBuiltinPlugins();
    QVERIFY(m_dir.isValid());
    auto workspace = Workspace::open(m_dir.filePath(QStringLiteral("workspace")));
    QVERIFY2(workspace, workspace ? "" : qPrintable(workspace.errorMessage()));
    m_workspace = std::move(workspace).value();

    ImportRequest request;
    request.paths = {test::writeFile(m_dir.filePath(QStringLiteral("data/grades.csv")), gradesCsv())};
    Feedback feedback;
    const ImportReport report = importPaths(*m_workspace, request, feedback);
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));
    QCOMPARE(report.imported.size(), 1);
    QCOMPARE(report.imported.constFirst().name, QStringLiteral("grades"));

    // A plain run, as a notebook logs it: a param, a tag, a loss curve, no evaluation.
    RunStore store(m_workspace->db());
    RunSpec plainSpec;
    plainSpec.kind = RunSpec::Kind::Command;
    plainSpec.experiment = QStringLiteral("grades");
    plainSpec.name = QStringLiteral("notebook");
    plainSpec.command = {QStringLiteral("/bin/true")};
    Expected<RunRecord> plain = store.createRun(plainSpec);
    QVERIFY2(plain, plain ? "" : qPrintable(plain.errorMessage()));
    m_plain = plain->id;
    Expected<std::optional<RunRecord>> claimed = store.claimNextQueued();
    QVERIFY(claimed && claimed->has_value());
    QCOMPARE((*claimed)->id, m_plain);
    QVERIFY(store.setParams(m_plain, {{QStringLiteral("optimizer"), QStringLiteral("adam")}}).ok());
    QVERIFY(store.setTags(m_plain, {{QStringLiteral("origin"), QStringLiteral("notebook")}}).ok());
    std::vector<MetricPoint> loss;
    loss.reserve(5);
    for (int step = 0; step < 5; ++step)
        loss.push_back({step, QDateTime::currentMSecsSinceEpoch(), 1.0 / (step + 1)});
    QVERIFY(store.appendMetrics(m_plain, {{QStringLiteral("loss"), loss}}).ok());
    QVERIFY(store.markEnded(m_plain, RunStatus::Finished, 0).ok());

    // Three trained runs, through the scheduler the app uses.
    const auto submit = [&](const RunSpec &spec) {
        Expected<RunRecord> run = submitRun(store, spec);
        if (!run)
            qFatal("%s", qPrintable(run.errorMessage()));
        return run->id;
    };
    m_shallow = submit(trainerSpec(QStringLiteral("boosted-trees"), QStringLiteral("shallow"), 15, 2));
    m_deep = submit(trainerSpec(QStringLiteral("boosted-trees"), QStringLiteral("deep"), 15, 4));
    m_forest = submit(trainerSpec(QStringLiteral("random-forest"), QStringLiteral("forest"), 10, 3));
    TaskManager tasks;
    RunScheduler scheduler(m_workspace->root(), tasks);
    scheduler.setConcurrency(2);
    QVERIFY(scheduler.start().ok());
    scheduler.poke();
    for (qint64 runId : {m_shallow, m_deep, m_forest}) {
        QVERIFY(QTest::qWaitFor([&] { return isTerminal(store.run(runId, false)->status); }, kRunTimeoutMs));
        const Expected<RunRecord> run = store.run(runId, false);
        QVERIFY2(run->status == RunStatus::Finished, qPrintable(run->error));
    }
    scheduler.stop();

    Expected<std::shared_ptr<const RunTable>> table = RunTable::load(m_workspace->db());
    QVERIFY2(table, table ? "" : qPrintable(table.errorMessage()));
    m_table = *table;
    QCOMPARE(m_table->rowCount(), 4);
}

void TestCompareViews::cleanupTestCase()
{
    m_table.reset();
    m_workspace.reset();
}

Comparison TestCompareViews::comparisonOf(const QList<qint64> &runIds) const
{
    Comparison comparison;
    comparison.table = m_table;
    comparison.workspace = m_workspace.get();
    for (qint64 runId : runIds)
        comparison.rows.push_back(m_table->rowOfRun(runId));
    return comparison;
}

std::shared_ptr<const EvaluationData> TestCompareViews::evaluationOf(qint64 runId) const
{
    const Expected<QList<ArtifactInfo>> artifacts = RunStore(m_workspace->db()).artifacts(runId);
    if (!artifacts)
        return nullptr;
    for (const ArtifactInfo &artifact : *artifacts) {
        if (artifact.path == QLatin1String("evaluation.json")) {
            Expected<EvaluationData> data = EvaluationData::fromFile(m_workspace->blobs().pathFor(artifact.sha256));
            return data ? std::make_shared<const EvaluationData>(std::move(data).value()) : nullptr;
        }
    }
    return nullptr;
}

void TestCompareViews::evaluationReadsPrecisionRecall()
{
    const auto data = evaluationOf(m_deep);
    QVERIFY(data);
    QCOMPARE(data->classes.size(), 3);
    // A curve per class against the rest, as for ROC, recall falling to (0, 1).
    QCOMPARE(data->precisionRecall.size(), 3);
    for (const EvaluationCurve &curve : data->precisionRecall) {
        QVERIFY(data->classes.contains(curve.label));
        QVERIFY(curve.x.size() >= 2);
        QCOMPARE(curve.x.front(), 1.0);
        QCOMPARE(curve.x.back(), 0.0);
        QCOMPARE(curve.y.back(), 1.0);
        QVERIFY(std::is_sorted(curve.x.rbegin(), curve.x.rend()));
        // The average precision weighs each recall step by the precision reached at it.
        double expected = 0;
        for (std::size_t i = 0; i + 1 < curve.x.size(); ++i)
            expected += (curve.x[i] - curve.x[i + 1]) * curve.y[i];
        QCOMPARE(curve.auc, expected);
        QVERIFY2(curve.auc > 0.5 && curve.auc <= 1.0, qPrintable(QString::number(curve.auc)));
    }
    // The same numbers through the artifact's bytes, and a clear error for a missing file.
    const Expected<EvaluationData> missing = EvaluationData::fromFile(m_dir.filePath(QStringLiteral("none.json")));
    QVERIFY(!missing);
    QVERIFY2(missing.errorMessage().contains(QStringLiteral("none.json")), qPrintable(missing.errorMessage()));
}

void TestCompareViews::parallelCoordinatesDrawAndBrush()
{
    ParallelCoordinatesView view;
    QVERIFY(showAt(view, {1300, 620}));
    std::optional<QSet<qint64>> lastBrush;
    int brushSignals = 0;
    connect(&view, &ParallelCoordinatesView::brushChanged, this, [&](const std::optional<QSet<qint64>> &runs) {
        lastBrush = runs;
        ++brushSignals;
    });
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest}));

    // Default axes: the params that differ, then metrics every run has; same params left out.
    const QStringList labels = view.axisLabels();
    QVERIFY2(labels.contains(QStringLiteral("max_depth")), qPrintable(labels.join(u',')));
    QVERIFY(labels.contains(QStringLiteral("n_estimators")));
    QVERIFY(!labels.contains(QStringLiteral("tree_method"))); // "hist" in every run
    QVERIFY(!labels.contains(QStringLiteral("n_threads"))); // 1 in every run
    const QList<ParallelAxisKey> axes = view.axes();
    QCOMPARE(axes.size(), labels.size());
    QCOMPARE(std::count_if(axes.cbegin(), axes.cend(),
                           [](const ParallelAxisKey &key) { return key.kind == RunColumnKind::Metric; }),
             3);
    for (const ParallelAxisKey &key : axes) {
        if (key.kind == RunColumnKind::Metric) {
            const int column = m_table->findColumn(key.kind, key.key, key.stat);
            for (qint64 runId : {m_shallow, m_deep, m_forest})
                QVERIFY(!m_table->column(column).isMissing(m_table->rowOfRun(runId)));
        }
    }
    QCOMPARE(view.lineCount(), 3);
    QVERIFY(!view.brushedRuns().has_value());

    // max_depth 2, 4 and 3: bottom, top and middle of its axis.
    const int depth = int(labels.indexOf(QStringLiteral("max_depth")));
    QCOMPARE(view.runFraction(depth, m_shallow), 0.0);
    QCOMPARE(view.runFraction(depth, m_deep), 1.0);
    QCOMPARE(view.runFraction(depth, m_forest), 0.5);

    // Drag along max_depth from its top to just below the middle: depth 4 and 3.
    QWidget *canvas = view.canvas();
    QTest::mousePress(canvas, Qt::LeftButton, {}, view.axisPoint(depth, 1.0));
    QTest::mouseMove(canvas, view.axisPoint(depth, 0.8));
    QTest::mouseMove(canvas, view.axisPoint(depth, 0.4));
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, view.axisPoint(depth, 0.4));
    QCOMPARE(brushSignals, 1);
    QVERIFY(lastBrush.has_value());
    QCOMPARE(*lastBrush, QSet<qint64>({m_deep, m_forest}));
    QCOMPARE(view.brushedRuns(), lastBrush);
    QVERIFY(test::savePng(&view, QStringLiteral("compare-parallel-brushed.png")) > 5000);

    // A second brush on n_estimators (15, 15, 10): the top keeps the boosted runs; with the
    // first brush only the deep one is inside both.
    const int rounds = int(labels.indexOf(QStringLiteral("n_estimators")));
    QCOMPARE(view.runFraction(rounds, m_forest), 0.0);
    QTest::mousePress(canvas, Qt::LeftButton, {}, view.axisPoint(rounds, 0.6));
    QTest::mouseMove(canvas, view.axisPoint(rounds, 0.8));
    QTest::mouseMove(canvas, view.axisPoint(rounds, 1.0));
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, view.axisPoint(rounds, 1.0));
    QCOMPARE(brushSignals, 2);
    QCOMPARE(*lastBrush, QSet<qint64>({m_deep}));
    QCOMPARE(view.brushCount(), 2);

    // A click on max_depth outside its brush clears that brush only.
    QTest::mouseClick(canvas, Qt::LeftButton, {}, view.axisPoint(depth, 0.1));
    QCOMPARE(view.brushCount(), 1);
    QCOMPARE(*lastBrush, QSet<qint64>({m_shallow, m_deep}));
    // Inside a brush a click keeps it.
    QTest::mouseClick(canvas, Qt::LeftButton, {}, view.axisPoint(rounds, 0.95));
    QCOMPARE(view.brushCount(), 1);
    QCOMPARE(brushSignals, 3);

    // Hover names the run under the mouse.
    QTest::mouseMove(canvas, view.axisPoint(depth, 0.5));
    QTRY_COMPARE(view.hoveredRun(), m_forest);

    // Exports: a PNG of twice the canvas size and an SVG.
    QString error;
    const QString png = outputPath(QStringLiteral("parallel.png"));
    QVERIFY2(view.exportTo(png, &error), qPrintable(error));
    const QImage image(png);
    QCOMPARE(image.size(), canvas->size() * 2);
    const QString svg = outputPath(QStringLiteral("parallel.svg"));
    QVERIFY2(view.exportTo(svg, &error), qPrintable(error));
    const QByteArray svgBytes = test::readFile(svg);
    QVERIFY(svgBytes.contains("<svg"));
    QVERIFY(svgBytes.contains("max_depth"));
    QVERIFY(!view.exportTo(outputPath(QStringLiteral("parallel.gif")), &error));
    QVERIFY(error.contains(QStringLiteral(".png or .svg")));

    view.clearBrushes();
    QCOMPARE(brushSignals, 4);
    QVERIFY(!lastBrush.has_value());
    QVERIFY(test::savePng(&view, QStringLiteral("compare-parallel.png")) > 5000);
}

void TestCompareViews::parallelCoordinatesAxesAndSettings()
{
    ParallelCoordinatesView view;
    QVERIFY(showAt(view, {1100, 560}));
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest, m_plain}));
    QCOMPARE(view.lineCount(), 4);
    const int depth = int(view.axisLabels().indexOf(QStringLiteral("max_depth")));
    QVERIFY(depth >= 0);
    QVERIFY(std::isnan(view.runFraction(depth, m_plain))); // no max_depth: no point on that axis

    // The chooser: keep max_depth and one metric only.
    QTest::mouseClick(view.axesButton(), Qt::LeftButton);
    QDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<QDialog>()) != nullptr);
    auto *list = dialog->findChild<QListWidget *>(QStringLiteral("parallelAxesList"));
    QVERIFY(list);
    QVERIFY(list->count() > view.axisLabels().size()); // more columns to choose from
    QString metricItem;
    for (int i = 0; i < list->count(); ++i) {
        QListWidgetItem *item = list->item(i);
        const bool keep = item->text() == QStringLiteral("param · max_depth")
            || (metricItem.isEmpty() && item->text().startsWith(QStringLiteral("metric · ")));
        if (keep && item->text().startsWith(QStringLiteral("metric · ")))
            metricItem = item->text();
        item->setCheckState(keep ? Qt::Checked : Qt::Unchecked);
    }
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    QTRY_VERIFY(!dialog->isVisible());
    QVERIFY(view.hasCustomAxes());
    QCOMPARE(view.axisLabels().size(), 2);
    QCOMPARE(view.axisLabels().constFirst(), QStringLiteral("max_depth"));
    QCOMPARE(u"metric · " + view.axisLabels().at(1), metricItem);

    // A brush and the axes survive a saved view.
    QTest::mousePress(view.canvas(), Qt::LeftButton, {}, view.axisPoint(0, 1.0));
    QTest::mouseMove(view.canvas(), view.axisPoint(0, 0.9));
    QTest::mouseMove(view.canvas(), view.axisPoint(0, 0.75));
    QTest::mouseRelease(view.canvas(), Qt::LeftButton, {}, view.axisPoint(0, 0.75));
    QCOMPARE(view.brushedRuns(), std::optional<QSet<qint64>>(QSet<qint64>({m_deep})));
    const QJsonObject settings = view.settings();
    QCOMPARE(settings.value(QStringLiteral("axes")).toArray().size(), 2);
    QCOMPARE(settings.value(QStringLiteral("brushes")).toArray().size(), 1);

    ParallelCoordinatesView restored;
    restored.resize(1100, 560);
    QSignalSpy brushed(&restored, &ParallelCoordinatesView::brushChanged);
    restored.setComparison(comparisonOf({m_shallow, m_deep, m_forest, m_plain}));
    restored.restoreSettings(settings);
    QCOMPARE(restored.axisLabels(), view.axisLabels());
    QCOMPARE(restored.brushedRuns(), view.brushedRuns());
    QCOMPARE(brushed.count(), 1); // the panel hears of the restored brush

    // Back to the defaults, which follow the runs.
    restored.resetAxes();
    QVERIFY(!restored.hasCustomAxes());
    QVERIFY(restored.axisLabels().size() > 2);
    QVERIFY(restored.axisLabels().contains(QStringLiteral("optimizer"))); // only the plain run has it
}

void TestCompareViews::parallelCoordinatesOfManyLines()
{
    // 1,200 lines (the three runs, 400 times over) take the renderer that writes pixels itself.
    ParallelCoordinatesView view;
    QVERIFY(showAt(view, {1000, 500}));
    QList<qint64> runs;
    for (int i = 0; i < 400; ++i)
        runs << m_shallow << m_deep << m_forest;
    view.setComparison(comparisonOf(runs));
    QCOMPARE(view.lineCount(), 1200);
    const QStringList labels = view.axisLabels();
    const int depth = int(labels.indexOf(QStringLiteral("max_depth")));
    QCOMPARE(labels.value(depth + 1), QStringLiteral("n_estimators"));

    // The deep run is at the top of both axes: its line joins them at the top, in its colour
    // made as light as the translucent lines of a crowded chart look on white.
    QString error;
    const QString png = outputPath(QStringLiteral("parallel-many.png"));
    QVERIFY2(view.exportTo(png, &error), qPrintable(error));
    const QImage image(png);
    const QPoint left = view.axisPoint(depth, 1.0);
    const QPoint right = view.axisPoint(depth + 1, 1.0);
    QVERIFY(right.x() - left.x() > 20);
    // Just right of the left axis: the right axis's tick labels cover the rest of the gap.
    const QPoint probe((left.x() + 4) * 2, left.y() * 2);
    const QColor drawn = image.pixelColor(probe);
    const QColor run = runColor(m_deep);
    const auto light = [](double c) { return int(std::lround(255 * (1 - 0.6 * (1 - c)))); };
    QVERIFY2(std::abs(drawn.red() - light(run.redF())) <= 2 && std::abs(drawn.green() - light(run.greenF())) <= 2
                 && std::abs(drawn.blue() - light(run.blueF())) <= 2,
             qPrintable(drawn.name()));
    // Between the lines, the background.
    QCOMPARE(image.pixelColor(probe + QPoint(0, 40)), QColor(Qt::white));

    // A brush works the same on many lines.
    QTest::mousePress(view.canvas(), Qt::LeftButton, {}, view.axisPoint(depth, 1.0));
    QTest::mouseMove(view.canvas(), view.axisPoint(depth, 0.9));
    QTest::mouseMove(view.canvas(), view.axisPoint(depth, 0.75));
    QTest::mouseRelease(view.canvas(), Qt::LeftButton, {}, view.axisPoint(depth, 0.75));
    QCOMPARE(view.brushedRuns(), std::optional<QSet<qint64>>(QSet<qint64>({m_deep})));
    QVERIFY(test::savePng(&view, QStringLiteral("compare-parallel-many.png")) > 5000);
}

void TestCompareViews::diffHighlightsWhatDiffers()
{
    DiffView view;
    QVERIFY(showAt(view, {1100, 700}));
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest}));
    RunDiffModel *model = view.model();
    QCOMPARE(model->runCount(), 3);
    QVERIFY(view.noteLabel()->isHidden()); // the trained runs share their metrics
    QVERIFY(view.onlyDifferencesBox()->isChecked());

    // Only what differs: every line shown differs, headings separate the sections.
    QVERIFY(model->shownLineCount() > 0);
    QCOMPARE(model->shownLineCount(), model->differingLineCount());
    QVERIFY(model->indexOfField(QStringLiteral("params.max_depth")).isValid());
    QVERIFY(model->indexOfField(QStringLiteral("params.n_estimators")).isValid());
    QVERIFY(model->indexOfField(QStringLiteral("attributes.source")).isValid());
    QVERIFY(!model->indexOfField(QStringLiteral("params.tree_method")).isValid());
    QStringList headings;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(RunDiffModel::IsSectionRole).toBool())
            headings << model->index(row, 0).data().toString();
    }
    QCOMPARE(headings.constFirst(), QStringLiteral("Run"));
    QVERIFY(headings.contains(QStringLiteral("Params")));
    QVERIFY(headings.contains(QStringLiteral("Metrics (last value)")));
    QCOMPARE(view.table()->columnSpan(0, 0), 4); // a heading spans the runs

    // What the table shows: values per run, the differing cells tinted, run colours in the header.
    QAbstractItemModel *shown = view.table()->model();
    const QModelIndex depth = model->indexOfField(QStringLiteral("params.max_depth"), 1);
    QCOMPARE(shown->index(depth.row(), 1).data().toString(), QStringLiteral("2"));
    QCOMPARE(shown->index(depth.row(), 2).data().toString(), QStringLiteral("4"));
    QCOMPARE(shown->index(depth.row(), 3).data().toString(), QStringLiteral("3"));
    QVERIFY(shown->index(depth.row(), 1).data(Qt::BackgroundRole).value<QColor>().isValid());
    // 0.3, 0.3 and 1: the value the boosted runs share is plain, the forest's stands out.
    const QModelIndex rate = model->indexOfField(QStringLiteral("params.learning_rate"), 1);
    QVERIFY(rate.data(RunDiffModel::DiffersRole).toBool() == false);
    QVERIFY(!shown->index(rate.row(), 1).data(Qt::BackgroundRole).isValid());
    QVERIFY(!shown->index(rate.row(), 2).data(Qt::BackgroundRole).isValid());
    QVERIFY(shown->index(rate.row(), 3).data(Qt::BackgroundRole).value<QColor>().isValid());
    QCOMPARE(shown->index(rate.row(), 3).data().toString(), QStringLiteral("1"));
    QVERIFY(model->index(rate.row(), 0).data(RunDiffModel::DiffersRole).toBool());
    QVERIFY(shown->headerData(1, Qt::Horizontal).toString().startsWith(QStringLiteral("#%1").arg(m_shallow)));
    QVERIFY(!shown->headerData(1, Qt::Horizontal, Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(test::savePng(&view, QStringLiteral("compare-diff.png")) > 5000);

    // Every line: the ones all runs agree on come back, untinted.
    QTest::mouseClick(view.onlyDifferencesBox(), Qt::LeftButton);
    QVERIFY(!model->onlyDifferences());
    QVERIFY(model->shownLineCount() > model->differingLineCount());
    const QModelIndex method = model->indexOfField(QStringLiteral("params.tree_method"), 1);
    QVERIFY(method.isValid());
    QVERIFY(!method.data(RunDiffModel::DiffersRole).toBool());
    QCOMPARE(shown->index(method.row(), 2).data().toString(), QStringLiteral("hist"));
    QVERIFY(!shown->index(method.row(), 2).data(Qt::BackgroundRole).isValid());
    QVERIFY(view.summaryLabel()->text().contains(QStringLiteral("lines differ")));

    // CSV: a header with the runs, a line per line shown, exact values.
    QString error;
    const QString csv = outputPath(QStringLiteral("diff.csv"));
    QVERIFY2(view.exportTo(csv, &error), qPrintable(error));
    const QList<QByteArray> lines = csvLines(csv);
    QCOMPARE(lines.size(), model->shownLineCount() + 1);
    QVERIFY(lines.constFirst().startsWith("field,#"));
    QVERIFY(lines.contains("params.max_depth,2,4,3"));
    QVERIFY(lines.contains("params.tree_method,hist,hist,hist"));
}

void TestCompareViews::diffSaysWhenNoMetricIsShared()
{
    DiffView view;
    QVERIFY(showAt(view, {900, 500}));
    view.setComparison(comparisonOf({m_deep, m_plain}));
    QCOMPARE(view.model()->diff().commonMetrics, 0);
    QVERIFY(view.noteLabel()->isVisible());
    QVERIFY(view.noteLabel()->text().contains(QStringLiteral("These runs have no metric in common")));
    // A param only the plain run has differs (the other run has none).
    const QModelIndex optimizer = view.model()->indexOfField(QStringLiteral("params.optimizer"), 2);
    QVERIFY(optimizer.isValid());
    QCOMPARE(optimizer.data().toString(), QStringLiteral("adam"));
    QVERIFY(view.model()->indexOfField(QStringLiteral("params.optimizer"), 1).data(RunDiffModel::MissingRole).toBool());
    QCOMPARE(view.table()->model()->index(optimizer.row(), 1).data().toString(), QStringLiteral("—"));
    QVERIFY(test::savePng(&view, QStringLiteral("compare-diff-no-common-metric.png")) > 3000);

    view.setComparison(comparisonOf({m_shallow, m_deep}));
    QVERIFY(view.noteLabel()->isHidden());
}

void TestCompareViews::curvesOfEveryEvaluatedRun()
{
    CurvesView view;
    QVERIFY(showAt(view, {1300, 600}));
    QSignalSpy shown(&view, &CurvesView::shown);
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest, m_plain}));
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 30000);
    QVERIFY(shown.count() >= 1);

    // One curve per evaluated run on each chart, in its colour, named with its area.
    QChart *roc = view.rocView()->chart();
    QChart *pr = view.precisionRecallView()->chart();
    const QList<QLineSeries *> rocSeries = runSeries(roc);
    const QList<QLineSeries *> prSeries = runSeries(pr);
    QCOMPARE(rocSeries.size(), 3);
    QCOMPARE(prSeries.size(), 3);
    QSet<qint64> runs;
    for (QLineSeries *series : rocSeries) {
        const qint64 runId = series->property("runId").toLongLong();
        runs.insert(runId);
        QCOMPARE(series->pen().color(), runColor(runId));
        QVERIFY2(series->name().contains(QStringLiteral("AUC")), qPrintable(series->name()));
        QVERIFY(series->name().startsWith(QStringLiteral("#%1").arg(runId)));
        QVERIFY(series->count() >= 2);
    }
    QCOMPARE(runs, QSet<qint64>({m_shallow, m_deep, m_forest}));
    for (QLineSeries *series : prSeries)
        QVERIFY2(series->name().contains(QStringLiteral("AP")), qPrintable(series->name()));
    QVERIFY(roc->legend()->isVisible());

    // The run without an evaluation is named in the note.
    QVERIFY(view.noteLabel()->isVisible());
    QVERIFY2(view.noteLabel()->text().contains(QStringLiteral("1 run has no evaluation: #%1").arg(m_plain)),
             qPrintable(view.noteLabel()->text()));

    // Three classes: the chooser shows them, the first by default; another class, other curves.
    QVERIFY(view.classCombo()->isVisible());
    QCOMPARE(view.classCombo()->count(), 3);
    const QString first = view.currentClass();
    QVERIFY(roc->title().contains(first));
    const auto deep = evaluationOf(m_deep);
    const auto firstCurve = std::find_if(deep->roc.cbegin(), deep->roc.cend(),
                                         [&](const EvaluationCurve &c) { return c.label == first; });
    QVERIFY(firstCurve != deep->roc.cend());
    QSignalSpy rocDrawn(roc->scene(), &QGraphicsScene::changed);
    QSignalSpy prDrawn(pr->scene(), &QGraphicsScene::changed);
    QTest::keyClick(view.classCombo(), Qt::Key_End); // as a user picks the last class
    const QString third = view.currentClass();
    QCOMPARE(view.classCombo()->currentIndex(), 2);
    QVERIFY(third != first);
    QVERIFY(roc->title().contains(third));
    QCOMPARE(runSeries(view.rocView()->chart()).size(), 3);
    QCOMPARE(view.settings().value(QStringLiteral("class")).toString(), third);
    const auto thirdCurve = std::find_if(deep->roc.cbegin(), deep->roc.cend(),
                                         [&](const EvaluationCurve &c) { return c.label == third; });
    for (QLineSeries *series : runSeries(view.rocView()->chart())) {
        if (series->property("runId").toLongLong() == m_deep)
            QCOMPARE(qsizetype(series->count()), qsizetype(thirdCurve->x.size()));
    }

    // A live snapshot of the same runs changes nothing.
    const int before = int(shown.count());
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest, m_plain}));
    QCOMPARE(int(shown.count()), before);
    QTRY_VERIFY(!rocDrawn.isEmpty() && !prDrawn.isEmpty()); // the charts drew the new curves
    QVERIFY(test::savePng(&view, QStringLiteral("compare-curves.png")) > 5000);

    QString error;
    for (const QString &name : {QStringLiteral("curves.png"), QStringLiteral("curves.svg")}) {
        QVERIFY2(view.exportTo(outputPath(name), &error), qPrintable(error));
        QVERIFY(QFileInfo(outputPath(name)).size() > 1000);
    }
    const QImage image(outputPath(QStringLiteral("curves.png")));
    QCOMPARE(image.width(), 2 * (view.rocView()->width() + view.precisionRecallView()->width()));
    QVERIFY(test::readFile(outputPath(QStringLiteral("curves.svg"))).contains("<svg"));
}

void TestCompareViews::confusionMatricesSideBySide()
{
    ConfusionView view;
    QVERIFY(showAt(view, {1300, 520}));
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest, m_plain}));
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 30000);
    QTRY_COMPARE(view.matrixCount(), 3);
    for (int i = 0; i < view.matrixCount(); ++i) {
        const qint64 runId = view.matrixRun(i);
        const auto evaluation = evaluationOf(runId);
        QVERIFY(evaluation);
        // As many cells as the test rows: the rows of the run's predictions.csv.
        const Expected<QList<ArtifactInfo>> artifacts = RunStore(m_workspace->db()).artifacts(runId);
        const auto predictions = std::find_if(artifacts->cbegin(), artifacts->cend(), [](const ArtifactInfo &a) {
            return a.path == QLatin1String("predictions.csv");
        });
        QVERIFY(predictions != artifacts->cend());
        const qint64 testRows = qint64(csvLines(m_workspace->blobs().pathFor(predictions->sha256)).size()) - 1;
        QCOMPARE(view.matrixModel(i)->total(), testRows);
        QCOMPARE(view.matrixModel(i)->rowCount(), 3);
        QCOMPARE(view.matrixModel(i)->index(1, 2).data(ConfusionMatrixModel::CountRole).toLongLong(),
                 evaluation->confusion[1][2]);
        QVERIFY(view.matrixView(i)->isVisible());
    }
    QCOMPARE(view.matrixRun(0), m_shallow); // in the order of the selection
    QVERIFY(view.noteLabel()->text().contains(QStringLiteral("#%1").arg(m_plain)));
    QVERIFY(test::savePng(&view, QStringLiteral("compare-confusion.png")) > 5000);

    QString error;
    // The whole row of matrices at twice its size, also what the scroll area hides.
    view.resize(500, 520);
    const QString png = test::outputDir() + QStringLiteral("/compare-confusion-export.png");
    QVERIFY2(view.exportTo(png, &error), qPrintable(error));
    QVERIFY(view.page()->width() > 500);
    QCOMPARE(QImage(png).size(), view.page()->size() * 2);
    const QString csv = outputPath(QStringLiteral("confusion.csv"));
    QVERIFY2(view.exportTo(csv, &error), qPrintable(error));
    const QList<QByteArray> lines = csvLines(csv);
    QCOMPARE(lines.size(), 1 + 3 * 9);
    QCOMPARE(lines.constFirst(), QByteArray("run,label,true,predicted,count"));
    qint64 total = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines.at(i).startsWith(QByteArray(QByteArray::number(m_deep) + ',')))
            total += lines.at(i).split(',').constLast().toLongLong();
    }
    QCOMPARE(total, view.matrixModel(1)->total());

    // Many runs: at most 24 matrices, and a note saying so.
    QList<qint64> many;
    for (int i = 0; i < 10; ++i)
        many << m_shallow << m_deep << m_forest;
    view.setComparison(comparisonOf(many));
    QTRY_VERIFY(!view.isLoading());
    QTRY_COMPARE(view.matrixCount(), ConfusionView::kMaxMatrices);
    QVERIFY2(view.noteLabel()->text().contains(QStringLiteral("Showing 24 of 30 selected runs")),
             qPrintable(view.noteLabel()->text()));
}

void TestCompareViews::importanceAcrossRuns()
{
    ImportanceView view;
    QVERIFY(showAt(view, {1000, 500}));
    view.setComparison(comparisonOf({m_shallow, m_deep, m_forest, m_plain}));
    QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 30000);
    QStandardItemModel *model = view.model();
    QTRY_VERIFY(model->rowCount() > 0);

    // Every feature a run reported, most important on average first; a column per run.
    QSet<QString> reported;
    for (qint64 runId : {m_shallow, m_deep, m_forest}) {
        const auto evaluation = evaluationOf(runId);
        QVERIFY(evaluation);
        for (const auto &[feature, gain] : evaluation->featureImportance)
            reported.insert(feature);
    }
    QCOMPARE(QSet<QString>(view.features().cbegin(), view.features().cend()), reported);
    QCOMPARE(model->rowCount(), int(reported.size()));
    QCOMPARE(model->columnCount(), 2 + 3);
    QVERIFY(!view.showAllBox()->isVisible()); // fewer than 30 features
    double previous = 2;
    for (int row = 0; row < model->rowCount(); ++row) {
        const double mean = model->index(row, 1).data(ImportanceView::ValueRole).toDouble();
        QVERIFY(mean <= previous);
        previous = mean;
    }
    const auto deep = evaluationOf(m_deep);
    const int deepColumn = 3;
    QCOMPARE(model->headerData(deepColumn, Qt::Horizontal, ImportanceView::RunIdRole).toLongLong(), m_deep);
    QVERIFY(!model->headerData(deepColumn, Qt::Horizontal, Qt::DecorationRole).value<QIcon>().isNull());
    const auto &[topFeature, topGain] = deep->featureImportance.constFirst();
    const int topRow = int(view.features().indexOf(topFeature));
    QCOMPARE(model->index(topRow, deepColumn).data(ImportanceView::ValueRole).toDouble(), topGain);
    QVERIFY(view.noteLabel()->text().contains(QStringLiteral("#%1").arg(m_plain)));
    QVERIFY(test::savePng(&view, QStringLiteral("compare-importance.png")) > 5000);

    QString error;
    const QString csv = outputPath(QStringLiteral("importance.csv"));
    QVERIFY2(view.exportTo(csv, &error), qPrintable(error));
    const QList<QByteArray> lines = csvLines(csv);
    QCOMPARE(lines.size(), model->rowCount() + 1);
    QVERIFY(lines.constFirst().startsWith("Feature,Mean,#"));
    QVERIFY(lines.at(topRow + 1).startsWith(QByteArray(topFeature.toUtf8() + ',')));
    const QString png = test::outputDir() + QStringLiteral("/compare-importance-export.png");
    QVERIFY2(view.exportTo(png, &error), qPrintable(error));
    QCOMPARE(QImage(png).size(), view.table()->size() * 2);
    QVERIFY(!view.exportTo(outputPath(QStringLiteral("importance.txt")), &error));
    QVERIFY2(error.contains(QStringLiteral(".csv")), qPrintable(error));
}

QTEST_MAIN(TestCompareViews)
#include "tst_compareviews.moc"
