#include "scatterview.h"

namespace kiln {
} // namespace kiln
