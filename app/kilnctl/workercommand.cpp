// kilnctl worker --run RUN: the body of a cluster job (see core/slurm/slurmexecutor.h).
#include "cli.h"

#include "slurm/slurmexecutor.h"

namespace kiln::cli {

int worker(Context &ctx)
{
    // `worker --run RUN` or `worker RUN` (what the batch scripts write).
    QString run;
    if (ctx.parser.optionNames().contains(QStringLiteral("run")))
        run = ctx.parser.value(QStringLiteral("run"));
    else if (ctx.args.size() == 1)
        run = ctx.args.first();
    if (run.isEmpty() || (ctx.args.size() > (ctx.parser.optionNames().contains(QStringLiteral("run")) ? 0 : 1)))
        return ctx.usage(QStringLiteral("worker needs one run: kilnctl worker --run RUN"));
    // The worker reports on stdout and stderr, which the job's output file keeps; its exit code
    // is the job's.
    return runClusterWorker(ctx.workspaceFolder(), run);
}

} // namespace kiln::cli
