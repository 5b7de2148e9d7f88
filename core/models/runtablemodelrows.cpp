// RunTableModel's rows: which runs are shown, in which order and groups (computeView), the
// group rows' data, and the shown rows written as CSV.
#include "models/runtablemodel.h"
#include "models/runtablemodel_p.h"

#include "models/csv.h"

#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <map>

namespace kiln {

namespace {

QString runCountText(int count)
{
    return count == 1 ? RunTableModel::tr("1 run") : RunTableModel::tr("%L1 runs").arg(count);
}

/// Writes `rows` of `table` with its columns `sources` (-1: a column the snapshot lacks, left
/// empty) under the header `names`. Runs on any thread: the snapshot is immutable.
Status writeRows(QIODevice &device, const std::shared_ptr<const RunTable> &table, const std::vector<int> &rows,
                 const QStringList &names, const std::vector<int> &sources)
{
    // Text columns: each distinct value encoded once, not once per row.
    struct Output
    {
        const RunTable::Column *column = nullptr;
        std::vector<QByteArray> dictionary;
    };
    std::vector<Output> outputs;
    for (int source : sources) {
        Output output;
        if (table && source >= 0) {
            output.column = &table->column(source);
            if (output.column->text) {
                output.dictionary.reserve(std::size_t(output.column->dictionary.size()));
                for (const QString &value : output.column->dictionary)
                    output.dictionary.push_back(csvField(value));
            }
        }
        outputs.push_back(std::move(output));
    }
    if (Status written = writeCsvBytes(device, csvRecord(names)); !written)
        return written;

    // Formatting exact numbers and times is the cost (a second for 100,000 runs on one core):
    // blocks of rows are formatted on the pool and written in order.
    constexpr std::size_t kBlock = 2048;
    constexpr std::size_t kBlocksAtOnce = 64;
    const auto format = [&rows, &outputs](std::size_t first) {
        QByteArray text;
        for (std::size_t r = first; r < std::min(first + kBlock, rows.size()); ++r) {
            const int row = rows[r];
            for (std::size_t i = 0; i < outputs.size(); ++i) {
                if (i > 0)
                    text += ',';
                const RunTable::Column *column = outputs[i].column;
                if (!column || column->isMissing(row))
                    continue;
                if (column->text)
                    text += outputs[i].dictionary[std::size_t(column->codes[std::size_t(row)])];
                else
                    text += column->exactText(row).toLatin1(); // digits, signs, "e", "T", ":" only
            }
            text += "\r\n";
        }
        return text;
    };
    for (std::size_t batch = 0; batch < rows.size(); batch += kBlock * kBlocksAtOnce) {
        QList<std::size_t> blocks;
        for (std::size_t first = batch; first < std::min(batch + kBlock * kBlocksAtOnce, rows.size()); first += kBlock)
            blocks << first;
        const QList<QByteArray> texts = QtConcurrent::blockingMapped<QList<QByteArray>>(blocks, format);
        for (const QByteArray &text : texts) {
            if (Status written = writeCsvBytes(device, text); !written)
                return written;
        }
    }
    return Status::success();
}

/// Ascending group order: numbers by value before other text, text case-insensitively.
bool valueLess(const RunTable::Column &column, int a, int b)
{
    const double na = column.number(a);
    const double nb = column.number(b);
    if (!std::isnan(na) || !std::isnan(nb)) {
        if (std::isnan(na) != std::isnan(nb))
            return std::isnan(nb);
        if (na != nb)
            return na < nb;
    }
    const QString ta = column.exactText(a);
    const QString tb = column.exactText(b);
    const int folded = ta.compare(tb, Qt::CaseInsensitive);
    return folded != 0 ? folded < 0 : ta < tb;
}

const QString kMissingGroupKey = QStringLiteral("\u0001none");

} // namespace

RunTableModel::View RunTableModel::computeView(const RunTable &table, const std::vector<int> &mapping) const
{
    const auto tableColumnOf = [&mapping](int column) {
        return column >= 0 && column < int(mapping.size()) ? mapping[std::size_t(column)] : -1;
    };
    std::vector<int> rows = m_filter.matchingRows(table);
    if (m_brush) {
        rows.erase(std::remove_if(rows.begin(), rows.end(),
                                  [this, &table](int row) { return !m_brush->contains(table.runId(row)); }),
                   rows.end());
    }
    const int sortColumn = tableColumnOf(m_sortColumn);
    if (sortColumn >= 0)
        rows = table.sortedRows(std::move(rows), sortColumn, m_sortOrder);
    else
        rows = table.sortedRows(std::move(rows), int(RunAttribute::Id), Qt::DescendingOrder); // newest first

    View view;
    if (m_groupColumn >= 0 && m_groupColumn < columnCount()) {
        const int groupColumn = tableColumnOf(m_groupColumn);
        // One bucket per distinct value (equal codes are equal strings), rows kept in sort order.
        std::vector<std::vector<int>> buckets;
        std::vector<int> missing;
        std::map<double, int> byNumber;
        QHash<qint32, int> byCode;
        for (int row : rows) {
            if (groupColumn < 0 || table.column(groupColumn).isMissing(row)) {
                missing.push_back(row);
                continue;
            }
            const RunTable::Column &column = table.column(groupColumn);
            int bucket = -1;
            if (column.text) {
                bucket = byCode.value(column.codes[std::size_t(row)], -1);
                if (bucket < 0)
                    byCode.insert(column.codes[std::size_t(row)], bucket = int(buckets.size()));
            } else {
                const auto it = byNumber.find(column.numbers[std::size_t(row)]);
                if (it != byNumber.end())
                    bucket = it->second;
                else
                    byNumber.emplace(column.numbers[std::size_t(row)], bucket = int(buckets.size()));
            }
            if (bucket == int(buckets.size()))
                buckets.emplace_back();
            buckets[std::size_t(bucket)].push_back(row);
        }
        std::vector<int> order(buckets.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = int(i);
        if (groupColumn >= 0) {
            const RunTable::Column &column = table.column(groupColumn);
            std::sort(order.begin(), order.end(), [&](int a, int b) {
                return valueLess(column, buckets[std::size_t(a)].front(), buckets[std::size_t(b)].front());
            });
        }
        const QString label = d->columns[std::size_t(m_groupColumn)].label;
        rows.clear();
        for (int bucket : order) {
            const std::vector<int> &members = buckets[std::size_t(bucket)];
            const RunTable::Column &column = table.column(groupColumn);
            view.groups.push_back({column.exactText(members.front()),
                                   tr("%1 = %2").arg(label, column.displayText(members.front())), int(rows.size()),
                                   int(members.size())});
            rows.insert(rows.end(), members.begin(), members.end());
        }
        if (!missing.empty()) {
            view.groups.push_back(
                {kMissingGroupKey, tr("%1 = (none)").arg(label), int(rows.size()), int(missing.size())});
            rows.insert(rows.end(), missing.begin(), missing.end());
        }
    }
    view.rows = std::move(rows);
    view.rowInParent.assign(std::size_t(table.rowCount()), -1);
    view.groupOf.assign(std::size_t(table.rowCount()), -1);
    if (view.groups.empty()) {
        for (std::size_t i = 0; i < view.rows.size(); ++i)
            view.rowInParent[std::size_t(view.rows[i])] = int(i);
    } else {
        for (std::size_t g = 0; g < view.groups.size(); ++g) {
            const Group &group = view.groups[g];
            for (int i = 0; i < group.count; ++i) {
                const int row = view.rows[std::size_t(group.first) + std::size_t(i)];
                view.rowInParent[std::size_t(row)] = i;
                view.groupOf[std::size_t(row)] = int(g);
            }
        }
    }
    return view;
}

bool RunTableModel::sameRows(const RunTable &oldTable, const View &oldView, const RunTable &newTable,
                             const View &newView)
{
    if (oldView.rows.size() != newView.rows.size() || oldView.groups.size() != newView.groups.size())
        return false;
    for (std::size_t g = 0; g < oldView.groups.size(); ++g) {
        const Group &a = oldView.groups[g];
        const Group &b = newView.groups[g];
        if (a.key != b.key || a.first != b.first || a.count != b.count)
            return false;
    }
    for (std::size_t i = 0; i < oldView.rows.size(); ++i) {
        if (oldTable.runId(oldView.rows[i]) != newTable.runId(newView.rows[i]))
            return false;
    }
    return true;
}

Status RunTableModel::writeCsv(QIODevice &device, const QList<int> &columns) const
{
    return csvWriter(columns)(device);
}

std::function<Status(QIODevice &)> RunTableModel::csvWriter(const QList<int> &columns) const
{
    QList<int> shown = columns;
    if (shown.isEmpty()) {
        for (int c = 0; c < columnCount(); ++c)
            shown << c;
    }
    QStringList names;
    std::vector<int> sources;
    for (int column : std::as_const(shown)) {
        if (column < 0 || column >= columnCount()) {
            const Error error {tr("cannot write the CSV: there is no column %1").arg(column)};
            return [error](QIODevice &) -> Status { return error; };
        }
        const ModelColumn &c = d->columns[std::size_t(column)];
        // "params.max_depth", "metrics.loss (min)": unique where labels alone may clash.
        QString name = c.label;
        if (c.kind == RunColumnKind::Param)
            name.prepend(QLatin1String("params."));
        else if (c.kind == RunColumnKind::Metric)
            name.prepend(QLatin1String("metrics."));
        else if (c.kind == RunColumnKind::Tag)
            name.prepend(QLatin1String("tags."));
        names << name;
        sources.push_back(tableColumn(column));
    }
    return [table = m_table, rows = d->view.rows, names, sources](QIODevice &device) {
        return writeRows(device, table, rows, names, sources);
    };
}

QVariant RunTableModel::groupData(const Group &group, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        if (column == 0)
            return tr("%1 (%2)").arg(group.label, runCountText(group.count));
        return {};
    case Qt::ToolTipRole:
        return tr("%1: %2").arg(group.label, runCountText(group.count));
    case RunIdRole:
        return qint64(0);
    case StatusRole:
        return -1;
    case IsGroupRole:
        return true;
    case ValueRole:
        if (column == m_groupColumn && group.key != kMissingGroupKey)
            return group.key;
        return {};
    default:
        return {};
    }
}

} // namespace kiln
