#pragma once

#include "data/columnprofile.h"
#include "registry/predictor.h"
#include "util/expected.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace kiln {

class InputStats;

/// One model version as kiln-serve serves it: the verified bundle's model loaded once, what
/// /version and /v2/models/{name} report, and its live input statistics. Immutable but for
/// the statistics (atomic counters); requests hold a shared_ptr, so a swap never frees a
/// model a request still uses.
struct ServedModel
{
    QString name;
    int version = 0;
    QString sha256; ///< of the bundle file
    QString trainer;
    QDateTime loadedAt;
    QJsonObject manifest;
    QList<ColumnProfile> profile; ///< the training data's columns, from the manifest
    std::shared_ptr<const LoadedModel> model;
    std::shared_ptr<InputStats> inputStats; ///< binned like `profile`; reset with each load

    /// "churn@3": what /version, the log and the X-Kiln-Model header name it by.
    QString ref() const { return name + QLatin1Char('@') + QString::number(version); }

    /// readBundle() + LoadedModel::create(); errors name the file and the reason.
    static Expected<std::shared_ptr<const ServedModel>> fromBundle(const QString &path);
};

} // namespace kiln
