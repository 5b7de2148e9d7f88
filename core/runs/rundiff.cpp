#include "runs/rundiff.h"

#include <algorithm>

namespace kiln {
namespace {

/// Whether every row holds the same value (missing counts as a value of its own).
bool allSame(const RunTable::Column &column, const std::vector<int> &rows)
{
    if (rows.size() < 2)
        return true;
    const int first = rows.front();
    return std::all_of(rows.begin() + 1, rows.end(), [&column, first](int row) {
        if (column.text)
            return column.codes[std::size_t(row)] == column.codes[std::size_t(first)];
        const bool missing = column.isMissing(row);
        if (missing || column.isMissing(first))
            return missing == column.isMissing(first);
        return column.numbers[std::size_t(row)] == column.numbers[std::size_t(first)];
    });
}

bool noneHas(const RunTable::Column &column, const std::vector<int> &rows)
{
    return std::all_of(rows.begin(), rows.end(), [&column](int row) { return column.isMissing(row); });
}

} // namespace

RunDiff diffRuns(const RunTable &table, const std::vector<int> &rows)
{
    RunDiff diff;
    diff.rows = rows;
    const int nameColumn = int(RunAttribute::Name);
    for (int row : rows) {
        const QString name = table.column(nameColumn).displayText(row);
        diff.runLabels << (QStringLiteral("#%1").arg(table.runId(row)) + (name.isEmpty() ? QString() : u' ' + name));
    }
    const auto addLine = [&](int columnIndex) {
        const RunTable::Column &column = table.column(columnIndex);
        RunDiffRow line;
        line.column = columnIndex;
        line.label = column.filterName();
        for (int row : rows)
            line.values << column.displayText(row);
        // A duration differs by milliseconds between any two runs; it differs for a reader
        // only when it reads differently.
        line.differs = columnIndex == int(RunAttribute::Duration)
            ? std::any_of(line.values.cbegin(), line.values.cend(),
                          [&line](const QString &value) { return value != line.values.constFirst(); })
            : !allSame(column, rows);
        diff.lines.push_back(std::move(line));
    };
    for (RunAttribute attribute : {RunAttribute::Name, RunAttribute::Status, RunAttribute::Source,
                                   RunAttribute::Dataset, RunAttribute::Duration})
        addLine(int(attribute));
    // Params, metrics (last values) and tags, each kind in column order; keys none of the
    // compared runs has are not lines at all.
    for (RunColumnKind kind : {RunColumnKind::Param, RunColumnKind::Metric, RunColumnKind::Tag}) {
        for (int c = 0; c < table.columnCount(); ++c) {
            const RunTable::Column &column = table.column(c);
            if (column.kind != kind || column.stat != MetricStat::Last || noneHas(column, rows))
                continue;
            addLine(c);
            if (kind == RunColumnKind::Metric && !rows.empty()
                && std::none_of(rows.begin(), rows.end(), [&column](int row) { return column.isMissing(row); }))
                ++diff.commonMetrics;
        }
    }
    return diff;
}

} // namespace kiln
