#pragma once

#include "runs/runtypes.h"
#include "tasks/feedback.h"

#include <functional>
#include <optional>

namespace kiln {

class RunRecorder;

/// How an external command run ended.
struct ExternalRunOutcome
{
    RunStatus status = RunStatus::Failed;
    std::optional<int> exitCode;
    QString error; ///< for a user: "exited with code 3", "timed out after 60 s"
    int malformedLines = 0; ///< protocol lines that broke the protocol (kept in the log)
};

/// Runs `run.spec.command` to the end on the calling thread: params passed as `--name value`
/// arguments and KILN_PARAM_* variables; protocol lines on stdout recorded; everything else
/// kept as the log; files in the output folder kept as artifacts; CPU and memory sampled each
/// second. The command runs in a process group of its own, so cancel and timeout end its
/// whole process tree. `cancelRequested` is polled (another process may ask).
ExternalRunOutcome runExternalCommand(const RunRecord &run, const QString &workspaceRoot, RunRecorder &recorder,
                                      Feedback &feedback, const std::function<bool()> &cancelRequested);

} // namespace kiln
