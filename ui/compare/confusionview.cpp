#include "confusionview.h"

namespace kiln {
} // namespace kiln
