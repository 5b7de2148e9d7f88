#include "models/datasettablemodel.h"

#include "data/datasettable.h"
#include "models/columnstatsmodel.h"
#include "tasks/feedback.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <climits>

namespace kiln {

namespace {

// A worker's answer: the rows in view order (null: stored order), or nothing if cancelled.
using ViewResult = std::optional<std::shared_ptr<const Internal::RowList>>;

bool isNumeric(ColumnType type)
{
    return type == ColumnType::Integer || type == ColumnType::Float;
}

} // namespace

DatasetTableModel::DatasetTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_cache(kCachedChunks)
{ }

DatasetTableModel::~DatasetTableModel()
{
    // The worker holds its own references to the table and the feedback, so it may finish
    // after the model is gone; cancelling only makes it stop sooner.
    stopJob();
}

void DatasetTableModel::setTable(std::shared_ptr<const DatasetTable> table)
{
    stopJob();
    ++m_generation;
    beginResetModel();
    m_table = std::move(table);
    m_rows.reset();
    m_shown = {};
    m_requestedFilter = {};
    m_compiledFilter.reset();
    m_requestedSort = -1;
    m_requestedOrder = Qt::AscendingOrder;
    m_cache.clear();
    endResetModel();
    setBusy(false);
    Q_EMIT viewChanged();
}

qint64 DatasetTableModel::totalRowCount() const
{
    return m_table ? m_table->rowCount() : 0;
}

qint64 DatasetTableModel::sourceRow(int viewRow) const
{
    if (!m_table || viewRow < 0)
        return -1;
    if (m_rows)
        return std::size_t(viewRow) < m_rows->size() ? (*m_rows)[std::size_t(viewRow)] : -1;
    return viewRow < m_table->rowCount() ? viewRow : -1;
}

void DatasetTableModel::sort(int column, Qt::SortOrder order)
{
    if (!m_table)
        return;
    if (column < 0 || column >= m_table->columnCount())
        column = -1;
    // Views call sort() again with what they already show (e.g. when sorting is enabled);
    // recomputing the same order would only flash the busy state.
    if (column == m_requestedSort && (column < 0 || order == m_requestedOrder))
        return;
    m_requestedSort = column;
    m_requestedOrder = order;
    requestView(m_compiledFilter);
}

Status DatasetTableModel::setFilter(const RowFilter &filter)
{
    if (!m_table)
        return Error {tr("No dataset is open.")};
    if (!filter.isActive()) {
        clearFilter();
        return Status::success();
    }
    if (filter.column >= m_table->columnCount())
        return Error {tr("The dataset has no column %1.").arg(filter.column + 1)};
    Expected<Internal::CompiledFilter> compiled
        = Internal::compileFilter(filter, m_table->columnType(filter.column), m_table->columnNames().at(filter.column));
    if (!compiled)
        return compiled.error();
    m_requestedFilter = filter;
    requestView(std::move(compiled).value());
    return Status::success();
}

void DatasetTableModel::clearFilter()
{
    if (!m_table || !m_requestedFilter.isActive())
        return;
    m_requestedFilter = {};
    requestView(std::nullopt);
}

void DatasetTableModel::cancel()
{
    if (!m_busy)
        return;
    stopJob();
    ++m_generation;
    // Back to what is shown, so that sortColumn() and filter() describe the view again.
    m_requestedFilter = m_shown.filter;
    m_requestedSort = m_shown.sortColumn;
    m_requestedOrder = m_shown.order;
    if (m_requestedFilter.isActive()) {
        Expected<Internal::CompiledFilter> compiled
            = Internal::compileFilter(m_requestedFilter, m_table->columnType(m_requestedFilter.column),
                                      m_table->columnNames().at(m_requestedFilter.column));
        m_compiledFilter = compiled ? std::optional(std::move(compiled).value()) : std::nullopt;
    } else {
        m_compiledFilter.reset();
    }
    setBusy(false);
}

void DatasetTableModel::requestView(std::optional<Internal::CompiledFilter> compiled)
{
    stopJob();
    m_compiledFilter = std::move(compiled);
    const quint64 generation = ++m_generation;
    const Shown shown {m_requestedFilter, m_requestedSort, m_requestedOrder};

    Internal::ViewSpec spec;
    spec.filter = m_compiledFilter;
    spec.sortColumn = m_requestedSort;
    spec.order = m_requestedOrder;

    auto feedback = std::make_shared<Feedback>();
    m_jobFeedback = feedback;
    std::shared_ptr<const DatasetTable> table = m_table;
    // Even the stored order (nothing to compute) goes through the worker, so that every
    // request answers the same way: later, with viewChanged().
    QFuture<ViewResult> future = QtConcurrent::run(
        [table, spec, feedback]() -> ViewResult { return Internal::computeRowView(*table, spec, *feedback); });
    auto *watcher = new QFutureWatcher<ViewResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, shown] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // superseded or cancelled
        m_jobFeedback.reset();
        const ViewResult result = watcher->result();
        if (!result) {
            setBusy(false);
            return;
        }
        applyView(*result, shown);
    });
    watcher->setFuture(future);
    setBusy(true);
}

void DatasetTableModel::applyView(std::shared_ptr<const Internal::RowList> rows, const Shown &shown)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_shown = shown;
    m_cache.clear();
    endResetModel();
    setBusy(false);
    Q_EMIT viewChanged();
}

void DatasetTableModel::stopJob()
{
    if (m_jobFeedback) {
        m_jobFeedback->cancel();
        m_jobFeedback.reset();
    }
}

void DatasetTableModel::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

int DatasetTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_table)
        return 0;
    const qint64 rows = m_rows ? qint64(m_rows->size()) : m_table->rowCount();
    return int(std::min<qint64>(rows, INT_MAX));
}

int DatasetTableModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_table)
        return 0;
    return m_table->columnCount();
}

const DatasetTableModel::Chunk *DatasetTableModel::chunk(int chunkIndex) const
{
    if (const Chunk *cached = m_cache.object(chunkIndex))
        return cached;

    // Chunks hold view rows, not stored rows: a sorted view then decodes each visible row once.
    const int first = chunkIndex * kChunkRows;
    const int rows = std::min(kChunkRows, rowCount() - first);
    if (rows <= 0)
        return nullptr;
    const int columns = m_table->columnCount();
    auto decoded = std::make_unique<Chunk>();
    decoded->rows = rows;
    decoded->cells.resize(std::size_t(rows) * std::size_t(columns));
    decoded->missing.resize(decoded->cells.size());
    for (int r = 0; r < rows; ++r) {
        m_table->readRow(sourceRow(first + r), m_fields);
        for (int c = 0; c < columns; ++c) {
            const std::size_t cell = std::size_t(r) * std::size_t(columns) + std::size_t(c);
            if (std::size_t(c) >= m_fields.size()) {
                decoded->missing[cell] = 1;
                continue;
            }
            const std::string &field = m_fields[std::size_t(c)];
            decoded->cells[cell] = QString::fromUtf8(field.data(), qsizetype(field.size()));
            decoded->missing[cell] = values::isMissing(field) ? 1 : 0;
        }
    }
    const Chunk *result = decoded.get();
    m_cache.insert(chunkIndex, decoded.release());
    return result;
}

QVariant DatasetTableModel::data(const QModelIndex &index, int role) const
{
    if (!m_table || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (role == SourceRowRole)
        return sourceRow(index.row());
    if (role == Qt::TextAlignmentRole) {
        const Qt::Alignment alignment = isNumeric(m_table->columnType(index.column()))
            ? Qt::AlignRight | Qt::AlignVCenter
            : Qt::AlignLeft | Qt::AlignVCenter;
        return QVariant::fromValue(alignment);
    }
    if (role != Qt::DisplayRole && role != Qt::EditRole && role != RawTextRole && role != MissingRole
        && role != Qt::ToolTipRole) {
        return {};
    }

    const Chunk *rows = chunk(index.row() / kChunkRows);
    if (!rows)
        return {};
    const std::size_t cell
        = std::size_t(index.row() % kChunkRows) * std::size_t(m_table->columnCount()) + std::size_t(index.column());
    const bool missing = rows->missing[cell] != 0;
    const QString &text = rows->cells[cell];
    switch (role) {
    case Qt::DisplayRole:
        // Empty here; the view draws its own hint, so that "NA" and "" look alike.
        return missing ? QString() : text;
    case MissingRole:
        return missing;
    case Qt::ToolTipRole:
        if (missing)
            return text.trimmed().isEmpty() ? tr("Missing value") : tr("Missing value (“%1”)").arg(text);
        // Long text is elided in its cell.
        return text.size() > 40 ? QVariant(text) : QVariant();
    default:
        return text;
    }
}

QVariant DatasetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!m_table || section < 0)
        return {};
    if (orientation == Qt::Vertical) {
        // Stored row numbers, 1-based as in the file, so a sorted row still says where it came from.
        if (role == Qt::DisplayRole)
            return sourceRow(section) + 1;
        return {};
    }
    if (section >= m_table->columnCount())
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return m_table->columnNames().at(section);
    case Qt::ToolTipRole:
        return QString(m_table->columnNames().at(section) % u" — " % columnTypeLabel(m_table->columnType(section)));
    default:
        return {};
    }
}

} // namespace kiln
