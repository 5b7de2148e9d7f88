// kilnctl workspace push|pull: copies a workspace into a team store and back.
#include "cli.h"

#include "tasks/feedback.h"
#include "workspace/workspace.h"
#include "workspace/workspacetransfer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QUrl>
#include <QUrlQuery>

namespace kiln::cli {
namespace {

/// A team store's URL with `--blobs DIR` as its blob folder (unless the URL names one).
QString withBlobFolder(const QString &location, const QString &blobs)
{
    QUrl url(location);
    QUrlQuery query(url);
    if (query.hasQueryItem(QStringLiteral("blobs")))
        return location;
    query.addQueryItem(QStringLiteral("blobs"), QDir::cleanPath(QDir::current().absoluteFilePath(blobs)));
    url.setQuery(query);
    return url.toString();
}

void printReport(const Context &ctx, const TransferReport &report, const QString &verb, const QString &from,
                 const QString &to, double seconds)
{
    if (ctx.json) {
        QJsonObject json = report.toJson();
        json.insert(QLatin1String("ok"), report.conflicts.isEmpty());
        json.insert(QLatin1String("from"), from);
        json.insert(QLatin1String("to"), to);
        json.insert(QLatin1String("seconds"), seconds);
        ctx.printJson(json);
        return;
    }
    ctx.printLine(
        QStringLiteral("%1 %2 to %3 in %4 s: %5").arg(verb, from, to).arg(seconds, 0, 'f', 1).arg(report.summary()));
    QList<QStringList> rows;
    for (int k = 0; k < TransferReport::KindCount; ++k) {
        const TransferReport::Counts &counts = report.counts[std::size_t(k)];
        if (counts.copied > 0 || counts.skipped > 0)
            rows << QStringList {TransferReport::kindLabel(TransferReport::Kind(k)), QString::number(counts.copied),
                                 QString::number(counts.skipped)};
    }
    if (!rows.isEmpty())
        ctx.printLine(formatTable({QString(), QStringLiteral("copied"), QStringLiteral("already there")}, rows));
    if (report.unfinishedRuns > 0)
        ctx.printLine(
            QStringLiteral("%1 runs are not finished: run it again once they ended.").arg(report.unfinishedRuns));
    if (!report.conflicts.isEmpty()) {
        ctx.printLine(QStringLiteral("Conflicts (the destination's kept):"));
        for (const QString &conflict : report.conflicts)
            ctx.printLine(QStringLiteral("  ") + conflict);
    }
}

/// push: this workspace into --to; pull: --from into this workspace (created when missing).
int transfer(Context &ctx, bool push)
{
    const QString option = push ? QStringLiteral("to") : QStringLiteral("from");
    const QString command = push ? QStringLiteral("workspace push") : QStringLiteral("workspace pull");
    const QString other = ctx.parser.value(option);
    if (other.isEmpty() || !ctx.args.isEmpty())
        return ctx.usage(QStringLiteral("%1 takes the other workspace: kilnctl %1 --%2 LOCATION").arg(command, option));
    const QString here = ctx.workspaceFolder();
    const QString fromLocation = push ? here : other;
    QString toLocation = push ? other : here;
    if (const QString blobs = ctx.parser.value(QStringLiteral("blobs")); !blobs.isEmpty()) {
        if (!Workspace::isStoreUrl(toLocation))
            return ctx.usage(
                QStringLiteral("--blobs gives a new team store its blob folder; %1 is a folder").arg(toLocation));
        toLocation = withBlobFolder(toLocation, blobs);
    }
    auto from = Workspace::open(fromLocation, Workspace::OpenMode::OpenExisting);
    if (!from)
        return ctx.fail(from.errorMessage());
    auto to = Workspace::open(toLocation, Workspace::OpenMode::CreateIfMissing);
    if (!to)
        return ctx.fail(to.errorMessage());

    Feedback feedback;
    QElapsedTimer clock;
    clock.start();
    Expected<TransferReport> report = [&] {
        // Ctrl+C stops between items: what was copied stays, and a second run completes it.
        const InterruptGuard guard(&feedback);
        const ProgressLine progress(feedback);
        return transferWorkspace(**from, **to, feedback);
    }();
    if (!report)
        return ctx.fail(report.errorMessage());
    printReport(ctx, *report, push ? QStringLiteral("Pushed") : QStringLiteral("Pulled"),
                displayLocation((*from)->location()), displayLocation((*to)->location()),
                double(clock.elapsed()) / 1000.0);
    return report->conflicts.isEmpty() ? Success : Failure;
}

} // namespace

int workspacePush(Context &ctx)
{
    return transfer(ctx, true);
}

int workspacePull(Context &ctx)
{
    return transfer(ctx, false);
}

} // namespace kiln::cli
