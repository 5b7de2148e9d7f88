#pragma once

#include "deploy/deploytarget.h"

namespace kiln::Internal {

/// The "ssh" target kind (stateless; lives for the process). Stub until its owner writes it.
const TargetKind *sshTargetKind();

} // namespace kiln::Internal
