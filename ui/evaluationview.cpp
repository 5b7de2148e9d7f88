#include "evaluationview.h"

#include "appearance.h"
#include "chartstyle.h"
#include "heatmapdelegate.h"
#include "models/confusionmatrixmodel.h"
#include "models/runformat.h"
#include "models/texttablemodel.h"
#include "theme.h"
#include "viewutil.h"

#include <QChart>
#include <QChartView>
#include <QFile>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>
#include <QScatterSeries>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

namespace kiln {

namespace {

constexpr int kTopFeatures = 20;
constexpr qsizetype kMaxScatterPoints = 5000;
constexpr int kChartHeight = 320;
constexpr int kFeatureLabelChars = 28;

Expected<QByteArray> readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error {EvaluationView::tr("cannot read %1: %2").arg(path, file.errorString())};
    return file.readAll();
}

/// Removes a chart's series and axes, ready to be filled again.
void resetChart(QChart *chart)
{
    chart->removeAllSeries();
    const QList<QAbstractAxis *> axes = chart->axes();
    for (QAbstractAxis *axis : axes) {
        chart->removeAxis(axis);
        delete axis;
    }
}

} // namespace

EvaluationView::EvaluationView(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_metrics(new TextTableModel(this))
    , m_classes(new TextTableModel(this))
    , m_confusion(new ConfusionMatrixModel(this))
{
    setObjectName(QStringLiteral("evaluationView"));
    chartstyle::styleEmptyNote(m_empty, QStringLiteral("evaluationEmpty"));

    auto *page = new QWidget;
    m_metrics->setHeader({tr("Metric"), tr("Value")});
    m_metricsView = new QTableView(page);
    m_metricsView->setObjectName(QStringLiteral("evaluationMetrics"));
    m_metricsView->setModel(m_metrics);
    viewutil::setUpReadOnlyTable(m_metricsView);
    m_metricsView->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_metricsView->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);

    m_classes->setHeader({tr("Class"), tr("Precision"), tr("Recall"), tr("F1"), tr("Support")});
    m_metricsView->setToolTip(tr("Measured on the test rows, which the model never saw; defined as scikit-learn "
                                 "defines them."));
    m_classesView = new QTableView(page);
    m_classesView->setObjectName(QStringLiteral("classMetrics"));
    m_classesView->setModel(m_classes);
    viewutil::setUpReadOnlyTable(m_classesView);
    // Stretch shares the width; a stretched last section would claim a default width on top.
    m_classesView->horizontalHeader()->setStretchLastSection(false);
    m_classesView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_classesView->horizontalHeader()->setMinimumSectionSize(40);

    m_confusionView = new QTableView(page);
    m_confusionView->setObjectName(QStringLiteral("confusionMatrix"));
    m_confusionView->setModel(m_confusion);
    m_confusionView->setItemDelegate(new HeatMapDelegate(ConfusionMatrixModel::IntensityRole, m_confusionView));
    m_confusionView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_confusionView->setSelectionMode(QAbstractItemView::NoSelection);
    m_confusionView->setFocusPolicy(Qt::NoFocus);
    m_confusionView->setCornerButtonEnabled(false);
    m_confusionView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_confusionView->verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_confusionView->setMinimumHeight(220);
    m_confusionView->setToolTip(tr("Rows: the true class. Columns: the predicted class. The diagonal holds the "
                                   "correct predictions."));

    m_rocView = chartstyle::newChartView(chartstyle::newChart(tr("ROC curve")), page);
    m_rocView->setObjectName(QStringLiteral("rocChart"));
    m_rocView->setMinimumHeight(kChartHeight);
    m_importanceView = chartstyle::newChartView(chartstyle::newChart(tr("Feature importance (gain)")), page);
    m_importanceView->setObjectName(QStringLiteral("importanceChart"));
    m_importanceView->setMinimumHeight(kChartHeight);
    m_scatterView = chartstyle::newChartView(chartstyle::newChart(tr("Predicted against actual")), page);
    m_scatterView->setObjectName(QStringLiteral("scatterChart"));
    m_scatterView->setMinimumHeight(kChartHeight + 80);

    auto *confusionContent = new QWidget(page);
    auto *confusionLayout = new QVBoxLayout(confusionContent);
    confusionLayout->setContentsMargins(0, 0, 0, 0);
    auto *axesNote = new QLabel(tr("Rows: true class · columns: predicted class"), confusionContent);
    appearance::setTextRole(axesNote, appearance::TextRole::Muted);
    confusionLayout->addWidget(axesNote);
    confusionLayout->addWidget(m_confusionView, 1);

    auto *metricsBox = box(tr("Test set metrics"), m_metricsView, page, false);
    m_classesBox = box(tr("Per class"), m_classesView, page, false);
    m_confusionBox = box(tr("Confusion matrix"), confusionContent, page);
    m_rocBox = box(tr("ROC"), m_rocView, page);
    m_scatterBox = box(tr("Predictions"), m_scatterView, page);
    m_importanceBox = box(tr("Feature importance"), m_importanceView, page);

    // Two equal columns: tables on the left, the pictures of the same numbers on the right.
    auto *grid = new QGridLayout(page);
    grid->setContentsMargins(8, 8, 8, 8);
    grid->addWidget(metricsBox, 0, 0, Qt::AlignTop);
    grid->addWidget(m_confusionBox, 0, 1);
    grid->addWidget(m_classesBox, 1, 0, Qt::AlignTop);
    grid->addWidget(m_rocBox, 1, 1);
    grid->addWidget(m_scatterBox, 0, 1, 2, 1);
    grid->addWidget(m_importanceBox, 2, 0, 1, 2);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(3, 1);

    m_stack->addWidget(m_empty);
    m_stack->addWidget(chartstyle::newChartScrollArea(page, this));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    clear();
}

EvaluationView::~EvaluationView() = default;

QGroupBox *EvaluationView::box(const QString &title, QWidget *content, QWidget *parent, bool grow)
{
    return viewutil::newGroupBox(title, content, parent, grow);
}

void EvaluationView::clear(const QString &emptyText)
{
    ++m_generation;
    m_data.reset();
    m_metrics->clear();
    m_classes->clear();
    m_confusion->clear();
    m_empty->setText(emptyText.isEmpty() ? tr("Choose a run to see how its model does on the test set.") : emptyText);
    m_stack->setCurrentWidget(m_empty);
}

void EvaluationView::showEvaluation(const QString &evaluationPath, const QString &predictionsPath,
                                    const QString &emptyText)
{
    clear(emptyText);
    if (evaluationPath.isEmpty()) {
        Q_EMIT evaluationLoaded();
        return;
    }
    m_empty->setText(tr("Reading the evaluation…"));
    auto *watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, generation = m_generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        show(watcher->result());
        Q_EMIT evaluationLoaded();
    });
    watcher->setFuture(QtConcurrent::run(&EvaluationView::load, evaluationPath, predictionsPath));
}

EvaluationView::Loaded EvaluationView::load(const QString &evaluationPath, const QString &predictionsPath)
{
    Loaded loaded;
    const Expected<QByteArray> json = readAll(evaluationPath);
    if (!json) {
        loaded.error = json.errorMessage();
        return loaded;
    }
    Expected<EvaluationData> report = EvaluationData::fromJson(*json);
    if (!report) {
        loaded.error = report.errorMessage();
        return loaded;
    }
    loaded.data = std::move(report).value();
    if (loaded.data->kind == EvaluationData::Kind::Regression && !predictionsPath.isEmpty()) {
        if (const Expected<QByteArray> csv = readAll(predictionsPath)) {
            if (Expected<PredictionPoints> points = parseRegressionPredictions(*csv, kMaxScatterPoints))
                loaded.predictions = std::move(points).value();
        }
    }
    return loaded;
}

void EvaluationView::show(const Loaded &loaded)
{
    if (!loaded.data) {
        m_empty->setText(tr("The evaluation cannot be shown: %1").arg(loaded.error));
        m_stack->setCurrentWidget(m_empty);
        return;
    }
    m_data = loaded.data;
    QList<QVariantList> rows;
    for (const auto &[label, value] : std::as_const(m_data->metrics))
        rows.append({label, value});
    m_metrics->setRows(rows);
    viewutil::fitHeightToRows(m_metricsView);

    const bool classification = m_data->kind == EvaluationData::Kind::Classification;
    m_classesBox->setVisible(classification);
    m_confusionBox->setVisible(classification);
    m_rocBox->setVisible(classification);
    m_scatterBox->setVisible(!classification);
    if (classification)
        showClassification(*m_data);
    else
        showRegression(*m_data, loaded.predictions);
    showImportance(*m_data);
    m_stack->setCurrentIndex(1);
}

void EvaluationView::showClassification(const EvaluationData &report)
{
    QList<QVariantList> rows;
    for (const ClassEvaluation &row : report.perClass)
        rows.append({row.label, row.precision, row.recall, row.f1, row.support});
    m_classes->setRows(rows);
    viewutil::fitHeightToRows(m_classesView, 15);
    m_confusion->setMatrix(report.classes, report.confusion);
    // A square-ish matrix: each row tall enough to read, more classes scroll.
    const int rowHeight = fontMetrics().height() * 2 + 8;
    m_confusionView->setMinimumHeight(std::min(560,
                                               m_confusionView->horizontalHeader()->sizeHint().height()
                                                   + rowHeight * std::max<int>(2, int(report.classes.size())) + 4));

    QChart *chart = m_rocView->chart();
    resetChart(chart);
    QValueAxis *x = chartstyle::unitAxis(tr("False positive rate"));
    QValueAxis *y = chartstyle::unitAxis(tr("True positive rate"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    QLineSeries *chance = chartstyle::newDiagonal(tr("Chance"), 0, 1);
    chart->addSeries(chance);
    chance->attachAxis(x);
    chance->attachAxis(y);
    const bool binary = report.classes.size() == 2;
    for (qsizetype i = 0; i < report.roc.size(); ++i) {
        const EvaluationCurve &curve = report.roc.at(i);
        QLineSeries *series = chartstyle::newLineSeries(curve.x, curve.y);
        series->setName(binary ? tr("%1 (AUC %2)").arg(curve.label, QLocale().toString(curve.auc, 'f', 3))
                               : tr("%1 vs rest (AUC %2)").arg(curve.label, QLocale().toString(curve.auc, 'f', 3)));
        chart->addSeries(series);
        QPen pen = series->pen();
        pen.setWidthF(1.8);
        if (report.roc.size() == 1)
            pen.setColor(theme::accent());
        series->setPen(pen);
        series->attachAxis(x);
        series->attachAxis(y);
    }
    chart->legend()->setVisible(true);
}

void EvaluationView::showRegression(const EvaluationData &, const PredictionPoints &predictions)
{
    QChart *chart = m_scatterView->chart();
    resetChart(chart);
    if (predictions.actual.empty()) {
        chart->setTitle(tr("No predictions.csv to plot"));
        return;
    }
    const auto [low, high] = std::minmax_element(predictions.actual.cbegin(), predictions.actual.cend());
    const auto [predLow, predHigh] = std::minmax_element(predictions.predicted.cbegin(), predictions.predicted.cend());
    double lo = std::min(*low, *predLow);
    double hi = std::max(*high, *predHigh);
    if (!(hi > lo))
        hi = lo + 1;
    const double pad = (hi - lo) * 0.03;
    auto *x = new QValueAxis;
    auto *y = new QValueAxis;
    x->setTitleText(tr("Actual"));
    y->setTitleText(tr("Predicted"));
    for (QValueAxis *axis : {x, y}) {
        axis->setRange(lo - pad, hi + pad);
        axis->applyNiceNumbers();
        // Plain numbers: "20000" reads at a glance where "2e+04" does not.
        axis->setLabelFormat(hi - lo >= 100 ? QStringLiteral("%.0f") : QStringLiteral("%.3g"));
        chartstyle::styleAxis(axis);
    }
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    QLineSeries *ideal = chartstyle::newDiagonal(tr("Predicted = actual"), lo - pad, hi + pad);
    auto *scatter = new QScatterSeries;
    scatter->setName(
        predictions.rows > qint64(predictions.actual.size())
            ? tr("Test rows (%1 of %2 shown)")
                  .arg(QLocale().toString(qint64(predictions.actual.size())), QLocale().toString(predictions.rows))
            : tr("Test rows"));
    scatter->setMarkerSize(6);
    QColor fill = theme::accent();
    fill.setAlpha(140);
    scatter->setColor(fill);
    scatter->setBorderColor(Qt::transparent);
    QList<QPointF> points;
    points.reserve(qsizetype(predictions.actual.size()));
    for (std::size_t i = 0; i < predictions.actual.size(); ++i)
        points.append(QPointF(predictions.actual[i], predictions.predicted[i]));
    scatter->append(points);
    for (QXYSeries *series : std::initializer_list<QXYSeries *> {ideal, scatter}) {
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
    }
    chart->setTitle(tr("Predicted against actual"));
    chart->legend()->setVisible(true);
}

void EvaluationView::showImportance(const EvaluationData &report)
{
    QChart *chart = m_importanceView->chart();
    resetChart(chart);
    m_importanceBox->setVisible(!report.featureImportance.isEmpty());
    if (report.featureImportance.isEmpty())
        return;
    const qsizetype shown = std::min<qsizetype>(kTopFeatures, report.featureImportance.size());
    chart->setTitle(
        report.featureImportance.size() > shown
            ? tr("The %1 most important of %2 features (gain)").arg(shown).arg(report.featureImportance.size())
            : tr("Feature importance (gain)"));
    QStringList names;
    std::vector<double> gains;
    for (qsizetype i = 0; i < shown; ++i) {
        names << report.featureImportance.at(i).first;
        gains.push_back(report.featureImportance.at(i).second);
    }
    const int barsHeight = chartstyle::addHorizontalBars(chart, tr("Gain"), names, gains, Qt::ElideMiddle,
                                                         kFeatureLabelChars, QStringLiteral("%.2f"));
    chart->legend()->hide();
    m_importanceView->setMinimumHeight(std::max(kChartHeight, barsHeight));
}

} // namespace kiln
