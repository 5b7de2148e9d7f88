#include "runs/rundiff.h"

namespace kiln {
} // namespace kiln
