// Prediction with registered model versions, over a workspace trained for real: the
// predictions of a loaded version equal those its run stored at training time, whatever form
// the input takes (a dataset version, JSON in each MLflow shape, CSV), and bad input is refused
// with the column named.
#include "data/datasetcatalog.h"
#include "data/datasetimport.h"
#include "data/datasettable.h"
#include "models/csv.h"
#include "registry/modelregistry.h"
#include "registry/predictor.h"
#include "registrytestsupport.h"

#include <QDirIterator>
#include <QRandomGenerator>
#include <QThreadPool>
#include <QtConcurrent>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>

using namespace kiln;

namespace {

const QString kClassifier = QStringLiteral("loan-default");
const QString kRegressor = QStringLiteral("loan-amount");

// A dataset field as a JSON request would carry it: numbers and booleans typed, missing null.
QJsonValue jsonValue(ColumnType type, const std::string &field)
{
    if (values::isMissing(field))
        return QJsonValue::Null;
    switch (type) {
    case ColumnType::Integer:
        return qint64(*values::toInteger(field));
    case ColumnType::Float:
        return *values::toFloat(field);
    case ColumnType::Boolean:
        return *values::toBoolean(field);
    case ColumnType::DateTime:
    case ColumnType::Categorical:
    case ColumnType::Text:
        break;
    }
    return QString::fromStdString(field);
}

// A valid request row for the classifier, and variations of it.
QJsonObject goodLoan()
{
    return QJsonObject {{QStringLiteral("income"), 52000.5},
                        {QStringLiteral("age"), 41},
                        {QStringLiteral("owner"), true},
                        {QStringLiteral("purpose"), QStringLiteral("car")},
                        {QStringLiteral("branch"), QStringLiteral("b3")},
                        {QStringLiteral("opened"), QStringLiteral("2024-03-05T10:00:00")}};
}

QJsonObject with(QJsonObject record, const QString &key, const QJsonValue &value)
{
    record.insert(key, value);
    return record;
}

QJsonObject without(QJsonObject record, const QString &key)
{
    record.remove(key);
    return record;
}

// Two records: a good one, then `second`.
QByteArray recordsJson(const QJsonObject &second)
{
    return QJsonDocument(QJsonArray {goodLoan(), second}).toJson(QJsonDocument::Compact);
}

Status copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString source = it.next();
        const QString target = to + source.mid(from.size());
        if (!QDir().mkpath(QFileInfo(target).path()) || !QFile::copy(source, target))
            return Error {QStringLiteral("cannot copy %1 to %2").arg(source, target)};
    }
    return Status::success();
}

} // namespace

class tst_Predictor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void predictionsEqualTraining_data();
    void predictionsEqualTraining();
    void jsonShapes_data();
    void jsonShapes();
    void jsonValuesAsDatasetText();
    void csvInput_data();
    void csvInput();
    void csvReader_data();
    void csvReader();
    void badInput_data();
    void badInput();
    void raggedRows();
    void datasetChecks_data();
    void datasetChecks();
    void cancel();
    void outputForms();
    void jsonBytesEqualQJsonDocument();
    void concurrentPredictions();
    void oneRowAtATime_data();
    void oneRowAtATime();
    void unknownTrainer();
    void missingModelBlob();

private:
    std::shared_ptr<const LoadedModel> model(const QString &name) const
    {
        return name == kClassifier ? m_classifier : m_regressor;
    }
    const Predictions &reference(const QString &name) const
    {
        return name == kClassifier ? m_classifierPredictions : m_regressorPredictions;
    }
    /// The rows of the dataset version as JSON records of `columns`.
    QJsonArray records(const QStringList &columns) const;
    /// Every row of the dataset version as a JSON request for the model `name`, read back.
    Expected<PredictionInput> request(const QString &name) const;

    QTemporaryDir m_dir;
    test::TrainedRegistryWorkspace m_trained;
    std::shared_ptr<const DatasetTable> m_table;
    std::shared_ptr<const LoadedModel> m_classifier;
    std::shared_ptr<const LoadedModel> m_regressor;
    Predictions m_classifierPredictions;
    Predictions m_regressorPredictions;
};

void tst_Predictor::initTestCase()
{
    QVERIFY(m_dir.isValid());
    test::TrainedRegistryWorkspace::create(m_dir.filePath(QStringLiteral("workspace")), m_trained,
                                           m_dir.filePath(QStringLiteral("data")));
    QVERIFY(m_trained.workspace);
    Workspace &workspace = *m_trained.workspace;
    ModelRegistry registry(workspace);
    for (const auto &[run, name] : {std::pair {m_trained.classifier, kClassifier}, {m_trained.regressor, kRegressor}}) {
        const Expected<ModelVersion> version = registry.registerRun(run, name);
        QVERIFY2(version, version ? "" : qPrintable(version.errorMessage()));
    }
    const Expected<DatasetVersion> version = DatasetCatalog(workspace.db()).versionByRef(QStringLiteral("loans@1"));
    QVERIFY2(version, version ? "" : qPrintable(version.errorMessage()));
    auto table = DatasetTable::open(workspace.blobs(), *version);
    QVERIFY2(table, table ? "" : qPrintable(table.errorMessage()));
    m_table = *table;

    for (const auto &[loaded, predictions, name] : {std::tuple {&m_classifier, &m_classifierPredictions, kClassifier},
                                                    {&m_regressor, &m_regressorPredictions, kRegressor}}) {
        auto model = LoadedModel::load(workspace, name);
        QVERIFY2(model, model ? "" : qPrintable(model.errorMessage()));
        *loaded = *model;
        Feedback feedback;
        auto predicted = (*loaded)->predict(*m_table, &feedback);
        QVERIFY2(predicted, predicted ? "" : qPrintable(predicted.errorMessage()));
        QCOMPARE(predicted->rows, qint64(test::kLoanRows));
        QCOMPARE(feedback.progress(), 1.0);
        *predictions = *predicted;
    }
    QCOMPARE(m_classifierPredictions.task, TaskKind::BinaryClassification);
    QCOMPARE(m_classifierPredictions.classes, (QStringList {QStringLiteral("no"), QStringLiteral("yes")}));
    QCOMPARE(m_regressorPredictions.task, TaskKind::Regression);
}

QJsonArray tst_Predictor::records(const QStringList &columns) const
{
    QJsonArray rows;
    std::vector<std::string> fields;
    for (qint64 row = 0; row < m_table->rowCount(); ++row) {
        m_table->readRow(row, fields);
        QJsonObject record;
        for (const QString &column : columns) {
            const int c = int(m_table->columnNames().indexOf(column));
            record.insert(column, jsonValue(m_table->columnType(c), fields[std::size_t(c)]));
        }
        rows.append(record);
    }
    return rows;
}

Expected<PredictionInput> tst_Predictor::request(const QString &name) const
{
    QStringList columns;
    for (const SignatureColumn &input : model(name)->signature().inputs)
        columns.append(input.name);
    return predictionInputFromJson(QJsonDocument(records(columns)).toJson(QJsonDocument::Compact));
}

void tst_Predictor::predictionsEqualTraining_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("boosted trees") << kClassifier;
    QTest::newRow("linear") << kRegressor;
}

void tst_Predictor::predictionsEqualTraining()
{
    QFETCH(QString, name);
    const qint64 runId = name == kClassifier ? m_trained.classifier : m_trained.regressor;
    Workspace &workspace = *m_trained.workspace;
    const Expected<QHash<qint64, QString>> blobs
        = RunStore(workspace.db()).artifactBlobs({runId}, QStringLiteral("predictions.csv"));
    QVERIFY2(blobs && blobs->contains(runId), "the run stored no predictions.csv");
    const QByteArray stored = test::readFile(workspace.blobs().pathFor(blobs->value(runId)));
    const Expected<QList<QStringList>> trained = parseCsv(stored);
    QVERIFY2(trained, trained ? "" : qPrintable(trained.errorMessage()));
    const Expected<QList<QStringList>> predicted = parseCsv(reference(name).toCsv());
    QVERIFY2(predicted, predicted ? "" : qPrintable(predicted.errorMessage()));
    QCOMPARE(predicted->size(), test::kLoanRows + 1);

    // Training wrote "row,actual,predicted[,p_<class>...]" for its test rows; toCsv() writes
    // "label[,p_<class>...]" or "prediction" for every row of the dataset version.
    const QStringList header = trained->constFirst();
    QCOMPARE(header.mid(0, 3),
             (QStringList {QStringLiteral("row"), QStringLiteral("actual"), QStringLiteral("predicted")}));
    QCOMPARE(predicted->constFirst().mid(1), header.mid(3));
    QVERIFY2(trained->size() > 40, "the run's test set is too small to compare");
    for (qsizetype i = 1; i < trained->size(); ++i) {
        const QStringList &expected = trained->at(i);
        bool ok = false;
        const qint64 row = expected.at(0).toLongLong(&ok);
        QVERIFY(ok && row >= 1 && row <= test::kLoanRows);
        const QStringList got = predicted->at(row);
        QCOMPARE(got.constFirst(), expected.at(2));
        QCOMPARE(got.mid(1), expected.mid(3));
        QCOMPARE(reference(name).label(row - 1), expected.at(2));
    }
}

void tst_Predictor::jsonShapes_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("shape");
    for (const QString &name : {kClassifier, kRegressor}) {
        for (const char *shape : {"records", "dataframe_records", "dataframe_split", "dataframe_split with index",
                                  "instances", "inputs records", "inputs columns", "columns and data"})
            QTest::addRow("%s, %s", qPrintable(name), shape) << name << QString::fromLatin1(shape);
    }
}

void tst_Predictor::jsonShapes()
{
    QFETCH(QString, name);
    QFETCH(QString, shape);
    QStringList columns;
    for (const SignatureColumn &input : model(name)->signature().inputs)
        columns.append(input.name);
    const QJsonArray rows = records(columns);
    QJsonArray data;
    QJsonArray index;
    QJsonObject byColumn;
    for (const QString &column : columns) {
        QJsonArray values;
        for (const QJsonValue row : rows)
            values.append(row.toObject().value(column));
        byColumn.insert(column, values);
    }
    for (const QJsonValue row : rows) {
        QJsonArray values;
        for (const QString &column : columns)
            values.append(row.toObject().value(column));
        data.append(values);
        index.append(index.size());
    }
    const QJsonObject split {{QStringLiteral("columns"), QJsonArray::fromStringList(columns)},
                             {QStringLiteral("data"), data}};
    QJsonDocument document;
    if (shape == QLatin1String("records"))
        document = QJsonDocument(rows);
    else if (shape == QLatin1String("dataframe_records"))
        document = QJsonDocument(QJsonObject {{shape, rows}});
    else if (shape == QLatin1String("dataframe_split"))
        document = QJsonDocument(QJsonObject {{shape, split}});
    else if (shape == QLatin1String("dataframe_split with index"))
        document = QJsonDocument(
            QJsonObject {{QStringLiteral("dataframe_split"), with(split, QStringLiteral("index"), index)}});
    else if (shape == QLatin1String("instances"))
        document = QJsonDocument(QJsonObject {{shape, rows}});
    else if (shape == QLatin1String("inputs records"))
        document = QJsonDocument(QJsonObject {{QStringLiteral("inputs"), rows}});
    else if (shape == QLatin1String("inputs columns"))
        document = QJsonDocument(QJsonObject {{QStringLiteral("inputs"), byColumn}});
    else
        document = QJsonDocument(split);

    const Expected<PredictionInput> input = predictionInputFromJson(document.toJson());
    QVERIFY2(input, input ? "" : qPrintable(input.errorMessage()));
    QCOMPARE(qint64(input->rows.size()), m_table->rowCount());
    const Expected<Predictions> predicted = model(name)->predict(*input);
    QVERIFY2(predicted, predicted ? "" : qPrintable(predicted.errorMessage()));
    QCOMPARE(predicted->rows, reference(name).rows);
    QVERIFY(predicted->values == reference(name).values);
}

void tst_Predictor::jsonValuesAsDatasetText()
{
    const QByteArray json = R"([{"int": 3, "negative": -12, "float": 2.5, "whole": 3.0, "tiny": 1e-7, "huge": 1e21,
        "tenth": 0.1, "long": 12345678901234567, "pi": 3.141592653589793, "yes": true, "no": false,
        "missing": null, "text": "Lyon"}, {"int": 4}])";
    const Expected<PredictionInput> input = predictionInputFromJson(json);
    QVERIFY2(input, input ? "" : qPrintable(input.errorMessage()));
    QCOMPARE(input->rows.size(), std::size_t(2));
    const std::map<QString, std::string> expected {{QStringLiteral("int"), "3"},
                                                   {QStringLiteral("negative"), "-12"},
                                                   {QStringLiteral("float"), "2.5"},
                                                   {QStringLiteral("whole"), "3"},
                                                   {QStringLiteral("tiny"), "1e-07"},
                                                   {QStringLiteral("huge"), "1e+21"},
                                                   {QStringLiteral("tenth"), "0.1"},
                                                   {QStringLiteral("long"), "12345678901234567"},
                                                   {QStringLiteral("pi"), "3.141592653589793"},
                                                   {QStringLiteral("yes"), "true"},
                                                   {QStringLiteral("no"), "false"},
                                                   {QStringLiteral("missing"), ""},
                                                   {QStringLiteral("text"), "Lyon"}};
    QCOMPARE(input->columns.size(), qsizetype(expected.size()));
    for (const auto &[column, text] : expected) {
        const qsizetype c = input->columns.indexOf(column);
        QVERIFY2(c >= 0, qPrintable(column));
        QCOMPARE(input->rows[0][std::size_t(c)], text);
        // A key absent from a record is a missing value, as pandas reads records.
        QCOMPARE(input->rows[1][std::size_t(c)], column == QLatin1String("int") ? std::string("4") : std::string());
    }
    // Every double reads back as itself.
    for (const double x : {0.1 + 0.2, 1.0 / 3.0, -2.5e-300, 1.7976931348623157e308, 123456.789}) {
        const QByteArray one = "[{\"x\": " + QByteArray::number(x, 'g', 17) + "}]";
        const Expected<PredictionInput> parsed = predictionInputFromJson(one);
        QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.errorMessage()));
        QCOMPARE(*values::toFloat(parsed->rows[0][0]), x);
    }
}

void tst_Predictor::csvInput_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<char>("delimiter");
    QTest::newRow("classifier, comma") << kClassifier << ',';
    QTest::newRow("classifier, semicolon") << kClassifier << ';';
    QTest::newRow("regressor, tab") << kRegressor << '\t';
}

void tst_Predictor::csvInput()
{
    QFETCH(QString, name);
    QFETCH(char, delimiter);
    // The inputs and the target (always allowed), quoted where needed, CRLF line ends.
    QStringList columns;
    for (const SignatureColumn &input : model(name)->signature().inputs)
        columns.append(input.name);
    columns.append(model(name)->signature().target);
    QByteArray csv;
    const auto record = [&](const QStringList &fields) {
        QByteArray line = csvRecord(fields);
        if (delimiter != ',')
            line.replace(',', delimiter);
        csv += line;
    };
    record(columns);
    for (qint64 row = 0; row < m_table->rowCount(); ++row) {
        const QStringList fields = m_table->row(row);
        QStringList picked;
        for (const QString &column : columns)
            picked.append(fields.at(m_table->columnNames().indexOf(column)));
        record(picked);
    }
    const Expected<PredictionInput> input = predictionInputFromCsv(csv);
    QVERIFY2(input, input ? "" : qPrintable(input.errorMessage()));
    QCOMPARE(input->columns, columns);
    const Expected<Predictions> predicted = model(name)->predict(*input);
    QVERIFY2(predicted, predicted ? "" : qPrintable(predicted.errorMessage()));
    QVERIFY(predicted->values == reference(name).values);
}

void tst_Predictor::csvReader_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QList<QStringList>>("records");
    QTest::addColumn<QString>("error");
    const auto rows = [](std::initializer_list<std::initializer_list<const char *>> list) {
        QList<QStringList> records;
        for (const auto &record : list) {
            records.append(QStringList());
            for (const char *field : record)
                records.back().append(QString::fromUtf8(field));
        }
        return records;
    };
    QTest::newRow("crlf") << QByteArray("a,b\r\n1,2\r\n") << rows({{"a", "b"}, {"1", "2"}}) << QString();
    QTest::newRow("lf, no final line end") << QByteArray("a,b\n1,2") << rows({{"a", "b"}, {"1", "2"}}) << QString();
    QTest::newRow("quoted") << QByteArray("a,b\r\n\"x, \"\"y\"\"\r\nz\",\"\"\r\n")
                            << rows({{"a", "b"}, {"x, \"y\"\r\nz", ""}}) << QString();
    QTest::newRow("empty fields") << QByteArray("a,b,c\n,,\n") << rows({{"a", "b", "c"}, {"", "", ""}}) << QString();
    QTest::newRow("bom and blank lines") << QByteArray("\xEF\xBB\xBF"
                                                       "a\n\n1\r\n\r\n2\n")
                                         << rows({{"a"}, {"1"}, {"2"}}) << QString();
    QTest::newRow("utf-8") << QByteArray("ville\nZürich\n") << rows({{"ville"}, {"Zürich"}}) << QString();
    QTest::newRow("unclosed quote") << QByteArray("a,b\n1,2\n\"3,4\n") << QList<QStringList>()
                                    << QStringLiteral("line 3: quoted field is never closed");
    QTest::newRow("text after quote") << QByteArray("a,b\n1,\"2\"x\n") << QList<QStringList>()
                                      << QStringLiteral("line 2: unexpected character after closing quote in field 2");
    QTest::newRow("invalid utf-8") << QByteArray("a\nok\n\xff\n") << QList<QStringList>()
                                   << QStringLiteral("line 3: invalid UTF-8 (byte 0xFF)");
}

void tst_Predictor::csvReader()
{
    QFETCH(QByteArray, csv);
    QFETCH(QList<QStringList>, records);
    QFETCH(QString, error);
    const Expected<QList<QStringList>> parsed = parseCsv(csv);
    QCOMPARE(parsed.ok(), error.isEmpty());
    if (parsed)
        QCOMPARE(*parsed, records);
    else
        QCOMPARE(parsed.errorMessage(), error);
}

void tst_Predictor::badInput_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("reject");
    QTest::addColumn<QString>("error"); // empty: accepted
    const auto json = [](const QJsonObject &object) { return QJsonDocument(object).toJson(QJsonDocument::Compact); };
    const QJsonObject good = goodLoan();
    const QString text = QStringLiteral("text");

    QTest::newRow("good") << kClassifier << recordsJson(good) << true << QString();
    QTest::newRow("missing column")
        << kClassifier
        << QJsonDocument(QJsonArray {without(good, QStringLiteral("age"))}).toJson(QJsonDocument::Compact) << true
        << QStringLiteral("missing column 'age'");
    // Another record has it: here it is a missing value.
    QTest::newRow("key absent from one record")
        << kClassifier << recordsJson(without(good, QStringLiteral("age"))) << true << QString();
    QTest::newRow("missing columns, regressor") << kRegressor << QByteArray(R"([{"income": 1, "age": 2}])") << true
                                                << QStringLiteral("missing columns 'owner', 'purpose'");
    QTest::newRow("unknown column rejected")
        << kClassifier << recordsJson(with(good, QStringLiteral("foo"), 1)) << true
        << QStringLiteral("unknown column 'foo' (the model takes: income, age, owner, purpose, branch, opened)");
    QTest::newRow("unknown column ignored")
        << kClassifier << recordsJson(with(good, QStringLiteral("foo"), 1)) << false << QString();
    QTest::newRow("target allowed") << kClassifier << recordsJson(with(good, QStringLiteral("default"), true)) << true
                                    << QString();
    QTest::newRow("other target rejected") << kClassifier << recordsJson(with(good, QStringLiteral("amount"), 100))
                                           << true << QStringLiteral("unknown column 'amount'");
    QTest::newRow("every value missing") << kClassifier
                                         << recordsJson(QJsonObject {{QStringLiteral("income"), QJsonValue::Null},
                                                                     {QStringLiteral("age"), QString()},
                                                                     {QStringLiteral("owner"), QStringLiteral("NA")},
                                                                     {QStringLiteral("purpose"), QJsonValue::Null},
                                                                     {QStringLiteral("branch"), QJsonValue::Null},
                                                                     {QStringLiteral("opened"), QJsonValue::Null}})
                                         << true << QString();
    QTest::newRow("float not a number") << kClassifier
                                        << recordsJson(with(good, QStringLiteral("income"), QStringLiteral("abc")))
                                        << true << QStringLiteral("column 'income', row 2: 'abc' is not a number");
    QTest::newRow("integer given a boolean") << kClassifier << recordsJson(with(good, QStringLiteral("age"), true))
                                             << true << QStringLiteral("column 'age', row 2: 'true' is not a number");
    QTest::newRow("integer given a decimal")
        << kClassifier << recordsJson(with(good, QStringLiteral("age"), 41.5)) << true << QString();
    QTest::newRow("boolean spelled yes") << kClassifier
                                         << recordsJson(with(good, QStringLiteral("owner"), QStringLiteral("Yes")))
                                         << true << QString();
    QTest::newRow("boolean given maybe") << kClassifier
                                         << recordsJson(with(good, QStringLiteral("owner"), QStringLiteral("maybe")))
                                         << true << QStringLiteral("column 'owner', row 2: 'maybe' is not a boolean");
    QTest::newRow("boolean given 1") << kClassifier << recordsJson(with(good, QStringLiteral("owner"), 1)) << true
                                     << QStringLiteral("column 'owner', row 2: '1' is not a boolean");
    QTest::newRow("date-time given text")
        << kClassifier << recordsJson(with(good, QStringLiteral("opened"), QStringLiteral("yesterday"))) << true
        << QStringLiteral("column 'opened', row 2: 'yesterday' is not a date-time");
    QTest::newRow("date only") << kClassifier
                               << recordsJson(with(good, QStringLiteral("opened"), QStringLiteral("2024-05-01")))
                               << true << QString();
    QTest::newRow("unknown category")
        << kClassifier << recordsJson(with(good, QStringLiteral("purpose"), QStringLiteral("boat"))) << true
        << QStringLiteral("column 'purpose', row 2: 'boat' is not a category the model knows (car, home, study, "
                          "travel)");
    QTest::newRow("unknown category, regressor")
        << kRegressor << QByteArray(R"([{"income": 1, "age": 2, "owner": "no", "purpose": "Car"}])") << true
        << QStringLiteral("column 'purpose', row 1: 'Car' is not a category the model knows");
    QTest::newRow("any branch (truncated categories)")
        << kClassifier << recordsJson(with(good, QStringLiteral("branch"), QStringLiteral("a branch never seen")))
        << true << QString();
    QTest::newRow("duplicate column") << kClassifier
                                      << json({{QStringLiteral("dataframe_split"),
                                                QJsonObject {
                                                    {QStringLiteral("columns"),
                                                     QJsonArray {QStringLiteral("income"), QStringLiteral("income")}},
                                                    {QStringLiteral("data"), QJsonArray {QJsonArray {1, 2}}}}}})
                                      << true << QStringLiteral("column 'income' is given twice");
    QTest::newRow("malformed json") << kClassifier << QByteArray(R"({"inputs": [{"age": 3},)") << true
                                    << QStringLiteral("the input is not valid JSON");
    QTest::newRow("split and instances")
        << kClassifier
        << json({{QStringLiteral("dataframe_split"), QJsonObject {}}, {QStringLiteral("instances"), QJsonArray {}}})
        << true
        << QStringLiteral("exactly one of dataframe_split, dataframe_records, instances, inputs is allowed (the input "
                          "has dataframe_split and instances)");
    QTest::newRow("no shape") << kClassifier << QByteArray(R"({"rows": []})") << true
                              << QStringLiteral("the input must be an array of records, or an object with one of");
    QTest::newRow("unknown key beside a shape") << kClassifier << QByteArray(R"({"instances": [], "extra": 1})") << true
                                                << QStringLiteral("unknown key 'extra' beside instances");
    QTest::newRow("record not an object") << kClassifier << QByteArray(R"({"dataframe_records": [{}, 3]})") << true
                                          << QStringLiteral("row 2 is a number, expected an object of column values");
    QTest::newRow("value an object") << kClassifier
                                     << recordsJson(with(good, QStringLiteral("age"), QJsonObject {{text, 1}})) << true
                                     << QStringLiteral("row 2: 'age' is an object, expected a value");
    QTest::newRow("ragged split")
        << kClassifier
        << json({{QStringLiteral("dataframe_split"),
                  QJsonObject {{QStringLiteral("columns"), QJsonArray {QStringLiteral("a"), QStringLiteral("b")}},
                               {QStringLiteral("data"), QJsonArray {QJsonArray {1, 2}, QJsonArray {1}}}}}})
        << true << QStringLiteral("row 2 has 1 values, expected 2 (one per column)");
    QTest::newRow("columns of different lengths")
        << kClassifier << QByteArray(R"({"inputs": {"age": [1, 2], "income": [3]}})") << true
        << QStringLiteral("inputs: 'income' has 1 values, 'age' has 2");
    QTest::newRow("inputs a string") << kClassifier << QByteArray(R"({"inputs": "age"})") << true
                                     << QStringLiteral("inputs is a string, expected an array of records or an object "
                                                       "of columns");
}

void tst_Predictor::badInput()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, json);
    QFETCH(bool, reject);
    QFETCH(QString, error);
    const ExtraColumns extra = reject ? ExtraColumns::Reject : ExtraColumns::Ignore;
    const Expected<PredictionInput> input = predictionInputFromJson(json);
    QString message = input ? QString() : input.errorMessage();
    if (input) {
        const Status checked = model(name)->check(*input, extra);
        const Expected<Predictions> predicted = model(name)->predict(*input, extra);
        // predict() refuses exactly what check() refuses.
        QCOMPARE(predicted.ok(), checked.ok());
        if (!predicted)
            message = predicted.errorMessage();
        else
            QCOMPARE(predicted->rows, qint64(input->rows.size()));
    }
    if (error.isEmpty())
        QVERIFY2(message.isEmpty(), qPrintable(message));
    else
        QVERIFY2(message.startsWith(error), qPrintable(message));
}

void tst_Predictor::raggedRows()
{
    Expected<PredictionInput> input = predictionInputFromJson(recordsJson(goodLoan()));
    QVERIFY(input);
    QCOMPARE(input->columns.size(), 6);
    input->rows.push_back(input->rows.front());
    input->rows.back().pop_back();
    const Expected<Predictions> predicted = m_classifier->predict(*input);
    QVERIFY(!predicted);
    QCOMPARE(predicted.errorMessage(), QStringLiteral("row 3 has 5 values, expected 6 (one per column)"));

    const Expected<PredictionInput> csv = predictionInputFromCsv("income,age\n1,2\n3\n");
    QVERIFY(!csv);
    QCOMPARE(csv.errorMessage(), QStringLiteral("the CSV input: row 2 has 1 fields, expected 2 (one per column)"));
    QVERIFY(!predictionInputFromCsv(QByteArray()));
}

void tst_Predictor::datasetChecks_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("error"); // empty: accepted
    const QByteArray header = "income,age,owner,purpose,branch,opened,id\n";
    const QByteArray good = "52000,41,true,car,b3,2024-03-05T10:00:00,1\n";
    QTest::newRow("extra column") << QStringLiteral("extra") << header + good + good << QString();
    QTest::newRow("missing column") << QStringLiteral("no-age")
                                    << QByteArray("income,owner,purpose,branch,opened\n52000,true,car,b3,2024-03-05\n")
                                    << QStringLiteral("no-age@1: missing column 'age'");
    QTest::newRow("not a number") << QStringLiteral("bad-income")
                                  << header + good + "lots,30,false,home,b4,2024-03-06T10:00:00,2\n" + good
                                  << QStringLiteral("bad-income@1: column 'income', row 2: 'lots' is not a number");
    QTest::newRow("unknown category") << QStringLiteral("bad-purpose")
                                      << header + good + good + "52000,41,true,boat,b3,2024-03-05T10:00:00,3\n"
                                      << QStringLiteral("bad-purpose@1: column 'purpose', row 3: 'boat' is not a "
                                                        "category the model knows (car, home, study, travel)");
}

void tst_Predictor::datasetChecks()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, csv);
    QFETCH(QString, error);
    Workspace &workspace = *m_trained.workspace;
    ImportRequest request;
    request.paths = {test::writeFile(m_dir.filePath(QStringLiteral("data/%1.csv").arg(name)), csv)};
    request.name = name;
    Feedback feedback;
    const ImportReport report = importPaths(workspace, request, feedback);
    QVERIFY2(report.failed.isEmpty() && report.imported.size() == 1, qPrintable(report.summary()));
    const Expected<DatasetVersion> version = DatasetCatalog(workspace.db()).versionByRef(name + QStringLiteral("@1"));
    QVERIFY(version);
    const auto table = DatasetTable::open(workspace.blobs(), *version);
    QVERIFY(table);
    const Expected<Predictions> predicted = m_classifier->predict(**table);
    if (error.isEmpty()) {
        QVERIFY2(predicted, predicted ? "" : qPrintable(predicted.errorMessage()));
        QCOMPARE(predicted->rows, (*table)->rowCount());
    } else {
        QVERIFY(!predicted);
        QCOMPARE(predicted.errorMessage(), error);
    }
}

void tst_Predictor::cancel()
{
    Feedback feedback;
    feedback.cancel();
    const Expected<Predictions> predicted = m_classifier->predict(*m_table, &feedback);
    QVERIFY(!predicted);
    QCOMPARE(predicted.errorMessage(), QStringLiteral("cancelled"));
}

void tst_Predictor::outputForms()
{
    const Predictions &classes = m_classifierPredictions;
    const QJsonArray listed = classes.toJson().value(QStringLiteral("predictions")).toArray();
    QCOMPARE(listed.size(), test::kLoanRows);
    for (qint64 row = 0; row < classes.rows; row += 37) {
        const QJsonObject one = listed.at(row).toObject();
        QCOMPARE(one.value(QStringLiteral("label")).toString(), classes.label(row));
        const QJsonObject p = one.value(QStringLiteral("probabilities")).toObject();
        QCOMPARE(p.value(QStringLiteral("no")).toDouble(), classes.values[std::size_t(row) * 2]);
        QCOMPARE(p.value(QStringLiteral("yes")).toDouble(), classes.values[std::size_t(row) * 2 + 1]);
        const bool yes = classes.values[std::size_t(row) * 2 + 1] > classes.values[std::size_t(row) * 2];
        QCOMPARE(classes.label(row), yes ? QStringLiteral("yes") : QStringLiteral("no"));
    }
    const Predictions &amounts = m_regressorPredictions;
    const QJsonArray values = amounts.toJson().value(QStringLiteral("predictions")).toArray();
    QCOMPARE(values.size(), test::kLoanRows);
    QCOMPARE(values.at(5).toDouble(), amounts.values[5]);
    const QList<QStringList> csv = *parseCsv(amounts.toCsv());
    QCOMPARE(csv.constFirst(), QStringList {QStringLiteral("prediction")});
    QCOMPARE(csv.at(6).constFirst(), QString::number(amounts.values[5], 'g', 9));
    QCOMPARE(amounts.label(5), QString::number(amounts.values[5], 'g', 9));

    // Ties go to the first class, as in training.
    Predictions tie;
    tie.task = TaskKind::MulticlassClassification;
    tie.classes = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    tie.rows = 1;
    tie.values = {0.25, 0.375, 0.375};
    QCOMPARE(tie.label(0), QStringLiteral("b"));
    QCOMPARE(tie.toCsv(), QByteArray("label,p_a,p_b,p_c\r\nb,0.25,0.375,0.375\r\n"));
}

// toJsonBytes() writes what QJsonDocument writes for toJson(), byte for byte: trained
// predictions, numbers of every magnitude and form, and class labels that need escapes or sort
// differently in UTF-16.
void tst_Predictor::jsonBytesEqualQJsonDocument()
{
    const auto qtBytes = [](const Predictions &p) { return QJsonDocument(p.toJson()).toJson(QJsonDocument::Compact); };
    QCOMPARE(m_classifierPredictions.toJsonBytes(), qtBytes(m_classifierPredictions));
    QCOMPARE(m_regressorPredictions.toJsonBytes(), qtBytes(m_regressorPredictions));

    Predictions none;
    QCOMPARE(none.toJsonBytes(), QByteArray(R"({"predictions":[]})"));
    none.task = TaskKind::BinaryClassification;
    QCOMPARE(none.toJsonBytes(), qtBytes(none));

    // Regression values: random bit patterns (NaN and infinities become null), values of every
    // magnitude, integers around 2^53 and 2^63, and the forms' edges.
    Predictions numbers;
    numbers.task = TaskKind::Regression;
    numbers.values = {0.0,
                      -0.0,
                      1.0,
                      -3.0,
                      0.5,
                      0.001,
                      0.0012,
                      1e-4,
                      1e-5,
                      1e5,
                      1e4,
                      1e21,
                      1.5e20,
                      123456.789,
                      9007199254740991.0,
                      9007199254740992.0,
                      9007199254740994.0,
                      -9007199254740994.0,
                      9223372036854775807.0,
                      -9223372036854775808.0,
                      1e100,
                      1e-100,
                      5e-324,
                      std::numeric_limits<double>::max(),
                      std::numeric_limits<double>::lowest(),
                      std::numeric_limits<double>::quiet_NaN(),
                      std::numeric_limits<double>::infinity(),
                      -std::numeric_limits<double>::infinity()};
    QRandomGenerator random(6);
    for (int i = 0; i < 100000; ++i) {
        const quint64 bits = random.generate64();
        double x = 0;
        std::memcpy(&x, &bits, sizeof x);
        numbers.values.push_back(x);
        const double scaled = random.generateDouble() * std::pow(10.0, random.bounded(-25, 25));
        numbers.values.push_back(i % 2 ? scaled : -scaled);
        numbers.values.push_back(double(random.bounded(1000000)) / 1000.0);
        numbers.values.push_back(double(float(random.generateDouble())));
    }
    numbers.rows = qint64(numbers.values.size());
    QCOMPARE(numbers.toJsonBytes(), qtBytes(numbers));

    // Classification: labels with quotes, backslashes, controls, non-ASCII, a character past
    // U+FFFF (sorted by UTF-16 before U+FFFD), lone surrogates, and a repeated label (the last
    // value wins, as in QJsonObject).
    Predictions odd;
    odd.task = TaskKind::MulticlassClassification;
    odd.classes = {QStringLiteral("b"),
                   QStringLiteral("a \"quoted\" \\ back\tslash\n"),
                   QString(QChar(0x01)) + QChar(0x1f) + QChar(0x7f),
                   QStringLiteral("Z\u00e9t\u00e9 \u65e5\u672c"),
                   QString(QChar(0xfffd)),
                   QString::fromUcs4(U"\U0001F600 smile"),
                   QString(QChar(0xd800)) + QLatin1Char('x'),
                   QLatin1Char('y') + QString(QChar(0xdc00)),
                   QString(QChar(0xdbff)),
                   QStringLiteral("b"),
                   QString()};
    const auto k = std::size_t(odd.classes.size());
    odd.rows = 50;
    for (qint64 row = 0; row < odd.rows; ++row) {
        for (std::size_t c = 0; c < k; ++c)
            odd.values.push_back(row == 0 ? 0.25 : random.generateDouble());
    }
    QCOMPARE(odd.toJsonBytes(), qtBytes(odd));
}

void tst_Predictor::concurrentPredictions()
{
    const Expected<PredictionInput> inputs[] = {request(kClassifier), request(kRegressor)};
    QVERIFY(inputs[0] && inputs[1]);
    QThreadPool pool;
    pool.setMaxThreadCount(8);
    QList<int> jobs;
    for (int i = 0; i < 32; ++i)
        jobs.append(i);
    // Each model from several threads at once, from the dataset version and from a request.
    const auto which = [](int job) { return job % 4 < 2 ? 0 : 1; };
    const QList<std::vector<double>> results
        = QtConcurrent::blockingMapped(&pool, jobs, [&](int job) -> std::vector<double> {
              const LoadedModel &model = which(job) == 0 ? *m_classifier : *m_regressor;
              const Expected<Predictions> predicted
                  = job % 2 == 0 ? model.predict(*m_table) : model.predict(*inputs[which(job)]);
              return predicted ? predicted->values : std::vector<double> {};
          });
    for (int job = 0; job < results.size(); ++job)
        QVERIFY2(results.at(job) == reference(which(job) == 0 ? kClassifier : kRegressor).values,
                 qPrintable(QStringLiteral("job %1").arg(job)));
}

void tst_Predictor::oneRowAtATime_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("boosted trees") << kClassifier;
    QTest::newRow("linear") << kRegressor;
}

void tst_Predictor::oneRowAtATime()
{
    // Each row as a request of its own, as a server receives them, from several threads at once:
    // the batch's values for that row, bit for bit (the loaded model predicts few rows on a
    // booster of its own).
    QFETCH(QString, name);
    const Expected<PredictionInput> all = request(name);
    QVERIFY2(all, all ? "" : qPrintable(all.errorMessage()));
    const Predictions &expected = reference(name);
    const std::size_t width = expected.values.size() / std::size_t(expected.rows);
    QList<qint64> rows;
    for (qint64 row = 0; row < expected.rows; ++row)
        rows.append(row);
    QThreadPool pool;
    pool.setMaxThreadCount(4);
    const QList<std::vector<double>> results
        = QtConcurrent::blockingMapped(&pool, rows, [&](qint64 row) -> std::vector<double> {
              const PredictionInput one {all->columns, {all->rows[std::size_t(row)]}};
              const Expected<Predictions> predicted = model(name)->predict(one);
              return predicted ? predicted->values : std::vector<double> {};
          });
    for (qint64 row = 0; row < expected.rows; ++row) {
        const auto begin = expected.values.begin() + std::ptrdiff_t(std::size_t(row) * width);
        QVERIFY2(results.at(row) == std::vector<double>(begin, begin + std::ptrdiff_t(width)),
                 qPrintable(QStringLiteral("row %1").arg(row + 1)));
    }
}

void tst_Predictor::unknownTrainer()
{
    const Expected<ModelVersion> version = ModelRegistry(*m_trained.workspace).version(kClassifier);
    QVERIFY(version);
    TrainedModel model;
    model.format = version->modelFormat;
    model.bytes = test::readFile(m_trained.workspace->blobs().pathFor(version->modelSha256));
    const auto unknown
        = LoadedModel::create(QStringLiteral("quantum-forest"), model, version->encoding, version->signature);
    QVERIFY(!unknown);
    QVERIFY2(unknown.errorMessage().contains(QLatin1String("'quantum-forest'")), qPrintable(unknown.errorMessage()));
    TrainedModel garbage = model;
    garbage.bytes = "not a model";
    const auto unreadable = LoadedModel::create(version->trainer, garbage, version->encoding, version->signature);
    QVERIFY(!unreadable);
    const auto loaded = LoadedModel::create(version->trainer, model, version->encoding, version->signature);
    QVERIFY2(loaded, loaded ? "" : qPrintable(loaded.errorMessage()));
    QVERIFY((*loaded)->predict(*m_table)->values == m_classifierPredictions.values);
}

void tst_Predictor::missingModelBlob()
{
    // A copy of the workspace: the database copied consistently by SQLite, the blobs as files.
    const QString copy = m_dir.filePath(QStringLiteral("copy"));
    QVERIFY(QDir().mkpath(copy));
    const QByteArray vacuum = "VACUUM INTO '" + QDir(copy).filePath(QStringLiteral("kiln.db")).toUtf8() + "'";
    const Status copied = m_trained.workspace->db().exec(vacuum.constData());
    QVERIFY2(copied, copied ? "" : qPrintable(copied.errorMessage()));
    const Status blobsCopied
        = copyTree(m_trained.workspace->blobs().root() + QStringLiteral("/blobs"), copy + QStringLiteral("/blobs"));
    QVERIFY2(blobsCopied, blobsCopied ? "" : qPrintable(blobsCopied.errorMessage()));
    const std::unique_ptr<Workspace> workspace = test::openWorkspace(copy);
    QVERIFY(LoadedModel::load(*workspace, kClassifier));

    const Expected<ModelVersion> version = ModelRegistry(*workspace).version(kClassifier);
    QVERIFY(version);
    const QString blob = workspace->blobs().pathFor(version->modelSha256);
    const QByteArray bytes = test::readFile(blob);
    QVERIFY(QFile::remove(blob));
    const auto missing = LoadedModel::load(*workspace, kClassifier);
    QVERIFY(!missing);
    QVERIFY2(missing.errorMessage().startsWith(QLatin1String("loan-default@1: its model file is missing")),
             qPrintable(missing.errorMessage()));

    test::writeFile(blob, bytes.first(bytes.size() / 2));
    const auto shortened = LoadedModel::load(*workspace, kClassifier);
    QVERIFY(!shortened);
    QVERIFY2(shortened.errorMessage().startsWith(QLatin1String("loan-default@1: its model file")),
             qPrintable(shortened.errorMessage()));
    QVERIFY2(shortened.errorMessage().contains(QStringLiteral("expected %1").arg(bytes.size())),
             qPrintable(shortened.errorMessage()));

    QByteArray damaged = bytes;
    damaged[damaged.size() / 2] = char(damaged.at(damaged.size() / 2) ^ 0x5A);
    test::writeFile(blob, damaged);
    const auto corrupt = LoadedModel::load(*workspace, kClassifier);
    QVERIFY(!corrupt);
    QVERIFY2(corrupt.errorMessage().contains(QLatin1String("SHA-256")), qPrintable(corrupt.errorMessage()));
    QVERIFY(!LoadedModel::load(*workspace, QStringLiteral("no-such-model")));
}

QTEST_GUILESS_MAIN(tst_Predictor)
#include "tst_predictor.moc"
