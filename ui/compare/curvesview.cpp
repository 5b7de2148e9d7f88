#include "curvesview.h"

#include "chartstyle.h"
#include "compare/parallelcoordinatesview.h"
#include "models/evaluationdata.h"
#include "runcolors.h"
#include "theme.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

namespace kiln {

namespace {

constexpr int kListedRuns = 12;
constexpr int kLegendRuns = 16; ///< more runs than this: no legend, hover a line to name it
constexpr int kChartHeight = 360;

QValueAxis *addUnitAxis(QChart *chart, const QString &title, Qt::Alignment alignment)
{
    auto *axis = new QValueAxis;
    axis->setRange(0, 1);
    axis->setTickCount(6);
    axis->setLabelFormat(QStringLiteral("%.1f"));
    axis->setTitleText(title);
    chartstyle::styleAxis(axis);
    chart->addAxis(axis, alignment);
    return axis;
}

/// Adds `series` to `chart` on its two axes (bottom and left).
void attach(QChart *chart, QLineSeries *series)
{
    chart->addSeries(series);
    for (QAbstractAxis *axis : chart->axes())
        series->attachAxis(axis);
}

const EvaluationCurve *curveOf(const QList<EvaluationCurve> &curves, const QString &label)
{
    const auto found = std::find_if(curves.cbegin(), curves.cend(),
                                    [&](const EvaluationCurve &curve) { return curve.label == label; });
    return found == curves.cend() ? nullptr : &*found;
}

} // namespace

// ---- EvaluationComparisonView ------------------------------------------------------------------

EvaluationComparisonView::EvaluationComparisonView(QWidget *parent)
    : ComparisonView(parent)
    , m_evaluations(new RunEvaluations(this))
    , m_note(new QLabel(this))
{
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note->setStyleSheet(QStringLiteral("color: %1;").arg(theme::mutedText().name()));
    m_note->hide();
    connect(m_evaluations, &RunEvaluations::ready, this, &EvaluationComparisonView::maybeRebuild);
}

EvaluationComparisonView::~EvaluationComparisonView() = default;

void EvaluationComparisonView::setComparison(const Comparison &comparison)
{
    m_snapshot = comparison.table;
    m_selected = m_snapshot ? int(comparison.rows.size()) : 0;
    m_rows.clear();
    if (m_snapshot) {
        m_rows.assign(comparison.rows.cbegin(),
                      comparison.rows.cbegin() + qsizetype(std::min(comparison.rows.size(), maxRuns())));
    }
    m_differing.clear();
    if (m_snapshot) {
        for (int column : m_snapshot->differingColumns(m_rows)) {
            if (m_snapshot->column(column).kind == RunColumnKind::Param)
                m_differing.push_back(column);
        }
        m_evaluations->setRuns(comparison.workspace, *m_snapshot, m_rows);
    } else {
        m_evaluations->setRuns(comparison.workspace, RunTable(), {});
    }
    maybeRebuild();
}

bool EvaluationComparisonView::isLoading() const
{
    return m_evaluations->isLoading();
}

void EvaluationComparisonView::maybeRebuild()
{
    // What the view would show: the runs, their evaluations' blobs, which of them are read.
    QStringList signature {QString::number(m_selected), isLoading() ? QStringLiteral("loading") : QString()};
    const QStringList blobs = m_evaluations->signature();
    for (std::size_t i = 0; i < m_evaluations->runIds().size(); ++i) {
        const qint64 runId = m_evaluations->runIds()[i];
        signature << QStringLiteral("%1:%2:%3:%4")
                         .arg(runId)
                         .arg(blobs.value(qsizetype(i)))
                         .arg(m_evaluations->evaluation(runId) ? 1 : 0)
                         .arg(m_evaluations->error(runId));
    }
    if (signature == m_shownSignature)
        return;
    m_shownSignature = signature;
    refresh();
}

void EvaluationComparisonView::refresh()
{
    rebuild();
    Q_EMIT shown();
}

QString EvaluationComparisonView::runLabel(qint64 runId) const
{
    constexpr std::size_t kLabelParams = 3;
    const int row = m_snapshot ? m_snapshot->rowOfRun(runId) : -1;
    if (row < 0)
        return QStringLiteral("#%1").arg(runId);
    const QString name = m_snapshot->column(int(RunAttribute::Name)).displayText(row);
    if (!name.isEmpty())
        return QStringLiteral("#%1 %2").arg(runId).arg(name);
    const std::vector<int> columns(m_differing.cbegin(),
                                   m_differing.cbegin() + qsizetype(std::min(m_differing.size(), kLabelParams)));
    return m_snapshot->legendLabel(row, columns);
}

QString EvaluationComparisonView::runDescription(qint64 runId) const
{
    const int row = m_snapshot ? m_snapshot->rowOfRun(runId) : -1;
    return row < 0 ? QStringLiteral("#%1").arg(runId) : m_snapshot->legendLabel(row, m_differing);
}

QString EvaluationComparisonView::runList(const std::vector<qint64> &runIds)
{
    QStringList names;
    for (std::size_t i = 0; i < runIds.size() && i < std::size_t(kListedRuns); ++i)
        names << QStringLiteral("#%1").arg(runIds[i]);
    if (runIds.size() > std::size_t(kListedRuns))
        names << QStringLiteral("…");
    return names.join(QStringLiteral(", "));
}

QStringList EvaluationComparisonView::commonNotes() const
{
    QStringList notes;
    if (isLoading())
        notes << tr("Reading the evaluations…");
    std::vector<qint64> missing;
    std::vector<qint64> unreadable;
    QStringList errors;
    for (qint64 runId : m_evaluations->runsWithoutEvaluation()) {
        const QString error = m_evaluations->error(runId);
        if (error.isEmpty()) {
            missing.push_back(runId);
        } else {
            unreadable.push_back(runId);
            errors << error;
        }
    }
    if (!missing.empty()) {
        notes << (missing.size() == 1 ? tr("1 run has no evaluation: %1").arg(runList(missing))
                                      : tr("%1 runs have no evaluation: %2").arg(missing.size()).arg(runList(missing)));
    }
    if (!unreadable.empty()) {
        notes << tr("The evaluation of %1 cannot be read: %2").arg(runList(unreadable), errors.constFirst());
    }
    return notes;
}

void EvaluationComparisonView::setNote(const QStringList &lines)
{
    m_note->setText(lines.join(u'\n'));
    m_note->setVisible(!lines.isEmpty());
}

// ---- CurvesView --------------------------------------------------------------------------------

CurvesView::CurvesView(QWidget *parent)
    : EvaluationComparisonView(parent)
    , m_rocView(chartstyle::newChartView(chartstyle::newChart(tr("ROC")), this))
    , m_prView(chartstyle::newChartView(chartstyle::newChart(tr("Precision-recall")), this))
    , m_classCombo(new QComboBox(this))
    , m_classLabel(new QLabel(tr("Class:"), this))
{
    setObjectName(QStringLiteral("curvesView"));
    noteLabel()->setObjectName(QStringLiteral("curvesNote"));
    m_rocView->setObjectName(QStringLiteral("compareRocChart"));
    m_prView->setObjectName(QStringLiteral("comparePrChart"));
    m_classCombo->setObjectName(QStringLiteral("curvesClass"));
    m_classCombo->setToolTip(tr("The class whose curves (that class against the rest) are shown"));
    m_classCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_classLabel->setBuddy(m_classCombo);
    for (QChartView *view : {m_rocView, m_prView})
        view->setMinimumHeight(kChartHeight);
    addUnitAxis(m_rocView->chart(), tr("False positive rate"), Qt::AlignBottom);
    addUnitAxis(m_rocView->chart(), tr("True positive rate"), Qt::AlignLeft);
    addUnitAxis(m_prView->chart(), tr("Recall"), Qt::AlignBottom);
    addUnitAxis(m_prView->chart(), tr("Precision"), Qt::AlignLeft);
    connect(m_classCombo, &QComboBox::activated, this, [this] {
        m_wantedClass = m_classCombo->currentText();
        refresh();
    });

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    bar->addWidget(m_classLabel);
    bar->addWidget(m_classCombo);
    bar->addStretch(1);
    auto *charts = new QHBoxLayout;
    charts->setContentsMargins(0, 0, 0, 0);
    charts->addWidget(m_rocView, 1);
    charts->addWidget(m_prView, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    auto *noteRow = new QHBoxLayout;
    noteRow->setContentsMargins(8, 0, 8, 0);
    noteRow->addWidget(noteLabel());
    layout->addLayout(noteRow);
    layout->addLayout(charts, 1);
    rebuild();
}

CurvesView::~CurvesView() = default;

QString CurvesView::currentClass() const
{
    return m_classCombo->currentText();
}

void CurvesView::rebuild()
{
    QChart *roc = m_rocView->chart();
    QChart *pr = m_prView->chart();
    roc->removeAllSeries();
    pr->removeAllSeries();
    auto *chance = new QLineSeries;
    chance->setName(tr("Chance"));
    chance->append(0, 0);
    chance->append(1, 1);
    QPen dashed(QColor(0xa0, 0xa4, 0xab));
    dashed.setStyle(Qt::DashLine);
    chance->setPen(dashed);
    attach(roc, chance);
    for (QLegendMarker *marker : roc->legend()->markers(chance))
        marker->setVisible(false);

    // Every class some run has a curve for, in the order the runs name them.
    RunEvaluations *evaluations = this->evaluations();
    QStringList classes;
    for (qint64 runId : evaluations->runIds()) {
        if (const auto evaluation = evaluations->evaluation(runId)) {
            for (const EvaluationCurve &curve : evaluation->roc)
                classes << curve.label;
            for (const EvaluationCurve &curve : evaluation->precisionRecall)
                classes << curve.label;
        }
    }
    classes.removeDuplicates();
    const QString chosen = classes.contains(m_wantedClass) ? m_wantedClass : classes.value(0);
    {
        const QSignalBlocker blocker(m_classCombo);
        m_classCombo->clear();
        m_classCombo->addItems(classes);
        m_classCombo->setCurrentIndex(int(classes.indexOf(chosen)));
    }
    m_classCombo->setVisible(classes.size() > 1);
    m_classLabel->setVisible(classes.size() > 1);

    std::vector<qint64> withoutCurve;
    int curves = 0;
    const QLocale locale;
    for (qint64 runId : evaluations->runIds()) {
        const auto evaluation = evaluations->evaluation(runId);
        if (!evaluation)
            continue;
        const EvaluationCurve *rocCurve = curveOf(evaluation->roc, chosen);
        const EvaluationCurve *prCurve = curveOf(evaluation->precisionRecall, chosen);
        if (!rocCurve && !prCurve) {
            withoutCurve.push_back(runId);
            continue;
        }
        ++curves;
        const QString label = runLabel(runId);
        const auto add = [&](QChart *chart, const EvaluationCurve *curve, const QString &area) {
            if (!curve)
                return;
            auto *series = new QLineSeries;
            QList<QPointF> points;
            points.reserve(qsizetype(curve->x.size()));
            for (std::size_t p = 0; p < curve->x.size(); ++p)
                points.append(QPointF(curve->x[p], curve->y[p]));
            series->append(points);
            series->setName(QStringLiteral("%1 · %2 %3").arg(label, area, locale.toString(curve->auc, 'f', 3)));
            series->setProperty("runId", runId);
            series->setPen(QPen(runColor(runId), 1.8));
            connect(series, &QLineSeries::hovered, series,
                    [series, description = runDescription(runId)](const QPointF &, bool state) {
                        if (state)
                            QToolTip::showText(QCursor::pos(), series->name() + u'\n' + description);
                    });
            attach(chart, series);
        };
        add(roc, rocCurve, tr("AUC"));
        add(pr, prCurve, tr("AP"));
    }
    const bool multiclass = classes.size() > 1;
    roc->setTitle(multiclass ? tr("ROC · %1 against the rest").arg(chosen) : tr("ROC"));
    pr->setTitle(multiclass ? tr("Precision-recall · %1 against the rest").arg(chosen) : tr("Precision-recall"));
    for (QChart *chart : {roc, pr}) {
        chart->legend()->setVisible(curves > 0 && curves <= kLegendRuns);
        // Lay the chart out now, so that an export or a grab right away shows these curves.
        chart->layout()->activate();
    }

    QStringList notes = commonNotes();
    if (!withoutCurve.empty()) {
        notes << (chosen.isEmpty()
                      ? tr("No ROC or precision-recall curve (not a classifier): %1").arg(runList(withoutCurve))
                      : tr("No curve for the class %1: %2").arg(chosen, runList(withoutCurve)));
    }
    if (curves > kLegendRuns)
        notes << tr("%1 runs: hover a line to see which run it is.").arg(curves);
    if (shownRows().empty())
        notes << tr("Select runs that trained a classifier to compare their ROC and precision-recall curves.");
    setNote(notes);
}

QStringList CurvesView::exportFormats() const
{
    return {QStringLiteral("png"), QStringLiteral("svg")};
}

bool CurvesView::exportTo(const QString &path, QString *error) const
{
    const QSize roc = m_rocView->size();
    const QSize pr = m_prView->size();
    const QSize size(roc.width() + pr.width(), std::max(roc.height(), pr.height()));
    return writePicture(
        path, size,
        [&](QPainter &painter, const QRect &target) {
            painter.fillRect(target, Qt::white);
            m_rocView->render(&painter, QRectF(target.topLeft(), roc), m_rocView->viewport()->rect());
            m_prView->render(&painter, QRectF(target.topLeft() + QPoint(roc.width(), 0), pr),
                             m_prView->viewport()->rect());
        },
        error);
}

QJsonObject CurvesView::settings() const
{
    return m_wantedClass.isEmpty() ? QJsonObject() : QJsonObject {{QStringLiteral("class"), m_wantedClass}};
}

void CurvesView::restoreSettings(const QJsonObject &settings)
{
    m_wantedClass = settings.value(QStringLiteral("class")).toString();
    refresh();
}

} // namespace kiln
