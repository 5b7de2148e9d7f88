#include "registry/bundletask.h"

// Stub: a helper implements the bundle tasks.
namespace kiln {
Status ExportBundleTask::run(Feedback &) { return Error {QStringLiteral("not yet")}; }
Status ImportBundleTask::run(Feedback &) { return Error {QStringLiteral("not yet")}; }
} // namespace kiln
