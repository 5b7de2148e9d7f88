#include "demo/demoworkspace.h"

#include "data/datasetimport.h"
#include "registry/modelregistry.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "tasks/taskmanager.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <random>

namespace kiln {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Shares of the progress bar: generating and importing are quick, training is the rest.
constexpr double kImportStart = 0.04;
constexpr double kTrainingStart = 0.12;
constexpr double kTrainingEnd = 0.99;

/// Random draws that are the same on every platform: std::mt19937's output is specified by
/// the standard, the distributions of <random> are not, so the transforms are our own.
class DemoRandom final
{
public:
    explicit DemoRandom(std::uint32_t seed)
        : m_engine(seed)
    { }

    /// Uniform in [0, 1), 53 bits.
    double uniform()
    {
        const double high = double(m_engine() >> 5);
        const double low = double(m_engine() >> 6);
        return (high * 67108864.0 + low) / 9007199254740992.0;
    }
    /// Standard normal (Box-Muller).
    double normal()
    {
        const double u = 1.0 - uniform(); // (0, 1]: log() stays finite
        return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * kPi * uniform());
    }
    bool chance(double p) { return uniform() < p; }
    int between(int low, int high) { return low + int(uniform() * double(high - low + 1)); }
    /// An index drawn with the given weights (which sum to 1).
    int choose(std::initializer_list<double> weights)
    {
        double u = uniform();
        int index = 0;
        for (double w : weights) {
            if (u < w)
                return index;
            u -= w;
            ++index;
        }
        return index - 1;
    }

private:
    std::mt19937 m_engine;
};

QByteArray number(double value, int decimals)
{
    return QByteArray::number(value, 'f', decimals);
}

/// Customers of a subscription service; whether they left depends on their contract, tenure,
/// charges, support calls, payment method and satisfaction, through a logistic model with noise.
QByteArray churnCsv(int rows, std::uint32_t seed)
{
    DemoRandom random(seed);
    static const char *const kContracts[] = {"month-to-month", "one year", "two year"};
    static const char *const kInternet[] = {"DSL", "fiber optic", "none"};
    static const char *const kPayments[] = {"electronic check", "mailed check", "bank transfer", "credit card"};
    static const char *const kRegions[] = {"north", "south", "east", "west"};
    QByteArray csv("tenure_months,contract,internet_service,monthly_charges,total_charges,payment_method,"
                   "support_calls,senior_citizen,region,satisfaction,churned\n");
    csv.reserve(rows * 96);
    for (int i = 0; i < rows; ++i) {
        const int tenure = 1 + int(71.0 * std::pow(random.uniform(), 1.3));
        const int contract = random.choose({0.5, 0.27, 0.23});
        const int internet = random.choose({0.35, 0.45, 0.2});
        const double monthly = std::max(18.25,
                                        20.0
                                            + (internet == 0       ? 28.0
                                                   : internet == 1 ? 55.0
                                                                   : 0.0)
                                            + 6.0 * random.normal());
        const double total = tenure * monthly * (1.0 + 0.03 * random.normal());
        const int payment = random.choose({0.34, 0.22, 0.22, 0.22});
        const int calls = std::min(12, int(-std::log(1.0 - random.uniform()) * 1.5));
        const bool senior = random.chance(0.16);
        const int region = random.between(0, 3);
        const int satisfaction = std::clamp(int(std::lround(6.5 + 2.0 * random.normal())), 1, 10);
        const bool satisfactionMissing = random.chance(0.03);
        const double logit = -1.2 + (contract == 0 ? 1.4 : 0.0) - (contract == 2 ? 1.1 : 0.0) - 0.045 * (tenure - 24)
            + 0.018 * (monthly - 65.0) + 0.3 * (calls - 1.5) + (internet == 1 ? 0.55 : 0.0)
            + (payment == 0 ? 0.45 : 0.0) + (senior ? 0.35 : 0.0)
            - (satisfactionMissing ? 0.0 : 0.28 * (satisfaction - 6.5));
        const bool churned = random.uniform() < 1.0 / (1.0 + std::exp(-logit));
        // A few holes, as real exports have: new customers without a total, unrecorded answers.
        const bool internetMissing = random.chance(0.01);
        const bool totalMissing = random.chance(0.015);
        csv += QByteArray::number(tenure) + ',' + kContracts[contract] + ','
            + (internetMissing ? QByteArray() : QByteArray(kInternet[internet])) + ',' + number(monthly, 2) + ','
            + (totalMissing ? QByteArray() : number(total, 2)) + ',' + kPayments[payment] + ','
            + QByteArray::number(calls) + ',' + (senior ? "yes" : "no") + ',' + kRegions[region] + ','
            + (satisfactionMissing ? QByteArray() : QByteArray::number(satisfaction)) + ',' + (churned ? "yes" : "no")
            + '\n';
    }
    return csv;
}

/// House sales: the price follows area, neighbourhood, condition, age, distance to the centre
/// and a garage, with multiplicative noise.
QByteArray housePricesCsv(int rows, std::uint32_t seed)
{
    DemoRandom random(seed);
    struct Neighbourhood
    {
        const char *name;
        double factor;
    };
    static const Neighbourhood kNeighbourhoods[] = {{"Riverside", 1.35}, {"Old Town", 1.2},  {"Hillcrest", 1.1},
                                                    {"Lakeside", 1.45},  {"Eastgate", 0.85}, {"Millbrook", 0.95}};
    QByteArray csv("neighbourhood,area_sqft,bedrooms,bathrooms,year_built,lot_sqft,garage,condition,"
                   "distance_km,sale_price\n");
    csv.reserve(rows * 80);
    for (int i = 0; i < rows; ++i) {
        const Neighbourhood &hood = kNeighbourhoods[random.between(0, 5)];
        const int area = std::clamp(int(std::exp(std::log(1700.0) + 0.35 * random.normal())), 450, 6000);
        const int bedrooms = std::clamp(int(std::lround(area / 600.0 + 0.6 * random.normal())), 1, 7);
        const double bathrooms = std::max(1.0, std::round((bedrooms * 0.6 + 0.4 * random.normal()) * 2.0) / 2.0);
        const int year = random.between(1920, 2023);
        const int lot = int(area * (1.5 + 3.0 * random.uniform()));
        const bool lotMissing = random.chance(0.02);
        const bool garage = random.chance(0.7);
        const int condition = 1 + random.choose({0.05, 0.15, 0.45, 0.25, 0.1});
        const double distance = 0.5 + 35.0 * std::pow(random.uniform(), 1.5);
        const double price = (210.0 * hood.factor * area * (1.0 + 0.07 * (condition - 3)) * std::exp(-0.012 * distance)
                                  * (1.0 + 0.0015 * (year - 1970))
                              + (garage ? 18000.0 : 0.0) + 4.0 * lot)
            * std::exp(0.08 * random.normal());
        csv += QByteArray(hood.name) + ',' + QByteArray::number(area) + ',' + QByteArray::number(bedrooms) + ','
            + number(bathrooms, 1) + ',' + QByteArray::number(year) + ','
            + (lotMissing ? QByteArray() : QByteArray::number(lot)) + ',' + (garage ? "yes" : "no") + ','
            + QByteArray::number(condition) + ',' + number(distance, 1) + ','
            + QByteArray::number(std::lround(price / 500.0) * 500) + '\n';
    }
    return csv;
}

struct DemoDataset
{
    QString name;
    QByteArray csv;
};

/// One run (or sweep) of the demo, with the tags filters can match.
struct DemoRun
{
    RunSpec spec;
    QList<QPair<QString, QString>> tags;
};

DemoRun demoRun(const QString &experiment, const QString &name, const QString &trainer, const QString &dataset,
                const QString &target, const QString &task, QJsonObject params,
                const QList<QPair<QString, QString>> &tags)
{
    DemoRun run;
    run.spec.kind = RunSpec::Kind::Trainer;
    run.spec.experiment = experiment;
    run.spec.name = name;
    run.spec.trainer = trainer;
    run.spec.datasetRef = dataset;
    run.spec.target = target;
    run.spec.task = task;
    // One thread per run: the scheduler runs one run per core, and a fixed seed with a fixed
    // thread count gives the same model every time.
    params.insert(QLatin1String("n_threads"), 1);
    run.spec.params = std::move(params);
    run.tags = tags;
    return run;
}

QList<DemoRun> demoRuns()
{
    const auto tags = [](const char *team, const char *purpose, const char *owner) {
        return QList<QPair<QString, QString>> {{QStringLiteral("team"), QLatin1String(team)},
                                               {QStringLiteral("purpose"), QLatin1String(purpose)},
                                               {QStringLiteral("owner"), QLatin1String(owner)}};
    };
    const QString churn = QStringLiteral("churn");
    const QString houses = QStringLiteral("house-prices");
    const QString churnData = QStringLiteral("customer_churn");
    const QString houseData = QStringLiteral("house_prices");
    const QString label = QStringLiteral("churned");
    const QString price = QStringLiteral("sale_price");
    const QString binary = QStringLiteral("binary");
    const QString regression = QStringLiteral("regression");
    const QString boosted = QStringLiteral("boosted-trees");
    const QString forest = QStringLiteral("random-forest");
    const QString linear = QStringLiteral("linear");

    DemoRun sweep = demoRun(churn, QStringLiteral("boosted trees: depth x learning rate"), boosted, churnData, label,
                            binary, {{QLatin1String("n_estimators"), 100}}, tags("growth", "sweep", "maria"));
    sweep.spec.sweep.insert(QStringLiteral("max_depth"),
                            {QStringLiteral("3"), QStringLiteral("5"), QStringLiteral("7")});
    sweep.spec.sweep.insert(QStringLiteral("learning_rate"),
                            {QStringLiteral("0.05"), QStringLiteral("0.1"), QStringLiteral("0.3")});
    return {
        sweep,
        demoRun(churn, QStringLiteral("random forest baseline"), forest, churnData, label, binary,
                {{QLatin1String("n_estimators"), 80}, {QLatin1String("max_depth"), 8}},
                tags("growth", "baseline", "sam")),
        demoRun(churn, QStringLiteral("logistic baseline"), linear, churnData, label, binary,
                {{QLatin1String("rounds"), 80}}, tags("growth", "baseline", "sam")),
        demoRun(houses, QStringLiteral("boosted trees"), boosted, houseData, price, regression,
                {{QLatin1String("n_estimators"), 150},
                 {QLatin1String("max_depth"), 4},
                 {QLatin1String("learning_rate"), 0.1}},
                tags("pricing", "baseline", "li")),
        demoRun(houses, QStringLiteral("boosted trees, deeper"), boosted, houseData, price, regression,
                {{QLatin1String("n_estimators"), 150},
                 {QLatin1String("max_depth"), 7},
                 {QLatin1String("learning_rate"), 0.1},
                 {QLatin1String("subsample"), 0.8}},
                tags("pricing", "tuning", "li")),
        demoRun(houses, QStringLiteral("random forest"), forest, houseData, price, regression,
                {{QLatin1String("n_estimators"), 80}, {QLatin1String("max_depth"), 10}},
                tags("pricing", "baseline", "ana")),
        demoRun(houses, QStringLiteral("linear baseline"), linear, houseData, price, regression,
                {{QLatin1String("rounds"), 100}}, tags("pricing", "baseline", "ana")),
    };
}

/// Progress of a phase that reports 0 to 1 into [from, to] of the whole, and the whole's
/// cancel into the phase (the callback runs on the phase's reporting thread).
void forwardPhase(Feedback &phase, Feedback &whole, double from, double to)
{
    phase.setProgressCallback([&phase, &whole, from, to](double fraction) {
        whole.setProgress(from + (to - from) * fraction);
        if (whole.isCanceled())
            phase.cancel();
    });
}

Status cancelled()
{
    return Error {QStringLiteral("the demo workspace was cancelled")};
}

Status importDatasets(Workspace &workspace, const QList<DemoDataset> &datasets, Feedback &feedback)
{
    QTemporaryDir sources;
    if (!sources.isValid())
        return Error {
            QStringLiteral("cannot create a temporary folder for the demo data: %1").arg(sources.errorString())};
    for (qsizetype i = 0; i < datasets.size(); ++i) {
        const DemoDataset &dataset = datasets[i];
        const QString path = sources.filePath(dataset.name + QLatin1String(".csv"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(dataset.csv) != dataset.csv.size() || !file.flush())
            return Error {QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
        file.close();
        feedback.setStatusText(QStringLiteral("importing %1").arg(dataset.name));
        Feedback phase;
        const double step = (kTrainingStart - kImportStart) / double(datasets.size());
        forwardPhase(phase, feedback, kImportStart + step * double(i), kImportStart + step * double(i + 1));
        ImportRequest request;
        request.paths = {path};
        request.name = dataset.name;
        const ImportReport report = importPaths(workspace, request, phase);
        if (report.cancelled || feedback.isCanceled())
            return cancelled();
        if (!report.failed.isEmpty())
            return Error {QStringLiteral("demo data %1: %2").arg(dataset.name, report.failed.first().message)};
        if (report.imported.isEmpty())
            return Error {QStringLiteral("demo data %1 was not imported").arg(dataset.name)};
    }
    return {};
}

/// Queues the runs with their tags; returns how many runs will train (a sweep's points).
Expected<int> queueRuns(Workspace &workspace, const QList<DemoRun> &runs)
{
    RunStore store(workspace.db());
    int trained = 0;
    for (const DemoRun &run : runs) {
        auto top = submitRun(store, run.spec);
        if (!top)
            return top.error();
        QList<qint64> ids {top->id};
        if (top->spec.kind == RunSpec::Kind::Sweep) {
            auto points = store.runs(RunQuery {{}, {}, top->id, 0, false});
            if (!points)
                return points.error();
            for (const RunRecord &point : *points)
                ids << point.id;
            trained += int(points->size());
        } else {
            ++trained;
        }
        for (qint64 id : std::as_const(ids)) {
            if (Status s = store.setTags(id, run.tags); !s)
                return s.error();
        }
    }
    return trained;
}

/// Serves the workspace's queue with a RunScheduler, one run per core, until `runCount` runs
/// ended (or one failed, or the build is cancelled), in an event loop of this thread.
Status trainQueued(const QString &root, int runCount, Feedback &feedback)
{
    if (runCount == 0)
        return {};
    TaskManager tasks;
    RunScheduler scheduler(root, tasks);
    scheduler.setConcurrency(std::max(1, QThread::idealThreadCount()));
    QEventLoop loop;
    int started = 0;
    int ended = 0;
    QString failure;
    auto workspace = Workspace::open(root, Workspace::OpenMode::OpenExisting);
    if (!workspace)
        return workspace.error();
    RunStore store((*workspace)->db());
    QObject::connect(&scheduler, &RunScheduler::runStarted, &loop, [&](qint64 id) {
        auto run = store.run(id, false);
        feedback.setStatusText(QStringLiteral("training %1 of %2: %3")
                                   .arg(++started)
                                   .arg(runCount)
                                   .arg(run ? QStringLiteral("%1 / %2").arg(run->experiment, run->name)
                                            : QStringLiteral("run %1").arg(id)));
    });
    QObject::connect(&scheduler, &RunScheduler::runEnded, &loop, [&](qint64 id, RunStatus status) {
        if (status == RunStatus::Queued)
            return; // a retry (the demo asks for none)
        if (status != RunStatus::Finished) {
            auto run = store.run(id, false);
            failure = QStringLiteral("demo run %1 (%2) ended %3: %4")
                          .arg(id)
                          .arg(run ? run->name : QString(), runStatusName(status),
                               run ? run->error : QStringLiteral("no reason recorded"));
            loop.quit();
            return;
        }
        if (++ended == runCount)
            loop.quit();
    });
    QObject::connect(&scheduler, &RunScheduler::error, &loop, [&](const QString &message) {
        failure = message;
        loop.quit();
    });
    // Feedback is polled, not signalled: cancel from any thread, progress of the running runs.
    QTimer poll;
    poll.setInterval(100);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (feedback.isCanceled()) {
            loop.quit();
            return;
        }
        double running = 0;
        for (const Task *task : tasks.activeTasks())
            running += task->progress();
        feedback.setProgress(kTrainingStart
                             + (kTrainingEnd - kTrainingStart) * std::min(1.0, (ended + running) / runCount));
    });
    if (Status s = scheduler.start(); !s)
        return s;
    poll.start();
    loop.exec();
    scheduler.stop();
    tasks.cancelAll(); // nothing runs after the last run ended; after a failure or cancel, stop the rest
    tasks.waitForIdle();
    if (feedback.isCanceled())
        return cancelled();
    if (!failure.isEmpty())
        return Error {failure};
    return {};
}

/// Registers the best finished run of `experiment` by `metric` (highest, or lowest when
/// `lowerIsBetter`) as version 1 of `model`, called champion: the Models panel of the demo
/// shows a registry to explore, and the other runs are there to register as challengers.
Status registerChampion(Workspace &workspace, const QString &experiment, const QString &metric, bool lowerIsBetter,
                        const QString &model, const QString &description)
{
    RunQuery query;
    query.experiment = experiment;
    query.status = RunStatus::Finished;
    auto runs = RunStore(workspace.db()).runs(query);
    if (!runs)
        return runs.error();
    const RunRecord *best = nullptr;
    for (const RunRecord &run : *runs) {
        const auto value = run.results.constFind(metric);
        if (run.spec.kind != RunSpec::Kind::Trainer || value == run.results.cend())
            continue;
        const double current = best ? best->results.value(metric) : 0;
        if (!best || (lowerIsBetter ? *value < current : *value > current))
            best = &run;
    }
    if (!best)
        return Error {QStringLiteral("no finished run of %1 has %2").arg(experiment, metric)};
    RegisterOptions options;
    options.description = description;
    ModelRegistry registry(workspace);
    auto version = registry.registerRun(best->id, model, options);
    if (!version)
        return version.error();
    return registry.setAlias(model, QStringLiteral("champion"), version->version);
}

/// `directory` is missing or an empty folder; anything else is refused.
Status checkTarget(const QString &directory)
{
    const QFileInfo info(directory);
    if (!info.exists())
        return {};
    if (!info.isDir())
        return Error {QStringLiteral("%1 is a file: the demo workspace needs an empty or new folder").arg(directory)};
    if (Workspace::isWorkspace(directory))
        return Error {QStringLiteral("%1 is already a workspace: the demo workspace needs an empty or new folder")
                          .arg(directory)};
    if (!QDir(directory).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
        return Error {
            QStringLiteral("%1 is not empty and not a Kiln workspace: choose an empty or new folder").arg(directory)};
    return {};
}

/// Moves the finished staging folder to `target` (an empty folder there is replaced).
Status publish(QTemporaryDir &staging, const QString &target)
{
    if (Status s = checkTarget(target); !s)
        return s; // someone wrote there while the demo was building
    const bool hadEmptyFolder = QFileInfo(target).isDir();
    if (hadEmptyFolder && !QDir().rmdir(target))
        return Error {QStringLiteral("cannot replace the empty folder %1").arg(target)};
    if (!QDir().rename(staging.path(), target)) {
        if (hadEmptyFolder)
            QDir().mkdir(target);
        return Error {QStringLiteral("cannot move the demo workspace from %1 to %2").arg(staging.path(), target)};
    }
    staging.setAutoRemove(false);
    // QTemporaryDir made it private (0700); a workspace folder gets the usual permissions.
    QFile::setPermissions(target,
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                              | QFile::ReadOther | QFile::ExeOther);
    return {};
}

} // namespace

Status buildDemoWorkspace(const QString &directory, Feedback &feedback)
{
    if (directory.isEmpty())
        return Error {QStringLiteral("no folder given for the demo workspace")};
    const QString target = QDir::cleanPath(QDir::current().absoluteFilePath(directory));
    if (Status s = checkTarget(target); !s)
        return s;
    const QString parent = QFileInfo(target).path();
    if (!QDir().mkpath(parent))
        return Error {QStringLiteral("cannot create the folder %1").arg(parent)};
    // A hidden sibling on the same file system, so the final rename is atomic.
    QTemporaryDir staging(
        QDir(parent).filePath(QLatin1Char('.') + QFileInfo(target).fileName() + QLatin1String(".building-XXXXXX")));
    if (!staging.isValid())
        return Error {QStringLiteral("cannot create a folder next to %1: %2").arg(target, staging.errorString())};

    feedback.setStatusText(QStringLiteral("generating data"));
    feedback.setProgress(0);
    const QList<DemoDataset> datasets {{QStringLiteral("customer_churn"), churnCsv(5000, 20240501)},
                                       {QStringLiteral("house_prices"), housePricesCsv(3000, 20240502)}};
    feedback.setProgress(kImportStart);
    if (feedback.isCanceled())
        return cancelled();

    int runCount = 0;
    {
        auto workspace = Workspace::open(staging.path(), Workspace::OpenMode::CreateIfMissing);
        if (!workspace)
            return workspace.error();
        if (Status s = importDatasets(**workspace, datasets, feedback); !s)
            return s;
        auto queued = queueRuns(**workspace, demoRuns());
        if (!queued)
            return queued.error();
        runCount = *queued;
    }
    if (feedback.isCanceled())
        return cancelled();
    if (Status s = trainQueued(staging.path(), runCount, feedback); !s)
        return s;
    {
        feedback.setStatusText(QStringLiteral("registering the best models"));
        auto workspace = Workspace::open(staging.path(), Workspace::OpenMode::OpenExisting);
        if (!workspace)
            return workspace.error();
        if (Status s = registerChampion(**workspace, QStringLiteral("churn"), QStringLiteral("roc_auc"), false,
                                        QStringLiteral("churn"),
                                        QStringLiteral("Which customers are about to leave, from their usage and "
                                                       "contract: the churn run with the highest ROC AUC."));
            !s)
            return s;
        if (Status s = registerChampion(**workspace, QStringLiteral("house-prices"), QStringLiteral("rmse"), true,
                                        QStringLiteral("house-prices"),
                                        QStringLiteral("Sale price of a house from its size, rooms, age and area: the "
                                                       "house-prices run with the lowest RMSE."));
            !s)
            return s;
    }

    feedback.setStatusText(QStringLiteral("moving the workspace into place"));
    if (Status s = publish(staging, target); !s)
        return s;
    feedback.setStatusText(QStringLiteral("done"));
    feedback.setProgress(1);
    return {};
}

} // namespace kiln
