// kilnctl workspace push|pull: copies a workspace into a team store and back.
#include "cli.h"

namespace kiln::cli {

int workspacePush(Context &ctx)
{
    return ctx.fail(QStringLiteral("workspace push: not implemented yet"));
}

int workspacePull(Context &ctx)
{
    return ctx.fail(QStringLiteral("workspace pull: not implemented yet"));
}

} // namespace kiln::cli
