#pragma once

#include "runs/runtable.h"

#include <QStringList>

#include <vector>

namespace kiln {

/// One line of a comparison of runs: a column and its value in each run.
struct RunDiffRow
{
    int column = -1; ///< in the RunTable
    QString label; ///< "params.max_depth", "metrics.auc", "attributes.status"
    QStringList values; ///< per compared run, display text; empty when the run has none
    bool differs = false; ///< not every run has the same value (a missing value differs)
};

/// The runs `rows` of `table` side by side: the attributes that say what a run was (name,
/// status, source, dataset, duration), every param, every metric's last value and every tag,
/// in that order. `commonMetrics` counts the metrics every compared run has: when it is 0 the
/// runs have nothing to compare on and a view should say so.
struct RunDiff
{
    std::vector<int> rows;
    QStringList runLabels; ///< "#12 name" per compared run
    std::vector<RunDiffRow> lines;
    int commonMetrics = 0;
};
RunDiff diffRuns(const RunTable &table, const std::vector<int> &rows);

} // namespace kiln
