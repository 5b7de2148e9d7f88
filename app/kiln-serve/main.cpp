// kiln-serve: the serving agent that runs on a deployment target (docs/SERVING.md). Prints
// "kiln-serve listening on http://HOST:PORT" on stdout once it listens, logs to stderr, ends
// cleanly on SIGTERM or SIGINT. Exit codes: 0 after a clean end, 1 when it cannot start
// (port in use, bundle refused, data folder), 2 on a usage error.
#include "builtinplugins.h"
#include "serving/serveagent.h"
#include "serving/servedmodel.h"
#include "util/openmp.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <limits>

#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kUsageError = 2;
constexpr int kFailure = 1;

// The signal handler's end of a socket pair: a signal becomes a byte the event loop reads.
int g_signalFd = -1;

extern "C" void onStopSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalFd, &byte, 1);
}

int usageError(const QString &message)
{
    std::fprintf(stderr, "kiln-serve: %s\n(kiln-serve --help lists the options)\n", message.toUtf8().constData());
    return kUsageError;
}

int failure(const QString &message)
{
    std::fprintf(stderr, "kiln-serve: %s\n", message.toUtf8().constData());
    return kFailure;
}

// --max-body-bytes and the like: a positive whole number, with an optional K, M or G (1024s).
bool parseBytes(const QString &text, qint64 *bytes)
{
    QString digits = text.trimmed();
    qint64 unit = 1;
    if (!digits.isEmpty()) {
        const QChar suffix = digits.back().toUpper();
        const qint64 units[] = {1024, 1024 * 1024, 1024 * 1024 * 1024};
        const int index = QStringLiteral("KMG").indexOf(suffix);
        if (index >= 0) {
            unit = units[index];
            digits.chop(1);
        }
    }
    bool ok = false;
    const qint64 value = digits.toLongLong(&ok);
    if (!ok || value <= 0 || value > std::numeric_limits<qint64>::max() / unit)
        return false;
    *bytes = value * unit;
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    kiln::ensurePassiveOpenMpWait(argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kiln-serve"));
    QCoreApplication::setOrganizationName(QStringLiteral("Kiln"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KILN_VERSION));
    kiln::linkBuiltinPlugins();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Kiln's serving agent: serves a model bundle over HTTP (MLflow's /invocations, Open Inference "
                       "Protocol v2, /ping, /version, /metrics) and takes new bundles, rollbacks and undeploys with a "
                       "bearer token. The admin token comes from --token-file or $KILN_SERVE_TOKEN, never from the "
                       "command line. See docs/SERVING.md."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("The agent's data folder (required)."),
                                  QStringLiteral("DIR"));
    const QCommandLineOption bundle(QStringLiteral("bundle"),
                                    QStringLiteral("A bundle to install and serve at start (kilnctl models export)."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption host(QStringLiteral("host"),
                                  QStringLiteral("The address to listen on (default 127.0.0.1; 0.0.0.0 for all)."),
                                  QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("The port (default 8080; 0: any free port)."),
                                  QStringLiteral("N"), QStringLiteral("8080"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
                                       QStringLiteral("A file holding the admin token (else $KILN_SERVE_TOKEN)."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption inferenceTokenFile(
        QStringLiteral("inference-token-file"),
        QStringLiteral("A file holding a token that inference and /metrics then require (else "
                       "$KILN_SERVE_INFERENCE_TOKEN; none: open)."),
        QStringLiteral("FILE"));
    const QCommandLineOption maxBodyBytes(
        QStringLiteral("max-body-bytes"),
        QStringLiteral("The largest inference request body (default 16M; K, M, G suffixes)."), QStringLiteral("N"));
    const QCommandLineOption threads(
        QStringLiteral("threads"), QStringLiteral("HTTP server threads (default: one per core)."), QStringLiteral("N"));
    parser.addOptions({data, bundle, host, port, tokenFile, inferenceTokenFile, maxBodyBytes, threads});
    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));

    kiln::ServeOptions options;
    options.dataDir = parser.value(data);
    if (options.dataDir.isEmpty())
        return usageError(QStringLiteral("--data DIR is required: the folder where the agent keeps its bundles"));
    options.initialBundle = parser.value(bundle);
    kiln::Expected<QHostAddress> address = kiln::parseServeHost(parser.value(host));
    if (!address)
        return usageError(address.errorMessage());
    options.host = *address;
    bool ok = false;
    const uint portNumber = parser.value(port).toUInt(&ok);
    if (!ok || portNumber > 65535)
        return usageError(QStringLiteral("--port takes 0 (any free port) to 65535, not '%1'").arg(parser.value(port)));
    options.port = quint16(portNumber);
    if (parser.isSet(maxBodyBytes) && !parseBytes(parser.value(maxBodyBytes), &options.maxBodyBytes))
        return usageError(QStringLiteral("--max-body-bytes takes a size such as 1048576 or 16M, not '%1'")
                              .arg(parser.value(maxBodyBytes)));
    if (parser.isSet(threads)) {
        options.threads = parser.value(threads).toInt(&ok);
        if (!ok || options.threads < 1 || options.threads > 64)
            return usageError(QStringLiteral("--threads takes 1 to 64, not '%1'").arg(parser.value(threads)));
    }
    const auto token = [&](const QCommandLineOption &file, const char *variable) -> kiln::Expected<QByteArray> {
        if (!parser.isSet(file))
            return qgetenv(variable).trimmed();
        QString warning;
        kiln::Expected<QByteArray> read = kiln::readTokenFile(parser.value(file), &warning);
        if (!warning.isEmpty())
            kiln::printServeLog(QStringLiteral("warning: %1").arg(warning));
        return read;
    };
    kiln::Expected<QByteArray> adminToken = token(tokenFile, "KILN_SERVE_TOKEN");
    if (!adminToken)
        return failure(adminToken.errorMessage());
    options.adminToken = *adminToken;
    kiln::Expected<QByteArray> inferenceToken = token(inferenceTokenFile, "KILN_SERVE_INFERENCE_TOKEN");
    if (!inferenceToken)
        return failure(inferenceToken.errorMessage());
    options.inferenceToken = *inferenceToken;

    int signalPair[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPair) != 0)
        return failure(QStringLiteral("cannot create the signal socket pair"));
    g_signalFd = signalPair[0];
    QSocketNotifier stopNotifier(signalPair[1], QSocketNotifier::Read);
    QObject::connect(&stopNotifier, &QSocketNotifier::activated, &app, [&] {
        stopNotifier.setEnabled(false);
        kiln::printServeLog(QStringLiteral("stopping"));
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    int exitCode = 0;
    {
        kiln::ServeAgent agent(options);
        QObject::connect(&agent, &kiln::ServeAgent::logMessage, &agent, kiln::printServeLog);
        if (kiln::Status started = agent.start(); !started) {
            exitCode = failure(started.errorMessage());
        } else {
            std::printf("kiln-serve listening on %s\n", agent.url().toUtf8().constData());
            std::fflush(stdout); // a script or a test waits for this line through a pipe
            if (options.adminToken.isEmpty())
                kiln::printServeLog(
                    QStringLiteral("note: no admin token (--token-file or KILN_SERVE_TOKEN): pushes, rollback and "
                                   "undeploy are refused"));
            exitCode = QCoreApplication::exec();
        }
    }
    ::close(signalPair[0]);
    ::close(signalPair[1]);
    return exitCode;
}
