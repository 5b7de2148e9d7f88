#pragma once

#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QTableView;

namespace kiln {

class DatasetTable;
class ElidedLabel;
class DatasetTableModel;
class FilterBar;
struct RowFilter;

/// Browses the rows of one dataset version: a line about the version, a filter bar and a
/// virtual table that sorts on a header click. Sorting and filtering run on a worker; while
/// they do, a strip under the filter bar says so and offers Cancel.
class DatasetBrowser final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetBrowser)

public:
    explicit DatasetBrowser(QWidget *parent = nullptr);
    ~DatasetBrowser() override;

    /// Shows `table`; when its columns are those already shown, the current column stays.
    void setTable(std::shared_ptr<const DatasetTable> table);
    /// The column whose statistics are shown, or -1.
    int currentColumn() const { return m_currentColumn; }
    void setCurrentColumn(int column);

    DatasetTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    FilterBar *filterBar() const { return m_filterBar; }
    QPushButton *trainButton() const { return m_train; }

Q_SIGNALS:
    void currentColumnChanged(int column);
    /// "Train…" was pressed for the version shown.
    void trainRequested();

private:
    void applyFilter(const RowFilter &filter);
    void onViewChanged();
    void onBusyChanged(bool busy);
    void syncSortIndicator();
    void fitColumns();
    void restoreCurrentCell();
    void updateInfo();

    DatasetTableModel *m_model = nullptr;
    QLabel *m_title = nullptr;
    ElidedLabel *m_info = nullptr;
    FilterBar *m_filterBar = nullptr;
    QWidget *m_busyStrip = nullptr;
    QLabel *m_busyLabel = nullptr;
    QTableView *m_view = nullptr;
    QPushButton *m_train = nullptr;
    QTimer m_busyDelay;
    QStringList m_columnNames;
    int m_currentColumn = -1;
};

} // namespace kiln
