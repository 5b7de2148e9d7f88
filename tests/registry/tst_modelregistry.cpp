// The model registry over a workspace with really trained runs: registering, reading, aliases,
// statuses, tags, cards, delete protection, concurrent registration and version diffs.
#include "data/datasetcatalog.h"
#include "registry/modelregistry.h"
#include "registrytestsupport.h"

#include <QMutex>
#include <QTest>

#include <algorithm>
#include <thread>
#include <vector>

using namespace kiln;

namespace {

const QString kModel = QStringLiteral("loans");

QStringList signatureNames(const ModelSignature &signature)
{
    QStringList names;
    for (const SignatureColumn &column : signature.inputs)
        names.append(column.name);
    return names;
}

const VersionDiffLine *findLine(const QList<VersionDiffLine> &lines, VersionDiffLine::Section section,
                                const QString &key)
{
    for (const VersionDiffLine &line : lines) {
        if (line.section == section && line.key == key)
            return &line;
    }
    return nullptr;
}

} // namespace

class TestModelRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void registersRunsAsNumberedVersions();
    void listsModels();
    void signatureFollowsEncodingAndProfile();
    void inputExampleHoldsTypedValues();
    void keepsProfileAndLineage();
    void prefillsCard();
    void addVersionDescribesOnlyNewModels();
    void refusesRunsWithoutModel();
    void parsesModelRefs_data();
    void parsesModelRefs();
    void movesAliases();
    void refusesInvalidAliasNames_data();
    void refusesInvalidAliasNames();
    void changesStatus();
    void keepsTags();
    void persistsCardEdits();
    void protectsDeployedVersions();
    void neverGivesANumberTwice();
    void numbersConcurrentRegistrations();
    void diffsClassifierAndRegressor();
    void deletesModels();
    void keepsEverythingAcrossReopen();

private:
    ModelRegistry registry() { return ModelRegistry(*m_trained.workspace); }

    QTemporaryDir m_dir;
    test::TrainedRegistryWorkspace m_trained;
};

void TestModelRegistry::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::TrainedRegistryWorkspace::create(test::storeLocation(m_dir.filePath(QStringLiteral("workspace"))), m_trained,
                                           m_dir.filePath(QStringLiteral("data")));
    QVERIFY(m_trained.workspace);
}

void TestModelRegistry::registersRunsAsNumberedVersions()
{
    ModelRegistry reg = registry();
    RegisterOptions options;
    options.description = QStringLiteral("Who defaults on a loan");
    const auto first = reg.registerRun(m_trained.classifier, kModel, options);
    QVERIFY2(first, first ? "" : qPrintable(first.errorMessage()));
    QCOMPARE(first->version, 1);
    QCOMPARE(first->modelName, kModel);
    QCOMPARE(first->ref(), QStringLiteral("loans@1"));
    QCOMPARE(first->runId, m_trained.classifier);
    QCOMPARE(first->trainer, QStringLiteral("boosted-trees"));
    QCOMPARE(first->status, VersionStatus::Ready);
    QVERIFY(first->createdAt.isValid());

    const auto artifacts = RunStore(m_trained.workspace->db()).artifacts(m_trained.classifier);
    QVERIFY(artifacts);
    const auto model = std::find_if(artifacts->begin(), artifacts->end(),
                                    [](const ArtifactInfo &a) { return a.path.startsWith(QLatin1String("model.")); });
    QVERIFY(model != artifacts->end());
    QCOMPARE(first->modelFormat, model->path.mid(6));
    QCOMPARE(first->modelSha256, model->sha256);
    QCOMPARE(first->modelSize, model->size);
    QVERIFY(m_trained.workspace->blobs().contains(first->modelSha256));
    QVERIFY(!first->evaluation.isEmpty());
    QVERIFY(first->metrics.contains(QStringLiteral("accuracy")));

    options.tags = {{QStringLiteral("owner"), QStringLiteral("risk-team")}};
    const auto second = reg.registerRun(m_trained.classifier, kModel, options);
    QVERIFY2(second, second ? "" : qPrintable(second.errorMessage()));
    QCOMPARE(second->version, 2);
    QCOMPARE(second->modelId, first->modelId);
    QCOMPARE(second->tags, (QList<QPair<QString, QString>> {{QStringLiteral("owner"), QStringLiteral("risk-team")}}));

    const auto versions = reg.versions(kModel);
    QVERIFY(versions);
    QCOMPARE(versions->size(), 2);
    QCOMPARE(versions->at(0).version, 2); // newest first
    QCOMPARE(versions->at(1).version, 1);

    const auto ofRun = reg.versionsOfRun(m_trained.classifier);
    QVERIFY(ofRun);
    QCOMPARE(ofRun->size(), 2);
    QCOMPARE(ofRun->at(0).version, 1); // oldest first
    QCOMPARE(reg.versionById(second->id)->ref(), QStringLiteral("loans@2"));
}

void TestModelRegistry::listsModels()
{
    const auto models = registry().models();
    QVERIFY(models);
    QCOMPARE(models->size(), 1);
    const RegisteredModel &model = models->constFirst();
    QCOMPARE(model.name, kModel);
    QCOMPARE(model.description, QStringLiteral("Who defaults on a loan"));
    QCOMPARE(model.latestVersion, 2);
    QCOMPARE(model.versionCount, 2);
    QVERIFY(model.aliases.isEmpty());
    QCOMPARE(registry().model(kModel)->id, model.id);
    QCOMPARE(registry().model(QStringLiteral("nope")).errorMessage(), QStringLiteral("no model named 'nope'"));
}

void TestModelRegistry::signatureFollowsEncodingAndProfile()
{
    const auto version = registry().version(QStringLiteral("loans@1"));
    QVERIFY2(version, version ? "" : qPrintable(version.errorMessage()));
    const ModelSignature &signature = version->signature;
    QCOMPARE(signatureNames(signature).size(), 6);
    const QList<QPair<QString, ColumnType>> expected {
        {QStringLiteral("income"), ColumnType::Float},       {QStringLiteral("age"), ColumnType::Integer},
        {QStringLiteral("owner"), ColumnType::Boolean},      {QStringLiteral("purpose"), ColumnType::Categorical},
        {QStringLiteral("branch"), ColumnType::Categorical}, {QStringLiteral("opened"), ColumnType::DateTime}};
    for (const auto &[name, type] : expected) {
        const SignatureColumn *column = signature.input(name);
        QVERIFY2(column, qPrintable(name));
        QCOMPARE(column->type, type);
    }
    const SignatureColumn *purpose = signature.input(QStringLiteral("purpose"));
    QStringList categories = purpose->categories;
    categories.sort();
    QCOMPARE(categories,
             (QStringList {QStringLiteral("car"), QStringLiteral("home"), QStringLiteral("study"),
                           QStringLiteral("travel")}));
    QVERIFY(!purpose->otherCategories);
    const SignatureColumn *branch = signature.input(QStringLiteral("branch"));
    QCOMPARE(branch->categories.size(), 50);
    QVERIFY(branch->otherCategories);
    QVERIFY(!signature.input(QStringLiteral("amount")));

    QCOMPARE(signature.task, TaskKind::BinaryClassification);
    QCOMPARE(signature.target, QStringLiteral("default"));
    QCOMPARE(signature.classes.size(), 2);
    QVERIFY(signature.classes.contains(QStringLiteral("yes")));
    QCOMPARE(signature.outputNames(),
             (QStringList {QStringLiteral("label"), QLatin1String("p_") + signature.classes.at(0),
                           QLatin1String("p_") + signature.classes.at(1)}));

    const auto roundTrip = ModelSignature::fromJson(signature.toJson());
    QVERIFY(roundTrip);
    QCOMPARE(roundTrip->toJson(), signature.toJson());
    QVERIFY(!ModelSignature::fromJson(QJsonObject {}));
}

void TestModelRegistry::inputExampleHoldsTypedValues()
{
    const auto version = registry().version(kModel, 1);
    QVERIFY(version);
    const QJsonArray &example = version->inputExample;
    QCOMPARE(example.size(), 5);
    // The same rows as the first lines of loans.csv, typed.
    const QList<QByteArray> lines = test::loansCsv().split('\n');
    for (int i = 0; i < example.size(); ++i) {
        const QJsonObject record = example.at(i).toObject();
        const QList<QByteArray> fields = lines.at(i + 1).split(',');
        QCOMPARE(record.keys().size(), 6);
        QVERIFY(!record.contains(QStringLiteral("default")));
        QVERIFY(!record.contains(QStringLiteral("amount")));
        QVERIFY(record.value(QStringLiteral("income")).isDouble());
        QCOMPARE(record.value(QStringLiteral("income")).toDouble(), fields.at(0).toDouble());
        QVERIFY(record.value(QStringLiteral("age")).isDouble());
        QCOMPARE(record.value(QStringLiteral("age")).toInteger(), fields.at(1).toLongLong());
        QVERIFY(record.value(QStringLiteral("owner")).isBool());
        QCOMPARE(record.value(QStringLiteral("owner")).toBool(), fields.at(2) == "true");
        QCOMPARE(record.value(QStringLiteral("purpose")).toString(), QString::fromUtf8(fields.at(3)));
        QCOMPARE(record.value(QStringLiteral("branch")).toString(), QString::fromUtf8(fields.at(4)));
        QCOMPARE(record.value(QStringLiteral("opened")).toString(), QString::fromUtf8(fields.at(5)));
    }
}

void TestModelRegistry::keepsProfileAndLineage()
{
    const auto version = registry().version(kModel, 1);
    QVERIFY(version);
    QStringList profiled;
    for (const ColumnProfile &column : version->profile)
        profiled.append(column.name);
    profiled.sort();
    QCOMPARE(profiled,
             (QStringList {QStringLiteral("age"), QStringLiteral("branch"), QStringLiteral("default"),
                           QStringLiteral("income"), QStringLiteral("opened"), QStringLiteral("owner"),
                           QStringLiteral("purpose")}));
    const auto branch = std::find_if(version->profile.begin(), version->profile.end(),
                                     [](const ColumnProfile &p) { return p.name == QLatin1String("branch"); });
    QCOMPARE(branch->count, qint64(test::kLoanRows));
    QVERIFY(branch->distinct > 50);

    const auto run = RunStore(m_trained.workspace->db()).run(m_trained.classifier);
    QVERIFY(run);
    const auto dataset = DatasetCatalog(m_trained.workspace->db()).version(QStringLiteral("loans"), 1);
    QVERIFY(dataset);
    const ModelLineage &lineage = version->lineage;
    QCOMPARE(lineage.source, QStringLiteral("run"));
    QCOMPARE(lineage.runUuid, run->uuid);
    QCOMPARE(lineage.runName, QStringLiteral("trees"));
    QCOMPARE(lineage.experiment, QStringLiteral("loans"));
    QVERIFY(!lineage.library.isEmpty());
    QCOMPARE(lineage.library, run->reproducibility.value(QLatin1String("library")).toString());
    QCOMPARE(lineage.datasetName, QStringLiteral("loans"));
    QCOMPARE(lineage.datasetVersion, 1);
    QCOMPARE(lineage.datasetSha256, dataset->blobSha256);
    QCOMPARE(lineage.datasetRows, qint64(test::kLoanRows));
    QVERIFY(lineage.params.contains(qMakePair(QStringLiteral("max_depth"), QStringLiteral("3"))));
    QCOMPARE(lineage.metrics, run->results);
    QCOMPARE(version->metrics, run->results);

    const ModelLineage roundTrip = ModelLineage::fromJson(lineage.toJson());
    QCOMPARE(roundTrip.toJson(), lineage.toJson());
    QCOMPARE(roundTrip.params, lineage.params);
}

void TestModelRegistry::prefillsCard()
{
    const auto version = registry().version(kModel, 1);
    QVERIFY(version);
    const QString &card = version->card;
    for (const char *expected :
         {"# loans v1\n", "Trainer: `boosted-trees` (", "## Data", "`loans@1`", "400 rows", "## Parameters",
          "| max_depth | 3 |", "## Evaluation", "| accuracy |", "## Input schema", "| purpose | categorical |",
          "| income | float |", "+ others", "## Output", "`p_<class>`"})
        QVERIFY2(card.contains(QString::fromUtf8(expected)),
                 qPrintable(QString::fromUtf8(expected) + QLatin1String(" not in:\n") + card));
    test::writeFile(test::outputDir() + QStringLiteral("/model-card-loans-v1.md"), card.toUtf8());
    // At most ten categories are listed.
    const QString branchRow = card.mid(card.indexOf(QLatin1String("| branch |")));
    QVERIFY(branchRow.left(branchRow.indexOf(QLatin1Char('\n'))).contains(QStringLiteral("… (50 in all) + others")));
    // The library comes from the lineage, so a card made again from the stored version is the same.
    QVERIFY(card.contains(
        QStringLiteral("Trainer: `boosted-trees` (%1), binary classification").arg(version->lineage.library)));
    QCOMPARE(prefillModelCard(*version), card);
    ModelVersion unknownLibrary = *version;
    unknownLibrary.lineage.library.clear();
    QVERIFY(
        prefillModelCard(unknownLibrary).contains(QStringLiteral("Trainer: `boosted-trees`, binary classification")));
}

void TestModelRegistry::addVersionDescribesOnlyNewModels()
{
    ModelRegistry reg = registry();
    const QString copy = QStringLiteral("loans-copy");
    const auto original = reg.version(kModel, 1);
    QVERIFY(original);
    ModelVersion draft = *original;
    draft.card.clear();
    const auto first = reg.addVersion(copy, draft, QStringLiteral("A copy of loans"));
    QVERIFY2(first, first ? "" : qPrintable(first.errorMessage()));
    QCOMPARE(first->ref(), QStringLiteral("loans-copy@1"));
    QCOMPARE(reg.model(copy)->description, QStringLiteral("A copy of loans"));
    // An empty card is prefilled for the new version, with its own name and number.
    QVERIFY(first->card.startsWith(QStringLiteral("# loans-copy v1\n")));
    QCOMPARE(first->card, prefillModelCard(*first));

    // The model exists now: its description stays, and a card given is kept.
    draft.card = QStringLiteral("# Hand-written");
    const auto second = reg.addVersion(copy, draft, QStringLiteral("Another description"));
    QVERIFY2(second, second ? "" : qPrintable(second.errorMessage()));
    QCOMPARE(second->version, 2);
    QCOMPARE(second->card, QStringLiteral("# Hand-written"));
    QCOMPARE(reg.model(copy)->description, QStringLiteral("A copy of loans"));
    QVERIFY(reg.deleteModel(copy));
}

void TestModelRegistry::refusesRunsWithoutModel()
{
    ModelRegistry reg = registry();
    const auto command = reg.registerRun(m_trained.commandRun, kModel);
    QVERIFY(!command);
    QCOMPARE(command.errorMessage(),
             QStringLiteral("run %1 'script' saved no model: only runs of the built-in trainers can be registered")
                 .arg(m_trained.commandRun));
    const auto unknown = reg.registerRun(987654, kModel);
    QVERIFY(!unknown);
    QVERIFY2(unknown.errorMessage().contains(QStringLiteral("987654")), qPrintable(unknown.errorMessage()));

    RunStore store(m_trained.workspace->db());
    const auto queued = store.createRun(
        test::loanRunSpec(QStringLiteral("linear"), QStringLiteral("waiting"), QStringLiteral("amount")));
    QVERIFY(queued);
    const auto notFinished = reg.registerRun(queued->id, kModel);
    QVERIFY(!notFinished);
    QCOMPARE(notFinished.errorMessage(), QStringLiteral("run %1 'waiting' has not finished (queued)").arg(queued->id));
    QVERIFY(store.markEnded(queued->id, RunStatus::Cancelled));

    const auto badName = reg.registerRun(m_trained.classifier, QStringLiteral("a@b"));
    QVERIFY(!badName);
    QVERIFY(badName.errorMessage().contains(QStringLiteral("'@'")));
    QCOMPARE(reg.versions(kModel)->size(), 2); // nothing was added
}

void TestModelRegistry::parsesModelRefs_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("version");
    QTest::addColumn<QString>("alias");
    QTest::newRow("name") << QStringLiteral("loans") << true << QStringLiteral("loans") << 0 << QString();
    QTest::newRow("number") << QStringLiteral("loans@3") << true << QStringLiteral("loans") << 3 << QString();
    QTest::newRow("v-number") << QStringLiteral("loans@v12") << true << QStringLiteral("loans") << 12 << QString();
    QTest::newRow("alias") << QStringLiteral("loans@champion") << true << QStringLiteral("loans") << 0
                           << QStringLiteral("champion");
    QTest::newRow("latest") << QStringLiteral("loans@latest") << true << QStringLiteral("loans") << 0 << QString();
    QTest::newRow("spaces in name") << QStringLiteral("credit risk@2") << true << QStringLiteral("credit risk") << 2
                                    << QString();
    QTest::newRow("empty") << QString() << false << QString() << 0 << QString();
    QTest::newRow("no name") << QStringLiteral("@3") << false << QString() << 0 << QString();
    QTest::newRow("nothing after @") << QStringLiteral("loans@") << false << QString() << 0 << QString();
    QTest::newRow("version 0") << QStringLiteral("loans@0") << false << QString() << 0 << QString();
    QTest::newRow("v0") << QStringLiteral("loans@v0") << false << QString() << 0 << QString();
    QTest::newRow("digit first") << QStringLiteral("loans@1abc") << false << QString() << 0 << QString();
    QTest::newRow("two @") << QStringLiteral("loans@a@b") << false << QString() << 0 << QString();
}

void TestModelRegistry::parsesModelRefs()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const auto ref = ModelRef::parse(text);
    QCOMPARE(ref.ok(), valid);
    if (!valid) {
        QVERIFY(!ref.errorMessage().isEmpty());
        return;
    }
    QTEST(ref->name, "name");
    QTEST(ref->version, "version");
    QTEST(ref->alias, "alias");
}

void TestModelRegistry::movesAliases()
{
    ModelRegistry reg = registry();
    QVERIFY(reg.setAlias(kModel, QStringLiteral("champion"), 1));
    QCOMPARE(reg.version(QStringLiteral("loans@champion"))->version, 1);
    QCOMPARE(reg.version(kModel, 1)->aliases, QStringList {QStringLiteral("champion")});

    QVERIFY(reg.setAlias(kModel, QStringLiteral("champion"), 2));
    QVERIFY(reg.setAlias(kModel, QStringLiteral("challenger"), 2));
    QCOMPARE(reg.version(QStringLiteral("loans@champion"))->version, 2);
    QVERIFY(reg.version(kModel, 1)->aliases.isEmpty());
    QCOMPARE(reg.version(kModel, 2)->aliases, (QStringList {QStringLiteral("challenger"), QStringLiteral("champion")}));
    QCOMPARE(reg.model(kModel)->aliases,
             (QMap<QString, int> {{QStringLiteral("champion"), 2}, {QStringLiteral("challenger"), 2}}));
    QCOMPARE(reg.version(QStringLiteral("loans@latest"))->version, 2);
    QCOMPARE(reg.version(kModel)->version, 2);

    const Status missing = reg.setAlias(kModel, QStringLiteral("champion"), 9);
    QVERIFY(!missing);
    QCOMPARE(missing.errorMessage(), QStringLiteral("model 'loans' has no version 9"));
    QCOMPARE(reg.version(QStringLiteral("loans@champion"))->version, 2); // unchanged

    QCOMPARE(reg.version(QStringLiteral("loans@shadow")).errorMessage(),
             QStringLiteral("model 'loans' has no alias 'shadow'"));
    QCOMPARE(reg.version(QStringLiteral("loans@7")).errorMessage(), QStringLiteral("model 'loans' has no version 7"));
    QCOMPARE(reg.version(QStringLiteral("nope@1")).errorMessage(), QStringLiteral("no model named 'nope'"));

    QVERIFY(reg.removeAlias(kModel, QStringLiteral("challenger")));
    const Status absent = reg.removeAlias(kModel, QStringLiteral("challenger"));
    QVERIFY(!absent);
    QCOMPARE(absent.errorMessage(), QStringLiteral("model 'loans' has no alias 'challenger'"));
}

void TestModelRegistry::refusesInvalidAliasNames_data()
{
    QTest::addColumn<QString>("alias");
    QTest::addColumn<QString>("reason");
    QTest::newRow("latest") << QStringLiteral("latest") << QStringLiteral("newest version");
    QTest::newRow("Latest") << QStringLiteral("Latest") << QStringLiteral("newest version");
    QTest::newRow("v2") << QStringLiteral("v2") << QStringLiteral("names version 2");
    QTest::newRow("1abc") << QStringLiteral("1abc") << QStringLiteral("start with a letter");
    QTest::newRow("empty") << QString() << QStringLiteral("empty");
    QTest::newRow("space") << QStringLiteral("my alias") << QStringLiteral("only letters");
    QTest::newRow("too long") << QString(65, QLatin1Char('a')) << QStringLiteral("longer than 64");
}

void TestModelRegistry::refusesInvalidAliasNames()
{
    QFETCH(QString, alias);
    QFETCH(QString, reason);
    const Status status = registry().setAlias(kModel, alias, 1);
    QVERIFY(!status);
    QVERIFY2(status.errorMessage().contains(reason), qPrintable(status.errorMessage()));
    QVERIFY(validateAliasName(QStringLiteral("champion_2-b")));
    QVERIFY(validateAliasName(QStringLiteral("version")));
}

void TestModelRegistry::changesStatus()
{
    ModelRegistry reg = registry();
    QVERIFY(versionStatusFromName(QStringLiteral("PRODUCTION")) == VersionStatus::Production);
    QVERIFY(!versionStatusFromName(QStringLiteral("shipped")));
    for (VersionStatus status :
         {VersionStatus::Staging, VersionStatus::Production, VersionStatus::Archived, VersionStatus::Ready}) {
        QVERIFY(versionStatusFromName(versionStatusName(status)) == status);
        QVERIFY(reg.setStatus(kModel, 1, status));
        QCOMPARE(reg.version(kModel, 1)->status, status);
    }
    QVERIFY(reg.setStatus(kModel, 2, VersionStatus::Staging));
    QCOMPARE(reg.version(kModel, 2)->status, VersionStatus::Staging);
    QCOMPARE(reg.setStatus(kModel, 5, VersionStatus::Archived).errorMessage(),
             QStringLiteral("model 'loans' has no version 5"));
}

void TestModelRegistry::keepsTags()
{
    ModelRegistry reg = registry();
    QVERIFY(reg.setVersionTag(kModel, 1, QStringLiteral("reviewed"), QStringLiteral("yes")));
    QVERIFY(reg.setVersionTag(kModel, 1, QStringLiteral("reviewed"), QStringLiteral("no")));
    QVERIFY(reg.setVersionTag(kModel, 1, QStringLiteral("ab"), QStringLiteral("x")));
    QCOMPARE(reg.version(kModel, 1)->tags,
             (QList<QPair<QString, QString>> {{QStringLiteral("ab"), QStringLiteral("x")},
                                              {QStringLiteral("reviewed"), QStringLiteral("no")}}));
    QVERIFY(reg.removeVersionTag(kModel, 1, QStringLiteral("ab")));
    QVERIFY(!reg.removeVersionTag(kModel, 1, QStringLiteral("ab")));
    QVERIFY(!reg.setVersionTag(kModel, 1, QString(), QStringLiteral("x")));
    QVERIFY(!reg.setVersionTag(kModel, 8, QStringLiteral("k"), QStringLiteral("x")));

    QVERIFY(reg.setModelTag(kModel, QStringLiteral("team"), QStringLiteral("risk")));
    QCOMPARE(reg.model(kModel)->tags,
             (QList<QPair<QString, QString>> {{QStringLiteral("team"), QStringLiteral("risk")}}));
    QVERIFY(reg.removeModelTag(kModel, QStringLiteral("team")));
    const Status absent = reg.removeModelTag(kModel, QStringLiteral("team"));
    QCOMPARE(absent.errorMessage(), QStringLiteral("model 'loans' has no tag 'team'"));
    QVERIFY(reg.setModelTag(kModel, QStringLiteral("team"), QStringLiteral("credit")));
    QVERIFY(reg.setModelDescription(kModel, QStringLiteral("Default risk of a loan")));
    QCOMPARE(reg.model(kModel)->description, QStringLiteral("Default risk of a loan"));
}

void TestModelRegistry::persistsCardEdits()
{
    ModelRegistry reg = registry();
    const QString card = reg.version(kModel, 2)->card + QStringLiteral("\n## Notes\n\nChecked by the risk team.\n");
    QVERIFY(reg.setCard(kModel, 2, card));
    QCOMPARE(reg.version(kModel, 2)->card, card);
    QVERIFY(reg.version(kModel, 2)->updatedAt >= reg.version(kModel, 2)->createdAt);
}

void TestModelRegistry::protectsDeployedVersions()
{
    ModelRegistry reg = registry();
    const auto third = reg.registerRun(m_trained.classifier, kModel);
    QVERIFY(third);
    QCOMPARE(third->version, 3);
    QVERIFY(reg.setAlias(kModel, QStringLiteral("shadow"), 3));

    const auto deployment
        = reg.recordDeployment(third->id, QStringLiteral("prod-agent"), QJsonObject {{QStringLiteral("port"), 8080}});
    QVERIFY2(deployment, deployment ? "" : qPrintable(deployment.errorMessage()));
    const auto deployed = reg.version(kModel, 3);
    QVERIFY(deployed->isDeployed());
    QCOMPARE(deployed->deployments.size(), 1);
    QCOMPARE(deployed->deployments.at(0).target, QStringLiteral("prod-agent"));
    QCOMPARE(deployed->deployments.at(0).detail.value(QStringLiteral("port")).toInt(), 8080);
    QVERIFY(!reg.recordDeployment(424242, QStringLiteral("prod-agent")));

    const Status refused = reg.deleteVersion(kModel, 3);
    QVERIFY(!refused);
    QCOMPARE(refused.errorMessage(), QStringLiteral("loans@3 is deployed to 'prod-agent': undeploy it first"));
    const Status modelRefused = reg.deleteModel(kModel);
    QCOMPARE(modelRefused.errorMessage(), QStringLiteral("loans@3 is deployed to 'prod-agent': undeploy it first"));
    QVERIFY(reg.version(kModel, 3));

    QVERIFY(reg.endDeployment(*deployment));
    QVERIFY(!reg.endDeployment(*deployment)); // already ended
    const auto ended = reg.version(kModel, 3);
    QVERIFY(!ended->isDeployed());
    QCOMPARE(ended->deployments.at(0).status, QStringLiteral("ended"));
    QVERIFY(ended->deployments.at(0).endedAt.isValid());

    QVERIFY(reg.deleteVersion(kModel, 3));
    QCOMPARE(reg.version(kModel, 3).errorMessage(), QStringLiteral("model 'loans' has no version 3"));
    QVERIFY(!reg.model(kModel)->aliases.contains(QStringLiteral("shadow")));
    QCOMPARE(reg.model(kModel)->latestVersion, 2);
    QVERIFY(!reg.deleteVersion(kModel, 3));
}

void TestModelRegistry::neverGivesANumberTwice()
{
    // Version 3 was deleted above: the next one is 4, so "loans@3" never names another model.
    const auto next = registry().registerRun(m_trained.classifier, kModel);
    QVERIFY(next);
    QCOMPARE(next->version, 4);
    QVERIFY(registry().deleteVersion(kModel, 4));
}

void TestModelRegistry::numbersConcurrentRegistrations()
{
    constexpr int kPerThread = 3;
    const QString location = m_trained.workspace->location();
    const qint64 runId = m_trained.classifier;
    QMutex mutex;
    QList<int> numbers;
    QStringList errors;
    const auto registerSome = [&] {
        auto workspace = Workspace::open(location, Workspace::OpenMode::OpenExisting);
        if (!workspace) {
            const QMutexLocker lock(&mutex);
            errors.append(workspace.errorMessage());
            return;
        }
        ModelRegistry reg(**workspace);
        for (int i = 0; i < kPerThread; ++i) {
            const auto version = reg.registerRun(runId, QStringLiteral("race"));
            const QMutexLocker lock(&mutex);
            if (version)
                numbers.append(version->version);
            else
                errors.append(version.errorMessage());
        }
    };
    std::thread a(registerSome);
    std::thread b(registerSome);
    a.join();
    b.join();
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    std::sort(numbers.begin(), numbers.end());
    QCOMPARE(numbers, (QList<int> {1, 2, 3, 4, 5, 6}));
    QCOMPARE(registry().model(QStringLiteral("race"))->versionCount, 2 * kPerThread);
    QVERIFY(registry().deleteModel(QStringLiteral("race")));
}

void TestModelRegistry::diffsClassifierAndRegressor()
{
    ModelRegistry reg = registry();
    const auto regressor = reg.registerRun(m_trained.regressor, QStringLiteral("amounts"));
    QVERIFY2(regressor, regressor ? "" : qPrintable(regressor.errorMessage()));
    QCOMPARE(regressor->signature.task, TaskKind::Regression);
    QCOMPARE(regressor->signature.outputNames(), QStringList {QStringLiteral("prediction")});
    QVERIFY(regressor->card.contains(QStringLiteral("`prediction`")));
    const auto classifier = reg.version(kModel, 2);
    QVERIFY(classifier);

    using Section = VersionDiffLine::Section;
    const QList<VersionDiffLine> lines = diffVersions(*classifier, *regressor);
    const auto line
        = [&](Section section, const char *key) { return findLine(lines, section, QString::fromUtf8(key)); };
    for (const auto &[section, key] : {std::pair {Section::Model, "trainer"}, std::pair {Section::Model, "target"},
                                       std::pair {Section::Model, "dataset"}, std::pair {Section::Metric, "accuracy"},
                                       std::pair {Section::Metric, "rmse"}, std::pair {Section::Param, "max_depth"},
                                       std::pair {Section::Schema, "income"}, std::pair {Section::Schema, "purpose"},
                                       std::pair {Section::Schema, "branch"}, std::pair {Section::Schema, "opened"}})
        QVERIFY2(line(section, key), key);
    QVERIFY(line(Section::Model, "trainer")->differs);
    QCOMPARE(line(Section::Model, "trainer")->right, QStringLiteral("linear"));
    QVERIFY(line(Section::Model, "target")->differs);
    QVERIFY(!line(Section::Model, "dataset")->differs);
    QVERIFY(line(Section::Metric, "accuracy")->differs);
    QVERIFY(line(Section::Metric, "accuracy")->right.isEmpty());
    QVERIFY(line(Section::Metric, "rmse")->left.isEmpty());
    QVERIFY(!line(Section::Metric, "rmse")->right.isEmpty());
    QVERIFY(line(Section::Param, "max_depth")->differs);
    QVERIFY(!line(Section::Schema, "income")->differs);
    QCOMPARE(line(Section::Schema, "income")->left, QStringLiteral("float"));
    QVERIFY(!line(Section::Schema, "purpose")->differs);
    QVERIFY(line(Section::Schema, "branch")->differs);
    QVERIFY(line(Section::Schema, "branch")->right.isEmpty());
    QVERIFY(line(Section::Schema, "opened")->differs);

    // Sections in order, keys sorted within each but the model facts.
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QVERIFY(lines.at(i - 1).section <= lines.at(i).section);
        if (lines.at(i).section != Section::Model && lines.at(i - 1).section == lines.at(i).section)
            QVERIFY(lines.at(i - 1).key.compare(lines.at(i).key, Qt::CaseInsensitive) <= 0);
    }
    // A version compared with itself differs nowhere.
    const QList<VersionDiffLine> same = diffVersions(*classifier, *classifier);
    QVERIFY(std::none_of(same.begin(), same.end(), [](const VersionDiffLine &l) { return l.differs; }));
}

void TestModelRegistry::deletesModels()
{
    ModelRegistry reg = registry();
    QVERIFY(reg.setAlias(QStringLiteral("amounts"), QStringLiteral("champion"), 1));
    QVERIFY(reg.deleteModel(QStringLiteral("amounts")));
    QCOMPARE(reg.version(QStringLiteral("amounts")).errorMessage(), QStringLiteral("no model named 'amounts'"));
    QCOMPARE(reg.deleteModel(QStringLiteral("amounts")).errorMessage(), QStringLiteral("no model named 'amounts'"));
    QCOMPARE(reg.models()->size(), 1);
    // The run stays and can be registered again, from version 1.
    const auto again = reg.registerRun(m_trained.regressor, QStringLiteral("amounts"));
    QVERIFY(again);
    QCOMPARE(again->version, 1);
}

void TestModelRegistry::keepsEverythingAcrossReopen()
{
    const auto before = registry().versions(kModel);
    QVERIFY(before);
    const QString location = m_trained.workspace->location();
    m_trained.workspace.reset();
    auto reopened = Workspace::open(location, Workspace::OpenMode::OpenExisting);
    QVERIFY(reopened);
    m_trained.workspace = std::move(reopened).value();
    const auto after = registry().versions(kModel);
    QVERIFY(after);
    QCOMPARE(after->size(), before->size());
    for (qsizetype i = 0; i < after->size(); ++i) {
        const ModelVersion &a = after->at(i);
        const ModelVersion &b = before->at(i);
        QCOMPARE(a.version, b.version);
        QCOMPARE(a.status, b.status);
        QCOMPARE(a.aliases, b.aliases);
        QCOMPARE(a.tags, b.tags);
        QCOMPARE(a.card, b.card);
        QCOMPARE(a.signature.toJson(), b.signature.toJson());
        QCOMPARE(a.encoding.toJson(), b.encoding.toJson());
        QCOMPARE(a.inputExample, b.inputExample);
        QCOMPARE(a.metrics, b.metrics);
        QCOMPARE(a.evaluation, b.evaluation);
        QCOMPARE(profileToJson(a.profile), profileToJson(b.profile));
        QCOMPARE(a.lineage.toJson(), b.lineage.toJson());
        QCOMPARE(a.deployments.size(), b.deployments.size());
        QCOMPARE(a.createdAt, b.createdAt);
    }
    QCOMPARE(after->at(0).status, VersionStatus::Staging);
    QCOMPARE(after->at(0).aliases, QStringList {QStringLiteral("champion")});
    QCOMPARE(registry().model(kModel)->tags,
             (QList<QPair<QString, QString>> {{QStringLiteral("team"), QStringLiteral("credit")}}));
}

QTEST_GUILESS_MAIN(TestModelRegistry)
#include "tst_modelregistry.moc"
