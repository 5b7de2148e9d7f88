#include "runs/sweep.h"

#include <random>

namespace kiln {
namespace {
constexpr int kMaxPoints = 10'000;
}

Expected<QList<QJsonObject>> expandSweep(const QMap<QString, QStringList> &values, const QString &method, int samples,
                                         quint64 seed)
{
    for (auto it = values.begin(); it != values.end(); ++it) {
        if (it.value().isEmpty())
            return Error {QStringLiteral("sweep parameter '%1' has no values").arg(it.key())};
    }
    const QStringList keys = values.keys();
    qint64 combinations = 1;
    for (const QString &key : keys) {
        combinations *= values.value(key).size();
        if (combinations > 1'000'000)
            break;
    }
    QList<QJsonObject> points;
    if (method == QLatin1String("grid")) {
        if (combinations > kMaxPoints)
            return Error {QStringLiteral("the grid has %1 points, more than %2: use a random search with --samples")
                              .arg(combinations)
                              .arg(kMaxPoints)};
        // Odometer over the keys: the last key changes fastest.
        std::vector<int> index(std::size_t(keys.size()), 0);
        for (qint64 n = 0; n < combinations; ++n) {
            QJsonObject point;
            for (int k = 0; k < keys.size(); ++k)
                point.insert(keys[k], values.value(keys[k]).at(index[std::size_t(k)]));
            points.append(point);
            for (int k = int(keys.size()) - 1; k >= 0; --k) {
                if (++index[std::size_t(k)] < values.value(keys[k]).size())
                    break;
                index[std::size_t(k)] = 0;
            }
        }
        return points;
    }
    if (method == QLatin1String("random")) {
        if (samples <= 0 || samples > kMaxPoints)
            return Error {QStringLiteral("a random search needs a number of samples from 1 to %1").arg(kMaxPoints)};
        std::mt19937_64 rng(seed);
        for (int n = 0; n < samples; ++n) {
            QJsonObject point;
            for (const QString &key : keys) {
                const QStringList &choices = values.value(key);
                point.insert(key, choices.at(int(rng() % quint64(choices.size()))));
            }
            points.append(point);
        }
        return points;
    }
    return Error {QStringLiteral("unknown sweep method '%1': use grid or random").arg(method)};
}

Expected<RunRecord> submitRun(RunStore &store, const RunSpec &spec)
{
    if (spec.sweep.isEmpty())
        return store.createRun(spec);
    auto points = expandSweep(spec.sweep, spec.sweepMethod, spec.samples, spec.seed);
    if (!points)
        return points.error();
    RunSpec parentSpec = spec;
    parentSpec.kind = RunSpec::Kind::Sweep;
    if (parentSpec.name.isEmpty())
        parentSpec.name = QStringLiteral("sweep of %1")
                              .arg(spec.kind == RunSpec::Kind::Command ? spec.command.value(0) : spec.trainer);
    auto parent = store.createRun(parentSpec);
    if (!parent)
        return parent.error();
    int n = 0;
    for (const QJsonObject &point : *points) {
        RunSpec child = spec;
        child.sweep.clear();
        for (auto it = point.begin(); it != point.end(); ++it)
            child.params.insert(it.key(), it.value());
        child.name = QStringLiteral("%1 #%2").arg(parentSpec.name).arg(++n);
        if (auto created = store.createRun(child, parent->id); !created)
            return created.error();
    }
    return store.run(parent->id);
}

bool finishSweepIfDone(RunStore &store, qint64 parentId)
{
    auto parent = store.run(parentId, false);
    if (!parent || parent->spec.kind != RunSpec::Kind::Sweep || isTerminal(parent->status))
        return false;
    auto points = store.runs(RunQuery {{}, {}, parentId, 0, false});
    if (!points || points->isEmpty())
        return false;
    bool anyFinished = false;
    bool anyCancelled = false;
    for (const RunRecord &point : *points) {
        if (!isTerminal(point.status))
            return false;
        anyFinished = anyFinished || point.status == RunStatus::Finished;
        anyCancelled = anyCancelled || point.status == RunStatus::Cancelled;
    }
    const RunStatus status = anyFinished ? RunStatus::Finished
        : anyCancelled                   ? RunStatus::Cancelled
                                         : RunStatus::Failed;
    return store.markEnded(parentId, status).ok();
}

} // namespace kiln
