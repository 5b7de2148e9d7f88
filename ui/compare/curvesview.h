#pragma once

#include "compare/comparisonview.h"

#include <limits>

class QChartView;
class QComboBox;
class QLabel;

namespace kiln {

class RunEvaluations;

/// The base of the comparison views that show what the runs' "evaluation.json" says (ROC
/// and precision-recall curves, confusion matrices, feature importance): reads the
/// evaluations off the GUI thread (RunEvaluations), rebuilds the view only when what it
/// would show changed (a live snapshot every second of the same runs costs nothing), and
/// keeps a note of the runs it cannot show.
class EvaluationComparisonView : public ComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EvaluationComparisonView)

public:
    explicit EvaluationComparisonView(QWidget *parent = nullptr);
    ~EvaluationComparisonView() override;

    void setComparison(const Comparison &comparison) final;
    /// Evaluations are being read; shown() follows.
    bool isLoading() const;
    RunEvaluations *evaluations() const { return m_evaluations; }
    /// What the view cannot show and why ("3 runs have no evaluation: #4, #9, #12"); hidden
    /// when it shows every run.
    QLabel *noteLabel() const { return m_note; }

Q_SIGNALS:
    /// The view was rebuilt from the evaluations read so far.
    void shown();

protected:
    /// At most this many of the selected runs are shown (the first ones).
    virtual std::size_t maxRuns() const { return std::numeric_limits<std::size_t>::max(); }
    /// Rebuilds the view from evaluations() for the runs of shownRows().
    virtual void rebuild() = 0;
    /// Rebuilds now (a setting of the view changed).
    void refresh();

    const std::shared_ptr<const RunTable> &snapshot() const { return m_snapshot; }
    const std::vector<int> &shownRows() const { return m_rows; }
    int selectedCount() const { return m_selected; }
    /// "#12 shallow": the run's number and name (without a name: the first params that
    /// differ among the shown runs).
    QString runLabel(qint64 runId) const;
    /// "#12 max_depth=6 eta=0.3": the run and every param that differs among the shown runs.
    QString runDescription(qint64 runId) const;
    /// "#4, #9, #12" (the first twelve, then "…").
    static QString runList(const std::vector<qint64> &runIds);
    /// The notes every such view shows: evaluations being read, runs without one.
    QStringList commonNotes() const;
    /// Shows `lines` in the note (hidden when empty).
    void setNote(const QStringList &lines);

private:
    void maybeRebuild();

    RunEvaluations *m_evaluations = nullptr;
    QLabel *m_note = nullptr;
    std::shared_ptr<const RunTable> m_snapshot;
    std::vector<int> m_rows;
    std::vector<int> m_differing;
    int m_selected = 0;
    QStringList m_shownSignature;
};

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
