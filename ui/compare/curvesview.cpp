#include "curvesview.h"

namespace kiln {
} // namespace kiln
