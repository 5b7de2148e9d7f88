#pragma once

#include "deploy/deploytarget.h"

namespace kiln::Internal {

/// The "agent" target kind (stateless; lives for the process). Stub until its owner writes it.
const TargetKind *agentTargetKind();

} // namespace kiln::Internal
