#include "training/datasplit.h"

#include <QString>

#include <algorithm>
#include <cmath>
#include <random>

namespace kiln {

namespace {

constexpr double kMaxHeldOutFraction = 0.9;

// A uniform integer in [0, bound) by rejection, so the same engine state gives the same number
// with every standard library (std::uniform_int_distribution's algorithm is unspecified).
quint64 uniformBelow(std::mt19937_64 &engine, quint64 bound)
{
    const quint64 limit = std::mt19937_64::max() - (std::mt19937_64::max() - bound + 1) % bound;
    quint64 value = engine();
    while (value > limit)
        value = engine();
    return value % bound;
}

void fisherYates(std::vector<qint64> &rows, std::mt19937_64 &engine)
{
    for (std::size_t i = rows.size(); i > 1; --i) {
        const auto j = std::size_t(uniformBelow(engine, quint64(i)));
        std::swap(rows[i - 1], rows[j]);
    }
}

// The rows of each class (one group of all rows when not stratified), in row order.
Expected<std::vector<std::vector<qint64>>> groups(const TrainingData &data, bool stratify)
{
    if (data.rows <= 0 || qint64(data.target.size()) != data.rows)
        return Error {QStringLiteral("there are no rows to split")};
    if (!stratify) {
        std::vector<qint64> all(std::size_t(data.rows));
        for (qint64 i = 0; i < data.rows; ++i)
            all[std::size_t(i)] = i;
        return std::vector<std::vector<qint64>> {std::move(all)};
    }
    if (data.task == TaskKind::Regression || data.classes.isEmpty())
        return Error {QStringLiteral("stratification needs a classification target; this one is a regression")};
    std::vector<std::vector<qint64>> byClass(std::size_t(data.classes.size()));
    for (qint64 i = 0; i < data.rows; ++i) {
        const float label = data.target[std::size_t(i)];
        if (!(label >= 0) || qsizetype(label) >= data.classes.size())
            return Error {QStringLiteral("row %1 has no valid class index").arg(i + 1)};
        byClass[std::size_t(label)].push_back(i);
    }
    return byClass;
}

// Shares `total` rows out between groups in proportion to their sizes by largest remainder:
// each group gets floor(size × fraction) or one more, and the shares add up to `total`.
std::vector<qint64> apportion(const std::vector<std::vector<qint64>> &groupRows, double fraction, qint64 total)
{
    std::vector<qint64> shares(groupRows.size());
    std::vector<std::pair<double, std::size_t>> remainders;
    qint64 given = 0;
    for (std::size_t g = 0; g < groupRows.size(); ++g) {
        const double exact = double(groupRows[g].size()) * fraction;
        shares[g] = qint64(std::floor(exact));
        given += shares[g];
        remainders.emplace_back(exact - std::floor(exact), g);
    }
    // Largest remainder first; ties go to the lower class index, deterministically.
    std::sort(remainders.begin(), remainders.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (std::size_t i = 0; given < total && i < remainders.size(); ++i) {
        const std::size_t g = remainders[i].second;
        if (shares[g] < qint64(groupRows[g].size())) {
            ++shares[g];
            ++given;
        }
    }
    return shares;
}

qint64 heldOutRows(qint64 rows, double fraction)
{
    if (fraction <= 0)
        return 0;
    return std::max<qint64>(1, qint64(std::llround(double(rows) * fraction)));
}

} // namespace

Expected<DataSplit> splitRows(const TrainingData &data, const SplitOptions &options)
{
    const auto checkFraction = [](const char *name, double fraction) -> Status {
        if (!(fraction >= 0 && fraction <= kMaxHeldOutFraction))
            return Error {QStringLiteral("the %1 fraction must be from 0 to %2, not %3")
                              .arg(QLatin1String(name))
                              .arg(kMaxHeldOutFraction)
                              .arg(fraction)};
        return Status::success();
    };
    if (const Status s = checkFraction("validation", options.validationFraction); !s)
        return s.error();
    if (const Status s = checkFraction("test", options.testFraction); !s)
        return s.error();
    if (options.validationFraction + options.testFraction >= 1)
        return Error {QStringLiteral("validation (%1) and test (%2) fractions leave no rows to train on")
                          .arg(options.validationFraction)
                          .arg(options.testFraction)};

    auto grouped = groups(data, options.stratify);
    if (!grouped)
        return grouped.error();
    std::vector<std::vector<qint64>> &byGroup = *grouped;
    const qint64 testRows = heldOutRows(data.rows, options.testFraction);
    const qint64 validationRows = heldOutRows(data.rows, options.validationFraction);
    if (testRows + validationRows >= data.rows)
        return Error {
            QStringLiteral("%1 rows are too few to hold out %2 for validation and %3 for test and still train")
                .arg(data.rows)
                .arg(validationRows)
                .arg(testRows)};

    const std::vector<qint64> testShares = apportion(byGroup, options.testFraction, testRows);
    std::vector<qint64> validationShares = apportion(byGroup, options.validationFraction, validationRows);
    // A class of one or two rows cannot give a row to both held-out sets; test comes first.
    for (std::size_t g = 0; g < byGroup.size(); ++g)
        validationShares[g] = std::min(validationShares[g], qint64(byGroup[g].size()) - testShares[g]);

    std::mt19937_64 engine(options.seed);
    DataSplit split;
    for (std::size_t g = 0; g < byGroup.size(); ++g) {
        std::vector<qint64> &rows = byGroup[g];
        fisherYates(rows, engine);
        const auto test = std::size_t(testShares[g]);
        const auto validation = std::size_t(validationShares[g]);
        split.test.insert(split.test.end(), rows.begin(), rows.begin() + std::ptrdiff_t(test));
        split.validation.insert(split.validation.end(), rows.begin() + std::ptrdiff_t(test),
                                rows.begin() + std::ptrdiff_t(test + validation));
        split.train.insert(split.train.end(), rows.begin() + std::ptrdiff_t(test + validation), rows.end());
    }
    std::sort(split.train.begin(), split.train.end());
    std::sort(split.validation.begin(), split.validation.end());
    std::sort(split.test.begin(), split.test.end());
    return split;
}

Expected<std::vector<Fold>> kFold(const TrainingData &data, int k, quint64 seed, bool stratify)
{
    if (k < 2)
        return Error {QStringLiteral("cross-validation needs at least 2 folds, not %1").arg(k)};
    if (data.rows < k)
        return Error {QStringLiteral("%1 rows are too few for %2 folds").arg(data.rows).arg(k)};
    auto grouped = groups(data, stratify);
    if (!grouped)
        return grouped.error();

    // Dealing continues across classes, so the folds stay within one row of each other in size
    // as well as per class.
    std::mt19937_64 engine(seed);
    std::vector<int> foldOf(std::size_t(data.rows));
    std::size_t dealt = 0;
    for (std::vector<qint64> &rows : *grouped) {
        fisherYates(rows, engine);
        for (const qint64 row : rows)
            foldOf[std::size_t(row)] = int(dealt++ % std::size_t(k));
    }
    std::vector<Fold> folds(static_cast<std::size_t>(k));
    for (qint64 row = 0; row < data.rows; ++row) {
        for (int f = 0; f < k; ++f) {
            Fold &fold = folds[std::size_t(f)];
            (foldOf[std::size_t(row)] == f ? fold.validation : fold.train).push_back(row);
        }
    }
    return folds;
}

TrainingData subset(const TrainingData &data, const std::vector<qint64> &rows)
{
    TrainingData out;
    out.task = data.task;
    out.featureNames = data.featureNames;
    out.classes = data.classes;
    out.columns = data.columns;
    out.rows = qint64(rows.size());
    const auto width = std::size_t(data.columns);
    out.features.resize(rows.size() * width);
    out.target.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto row = std::size_t(rows[i]);
        Q_ASSERT(rows[i] >= 0 && rows[i] < data.rows);
        std::copy_n(data.features.begin() + std::ptrdiff_t(row * width), width,
                    out.features.begin() + std::ptrdiff_t(i * width));
        out.target[i] = data.target[row];
    }
    return out;
}

} // namespace kiln
