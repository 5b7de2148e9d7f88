#pragma once

#include "compare/comparisonview.h"

#include <QStringList>

#include <limits>
#include <memory>
#include <vector>

class QLabel;
class QVBoxLayout;

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
    /// At most this many of the selected runs are shown (the first ones); the note says so.
    /// Curves and tables of thousands of runs are unreadable, and each costs an artifact read.
    static constexpr std::size_t kMaxRuns = 500;
    virtual std::size_t maxRuns() const { return kMaxRuns; }
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
    /// `text` with its %1 the runList() of `runIds`; empty when there are none.
    static QString runsNote(const QString &text, const std::vector<qint64> &runIds);
    /// Shows in the note what every such view says (evaluations being read, runs without
    /// one), then `notes` (empty ones left out), then `hint` while no run is selected.
    void showNotes(const QStringList &notes, const QString &hint);
    /// Adds the note to `layout` as a row with the views' margins (`top` above it).
    void addNoteRow(QVBoxLayout *layout, int top = 0);

private:
    void maybeRebuild();
    QStringList commonNotes() const;

    RunEvaluations *m_evaluations = nullptr;
    QLabel *m_note = nullptr;
    std::shared_ptr<const RunTable> m_snapshot;
    std::vector<int> m_rows;
    std::vector<int> m_differing;
    int m_selected = 0;
    QStringList m_shownSignature;
};

} // namespace kiln
