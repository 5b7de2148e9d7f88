#include "cli.h"

#include "registry/registrytypes.h"
#include "tasks/feedback.h"
#include "workspace/workspace.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace kiln::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
Feedback *g_cancelOnInterrupt = nullptr;
struct sigaction g_previousInt = {};
struct sigaction g_previousTerm = {};

static_assert(std::atomic<bool>::is_always_lock_free, "Feedback::cancel() must be async-signal-safe");

extern "C" void onInterrupt(int)
{
    g_interrupted = 1;
    if (g_cancelOnInterrupt)
        g_cancelOnInterrupt->cancel();
}

} // namespace

Context::Context(QCommandLineParser &p)
    : parser(p)
    , json(p.isSet(QStringLiteral("json")))
{ }

QString Context::workspaceFolder() const
{
    const QString given = parser.value(QStringLiteral("workspace"));
    return given.isEmpty() ? Workspace::defaultFolder() : given;
}

Expected<std::unique_ptr<Workspace>> Context::openWorkspace() const
{
    return Workspace::open(workspaceFolder(), Workspace::OpenMode::OpenExisting);
}

void Context::printJson(const QJsonObject &object) const
{
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Indented);
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
    std::fflush(stdout);
}

void Context::printLine(const QString &line) const
{
    const QByteArray text = line.toUtf8() + '\n';
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
}

int Context::fail(const QString &reason) const
{
    QString line = reason;
    line.replace(QLatin1Char('\n'), QLatin1String("; "));
    std::fprintf(stderr, "kilnctl: %s\n", line.toUtf8().constData());
    if (json)
        printJson({{QLatin1String("ok"), false}, {QLatin1String("error"), line}});
    return Failure;
}

int Context::usage(const QString &reason) const
{
    std::fprintf(stderr, "kilnctl: %s (see kilnctl --help)\n", reason.toUtf8().constData());
    return UsageError;
}

InterruptGuard::InterruptGuard(Feedback *feedback)
{
    g_interrupted = 0;
    g_cancelOnInterrupt = feedback;
    struct sigaction action = {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    // A second signal ends the process the usual way, for when the clean end takes too long.
    action.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &action, &g_previousInt);
    ::sigaction(SIGTERM, &action, &g_previousTerm);
}

InterruptGuard::~InterruptGuard()
{
    ::sigaction(SIGINT, &g_previousInt, nullptr);
    ::sigaction(SIGTERM, &g_previousTerm, nullptr);
    g_cancelOnInterrupt = nullptr;
}

bool InterruptGuard::interrupted()
{
    return g_interrupted != 0;
}

ProgressLine::ProgressLine(Feedback &feedback)
    : m_feedback(feedback)
    , m_terminal(isatty(fileno(stderr)) != 0)
{
    m_feedback.setProgressCallback([this](double fraction) {
        const QString status = m_feedback.statusText();
        const QMutexLocker lock(&m_mutex);
        if (status == m_shown)
            return;
        m_shown = status;
        const QByteArray line = status.toUtf8();
        std::fprintf(stderr, m_terminal ? "\r\033[K[%3d%%] %s" : "[%3d%%] %s\n", int(fraction * 100), line.constData());
    });
}

ProgressLine::~ProgressLine()
{
    m_feedback.setProgressCallback({});
    if (m_terminal && !m_shown.isEmpty())
        std::fprintf(stderr, "\r\033[K");
}

QString timeJson(const QDateTime &time)
{
    return time.toString(Qt::ISODateWithMs);
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(Qt::ISODate) : QString();
}

QJsonObject deploymentJson(const DeploymentRecord &d)
{
    return {{QLatin1String("id"), d.id},
            {QLatin1String("target"), d.target},
            {QLatin1String("status"), d.status},
            {QLatin1String("detail"), d.detail},
            {QLatin1String("createdAt"), timeJson(d.createdAt)},
            {QLatin1String("endedAt"), d.endedAt.isValid() ? QJsonValue(timeJson(d.endedAt)) : QJsonValue()}};
}

bool oneTarget(const Context &ctx, const QString &command, int &exitCode)
{
    if (ctx.args.size() == 1 && !ctx.args.first().isEmpty())
        return true;
    exitCode = ctx.usage(QStringLiteral("%1 needs one target: kilnctl %1 TARGET").arg(command));
    return false;
}

int secretSources(const Context &ctx)
{
    return int(ctx.parser.isSet(QStringLiteral("secret-file"))) + int(ctx.parser.isSet(QStringLiteral("secret-env")))
        + int(ctx.parser.isSet(QStringLiteral("secret-stdin")));
}

Expected<QByteArray> readSecret(const Context &ctx)
{
    const QString file = ctx.parser.value(QStringLiteral("secret-file"));
    const QString env = ctx.parser.value(QStringLiteral("secret-env"));
    const bool fromStdin = ctx.parser.isSet(QStringLiteral("secret-stdin"));
    const bool given = secretSources(ctx) > 0;
    QByteArray secret;
    if (!env.isEmpty()) {
        if (!qEnvironmentVariableIsSet(env.toLocal8Bit().constData()))
            return Error {QStringLiteral("--secret-env: the environment variable %1 is not set").arg(env)};
        secret = qgetenv(env.toLocal8Bit().constData());
    } else if (given) {
        QFile in;
        bool opened = false;
        if (fromStdin) {
            opened = in.open(stdin, QIODevice::ReadOnly);
        } else {
            in.setFileName(file);
            opened = in.open(QIODevice::ReadOnly);
        }
        if (!opened)
            return Error {QStringLiteral("cannot read the secret from %1: %2")
                              .arg(fromStdin ? QStringLiteral("stdin") : file, in.errorString())};
        secret = in.readAll();
    }
    while (secret.endsWith('\n') || secret.endsWith('\r'))
        secret.chop(1);
    if (given && secret.isEmpty())
        return Error {QStringLiteral("the secret from %1 is empty")
                          .arg(!env.isEmpty()  ? env
                                   : fromStdin ? QStringLiteral("stdin")
                                               : file)};
    return secret;
}

QString formatTable(const QStringList &header, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QString &h : header)
        widths << h.size();
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], std::min<qsizetype>(row[i].size(), 40));
    }
    const auto line = [&widths](const QStringList &cells) {
        QString out;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            QString cell = cells[i];
            if (cell.size() > 40)
                cell = cell.left(39) + QChar(0x2026);
            out += i + 1 < cells.size() ? cell.leftJustified(widths[i] + 2) : cell;
        }
        return out;
    };
    QStringList lines {line(header)};
    for (const QStringList &row : rows)
        lines << line(row);
    return lines.join(QLatin1Char('\n'));
}

} // namespace kiln::cli
