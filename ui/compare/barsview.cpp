#include "barsview.h"

namespace kiln {
} // namespace kiln
