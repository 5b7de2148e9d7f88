#include "runstableview.h"

namespace kiln {
} // namespace kiln
