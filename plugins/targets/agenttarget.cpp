#include "agenttarget.h"

namespace kiln::Internal {

// Stub: the owner of this file replaces it.
const TargetKind *agentTargetKind()
{
    return nullptr;
}

} // namespace kiln::Internal
