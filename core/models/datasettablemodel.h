#pragma once

#include "models/rowfilter.h"
#include "models/rowview.h"
#include "util/expected.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QStringList>

#include <memory>
#include <vector>

namespace kiln {

class DatasetTable;
class Feedback;

/// The rows of one DatasetTable as a table, sorted and filtered. Rows are decoded on demand
/// from the memory-mapped file, a chunk at a time, into a small LRU cache, so a view of ten
/// million rows costs what the visible ones cost. Sorting and filtering compute the row order
/// on a worker thread (a new request cancels the one running) and swap it in with a model
/// reset. Lives on the GUI thread.
class DatasetTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetTableModel)

public:
    enum Role {
        MissingRole = Qt::UserRole + 1, ///< true when the cell holds a missing value
        RawTextRole, ///< the field as stored ("NA" for a missing NA)
        SourceRowRole, ///< the stored row number (0-based) of a view row
    };
    static constexpr int kChunkRows = 256;
    static constexpr int kCachedChunks = 64;

    explicit DatasetTableModel(QObject *parent = nullptr);
    ~DatasetTableModel() override;

    /// Shows `table` in stored order, unsorted and unfiltered (a reset, done at once).
    void setTable(std::shared_ptr<const DatasetTable> table);
    const std::shared_ptr<const DatasetTable> &table() const { return m_table; }
    /// All rows of the table, whatever the filter lets through.
    qint64 totalRowCount() const;
    /// The stored row shown at `viewRow`, or -1.
    qint64 sourceRow(int viewRow) const;

    /// Sorts by `column` (-1: stored order). Asynchronous: viewChanged() follows.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    /// The sort the model shows or is computing; -1 when in stored order.
    int sortColumn() const { return m_requestedSort; }
    Qt::SortOrder sortOrder() const { return m_requestedOrder; }

    /// Keeps the rows that pass `filter`. A value that does not fit the column's type is an
    /// error and changes nothing; otherwise asynchronous: viewChanged() follows.
    Status setFilter(const RowFilter &filter);
    void clearFilter();
    RowFilter filter() const { return m_requestedFilter; }

    bool isBusy() const { return m_busy; }
    /// Stops the sort or filter being computed; the view stays as it is.
    void cancel();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void busyChanged(bool busy);
    /// The rows shown changed (a new table, sort or filter was swapped in).
    void viewChanged();

private:
    struct Chunk
    {
        int rows = 0;
        std::vector<QString> cells; // row-major, rows × columns
        std::vector<char> missing;
    };
    struct Shown
    {
        RowFilter filter;
        int sortColumn = -1;
        Qt::SortOrder order = Qt::AscendingOrder;
    };

    const Chunk *chunk(int chunkIndex) const;
    void requestView(std::optional<Internal::CompiledFilter> compiled);
    void applyView(std::shared_ptr<const Internal::RowList> rows, const Shown &shown);
    void stopJob();
    void setBusy(bool busy);

    std::shared_ptr<const DatasetTable> m_table;
    std::shared_ptr<const Internal::RowList> m_rows; // null: every row in stored order
    Shown m_shown;

    RowFilter m_requestedFilter;
    std::optional<Internal::CompiledFilter> m_compiledFilter;
    int m_requestedSort = -1;
    Qt::SortOrder m_requestedOrder = Qt::AscendingOrder;

    std::shared_ptr<Feedback> m_jobFeedback;
    quint64 m_generation = 0;
    bool m_busy = false;

    mutable QCache<int, Chunk> m_cache;
    mutable std::vector<std::string> m_fields; // reused by chunk() to spare allocations
};

} // namespace kiln
