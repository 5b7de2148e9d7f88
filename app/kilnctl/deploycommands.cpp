// kilnctl's deployment commands: deploy, and deployments (list, status, rollback, undeploy); the
// work itself is core's (deploy::*). Targets: targetcommands.cpp; serve: servecommand.cpp.
#include "modelcommands.h"

#include "deploy/deployer.h"
#include "registry/modelregistry.h"
#include "workspace/workspace.h"

#include <QJsonArray>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

namespace kiln::cli {
namespace {

constexpr std::chrono::milliseconds kProgressInterval {250}; ///< at most four progress lines a second

QString versionRef(const QString &model, int version)
{
    return model + QLatin1Char('@') + QString::number(version);
}

/// A deployment with the version it deployed, as the history lists it.
using DeploymentRow = VersionDeployment;

/// Every deployment the workspace recorded, newest first.
Expected<QList<DeploymentRow>> deploymentHistory(const Context &ctx)
{
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ws.error();
    return ModelRegistry(**ws).deploymentHistory();
}

/// A deployment as `deploy` and `deployments` print it with --json: deploymentJson() with the
/// version it deployed and the bundle's checksum and push attempts from its detail.
QJsonObject deploymentJson(const DeploymentRow &row)
{
    QJsonObject o = cli::deploymentJson(row.record);
    o.insert(QLatin1String("model"), row.modelName);
    o.insert(QLatin1String("version"), row.version);
    o.insert(QLatin1String("ref"), row.ref());
    o.insert(QLatin1String("sha256"), row.record.detail.value(QLatin1String("sha256")));
    o.insert(QLatin1String("attempts"), row.record.detail.value(QLatin1String("attempts")));
    return o;
}

/// A record deploy::* returned, with its version's name and number from the workspace.
Expected<DeploymentRow> rowFor(const Context &ctx, const DeploymentRecord &record)
{
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ws.error();
    auto version = ModelRegistry(**ws).versionById(record.versionId);
    if (!version)
        return version.error();
    return DeploymentRow {record, version->modelName, version->version};
}

/// Progress lines on stderr while a push runs: "[ 42%] uploading ...". A watcher thread reads
/// the feedback a few times a second and prints what changed, so a line comes also while the
/// push waits to retry (and never more than a few a second).
class ProgressPrinter
{
public:
    ProgressPrinter(const Feedback &feedback, QString fallbackText)
        : m_feedback(feedback)
        , m_fallback(std::move(fallbackText))
    {
        printIfChanged(); // the first line before the constructor returns: a script may wait for it
        m_thread = std::thread([this] { run(); });
    }
    ~ProgressPrinter()
    {
        {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    ProgressPrinter(const ProgressPrinter &) = delete;
    ProgressPrinter &operator=(const ProgressPrinter &) = delete;

private:
    void run()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        do {
            printIfChanged();
        } while (!m_wake.wait_for(lock, kProgressInterval, [this] { return m_stop; }));
    }

    void printIfChanged()
    {
        const int percent = int(m_feedback.progress() * 100);
        QString status = m_feedback.statusText();
        if (status.isEmpty())
            status = m_fallback;
        if (percent == m_lastPercent && status == m_lastStatus)
            return;
        m_lastPercent = percent;
        m_lastStatus = status;
        std::fprintf(stderr, "[%3d%%] %s\n", percent, status.toUtf8().constData());
        std::fflush(stderr);
    }

    const Feedback &m_feedback;
    const QString m_fallback;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    int m_lastPercent = -1;
    QString m_lastStatus;
    std::thread m_thread;
};

int printStatus(const Context &ctx, const QString &name, const TargetStatus &s, const DeploymentRow *recorded)
{
    const bool down = !s.reachable || s.health == QLatin1String("down");
    const QString serves = s.modelName.isEmpty() ? QString() : versionRef(s.modelName, s.modelVersion);
    const QString previous = s.previousModel.isEmpty() ? QString() : versionRef(s.previousModel, s.previousVersion);
    const QString downMessage
        = QStringLiteral("'%1' is down: %2").arg(name, s.detail.isEmpty() ? QStringLiteral("not reachable") : s.detail);
    if (ctx.json) {
        QJsonObject o {{QLatin1String("ok"), !down},
                       {QLatin1String("target"), name},
                       {QLatin1String("health"), s.health},
                       {QLatin1String("reachable"), s.reachable},
                       {QLatin1String("model"), s.modelName.isEmpty() ? QJsonValue() : QJsonValue(s.modelName)},
                       {QLatin1String("version"), s.modelVersion > 0 ? QJsonValue(s.modelVersion) : QJsonValue()},
                       {QLatin1String("ref"), serves.isEmpty() ? QJsonValue() : QJsonValue(serves)},
                       {QLatin1String("sha256"), s.sha256},
                       {QLatin1String("previous"), previous.isEmpty() ? QJsonValue() : QJsonValue(previous)},
                       {QLatin1String("detail"), s.detail},
                       {QLatin1String("metricsUrl"), s.metricsUrl},
                       {QLatin1String("recorded"), recorded ? QJsonValue(deploymentJson(*recorded)) : QJsonValue()}};
        if (down)
            o.insert(QLatin1String("error"), downMessage);
        ctx.printJson(o);
    } else {
        ctx.printLine(QStringLiteral("%1: %2%3").arg(name, s.health, serves.isEmpty() ? QString() : u' ' + serves));
        if (!s.sha256.isEmpty())
            ctx.printLine(QStringLiteral("sha256:    %1").arg(s.sha256));
        if (!previous.isEmpty())
            ctx.printLine(QStringLiteral("previous:  %1").arg(previous));
        if (!s.metricsUrl.isEmpty())
            ctx.printLine(QStringLiteral("metrics:   %1").arg(s.metricsUrl));
        if (!s.detail.isEmpty())
            ctx.printLine(QStringLiteral("detail:    %1").arg(s.detail));
        ctx.printLine(QStringLiteral("workspace: %1")
                          .arg(recorded ? QStringLiteral("%1 active since %2 (deployment %3)")
                                              .arg(recorded->ref(), timeText(recorded->record.createdAt))
                                              .arg(recorded->record.id)
                                        : QStringLiteral("no active deployment")));
    }
    if (!down)
        return Success;
    std::fprintf(stderr, "kilnctl: %s\n", downMessage.toUtf8().constData());
    return Failure;
}

} // namespace

int deploy(Context &ctx)
{
    if (ctx.args.size() != 1 || !namesVersion(ctx.args.first()))
        return ctx.usage(QStringLiteral("deploy needs one version: kilnctl deploy NAME@VERSION --target TARGET"));
    const QString target = ctx.parser.value(QStringLiteral("target"));
    if (target.isEmpty())
        return ctx.usage(QStringLiteral("deploy needs --target TARGET (see kilnctl targets list)"));
    RetryPolicy retry;
    if (ctx.parser.isSet(QStringLiteral("retries"))) {
        bool ok = false;
        const int retries = ctx.parser.value(QStringLiteral("retries")).toInt(&ok);
        if (!ok || retries < 0 || retries > 100)
            return ctx.usage(
                QStringLiteral("--retries takes 0 to 100, not '%1'").arg(ctx.parser.value(QStringLiteral("retries"))));
        retry.attempts = retries + 1;
    }
    const QString &ref = ctx.args.first();

    Feedback feedback;
    Expected<DeploymentRecord> record = Error {};
    {
        const InterruptGuard guard(&feedback);
        std::optional<ProgressPrinter> progress; // from its first line on, Ctrl+C cancels cleanly
        if (!ctx.json)
            progress.emplace(feedback, QStringLiteral("deploying %1 to '%2'").arg(ref, target));
        record = deploy::push(ctx.workspaceFolder(), ref, target, feedback, retry);
    }
    if (!record)
        return ctx.fail(record.errorMessage());
    auto row = rowFor(ctx, *record);
    if (!row)
        return ctx.fail(row.errorMessage());
    if (ctx.json) {
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("deployment"), deploymentJson(*row)}});
        return Success;
    }
    const int attempts = record->detail.value(QLatin1String("attempts")).toInt(1);
    ctx.printLine(QStringLiteral("Deployed %1 to %2 (sha256 %3, %4 %5)")
                      .arg(row->ref(), record->target, record->detail.value(QLatin1String("sha256")).toString())
                      .arg(attempts)
                      .arg(attempts == 1 ? QStringLiteral("attempt") : QStringLiteral("attempts")));
    return Success;
}

int deploymentsList(Context &ctx)
{
    if (!ctx.args.isEmpty())
        return ctx.usage(QStringLiteral("deployments list takes options only: [--target NAME] [--model NAME] [--all]"));
    const QString target = ctx.parser.value(QStringLiteral("target"));
    const QString model = ctx.parser.value(QStringLiteral("model"));
    const bool all = ctx.parser.isSet(QStringLiteral("all"));
    auto history = deploymentHistory(ctx);
    if (!history)
        return ctx.fail(history.errorMessage());
    QList<DeploymentRow> shown;
    for (const DeploymentRow &row : std::as_const(*history)) {
        if ((all || row.record.isActive()) && (target.isEmpty() || row.record.target == target)
            && (model.isEmpty() || row.modelName == model))
            shown << row;
    }
    if (ctx.json) {
        QJsonArray list;
        for (const DeploymentRow &row : std::as_const(shown))
            list.append(deploymentJson(row));
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("deployments"), list}});
        return Success;
    }
    QList<QStringList> rows;
    for (const DeploymentRow &row : std::as_const(shown))
        rows << QStringList {QString::number(row.record.id), row.record.target,           row.ref(), row.record.status,
                             timeText(row.record.createdAt), timeText(row.record.endedAt)};
    ctx.printLine(formatTable({QStringLiteral("ID"), QStringLiteral("TARGET"), QStringLiteral("MODEL"),
                               QStringLiteral("STATUS"), QStringLiteral("CREATED"), QStringLiteral("ENDED")},
                              rows));
    return Success;
}

int deploymentsStatus(Context &ctx)
{
    int exitCode = Success;
    if (!oneTarget(ctx, QStringLiteral("deployments status"), exitCode))
        return exitCode;
    const QString &name = ctx.args.first();
    auto history = deploymentHistory(ctx);
    if (!history)
        return ctx.fail(history.errorMessage());
    const auto active = std::find_if(history->cbegin(), history->cend(), [&name](const DeploymentRow &row) {
        return row.record.target == name && row.record.isActive();
    });
    Feedback feedback;
    auto status = deploy::status(ctx.workspaceFolder(), name, feedback);
    if (!status)
        return ctx.fail(status.errorMessage());
    return printStatus(ctx, name, *status, active == history->cend() ? nullptr : &*active);
}

int deploymentsRollback(Context &ctx)
{
    int exitCode = Success;
    if (!oneTarget(ctx, QStringLiteral("deployments rollback"), exitCode))
        return exitCode;
    Feedback feedback;
    Expected<DeploymentRecord> record = Error {};
    {
        const InterruptGuard guard(&feedback);
        record = deploy::rollback(ctx.workspaceFolder(), ctx.args.first(), feedback);
    }
    if (!record)
        return ctx.fail(record.errorMessage());
    auto row = rowFor(ctx, *record);
    if (!row)
        return ctx.fail(row.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("deployment"), deploymentJson(*row)}});
    else
        ctx.printLine(QStringLiteral("Rolled back %1: it serves %2 again").arg(ctx.args.first(), row->ref()));
    return Success;
}

int deploymentsUndeploy(Context &ctx)
{
    int exitCode = Success;
    if (!oneTarget(ctx, QStringLiteral("deployments undeploy"), exitCode))
        return exitCode;
    Feedback feedback;
    Status undeployed;
    {
        const InterruptGuard guard(&feedback);
        undeployed = deploy::undeploy(ctx.workspaceFolder(), ctx.args.first(), feedback);
    }
    if (!undeployed)
        return ctx.fail(undeployed.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("undeployed"), ctx.args.first()}});
    else
        ctx.printLine(QStringLiteral("Undeployed %1").arg(ctx.args.first()));
    return Success;
}

} // namespace kiln::cli
