#include "ocitarget.h"

namespace kiln::Internal {

// Stub: the owner of this file replaces it.
const TargetKind *ociTargetKind()
{
    return nullptr;
}

} // namespace kiln::Internal
