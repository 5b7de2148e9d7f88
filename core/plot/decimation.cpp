#include "plot/decimation.h"

namespace kiln {
} // namespace kiln
