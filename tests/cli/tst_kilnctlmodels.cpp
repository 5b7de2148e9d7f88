#include "../registry/registrytestsupport.h"
#include "registry/bundle.h"
#include "registry/modelregistry.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <algorithm>

using Result = kiln::test::KilnctlResult;

namespace {

/// Rows of loans.csv the prediction files hold.
constexpr int kRows = 20;

/// The header and the first `rows` data rows of loans.csv (every column, the targets too).
QByteArray loanRowsCsv(int rows)
{
    return kiln::test::loansCsv().split('\n').mid(0, rows + 1).join('\n') + '\n';
}

/// The same rows as MLflow's dataframe_split, with JSON numbers and booleans where the CSV has
/// them.
QByteArray loanRowsJson(int rows)
{
    const QList<QByteArray> lines = kiln::test::loansCsv().split('\n');
    const QList<QByteArray> header = lines.first().split(',');
    QJsonArray columns;
    for (const QByteArray &name : header)
        columns.append(QString::fromUtf8(name));
    QJsonArray data;
    for (const QByteArray &line : lines.mid(1, rows)) {
        const QList<QByteArray> fields = line.split(',');
        QJsonArray row;
        for (qsizetype i = 0; i < fields.size(); ++i) {
            const QByteArray &name = header.at(i);
            if (name == "income" || name == "age" || name == "amount")
                row.append(fields.at(i).toDouble());
            else if (name == "owner")
                row.append(fields.at(i) == "true");
            else
                row.append(QString::fromUtf8(fields.at(i)));
        }
        data.append(row);
    }
    const QJsonObject split {{QStringLiteral("columns"), columns}, {QStringLiteral("data"), data}};
    return QJsonDocument(QJsonObject {{QStringLiteral("dataframe_split"), split}}).toJson();
}

/// CSV output read back (core's reader, through the test support).
QList<QStringList> csvLines(const QByteArray &csv)
{
    return kiln::test::parseCsv(QString::fromUtf8(csv));
}

/// The last line of `text`: on stderr, the failure after any notes.
QByteArray lastLine(const QByteArray &text)
{
    return text.trimmed().split('\n').last();
}

} // namespace

/// The model registry from the shell: every `kilnctl models` command and `kilnctl predict`,
/// driven through real kilnctl processes on a workspace with really trained runs, and a bundle
/// carried to a fresh workspace where the predictions must be the same.
class tst_KilnctlModels final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void registerRuns();
    void registerRefused();
    void listModels();
    void showModel();
    void showVersion();
    void aliasSetAndMove();
    void aliasRemove();
    void setStatus();
    void tagVersionsAndModels();
    void deleteNeedsConfirmation();
    void deleteVersion();
    void deleteDeployedRefused();
    void exportBundle();
    void importIntoFreshWorkspace();
    void predictSameInBothWorkspaces_data();
    void predictSameInBothWorkspaces();
    void predictFormatsAndOutput();
    void predictFromStdin();
    void predictDatasetEqualsTrainingPredictions();
    void predictRegression();
    void predictWrongInput_data();
    void predictWrongInput();
    void predictUnknownModel();
    void tamperedBundleRefused();
    void usageErrors_data();
    void usageErrors();

private:
    Result kilnctl(const QStringList &args, const QString &workspace = {}) const
    {
        return kiln::test::runKilnctl(workspace.isEmpty() ? m_ws : workspace, args, m_dir.path());
    }
    QString path(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    QString m_ws;
    QString m_freshWs;
    QString m_bundle; ///< loans@champion (version 2), exported
    kiln::test::TrainedRegistryWorkspace m_trained;
};

void tst_KilnctlModels::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_ws = path(QStringLiteral("ws"));
    m_freshWs = path(QStringLiteral("fresh"));
    kiln::test::TrainedRegistryWorkspace::create(m_ws, m_trained, path(QStringLiteral("data")));
    QVERIFY(m_trained.workspace);
    kiln::test::writeFile(path(QStringLiteral("rows.csv")), loanRowsCsv(kRows));
    kiln::test::writeFile(path(QStringLiteral("rows.json")), loanRowsJson(kRows));
}

void tst_KilnctlModels::registerRuns()
{
    Result r = kilnctl({QStringLiteral("models"), QStringLiteral("register"), QString::number(m_trained.classifier),
                        QStringLiteral("--name"), QStringLiteral("loans"), QStringLiteral("--description"),
                        QStringLiteral("Who pays back")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("Registered loans@1 from run " + QByteArray::number(m_trained.classifier)));

    // By a uuid prefix, as `runs show` accepts it: 8 characters or more, and not all digits (a
    // number names a run by its id).
    const QString uuid = kiln::RunStore(m_trained.workspace->db()).run(m_trained.classifier)->uuid;
    qsizetype prefix = 8;
    while (prefix < uuid.size()
           && std::all_of(uuid.cbegin(), uuid.cbegin() + prefix, [](QChar c) { return c.isDigit(); }))
        ++prefix;
    r = kilnctl({QStringLiteral("models"), QStringLiteral("register"), uuid.left(prefix), QStringLiteral("--name"),
                 QStringLiteral("loans"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject version = r.json().value(QStringLiteral("version")).toObject();
    QCOMPARE(version.value(QStringLiteral("ref")).toString(), QStringLiteral("loans@2"));
    QCOMPARE(version.value(QStringLiteral("run")).toInteger(), m_trained.classifier);
    QCOMPARE(version.value(QStringLiteral("trainer")).toString(), QStringLiteral("boosted-trees"));

    r = kilnctl({QStringLiteral("models"), QStringLiteral("register"), QString::number(m_trained.regressor),
                 QStringLiteral("--name"), QStringLiteral("amounts")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith("Registered amounts@1"), r.out.constData());
}

void tst_KilnctlModels::registerRefused()
{
    // A command run that saved no model, and a run that does not exist.
    for (const QString &run : {QString::number(m_trained.commandRun), QStringLiteral("9999")}) {
        const Result r = kilnctl({QStringLiteral("models"), QStringLiteral("register"), run, QStringLiteral("--name"),
                                  QStringLiteral("script")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("kilnctl: ") && r.err.size() > 12, r.err.constData());
    }
    const Result list = kilnctl({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(!list.out.contains("\"script\""), list.out.constData());
}

void tst_KilnctlModels::listModels()
{
    Result r = kilnctl({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray models = r.json().value(QStringLiteral("models")).toArray();
    QCOMPARE(models.size(), 2);
    const QJsonObject amounts = models.at(0).toObject(); // by name
    const QJsonObject loans = models.at(1).toObject();
    QCOMPARE(amounts.value(QStringLiteral("name")).toString(), QStringLiteral("amounts"));
    QCOMPARE(loans.value(QStringLiteral("name")).toString(), QStringLiteral("loans"));
    QCOMPARE(loans.value(QStringLiteral("latestVersion")).toInt(), 2);
    QCOMPARE(loans.value(QStringLiteral("versions")).toInt(), 2);
    QCOMPARE(loans.value(QStringLiteral("description")).toString(), QStringLiteral("Who pays back"));
    QCOMPARE(amounts.value(QStringLiteral("latestVersion")).toInt(), 1);

    r = kilnctl({QStringLiteral("models"), QStringLiteral("list")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines.at(0).simplified() == "NAME LATEST VERSIONS ALIASES UPDATED", lines.at(0).constData());
    QVERIFY2(lines.at(2).simplified().startsWith("loans 2 2 "), lines.at(2).constData());
}

void tst_KilnctlModels::showModel()
{
    Result r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject json = r.json();
    QCOMPARE(json.value(QStringLiteral("model")).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("loans"));
    const QJsonArray versions = json.value(QStringLiteral("versions")).toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions.at(0).toObject().value(QStringLiteral("version")).toInt(), 2); // newest first
    for (const QJsonValue v : versions) {
        const QJsonObject version = v.toObject();
        QCOMPARE(version.value(QStringLiteral("run")).toInteger(), m_trained.classifier);
        QCOMPARE(version.value(QStringLiteral("status")).toString(), QStringLiteral("ready"));
        QVERIFY(version.value(QStringLiteral("metrics")).toObject().contains(QStringLiteral("accuracy")));
        QCOMPARE(version.value(QStringLiteral("signature")).toObject().value(QStringLiteral("inputs")).toArray().size(),
                 6);
    }

    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith("loans  2 versions, latest @2\ndescription: Who pays back\n"), r.out.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 5);
    const qsizetype header = 2;
    QVERIFY2(lines.at(header).simplified() == "VERSION ALIASES STATUS TAGS METRICS CREATED RUN", r.out.constData());
    for (const QByteArray &line : {lines.at(header + 1), lines.at(header + 2)}) {
        QVERIFY2(line.contains("ready") && line.contains("accuracy=") && line.contains("roc_auc="), line.constData());
        QVERIFY2(line.endsWith(QByteArray(" " + QByteArray::number(m_trained.classifier))), line.constData());
    }
}

void tst_KilnctlModels::showVersion()
{
    Result r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans@1"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject version = r.json().value(QStringLiteral("version")).toObject();
    QCOMPARE(version.value(QStringLiteral("ref")).toString(), QStringLiteral("loans@1"));
    QCOMPARE(version.value(QStringLiteral("modelFormat")).toString(), QStringLiteral("xgboost-ubj"));
    QCOMPARE(version.value(QStringLiteral("sha256")).toString().size(), 64);
    const QJsonObject signature = version.value(QStringLiteral("signature")).toObject();
    QStringList inputs;
    for (const QJsonValue input : signature.value(QStringLiteral("inputs")).toArray())
        inputs << input.toObject().value(QStringLiteral("name")).toString();
    inputs.sort();
    QCOMPARE(inputs,
             (QStringList {QStringLiteral("age"), QStringLiteral("branch"), QStringLiteral("income"),
                           QStringLiteral("opened"), QStringLiteral("owner"), QStringLiteral("purpose")}));
    const QJsonObject lineage = version.value(QStringLiteral("lineage")).toObject();
    QCOMPARE(lineage.value(QStringLiteral("runUuid")).toString(),
             kiln::RunStore(m_trained.workspace->db()).run(m_trained.classifier)->uuid);
    const QJsonObject dataset = lineage.value(QStringLiteral("dataset")).toObject();
    QCOMPARE(dataset.value(QStringLiteral("name")).toString(), QStringLiteral("loans"));
    QCOMPARE(dataset.value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(dataset.value(QStringLiteral("rows")).toInt(), kiln::test::kLoanRows);
    QCOMPARE(version.value(QStringLiteral("inputExample")).toArray().size(), 5);
    QVERIFY(!version.value(QStringLiteral("card")).toString().isEmpty());
    QVERIFY(version.value(QStringLiteral("deployments")).toArray().isEmpty());
    QCOMPARE(r.json().value(QStringLiteral("model")).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("loans"));

    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans@1")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith("loans@1  ready  boosted-trees (xgboost-ubj)\n"), r.out.constData());
    for (const char *expected : {"\ndataset:     loans@1 (400 rows, sha256 ", "\nparam        max_depth = 3\n",
                                 "\nmetric       accuracy = ", "\ninputs:\n", "\n  purpose ",
                                 "\noutputs:     label, p_", "\ninput example:\n", "\ncard:\n"}) {
        QVERIFY2(
            r.out.contains(expected),
            qPrintable(QStringLiteral("no '%1' in:\n%2").arg(QString::fromUtf8(expected), QString::fromUtf8(r.out))));
    }
}

void tst_KilnctlModels::aliasSetAndMove()
{
    Result r = kilnctl({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("loans"), QStringLiteral("1"),
                        QStringLiteral("champion")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(QString::fromUtf8(r.out.trimmed()), QStringLiteral("champion \u2192 loans@1"));

    r = kilnctl({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("loans"), QStringLiteral("v2"),
                 QStringLiteral("champion")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(QString::fromUtf8(r.out.trimmed()), QStringLiteral("champion: loans@1 \u2192 loans@2"));

    r = kilnctl({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("loans@1"),
                 QStringLiteral("challenger"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(QStringLiteral("version")).toInt(), 1);
    QVERIFY(r.json().value(QStringLiteral("previous")).isNull());

    r = kilnctl({QStringLiteral("models"), QStringLiteral("list")});
    QVERIFY2(r.out.contains("challenger\xE2\x86\x92"
                            "1, champion\xE2\x86\x92"
                            "2"),
             r.out.constData());

    // The alias resolves everywhere a model is named.
    r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans@champion"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject version = r.json().value(QStringLiteral("version")).toObject();
    QCOMPARE(version.value(QStringLiteral("version")).toInt(), 2);
    QCOMPARE(version.value(QStringLiteral("aliases")).toArray(), QJsonArray {QStringLiteral("champion")});

    // Names that name versions are not aliases; a missing version is refused.
    r = kilnctl({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("loans"), QStringLiteral("1"),
                 QStringLiteral("latest")});
    QCOMPARE(r.exitCode, 1);
    r = kilnctl({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("loans"), QStringLiteral("7"),
                 QStringLiteral("champion")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("kilnctl: "), r.err.constData());
    r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans@champion"), QStringLiteral("--json")});
    QCOMPARE(r.json().value(QStringLiteral("version")).toObject().value(QStringLiteral("version")).toInt(), 2);
}

void tst_KilnctlModels::aliasRemove()
{
    const QStringList remove {QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("loans"),
                              QStringLiteral("challenger"), QStringLiteral("--remove")};
    Result r = kilnctl(remove);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("removed challenger (was loans@1)"));
    r = kilnctl(remove);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.trimmed(), QByteArray("kilnctl: loans has no alias 'challenger'"));
    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans@challenger")});
    QCOMPARE(r.exitCode, 1);
}

void tst_KilnctlModels::setStatus()
{
    Result r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("status"), QStringLiteral("loans@1"), QStringLiteral("staging")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(QString::fromUtf8(r.out.trimmed()), QStringLiteral("loans@1: ready \u2192 staging"));
    r = kilnctl({QStringLiteral("models"), QStringLiteral("status"), QStringLiteral("loans@champion"),
                 QStringLiteral("Production"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(QStringLiteral("ref")).toString(), QStringLiteral("loans@2"));
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("production"));

    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans"), QStringLiteral("--json")});
    const QJsonArray versions = r.json().value(QStringLiteral("versions")).toArray();
    QCOMPARE(versions.at(0).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("production"));
    QCOMPARE(versions.at(1).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("staging"));
}

void tst_KilnctlModels::tagVersionsAndModels()
{
    const auto versionTags = [this](const QString &ref) {
        const Result show = kilnctl({QStringLiteral("models"), QStringLiteral("show"), ref, QStringLiteral("--json")});
        return show.json().value(QStringLiteral("version")).toObject().value(QStringLiteral("tags")).toObject();
    };
    // Set two tags of a version by its number; a value may hold '='.
    Result r = kilnctl({QStringLiteral("models"), QStringLiteral("tag"), QStringLiteral("loans@1"),
                        QStringLiteral("team=risk"), QStringLiteral("note=a=b")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("loans@1 tags: note=a=b, team=risk"));
    QCOMPARE(versionTags(QStringLiteral("loans@1")),
             (QJsonObject {{QStringLiteral("note"), QStringLiteral("a=b")},
                           {QStringLiteral("team"), QStringLiteral("risk")}}));
    QVERIFY(versionTags(QStringLiteral("loans@2")).isEmpty());

    // Change one and remove another in one call.
    r = kilnctl({QStringLiteral("models"), QStringLiteral("tag"), QStringLiteral("loans@1"), QStringLiteral("team=ops"),
                 QStringLiteral("--remove"), QStringLiteral("note"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.json().value(QStringLiteral("version")).toInt(), 1);
    QCOMPARE(r.json().value(QStringLiteral("tags")).toObject(),
             (QJsonObject {{QStringLiteral("team"), QStringLiteral("ops")}}));
    QCOMPARE(r.json().value(QStringLiteral("removed")).toArray(), QJsonArray {QStringLiteral("note")});
    QCOMPARE(versionTags(QStringLiteral("loans@1")), (QJsonObject {{QStringLiteral("team"), QStringLiteral("ops")}}));
    // By an alias: champion is version 2.
    r = kilnctl({QStringLiteral("models"), QStringLiteral("tag"), QStringLiteral("loans@champion"),
                 QStringLiteral("reviewed=yes")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("loans@2 tags: reviewed=yes"));

    // Removing a tag the version lacks fails and changes nothing, not even the tags set with it.
    r = kilnctl({QStringLiteral("models"), QStringLiteral("tag"), QStringLiteral("loans@1"), QStringLiteral("stage=qa"),
                 QStringLiteral("--remove"), QStringLiteral("note")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.trimmed(), QByteArray("kilnctl: loans@1 has no tag 'note'"));
    QCOMPARE(versionTags(QStringLiteral("loans@1")), (QJsonObject {{QStringLiteral("team"), QStringLiteral("ops")}}));

    // Text output shows them: the version's page and the model's versions table.
    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans@1")});
    QVERIFY2(r.out.contains("\ntags:        team=ops\n"), r.out.constData());
    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans")});
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    // The model, its description and aliases, then the table.
    QVERIFY2(lines.size() == 6, r.out.constData());
    QVERIFY2(lines.at(3).simplified().startsWith("VERSION ALIASES STATUS TAGS METRICS "), r.out.constData());
    QVERIFY2(lines.at(4).simplified().startsWith("2 champion production reviewed=yes "), r.out.constData());
    QVERIFY2(lines.at(5).simplified().startsWith("1 staging team=ops "), r.out.constData());

    // A bare name tags the model; removing the last tag leaves none.
    r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("tag"), QStringLiteral("loans"), QStringLiteral("owner=risk")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("loans tags: owner=risk"));
    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans"), QStringLiteral("--json")});
    QCOMPARE(r.json().value(QStringLiteral("model")).toObject().value(QStringLiteral("tags")).toObject(),
             (QJsonObject {{QStringLiteral("owner"), QStringLiteral("risk")}}));
    r = kilnctl({QStringLiteral("models"), QStringLiteral("tag"), QStringLiteral("loans"), QStringLiteral("--remove"),
                 QStringLiteral("owner")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("loans: no tags"));
    // The registry has what kilnctl printed.
    const kiln::Expected<kiln::ModelVersion> tagged
        = kiln::ModelRegistry(*m_trained.workspace).version(QStringLiteral("loans@1"));
    QVERIFY(tagged);
    QCOMPARE(tagged->tags, (QList<QPair<QString, QString>> {{QStringLiteral("team"), QStringLiteral("ops")}}));
    QVERIFY(kiln::ModelRegistry(*m_trained.workspace).model(QStringLiteral("loans"))->tags.isEmpty());
}

void tst_KilnctlModels::deleteNeedsConfirmation()
{
    const Result r = kilnctl({QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("loans@1")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("for good") && r.err.contains("--yes"), r.err.constData());
    const Result show = kilnctl(
        {QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans@1"), QStringLiteral("--json")});
    QCOMPARE(show.exitCode, 0);
}

void tst_KilnctlModels::deleteVersion()
{
    Result r = kilnctl({QStringLiteral("models"), QStringLiteral("register"), QString::number(m_trained.classifier),
                        QStringLiteral("--name"), QStringLiteral("loans")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith("Registered loans@3 "), r.out.constData());
    r = kilnctl({QStringLiteral("models"), QStringLiteral("alias"), QStringLiteral("loans"), QStringLiteral("3"),
                 QStringLiteral("candidate")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("loans@3"), QStringLiteral("--yes")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("Deleted loans@3 and its aliases candidate"));
    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans"), QStringLiteral("--json")});
    QCOMPARE(r.json().value(QStringLiteral("versions")).toArray().size(), 2);
    QVERIFY(!r.json()
                 .value(QStringLiteral("model"))
                 .toObject()
                 .value(QStringLiteral("aliases"))
                 .toObject()
                 .contains(QStringLiteral("candidate")));
    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans@3")});
    QCOMPARE(r.exitCode, 1);
}

void tst_KilnctlModels::deleteDeployedRefused()
{
    // The deployment work records deployments through the registry; here, the same call.
    kiln::ModelRegistry registry(*m_trained.workspace);
    const kiln::Expected<kiln::ModelVersion> amounts = registry.version(QStringLiteral("amounts@1"));
    QVERIFY2(amounts, amounts ? "" : qPrintable(amounts.errorMessage()));
    const kiln::Expected<qint64> deployment = registry.recordDeployment(amounts->id, QStringLiteral("prod"));
    QVERIFY2(deployment, deployment ? "" : qPrintable(deployment.errorMessage()));

    Result r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("delete"), QStringLiteral("amounts@1"), QStringLiteral("--yes")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("kilnctl: ") && r.err.contains("prod"), r.err.constData());
    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("amounts@1")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("\ndeployments:\n") && r.out.contains("prod"), r.out.constData());

    QVERIFY(registry.endDeployment(*deployment));
}

void tst_KilnctlModels::exportBundle()
{
    m_bundle = path(QStringLiteral("loans-champion.kiln.tar.gz"));
    Result r = kilnctl({QStringLiteral("models"), QStringLiteral("export"), QStringLiteral("loans@champion"),
                        QStringLiteral("-o"), m_bundle});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.startsWith(QByteArray("Exported loans@2 to " + m_bundle.toUtf8())), r.out.constData());
    QVERIFY(QFileInfo(m_bundle).size() > 0);

    // Without -o: the suggested name, in the current folder.
    r = kilnctl(
        {QStringLiteral("models"), QStringLiteral("export"), QStringLiteral("loans@1"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QString written = r.json().value(QStringLiteral("path")).toString();
    QCOMPARE(QFileInfo(QFileInfo(written).absolutePath()).canonicalFilePath(),
             QFileInfo(m_dir.path()).canonicalFilePath());
    QVERIFY2(written.endsWith(QLatin1String(kiln::bundle::kSuffix)), qPrintable(written));
    QCOMPARE(r.json().value(QStringLiteral("size")).toInteger(), QFileInfo(written).size());
}

void tst_KilnctlModels::importIntoFreshWorkspace()
{
    QVERIFY(!m_bundle.isEmpty());
    Result r = kilnctl({QStringLiteral("workspace"), QStringLiteral("init")}, m_freshWs);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = kilnctl({QStringLiteral("import"), path(QStringLiteral("data/loans.csv"))}, m_freshWs);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    r = kilnctl({QStringLiteral("models"), QStringLiteral("import"), m_bundle}, m_freshWs);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("Imported loans@1 from " + m_bundle.toUtf8() + " (exported as loans@2)"));

    r = kilnctl({QStringLiteral("models"), QStringLiteral("import"), m_bundle, QStringLiteral("--name"),
                 QStringLiteral("loans-copy"), QStringLiteral("--json")},
                m_freshWs);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject version = r.json().value(QStringLiteral("version")).toObject();
    QCOMPARE(version.value(QStringLiteral("ref")).toString(), QStringLiteral("loans-copy@1"));
    QCOMPARE(version.value(QStringLiteral("source")).toString(), QStringLiteral("bundle"));
    QVERIFY(version.value(QStringLiteral("run")).isNull());

    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("loans")}, m_freshWs);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.trimmed().endsWith(" bundle loans@2"), r.out.constData());
}

void tst_KilnctlModels::predictSameInBothWorkspaces_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("csv") << QStringLiteral("rows.csv");
    QTest::newRow("json dataframe_split") << QStringLiteral("rows.json");
}

void tst_KilnctlModels::predictSameInBothWorkspaces()
{
    QFETCH(QString, input);
    const QStringList args {QStringLiteral("predict"), QStringLiteral("loans@champion"), QStringLiteral("--input"),
                            path(input)};
    const Result here = kilnctl(args);
    QVERIFY2(here.exitCode == 0, here.err.constData());
    const Result there = kilnctl(
        {QStringLiteral("predict"), QStringLiteral("loans"), QStringLiteral("--input"), path(input)}, m_freshWs);
    QVERIFY2(there.exitCode == 0, there.err.constData());
    QCOMPARE(there.out, here.out);

    const QList<QStringList> lines = csvLines(here.out);
    QCOMPARE(lines.size(), kRows + 1);
    QCOMPARE(lines.first(), (QStringList {QStringLiteral("label"), QStringLiteral("p_no"), QStringLiteral("p_yes")}));
    for (const QStringList &line : lines.mid(1)) {
        QVERIFY2(line.size() == 3, qPrintable(line.join(u',')));
        QVERIFY2(line.at(0) == QLatin1String("yes") || line.at(0) == QLatin1String("no"), qPrintable(line.at(0)));
        const double sum = line.at(1).toDouble() + line.at(2).toDouble();
        QVERIFY2(qAbs(sum - 1.0) < 1e-5, qPrintable(line.join(u',')));
    }
    // The targets and the regressor's target are in the file but not taken by the model.
    QVERIFY2(here.err.trimmed() == "kilnctl: note: ignored columns: amount, default", here.err.constData());

    // The same rows as CSV and as JSON give the same predictions.
    const Result fromCsv = kilnctl({QStringLiteral("predict"), QStringLiteral("loans@2"), QStringLiteral("--input"),
                                    path(QStringLiteral("rows.csv"))});
    QCOMPARE(here.out, fromCsv.out);
}

void tst_KilnctlModels::predictFormatsAndOutput()
{
    const QString input = path(QStringLiteral("rows.csv"));
    Result r = kilnctl({QStringLiteral("predict"), QStringLiteral("loans@1"), QStringLiteral("--input"), input,
                        QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray predictions = r.json().value(QStringLiteral("predictions")).toArray();
    QCOMPARE(predictions.size(), kRows);
    const QList<QStringList> csv = csvLines(
        kilnctl({QStringLiteral("predict"), QStringLiteral("loans@1"), QStringLiteral("--input"), input}).out);
    for (qsizetype i = 0; i < predictions.size(); ++i) {
        const QJsonObject p = predictions.at(i).toObject();
        QCOMPARE(p.value(QStringLiteral("label")).toString(), csv.at(i + 1).at(0));
        const QJsonObject probabilities = p.value(QStringLiteral("probabilities")).toObject();
        QCOMPARE(probabilities.keys(), (QStringList {QStringLiteral("no"), QStringLiteral("yes")}));
        QVERIFY(qAbs(probabilities.value(QStringLiteral("yes")).toDouble() - csv.at(i + 1).at(2).toDouble()) < 1e-5);
    }
    // --json alone prints the same JSON.
    const Result json = kilnctl({QStringLiteral("predict"), QStringLiteral("loans@1"), QStringLiteral("--input"), input,
                                 QStringLiteral("--json")});
    QCOMPARE(json.out, r.out);

    // To a file: the same bytes as on stdout, and a line saying where.
    const QString file = path(QStringLiteral("predictions-out.json"));
    r = kilnctl({QStringLiteral("predict"), QStringLiteral("loans@1"), QStringLiteral("--input"), input,
                 QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("-o"), file});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.trimmed(), QByteArray("wrote " + QByteArray::number(kRows) + " predictions to " + file.toUtf8()));
    QCOMPARE(kiln::test::readFile(file), json.out);
}

void tst_KilnctlModels::predictFromStdin()
{
    const QByteArray expected = kilnctl({QStringLiteral("predict"), QStringLiteral("loans@champion"),
                                         QStringLiteral("--input"), path(QStringLiteral("rows.csv"))})
                                    .out;
    QVERIFY(!expected.isEmpty());
    // JSON and CSV told apart by their first character.
    for (const QByteArray &rows : {loanRowsCsv(kRows), loanRowsJson(kRows)}) {
        QProcess process;
        kiln::test::startKilnctl(process, m_ws,
                                 {QStringLiteral("predict"), QStringLiteral("loans@champion"),
                                  QStringLiteral("--input"), QStringLiteral("-")});
        QVERIFY(process.waitForStarted());
        process.write(rows);
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QCOMPARE(process.readAllStandardOutput(), expected);
    }
}

void tst_KilnctlModels::predictDatasetEqualsTrainingPredictions()
{
    const Result r = kilnctl(
        {QStringLiteral("predict"), QStringLiteral("loans@1"), QStringLiteral("--dataset"), QStringLiteral("loans@1")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.err.contains("ignored columns: amount, default"), r.err.constData());
    const QList<QStringList> predicted = csvLines(r.out);
    QCOMPARE(predicted.size(), kiln::test::kLoanRows + 1);
    const QStringList &header = predicted.first();

    // The run's own predictions of its test rows, written at training time.
    kiln::RunStore store(m_trained.workspace->db());
    const kiln::Expected<QList<kiln::ArtifactInfo>> artifacts = store.artifacts(m_trained.classifier);
    QVERIFY(artifacts);
    QString blob;
    for (const kiln::ArtifactInfo &a : *artifacts) {
        if (a.path == QLatin1String("predictions.csv"))
            blob = m_trained.workspace->blobs().pathFor(a.sha256);
    }
    QVERIFY(!blob.isEmpty());
    const QList<QStringList> stored = csvLines(kiln::test::readFile(blob));
    QVERIFY(stored.size() > 10);
    QCOMPARE(stored.first().mid(0, 3),
             (QStringList {QStringLiteral("row"), QStringLiteral("actual"), QStringLiteral("predicted")}));
    for (const QStringList &line : stored.mid(1)) {
        const int row = line.at(0).toInt(); // 1-based row of the dataset
        QVERIFY(row >= 1 && row <= kiln::test::kLoanRows);
        const QStringList &ours = predicted.at(row);
        QCOMPARE(ours.at(0), line.at(2));
        for (qsizetype column = 3; column < stored.first().size(); ++column)
            QCOMPARE(ours.at(header.indexOf(stored.first().at(column))), line.at(column));
    }
}

void tst_KilnctlModels::predictRegression()
{
    const Result r = kilnctl({QStringLiteral("predict"), QStringLiteral("amounts"), QStringLiteral("--dataset"),
                              QStringLiteral("loans"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonArray predictions = r.json().value(QStringLiteral("predictions")).toArray();
    QCOMPARE(predictions.size(), kiln::test::kLoanRows);
    for (const QJsonValue p : predictions)
        QVERIFY(p.isDouble() && p.toDouble() > 0);
}

void tst_KilnctlModels::predictWrongInput_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("column"); // the failure must name it

    QByteArray renamed = loanRowsCsv(3);
    renamed.replace("purpose", "reason");
    QTest::newRow("missing column") << QStringLiteral("renamed.csv") << renamed << QByteArray("purpose");
    QList<QByteArray> lines = loanRowsCsv(3).split('\n');
    lines[2] = "lots" + lines[2].mid(lines[2].indexOf(',')); // income of the second row
    const QByteArray badNumber = lines.join('\n');
    QTest::newRow("not a number") << QStringLiteral("badnumber.csv") << badNumber << QByteArray("income");
    QTest::newRow("unknown category")
        << QStringLiteral("badcategory.json")
        << QByteArray(R"([{"income": 1, "age": 30, "owner": true, "purpose": "boat", "branch": "b1",)"
                      R"( "opened": "2024-03-01T10:00:00"}])")
        << QByteArray("purpose");
}

void tst_KilnctlModels::predictWrongInput()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, column);
    const QString input = kiln::test::writeFile(path(file), bytes);
    const Result r
        = kilnctl({QStringLiteral("predict"), QStringLiteral("loans@champion"), QStringLiteral("--input"), input});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.isEmpty(), r.out.constData());
    const QByteArray failure = lastLine(r.err);
    QVERIFY2(failure.startsWith(QByteArray("kilnctl: " + input.toUtf8() + ": ")) && failure.contains(column),
             r.err.constData());
}

void tst_KilnctlModels::predictUnknownModel()
{
    Result r = kilnctl({QStringLiteral("predict"), QStringLiteral("nosuch"), QStringLiteral("--input"),
                        path(QStringLiteral("rows.csv"))});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("kilnctl: ") && r.err.contains("nosuch"), r.err.constData());
    r = kilnctl({QStringLiteral("predict"), QStringLiteral("loans@9"), QStringLiteral("--input"),
                 path(QStringLiteral("rows.csv"))});
    QCOMPARE(r.exitCode, 1);
    r = kilnctl({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("nosuch")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("nosuch"), r.err.constData());
}

void tst_KilnctlModels::tamperedBundleRefused()
{
    QByteArray bytes = kiln::test::readFile(m_bundle);
    QVERIFY(bytes.size() > 100);
    bytes[bytes.size() / 2] = char(bytes.at(bytes.size() / 2) ^ 0xFF);
    const QString tampered = kiln::test::writeFile(path(QStringLiteral("tampered.kiln.tar.gz")), bytes);

    const Result before
        = kilnctl({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")}, m_freshWs);
    const Result r = kilnctl({QStringLiteral("models"), QStringLiteral("import"), tampered}, m_freshWs);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("kilnctl: ") && r.err.contains("tampered.kiln.tar.gz"), r.err.constData());
    const Result after
        = kilnctl({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--json")}, m_freshWs);
    QCOMPARE(after.out, before.out);
}

void tst_KilnctlModels::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    const QString models = QStringLiteral("models");
    const QString predict = QStringLiteral("predict");
    const QString rows = QStringLiteral("rows.csv");
    QTest::newRow("register without --name") << QStringList {models, QStringLiteral("register"), QStringLiteral("1")};
    QTest::newRow("alias without version")
        << QStringList {models, QStringLiteral("alias"), QStringLiteral("loans"), QStringLiteral("champion")};
    QTest::newRow("alias, bad version") << QStringList {models, QStringLiteral("alias"), QStringLiteral("loans"),
                                                        QStringLiteral("two"), QStringLiteral("champion")};
    QTest::newRow("status, unknown") << QStringList {models, QStringLiteral("status"), QStringLiteral("loans@1"),
                                                     QStringLiteral("shiny")};
    QTest::newRow("status of a bare name")
        << QStringList {models, QStringLiteral("status"), QStringLiteral("loans"), QStringLiteral("staging")};
    QTest::newRow("tag, no tags") << QStringList {models, QStringLiteral("tag"), QStringLiteral("loans@1")};
    QTest::newRow("tag, a bare key") << QStringList {models, QStringLiteral("tag"), QStringLiteral("loans@1"),
                                                     QStringLiteral("team")};
    QTest::newRow("tag, no key") << QStringList {models, QStringLiteral("tag"), QStringLiteral("loans@1"),
                                                 QStringLiteral("=risk")};
    QTest::newRow("tag, --remove without a key")
        << QStringList {models, QStringLiteral("tag"), QStringLiteral("loans@1"), QStringLiteral("team=risk"),
                        QStringLiteral("--remove")};
    QTest::newRow("delete a bare name") << QStringList {models, QStringLiteral("delete"), QStringLiteral("loans"),
                                                        QStringLiteral("--yes")};
    QTest::newRow("predict, no input") << QStringList {predict, QStringLiteral("loans")};
    QTest::newRow("predict, two inputs") << QStringList {
        predict, QStringLiteral("loans"),     QStringLiteral("--input"),
        rows,    QStringLiteral("--dataset"), QStringLiteral("loans")};
    QTest::newRow("predict, unknown format")
        << QStringList {predict, QStringLiteral("loans"),    QStringLiteral("--input"),
                        rows,    QStringLiteral("--format"), QStringLiteral("xml")};
}

void tst_KilnctlModels::usageErrors()
{
    QFETCH(QStringList, args);
    const Result r = kilnctl(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.out.isEmpty(), r.out.constData());
    QVERIFY2(r.err.contains("(see kilnctl --help)"), r.err.constData());
}

QTEST_GUILESS_MAIN(tst_KilnctlModels)
#include "tst_kilnctlmodels.moc"
