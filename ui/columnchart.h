#pragma once

class QChart;

namespace kiln {

struct ColumnProfile;

/// A chart of one column's distribution: a histogram for numbers and dates, the most frequent
/// values as bars for categories, text and booleans. The caller owns the chart.
QChart *createColumnChart(const ColumnProfile &profile);

} // namespace kiln
