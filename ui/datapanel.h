#pragma once

#include "data/datasetcatalog.h"

#include <QWidget>

class QLabel;
class QSplitter;
class QStackedWidget;
class QTreeView;

namespace kiln {

class ColumnStatsPane;
class DatasetBrowser;
class DatasetListModel;
class EmptyStateWidget;
class Workspace;

/// The Data panel: the datasets of the workspace (left), the rows of the chosen version
/// (centre) and the statistics of the chosen column (right). Reads the catalog on the GUI
/// thread (small queries); rows are decoded on demand by the browser's model.
class DataPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DataPanel)

public:
    explicit DataPanel(QWidget *parent = nullptr);
    ~DataPanel() override;

    /// The workspace to show; null shows nothing. Not owned.
    void setWorkspace(Workspace *workspace);
    /// Reads the dataset list again, keeping the selection (after an import).
    void refresh();
    /// Selects and opens `name`@`version` (0: the latest). False if there is no such version.
    bool selectVersion(const QString &name, int version = 0);

    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    DatasetListModel *datasetModel() const { return m_datasets; }
    QTreeView *datasetTree() const { return m_tree; }
    DatasetBrowser *browser() const { return m_browser; }
    ColumnStatsPane *statsPane() const { return m_stats; }
    QSplitter *splitter() const { return m_splitter; }
    /// The version the browser shows; id 0 when none.
    const DatasetVersion &currentVersion() const { return m_open; }

Q_SIGNALS:
    /// Something went wrong reading the workspace; the panel shows it as well.
    void errorOccurred(const QString &message);
    /// The user asked to train on `name`@`version` (Train… button or the tree's context menu).
    void trainRequested(const QString &name, int version);
    /// The version the browser shows changed (currentVersion(); id 0: none).
    void currentVersionChanged();

private:
    void onCurrentChanged(const QModelIndex &current);
    void openVersion(const QString &name, int version);
    void showColumnStats(int column);
    void showEmptyState();
    void showProblem(const QString &message);
    void showTreeMenu(const QPoint &position);

    Workspace *m_workspace = nullptr;
    DatasetListModel *m_datasets = nullptr;
    QSplitter *m_splitter = nullptr;
    QTreeView *m_tree = nullptr;
    QLabel *m_treeHint = nullptr;
    QStackedWidget *m_center = nullptr;
    EmptyStateWidget *m_emptyState = nullptr;
    DatasetBrowser *m_browser = nullptr;
    ColumnStatsPane *m_stats = nullptr;
    DatasetVersion m_open; // the version the browser shows; id 0 when none
};

} // namespace kiln
