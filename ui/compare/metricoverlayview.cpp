#include "metricoverlayview.h"

namespace kiln {
} // namespace kiln
