#pragma once

#include <QSet>
#include <QWidget>

class QLabel;
class QToolBar;
class QTreeView;

namespace kiln {

class RunListModel;

/// The runs tree of the Experiments panel with its toolbar: experiments, their runs and the
/// points of sweeps, each run's status as a coloured dot. Keeps expansion and selection across
/// the model's refreshes and hides the result columns no run fills.
class RunListView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunListView)

public:
    explicit RunListView(RunListModel *model, QWidget *parent = nullptr);
    ~RunListView() override;

    QToolBar *toolBar() const { return m_toolBar; }
    QTreeView *tree() const { return m_tree; }

    /// The run of the current row, or 0.
    qint64 currentRunId() const;
    /// The runs of the selected rows (experiment rows stand for nothing).
    QList<qint64> selectedRunIds() const;
    /// Makes run `runId` current (expanding its parents); false when the model has no such run.
    bool selectRun(qint64 runId);

Q_SIGNALS:
    /// The current run changed (0: none).
    void currentRunChanged(qint64 runId);
    void selectionChanged();

private:
    void rememberState();
    void restoreState();
    void updateColumns();
    void updateHint();

    RunListModel *m_model = nullptr;
    QToolBar *m_toolBar = nullptr;
    QTreeView *m_tree = nullptr;
    QLabel *m_hint = nullptr;
    QSet<QString> m_collapsedExperiments;
    QSet<qint64> m_expandedSweeps;
    qint64 m_currentRun = 0;
};

} // namespace kiln
