#pragma once

#include "util/expected.h"

#include <QByteArrayView>

namespace kiln::Internal::xgb {

/// Checks that `bytes` are a complete UBJSON document in the subset XGBoost 1.7 writes for a
/// model, before XGBoost parses them: its UBJ reader trusts the lengths in the data and reads past
/// the end of a truncated or damaged buffer (a crash, not an error). Walks the structure without
/// building it, bounds-checking every length, with a limit on nesting. Pure function; any thread.
Status checkUbjModel(QByteArrayView bytes);

} // namespace kiln::Internal::xgb
