#include "util/openmp.h"

#include <cstdlib>
#include <unistd.h>

namespace kiln {

void ensurePassiveOpenMpWait(char **argv)
{
    if (std::getenv("OMP_WAIT_POLICY"))
        return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc): carry on with libgomp's default policy.
}

} // namespace kiln
