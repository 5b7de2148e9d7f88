#include "rundiffmodel.h"

namespace kiln {
} // namespace kiln
