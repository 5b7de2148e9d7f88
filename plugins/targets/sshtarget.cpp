#include "sshtarget.h"

namespace kiln::Internal {

// Stub: the owner of this file replaces it.
const TargetKind *sshTargetKind()
{
    return nullptr;
}

} // namespace kiln::Internal
