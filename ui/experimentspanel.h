#pragma once

#include "compare/comparisonview.h"

#include <QJsonObject>
#include <QList>
#include <QWidget>

#include <optional>

class QAction;
class QLabel;
class QMenu;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QToolButton;
class QTreeView;

namespace kiln {

class EmptyStateWidget;
class ParallelCoordinatesView;
class RunController;
class RunPage;
class RunTableModel;
class RunsTableView;
class Workspace;

/// The Experiments panel: the runs table of the chosen experiments on top (filter, sort,
/// group, columns, CSV), and below it the page of the current run and the comparison views
/// of the selected runs: metric overlay, parallel coordinates, scatter, bars, ROC/PR curves,
/// confusion matrices, feature importance and the diff. Any number of runs, every point.
/// A comparison (experiments, filter, columns, selection, charts) can be saved as a named
/// view in the workspace and opened again.
class ExperimentsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExperimentsPanel)

public:
    /// The tabs under the table, in order.
    enum class Tab { Run, Overlay, Parallel, Scatter, Bars, Curves, Confusion, Importance, Diff };

    explicit ExperimentsPanel(RunController *runs, QWidget *parent = nullptr);
    ~ExperimentsPanel() override;

    /// The workspace to show; null shows nothing. Not owned.
    void setWorkspace(Workspace *workspace);
    /// Reads the runs again, keeping the selection.
    void refresh();
    /// Selects run `runId` and shows its page; false when there is no such run (yet: the
    /// table loads asynchronously, so a run submitted a moment ago is selected once loaded).
    bool selectRun(qint64 runId);
    /// Selects these runs (those the table shows) for comparison.
    void selectRuns(const QList<qint64> &runIds);
    QList<qint64> selectedRunIds() const;
    /// Reads the runs again and adds the runs with these uuids (just imported) to the
    /// selection once loaded, so they compare at once with those already selected. Shows
    /// every experiment when the table was narrowed to some.
    void selectImportedRuns(const QStringList &uuids);
    /// The experiments whose runs the table shows; empty: all.
    void setExperiments(const QStringList &experiments);
    /// Opens the New Run dialog (for any command).
    void openNewRunDialog();
    /// Cancels the selected runs that are queued or running.
    void cancelSelectedRuns();
    void showTab(Tab tab);
    Tab currentTab() const;
    ComparisonView *comparisonView(Tab tab) const; ///< null for Tab::Run
    /// Exports the current comparison view to `path` (format by suffix).
    bool exportCurrentView(const QString &path, QString *error);

    /// The current comparison as a saved view's spec, and back. applyViewSpec selects the
    /// runs once the table has loaded them.
    QJsonObject viewSpec() const;
    void applyViewSpec(const QJsonObject &spec);
    /// Saves the current comparison under `name` in the workspace; opens a saved one.
    bool saveView(const QString &name, QString *error);
    bool openView(const QString &name, QString *error);

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    QAction *newRunAction() const { return m_newRun; }
    QAction *cancelAction() const { return m_cancel; }
    QAction *refreshAction() const { return m_refresh; }
    QAction *saveViewAction() const { return m_saveView; }
    /// Run ▸ Register Model…: asks for the current run, when it finished, to be registered.
    QAction *registerModelAction() const { return m_register; }
    QMenu *viewsMenu() const { return m_viewsMenu; }
    RunTableModel *runModel() const;
    RunsTableView *runTable() const { return m_table; }
    QTreeView *runTree() const;
    RunPage *runPage() const { return m_page; }
    QTabWidget *tabs() const { return m_tabs; }
    QSplitter *splitter() const { return m_splitter; }

Q_SIGNALS:
    /// Something went wrong reading or changing the runs; for the status bar.
    void errorOccurred(const QString &message);
    /// Register Model… was chosen on the current run (a finished one).
    void registerModelRequested(qint64 runId);

private:
    /// Stable names of the tabs in saved views and layouts, by Tab.
    static const QStringList &tabKeys();
    void createActions();
    void addComparisonTab(Tab tab, ComparisonView *view, const QString &title);
    void onCurrentRunChanged(qint64 runId);
    void onSelectionChanged();
    void onTableLoaded();
    void onBrushChanged(const std::optional<QSet<qint64>> &runIds);
    void updateComparison();
    void updateCurrentView();
    void updateActions();
    void updateEmptyState();
    void updateExperimentsMenu();
    void updateViewsMenu();
    void chooseViewName();
    void chooseExportPath();

    RunController *m_runs = nullptr;
    Workspace *m_workspace = nullptr;
    QStackedWidget *m_stack = nullptr;
    EmptyStateWidget *m_empty = nullptr;
    QSplitter *m_splitter = nullptr;
    RunsTableView *m_table = nullptr;
    QTabWidget *m_tabs = nullptr;
    RunPage *m_page = nullptr;
    QList<ComparisonView *> m_views; ///< by Tab - 1
    QList<bool> m_stale; ///< by Tab - 1: the view has not seen the current comparison
    ParallelCoordinatesView *m_parallel = nullptr;
    QLabel *m_brushNote = nullptr;
    QToolButton *m_experimentsButton = nullptr;
    QMenu *m_experimentsMenu = nullptr;
    QMenu *m_viewsMenu = nullptr;
    QTimer *m_selectionTimer = nullptr;
    Comparison m_comparison;
    QList<qint64> m_pendingSelection; ///< to select once the table has these runs
    QStringList m_pendingUuids; ///< runs to add to the selection once the table has reloaded
    QJsonObject m_pendingSettings; ///< chart settings of a view being opened
    bool m_brushing = false;
    QAction *m_newRun = nullptr;
    QAction *m_cancel = nullptr;
    QAction *m_refresh = nullptr;
    QAction *m_saveView = nullptr;
    QAction *m_register = nullptr;
    QAction *m_export = nullptr;
};

} // namespace kiln
