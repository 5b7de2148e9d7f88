#pragma once

// Small helpers shared by the test executables. Header-only on purpose: each test links
// the library it tests, not a second copy of it. Every test links kiln_core, so core APIs
// (RunStore, Workspace) are fine here; nothing from Widgets.

#include "models/csv.h"
#include "postgresserver.h"
#include "runs/runstore.h"
#include "workspace/workspace.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace kiln::test {

/// Where tests write what a person may want to look at (screenshots, reports).
inline QString outputDir()
{
    QString dir = qEnvironmentVariable("KILN_TEST_OUTPUT");
    if (dir.isEmpty())
        dir = QStringLiteral(KILN_TEST_OUTPUT);
    QDir().mkpath(dir);
    return dir;
}

/// Whether this run of a store test targets PostgreSQL: ctest runs each store suite twice,
/// the second time with KILN_TEST_STORE=postgresql.
inline bool onPostgres()
{
    return qEnvironmentVariable("KILN_TEST_STORE") == QLatin1String("postgresql");
}

/// Where a store test makes a workspace: the folder itself (SQLite), or with
/// KILN_TEST_STORE=postgresql a new database on this process's PostgreSQL server, its blobs in
/// `folder`. Fatal when the server cannot start.
inline QString storeLocation(const QString &folder)
{
    if (!onPostgres())
        return folder;
    QString why;
    PostgresServer *server = PostgresServer::shared(&why);
    if (!server)
        qFatal("KILN_TEST_STORE=postgresql but no PostgreSQL server: %s", qPrintable(why));
    static int counter = 0;
    const QString name = QStringLiteral("t%1_%2").arg(QCoreApplication::applicationPid()).arg(++counter);
    return server->createDatabase(name) + QStringLiteral("?blobs=") + folder;
}

/// Writes `bytes` to `path` (creating folders); returns the path.
inline QString writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes);
    return path;
}

inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

/// Whether a process exists and is not a zombie waiting to be reaped (/proc/PID/stat).
inline bool processAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && text.size() > close + 2 && text.at(close + 2) != 'Z';
}

/// The kilnctl binary built with these tests.
inline QString kilnctlPath()
{
    return QStringLiteral(KILN_KILNCTL_PATH);
}

/// How a kilnctl process exited and what it printed.
struct KilnctlResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }

    /// The "name" of each run of a `runs list --json`, in order.
    QStringList runNames() const
    {
        QStringList names;
        const QJsonArray runs = json().value(QStringLiteral("runs")).toArray();
        for (const QJsonValue run : runs)
            names << run.toObject().value(QStringLiteral("name")).toString();
        return names;
    }
};

/// Starts kilnctl on `workspace` with `args`, as a script or CI job would.
inline void startKilnctl(QProcess &process, const QString &workspace, const QStringList &args)
{
    process.start(kilnctlPath(), QStringList {QStringLiteral("--workspace"), workspace} + args);
}

/// Runs kilnctl on `workspace` to its end, in `workingDirectory` when one is given. A process
/// still running after `timeoutMs` ends the test.
inline KilnctlResult runKilnctl(const QString &workspace, const QStringList &args, const QString &workingDirectory = {},
                                int timeoutMs = 300000)
{
    QProcess process;
    process.setWorkingDirectory(workingDirectory);
    startKilnctl(process, workspace, args);
    if (!process.waitForFinished(timeoutMs))
        qFatal("kilnctl %s did not finish in %d ms", qPrintable(args.join(u' ')), timeoutMs);
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

/// RFC 4180 read back through core's reader (kiln::parseCsv); text it cannot read ends the
/// test with the reason.
inline QList<QStringList> parseCsv(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    Expected<QList<QStringList>> records = kiln::parseCsv(bytes);
    if (!records)
        qFatal("unreadable CSV: %s", qPrintable(records.errorMessage()));
    return std::move(records).value();
}

/// The workspace in `folder`, created when missing; a workspace that cannot be opened ends
/// the test with the reason.
inline std::unique_ptr<Workspace> openWorkspace(const QString &folder)
{
    auto workspace = Workspace::open(folder);
    if (!workspace)
        qFatal("cannot open the workspace %s: %s", qPrintable(folder), qPrintable(workspace.errorMessage()));
    return std::move(workspace).value();
}

/// When the points recordRun() writes were logged: step i at kMetricTimeMs + i.
constexpr qint64 kMetricTimeMs = 1'700'000'000'000;

/// What recordRun() stores for a run, as a trainer would log it.
struct RunValues
{
    QList<QPair<QString, QString>> params;
    QList<QPair<QString, QString>> tags;
    QHash<QString, std::vector<double>> metrics; ///< per key, one value a step from step 0
    QMap<QString, double> results;
};

/// Creates the run of `spec` through the run store (queued; a point of `parentId` when not 0)
/// and records `values`. Returns the run as created; a refusal of the store ends the test.
inline RunRecord recordRun(RunStore &store, const RunSpec &spec, const RunValues &values, qint64 parentId = 0)
{
    Expected<RunRecord> run = store.createRun(spec, parentId);
    if (!run)
        qFatal("cannot create the run '%s': %s", qPrintable(spec.name), qPrintable(run.errorMessage()));
    QHash<QString, std::vector<MetricPoint>> points;
    for (auto it = values.metrics.begin(); it != values.metrics.end(); ++it) {
        for (std::size_t step = 0; step < it.value().size(); ++step)
            points[it.key()].push_back({qint64(step), kMetricTimeMs + qint64(step), it.value()[step]});
    }
    const Status stored[] = {store.setParams(run->id, values.params), store.setTags(run->id, values.tags),
                             store.setResults(run->id, values.results), store.appendMetrics(run->id, points)};
    for (const Status &status : stored) {
        if (!status)
            qFatal("cannot record the run '%s': %s", qPrintable(spec.name), qPrintable(status.errorMessage()));
    }
    return *run;
}

} // namespace kiln::test
