#pragma once
// What the MLflow tests share: reading back a store, comparing values, PyYAML as MLflow's
// own reader of meta.yaml files.
#include "mlrunswriter.h"

#include "mlflow/mlflowstore.h"
#include "util/expected.h"

#include <QProcess>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

namespace kiln::test::mlflowtest {

/// The error of `result`, or nothing: QVERIFY2 reads its message even when the check holds.
template<typename T>
inline QString errorOf(const T &result)
{
    return result ? QString() : result.errorMessage();
}

inline QString line(qint64 ms, const char *value, qint64 step)
{
    return mlruns::metricLine(ms, QString::fromLatin1(value), step);
}

/// python3 with its yaml module running `script` on `input`; empty when either is missing.
inline std::optional<QByteArray> pythonYaml(const QString &script, const QByteArray &input = {},
                                            const QStringList &arguments = {})
{
    if (QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty())
        return std::nullopt;
    QProcess process;
    process.start(QStringLiteral("python3"),
                  QStringList {QStringLiteral("-c"), QStringLiteral("import yaml\n") + script} + arguments);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
        const QByteArray error = process.readAllStandardError();
        if (error.contains("No module named"))
            return std::nullopt;
        return QByteArray("python3 failed: ") + error;
    }
    return process.readAllStandardOutput();
}

inline std::unique_ptr<mlflow::Reader> openStore(const QString &path)
{
    auto reader = mlflow::Reader::open(path);
    if (!reader)
        qFatal("cannot open %s: %s", qPrintable(path), qPrintable(reader.errorMessage()));
    return std::move(reader).value();
}

inline QList<mlflow::Run> runsOf(mlflow::Reader &reader, const QString &experimentId)
{
    auto experiments = reader.experiments();
    for (const mlflow::Experiment &experiment : std::as_const(*experiments)) {
        if (experiment.id == experimentId)
            return *reader.runs(experiment);
    }
    return {};
}

inline mlflow::Run runWithId(const QList<mlflow::Run> &runs, const QString &id)
{
    for (const mlflow::Run &run : runs) {
        if (run.id == id)
            return run;
    }
    return {};
}

inline QString value(const QList<QPair<QString, QString>> &pairs, const QString &key)
{
    for (const auto &pair : pairs) {
        if (pair.first == key)
            return pair.second;
    }
    return QStringLiteral("<missing>");
}

/// "path | reason" of each issue, for messages and matching.
inline QStringList issueLines(const mlflow::Reader &reader)
{
    QStringList lines;
    for (const mlflow::Issue &issue : reader.issues())
        lines << issue.path + QStringLiteral(" | ") + issue.reason;
    return lines;
}

inline bool hasIssue(const mlflow::Reader &reader, const QString &path, const QString &reason)
{
    const QList<mlflow::Issue> issues = reader.issues();
    return std::any_of(issues.begin(), issues.end(),
                       [&](const mlflow::Issue &issue) { return issue.path == path && issue.reason.contains(reason); });
}

inline bool sameDouble(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

} // namespace kiln::test::mlflowtest
