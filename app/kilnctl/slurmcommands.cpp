// kilnctl train|run --slurm: the cluster options and following the submitted jobs.
#include "runcommands_p.h"

#include "runs/runstore.h"
#include "slurm/slurmexecutor.h"
#include "workspace/workspace.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <limits>

namespace kiln::cli {
namespace {

/// Sleeps about `ms`, waking early on Ctrl+C.
void nap(int ms)
{
    for (int slept = 0; slept < ms && !InterruptGuard::interrupted(); slept += 100)
        QThread::msleep(100);
}

} // namespace

QString readClusterOptions(Context &ctx, RunSpec &spec)
{
    const bool slurm = ctx.parser.isSet(QStringLiteral("slurm"));
    for (const char *option : {"cpus", "mem", "time", "partition"}) {
        if (!slurm && ctx.parser.isSet(QLatin1String(option)))
            return QStringLiteral("--%1 is a Slurm request: add --slurm").arg(QLatin1String(option));
    }
    if (!slurm)
        return {};
    spec.executor = QStringLiteral("slurm");
    if (ctx.parser.isSet(QStringLiteral("cpus"))) {
        bool ok = false;
        spec.resources.cpus = ctx.parser.value(QStringLiteral("cpus")).toInt(&ok);
        if (!ok || spec.resources.cpus < 1)
            return QStringLiteral("--cpus takes a number of CPUs, not '%1'")
                .arg(ctx.parser.value(QStringLiteral("cpus")));
    }
    if (ctx.parser.isSet(QStringLiteral("mem"))) {
        // Slurm's units: K, M (the default), G, T.
        static const QRegularExpression size(QStringLiteral("^(\\d+)\\s*([KMGT]?)B?$"),
                                             QRegularExpression::CaseInsensitiveOption);
        const QString text = ctx.parser.value(QStringLiteral("mem")).trimmed();
        const QRegularExpressionMatch m = size.match(text);
        const qint64 number = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).isEmpty() ? QLatin1Char('M') : m.captured(2).at(0).toUpper();
        const qint64 megabytes = unit == QLatin1Char('K') ? (number + 1023) / 1024
            : unit == QLatin1Char('G')                    ? number * 1024
            : unit == QLatin1Char('T')                    ? number * 1024 * 1024
                                                          : number;
        if (!m.hasMatch() || megabytes < 1 || megabytes > std::numeric_limits<int>::max())
            return QStringLiteral("--mem takes a size such as 512M or 4G, not '%1'").arg(text);
        spec.resources.memoryMb = int(megabytes);
    }
    if (ctx.parser.isSet(QStringLiteral("time"))) {
        // Slurm's forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S; seconds round up to a minute.
        static const QRegularExpression limit(QStringLiteral("^(?:(\\d+)-)?(\\d+)(?::(\\d+))?(?::(\\d+))?$"));
        const QString text = ctx.parser.value(QStringLiteral("time")).trimmed();
        const QRegularExpressionMatch m = limit.match(text);
        if (!m.hasMatch())
            return QStringLiteral("--time takes minutes or HH:MM:SS, not '%1'").arg(text);
        const qint64 days = m.captured(1).toLongLong();
        qint64 seconds = 0;
        if (m.capturedLength(1) > 0) // D-H[:M[:S]]
            seconds = days * 86400 + m.captured(2).toLongLong() * 3600 + m.captured(3).toLongLong() * 60
                + m.captured(4).toLongLong();
        else if (m.capturedLength(4) > 0) // H:M:S
            seconds = m.captured(2).toLongLong() * 3600 + m.captured(3).toLongLong() * 60 + m.captured(4).toLongLong();
        else // M[:S]
            seconds = m.captured(2).toLongLong() * 60 + m.captured(3).toLongLong();
        const qint64 minutes = (seconds + 59) / 60;
        if (minutes < 1 || minutes > std::numeric_limits<int>::max())
            return QStringLiteral("--time takes a limit of at least a minute, not '%1'").arg(text);
        spec.resources.timeLimitMinutes = int(minutes);
    }
    spec.resources.partition = ctx.parser.value(QStringLiteral("partition"));
    return {};
}

int submitToSlurmAndWait(Context &ctx, Workspace &workspace, const RunRecord &top, QList<qint64> ids)
{
    std::sort(ids.begin(), ids.end()); // array task i runs the i-th point
    RunStore store(workspace.db());
    SlurmExecutor executor(workspace, SlurmClient());
    if (Status s = executor.submit(top.id); !s)
        return ctx.fail(s.errorMessage());
    QStringList jobIds;
    for (qint64 id : ids) {
        auto job = store.job(id);
        if (job && job->has_value())
            jobIds << (*job)->jobId;
    }
    if (!ctx.json) {
        if (top.spec.kind == RunSpec::Kind::Sweep)
            ctx.printLine(QStringLiteral("submitted sweep %1 to Slurm as job array %2 (%3)")
                              .arg(top.id)
                              .arg(jobIds.value(0).section(QLatin1Char('_'), 0, 0), jobIds.join(QLatin1Char(' '))));
        else
            ctx.printLine(QStringLiteral("submitted run %1 to Slurm as job %2").arg(top.id).arg(jobIds.value(0)));
    }
    if (ctx.parser.isSet(QStringLiteral("detach"))) {
        if (ctx.json) {
            QJsonArray runs;
            for (qint64 id : ids) {
                if (auto run = store.run(id))
                    runs.append(runWithJobJson(store, *run));
            }
            ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("runs"), runs}});
        }
        return Success;
    }

    const InterruptGuard guard;
    bool cancelled = false;
    QString lastProblem;
    QSet<qint64> waiting(ids.begin(), ids.end());
    const auto poll = [&] {
        auto changed = executor.refresh();
        // A controller that does not answer for a while is reported once, not every second.
        const QString problem = changed ? QString() : changed.errorMessage();
        if (!problem.isEmpty() && problem != lastProblem)
            std::fprintf(stderr, "kilnctl: asking Slurm: %s\n", problem.toUtf8().constData());
        lastProblem = problem;
    };
    while (!waiting.isEmpty()) {
        if (InterruptGuard::interrupted() && !cancelled) {
            cancelled = true;
            if (!ctx.json)
                ctx.printLine(QStringLiteral("cancelling (Ctrl+C again to leave at once)"));
            if (Status s = executor.cancel(top.id); !s)
                std::fprintf(stderr, "kilnctl: %s\n", s.errorMessage().toUtf8().constData());
        }
        poll();
        for (qint64 id : ids) {
            auto run = store.run(id, false);
            if (waiting.contains(id) && run && isTerminal(run->status)) {
                waiting.remove(id);
                printRunEnd(ctx, store, id, run->status);
            }
        }
        if (!waiting.isEmpty())
            nap(1000);
    }
    // The jobs end a moment after their runs: wait for Slurm's last word on them, briefly.
    for (int i = 0; i < 20; ++i) {
        auto active = store.activeJobs(QStringLiteral("slurm"));
        if (!active || std::none_of(active->begin(), active->end(), [&ids](const RunJob &job) {
                return ids.contains(job.runId);
            }))
            break;
        nap(500);
        poll();
    }
    return reportRuns(ctx, store, ids);
}

} // namespace kiln::cli
