#pragma once

#include <QColor>

namespace kiln {

/// The colour of run `runId` in every chart and in the runs table. It depends on the run
/// alone, so a run keeps its colour whatever else is selected; neighbouring run numbers get
/// well separated hues.
QColor runColor(qint64 runId);

} // namespace kiln
