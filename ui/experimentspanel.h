#pragma once

#include <QWidget>

class QAction;
class QSplitter;
class QStackedWidget;
class QTreeView;

namespace kiln {

class EmptyStateWidget;
class RunController;
class RunListModel;
class RunListView;
class RunPage;
class Workspace;

/// The Experiments panel: the runs of the workspace (left) with New Run…, Cancel and
/// Refresh, and the page of the chosen run (right). Statuses stay live through the model's
/// poll and the controller's start and end signals; the open run's page follows its run.
class ExperimentsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExperimentsPanel)

public:
    explicit ExperimentsPanel(RunController *runs, QWidget *parent = nullptr);
    ~ExperimentsPanel() override;

    /// The workspace to show; null shows nothing. Not owned.
    void setWorkspace(Workspace *workspace);
    /// Reads the runs again, keeping the selection.
    void refresh();
    /// Selects run `runId` and shows its page; false when there is no such run.
    bool selectRun(qint64 runId);
    /// Opens the New Run dialog (for any command).
    void openNewRunDialog();
    /// Cancels the selected runs that are queued or running.
    void cancelSelectedRuns();

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    QAction *newRunAction() const { return m_newRun; }
    QAction *cancelAction() const { return m_cancel; }
    QAction *refreshAction() const { return m_refresh; }
    RunListModel *runModel() const { return m_model; }
    RunListView *runList() const { return m_list; }
    QTreeView *runTree() const;
    RunPage *runPage() const { return m_page; }
    QSplitter *splitter() const { return m_splitter; }

Q_SIGNALS:
    /// Something went wrong reading or changing the runs; for the status bar.
    void errorOccurred(const QString &message);

private:
    void createActions();
    void onCurrentRunChanged(qint64 runId);
    void onRunChanged(qint64 runId);
    void poll();
    void updateActions();
    void updateEmptyState();

    RunController *m_runs = nullptr;
    Workspace *m_workspace = nullptr;
    RunListModel *m_model = nullptr;
    QSplitter *m_splitter = nullptr;
    RunListView *m_list = nullptr;
    QStackedWidget *m_right = nullptr;
    EmptyStateWidget *m_empty = nullptr;
    RunPage *m_page = nullptr;
    QAction *m_newRun = nullptr;
    QAction *m_cancel = nullptr;
    QAction *m_refresh = nullptr;
};

} // namespace kiln
