#pragma once

#include "runs/runtypes.h"

#include <QString>

/// How run values read in tables and headers, in one place so that the runs tree, the run
/// page and the comparison views never disagree on a number.
namespace kiln::runformat {

/// A metric with five significant digits in fixed notation ("0.9417", "12.345", "12346");
/// scientific only for very large or very small magnitudes.
QString metricValue(double value);
/// "0.8 s", "42 s", "3 min 12 s", "2 h 05 min"; empty for a negative (not started) duration.
QString duration(double seconds);
/// "Finished", "Running"...: the status as a user reads it.
QString statusText(RunStatus status);
/// What ran: the trainer id, or the command as a shell would show it.
QString sourceText(const RunSpec &spec);
/// A short name for a result key ("f1_macro" → "F1 (macro)"); unknown keys stay as they are.
QString resultLabel(const QString &key);

} // namespace kiln::runformat
