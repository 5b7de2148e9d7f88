#pragma once

#include "compare/evaluationcomparisonview.h"

class QChartView;
class QComboBox;
class QLabel;

namespace kiln {

/// ROC and precision-recall curves of the compared runs, one chart each, a curve per run
/// in its colour with its AUC or average precision in the legend. Multiclass runs have a
/// curve per class against the rest: a chooser picks the class (the first by default).
class CurvesView final : public EvaluationComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CurvesView)

public:
    explicit CurvesView(QWidget *parent = nullptr);
    ~CurvesView() override;

    QStringList exportFormats() const override;
    /// Both charts side by side, as PNG or SVG.
    bool exportTo(const QString &path, QString *error) const override;
    QJsonObject settings() const override; ///< {"class": "setosa"}
    void restoreSettings(const QJsonObject &settings) override;

    QChartView *rocView() const { return m_rocView; }
    QChartView *precisionRecallView() const { return m_prView; }
    QComboBox *classCombo() const { return m_classCombo; }
    /// The class whose curves are shown; empty when no run has a curve.
    QString currentClass() const;

protected:
    void rebuild() override;

private:
    QChartView *m_rocView = nullptr;
    QChartView *m_prView = nullptr;
    QComboBox *m_classCombo = nullptr;
    QLabel *m_classLabel = nullptr;
    QString m_wantedClass; ///< chosen by the user or a saved view; kept while runs have it
};

} // namespace kiln
