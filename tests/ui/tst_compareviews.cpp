// The comparison views other than the metric overlay, scatter, bars (tst_chartviews.cpp) and
// parallel coordinates (tst_parallelcoordinates.cpp), offscreen, over a real workspace: a CSV
// imported by the real importer, three runs trained by the built-in trainers through the real
// scheduler, and one plain run without an evaluation (comparetestsupport.h).

#include "compare/confusionview.h"
#include "compare/curvesview.h"
#include "compare/diffview.h"
#include "compare/importanceview.h"
#include "comparetestsupport.h"
#include "models/confusionmatrixmodel.h"
#include "models/evaluationdata.h"
#include "models/rundiffmodel.h"
#include "runcolors.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QGraphicsScene>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLegend>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>

#include <cmath>

using namespace kiln;
using test::showAt;

namespace {

QList<QByteArray> csvLines(const QString &path)
{
    QList<QByteArray> lines = test::readFile(path).split('\n');
    while (!lines.isEmpty() && lines.constLast().trimmed().isEmpty())
        lines.removeLast();
    for (QByteArray &line : lines)
        line = line.trimmed();
    return lines;
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

class TestCompareViews final : public test::TrainedWorkspaceTest
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void evaluationReadsPrecisionRecall();
    void diffHighlightsWhatDiffers();
    void diffSaysWhenNoMetricIsShared();
    void curvesOfEveryEvaluatedRun();
    void confusionMatricesSideBySide();
    void importanceAcrossRuns();

private:
    std::shared_ptr<const EvaluationData> evaluationOf(qint64 runId) const;
};

void TestCompareViews::initTestCase()
{
    setUpWorkspace();
}

void TestCompareViews::cleanupTestCase()
{
    tearDownWorkspace();
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
    QVERIFY2(view.noteLabel()->text().contains(QStringLiteral("Showing the first 24 of 30 selected runs")),
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
