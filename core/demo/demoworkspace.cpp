#include "demo/demoworkspace.h"

namespace kiln {
} // namespace kiln
