#pragma once

#include "data/values.h"

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <vector>

namespace kiln {

/// Equal-width histogram over [lower, upper]; counts.size() bins.
struct Histogram
{
    double lower = 0;
    double upper = 0;
    std::vector<qint64> counts;
};

/// What import learnt about one column: its type and its statistics. Min, max, mean and
/// std are over the parsed values of numeric, boolean (as 0/1) and date-time (ms) columns.
struct ColumnProfile
{
    QString name;
    ColumnType type = ColumnType::Text;
    qint64 count = 0; ///< rows, missing included
    qint64 missing = 0;
    qint64 distinct = 0; ///< distinct non-missing values
    bool distinctExact = true; ///< false: a HyperLogLog estimate (about 1% error)
    QString min; ///< as text a user reads (date-times in ISO 8601)
    QString max;
    std::optional<double> mean;
    std::optional<double> std; ///< sample standard deviation (n - 1), as pandas
    QList<QPair<QString, qint64>> topValues; ///< most frequent first, at most 10
    Histogram histogram;

    QJsonObject statsToJson() const;
    static ColumnProfile fromJson(const QString &name, ColumnType type, const QJsonObject &stats);
};

} // namespace kiln
