#pragma once

#include "runs/runstore.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

namespace kiln {

/// The points of a sweep: every combination (grid) or `samples` random combinations drawn
/// with `seed` (random), as parameter objects. Values stay strings; trainers validate them.
Expected<QList<QJsonObject>> expandSweep(const QMap<QString, QStringList> &values, const QString &method, int samples,
                                         quint64 seed);

/// Queues `spec`: one run, or for a sweep a parent run with one queued child per point
/// (each child's params are the spec's params plus the point). Returns the top run.
Expected<RunRecord> submitRun(RunStore &store, const RunSpec &spec);

/// Ends sweep `parentId` once every point has ended: finished if any point finished, else
/// cancelled if any was, else failed. Returns whether it ended it now.
bool finishSweepIfDone(RunStore &store, qint64 parentId);

} // namespace kiln
