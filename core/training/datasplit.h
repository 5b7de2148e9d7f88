#pragma once

#include "training/trainer.h"
#include "util/expected.h"

#include <QtGlobal>

#include <vector>

namespace kiln {

/// How to hold rows out of training.
struct SplitOptions
{
    double validationFraction = 0.1; ///< 0 to 0.9
    double testFraction = 0.2; ///< 0 to 0.9; together with validation below 1
    quint64 seed = 0;
    /// Split each class in the same proportions (classification only), so a rare class is not
    /// missing from the test set by chance.
    bool stratify = false;
};

/// Row indices into the data that was split, each list in ascending order.
struct DataSplit
{
    std::vector<qint64> train;
    std::vector<qint64> validation;
    std::vector<qint64> test;
};

/// One fold of a cross-validation: train on `train`, score on `validation`.
struct Fold
{
    std::vector<qint64> train;
    std::vector<qint64> validation;
};

/// Shuffles the rows with `seed` and cuts them into train, validation and test sets of
/// round(rows × fraction) rows (validation and test get at least one row when their fraction is
/// above 0). Stratified, each class is cut the same way and every class's share of the
/// validation and test sets is within one row of its exact fraction. The same seed gives the
/// same split on every platform: the shuffle is a Fisher-Yates over std::mt19937_64 with its own
/// bounded draw, not std::shuffle, whose results differ between standard libraries.
/// Pure function; any thread.
Expected<DataSplit> splitRows(const TrainingData &data, const SplitOptions &options);

/// Deals the shuffled rows into `k` folds: every row is in exactly one fold's validation set,
/// and the fold sizes differ by at most one row. Stratified, each class is dealt in turn, so
/// every fold holds each class within one row of its share. Pure function; any thread.
Expected<std::vector<Fold>> kFold(const TrainingData &data, int k, quint64 seed, bool stratify);

/// The rows `rows` of `data` (in that order) as new training data with the same columns,
/// classes and task. Indices must be in [0, data.rows).
TrainingData subset(const TrainingData &data, const std::vector<qint64> &rows);

} // namespace kiln
