#include "runs/externalrun.h"

#include "runs/protocol.h"
#include "runs/pythonhelper.h"
#include "runs/runrecorder.h"
#include "runs/systemsampler.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QSaveFile>
#include <QStandardPaths>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace kiln {
namespace {

QString environmentName(const QString &param)
{
    QString name = param.toUpper();
    for (QChar &c : name) {
        if (!c.isLetterOrNumber())
            c = QLatin1Char('_');
    }
    return QLatin1String("KILN_PARAM_") + name;
}

/// Writes the Python helper into the workspace once (and again when Kiln's copy changes).
QString installPythonHelper(const QString &workspaceRoot)
{
    QString dir = workspaceRoot + QLatin1String("/python");
    const QString path = dir + QLatin1String("/kiln_tracking.py");
    const QByteArray source = pythonHelperSource();
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly) && existing.readAll() == source)
        return dir;
    existing.close();
    QDir().mkpath(dir);
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(source);
        file.commit();
    }
    return dir;
}

/// SIGTERM to the whole group, then SIGKILL to what is left after a grace period.
void endProcessGroup(QProcess &process)
{
    const qint64 pid = process.processId();
    if (pid <= 0)
        return;
    ::kill(-pid_t(pid), SIGTERM);
    if (!process.waitForFinished(3000)) {
        ::kill(-pid_t(pid), SIGKILL);
        process.waitForFinished(3000);
    }
    // Children that ignored SIGTERM and outlived the leader share its group: end them too.
    ::kill(-pid_t(pid), SIGKILL);
}

} // namespace

ExternalRunOutcome runExternalCommand(const RunRecord &run, const QString &workspaceRoot, RunRecorder &recorder,
                                      Feedback &feedback, const std::function<bool()> &cancelRequested)
{
    ExternalRunOutcome outcome;
    const RunSpec &spec = run.spec;
    if (spec.command.isEmpty()) {
        outcome.error = QStringLiteral("no command to run");
        return outcome;
    }
    const QString workingDir = spec.workingDir.isEmpty() ? QDir::currentPath() : spec.workingDir;
    if (!QFileInfo(workingDir).isDir()) {
        outcome.error = QStringLiteral("working folder %1 does not exist").arg(workingDir);
        return outcome;
    }
    QString program = spec.command.first();
    if (!program.contains(QLatin1Char('/'))) {
        const QString found = QStandardPaths::findExecutable(program);
        if (found.isEmpty()) {
            outcome.error = QStringLiteral("command '%1' not found on PATH").arg(program);
            return outcome;
        }
        program = found;
    } else {
        const QFileInfo info(QDir(workingDir).absoluteFilePath(program));
        if (!info.isFile() || !info.isExecutable()) {
            outcome.error = QStringLiteral("command '%1' does not exist or is not executable").arg(program);
            return outcome;
        }
        program = info.absoluteFilePath();
    }
    const QString outputDir = spec.outputDir.isEmpty() ? recorder.runFolder() + QLatin1String("/outputs")
                                                       : QDir(workingDir).absoluteFilePath(spec.outputDir);
    QDir().mkpath(outputDir);

    QStringList arguments = spec.command.mid(1);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = spec.params.begin(); it != spec.params.end(); ++it) {
        const QString value = it.value().toVariant().toString();
        arguments << QLatin1String("--") + it.key() << value;
        env.insert(environmentName(it.key()), value);
    }
    const QString helperDir = installPythonHelper(workspaceRoot);
    const QString pythonPath = env.value(QStringLiteral("PYTHONPATH"));
    env.insert(QStringLiteral("PYTHONPATH"),
               pythonPath.isEmpty() ? helperDir : helperDir + QLatin1Char(':') + pythonPath);
    env.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));
    env.insert(QStringLiteral("KILN_RUN_ID"), run.uuid);
    env.insert(QStringLiteral("KILN_RUN_NUMBER"), QString::number(run.id));
    env.insert(QStringLiteral("KILN_WORKSPACE"), workspaceRoot);
    env.insert(QStringLiteral("KILN_OUTPUT_DIR"), outputDir);

    QProcess process;
    process.setProgram(program);
    process.setArguments(arguments);
    process.setWorkingDirectory(workingDir);
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    // A group of its own (cancel and timeout reach every process the command starts), and SIGKILL if the runner dies
    // first (kill -9 of the app or kilnctl), so no command outlives the process that tracks it.
    process.setChildProcessModifier([] {
        ::setsid();
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
    recorder.logLine(QStringLiteral("$ %1 %2").arg(program, arguments.join(QLatin1Char(' '))));
    process.start();
    if (!process.waitForStarted(10000)) {
        outcome.error = QStringLiteral("cannot start '%1': %2").arg(program, process.errorString());
        return outcome;
    }
    SystemSampler sampler(process.processId(), [&recorder](qint64 second, double cpu, double memory) {
        recorder.queueMetric(QStringLiteral("system/cpu_percent"), second, cpu);
        recorder.queueMetric(QStringLiteral("system/memory_mib"), second, memory);
    });

    QList<QString> declaredArtifacts;
    qint64 lineNumber = 0;
    const auto handleLine = [&](QByteArray line) {
        ++lineNumber;
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.endsWith('\r'))
            line.chop(1);
        const ProtocolMessage m = parseProtocolLine(line);
        switch (m.kind) {
        case ProtocolMessage::Kind::None:
            recorder.logRawLine(line);
            break;
        case ProtocolMessage::Kind::Malformed:
            ++outcome.malformedLines;
            recorder.logRawLine(line);
            recorder.logLine(
                QStringLiteral("[kiln] output line %1 is not a valid protocol line: %2").arg(lineNumber).arg(m.text));
            break;
        case ProtocolMessage::Kind::Metric:
            recorder.logMetric(m.key, m.step, m.value);
            break;
        case ProtocolMessage::Kind::Param:
            recorder.logParam(m.key, m.text);
            break;
        case ProtocolMessage::Kind::Tag:
            recorder.logTag(m.key, m.text);
            break;
        case ProtocolMessage::Kind::Result:
            recorder.logResults({{m.key, m.value}});
            break;
        case ProtocolMessage::Kind::Artifact:
            declaredArtifacts << m.text;
            break;
        }
    };
    const auto drain = [&] {
        while (process.canReadLine())
            handleLine(process.readLine());
    };

    QElapsedTimer clock;
    clock.start();
    QElapsedTimer sinceCancelPoll;
    sinceCancelPoll.start();
    bool cancelled = false;
    bool timedOut = false;
    while (process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(100);
        drain();
        recorder.flushIfDue();
        if (spec.timeoutSeconds > 0 && clock.elapsed() > qint64(spec.timeoutSeconds) * 1000) {
            timedOut = true;
            break;
        }
        if (feedback.isCanceled()) {
            cancelled = true;
            break;
        }
        if (sinceCancelPoll.elapsed() >= 500) {
            sinceCancelPoll.restart();
            if (cancelRequested && cancelRequested()) {
                cancelled = true;
                break;
            }
        }
    }
    if (cancelled || timedOut)
        endProcessGroup(process);
    process.waitForFinished(-1);
    drain();
    const QByteArray rest = process.readAll();
    if (!rest.isEmpty())
        handleLine(rest);
    sampler.stop();
    recorder.flush();

    // Declared artifacts and everything in the output folder are kept.
    for (const QString &path : std::as_const(declaredArtifacts)) {
        const QString absolute = QDir(workingDir).absoluteFilePath(path);
        if (QFileInfo(absolute).isFile())
            recorder.addArtifactFile(absolute,
                                     QFileInfo(path).isAbsolute() ? QFileInfo(path).fileName() : QDir::cleanPath(path));
        else
            recorder.logLine(QStringLiteral("[kiln] declared artifact %1 does not exist").arg(path));
    }
    QDirIterator files(outputDir, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString file = files.next();
        recorder.addArtifactFile(file, QLatin1String("outputs/") + QDir(outputDir).relativeFilePath(file));
    }

    if (cancelled) {
        outcome.status = RunStatus::Cancelled;
        outcome.error = QStringLiteral("cancelled");
    } else if (timedOut) {
        outcome.error = QStringLiteral("timed out after %1 s").arg(spec.timeoutSeconds);
    } else if (process.exitStatus() == QProcess::CrashExit) {
        outcome.error = QStringLiteral("the command crashed (%1)").arg(process.errorString());
    } else {
        outcome.exitCode = process.exitCode();
        if (*outcome.exitCode == 0) {
            outcome.status = RunStatus::Finished;
        } else {
            outcome.error = QStringLiteral("exited with code %1").arg(*outcome.exitCode);
        }
    }
    if (outcome.malformedLines > 0)
        recorder.logLine(
            QStringLiteral("[kiln] %1 malformed protocol line(s) were kept in the log").arg(outcome.malformedLines));
    return outcome;
}

} // namespace kiln
