#include "foldertarget.h"

namespace kiln::Internal {

// Stub: the owner of this file replaces it.
const TargetKind *folderTargetKind()
{
    return nullptr;
}

} // namespace kiln::Internal
