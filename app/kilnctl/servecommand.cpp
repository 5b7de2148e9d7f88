// kilnctl serve: the serving agent (ServeAgent, as kiln-serve runs it) in the foreground until
// SIGINT or SIGTERM.
#include "cli.h"

#include "serving/serveagent.h"
#include "serving/servedmodel.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace kiln::cli {

int serve(Context &ctx)
{
    if (!ctx.args.isEmpty())
        return ctx.usage(QStringLiteral("serve takes options only: kilnctl serve --bundle FILE [--port N]"));
    ServeOptions options;
    options.initialBundle = ctx.parser.value(QStringLiteral("bundle"));
    if (options.initialBundle.isEmpty())
        return ctx.usage(QStringLiteral("serve needs --bundle FILE: the model to serve (kilnctl models export)"));
    bool ok = true;
    if (ctx.parser.isSet(QStringLiteral("port"))) {
        const uint port = ctx.parser.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || port > 65535)
            return ctx.usage(QStringLiteral("--port takes 0 (any free port) to 65535, not '%1'")
                                 .arg(ctx.parser.value(QStringLiteral("port"))));
        options.port = quint16(port);
    }
    if (ctx.parser.isSet(QStringLiteral("threads"))) {
        options.threads = ctx.parser.value(QStringLiteral("threads")).toInt(&ok);
        if (!ok || options.threads < 0 || options.threads > 64)
            return ctx.usage(QStringLiteral("--threads takes 0 (one per core) to 64, not '%1'")
                                 .arg(ctx.parser.value(QStringLiteral("threads"))));
    }
    auto host = parseServeHost(ctx.parser.value(QStringLiteral("host")));
    if (!host)
        return ctx.usage(host.errorMessage());
    options.host = *host;
    // --token-file FILE, else $KILN_SERVE_TOKEN: never a plain argument, which `ps` would show.
    if (ctx.parser.isSet(QStringLiteral("token-file"))) {
        QString warning;
        auto token = readTokenFile(ctx.parser.value(QStringLiteral("token-file")), &warning);
        if (!token)
            return ctx.fail(token.errorMessage());
        if (!warning.isEmpty())
            printServeLog(QStringLiteral("warning: %1").arg(warning));
        options.adminToken = *token;
    } else {
        options.adminToken = qgetenv("KILN_SERVE_TOKEN").trimmed();
    }
    options.dataDir = ctx.parser.value(QStringLiteral("data"));
    if (options.dataDir.isEmpty())
        options.dataDir = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                              .filePath(QStringLiteral("kiln-serve"));

    ServeAgent agent(options);
    QObject::connect(&agent, &ServeAgent::logMessage, &agent, printServeLog);
    const InterruptGuard guard;
    std::signal(SIGPIPE, SIG_IGN); // a client gone mid-answer is the server's business, not a crash
    if (Status started = agent.start(); !started)
        return ctx.fail(started.errorMessage());

    if (ctx.json) {
        const auto model = agent.current();
        ctx.printJson(
            {{QLatin1String("ok"), true},
             {QLatin1String("url"), agent.url()},
             {QLatin1String("port"), agent.port()},
             {QLatin1String("dataDir"), QDir(options.dataDir).absolutePath()},
             {QLatin1String("model"),
              model ? QJsonValue(model->name + QLatin1Char('@') + QString::number(model->version)) : QJsonValue()}});
    } else {
        ctx.printLine(QStringLiteral("kiln-serve listening on %1").arg(agent.url()));
        std::fflush(stdout); // a script waits for this line through a pipe
    }
    if (options.adminToken.isEmpty())
        printServeLog(QStringLiteral("note: no admin token (--token-file or KILN_SERVE_TOKEN): pushes, rollback and "
                                     "undeploy are refused"));

    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &agent, [] {
        if (InterruptGuard::interrupted())
            QCoreApplication::quit();
    });
    poll.start(100);
    QCoreApplication::exec();
    printServeLog(QStringLiteral("stopping"));
    return Success;
}

} // namespace kiln::cli
