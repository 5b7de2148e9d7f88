#include "parallelcoordinatesview.h"

namespace kiln {
} // namespace kiln
