// kilnctl mlflow import|export: an MLflow store (mlruns/ or mlflow.db) into the workspace, and
// runs of the workspace out to an mlruns/ folder MLflow reads.
#include "cli.h"

#include "mlflow/mlflowexport.h"
#include "mlflow/mlflowimport.h"
#include "runs/runstore.h"
#include "tasks/feedback.h"
#include "workspace/workspace.h"

#include <QJsonArray>

namespace kiln::cli {
namespace {

/// Prints what an import or export did (`json`, or `summary` and the skipped items) and
/// returns the exit code: a failure naming `cancelledReason` when it was cancelled.
int finish(const Context &ctx, QJsonObject json, const QString &summary, const QList<mlflow::Issue> &skipped,
           bool cancelled, const QString &cancelledReason)
{
    if (ctx.json) {
        json.insert(QLatin1String("ok"), !cancelled);
        json.insert(QLatin1String("cancelled"), cancelled);
        ctx.printJson(json);
    } else {
        ctx.printLine(summary);
        if (!skipped.isEmpty())
            ctx.printLine(QStringLiteral("Skipped:"));
        for (const mlflow::Issue &issue : skipped)
            ctx.printLine(QStringLiteral("  %1: %2").arg(issue.path, issue.reason));
    }
    return cancelled ? ctx.fail(QStringLiteral("cancelled: ") + cancelledReason) : Success;
}

} // namespace

int mlflowImport(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(QStringLiteral("mlflow import takes one store: kilnctl mlflow import PATH (an mlruns folder "
                                        "or an mlflow.db file)"));
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    mlflow::ImportOptions options;
    options.includeDeleted = ctx.parser.isSet(QStringLiteral("include-deleted"));
    options.artifacts = !ctx.parser.isSet(QStringLiteral("no-artifacts"));
    Feedback feedback;
    Expected<mlflow::ImportReport> report = [&] {
        const ProgressLine progress(feedback);
        // Ctrl+C stops between runs: the runs imported so far stay whole, and a second import
        // adds the rest.
        const InterruptGuard guard(&feedback);
        return mlflow::importStore(**ws, ctx.args.first(), options, &feedback);
    }();
    if (!report)
        return ctx.fail(report.errorMessage());
    return finish(ctx, report->toJson(),
                  QStringLiteral("%1 (%2): %3").arg(report->store, report->kind, report->summary()), report->skipped,
                  feedback.isCanceled(),
                  QStringLiteral("the runs imported so far are kept; import again to add the rest"));
}

int mlflowExport(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(QStringLiteral("mlflow export takes the folder to write: kilnctl mlflow export DIR "
                                        "[--run RUN]... [--experiment NAME]"));
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    RunStore store((*ws)->db());
    std::vector<qint64> runIds;
    for (const QString &ref : ctx.parser.values(QStringLiteral("run"))) {
        auto run = store.runByRef(ref);
        if (!run)
            return ctx.fail(run.errorMessage());
        runIds.push_back(run->id);
    }
    if (const QString experiment = ctx.parser.value(QStringLiteral("experiment")); !experiment.isEmpty()) {
        RunQuery query;
        query.experiment = experiment;
        query.withDetails = false;
        auto runs = store.runs(query);
        if (!runs)
            return ctx.fail(runs.errorMessage());
        // An empty list would mean every run: an experiment without runs is an error instead.
        if (runs->isEmpty())
            return ctx.fail(QStringLiteral("experiment '%1' has no runs").arg(experiment));
        for (const RunRecord &run : std::as_const(*runs))
            runIds.push_back(run.id);
    }
    Feedback feedback;
    Expected<mlflow::ExportReport> report = [&] {
        const ProgressLine progress(feedback);
        const InterruptGuard guard(&feedback);
        return mlflow::exportRuns(**ws, ctx.args.first(), runIds, &feedback);
    }();
    if (!report)
        return ctx.fail(report.errorMessage());
    return finish(ctx, report->toJson(), report->summary(), report->skipped, feedback.isCanceled(),
                  QStringLiteral("the runs written so far are whole; export again to add the rest"));
}

} // namespace kiln::cli
