#include "runs/runfilter.h"

namespace kiln {

RunFilter::RunFilter() = default;

} // namespace kiln
