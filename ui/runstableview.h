#pragma once

#include "util/expected.h"

#include <QFutureWatcher>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QWidget>

#include <vector>

class QAction;
class QComboBox;
class QCompleter;
class QLabel;
class QLineEdit;
class QTimer;
class QToolBar;
class QTreeView;

namespace kiln {

class RunTableModel;

/// The runs table of the Experiments panel over its own RunTableModel: a toolbar with the
/// filter (MLflow syntax, applied on Enter or after a pause in typing, its error shown in
/// place), grouping, the column chooser and CSV export; the table (each run's colour beside
/// its number); and a status line ("1,234 of 100,000 runs · filtered · loaded in 0.8 s").
/// An invalid filter never empties the table: the rows of the last valid filter stay, dimmed,
/// with a note saying so. Lives on the GUI thread; the model loads on a worker.
class RunsTableView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunsTableView)

public:
    explicit RunsTableView(QWidget *parent = nullptr);
    ~RunsTableView() override;

    RunTableModel *model() const { return m_model; }
    QTreeView *tree() const { return m_tree; }
    /// The panel adds its own actions (New Run, Cancel, Refresh) after the view's.
    QToolBar *toolBar() const { return m_toolBar; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QComboBox *groupCombo() const { return m_groupCombo; }
    QAction *columnsAction() const { return m_columnsAction; }
    QAction *exportAction() const { return m_exportAction; }

    /// The model's loads, through the view so that the status line shows them.
    void setDatabasePath(const QString &path);
    void setExperiments(const QStringList &experiments);
    void reload();

    /// The runs of the selected rows, in display order (group rows stand for nothing).
    QList<qint64> selectedRunIds() const;
    qint64 currentRunId() const;
    /// Selects these runs (the first becomes current and is scrolled to); unknown ids are skipped.
    void selectRuns(const QList<qint64> &runIds);

    /// Applies `expression` now, as Enter does; false when it is refused (the error shows).
    bool applyFilter(const QString &expression);
    /// "column 19: expected a value after '>'" while the filter typed is refused; else empty.
    QString filterError() const { return m_filterError; }
    /// The line under the table.
    QString statusText() const;

    /// Whether model column `column` is shown (a column no run of the snapshot has never is).
    bool isColumnShown(int column) const;
    void setColumnShown(int column, bool shown);
    /// Opens the checkable, searchable list of columns under the Columns… button.
    void showColumnChooser();

    /// Writes the visible columns of the visible rows, in display order, to `path` on a worker
    /// thread, whole or not at all (QSaveFile); the status line says so meanwhile. Always
    /// answered later by csvExported(); a failure also shows an error dialog.
    void exportCsv(const QString &path);
    bool isExporting() const { return m_exportWatcher != nullptr; }

    /// Hidden and shown columns (by filter name, " MIN"/" MAX" for a metric's extremes),
    /// widths, sort, grouping and the filter text.
    QJsonObject saveState() const;
    void restoreState(const QJsonObject &state);

Q_SIGNALS:
    void selectedRunsChanged(const QList<qint64> &runIds);
    void currentRunChanged(qint64 runId);
    /// Double-click or Enter on a run.
    void runActivated(qint64 runId);
    /// An exportCsv() ended: the file is written (`ok`), or not, and `error` says why.
    void csvExported(const QString &path, bool ok, const QString &error);

private:
    class Overlay;
    class ColumnChooser;

    void createToolBar();
    void createTree();
    void onFilterError(const QString &error, int position);
    void onLayoutChanged();
    void syncColumns();
    void syncGroups();
    void refreshGroupChoices();
    void refreshCompleter();
    void complete();
    void insertCompletion(const QString &name);
    void applyGroup(const QString &identity);
    void applyPendingSort();
    void showHeaderMenu(const QPoint &position);
    void chooseExportFile();
    void finishExport(const QString &path, const QString &error);
    void updateStatus();
    void updateOverlay();
    void emitSelection();
    /// How a model column is saved: "params.max_depth", "metrics.loss MIN"; empty while absent.
    QString identity(int column) const;
    int columnOf(const QString &identity) const;
    bool shownByDefault(int column) const;

    RunTableModel *m_model = nullptr;
    QToolBar *m_toolBar = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QTimer *m_filterTimer = nullptr;
    QCompleter *m_completer = nullptr;
    QLabel *m_errorLabel = nullptr;
    QComboBox *m_groupCombo = nullptr;
    QAction *m_columnsAction = nullptr;
    QAction *m_exportAction = nullptr;
    QTreeView *m_tree = nullptr;
    Overlay *m_overlay = nullptr;
    QLabel *m_status = nullptr;
    QFutureWatcher<Status> *m_exportWatcher = nullptr; ///< the export being written
    QString m_exportPath;

    QString m_filterError;
    QString m_loadError;
    double m_loadMilliseconds = -1;
    QHash<QString, bool> m_shown; ///< the user's choices by identity(); the rest follow shownByDefault()
    QHash<QString, int> m_widths;
    QSet<QString> m_sized; ///< columns given their width once
    QString m_sortIdentity; ///< empty: newest first
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    QString m_groupIdentity;
    mutable std::vector<QString> m_identities;
    bool m_syncing = false;
    QList<qint64> m_selection;
    qint64 m_currentRun = 0;
};

} // namespace kiln
