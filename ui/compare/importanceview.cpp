#include "importanceview.h"

namespace kiln {
} // namespace kiln
