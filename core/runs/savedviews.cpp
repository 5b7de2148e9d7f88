#include "runs/savedviews.h"

namespace kiln {
} // namespace kiln
