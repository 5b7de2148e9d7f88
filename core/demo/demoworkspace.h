#pragma once

#include "tasks/feedback.h"
#include "util/expected.h"

#include <QString>

namespace kiln {

/// Builds the demo workspace behind Help › Open Demo Workspace and `kilnctl demo`: two
/// generated datasets, "customer_churn" (5,000 customers, binary: churned yes/no, numeric and
/// categorical columns, a few missing values) and "house_prices" (3,000 sales, regression),
/// imported through importPaths() like any file, then a small sweep and baselines trained for
/// real with the built-in trainers through a RunScheduler, as `kilnctl train` does. Runs carry
/// tags (team, purpose, owner) so that filters have something to match. No number is canned:
/// every metric comes from training. The best run of each experiment (highest ROC AUC for churn,
/// lowest RMSE for house prices) is registered as version 1 of the models "churn" and
/// "house-prices", with the alias champion. The data is drawn from a seeded std::mt19937 and each run
/// trains on one thread with a fixed seed, so two builds hold the same numbers.
///
/// `directory` must be missing or empty. The workspace is built in a hidden sibling folder
/// and renamed into place only once every run finished: a failure or a cancel (through
/// `feedback`, which also receives progress and a status line) leaves `directory` as it was.
///
/// Thread: any QThread (a Task's worker, kilnctl's main thread), not the GUI thread: it opens
/// its own connections and waits for the runs in a local event loop (about 4 s on two cores).
Status buildDemoWorkspace(const QString &directory, Feedback &feedback);

} // namespace kiln
