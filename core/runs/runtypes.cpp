#include "runs/runtypes.h"

#include <QJsonArray>

namespace kiln {
namespace {

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    for (const auto &v : value.toArray())
        list << v.toString();
    return list;
}

} // namespace

QString runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Queued:
        return QStringLiteral("queued");
    case RunStatus::Running:
        return QStringLiteral("running");
    case RunStatus::Finished:
        return QStringLiteral("finished");
    case RunStatus::Failed:
        return QStringLiteral("failed");
    case RunStatus::Cancelled:
        return QStringLiteral("cancelled");
    case RunStatus::Interrupted:
        return QStringLiteral("interrupted");
    }
    return QStringLiteral("failed");
}

std::optional<RunStatus> runStatusFromName(const QString &name)
{
    for (RunStatus s : {RunStatus::Queued, RunStatus::Running, RunStatus::Finished, RunStatus::Failed,
                        RunStatus::Cancelled, RunStatus::Interrupted}) {
        if (runStatusName(s) == name)
            return s;
    }
    return std::nullopt;
}

bool isTerminal(RunStatus status)
{
    return status != RunStatus::Queued && status != RunStatus::Running;
}

QString RunSpec::kindName() const
{
    switch (kind) {
    case Kind::Trainer:
        return QStringLiteral("trainer");
    case Kind::Command:
        return QStringLiteral("command");
    case Kind::Sweep:
        return QStringLiteral("sweep");
    case Kind::Imported:
        return QStringLiteral("imported");
    }
    return QStringLiteral("trainer");
}

QJsonObject RunSpec::toJson() const
{
    QJsonObject sweepJson;
    for (auto it = sweep.begin(); it != sweep.end(); ++it)
        sweepJson.insert(it.key(), toArray(it.value()));
    return {{QLatin1String("kind"), kindName()},
            {QLatin1String("experiment"), experiment},
            {QLatin1String("name"), name},
            {QLatin1String("trainer"), trainer},
            {QLatin1String("dataset"), datasetRef},
            {QLatin1String("target"), target},
            {QLatin1String("features"), toArray(features)},
            {QLatin1String("task"), task},
            {QLatin1String("params"), params},
            {QLatin1String("testFraction"), testFraction},
            {QLatin1String("validationFraction"), validationFraction},
            {QLatin1String("stratify"), stratify},
            {QLatin1String("folds"), folds},
            {QLatin1String("seed"), QString::number(seed)},
            {QLatin1String("command"), toArray(command)},
            {QLatin1String("workingDir"), workingDir},
            {QLatin1String("outputDir"), outputDir},
            {QLatin1String("sweep"), sweepJson},
            {QLatin1String("sweepMethod"), sweepMethod},
            {QLatin1String("samples"), samples},
            {QLatin1String("maxRetries"), maxRetries},
            {QLatin1String("timeoutSeconds"), timeoutSeconds},
            {QLatin1String("executor"), executor},
            {QLatin1String("resources"), resources.toJson()}};
}

bool ClusterResources::operator==(const ClusterResources &other) const
{
    return cpus == other.cpus && memoryMb == other.memoryMb && timeLimitMinutes == other.timeLimitMinutes
        && partition == other.partition;
}

QJsonObject ClusterResources::toJson() const
{
    return {{QLatin1String("cpus"), cpus},
            {QLatin1String("memoryMb"), memoryMb},
            {QLatin1String("timeLimitMinutes"), timeLimitMinutes},
            {QLatin1String("partition"), partition}};
}

ClusterResources ClusterResources::fromJson(const QJsonObject &json)
{
    ClusterResources r;
    r.cpus = json.value(QLatin1String("cpus")).toInt();
    r.memoryMb = json.value(QLatin1String("memoryMb")).toInt();
    r.timeLimitMinutes = json.value(QLatin1String("timeLimitMinutes")).toInt();
    r.partition = json.value(QLatin1String("partition")).toString();
    return r;
}

RunSpec RunSpec::fromJson(const QJsonObject &json)
{
    RunSpec spec;
    const QString kind = json.value(QLatin1String("kind")).toString();
    spec.kind = kind == QLatin1String("command") ? Kind::Command
        : kind == QLatin1String("sweep")         ? Kind::Sweep
        : kind == QLatin1String("imported")      ? Kind::Imported
                                                 : Kind::Trainer;
    spec.experiment = json.value(QLatin1String("experiment")).toString(spec.experiment);
    spec.name = json.value(QLatin1String("name")).toString();
    spec.trainer = json.value(QLatin1String("trainer")).toString();
    spec.datasetRef = json.value(QLatin1String("dataset")).toString();
    spec.target = json.value(QLatin1String("target")).toString();
    spec.features = toStringList(json.value(QLatin1String("features")));
    spec.task = json.value(QLatin1String("task")).toString();
    spec.params = json.value(QLatin1String("params")).toObject();
    spec.testFraction = json.value(QLatin1String("testFraction")).toDouble(spec.testFraction);
    spec.validationFraction = json.value(QLatin1String("validationFraction")).toDouble(spec.validationFraction);
    spec.stratify = json.value(QLatin1String("stratify")).toBool(spec.stratify);
    spec.folds = json.value(QLatin1String("folds")).toInt();
    spec.seed = json.value(QLatin1String("seed")).toString(QStringLiteral("42")).toULongLong();
    spec.command = toStringList(json.value(QLatin1String("command")));
    spec.workingDir = json.value(QLatin1String("workingDir")).toString();
    spec.outputDir = json.value(QLatin1String("outputDir")).toString();
    const QJsonObject sweepJson = json.value(QLatin1String("sweep")).toObject();
    for (auto it = sweepJson.begin(); it != sweepJson.end(); ++it)
        spec.sweep.insert(it.key(), toStringList(it.value()));
    spec.sweepMethod = json.value(QLatin1String("sweepMethod")).toString(spec.sweepMethod);
    spec.samples = json.value(QLatin1String("samples")).toInt();
    spec.maxRetries = json.value(QLatin1String("maxRetries")).toInt();
    spec.timeoutSeconds = json.value(QLatin1String("timeoutSeconds")).toInt();
    spec.executor = json.value(QLatin1String("executor")).toString(spec.executor);
    spec.resources = ClusterResources::fromJson(json.value(QLatin1String("resources")).toObject());
    return spec;
}

double RunRecord::durationSeconds() const
{
    if (!startedAt.isValid())
        return -1;
    const QDateTime end = endedAt.isValid() ? endedAt : QDateTime::currentDateTimeUtc();
    return double(startedAt.msecsTo(end)) / 1000.0;
}

} // namespace kiln
