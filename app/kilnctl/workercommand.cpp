// kilnctl worker --run RUN: the body of a cluster job (see core/slurm/slurmexecutor.h).
#include "cli.h"

namespace kiln::cli {

int worker(Context &ctx)
{
    return ctx.fail(QStringLiteral("worker: not implemented yet"));
}

} // namespace kiln::cli
