#pragma once

#include "runs/runtypes.h"
#include "tasks/feedback.h"

#include <QJsonObject>

#include <functional>

namespace kiln {

class RunRecorder;
class Workspace;

struct TrainingOutcome
{
    RunStatus status = RunStatus::Failed;
    QString error;
};

/// Runs a built-in trainer run on the calling thread: loads the dataset version, prepares
/// and splits it, trains while logging per-round curves, evaluates on the held-out test set,
/// and stores results and artifacts (model, feature encoding, evaluation, test predictions).
/// Adds what reproduces it to `reproducibility`.
TrainingOutcome runTrainer(const RunRecord &run, Workspace &workspace, RunRecorder &recorder,
                           QJsonObject &reproducibility, Feedback &feedback,
                           const std::function<bool()> &cancelRequested);

} // namespace kiln
