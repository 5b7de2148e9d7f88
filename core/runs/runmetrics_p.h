#pragma once

// RunStore's metric writing without a transaction of its own (runmetrics.cpp), for a caller
// that writes a whole run in one transaction (the MLflow import). Private to core.

#include "runs/runtypes.h"
#include "storage/database.h"
#include "util/expected.h"

#include <QHash>

#include <vector>

namespace kiln::Internal {

/// RunStore::appendMetrics() inside the caller's open Transaction on `db`.
Status appendMetricPoints(Database &db, qint64 runId, const QHash<QString, std::vector<MetricPoint>> &points);

} // namespace kiln::Internal
