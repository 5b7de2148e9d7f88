#pragma once

// A workspace with trained runs to register: a loans dataset of every column type (numbers,
// integers, booleans, a small categorical, a categorical of 80 values that training truncates
// to its 50 most frequent, date-times) imported by the real importer, and a boosted-trees
// classifier and a linear regressor trained on it through the real scheduler. Header-only;
// a test calls TrainedRegistryWorkspace::create() in initTestCase().

#include "builtinplugins.h"
#include "data/datasetimport.h"
#include "runs/runscheduler.h"
#include "runs/runstore.h"
#include "runs/sweep.h"
#include "tasks/feedback.h"
#include "tasks/taskmanager.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace kiln::test {

inline constexpr int kLoanRows = 400;
inline constexpr int kTrainingTimeoutMs = 240000;

/// loans.csv: income (float), age (integer), owner (boolean), purpose (4 categories),
/// branch (80 categories), opened (date-time), amount (float, the regression target),
/// default (yes/no, the classification target). The same bytes on every run.
inline QByteArray loansCsv()
{
    QRandomGenerator random(20261127);
    QByteArray csv = "income,age,owner,purpose,branch,opened,amount,default\n";
    static const char *const purposes[] = {"car", "home", "study", "travel"};
    for (int i = 0; i < kLoanRows; ++i) {
        const double income = 20000 + random.bounded(80000.0);
        const int age = 18 + int(random.bounded(60));
        const bool owner = random.bounded(2) == 1;
        const int purpose = int(random.bounded(4));
        const int branch = int(random.bounded(80));
        const int day = 1 + int(random.bounded(28));
        const double amount = income * 0.1 + age * 50 + (owner ? 3000 : 0) + random.bounded(2000.0);
        const double risk = 1.2 - income / 100000 + (purpose == 3 ? 0.4 : 0.0) - (owner ? 0.2 : 0.0)
            + (random.generateDouble() - 0.5) * 0.6;
        csv += QByteArray::number(income, 'f', 2) + ',' + QByteArray::number(age) + ',' + (owner ? "true" : "false")
            + ',' + purposes[purpose] + ",b" + QByteArray::number(branch) + ",2024-03-"
            + QByteArray::number(day).rightJustified(2, '0') + "T10:00:00," + QByteArray::number(amount, 'f', 2) + ','
            + (risk > 0.55 ? "yes" : "no") + '\n';
    }
    return csv;
}

inline RunSpec loanRunSpec(const QString &trainer, const QString &name, const QString &target)
{
    RunSpec spec;
    spec.experiment = QStringLiteral("loans");
    spec.name = name;
    spec.trainer = trainer;
    spec.datasetRef = QStringLiteral("loans@1");
    spec.target = target;
    if (target == QLatin1String("default"))
        spec.features = QStringList {QStringLiteral("income"),  QStringLiteral("age"),    QStringLiteral("owner"),
                                     QStringLiteral("purpose"), QStringLiteral("branch"), QStringLiteral("opened")};
    else
        spec.features = QStringList {QStringLiteral("income"), QStringLiteral("age"), QStringLiteral("owner"),
                                     QStringLiteral("purpose")};
    if (trainer != QLatin1String("linear")) {
        spec.params.insert(QStringLiteral("n_estimators"), 12);
        spec.params.insert(QStringLiteral("max_depth"), 3);
    }
    spec.params.insert(QStringLiteral("n_threads"), 1);
    return spec;
}

/// The trained workspace. `classifier` and `regressor` are finished runs with a model.
struct TrainedRegistryWorkspace
{
    std::unique_ptr<Workspace> workspace;
    qint64 classifier = 0; ///< boosted trees predicting "default" from six columns
    qint64 regressor = 0; ///< linear model predicting "amount" from four columns
    qint64 commandRun = 0; ///< a finished command run that saved no model

    /// Builds it in `folder` (which must not exist yet). QVERIFY-style: on failure the test
    /// function returns and `workspace` stays null.
    static void create(const QString &folder, TrainedRegistryWorkspace &out, const QString &dataFolder)
    {
        QStandardPaths::setTestModeEnabled(true);
        linkBuiltinPlugins();
        auto workspace = Workspace::open(folder);
        QVERIFY2(workspace, workspace ? "" : qPrintable(workspace.errorMessage()));
        ImportRequest request;
        request.paths = {writeFile(dataFolder + QStringLiteral("/loans.csv"), loansCsv())};
        Feedback feedback;
        const ImportReport report = importPaths(**workspace, request, feedback);
        QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));

        RunStore store((*workspace)->db());
        const auto submit = [&](const RunSpec &spec) {
            Expected<RunRecord> run = submitRun(store, spec);
            if (!run)
                qFatal("%s", qPrintable(run.errorMessage()));
            return run->id;
        };
        out.classifier
            = submit(loanRunSpec(QStringLiteral("boosted-trees"), QStringLiteral("trees"), QStringLiteral("default")));
        out.regressor
            = submit(loanRunSpec(QStringLiteral("linear"), QStringLiteral("linear"), QStringLiteral("amount")));
        RunSpec command;
        command.kind = RunSpec::Kind::Command;
        command.experiment = QStringLiteral("loans");
        command.name = QStringLiteral("script");
        command.command = {QStringLiteral("/bin/true")};
        out.commandRun = submit(command);
        TaskManager tasks;
        RunScheduler scheduler((*workspace)->location(), tasks);
        scheduler.setConcurrency(2);
        QVERIFY(scheduler.start().ok());
        scheduler.poke();
        for (qint64 runId : {out.classifier, out.regressor, out.commandRun}) {
            QVERIFY(QTest::qWaitFor([&] { return isTerminal(store.run(runId, false)->status); }, kTrainingTimeoutMs));
            const Expected<RunRecord> run = store.run(runId, false);
            QVERIFY2(run->status == RunStatus::Finished, qPrintable(run->error));
        }
        scheduler.stop();
        out.workspace = std::move(workspace).value();
    }
};

} // namespace kiln::test
