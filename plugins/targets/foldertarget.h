#pragma once

#include "deploy/deploytarget.h"

namespace kiln::Internal {

/// The "folder" target kind (stateless; lives for the process). Stub until its owner writes it.
const TargetKind *folderTargetKind();

} // namespace kiln::Internal
