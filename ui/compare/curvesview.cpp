#include "curvesview.h"

#include "chartstyle.h"
#include "models/runevaluations.h"
#include "pictureexport.h"
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

constexpr int kLegendRuns = 16; ///< more runs than this: no legend, hover a line to name it
constexpr int kChartHeight = 360;

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
    m_rocView->chart()->addAxis(chartstyle::unitAxis(tr("False positive rate")), Qt::AlignBottom);
    m_rocView->chart()->addAxis(chartstyle::unitAxis(tr("True positive rate")), Qt::AlignLeft);
    m_prView->chart()->addAxis(chartstyle::unitAxis(tr("Recall")), Qt::AlignBottom);
    m_prView->chart()->addAxis(chartstyle::unitAxis(tr("Precision")), Qt::AlignLeft);
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
    addNoteRow(layout);
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
    QLineSeries *chance = chartstyle::newDiagonal(tr("Chance"), 0, 1);
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
            QLineSeries *series = chartstyle::newLineSeries(curve->x, curve->y);
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

    QString withoutNote = runsNote(tr("No ROC or precision-recall curve (not a classifier): %1"), withoutCurve);
    if (!chosen.isEmpty() && !withoutCurve.empty())
        withoutNote = tr("No curve for the class %1: %2").arg(chosen, runList(withoutCurve));
    showNotes({withoutNote,
               curves > kLegendRuns ? tr("%1 runs: hover a line to see which run it is.").arg(curves) : QString()},
              tr("Select runs that trained a classifier to compare their ROC and precision-recall curves."));
}

QStringList CurvesView::exportFormats() const
{
    return pictureFormats();
}

bool CurvesView::exportTo(const QString &path, QString *error) const
{
    const QSize roc = m_rocView->size();
    const QSize pr = m_prView->size();
    const QSize size(roc.width() + pr.width(), std::max(roc.height(), pr.height()));
    return exportPicture(
        path, size,
        [&](QPainter &painter, const QRect &target) {
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
