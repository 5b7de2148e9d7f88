// kilnctl's train and run commands, and runs show|metrics|cancel (list, compare and export read the
// runs table: runtablecommands.cpp).
#include "cli.h"
#include "runcommands_p.h"

#include "plugin/pluginmanager.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "slurm/slurmexecutor.h"
#include "tasks/taskmanager.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace kiln::cli {

QJsonObject pairsJson(const QList<QPair<QString, QString>> &pairs)
{
    QJsonObject o;
    for (const auto &[key, value] : pairs)
        o.insert(key, value);
    return o;
}

QJsonObject runJson(const RunRecord &run)
{
    QJsonObject metrics;
    for (const MetricSummary &m : run.metrics)
        metrics.insert(m.key,
                       QJsonObject {{QLatin1String("last"), m.last},
                                    {QLatin1String("min"), m.min},
                                    {QLatin1String("max"), m.max},
                                    {QLatin1String("steps"), m.count}});
    QJsonObject o {{QLatin1String("id"), run.id},
                   {QLatin1String("uuid"), run.uuid},
                   {QLatin1String("experiment"), run.experiment},
                   {QLatin1String("name"), run.name},
                   {QLatin1String("kind"), run.spec.kindName()},
                   {QLatin1String("status"), runStatusName(run.status)},
                   {QLatin1String("attempt"), run.attempt},
                   {QLatin1String("params"), pairsJson(run.params)},
                   {QLatin1String("tags"), pairsJson(run.tags)},
                   {QLatin1String("results"), mapJson(run.results)},
                   {QLatin1String("metrics"), metrics},
                   {QLatin1String("createdAt"), run.createdAt.toString(Qt::ISODateWithMs)},
                   {QLatin1String("startedAt"), run.startedAt.toString(Qt::ISODateWithMs)},
                   {QLatin1String("endedAt"), run.endedAt.toString(Qt::ISODateWithMs)},
                   {QLatin1String("reproducibility"), run.reproducibility}};
    if (run.parentId)
        o.insert(QLatin1String("parent"), run.parentId);
    if (run.exitCode)
        o.insert(QLatin1String("exitCode"), *run.exitCode);
    if (!run.error.isEmpty())
        o.insert(QLatin1String("error"), run.error);
    return o;
}

/// A run's cluster job as --json prints it.
namespace {

QJsonObject jobJson(const RunJob &job)
{
    return {{QLatin1String("executor"), job.executor},
            {QLatin1String("id"), job.jobId},
            {QLatin1String("node"), job.node},
            {QLatin1String("state"), job.state},
            {QLatin1String("reason"), job.reason},
            {QLatin1String("script"), job.script},
            {QLatin1String("submittedAt"), timeJson(job.submittedAt)}};
}

} // namespace

/// runJson plus the run's cluster job, if it has one.
QJsonObject runWithJobJson(const RunStore &store, const RunRecord &run)
{
    QJsonObject o = runJson(run);
    auto job = store.job(run.id);
    if (job && job->has_value())
        o.insert(QLatin1String("job"), jobJson(**job));
    return o;
}

/// "run 7 finished: accuracy=0.93" or "run 7 failed: the reason", as runs end.
void printRunEnd(const Context &ctx, const RunStore &store, qint64 id, RunStatus status)
{
    if (ctx.json)
        return;
    auto run = store.run(id);
    QString line = QStringLiteral("run %1 %2").arg(id).arg(runStatusName(status));
    if (run) {
        QStringList results;
        for (auto it = run->results.begin(); it != run->results.end(); ++it)
            results << QStringLiteral("%1=%2").arg(it.key()).arg(it.value(), 0, 'g', 4);
        if (!results.isEmpty())
            line += QLatin1String(": ") + results.join(QLatin1Char(' '));
        if (!run->error.isEmpty())
            line += QLatin1String(": ") + run->error;
    }
    ctx.printLine(line);
}

/// The end of train|run: exit code, and with --json every run (and its job).
int reportRuns(const Context &ctx, const RunStore &store, const QList<qint64> &ids)
{
    bool allFinished = true;
    QJsonArray runs;
    for (qint64 id : ids) {
        auto run = store.run(id);
        if (!run)
            return ctx.fail(run.errorMessage());
        allFinished = allFinished && run->status == RunStatus::Finished;
        runs.append(runWithJobJson(store, *run));
    }
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), allFinished}, {QLatin1String("runs"), runs}});
    return allFinished ? Success : Failure;
}

namespace {

/// "--param k=v" and "--sweep k=v1,v2" into the spec; a usage message on a malformed one.
QString readParams(Context &ctx, RunSpec &spec)
{
    for (const QString &pair : ctx.parser.values(QStringLiteral("param"))) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return QStringLiteral("--param takes NAME=VALUE, not '%1'").arg(pair);
        spec.params.insert(pair.left(eq), pair.mid(eq + 1));
    }
    for (const QString &pair : ctx.parser.values(QStringLiteral("sweep"))) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        if (eq <= 0 || pair.mid(eq + 1).isEmpty())
            return QStringLiteral("--sweep takes NAME=V1,V2,..., not '%1'").arg(pair);
        spec.sweep.insert(pair.left(eq), pair.mid(eq + 1).split(QLatin1Char(','), Qt::SkipEmptyParts));
    }
    if (ctx.parser.isSet(QStringLiteral("samples"))) {
        spec.sweepMethod = QStringLiteral("random");
        spec.samples = ctx.parser.value(QStringLiteral("samples")).toInt();
    }
    const QString experiment = ctx.parser.value(QStringLiteral("experiment"));
    if (!experiment.isEmpty())
        spec.experiment = experiment;
    spec.maxRetries = ctx.parser.value(QStringLiteral("retries")).toInt();
    spec.timeoutSeconds = ctx.parser.value(QStringLiteral("timeout")).toInt();
    if (ctx.parser.isSet(QStringLiteral("seed")))
        spec.seed = ctx.parser.value(QStringLiteral("seed")).toULongLong();
    return {};
}

/// Queues the spec; unless --detach, serves the queue here (or follows the Slurm jobs) until
/// the submitted runs end.
int submitAndWait(Context &ctx, const RunSpec &spec)
{
    auto ws = Workspace::open(ctx.workspaceFolder(), Workspace::OpenMode::CreateIfMissing);
    if (!ws)
        return ctx.fail(ws.errorMessage());
    RunStore store((*ws)->db());
    auto top = submitRun(store, spec);
    if (!top)
        return ctx.fail(top.errorMessage());
    QList<qint64> ids {top->id};
    if (top->spec.kind == RunSpec::Kind::Sweep) {
        auto children = store.runs(RunQuery {{}, {}, top->id, 0, false});
        if (!children)
            return ctx.fail(children.errorMessage());
        ids.clear();
        for (const RunRecord &child : *children)
            ids << child.id;
    }
    if (!ctx.json)
        ctx.printLine(QStringLiteral("queued run %1%2")
                          .arg(top->id)
                          .arg(ids.size() > 1 ? QStringLiteral(" (%1 points)").arg(ids.size()) : QString()));
    if (spec.executor == QLatin1String("slurm"))
        return submitToSlurmAndWait(ctx, **ws, *top, ids);
    if (ctx.parser.isSet(QStringLiteral("detach"))) {
        if (ctx.json)
            ctx.printJson(runJson(*top));
        return Success;
    }

    TaskManager tasks;
    RunScheduler scheduler((*ws)->location(), tasks);
    if (ctx.parser.isSet(QStringLiteral("concurrency")))
        scheduler.setConcurrency(ctx.parser.value(QStringLiteral("concurrency")).toInt());
    QSet<qint64> waiting(ids.begin(), ids.end());
    const auto ended = [&](qint64 id, RunStatus status) {
        if (status == RunStatus::Queued || !waiting.contains(id))
            return; // a retry, or a run someone else queued
        waiting.remove(id);
        printRunEnd(ctx, store, id, status);
        if (waiting.isEmpty())
            QCoreApplication::quit();
    };
    QObject::connect(&scheduler, &RunScheduler::runEnded, &scheduler, ended);
    // Another process (an app, a kilnctl on another machine) may have claimed some of them:
    // their ends arrive through the workspace, not through this scheduler.
    QTimer elsewhere;
    elsewhere.setInterval(1000);
    QObject::connect(&elsewhere, &QTimer::timeout, &scheduler, [&] {
        for (const qint64 id : QSet<qint64>(waiting)) {
            auto run = store.run(id, false);
            if (run && isTerminal(run->status) && !scheduler.isRunning(id))
                ended(id, run->status);
        }
    });
    elsewhere.start();
    QObject::connect(&scheduler, &RunScheduler::error, &scheduler, [&ctx](const QString &message) {
        ctx.fail(message);
        QCoreApplication::exit(Failure);
    });
    if (Status s = scheduler.start(); !s)
        return ctx.fail(s.errorMessage());
    // Runs may have ended already (an instant failure) before the loop starts.
    int rc = waiting.isEmpty() ? 0 : QCoreApplication::exec();
    tasks.waitForIdle();
    if (rc != 0)
        return rc;
    return reportRuns(ctx, store, ids);
}

/// The workspace and the run named by the one argument, for the runs show|metrics|cancel
/// commands. Runs whose runner died are marked interrupted first, so none shows as running
/// forever.
struct OpenedRun
{
    std::unique_ptr<Workspace> workspace;
    RunRecord run;
};

Expected<OpenedRun> openRun(Context &ctx)
{
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ws.error();
    RunStore store((*ws)->db());
    store.markInterrupted();
    if (ctx.args.size() != 1)
        return Error {QStringLiteral("name one run: its number or id")};
    auto run = store.runByRef(ctx.args.first());
    if (!run)
        return run.error();
    return OpenedRun {std::move(ws).value(), std::move(run).value()};
}

} // namespace

int train(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(QStringLiteral("train needs one dataset: kilnctl train DATASET --target COLUMN"));
    RunSpec spec;
    spec.kind = RunSpec::Kind::Trainer;
    spec.datasetRef = ctx.args.first();
    spec.target = ctx.parser.value(QStringLiteral("target"));
    if (spec.target.isEmpty())
        return ctx.usage(QStringLiteral("train needs --target COLUMN"));
    spec.trainer = ctx.parser.value(QStringLiteral("trainer"));
    if (spec.trainer.isEmpty())
        spec.trainer = QStringLiteral("boosted-trees");
    spec.task = ctx.parser.value(QStringLiteral("task"));
    const QString features = ctx.parser.value(QStringLiteral("features"));
    if (!features.isEmpty())
        spec.features = features.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (ctx.parser.isSet(QStringLiteral("test-fraction")))
        spec.testFraction = ctx.parser.value(QStringLiteral("test-fraction")).toDouble();
    if (ctx.parser.isSet(QStringLiteral("validation-fraction")))
        spec.validationFraction = ctx.parser.value(QStringLiteral("validation-fraction")).toDouble();
    spec.folds = ctx.parser.value(QStringLiteral("folds")).toInt();
    spec.stratify = !ctx.parser.isSet(QStringLiteral("no-stratify"));
    spec.name = ctx.parser.value(QStringLiteral("run-name"));
    if (const QString problem = readParams(ctx, spec); !problem.isEmpty())
        return ctx.usage(problem);
    if (const QString problem = readClusterOptions(ctx, spec); !problem.isEmpty())
        return ctx.usage(problem);
    return submitAndWait(ctx, spec);
}

int runCommand(Context &ctx)
{
    if (ctx.args.isEmpty())
        return ctx.usage(QStringLiteral("run needs a command: kilnctl run [options] -- COMMAND [ARGS...]"));
    RunSpec spec;
    spec.kind = RunSpec::Kind::Command;
    spec.command = ctx.args;
    spec.workingDir = QDir::cleanPath(QDir::current().absoluteFilePath(ctx.parser.value(QStringLiteral("workdir"))));
    spec.outputDir = ctx.parser.value(QStringLiteral("output"));
    spec.name = ctx.parser.value(QStringLiteral("run-name"));
    if (const QString problem = readParams(ctx, spec); !problem.isEmpty())
        return ctx.usage(problem);
    if (const QString problem = readClusterOptions(ctx, spec); !problem.isEmpty())
        return ctx.usage(problem);
    return submitAndWait(ctx, spec);
}

int runsShow(Context &ctx)
{
    auto opened = openRun(ctx);
    if (!opened)
        return ctx.fail(opened.errorMessage());
    RunStore store(opened->workspace->db());
    const RunRecord *run = &opened->run;
    auto artifacts = store.artifacts(run->id);
    auto job = store.job(run->id);
    if (ctx.json) {
        QJsonObject o = runWithJobJson(store, *run);
        QJsonArray list;
        if (artifacts) {
            for (const ArtifactInfo &a : *artifacts)
                list.append(QJsonObject {{QLatin1String("path"), a.path},
                                         {QLatin1String("sha256"), a.sha256},
                                         {QLatin1String("size"), a.size}});
        }
        o.insert(QLatin1String("artifacts"), list);
        o.insert(QLatin1String("ok"), true);
        ctx.printJson(o);
        return Success;
    }
    ctx.printLine(
        QStringLiteral("run %1 (%2)  %3  %4").arg(run->id).arg(run->uuid, run->name, runStatusName(run->status)));
    if (!run->error.isEmpty())
        ctx.printLine(QStringLiteral("error:    %1").arg(run->error));
    ctx.printLine(QStringLiteral("experiment: %1").arg(run->experiment));
    if (run->parentId)
        ctx.printLine(QStringLiteral("parent:   run %1").arg(run->parentId));
    if (run->spec.kind == RunSpec::Kind::Imported) {
        const QJsonObject mlflow = run->reproducibility.value(QLatin1String("mlflow")).toObject();
        ctx.printLine(QStringLiteral("mlflow:   run %1 of experiment %2 in %3")
                          .arg(mlflow.value(QLatin1String("runId")).toString(),
                               mlflow.value(QLatin1String("experimentId")).toString(),
                               mlflow.value(QLatin1String("store")).toString()));
    }
    if (job && job->has_value()) {
        const RunJob &j = **job;
        QString line
            = QStringLiteral("job      %1 %2").arg(j.executor, j.jobId.isEmpty() ? QStringLiteral("-") : j.jobId);
        if (!j.node.isEmpty())
            line += QStringLiteral(" on %1").arg(j.node);
        if (!j.state.isEmpty())
            line += QStringLiteral(": %1").arg(j.state);
        if (!j.reason.isEmpty() && j.reason != QLatin1String("None"))
            line += QStringLiteral(" (%1)").arg(j.reason);
        ctx.printLine(line);
    }
    for (const auto &[k, v] : run->params)
        ctx.printLine(QStringLiteral("param    %1 = %2").arg(k, v));
    for (auto it = run->results.begin(); it != run->results.end(); ++it)
        ctx.printLine(QStringLiteral("result   %1 = %2").arg(it.key()).arg(it.value(), 0, 'g', 6));
    for (const MetricSummary &m : run->metrics)
        ctx.printLine(QStringLiteral("metric   %1: %2 steps, last %3, min %4, max %5")
                          .arg(m.key)
                          .arg(m.count)
                          .arg(m.last)
                          .arg(m.min)
                          .arg(m.max));
    if (artifacts) {
        for (const ArtifactInfo &a : *artifacts)
            ctx.printLine(QStringLiteral("artifact %1 (%2 bytes)").arg(a.path).arg(a.size));
    }
    return Success;
}

int runsMetrics(Context &ctx)
{
    auto opened = openRun(ctx);
    if (!opened)
        return ctx.fail(opened.errorMessage());
    RunStore store(opened->workspace->db());
    const RunRecord *run = &opened->run;
    QStringList keys;
    if (ctx.parser.isSet(QStringLiteral("key"))) {
        keys = ctx.parser.values(QStringLiteral("key"));
    } else {
        for (const MetricSummary &m : run->metrics)
            keys << m.key;
    }
    QJsonObject series;
    QList<QStringList> rows;
    for (const QString &key : std::as_const(keys)) {
        auto points = store.metricPoints(run->id, key);
        if (!points)
            return ctx.fail(points.errorMessage());
        if (points->empty() && ctx.parser.isSet(QStringLiteral("key")))
            return ctx.fail(QStringLiteral("run %1 has no metric '%2'").arg(run->id).arg(key));
        QJsonArray steps;
        QJsonArray values;
        for (const MetricPoint &p : *points) {
            steps.append(p.step);
            values.append(p.value);
            rows << QStringList {key, QString::number(p.step), QString::number(p.value, 'g', 8)};
        }
        series.insert(key, QJsonObject {{QLatin1String("steps"), steps}, {QLatin1String("values"), values}});
    }
    if (ctx.json) {
        ctx.printJson(
            {{QLatin1String("ok"), true}, {QLatin1String("run"), run->id}, {QLatin1String("metrics"), series}});
        return Success;
    }
    ctx.printLine(formatTable({QStringLiteral("METRIC"), QStringLiteral("STEP"), QStringLiteral("VALUE")}, rows));
    return Success;
}

int runsCancel(Context &ctx)
{
    auto opened = openRun(ctx);
    if (!opened)
        return ctx.fail(opened.errorMessage());
    RunStore store(opened->workspace->db());
    const RunRecord *run = &opened->run;
    QList<qint64> targets {run->id};
    if (run->spec.kind == RunSpec::Kind::Sweep) {
        auto children = store.runs(RunQuery {{}, {}, run->id, 0, false});
        if (children) {
            targets.clear();
            for (const RunRecord &child : *children) {
                if (!isTerminal(child.status))
                    targets << child.id;
            }
        }
    }
    if (run->spec.executor == QLatin1String("slurm")) {
        // The request, then scancel of the job(s): pending ones never start.
        SlurmExecutor executor(*opened->workspace, SlurmClient());
        if (Status s = executor.cancel(run->id); !s)
            return ctx.fail(s.errorMessage());
    } else {
        for (qint64 id : std::as_const(targets)) {
            if (Status s = store.requestCancel(id); !s)
                return ctx.fail(s.errorMessage());
        }
    }
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("cancelled"), QJsonArray::fromVariantList([&] {
                                                         QVariantList l;
                                                         for (qint64 id : targets)
                                                             l << id;
                                                         return l;
                                                     }())}});
    else
        ctx.printLine(QStringLiteral("cancel requested for run %1").arg(run->id));
    return Success;
}

int trainersList(Context &ctx)
{
    const auto typeName = [](HyperParameter::Type type) {
        switch (type) {
        case HyperParameter::Type::Integer:
            return QStringLiteral("integer");
        case HyperParameter::Type::Float:
            return QStringLiteral("float");
        case HyperParameter::Type::Choice:
            return QStringLiteral("choice");
        case HyperParameter::Type::Boolean:
            return QStringLiteral("boolean");
        }
        return QStringLiteral("float");
    };
    QJsonArray list;
    for (const Trainer *trainer : PluginManager::instance().trainers()) {
        QJsonArray tasks;
        for (TaskKind task : trainer->tasks())
            tasks.append(taskKindName(task));
        // Hyperparameters are declared per task; the first task's list is the common one.
        const TaskKind task = trainer->tasks().value(0, TaskKind::BinaryClassification);
        QJsonArray params;
        QList<QStringList> rows;
        for (const HyperParameter &p : trainer->hyperParameters(task)) {
            const bool ranged = p.type == HyperParameter::Type::Integer || p.type == HyperParameter::Type::Float;
            const QString range
                = ranged ? QStringLiteral("%1..%2").arg(p.minimum).arg(p.maximum) : p.choices.join(QLatin1Char('|'));
            params.append(QJsonObject {{QLatin1String("name"), p.name},
                                       {QLatin1String("type"), typeName(p.type)},
                                       {QLatin1String("default"), QJsonValue::fromVariant(p.defaultValue)},
                                       {QLatin1String("range"), range},
                                       {QLatin1String("help"), p.help}});
            rows << QStringList {p.name, typeName(p.type), p.defaultValue.toString(), range, p.help};
        }
        list.append(QJsonObject {{QLatin1String("id"), trainer->id()},
                                 {QLatin1String("name"), trainer->displayName()},
                                 {QLatin1String("library"), trainer->libraryVersion()},
                                 {QLatin1String("tasks"), tasks},
                                 {QLatin1String("hyperparameters"), params}});
        if (!ctx.json) {
            ctx.printLine(
                QStringLiteral("%1 — %2 (%3)").arg(trainer->id(), trainer->displayName(), trainer->libraryVersion()));
            ctx.printLine(formatTable({QStringLiteral("  PARAMETER"), QStringLiteral("TYPE"), QStringLiteral("DEFAULT"),
                                       QStringLiteral("RANGE"), QStringLiteral("HELP")},
                                      [&rows] {
                                          QList<QStringList> indented = rows;
                                          for (QStringList &r : indented)
                                              r[0] = QLatin1String("  ") + r[0];
                                          return indented;
                                      }()));
            ctx.printLine(QString());
        }
    }
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("trainers"), list}});
    return Success;
}

} // namespace kiln::cli
