#pragma once

#include "deploy/deploytarget.h"

namespace kiln::Internal {

/// The "oci" target kind (stateless; lives for the process). Stub until its owner writes it.
const TargetKind *ociTargetKind();

} // namespace kiln::Internal
