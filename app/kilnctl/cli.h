#pragma once

#include "util/expected.h"

#include <QByteArray>
#include <QCommandLineParser>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>

class QDateTime;

namespace kiln {
class Feedback;
class Workspace;
struct DeploymentRecord;
struct RunRecord;
} // namespace kiln

namespace kiln::cli {

/// Exit codes kilnctl promises to scripts.
enum ExitCode { Success = 0, Failure = 1, UsageError = 2 };

/// What every command gets: parsed options, positional words after the command, and the
/// output mode. Commands print through it so that --json and text stay consistent.
class Context
{
public:
    explicit Context(QCommandLineParser &parser);

    QCommandLineParser &parser;
    QStringList args; ///< positional arguments after the command word(s)
    bool json = false;

    QString workspaceFolder() const;
    /// Opens the workspace named by --workspace (or the default); never creates one.
    Expected<std::unique_ptr<Workspace>> openWorkspace() const;

    void printJson(const QJsonObject &object) const;
    void printLine(const QString &line) const;
    /// One line on stderr, "kilnctl: reason"; returns Failure.
    int fail(const QString &reason) const;
    int usage(const QString &reason) const;
};

int workspaceInit(Context &ctx);
int workspaceInfo(Context &ctx);
int importPaths(Context &ctx);
int datasetsList(Context &ctx);
int datasetsShow(Context &ctx);
int datasetsRows(Context &ctx);
int datasetsStats(Context &ctx);
int train(Context &ctx);
int runCommand(Context &ctx);
int runsList(Context &ctx);
int runsShow(Context &ctx);
int runsMetrics(Context &ctx);
int runsCancel(Context &ctx);
int runsCompare(Context &ctx);
int runsExport(Context &ctx);
int demo(Context &ctx);
int trainersList(Context &ctx);
int modelsList(Context &ctx);
int modelsShow(Context &ctx);
int modelsRegister(Context &ctx);
int modelsAlias(Context &ctx);
int modelsTag(Context &ctx);
int modelsStatus(Context &ctx);
int modelsDelete(Context &ctx);
int modelsExport(Context &ctx);
int modelsImport(Context &ctx);
int predict(Context &ctx);
int targetsAdd(Context &ctx);
int targetsList(Context &ctx);
int targetsRemove(Context &ctx);
int targetsKinds(Context &ctx);
int deploy(Context &ctx);
int deploymentsList(Context &ctx);
int deploymentsStatus(Context &ctx);
int deploymentsRollback(Context &ctx);
int deploymentsUndeploy(Context &ctx);
int serve(Context &ctx);
int worker(Context &ctx); // workercommand.cpp
int workspacePush(Context &ctx); // workspacecommands.cpp
int workspacePull(Context &ctx);
int mlflowImport(Context &ctx); // mlflowcommands.cpp
int mlflowExport(Context &ctx);

/// While one lives, SIGINT and SIGTERM do not end the process: they set a flag (and cancel
/// `feedback`, whose flag is a lock-free atomic, so both are async-signal-safe) that a long
/// command polls, so it ends cleanly. A second signal ends the process the usual way. One at a
/// time; the previous handlers come back after.
class InterruptGuard final
{
public:
    explicit InterruptGuard(Feedback *feedback = nullptr);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard &operator=(const InterruptGuard &) = delete;

    /// Whether a signal came since this guard was made.
    static bool interrupted();
};

/// Shows `feedback`'s progress on stderr while it lives: one updating line on a terminal, else a
/// line each time the status text changes (each run, each item), so a log shows what was being
/// done when it stopped. Safe when the work reports from several threads.
class ProgressLine final
{
public:
    explicit ProgressLine(Feedback &feedback);
    ~ProgressLine(); ///< clears the terminal's line
    ProgressLine(const ProgressLine &) = delete;
    ProgressLine &operator=(const ProgressLine &) = delete;

private:
    Feedback &m_feedback;
    const bool m_terminal;
    QMutex m_mutex;
    QString m_shown;
};

/// A run as `runs list|show --json` and `train --json` print it.
QJsonObject runJson(const RunRecord &run);

/// Key → value pairs (params, tags) as a JSON object. (Tags as text: ModelVersionsModel::tagsText.)
QJsonObject pairsJson(const QList<QPair<QString, QString>> &pairs);

/// A map of numbers (results, metrics, aliases → versions) as a JSON object.
template<typename Number>
QJsonObject mapJson(const QMap<QString, Number> &map)
{
    QJsonObject o;
    for (auto it = map.begin(); it != map.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

/// A stored time as --json prints it: ISO 8601 with milliseconds.
QString timeJson(const QDateTime &time);
/// A time in text output, as `datasets list` prints it: local, to the second; empty when unset.
QString timeText(const QDateTime &time);

/// A deployment as `models show --json` lists it with its version (`deploy` and `deployments`
/// add the version's name and number).
QJsonObject deploymentJson(const DeploymentRecord &d);

/// Whether the command got its one target name (targets remove, deployments status|rollback|
/// undeploy); if not, `exitCode` is the usage error's.
bool oneTarget(const Context &ctx, const QString &command, int &exitCode);

/// How many of --secret-file, --secret-env and --secret-stdin are given.
int secretSources(const Context &ctx);
/// The secret from --secret-file, --secret-env or --secret-stdin (never an argument of its own,
/// which `ps` and shell history would keep), empty when none is given; trailing line breaks
/// are not part of it. (Target tokens, team store passwords.)
Expected<QByteArray> readSecret(const Context &ctx);

/// Formats a table of text columns with aligned widths.
QString formatTable(const QStringList &header, const QList<QStringList> &rows);

} // namespace kiln::cli
