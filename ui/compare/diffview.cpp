#include "diffview.h"

namespace kiln {
} // namespace kiln
