#include "slurm/slurmclient.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>

namespace kiln {
namespace {

/// "1 min", "90 min" → "1 h 30 min", "48 h".
QString minutesText(int minutes)
{
    if (minutes < 60)
        return QStringLiteral("%1 min").arg(minutes);
    if (minutes % 60 == 0)
        return QStringLiteral("%1 h").arg(minutes / 60);
    return QStringLiteral("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}

QString megabytesText(int megabytes)
{
    if (megabytes >= 1024 && megabytes % 1024 == 0)
        return QStringLiteral("%1 GB").arg(megabytes / 1024);
    return QStringLiteral("%1 MB").arg(megabytes);
}

/// Single-quoted for sh: every character literal, a quote as '\''.
QByteArray shellQuoted(const QString &word)
{
    QByteArray quoted = word.toUtf8();
    quoted.replace('\'', "'\\''");
    return '\'' + quoted + '\'';
}

/// A value on an #SBATCH line: sbatch splits those lines at blanks and strips double quotes.
QByteArray directiveValue(const QString &value)
{
    QByteArray utf8 = value.toUtf8();
    if (value.contains(QLatin1Char(' ')) || value.contains(QLatin1Char('\t')))
        return '"' + utf8 + '"';
    return utf8;
}

/// A job name Slurm shows in squeue without surprises.
QString safeJobName(const QString &name)
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
    QString safe = name;
    safe.replace(unsafe, QStringLiteral("-"));
    return safe.isEmpty() ? QStringLiteral("kiln") : safe.left(64);
}

/// A number Slurm writes either plainly (22.05) or as {"set": true, "number": N} (23.02 on);
/// `fallback` when unset or infinite.
qint64 slurmNumber(const QJsonValue &value, qint64 fallback)
{
    if (value.isDouble())
        return qint64(value.toDouble());
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        if (o.value(QLatin1String("set")).toBool(true) && !o.value(QLatin1String("infinite")).toBool(false)
            && o.value(QLatin1String("number")).isDouble())
            return qint64(o.value(QLatin1String("number")).toDouble());
    }
    return fallback;
}

/// A word Slurm writes either as a string (22.05) or as a list of flags (23.02 on).
QString slurmWord(const QJsonValue &value)
{
    if (value.isArray())
        return value.toArray().first().toString();
    return value.toString();
}

/// The batch script's exit code from Slurm's wait status (22.05: 768 for `exit 3`; a
/// signal N as 128 + N, as a shell reports it).
int exitCodeOf(const QJsonValue &value)
{
    if (value.isObject()) { // 23.02 on: {"status": [...], "return_code": N, "signal": {...}}
        const QJsonObject o = value.toObject();
        const qint64 signal = slurmNumber(o.value(QLatin1String("signal")).toObject().value(QLatin1String("id")), 0);
        if (signal > 0)
            return int(128 + signal);
        return int(slurmNumber(o.value(QLatin1String("return_code")), -1));
    }
    const qint64 status = slurmNumber(value, -1);
    if (status < 0)
        return -1;
    if ((status & 0x7f) != 0)
        return int(128 + (status & 0x7f));
    return int((status >> 8) & 0xff);
}

/// The task indices of an array's pending remainder, e.g. "1-3,7,10-20:5%4".
QList<int> arrayTaskIndices(const QString &spec)
{
    QList<int> indices;
    QString list = spec;
    if (const qsizetype percent = list.indexOf(QLatin1Char('%')); percent >= 0)
        list.truncate(percent);
    for (const QString &part : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList rangeAndStep = part.split(QLatin1Char(':'));
        const QStringList bounds = rangeAndStep.first().split(QLatin1Char('-'));
        bool okFirst = false;
        bool okLast = true;
        const int first = bounds.first().toInt(&okFirst);
        const int last = bounds.size() > 1 ? bounds.at(1).toInt(&okLast) : first;
        const int step = rangeAndStep.size() > 1 ? std::max(1, rangeAndStep.at(1).toInt()) : 1;
        if (!okFirst || !okLast)
            continue;
        for (int i = first; i <= last && indices.size() < 100000; i += step)
            indices << i;
    }
    return indices;
}

/// What a tool printed on stderr (or stdout), as one line without the "sbatch: error: " prefixes.
QString toolMessage(const QByteArray &err, const QByteArray &out)
{
    QStringList lines;
    for (const QByteArray &line : (err.trimmed().isEmpty() ? out : err).split('\n')) {
        QString text = QString::fromUtf8(line).trimmed();
        static const QRegularExpression prefix(QStringLiteral("^[a-z]+: (error|fatal): "));
        text.remove(prefix);
        if (!text.isEmpty())
            lines << text;
    }
    return lines.join(QLatin1String("; "));
}

} // namespace

SlurmJobState slurmJobStateFromName(const QString &name)
{
    // Full names as squeue/scontrol print them, and squeue's compact codes.
    static const QHash<QString, SlurmJobState> states = {
        {QStringLiteral("PENDING"), SlurmJobState::Pending},
        {QStringLiteral("PD"), SlurmJobState::Pending},
        {QStringLiteral("REQUEUED"), SlurmJobState::Pending},
        {QStringLiteral("RQ"), SlurmJobState::Pending},
        {QStringLiteral("REQUEUE_HOLD"), SlurmJobState::Pending},
        {QStringLiteral("RH"), SlurmJobState::Pending},
        {QStringLiteral("REQUEUE_FED"), SlurmJobState::Pending},
        {QStringLiteral("RF"), SlurmJobState::Pending},
        {QStringLiteral("RESV_DEL_HOLD"), SlurmJobState::Pending},
        {QStringLiteral("RD"), SlurmJobState::Pending},
        {QStringLiteral("RUNNING"), SlurmJobState::Running},
        {QStringLiteral("R"), SlurmJobState::Running},
        {QStringLiteral("COMPLETING"), SlurmJobState::Running},
        {QStringLiteral("CG"), SlurmJobState::Running},
        {QStringLiteral("CONFIGURING"), SlurmJobState::Running},
        {QStringLiteral("CF"), SlurmJobState::Running},
        {QStringLiteral("SUSPENDED"), SlurmJobState::Running},
        {QStringLiteral("S"), SlurmJobState::Running},
        {QStringLiteral("STOPPED"), SlurmJobState::Running},
        {QStringLiteral("ST"), SlurmJobState::Running},
        {QStringLiteral("SIGNALING"), SlurmJobState::Running},
        {QStringLiteral("SI"), SlurmJobState::Running},
        {QStringLiteral("STAGE_OUT"), SlurmJobState::Running},
        {QStringLiteral("SO"), SlurmJobState::Running},
        {QStringLiteral("RESIZING"), SlurmJobState::Running},
        {QStringLiteral("RS"), SlurmJobState::Running},
        {QStringLiteral("COMPLETED"), SlurmJobState::Completed},
        {QStringLiteral("CD"), SlurmJobState::Completed},
        {QStringLiteral("FAILED"), SlurmJobState::Failed},
        {QStringLiteral("F"), SlurmJobState::Failed},
        {QStringLiteral("BOOT_FAIL"), SlurmJobState::Failed},
        {QStringLiteral("BF"), SlurmJobState::Failed},
        {QStringLiteral("DEADLINE"), SlurmJobState::Failed},
        {QStringLiteral("DL"), SlurmJobState::Failed},
        {QStringLiteral("CANCELLED"), SlurmJobState::Cancelled},
        {QStringLiteral("CA"), SlurmJobState::Cancelled},
        {QStringLiteral("TIMEOUT"), SlurmJobState::Timeout},
        {QStringLiteral("TO"), SlurmJobState::Timeout},
        {QStringLiteral("OUT_OF_MEMORY"), SlurmJobState::OutOfMemory},
        {QStringLiteral("OOM"), SlurmJobState::OutOfMemory},
        {QStringLiteral("NODE_FAIL"), SlurmJobState::NodeFail},
        {QStringLiteral("NF"), SlurmJobState::NodeFail},
        {QStringLiteral("PREEMPTED"), SlurmJobState::Preempted},
        {QStringLiteral("PR"), SlurmJobState::Preempted},
    };
    // sacct writes "CANCELLED by 1000".
    const QString word = name.trimmed().section(QLatin1Char(' '), 0, 0).toUpper();
    return states.value(word, SlurmJobState::Unknown);
}

bool isTerminal(SlurmJobState state)
{
    switch (state) {
    case SlurmJobState::Pending:
    case SlurmJobState::Running:
    case SlurmJobState::Unknown:
        return false;
    case SlurmJobState::Completed:
    case SlurmJobState::Failed:
    case SlurmJobState::Cancelled:
    case SlurmJobState::Timeout:
    case SlurmJobState::OutOfMemory:
    case SlurmJobState::NodeFail:
    case SlurmJobState::Preempted:
        return true;
    }
    return false;
}

std::optional<RunStatus> runStatusForJob(SlurmJobState state)
{
    if (!isTerminal(state))
        return std::nullopt;
    if (state == SlurmJobState::Completed)
        return RunStatus::Finished;
    if (state == SlurmJobState::Cancelled)
        return RunStatus::Cancelled;
    return RunStatus::Failed;
}

QString slurmEndReason(const QString &jobId, SlurmJobState state, const QString &slurmReason,
                       const ClusterResources &requested)
{
    // Slurm's own reason, when it says more than the state does.
    const bool informative = !slurmReason.isEmpty() && slurmReason != QLatin1String("None")
        && slurmReason != QLatin1String("TimeLimit") && slurmReason != QLatin1String("OutOfMemory");
    const QString because = informative ? QStringLiteral(" (%1)").arg(slurmReason) : QString();
    switch (state) {
    case SlurmJobState::Completed:
        return QStringLiteral("Slurm job %1 completed").arg(jobId);
    case SlurmJobState::Failed:
        return QStringLiteral("Slurm job %1 failed%2").arg(jobId, because);
    case SlurmJobState::Cancelled:
        return QStringLiteral("Slurm cancelled job %1%2").arg(jobId, because);
    case SlurmJobState::Timeout:
        return requested.timeLimitMinutes > 0 ? QStringLiteral("Slurm ended job %1 at its time limit (%2)")
                                                    .arg(jobId, minutesText(requested.timeLimitMinutes))
                                              : QStringLiteral("Slurm ended job %1 at its time limit").arg(jobId);
    case SlurmJobState::OutOfMemory:
        return requested.memoryMb > 0 ? QStringLiteral("Slurm killed job %1: it ran out of memory (%2)")
                                            .arg(jobId, megabytesText(requested.memoryMb))
                                      : QStringLiteral("Slurm killed job %1: it ran out of memory").arg(jobId);
    case SlurmJobState::NodeFail:
        return QStringLiteral("Slurm job %1 ended because its node failed%2").arg(jobId, because);
    case SlurmJobState::Preempted:
        return QStringLiteral("Slurm preempted job %1%2").arg(jobId, because);
    case SlurmJobState::Pending:
        return QStringLiteral("Slurm job %1 is pending%2").arg(jobId, because);
    case SlurmJobState::Running:
        return QStringLiteral("Slurm job %1 is running").arg(jobId);
    case SlurmJobState::Unknown:
        break;
    }
    return QStringLiteral("Slurm no longer lists job %1").arg(jobId);
}

QByteArray slurmBatchScript(const SlurmBatch &batch)
{
    QByteArray script = "#!/bin/sh\n";
    const auto directive = [&script](const char *option, const QByteArray &value) {
        script += QByteArray("#SBATCH --") + option + '=' + value + '\n';
    };
    directive("job-name", safeJobName(batch.jobName).toUtf8());
    if (!batch.outputPath.isEmpty())
        directive("output", directiveValue(batch.outputPath));
    if (!batch.workingDir.isEmpty())
        directive("chdir", directiveValue(batch.workingDir));
    const ClusterResources &r = batch.resources;
    if (r.cpus > 0)
        directive("cpus-per-task", QByteArray::number(r.cpus));
    if (r.memoryMb > 0)
        directive("mem", QByteArray::number(r.memoryMb)); // Slurm's unit: megabytes
    if (r.timeLimitMinutes > 0)
        directive("time", QByteArray::number(r.timeLimitMinutes));
    if (!r.partition.isEmpty())
        directive("partition", directiveValue(r.partition));
    if (batch.arrayTasks > 0)
        directive("array", "0-" + QByteArray::number(batch.arrayTasks - 1));
    // A requeued job would start its run a second time; Kiln decides about retries itself.
    script += "#SBATCH --no-requeue\n";
    static const QRegularExpression variableName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    for (auto it = batch.environment.begin(); it != batch.environment.end(); ++it) {
        if (variableName.match(it.key()).hasMatch())
            script += "export " + it.key().toUtf8() + '=' + shellQuoted(it.value()) + '\n';
    }
    QByteArrayList words;
    for (const QString &argument : batch.command) {
        if (batch.arrayTasks > 0 && argument == QLatin1String("{task}"))
            words << "\"$SLURM_ARRAY_TASK_ID\"";
        else
            words << shellQuoted(argument);
    }
    script += "exec " + words.join(' ') + '\n';
    return script;
}

SlurmClient::SlurmClient(Options options)
    : m_options(std::move(options))
{ }

namespace {

/// What one run of a Slurm tool printed, and how it exited.
struct ToolOutput
{
    QByteArray out;
    QByteArray err;
    int exitCode = 0;

    /// Its complaint, for an Error: "sbatch: Batch job submission failed: ...".
    QString message(const QString &tool) const
    {
        QString text = toolMessage(err, out);
        if (text.isEmpty())
            text = QStringLiteral("exit code %1").arg(exitCode);
        return QStringLiteral("%1: %2").arg(tool, text);
    }
};

QString toolPath(const SlurmClient::Options &options, const QString &tool)
{
    if (!options.binDir.isEmpty())
        return QDir(options.binDir).filePath(tool);
    return QStandardPaths::findExecutable(tool);
}

/// Runs a Slurm tool to its end; an Error when it cannot start or does not end in time.
Expected<ToolOutput> runTool(const SlurmClient::Options &options, const QString &tool, const QStringList &arguments)
{
    const QString program = toolPath(options, tool);
    if (program.isEmpty() || !QFileInfo(program).isExecutable())
        return Error {QStringLiteral("%1 not found%2: is Slurm installed?")
                          .arg(tool,
                               options.binDir.isEmpty() ? QStringLiteral(" on PATH")
                                                        : QStringLiteral(" in %1").arg(options.binDir))};
    QProcess process;
    if (!options.slurmConf.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SLURM_CONF"), options.slurmConf);
        process.setProcessEnvironment(env);
    }
    process.start(program, arguments);
    if (!process.waitForStarted(options.timeoutMs))
        return Error {QStringLiteral("cannot run %1: %2").arg(program, process.errorString())};
    if (!process.waitForFinished(options.timeoutMs)) {
        process.kill();
        process.waitForFinished(1000);
        return Error {QStringLiteral("%1 did not answer within %2 s").arg(tool).arg(options.timeoutMs / 1000)};
    }
    const int exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return ToolOutput {process.readAllStandardOutput(), process.readAllStandardError(), exitCode};
}

/// runTool, with a failed exit as an Error carrying what the tool said.
Expected<ToolOutput> runToolChecked(const SlurmClient::Options &options, const QString &tool,
                                    const QStringList &arguments)
{
    auto output = runTool(options, tool, arguments);
    if (output && output->exitCode != 0)
        return Error {output->message(tool)};
    return output;
}

} // namespace

bool SlurmClient::isAvailable() const
{
    const QString sbatch = toolPath(m_options, QStringLiteral("sbatch"));
    return !sbatch.isEmpty() && QFileInfo(sbatch).isExecutable();
}

Status SlurmClient::ping() const
{
    // "Slurmctld(primary) at HOST is UP", or "... is DOWN" and a banner, exit code 1.
    auto output = runTool(m_options, QStringLiteral("scontrol"), {QStringLiteral("ping")});
    if (!output)
        return output.error();
    const QString first = QString::fromUtf8(output->out).trimmed().section(QLatin1Char('\n'), 0, 0).trimmed();
    if (output->exitCode == 0 && first.contains(QLatin1String(" is UP")))
        return {};
    if (first.contains(QLatin1String(" is ")))
        return Error {QStringLiteral("the Slurm controller does not answer: %1").arg(first)};
    return Error {output->message(QStringLiteral("scontrol ping"))};
}

Expected<QString> SlurmClient::submit(const QString &scriptPath) const
{
    auto output = runToolChecked(m_options, QStringLiteral("sbatch"), {QStringLiteral("--parsable"), scriptPath});
    if (!output)
        return output.error();
    // "123" or "123;cluster"; warnings may precede it on other lines.
    const QList<QByteArray> lines = output->out.trimmed().split('\n');
    const QString id = QString::fromUtf8(lines.last()).trimmed().section(QLatin1Char(';'), 0, 0);
    bool number = false;
    id.toLongLong(&number);
    if (!number)
        return Error {QStringLiteral("sbatch answered '%1' instead of a job id").arg(QString::fromUtf8(output->out))};
    return id;
}

Expected<QList<SlurmJobInfo>> SlurmClient::jobs(const QStringList &jobIds) const
{
    QList<SlurmJobInfo> found;
    if (jobIds.isEmpty())
        return found;
    // squeue --json ignores its filters in 22.05 and lists every job it knows, ended ones too
    // (for MinJobAge after the end): pick the asked ones here. `scontrol show job` has no JSON.
    auto output = runToolChecked(m_options, QStringLiteral("squeue"), {QStringLiteral("--json")});
    if (!output)
        return output.error();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(output->out, &parseError);
    if (doc.isNull())
        return Error {QStringLiteral("squeue --json printed what is not JSON: %1").arg(parseError.errorString())};
    // With the controller down squeue --json exits 0 with an empty list and a vague error: never
    // take that for "no jobs". The controller's state says more than the error does.
    const QJsonArray errors = doc.object().value(QLatin1String("errors")).toArray();
    if (!errors.isEmpty()) {
        if (Status up = ping(); !up)
            return up.error();
        const QJsonObject first = errors.first().toObject();
        return Error {QStringLiteral("squeue: %1 (%2)")
                          .arg(first.value(QLatin1String("description")).toString(),
                               first.value(QLatin1String("error")).toString())};
    }
    const QSet<QString> wanted(jobIds.begin(), jobIds.end());
    const QJsonArray list = doc.object().value(QLatin1String("jobs")).toArray();
    for (const QJsonValue value : list) {
        const QJsonObject job = value.toObject();
        SlurmJobInfo info;
        info.stateName = slurmWord(job.value(QLatin1String("job_state")));
        info.state = slurmJobStateFromName(info.stateName);
        info.reason = job.value(QLatin1String("state_reason")).toString();
        info.node = job.value(QLatin1String("nodes")).toString();
        info.exitCode = isTerminal(info.state) ? exitCodeOf(job.value(QLatin1String("exit_code"))) : -1;
        info.timeLimitMinutes = int(slurmNumber(job.value(QLatin1String("time_limit")), 0));
        const QString id = QString::number(slurmNumber(job.value(QLatin1String("job_id")), 0));
        const qint64 arrayJob = slurmNumber(job.value(QLatin1String("array_job_id")), 0);
        const qint64 arrayTask = slurmNumber(job.value(QLatin1String("array_task_id")), -1);
        if (arrayJob <= 0) {
            info.jobId = id;
            if (wanted.contains(id))
                found << info;
            continue;
        }
        const QString array = QString::number(arrayJob);
        QList<int> tasks;
        if (arrayTask >= 0)
            tasks << int(arrayTask);
        else // the array's tasks that have not started yet, listed as one record
            tasks = arrayTaskIndices(job.value(QLatin1String("array_task_string")).toString());
        for (int task : std::as_const(tasks)) {
            info.jobId = QStringLiteral("%1_%2").arg(array).arg(task);
            if (wanted.contains(info.jobId) || wanted.contains(array))
                found << info;
        }
    }
    return found;
}

Status SlurmClient::cancel(const QString &jobId) const
{
    // Quiet, scancel exits 0 and says nothing about a job it does not know: ask it to talk.
    auto output = runToolChecked(m_options, QStringLiteral("scancel"), {QStringLiteral("--verbose"), jobId});
    if (!output)
        return output.error();
    for (const QByteArray &line : output->err.split('\n')) {
        // A job that ended meanwhile has nothing left to cancel.
        if (line.contains("error:") && !line.contains("already completing or completed"))
            return Error {QStringLiteral("scancel: %1").arg(toolMessage(line, {}))};
    }
    return {};
}

} // namespace kiln
