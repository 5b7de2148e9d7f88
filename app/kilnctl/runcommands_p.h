#pragma once

// What kilnctl's run commands share between runcommands.cpp and slurmcommands.cpp.

#include "cli.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace kiln {
class RunStore;
class Workspace;
struct RunRecord;
struct RunSpec;
enum class RunStatus;
} // namespace kiln

namespace kiln::cli {

/// runJson plus the run's cluster job, if it has one.
QJsonObject runWithJobJson(const RunStore &store, const RunRecord &run);
/// "run 7 finished: accuracy=0.93" or "run 7 failed: the reason", as runs end.
void printRunEnd(const Context &ctx, const RunStore &store, qint64 id, RunStatus status);
/// The end of train|run: exit code, and with --json every run (and its job).
int reportRuns(const Context &ctx, const RunStore &store, const QList<qint64> &ids);

// slurmcommands.cpp
/// "--slurm --cpus N --mem SIZE --time LIMIT --partition NAME" into the spec; a usage message
/// on a malformed one.
QString readClusterOptions(Context &ctx, RunSpec &spec);
/// Sends the queued runs (`top` and its points `ids`) to Slurm; unless --detach, follows them
/// until they end, as Slurm and their workers report. Ctrl+C cancels them (scancel).
int submitToSlurmAndWait(Context &ctx, Workspace &workspace, const RunRecord &top, QList<qint64> ids);

} // namespace kiln::cli
