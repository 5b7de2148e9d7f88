// kiln-serve under load: the 30-feature boosted-tree model of bench_predict (benchmodel.h: 200
// trees of depth 6, trained and registered in a temporary workspace) exported as a bundle and
// served by a real kiln-serve process on 127.0.0.1, driven by wrk (2 threads, 16 connections,
// 15 s, --latency) with one single-row dataframe_split request, after a short warm-up. The
// agent runs with --threads 1 and then --threads 2. In the same run, the in-process rate of the
// same model on one thread: (a) LoadedModel::predict on the request's row parsed once, (b) the
// same JSON body parsed by predictionInputFromJson and predicted. Prints requests/s, p50 and p99,
// the ratio served / in-process for (a) and (b), the agent's CPU time per request, and the
// targets (>= 10,000 requests/s, p99 < 5 ms, ratio >= 0.5) with PASS or FAIL: timings are
// reported, never asserted. Exits 1 when something does not work: the agent does not start,
// answers other than in process, or wrk counts a non-2xx answer or a socket error. Skips (exit
// 0) when wrk is not installed. `--duration S` (default 15), `--calls N` in process (default
// 50,000).
#include "benchmodel.h"
#include "builtinplugins.h"
#include "registry/bundle.h"
#include "servetestsupport.h"
#include "util/openmp.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <optional>

#include <unistd.h>

using namespace kiln;
using namespace kiln::bench;

namespace {

constexpr int kDefaultSeconds = 15;
constexpr int kWarmUpSeconds = 2;
constexpr int kDefaultCalls = 50'000;
constexpr std::size_t kRequestRow = 0;
constexpr double kTargetRate = 10'000;
constexpr double kTargetP99Ms = 5;
constexpr double kTargetRatio = 0.5;
const QString kModel = QStringLiteral("bench-trees");

int fail(const QString &what)
{
    std::fprintf(stderr, "bench_serve: %s\n", qPrintable(what));
    return 1;
}

/// wrk's script: every request a POST of `body` as JSON.
QByteArray wrkScript(const QByteArray &body)
{
    return "wrk.method = \"POST\"\n"
           "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
           "wrk.body = [==["
        + body + "]==]\n";
}

/// What wrk printed, read back.
struct WrkFigures
{
    double requestsPerSecond = 0;
    qint64 requests = 0;
    double p50Us = 0;
    double p99Us = 0;
    qint64 non2xx = 0; ///< "Non-2xx or 3xx responses"
    qint64 socketErrors = 0; ///< connect + read + write + timeout
    QString socketDetail; ///< wrk's "connect 0, read 0, ..." when it printed one
};

/// "448.00us", "1.93ms", "2.01s", "1.00m" as microseconds.
std::optional<double> micros(const QString &value, const QString &unit)
{
    bool ok = false;
    const double number = value.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    if (unit == QLatin1String("us"))
        return number;
    if (unit == QLatin1String("ms"))
        return number * 1e3;
    if (unit == QLatin1String("s"))
        return number * 1e6;
    if (unit == QLatin1String("m"))
        return number * 60e6;
    return std::nullopt;
}

Expected<WrkFigures> parseWrk(const QString &out)
{
    WrkFigures figures;
    const auto find = [&](const QString &pattern) {
        return QRegularExpression(pattern, QRegularExpression::MultilineOption).match(out);
    };
    const QRegularExpressionMatch rate = find(QStringLiteral("^Requests/sec:\\s+([0-9.]+)"));
    const QRegularExpressionMatch total = find(QStringLiteral("^\\s*(\\d+) requests in "));
    const QRegularExpressionMatch p50 = find(QStringLiteral("^\\s+50%\\s+([0-9.]+)(us|ms|s|m)\\s*$"));
    const QRegularExpressionMatch p99 = find(QStringLiteral("^\\s+99%\\s+([0-9.]+)(us|ms|s|m)\\s*$"));
    if (!rate.hasMatch() || !total.hasMatch() || !p50.hasMatch() || !p99.hasMatch())
        return Error {QStringLiteral("cannot read wrk's output (was it run with --latency?):\n%1").arg(out)};
    figures.requestsPerSecond = rate.captured(1).toDouble();
    figures.requests = total.captured(1).toLongLong();
    const auto p50Us = micros(p50.captured(1), p50.captured(2));
    const auto p99Us = micros(p99.captured(1), p99.captured(2));
    if (!p50Us || !p99Us)
        return Error {QStringLiteral("cannot read wrk's latency percentiles:\n%1").arg(out)};
    figures.p50Us = *p50Us;
    figures.p99Us = *p99Us;
    if (const QRegularExpressionMatch non2xx = find(QStringLiteral("Non-2xx or 3xx responses:\\s+(\\d+)"));
        non2xx.hasMatch())
        figures.non2xx = non2xx.captured(1).toLongLong();
    if (const QRegularExpressionMatch socket
        = find(QStringLiteral("Socket errors: (connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+))"));
        socket.hasMatch()) {
        figures.socketDetail = socket.captured(1);
        for (int i = 2; i <= 5; ++i)
            figures.socketErrors += socket.captured(i).toLongLong();
    }
    return figures;
}

/// CPU seconds (user + system) a process has used, from /proc/PID/stat; nothing when unreadable.
std::optional<double> processCpuSeconds(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray stat = file.readAll();
    // The fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return std::nullopt;
    return double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

/// The load average over the last minute (other processes on the machine take cores too).
double loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    return file.open(QIODevice::ReadOnly) ? file.readAll().split(' ').value(0).toDouble() : 0;
}

/// What a wrk run printed and the CPU it used.
struct WrkRun
{
    QString output;
    double cpuSeconds = 0; ///< read every 100 ms while it runs: the last tenth of a second is missed
};

/// Runs wrk against `url` for `seconds`.
Expected<WrkRun> runWrk(const QString &wrk, const QString &script, const QString &url, int seconds)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(wrk,
                  {QStringLiteral("-t2"), QStringLiteral("-c16"), QStringLiteral("-d%1s").arg(seconds),
                   QStringLiteral("--latency"), QStringLiteral("-s"), script, url});
    if (!process.waitForStarted(10000))
        return Error {QStringLiteral("cannot start %1: %2").arg(wrk, process.errorString())};
    WrkRun run;
    const qint64 pid = process.processId();
    const QDeadlineTimer deadline((seconds + 30) * 1000);
    while (!process.waitForFinished(100)) {
        if (deadline.hasExpired())
            return Error {QStringLiteral("wrk did not finish in %1 s").arg(seconds + 30)};
        run.cpuSeconds = processCpuSeconds(pid).value_or(run.cpuSeconds);
    }
    run.output = QString::fromUtf8(process.readAll());
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return Error {QStringLiteral("wrk failed (exit code %1):\n%2").arg(process.exitCode()).arg(run.output)};
    return run;
}

/// One served run: the agent with `--threads N` under wrk.
struct ServedRun
{
    int threads = 0;
    WrkFigures wrk;
    double agentCpuSeconds = 0;
    double wrkCpuSeconds = 0;
    double loadBefore = 0; ///< the load average as wrk started and ended
    double loadAfter = 0;
    QString wrkOutput;
};

const char *verdict(bool pass)
{
    return pass ? "PASS" : "FAIL";
}

} // namespace

int main(int argc, char **argv)
{
    ensurePassiveOpenMpWait(argv);
    QCoreApplication app(argc, argv);
    linkBuiltinPlugins();
    int seconds = kDefaultSeconds;
    int calls = kDefaultCalls;
    const QStringList args = QCoreApplication::arguments();
    if (const qsizetype at = args.indexOf(QStringLiteral("--duration")); at > 0 && at + 1 < args.size())
        seconds = std::max(1, args.at(at + 1).toInt());
    if (const qsizetype at = args.indexOf(QStringLiteral("--calls")); at > 0 && at + 1 < args.size())
        calls = std::max(1, args.at(at + 1).toInt());

    const QString wrk = QStandardPaths::findExecutable(QStringLiteral("wrk"));
    if (wrk.isEmpty()) {
        std::printf("bench_serve: skipped: wrk is not installed (Debian package wrk)\n");
        return 0;
    }
    if (!QFile::exists(test::kilnServePath()))
        return fail(QStringLiteral("no kiln-serve at %1 (build the kiln-serve target)").arg(test::kilnServePath()));

    QTemporaryDir dir;
    auto ws = Workspace::open(dir.filePath(QStringLiteral("ws")), Workspace::OpenMode::CreateIfMissing);
    if (!ws)
        return fail(ws.errorMessage());
    Workspace &workspace = **ws;

    // ---- The model, its bundle and the request ----
    const GeneratedRows data = generateRows();
    const Expected<BenchModel> built
        = buildBenchModel(workspace, data, dir.filePath(QStringLiteral("predict.csv")), kModel);
    if (!built)
        return fail(built.errorMessage());
    const ModelVersion &version = built->version;
    const QString bundle = dir.filePath(suggestedBundleName(version));
    if (const Status exported = exportBundle(workspace, version.ref(), bundle); !exported)
        return fail(exported.errorMessage());
    const QByteArray body = splitRequest(data.input, kRequestRow);
    const QString script = dir.filePath(QStringLiteral("post.lua"));
    {
        QFile file(script);
        const QByteArray text = wrkScript(body);
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
            return fail(QStringLiteral("cannot write %1: %2").arg(script, file.errorString()));
    }
    std::printf("model: %d features, %d trees of depth %d (%s, trained in %.1f s), bundle %.0f KB; request %lld "
                "bytes (one dataframe_split row)\n",
                kFeatures, kTrees, kDepth, qPrintable(version.ref()), built->trainSeconds,
                double(QFileInfo(bundle).size()) / 1e3, static_cast<long long>(body.size()));

    // ---- In process, one thread ----
    const Expected<std::shared_ptr<const LoadedModel>> loaded = LoadedModel::load(workspace, version.ref());
    if (!loaded)
        return fail(loaded.errorMessage());
    const LoadedModel &model = **loaded;
    const Expected<PredictionInput> parsed = predictionInputFromJson(body);
    if (!parsed)
        return fail(parsed.errorMessage());
    const Expected<Predictions> expected = model.predict(*parsed);
    if (!expected)
        return fail(expected.errorMessage());
    const QJsonObject expectedJson = expected->toJson();
    const CallTimes predictTimes = timeCalls(calls, [&](int) {
        const Expected<Predictions> p = model.predict(*parsed);
        return p ? QString() : p.errorMessage();
    });
    const CallTimes jsonTimes = timeCalls(calls, [&](int) {
        const Expected<PredictionInput> input = predictionInputFromJson(body);
        if (!input)
            return input.errorMessage();
        const Expected<Predictions> p = model.predict(*input);
        return p ? QString() : p.errorMessage();
    });
    for (const CallTimes *t : {&predictTimes, &jsonTimes}) {
        if (!t->error.isEmpty())
            return fail(t->error);
    }
    const double rateA = predictTimes.rate(calls);
    const double rateB = jsonTimes.rate(calls);

    // ---- Served: kiln-serve --threads 1, then 2, under wrk ----
    std::vector<ServedRun> runs;
    for (const int threads : {1, 2}) {
        ServedRun run;
        run.threads = threads;
        QString error;
        const QString dataDir = dir.filePath(QStringLiteral("agent-%1").arg(threads));
        const std::unique_ptr<test::AgentProcess> agent = test::AgentProcess::start(
            dataDir, {QStringLiteral("--bundle"), bundle, QStringLiteral("--threads"), QString::number(threads)},
            &error);
        if (!agent)
            return fail(error);
        const QString url = agent->baseUrl() + QStringLiteral("/invocations");
        {
            // The agent must answer what the model answers in process.
            test::TestHttpClient client(agent->port);
            const test::TestHttpClient::Reply reply = client.request("POST", "/invocations", body);
            if (reply.status != 200)
                return fail(QStringLiteral("POST %1 answered %2: %3")
                                .arg(url)
                                .arg(reply.status)
                                .arg(QString::fromUtf8(reply.body)));
            if (QJsonDocument::fromJson(reply.body).object() != expectedJson)
                return fail(QStringLiteral("the agent answered %1, in process %2")
                                .arg(QString::fromUtf8(reply.body),
                                     QString::fromUtf8(QJsonDocument(expectedJson).toJson(QJsonDocument::Compact))));
        }
        if (const Expected<WrkRun> warm = runWrk(wrk, script, url, kWarmUpSeconds); !warm)
            return fail(warm.errorMessage());
        const qint64 agentPid = agent->process.processId();
        const double agentCpu = processCpuSeconds(agentPid).value_or(0);
        run.loadBefore = loadAverage();
        const Expected<WrkRun> out = runWrk(wrk, script, url, seconds);
        if (!out)
            return fail(out.errorMessage());
        run.loadAfter = loadAverage();
        run.agentCpuSeconds = processCpuSeconds(agentPid).value_or(0) - agentCpu;
        run.wrkCpuSeconds = out->cpuSeconds;
        run.wrkOutput = out->output;
        const Expected<WrkFigures> figures = parseWrk(out->output);
        if (!figures)
            return fail(figures.errorMessage());
        run.wrk = *figures;
        runs.push_back(run);
    } // the agent is stopped by its PID here

    // ---- Report ----
    std::printf("\nin process, one thread, %d calls of the request's row:\n", calls);
    std::printf("  %-46s %9.0f rows/s   p50 %8.1f us   p99 %8.1f us\n", "(a) LoadedModel::predict (row parsed once)",
                rateA, predictTimes.p50Us, predictTimes.p99Us);
    std::printf("  %-46s %9.0f rows/s   p50 %8.1f us   p99 %8.1f us\n", "(b) predictionInputFromJson + predict", rateB,
                jsonTimes.p50Us, jsonTimes.p99Us);
    bool broken = false;
    for (const ServedRun &run : runs) {
        const WrkFigures &w = run.wrk;
        std::printf("\nkiln-serve --threads %d, wrk -t2 -c16 -d%ds --latency, POST /invocations:\n", run.threads,
                    seconds);
        std::printf("  %-46s %9.0f req/s    p50 %8.1f us   p99 %8.1f us\n", "served", w.requestsPerSecond, w.p50Us,
                    w.p99Us);
        std::printf("  %-46s %lld requests, non-2xx %lld, socket errors %lld%s%s%s\n", "answers",
                    static_cast<long long>(w.requests), static_cast<long long>(w.non2xx),
                    static_cast<long long>(w.socketErrors), w.socketDetail.isEmpty() ? "" : " (",
                    qPrintable(w.socketDetail), w.socketDetail.isEmpty() ? "" : ")");
        std::printf("  %-46s agent %.2f cores, %.1f us per request; wrk %.2f cores; load average %.1f to %.1f "
                    "on %d cores\n",
                    "CPU", run.agentCpuSeconds / seconds,
                    w.requests > 0 ? run.agentCpuSeconds * 1e6 / double(w.requests) : 0.0, run.wrkCpuSeconds / seconds,
                    run.loadBefore, run.loadAfter, QThread::idealThreadCount());
        std::printf("  %-46s %.2f (a)   %.2f (b)\n", "ratio served / in process", w.requestsPerSecond / rateA,
                    w.requestsPerSecond / rateB);
        std::printf("  targets: >= %.0f req/s %s, p99 < %.0f ms %s, ratio >= %.1f %s (a) %s (b)\n", kTargetRate,
                    verdict(w.requestsPerSecond >= kTargetRate), kTargetP99Ms, verdict(w.p99Us < kTargetP99Ms * 1e3),
                    kTargetRatio, verdict(w.requestsPerSecond / rateA >= kTargetRatio),
                    verdict(w.requestsPerSecond / rateB >= kTargetRatio));
        if (w.non2xx > 0 || w.socketErrors > 0) {
            broken = true;
            std::printf("  FAILED REQUESTS: wrk's output follows\n%s", qPrintable(run.wrkOutput));
        }
    }
    if (broken)
        return fail(QStringLiteral("some requests failed (see above)"));
    return 0;
}
