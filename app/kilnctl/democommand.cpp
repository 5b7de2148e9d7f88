// kilnctl demo: builds the demo workspace (generated data, really imported and trained).
#include "cli.h"

#include "data/datasetcatalog.h"
#include "demo/demoworkspace.h"
#include "runs/runstore.h"
#include "workspace/workspace.h"

#include <QElapsedTimer>
#include <QJsonArray>

namespace kiln::cli {
int demo(Context &ctx)
{
    const QString folder = ctx.parser.value(QStringLiteral("workspace"));
    if (folder.isEmpty() || !ctx.args.isEmpty())
        return ctx.usage(QStringLiteral("demo takes the folder to build in: kilnctl demo --workspace DIR"));

    Feedback feedback;
    QElapsedTimer clock;
    clock.start();
    Status built;
    {
        // Ctrl+C cancels the build, which then removes what it had written.
        const InterruptGuard guard(&feedback);
        const ProgressLine progress(feedback);
        built = buildDemoWorkspace(folder, feedback);
    }
    if (!built)
        return ctx.fail(built.errorMessage());
    const double seconds = double(clock.elapsed()) / 1000.0;

    auto ws = Workspace::open(folder, Workspace::OpenMode::OpenExisting);
    if (!ws)
        return ctx.fail(ws.errorMessage());
    auto datasets = DatasetCatalog((*ws)->db()).datasets();
    if (!datasets)
        return ctx.fail(datasets.errorMessage());
    auto runs = RunStore((*ws)->db()).runs(RunQuery {{}, {}, {}, 0, false});
    if (!runs)
        return ctx.fail(runs.errorMessage());
    QStringList names;
    for (const DatasetSummary &d : std::as_const(*datasets))
        names << d.name;
    if (ctx.json) {
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("path"), (*ws)->root()},
                       {QLatin1String("datasets"), QJsonArray::fromStringList(names)},
                       {QLatin1String("experiments"), QJsonArray::fromStringList(RunStore((*ws)->db()).experiments())},
                       {QLatin1String("runs"), runs->size()},
                       {QLatin1String("seconds"), seconds}});
    } else {
        ctx.printLine(QStringLiteral("Built the demo workspace %1 in %2 s: datasets %3, %4 runs")
                          .arg((*ws)->root())
                          .arg(seconds, 0, 'f', 1)
                          .arg(names.join(QLatin1String(", ")))
                          .arg(runs->size()));
    }
    return Success;
}

} // namespace kiln::cli
