#include "builtinplugins.h"
#include "training/datapreparation.h"
#include "trainingtestsupport.h"

#include <QtTest>

#include <cstring>
#include <functional>

using namespace kiln;

Q_DECLARE_METATYPE(std::optional<kiln::TaskKind>)

namespace {

// Age, height, membership, join date and city of eight people, and whether they renewed: one of
// each feature type, a missing value in each column, and one row without a target.
const char *const kPeople = "age,height,member,joined,city,renewed\n"
                            "30,1.75,true,2024-01-01,Paris,yes\n"
                            "NA,1.60,false,2024-01-02,Lyon,no\n"
                            "45,,true,2024-01-03,Paris,yes\n"
                            "22,1.82,,2024-01-04,Nice,no\n"
                            "35,1.70,false,,Paris,yes\n"
                            "50,1.65,true,2024-01-06,,no\n"
                            "28,1.90,false,2024-01-07,Lyon,\n"
                            "33,1.55,true,2024-01-08,Paris,no\n";

// `rows` rows of "x,<target>" with the target made by `target(i)`.
QByteArray withTarget(int rows, const std::function<QString(int)> &target, const char *header = "x,y")
{
    QByteArray csv = QByteArray(header) + '\n';
    for (int i = 0; i < rows; ++i)
        csv += QByteArray::number(i) + ',' + target(i).toUtf8() + '\n';
    return csv;
}

bool sameFloats(const std::vector<float> &a, const std::vector<float> &b)
{
    // NaN compares unequal to itself; every missing value is the same quiet NaN, so bytes compare.
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

class tst_DataPreparation final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void encodesEveryColumnType();
    void taskDetection_data();
    void taskDetection();
    void oneHotKeepsTheFiftyMostFrequent();
    void smallTextColumnIsOneHot();
    void wideTextColumnIsDroppedAndNoted();
    void featureListChoosesAndOrders();
    void errors_data();
    void errors();
    void emptyDataset();
    void encodingRoundTripsAndAppliesToNewData();
    void rowEncoderForServing();
    void progressAndCancel();

private:
    std::shared_ptr<const DatasetTable> table(const QString &name, const QByteArray &csv);

    std::unique_ptr<test::DatasetFixture> m_fixture;
};

void tst_DataPreparation::initTestCase()
{
    linkBuiltinPlugins();
    m_fixture = std::make_unique<test::DatasetFixture>();
}

std::shared_ptr<const DatasetTable> tst_DataPreparation::table(const QString &name, const QByteArray &csv)
{
    auto imported = m_fixture->import(name, csv);
    if (!imported)
        qWarning("import of %s failed: %s", qPrintable(name), qPrintable(m_fixture->error()));
    return imported;
}

void tst_DataPreparation::encodesEveryColumnType()
{
    const auto people = table(QStringLiteral("people"), kPeople);
    QVERIFY(people);
    QCOMPARE(people->columnType(3), ColumnType::DateTime);
    Feedback feedback;
    const auto prepared = prepareTrainingData(*people, {QStringLiteral("renewed"), {}, std::nullopt}, &feedback);
    QVERIFY2(prepared.ok(), qPrintable(prepared.ok() ? QString() : prepared.errorMessage()));
    const TrainingData &data = prepared->data;

    QCOMPARE(data.task, TaskKind::BinaryClassification);
    QCOMPARE(prepared->encoding.targetType, ColumnType::Boolean);
    QCOMPARE(data.classes, (QStringList {QStringLiteral("no"), QStringLiteral("yes")}));
    // One-hot levels most frequent first: Paris 4, Lyon 2, Nice 1.
    QCOMPARE(data.featureNames,
             (QStringList {QStringLiteral("age"), QStringLiteral("height"), QStringLiteral("member"),
                           QStringLiteral("joined"), QStringLiteral("city=Paris"), QStringLiteral("city=Lyon"),
                           QStringLiteral("city=Nice")}));
    QCOMPARE(data.columns, 7);
    // The row without a target is dropped and counted, and the others keep their source row.
    QCOMPARE(data.rows, 7);
    QCOMPARE(prepared->rowsWithoutTarget, 1);
    QCOMPARE(prepared->sourceRows, (std::vector<qint64> {0, 1, 2, 3, 4, 5, 7}));
    QVERIFY(prepared->notes.contains(QStringLiteral("dropped 1 of 8 rows: their target 'renewed' is missing")));
    QCOMPARE(data.target, (std::vector<float> {1, 0, 1, 0, 1, 0, 0}));

    const float nan = std::numeric_limits<float>::quiet_NaN();
    const auto row
        = [&](int r) { return std::vector<float>(data.features.begin() + r * 7, data.features.begin() + (r + 1) * 7); };
    // Numbers as they are, booleans 0/1, date-times in seconds since the epoch (UTC).
    QVERIFY(sameFloats(row(0), {30, 1.75f, 1, 1704067200.0f, 1, 0, 0}));
    // Missing values are NaN, never 0, in every kind of column, one-hot included.
    QVERIFY(sameFloats(row(1), {nan, 1.60f, 0, 1704153600.0f, 0, 1, 0}));
    QVERIFY(sameFloats(row(2), {45, nan, 1, 1704240000.0f, 1, 0, 0}));
    QVERIFY(sameFloats(row(3), {22, 1.82f, nan, 1704326400.0f, 0, 0, 1}));
    QVERIFY(sameFloats(row(4), {35, 1.70f, 0, nan, 1, 0, 0}));
    QVERIFY(sameFloats(row(5), {50, 1.65f, 1, 1704499200.0f, nan, nan, nan}));
    QCOMPARE(feedback.progress(), 1.0);
}

void tst_DataPreparation::taskDetection_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<std::optional<TaskKind>>("forced");
    QTest::addColumn<TaskKind>("task");
    QTest::addColumn<QStringList>("classes");
    const std::optional<TaskKind> detect;
    const auto cycle
        = [](const QStringList &labels) { return [labels](int i) { return labels.at(i % labels.size()); }; };
    QTest::newRow("boolean is binary") << withTarget(40, cycle({QStringLiteral("yes"), QStringLiteral("no")})) << detect
                                       << TaskKind::BinaryClassification
                                       << QStringList {QStringLiteral("no"), QStringLiteral("yes")};
    QTest::newRow("categorical is multiclass, sorted")
        << withTarget(60, cycle({QStringLiteral("virginica"), QStringLiteral("setosa"), QStringLiteral("versicolor")}))
        << detect << TaskKind::MulticlassClassification
        << QStringList {QStringLiteral("setosa"), QStringLiteral("versicolor"), QStringLiteral("virginica")};
    QTest::newRow("few integers are classes in numeric order")
        << withTarget(60, cycle({QStringLiteral("10"), QStringLiteral("2"), QStringLiteral("1")})) << detect
        << TaskKind::MulticlassClassification
        << QStringList {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("10")};
    QTest::newRow("0/1 integers are binary")
        << withTarget(40, cycle({QStringLiteral("1"), QStringLiteral("0")})) << detect << TaskKind::BinaryClassification
        << QStringList {QStringLiteral("0"), QStringLiteral("1")};
    QTest::newRow("20 integers are still classes") << withTarget(60, [](int i) { return QString::number(i % 20); })
                                                   << detect << TaskKind::MulticlassClassification << QStringList {};
    QTest::newRow("21 integers are a quantity") << withTarget(63, [](int i) { return QString::number(i % 21); })
                                                << detect << TaskKind::Regression << QStringList {};
    QTest::newRow("floats are a quantity") << withTarget(40, [](int i) { return QString::number(i * 0.5 + 0.25); })
                                           << detect << TaskKind::Regression << QStringList {};
    QTest::newRow("floats forced to classes, numeric order")
        << withTarget(60, cycle({QStringLiteral("10.0"), QStringLiteral("1.5"), QStringLiteral("0.5")}))
        << std::optional<TaskKind>(TaskKind::MulticlassClassification) << TaskKind::MulticlassClassification
        << QStringList {QStringLiteral("0.5"), QStringLiteral("1.5"), QStringLiteral("10")};
    QTest::newRow("two classes forced to multiclass")
        << withTarget(40, cycle({QStringLiteral("1"), QStringLiteral("0")}))
        << std::optional<TaskKind>(TaskKind::MulticlassClassification) << TaskKind::MulticlassClassification
        << QStringList {QStringLiteral("0"), QStringLiteral("1")};
    QTest::newRow("few integers forced to regression")
        << withTarget(40, cycle({QStringLiteral("1"), QStringLiteral("0")}))
        << std::optional<TaskKind>(TaskKind::Regression) << TaskKind::Regression << QStringList {};
}

void tst_DataPreparation::taskDetection()
{
    QFETCH(QByteArray, csv);
    QFETCH(std::optional<TaskKind>, forced);
    QFETCH(TaskKind, task);
    QFETCH(QStringList, classes);
    static int n = 0;
    const auto data = table(QStringLiteral("detect%1").arg(++n), csv);
    QVERIFY(data);
    const auto prepared = prepareTrainingData(*data, {QStringLiteral("y"), {}, forced});
    QVERIFY2(prepared.ok(), qPrintable(prepared.ok() ? QString() : prepared.errorMessage()));
    QCOMPARE(prepared->data.task, task);
    if (!classes.isEmpty())
        QCOMPARE(prepared->data.classes, classes);
    if (task == TaskKind::Regression) {
        QVERIFY(prepared->data.classes.isEmpty());
    } else {
        // Targets are class indices that point at their labels (numbers matched by value).
        for (qint64 i = 0; i < prepared->data.rows; ++i) {
            const QString label = data->row(prepared->sourceRows[std::size_t(i)]).at(1);
            const QString &indexed = prepared->data.classes.at(int(prepared->data.target[std::size_t(i)]));
            bool numeric = false;
            const double value = label.toDouble(&numeric);
            if (numeric)
                QCOMPARE(indexed.toDouble(), value);
            else
                QCOMPARE(indexed, label);
        }
    }
}

void tst_DataPreparation::oneHotKeepsTheFiftyMostFrequent()
{
    // c00..c09 five times each, c10..c59 twice: the 50 kept are c00..c49 (ties in byte order).
    QByteArray csv = "x,c,y\n";
    int row = 0;
    for (int v = 0; v < 60; ++v) {
        for (int n = 0; n < (v < 10 ? 5 : 2); ++n, ++row)
            csv += QByteArray::number(row) + ",c" + QByteArray::number(v).rightJustified(2, '0') + ','
                + QByteArray::number(row % 2) + '\n';
    }
    const auto data = table(QStringLiteral("levels"), csv);
    QVERIFY(data);
    QCOMPARE(data->columnType(1), ColumnType::Categorical);
    const auto prepared = prepareTrainingData(*data, {QStringLiteral("y"), {}, std::nullopt});
    QVERIFY2(prepared.ok(), qPrintable(prepared.ok() ? QString() : prepared.errorMessage()));
    const EncodedColumn &c = prepared->encoding.columns.at(1);
    QCOMPARE(c.levels.size(), 50);
    QCOMPARE(c.levels.first(), QStringLiteral("c00"));
    QCOMPARE(c.levels.last(), QStringLiteral("c49"));
    QCOMPARE(prepared->data.columns, 51);
    QCOMPARE(prepared->data.featureNames.at(1), QStringLiteral("c=c00"));
    QVERIFY(prepared->notes.contains(
        QStringLiteral("'c': the 50 most frequent of 60 values are one-hot encoded; rarer values encode as all 0")));
    // A rare value is all 0 (known to be none of the kept levels), not NaN.
    const qint64 last = prepared->data.rows - 1; // c59
    for (int j = 1; j < 51; ++j)
        QCOMPARE(prepared->data.features[std::size_t(last * 51 + j)], 0.0f);
    // The first row (c00) has exactly one 1.
    float sum = 0;
    for (int j = 1; j < 51; ++j)
        sum += prepared->data.features[std::size_t(j)];
    QCOMPARE(sum, 1.0f);
    QCOMPARE(prepared->data.features[1], 1.0f);
}

void tst_DataPreparation::smallTextColumnIsOneHot()
{
    // 30 rows, 20 distinct words: too varied for the profiler's "categorical", few enough to encode.
    const auto data = table(QStringLiteral("smalltext"),
                            withTarget(
                                30, [](int i) { return QStringLiteral("w%1,%2").arg(i % 20).arg(i % 2); }, "x,word,y"));
    QVERIFY(data);
    QCOMPARE(data->columnType(1), ColumnType::Text);
    const auto prepared = prepareTrainingData(*data, {QStringLiteral("y"), {}, std::nullopt});
    QVERIFY(prepared.ok());
    QCOMPARE(prepared->encoding.columns.at(1).levels.size(), 20);
    QCOMPARE(prepared->data.columns, 21);
}

void tst_DataPreparation::wideTextColumnIsDroppedAndNoted()
{
    const auto data = table(QStringLiteral("comments"),
                            withTarget(
                                150,
                                [](int i) {
                                    return QStringLiteral("comment number %1,%2")
                                        .arg(i)
                                        .arg(i % 3 == 0 ? QLatin1String("yes") : QLatin1String("no"));
                                },
                                "x,comment,y"));
    QVERIFY(data);
    QCOMPARE(data->columnType(1), ColumnType::Text);
    const auto prepared = prepareTrainingData(*data, {QStringLiteral("y"), {}, std::nullopt});
    QVERIFY2(prepared.ok(), qPrintable(prepared.ok() ? QString() : prepared.errorMessage()));
    QCOMPARE(prepared->data.featureNames, QStringList {QStringLiteral("x")});
    QCOMPARE(prepared->notes,
             QStringList {QStringLiteral(
                 "dropped 'comment': text with 150 distinct values; one-hot encoding takes at most 50")});

    // With nothing else to learn from, that is an error that says why.
    const auto alone = prepareTrainingData(*data, {QStringLiteral("y"), {QStringLiteral("comment")}, std::nullopt});
    QVERIFY(!alone.ok());
    QCOMPARE(alone.errorMessage(),
             QStringLiteral("no feature columns are left to learn from: 'comment' (text with "
                            "150 distinct values) was dropped"));
}

void tst_DataPreparation::featureListChoosesAndOrders()
{
    const auto people = table(QStringLiteral("people2"), kPeople);
    QVERIFY(people);
    const auto prepared = prepareTrainingData(
        *people, {QStringLiteral("renewed"), {QStringLiteral("height"), QStringLiteral("age")}, std::nullopt});
    QVERIFY(prepared.ok());
    QCOMPARE(prepared->data.featureNames, (QStringList {QStringLiteral("height"), QStringLiteral("age")}));
    QCOMPARE(prepared->data.features[0], 1.75f);
    QCOMPARE(prepared->data.features[1], 30.0f);
}

void tst_DataPreparation::errors_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QStringList>("features");
    QTest::addColumn<std::optional<TaskKind>>("forced");
    QTest::addColumn<QString>("message");
    const std::optional<TaskKind> detect;
    const QByteArray wide = "a,b,c,d,e,f,g,h,i,j\n1,2,3,4,5,6,7,8,9,10\n2,3,4,5,6,7,8,9,10,11\n";
    QTest::newRow("unknown target") << wide << QStringLiteral("k") << QStringList {} << detect
                                    << QStringLiteral("e1@1 has no column 'k'; its columns are: a, b, c, d, e, f, g, "
                                                      "h, … (10 in all)");
    QTest::newRow("no target chosen") << QByteArray("a,b\n1,2\n") << QString() << QStringList {} << detect
                                      << QStringLiteral("choose a target column; e2@1 has: a, b");
    QTest::newRow("target is the only column")
        << QByteArray("y\n1\n2\n") << QStringLiteral("y") << QStringList {} << detect
        << QStringLiteral("e3@1 has only the target column 'y': there are no "
                          "features to learn from");
    QTest::newRow("single class") << withTarget(10, [](int) { return QStringLiteral("yes"); }) << QStringLiteral("y")
                                  << QStringList {} << detect
                                  << QStringLiteral("target 'y' has a single class 'yes': nothing to learn");
    QTest::newRow("categorical forced to regression")
        << withTarget(10, [](int i) { return i % 2 ? QStringLiteral("Paris") : QStringLiteral("Lyon"); })
        << QStringLiteral("y") << QStringList {} << std::optional<TaskKind>(TaskKind::Regression)
        << QStringLiteral("target 'y' is categorical, not numeric: regression needs numbers; train a classifier "
                          "instead");
    QTest::newRow("boolean forced to regression")
        << withTarget(10, [](int i) { return i % 2 ? QStringLiteral("true") : QStringLiteral("false"); })
        << QStringLiteral("y") << QStringList {} << std::optional<TaskKind>(TaskKind::Regression)
        << QStringLiteral("target 'y' is boolean, not numeric: regression needs numbers; train a classifier "
                          "instead");
    QTest::newRow("no row has a target") << withTarget(4, [](int) { return QStringLiteral("NA"); })
                                         << QStringLiteral("y") << QStringList {} << detect
                                         << QStringLiteral("target 'y' is missing in all 4 rows of e7@1: no rows to "
                                                           "learn from");
    QTest::newRow("three classes forced to binary")
        << withTarget(12, [](int i) { return QString::number(i % 3); }) << QStringLiteral("y") << QStringList {}
        << std::optional<TaskKind>(TaskKind::BinaryClassification)
        << QStringLiteral("target 'y' has 3 classes; binary classification needs exactly 2");
    QTest::newRow("too many classes") << withTarget(1200, [](int i) { return QStringLiteral("c%1x").arg(i / 1); })
                                      << QStringLiteral("y") << QStringList {} << detect
                                      << QStringLiteral("target 'y' has more than 1,000 distinct values: too many "
                                                        "classes for classification");
    QTest::newRow("date-time target") << withTarget(5, [](int i) { return QStringLiteral("2024-01-0%1").arg(i + 1); })
                                      << QStringLiteral("y") << QStringList {} << detect
                                      << QStringLiteral("target 'y' holds date-times: choose a numeric, boolean or "
                                                        "categorical target");
    QTest::newRow("unknown feature") << withTarget(4, [](int i) { return QString::number(i % 2); })
                                     << QStringLiteral("y") << QStringList {QStringLiteral("x"), QStringLiteral("z")}
                                     << detect << QStringLiteral("e11@1 has no column 'z'; its columns are: x, y");
    QTest::newRow("target as a feature") << withTarget(4, [](int i) { return QString::number(i % 2); })
                                         << QStringLiteral("y") << QStringList {QStringLiteral("y")} << detect
                                         << QStringLiteral("'y' is the target and cannot also be a feature");
}

void tst_DataPreparation::errors()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, target);
    QFETCH(QStringList, features);
    QFETCH(std::optional<TaskKind>, forced);
    QFETCH(QString, message);
    static int n = 0;
    const auto data = table(QStringLiteral("e%1").arg(++n), csv);
    QVERIFY(data);
    const auto prepared = prepareTrainingData(*data, {target, features, forced});
    QVERIFY(!prepared.ok());
    QCOMPARE(prepared.errorMessage(), message);
}

void tst_DataPreparation::emptyDataset()
{
    // A header without rows: whether import stores it or refuses it, nobody trains on it silently.
    const auto data = m_fixture->import(QStringLiteral("empty"), "x,y\n");
    if (!data) {
        QVERIFY(!m_fixture->error().isEmpty());
        return;
    }
    const auto prepared = prepareTrainingData(*data, {QStringLiteral("y"), {}, std::nullopt});
    QVERIFY(!prepared.ok());
    QCOMPARE(prepared.errorMessage(), QStringLiteral("empty@1 has no rows"));
}

void tst_DataPreparation::encodingRoundTripsAndAppliesToNewData()
{
    const auto people = table(QStringLiteral("people3"), kPeople);
    QVERIFY(people);
    const auto prepared = prepareTrainingData(*people, {QStringLiteral("renewed"), {}, std::nullopt});
    QVERIFY(prepared.ok());

    const auto restored = FeatureEncoding::fromJson(prepared->encoding.toJson());
    QVERIFY2(restored.ok(), qPrintable(restored.ok() ? QString() : restored.errorMessage()));
    QCOMPARE(restored->toJson(), prepared->encoding.toJson());
    QCOMPARE(restored->featureNames(), prepared->data.featureNames);

    // The same transform on the same rows gives the same matrix.
    const auto again = encode(*restored, *people, MissingTarget::DropRow);
    QVERIFY(again.ok());
    QVERIFY(sameFloats(again->data.features, prepared->data.features));
    QCOMPARE(again->data.target, prepared->data.target);

    // New data: columns in another order, no target, a city never seen and one missing.
    const auto fresh = table(QStringLiteral("fresh"),
                             "city,joined,member,height,age\n"
                             "Marseille,2024-02-01,false,1.80,40\n"
                             "Lyon,2024-02-02,true,1.62,NA\n");
    QVERIFY(fresh);
    const auto scored = encode(*restored, *fresh, MissingTarget::KeepAsNaN);
    QVERIFY2(scored.ok(), qPrintable(scored.ok() ? QString() : scored.errorMessage()));
    QCOMPARE(scored->data.rows, 2);
    QCOMPARE(scored->rowsWithoutTarget, 2);
    QVERIFY(std::isnan(scored->data.target[0]));
    const float nan = std::numeric_limits<float>::quiet_NaN();
    QVERIFY(sameFloats(scored->data.features,
                       {40, 1.80f, 0, 1706745600.0f, 0, 0, 0, nan, 1.62f, 1, 1706832000.0f, 0, 1, 0}));

    const auto noTarget = encode(*restored, *fresh, MissingTarget::DropRow);
    QVERIFY(!noTarget.ok());
    QCOMPARE(noTarget.errorMessage(), QStringLiteral("fresh@1 has no target column 'renewed'"));

    const auto partial = table(QStringLiteral("partial"), "city,height\nLyon,1.7\nNice,1.8\n");
    QVERIFY(partial);
    const auto lacking = encode(*restored, *partial, MissingTarget::KeepAsNaN);
    QVERIFY(!lacking.ok());
    QCOMPARE(lacking.errorMessage(),
             QStringLiteral("partial@1: the data lacks columns 'age', 'member', 'joined' the model was trained on"));

    QJsonObject broken = prepared->encoding.toJson();
    broken.insert(QStringLiteral("task"), QStringLiteral("clustering"));
    QVERIFY(!FeatureEncoding::fromJson(broken).ok());
}

void tst_DataPreparation::rowEncoderForServing()
{
    FeatureEncoding encoding;
    encoding.target = QStringLiteral("y");
    encoding.targetType = ColumnType::Integer;
    encoding.task = TaskKind::MulticlassClassification;
    encoding.classes = {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("10")};
    encoding.columns = {{QStringLiteral("n"), ColumnType::Float, {}},
                        {QStringLiteral("c"), ColumnType::Categorical, {QStringLiteral("a"), QStringLiteral("b")}}};
    const auto encoder = RowEncoder::create(encoding, {QStringLiteral("c"), QStringLiteral("y"), QStringLiteral("n")});
    QVERIFY(encoder.ok());
    QCOMPARE(encoder->featureCount(), 3);
    std::vector<float> out(3);
    encoder->encodeFeatures({"b", "010", " 2.5 "}, out.data());
    QCOMPARE(out, (std::vector<float> {2.5f, 0, 1}));
    // "010" is the class "10": numbers are matched by value.
    QCOMPARE(encoder->encodeTarget({"b", "010", "1"}), 2.0f);
    QVERIFY(std::isnan(encoder->encodeTarget({"b", "7", "1"}))); // a class the model never saw
    encoder->encodeFeatures({"", "", "inf"}, out.data());
    QVERIFY(std::isnan(out[0]) && std::isnan(out[1]) && std::isnan(out[2]));
}

void tst_DataPreparation::progressAndCancel()
{
    const auto data = table(QStringLiteral("cancel"), withTarget(5000, [](int i) { return QString::number(i % 2); }));
    QVERIFY(data);
    Feedback feedback;
    feedback.cancel();
    const auto prepared = prepareTrainingData(*data, {QStringLiteral("y"), {}, std::nullopt}, &feedback);
    QVERIFY(!prepared.ok());
    QCOMPARE(prepared.errorMessage(), QStringLiteral("cancelled"));
}

QTEST_GUILESS_MAIN(tst_DataPreparation)
#include "tst_datapreparation.moc"
