#include "runs/runtable.h"

namespace kiln {
} // namespace kiln
