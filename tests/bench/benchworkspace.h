#pragma once
// The runs table at scale, for the benchmarks: 100,000 runs with 20 params, two tags and 10 metric
// series each, with the skew a real project has (optimisers, statuses, a seed nearly every run
// differs in), inserted as rows of the real schema in one transaction through prepared
// statements. Deterministic: the same seed each run. Used by bench_compare and bench_runstable.
#include "runs/runtypes.h"
#include "workspace/workspace.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::bench {

inline constexpr int kRuns = 100'000;
inline constexpr int kParams = 20;
inline constexpr int kMetrics = 10;

/// Median milliseconds of `repeats` calls of `work`.
inline double medianMs(int repeats, const std::function<void()> &work)
{
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer clock;
        clock.start();
        work();
        times.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

/// The next number of the generator's one random sequence (the same from run to run).
inline std::mt19937::result_type nextRandom()
{
    static std::mt19937 rng(20240501);
    return rng();
}

inline double uniform()
{
    return double(nextRandom() >> 8) / double(1u << 24);
}

inline int between(int low, int high)
{
    return low + int(uniform() * double(high - low + 1));
}

inline const char *pick(std::initializer_list<const char *> choices)
{
    return *(choices.begin() + between(0, int(choices.size()) - 1));
}

/// Optimisers with the skew a real project has.
inline const char *optimizer()
{
    const double u = uniform();
    return u < 0.4 ? "adam" : u < 0.65 ? "sgd" : u < 0.85 ? "rmsprop" : "adagrad";
}

inline QByteArray paramValue(int index)
{
    switch (index) {
    case 0:
        return QByteArray::number(std::pow(10.0, -4.0 + 3.0 * uniform()), 'g', 4); // learning rate
    case 1:
        return QByteArray::number(between(2, 12)); // depth
    case 2:
        return pick({"100", "200", "500", "1000"});
    case 3:
        return pick({"relu", "tanh", "gelu", "sigmoid"});
    case 4:
        return QByteArray::number(0.5 * uniform(), 'f', 2); // dropout
    case 5:
        return pick({"16", "32", "64", "128", "256"});
    case 6:
        return QByteArray::number(std::pow(10.0, -6.0 + 4.0 * uniform()), 'g', 3);
    case 7:
        return optimizer();
    case 8:
        return QByteArray::number(0.8 + 0.19 * uniform(), 'f', 3);
    case 9:
        return uniform() < 0.5 ? "true" : "false";
    case 10:
        return QByteArray::number(between(1, 8));
    case 11:
        return pick({"64", "128", "256", "512", "1024"});
    case 12:
        return QByteArray::number(between(0, 99'999)); // seed: nearly every value distinct
    case 13:
        return pick({"cosine", "step", "linear", "none"});
    case 14:
        return pick({"0", "100", "500", "1000"});
    case 15:
        return QByteArray::number(between(5, 100));
    case 16:
        return pick({"cross_entropy", "focal", "hinge"});
    case 17:
        return pick({"none", "light", "heavy"});
    case 18:
        return QByteArray::number(0.5 + 0.5 * uniform(), 'f', 2);
    default:
        return pick({"resnet18", "resnet50", "vit-b16", "efficientnet-b0", "convnext-t", "mobilenet-v3"});
    }
}

/// Runs (ids 1 to `runs` in four experiments), params p0..p19, tags and metric series m0..m9 in
/// `db`, a workspace database just created, all in one transaction.
inline Status generateRuns(Database &db, int runs = kRuns)
{
    Transaction tx(db);
    if (!tx.isActive())
        return tx.beginStatus();
    const char *const experiments[] = {"vision", "nlp", "tabular", "speech"};
    for (const char *name : experiments) {
        auto insert = db.prepare("INSERT INTO experiments(name, created_at) VALUES(?, '2024-05-01T08:00:00.000Z')");
        if (!insert)
            return insert.error();
        if (Status s = insert->bind(1, std::string_view(name)).exec(); !s)
            return s;
    }
    std::vector<QByteArray> specs;
    for (const char *trainer : {"boosted-trees", "random-forest", "linear"}) {
        RunSpec spec;
        spec.trainer = QLatin1String(trainer);
        spec.datasetRef = QStringLiteral("images");
        spec.target = QStringLiteral("label");
        specs.push_back(QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact));
    }
    auto run = db.prepare("INSERT INTO runs(id, uuid, experiment_id, name, kind, status, spec, created_at, "
                          "started_at, ended_at) VALUES(?, ?, ?, ?, 'trainer', ?, ?, ?, ?, ?)");
    auto param = db.prepare("INSERT INTO run_params(run_id, key, value) VALUES(?, ?, ?)");
    auto tag = db.prepare("INSERT INTO run_tags(run_id, key, value) VALUES(?, ?, ?)");
    auto series = db.prepare("INSERT INTO metric_series(run_id, key, count, last_step, last_value, min_value, "
                             "max_value, last_time) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    if (!run || !param || !tag || !series)
        return Error {db.lastError()};
    QByteArray paramKeys[kParams];
    for (int p = 0; p < kParams; ++p)
        paramKeys[p] = "p" + QByteArray::number(p);
    QByteArray metricKeys[kMetrics];
    for (int m = 0; m < kMetrics; ++m)
        metricKeys[m] = "m" + QByteArray::number(m);
    const auto text
        = [](const QByteArray &bytes) { return std::string_view(bytes.constData(), std::size_t(bytes.size())); };
    const qint64 start = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    for (int i = 1; i <= runs; ++i) {
        const double u = uniform();
        const char *status = u < 0.85 ? "finished" : u < 0.95 ? "failed" : u < 0.98 ? "cancelled" : "interrupted";
        const qint64 created = start + qint64(i) * 60'000;
        const qint64 duration = 5'000 + qint64(uniform() * 3'600'000.0);
        const auto iso = [](qint64 ms) {
            return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
        };
        const QByteArray uuid
            = QByteArray::number(quint64(nextRandom()) << 32 | nextRandom(), 16).rightJustified(16, '0')
            + QByteArray::number(quint64(nextRandom()) << 32 | nextRandom(), 16).rightJustified(16, '0');
        const QByteArray name = "run-" + QByteArray::number(i);
        const QByteArray createdText = iso(created);
        const QByteArray startedText = iso(created + 1'000);
        const QByteArray endedText = iso(created + 1'000 + duration);
        run->bind(1, i)
            .bind(2, text(uuid))
            .bind(3, between(1, 4))
            .bind(4, text(name))
            .bind(5, std::string_view(status));
        run->bind(6, text(specs[std::size_t(between(0, 2))])).bind(7, text(createdText)).bind(8, text(startedText));
        run->bind(9, text(endedText));
        if (Status s = run->exec(); !s)
            return s;
        for (int p = 0; p < kParams; ++p) {
            const QByteArray value = paramValue(p);
            param->bind(1, i).bind(2, text(paramKeys[p])).bind(3, text(value));
            if (Status s = param->exec(); !s)
                return s;
        }
        const std::pair<const char *, const char *> tags[] = {{"team", pick({"vision", "search", "ads", "speech"})},
                                                              {"purpose", pick({"baseline", "sweep", "ablation"})}};
        for (const auto &[key, value] : tags) {
            tag->bind(1, i).bind(2, std::string_view(key)).bind(3, std::string_view(value));
            if (Status s = tag->exec(); !s)
                return s;
        }
        const qint64 steps = between(50, 500);
        for (int m = 0; m < kMetrics; ++m) {
            // Losses (even keys) fall towards a floor, scores (odd keys and m3) rise towards a ceiling.
            double last = 0;
            double low = 0;
            double high = 0;
            if (m % 2 == 0 && m != 4) {
                last = 0.05 + 2.0 * std::pow(uniform(), 2.0);
                low = last * (0.8 + 0.2 * uniform());
                high = last + 0.5 + 2.0 * uniform();
            } else {
                last = std::min(0.999, 0.3 + 0.65 * std::sqrt(uniform()));
                low = last * 0.5 * uniform();
                high = std::min(1.0, last + 0.05 * uniform());
            }
            series->bind(1, i).bind(2, text(metricKeys[m])).bind(3, steps).bind(4, steps - 1).bind(5, last);
            series->bind(6, low).bind(7, high).bind(8, created + 1'000 + duration);
            if (Status s = series->exec(); !s)
                return s;
        }
    }
    return tx.commit();
}

} // namespace kiln::bench
