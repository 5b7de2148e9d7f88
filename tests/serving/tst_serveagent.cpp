// The serving agent as a real process on loopback: every endpoint and input format against the
// same model predicting in-process, auth, body limits, bad requests, refused bundles, a hot
// swap and a rollback under load, and restarts after kill -9.
#include "registry/predictor.h"
#include "servetestsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

using namespace kiln;
using namespace kiln::test;
using Reply = TestHttpClient::Reply;

namespace {

const QByteArray kToken = "test-admin-token";
const QStringList kRiskColumns {QStringLiteral("income"),  QStringLiteral("age"),    QStringLiteral("owner"),
                                QStringLiteral("purpose"), QStringLiteral("branch"), QStringLiteral("opened")};
const QStringList kAmountColumns {QStringLiteral("income"), QStringLiteral("age"), QStringLiteral("owner"),
                                  QStringLiteral("purpose")};

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll();
}

QJsonObject jsonOf(const Reply &reply)
{
    return QJsonDocument::fromJson(reply.body).object();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// Rows of loans.csv as text, for some of its columns.
struct Rows
{
    QStringList columns;
    QList<QStringList> values;
};

Rows loanRows(const QStringList &columns, int first, int count)
{
    const QList<QByteArray> lines = loansCsv().split('\n');
    const QList<QByteArray> header = lines.at(0).split(',');
    Rows rows;
    rows.columns = columns;
    for (int i = first; i < first + count; ++i) {
        const QList<QByteArray> fields = lines.at(1 + i).split(',');
        QStringList row;
        for (const QString &column : columns)
            row << QString::fromUtf8(fields.at(header.indexOf(column.toUtf8())));
        rows.values << row;
    }
    return rows;
}

/// A field as a JSON client sends it: numbers as numbers, booleans as booleans (and a value
/// that is not what its column holds as the string it is).
QJsonValue jsonField(const QString &column, const QString &text)
{
    bool ok = false;
    if (column == QLatin1String("income")) {
        const double number = text.toDouble(&ok);
        return ok ? QJsonValue(number) : QJsonValue(text);
    }
    if (column == QLatin1String("age")) {
        const int number = text.toInt(&ok);
        return ok ? QJsonValue(number) : QJsonValue(text);
    }
    if (column == QLatin1String("owner") && (text == QLatin1String("true") || text == QLatin1String("false")))
        return text == QLatin1String("true");
    return text;
}

PredictionInput inputOf(const Rows &rows)
{
    PredictionInput input;
    input.columns = rows.columns;
    for (const QStringList &row : rows.values) {
        std::vector<std::string> fields;
        for (const QString &field : row)
            fields.push_back(field.toStdString());
        input.rows.push_back(std::move(fields));
    }
    return input;
}

QJsonArray records(const Rows &rows)
{
    QJsonArray out;
    for (const QStringList &row : rows.values) {
        QJsonObject record;
        for (qsizetype c = 0; c < rows.columns.size(); ++c)
            record.insert(rows.columns.at(c), jsonField(rows.columns.at(c), row.at(c)));
        out.append(record);
    }
    return out;
}

QByteArray splitBody(const Rows &rows)
{
    QJsonArray data;
    for (const QStringList &row : rows.values) {
        QJsonArray values;
        for (qsizetype c = 0; c < rows.columns.size(); ++c)
            values.append(jsonField(rows.columns.at(c), row.at(c)));
        data.append(values);
    }
    return compact({{QLatin1String("dataframe_split"),
                     QJsonObject {{QLatin1String("columns"), QJsonArray::fromStringList(rows.columns)},
                                  {QLatin1String("data"), data}}}});
}

QByteArray columnsBody(const Rows &rows)
{
    QJsonObject columns;
    for (qsizetype c = 0; c < rows.columns.size(); ++c) {
        QJsonArray values;
        for (const QStringList &row : rows.values)
            values.append(jsonField(rows.columns.at(c), row.at(c)));
        columns.insert(rows.columns.at(c), values);
    }
    return compact({{QLatin1String("inputs"), columns}});
}

QByteArray csvBody(const Rows &rows)
{
    QByteArray csv = rows.columns.join(QLatin1Char(',')).toUtf8() + '\n';
    for (const QStringList &row : rows.values)
        csv += row.join(QLatin1Char(',')).toUtf8() + '\n';
    return csv;
}

/// An Open Inference Protocol request: one tensor per column, of the datatype the column has
/// (BYTES, as strings, for the columns in `asBytes`).
QByteArray v2Body(const Rows &rows, const QString &id = {}, const QStringList &asBytes = {})
{
    QJsonArray inputs;
    for (qsizetype c = 0; c < rows.columns.size(); ++c) {
        const QString &column = rows.columns.at(c);
        QString datatype = QStringLiteral("BYTES");
        if (asBytes.contains(column))
            datatype = QStringLiteral("BYTES");
        else if (column == QLatin1String("income"))
            datatype = QStringLiteral("FP64");
        else if (column == QLatin1String("age"))
            datatype = QStringLiteral("INT64");
        else if (column == QLatin1String("owner"))
            datatype = QStringLiteral("BOOL");
        QJsonArray data;
        for (const QStringList &row : rows.values)
            data.append(asBytes.contains(column) ? QJsonValue(row.at(c)) : jsonField(column, row.at(c)));
        inputs.append(QJsonObject {{QLatin1String("name"), column},
                                   {QLatin1String("shape"), QJsonArray {rows.values.size()}},
                                   {QLatin1String("datatype"), datatype},
                                   {QLatin1String("data"), data}});
    }
    QJsonObject request {{QLatin1String("inputs"), inputs}};
    if (!id.isEmpty())
        request.insert(QLatin1String("id"), id);
    return compact(request);
}

/// The value of one series in a /metrics text ("name{labels} value"); -1 when absent.
double metric(const QByteArray &text, const QByteArray &series)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(QByteArray(series + ' ')))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

/// Sends `bytes` on a new connection and reads until the agent closes it (at most 10 s).
QByteArray exchangeUntilClosed(quint16 port, const QByteArray &bytes, bool *closed)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    *closed = false;
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(bytes);
    QByteArray out;
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())))) {
            if (socket.state() != QAbstractSocket::ConnectedState)
                break;
            continue;
        }
        out += socket.readAll();
    }
    out += socket.readAll();
    *closed = socket.state() != QAbstractSocket::ConnectedState;
    return out;
}

int statusOf(const QByteArray &response)
{
    return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : 0;
}

} // namespace

class TestServeAgent : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<AgentProcess> startAgent(const QStringList &args = {}, const QString &dataDir = {},
                                             const QByteArray &token = kToken)
    {
        m_startError.clear();
        const QString dir = dataDir.isEmpty() ? newDataDir() : dataDir;
        return AgentProcess::start(dir, args, &m_startError, token);
    }
    QString newDataDir() { return m_root.filePath(QStringLiteral("agent-%1").arg(++m_agents)); }
    static Reply push(TestHttpClient &client, const QString &bundle, const QByteArray &token = kToken)
    {
        return client.request("PUT", "/bundle", fileBytes(bundle), "application/octet-stream", token);
    }
    static QString served(TestHttpClient &client)
    {
        const QJsonObject version = jsonOf(client.request("GET", "/version"));
        if (version.value(QLatin1String("name")).isNull())
            return QStringLiteral("none");
        return version.value(QLatin1String("name")).toString() + QLatin1Char('@')
            + QString::number(version.value(QLatin1String("version")).toInt());
    }
    /// What the in-process model gives for `rows`: the body /invocations must answer with.
    QJsonObject expected(const QString &ref, const Rows &rows)
    {
        auto model = LoadedModel::load(*m_served.trained.workspace, ref);
        if (!model)
            qFatal("%s", qPrintable(model.errorMessage()));
        auto predictions = (*model)->predict(inputOf(rows));
        if (!predictions)
            qFatal("%s", qPrintable(predictions.errorMessage()));
        return predictions->toJson();
    }
    Predictions inProcess(const QString &ref, const Rows &rows)
    {
        auto model = LoadedModel::load(*m_served.trained.workspace, ref);
        auto predictions = (*model)->predict(inputOf(rows));
        if (!predictions)
            qFatal("%s", qPrintable(predictions.errorMessage()));
        return *predictions;
    }

    QTemporaryDir m_root;
    ServedWorkspace m_served;
    std::unique_ptr<AgentProcess> m_agent; ///< serves loans-risk@1 for the tests that only read
    QString m_startError;
    int m_agents = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_root.isValid());
        ServedWorkspace::create(m_root.filePath(QStringLiteral("served")), m_served);
        QVERIFY(m_served.trained.workspace);
        m_agent = startAgent();
        QVERIFY2(m_agent, qPrintable(m_startError));
        TestHttpClient client(m_agent->port);
        const Reply pushed = push(client, m_served.riskV1);
        QVERIFY2(pushed.status == 200, pushed.body.constData());
    }

    void healthBeforeAndAfterAModel()
    {
        auto agent = startAgent();
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        QCOMPARE(client.request("GET", "/v2/health/live").status, 200);
        QCOMPARE(client.request("GET", "/v2/health/ready").status, 503);
        QCOMPARE(client.request("GET", "/ping").status, 503);
        const Reply none = client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, 0, 1)));
        QCOMPARE(none.status, 503);
        QCOMPARE(jsonOf(none).value(QLatin1String("error_code")).toString(), QStringLiteral("NO_MODEL"));
        QCOMPARE(served(client), QStringLiteral("none"));

        const Reply pushed = push(client, m_served.riskV1);
        QCOMPARE(pushed.status, 200);
        QCOMPARE(jsonOf(pushed).value(QLatin1String("version")).toInt(), 1);
        QCOMPARE(pushed.header("X-Kiln-Model"), QByteArray("loans-risk@1"));
        QCOMPARE(client.request("GET", "/v2/health/live").status, 200);
        QCOMPARE(client.request("GET", "/v2/health/ready").status, 200);
        const Reply ping = client.request("GET", "/ping");
        QCOMPARE(ping.status, 200);
        QCOMPARE(ping.header("X-Kiln-Model"), QByteArray("loans-risk@1"));
    }

    void invocationFormats_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        const Rows rows = loanRows(kRiskColumns, 0, 5);
        QTest::newRow("dataframe_split") << QByteArray("application/json") << splitBody(rows);
        QTest::newRow("dataframe_records")
            << QByteArray("application/json") << compact({{QLatin1String("dataframe_records"), records(rows)}});
        QTest::newRow("instances") << QByteArray("application/json")
                                   << compact({{QLatin1String("instances"), records(rows)}});
        QTest::newRow("inputs as records")
            << QByteArray("application/json") << compact({{QLatin1String("inputs"), records(rows)}});
        QTest::newRow("inputs as columns") << QByteArray("application/json") << columnsBody(rows);
        QTest::newRow("csv") << QByteArray("text/csv") << csvBody(rows);
        QTest::newRow("csv with charset") << QByteArray("text/csv; charset=utf-8") << csvBody(rows);
    }

    void invocationFormats()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        TestHttpClient client(m_agent->port);
        const Reply reply = client.request("POST", "/invocations", body, contentType);
        QVERIFY2(reply.status == 200, reply.body.constData());
        QCOMPARE(reply.header("X-Kiln-Model"), QByteArray("loans-risk@1"));
        QCOMPARE(reply.header("Content-Type"), QByteArray("application/json"));
        const QJsonObject want = expected(QStringLiteral("loans-risk@1"), loanRows(kRiskColumns, 0, 5));
        QCOMPARE(jsonOf(reply), want);
        QCOMPARE(jsonOf(reply).value(QLatin1String("predictions")).toArray().size(), 5);
    }

    void regressionFromBundleOption()
    {
        auto agent = startAgent({QStringLiteral("--bundle"), m_served.amountV1});
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        QCOMPARE(served(client), QStringLiteral("loans-amount@1"));
        const Rows rows = loanRows(kAmountColumns, 10, 4);
        const Reply reply = client.request("POST", "/invocations", splitBody(rows));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QCOMPARE(jsonOf(reply), expected(QStringLiteral("loans-amount@1"), rows));

        const Reply v2 = client.request("POST", "/v2/models/loans-amount/infer", v2Body(rows));
        QVERIFY2(v2.status == 200, v2.body.constData());
        const Predictions want = inProcess(QStringLiteral("loans-amount@1"), rows);
        const QJsonArray outputs = jsonOf(v2).value(QLatin1String("outputs")).toArray();
        QCOMPARE(outputs.size(), 1);
        QCOMPARE(outputs.at(0)[QLatin1String("datatype")].toString(), QStringLiteral("FP64"));
        const QJsonArray data = outputs.at(0)[QLatin1String("data")].toArray();
        QCOMPARE(data.size(), 4);
        for (qsizetype i = 0; i < data.size(); ++i)
            QCOMPARE(data.at(i).toDouble(), want.values.at(std::size_t(i)));
    }

    void v2InferAndMetadata()
    {
        TestHttpClient client(m_agent->port);
        const Rows rows = loanRows(kRiskColumns, 20, 6);
        const Reply reply
            = client.request("POST", "/v2/models/loans-risk/infer", v2Body(rows, QStringLiteral("req-7")));
        QVERIFY2(reply.status == 200, reply.body.constData());
        QCOMPARE(reply.header("X-Kiln-Model"), QByteArray("loans-risk@1"));
        const QJsonObject answer = jsonOf(reply);
        QCOMPARE(answer.value(QLatin1String("model_name")).toString(), QStringLiteral("loans-risk"));
        QCOMPARE(answer.value(QLatin1String("model_version")).toString(), QStringLiteral("1"));
        QCOMPARE(answer.value(QLatin1String("id")).toString(), QStringLiteral("req-7"));
        const Predictions want = inProcess(QStringLiteral("loans-risk@1"), rows);
        const QJsonArray outputs = answer.value(QLatin1String("outputs")).toArray();
        QCOMPARE(outputs.size(), 2);
        const QJsonArray labels = outputs.at(0)[QLatin1String("data")].toArray();
        const QJsonArray probabilities = outputs.at(1)[QLatin1String("data")].toArray();
        QCOMPARE(labels.size(), 6);
        QCOMPARE(probabilities.size(), qsizetype(want.values.size()));
        for (qsizetype i = 0; i < labels.size(); ++i)
            QCOMPARE(labels.at(i).toString(), want.label(i));
        for (qsizetype i = 0; i < probabilities.size(); ++i)
            QCOMPARE(probabilities.at(i).toDouble(), want.values.at(std::size_t(i)));
        // The same rows through /invocations and v2 agree.
        const QJsonArray mlflow = jsonOf(client.request("POST", "/invocations", splitBody(rows)))
                                      .value(QLatin1String("predictions"))
                                      .toArray();
        QCOMPARE(mlflow.at(0)[QLatin1String("label")].toString(), labels.at(0).toString());

        const Reply metadata = client.request("GET", "/v2/models/loans-risk");
        QCOMPARE(metadata.status, 200);
        const QJsonObject meta = jsonOf(metadata);
        QCOMPARE(meta.value(QLatin1String("name")).toString(), QStringLiteral("loans-risk"));
        QCOMPARE(meta.value(QLatin1String("versions")).toArray(), QJsonArray {QStringLiteral("1")});
        QCOMPARE(meta.value(QLatin1String("inputs")).toArray().size(), kRiskColumns.size());
        QCOMPARE(client.request("GET", "/v2/models/loans-risk/ready").status, 200);
        QCOMPARE(client.request("GET", "/v2/models/loans-risk/versions/1/ready").status, 200);
        QCOMPARE(client.request("POST", "/v2/models/loans-risk/versions/1/infer", v2Body(rows)).status, 200);
        QCOMPARE(client.request("GET", "/v2/models/loans-risk/versions/9").status, 404);
        const Reply other = client.request("POST", "/v2/models/churn/infer", v2Body(rows));
        QCOMPARE(other.status, 404);
        QVERIFY(jsonOf(other).value(QLatin1String("message")).toString().contains(QLatin1String("loans-risk")));
        QCOMPARE(client.request("GET", "/v2").status, 200);
    }

    void versionAndMetrics()
    {
        TestHttpClient client(m_agent->port);
        const QJsonObject version = jsonOf(client.request("GET", "/version"));
        QCOMPARE(version.value(QLatin1String("name")).toString(), QStringLiteral("loans-risk"));
        QCOMPARE(version.value(QLatin1String("version")).toInt(), 1);
        QCOMPARE(version.value(QLatin1String("sha256")).toString().size(), 64);
        QCOMPARE(version.value(QLatin1String("trainer")).toString(), QStringLiteral("boosted-trees"));
        QVERIFY(version.value(QLatin1String("agent")).toString().startsWith(QLatin1String("kiln-serve ")));
        QVERIFY(!version.value(QLatin1String("loadedAt")).toString().isEmpty());

        const Reply before = client.request("GET", "/metrics");
        QCOMPARE(before.status, 200);
        QVERIFY(before.header("Content-Type").startsWith("text/plain; version=0.0.4"));
        for (const char *family :
             {"kiln_requests_total", "kiln_request_errors_total", "kiln_request_duration_seconds_bucket",
              "kiln_request_duration_seconds_sum", "kiln_request_duration_seconds_count", "kiln_predicted_rows_total",
              "kiln_model_info", "kiln_model_version", "kiln_model_loaded_timestamp_seconds", "kiln_model_swaps_total",
              "kiln_feature_bin_total", "kiln_prediction_bin_total"})
            QVERIFY2(before.body.contains(QByteArray(QByteArray("\n") + family)), family);
        QCOMPARE(metric(before.body, "kiln_model_version"), 1.0);

        const QByteArray ok = "kiln_requests_total{endpoint=\"invocations\",code=\"200\"}";
        const QByteArray errors = "kiln_request_errors_total{endpoint=\"invocations\"}";
        const QByteArray rows = "kiln_predicted_rows_total";
        const double okBefore = qMax(0.0, metric(before.body, ok));
        const double errorsBefore = qMax(0.0, metric(before.body, errors));
        const double rowsBefore = metric(before.body, rows);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, i, 2))).status, 200);
        QCOMPARE(client.request("POST", "/invocations", "{").status, 400);
        const QByteArray after = client.request("GET", "/metrics").body;
        QCOMPARE(metric(after, ok), okBefore + 3);
        QCOMPARE(metric(after, errors), errorsBefore + 1);
        QCOMPARE(metric(after, rows), rowsBefore + 6);
    }

    void adminAuth()
    {
        TestHttpClient client(m_agent->port);
        const QByteArray bundle = fileBytes(m_served.riskV2);
        const Reply none = client.request("PUT", "/bundle", bundle, "application/octet-stream");
        QCOMPARE(none.status, 401);
        QCOMPARE(jsonOf(none).value(QLatin1String("error_code")).toString(), QStringLiteral("UNAUTHORIZED"));
        QVERIFY(!none.header("WWW-Authenticate").isEmpty());
        QCOMPARE(client.request("PUT", "/bundle", bundle, "application/octet-stream", "wrong-token").status, 401);
        QCOMPARE(client.request("PUT", "/bundle", bundle, "application/octet-stream", kToken + "x").status, 401);
        QCOMPARE(client.request("POST", "/rollback", {}, "application/json").status, 401);
        QCOMPARE(client.request("POST", "/rollback", {}, "application/json", "wrong-token").status, 401);
        QCOMPARE(client.request("DELETE", "/bundle", {}, "application/json", "wrong-token").status, 401);
        QCOMPARE(served(client), QStringLiteral("loans-risk@1"));
        // Inference is open on this agent.
        QCOMPARE(client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, 0, 1))).status, 200);
    }

    void withoutAdminToken()
    {
        auto agent = startAgent({}, {}, QByteArray());
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        const Reply refused = push(client, m_served.riskV1, "anything");
        QCOMPARE(refused.status, 403);
        QVERIFY(jsonOf(refused).value(QLatin1String("message")).toString().contains(QLatin1String("admin token")));
        QCOMPARE(served(client), QStringLiteral("none"));
    }

    void inferenceToken()
    {
        const QString tokenFile = m_root.filePath(QStringLiteral("inference-token"));
        QFile file(tokenFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("reader-secret\n");
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        auto agent = startAgent(
            {QStringLiteral("--inference-token-file"), tokenFile, QStringLiteral("--bundle"), m_served.riskV1});
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        const QByteArray body = splitBody(loanRows(kRiskColumns, 0, 1));
        QCOMPARE(client.request("POST", "/invocations", body).status, 401);
        QCOMPARE(client.request("POST", "/invocations", body, "application/json", "wrong").status, 401);
        QCOMPARE(client.request("POST", "/invocations", body, "application/json", "reader-secret").status, 200);
        QCOMPARE(client.request("POST", "/invocations", body, "application/json", kToken).status, 200);
        const QByteArray v2 = v2Body(loanRows(kRiskColumns, 0, 1));
        QCOMPARE(client.request("POST", "/v2/models/loans-risk/infer", v2).status, 401);
        QCOMPARE(client.request("POST", "/v2/models/loans-risk/infer", v2, "application/json", "reader-secret").status,
                 200);
        QCOMPARE(client.request("GET", "/metrics").status, 401);
        QCOMPARE(client.request("GET", "/metrics", {}, {}, "reader-secret").status, 200);
        // Health, version and metadata stay open; the inference token cannot push.
        QCOMPARE(client.request("GET", "/ping").status, 200);
        QCOMPARE(client.request("GET", "/version").status, 200);
        QCOMPARE(push(client, m_served.riskV2, "reader-secret").status, 401);
        QCOMPARE(served(client), QStringLiteral("loans-risk@1"));
    }

    void bodyLimits()
    {
        bool closed = false;
        // A huge Content-Length and no body at all: the answer comes from the head alone.
        const QByteArray huge
            = exchangeUntilClosed(m_agent->port,
                                  "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 10000000000\r\n\r\n",
                                  &closed);
        QCOMPARE(statusOf(huge), 413);
        QVERIFY(huge.contains("PAYLOAD_TOO_LARGE"));
        QVERIFY(huge.contains("Connection: close"));
        QVERIFY(closed);

        // Chunked: refused before Qt HttpServer, which would otherwise have answered it as well
        // (it reads chunked bodies): exactly one answer on the connection.
        const QByteArray chunked = exchangeUntilClosed(m_agent->port,
                                                       "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                       "Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                       "4\r\nage\n\r\n0\r\n\r\n",
                                                       &closed);
        QCOMPARE(statusOf(chunked), 411);
        QCOMPARE(chunked.count("HTTP/1.1 "), 1);
        QVERIFY(closed);

        const QByteArray headers = exchangeUntilClosed(
            m_agent->port, "GET /ping HTTP/1.1\r\nX-Padding: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n", &closed);
        QCOMPARE(statusOf(headers), 431);
        QVERIFY(closed);

        const QByteArray malformed = exchangeUntilClosed(m_agent->port, "HELLO THERE\r\n\r\n", &closed);
        QCOMPARE(statusOf(malformed), 400);
        QVERIFY(closed);

        // A small limit on inference bodies; bundles have their own.
        auto agent = startAgent({QStringLiteral("--max-body-bytes"), QStringLiteral("1K")});
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        QVERIFY(fileBytes(m_served.riskV1).size() > 1024);
        QCOMPARE(push(client, m_served.riskV1).status, 200);
        const Rows rows = loanRows(kRiskColumns, 0, 40);
        QVERIFY(splitBody(rows).size() > 1024);
        const Reply tooLarge = client.request("POST", "/invocations", splitBody(rows));
        QCOMPARE(tooLarge.status, 413);
        QVERIFY(jsonOf(tooLarge).value(QLatin1String("message")).toString().contains(QLatin1String("1024")));
        QCOMPARE(client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, 0, 1))).status, 200);
    }

    void pipelinedRequests()
    {
        QTcpSocket socket;
        socket.connectToHost(QStringLiteral("127.0.0.1"), m_agent->port);
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray body = splitBody(loanRows(kRiskColumns, 0, 1));
        const QByteArray post = "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        socket.write("GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + post
                     + "GET /version HTTP/1.1\r\n\r\n");
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += socket.readAll()).count("HTTP/1.1 200 OK") == 3, 10000);
        QVERIFY(out.contains("\"live\":true"));
        QVERIFY(out.contains("\"predictions\""));
        QVERIFY(out.contains("\"agent\""));
    }

    void connectionClose()
    {
        bool closed = false;
        const QByteArray asked = exchangeUntilClosed(
            m_agent->port, "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", &closed);
        QCOMPARE(statusOf(asked), 200);
        QVERIFY(asked.contains("Connection: close"));
        QVERIFY(closed);
        const QByteArray http10 = exchangeUntilClosed(m_agent->port, "GET /version HTTP/1.0\r\n\r\n", &closed);
        QCOMPARE(statusOf(http10), 200);
        QVERIFY(closed);
    }

    void badRequests_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("reason");
        const Rows rows = loanRows(kRiskColumns, 0, 2);
        Rows missing = rows;
        missing.columns.removeAt(1);
        for (QStringList &row : missing.values)
            row.removeAt(1);
        Rows extra = rows;
        extra.columns << QStringLiteral("colour");
        for (QStringList &row : extra.values)
            row << QStringLiteral("red");
        Rows wrongType = rows;
        wrongType.values[1][1] = QStringLiteral("old");
        Rows unknownCategory = rows;
        unknownCategory.values[0][3] = QStringLiteral("boat");
        const QByteArray json = "application/json";

        QTest::newRow("invalid JSON") << QByteArray("/invocations") << json << QByteArray("{\"dataframe_split\": [")
                                      << QStringLiteral("not valid JSON");
        QTest::newRow("empty body") << QByteArray("/invocations") << json << QByteArray() << QStringLiteral("JSON");
        QTest::newRow("missing column") << QByteArray("/invocations") << json << splitBody(missing)
                                        << QStringLiteral("missing column 'age'");
        QTest::newRow("extra column") << QByteArray("/invocations") << json << splitBody(extra)
                                      << QStringLiteral("unknown column 'colour'");
        QTest::newRow("wrong type") << QByteArray("/invocations") << json
                                    << compact({{QLatin1String("dataframe_records"), records(wrongType)}})
                                    << QStringLiteral("'age'");
        QTest::newRow("unknown category")
            << QByteArray("/invocations") << json << splitBody(unknownCategory) << QStringLiteral("'purpose'");
        QTest::newRow("two formats") << QByteArray("/invocations") << json
                                     << compact({{QLatin1String("instances"), records(rows)},
                                                 {QLatin1String("inputs"), records(rows)}})
                                     << QStringLiteral("exactly one of");
        QTest::newRow("csv missing column") << QByteArray("/invocations") << QByteArray("text/csv") << csvBody(missing)
                                            << QStringLiteral("missing column 'age'");
        QTest::newRow("csv ragged row") << QByteArray("/invocations") << QByteArray("text/csv")
                                        << QByteArray("income,age\n1,2,3\n") << QStringLiteral("row");
        QByteArray shape = v2Body(rows);
        shape.replace("\"shape\":[2]", "\"shape\":[3]");
        QTest::newRow("v2 shape") << QByteArray("/v2/models/loans-risk/infer") << json << shape
                                  << QStringLiteral("shape [3] but 2 values");
        QTest::newRow("v2 datatype") << QByteArray("/v2/models/loans-risk/infer") << json << v2Body(wrongType)
                                     << QStringLiteral("input 'age': datatype INT64 but 'old'");
        QTest::newRow("v2 wrong type") << QByteArray("/v2/models/loans-risk/infer") << json
                                       << v2Body(wrongType, {}, {QStringLiteral("age")})
                                       << QStringLiteral("column 'age', row 2");
        QTest::newRow("v2 not JSON") << QByteArray("/v2/models/loans-risk/infer") << json << QByteArray("inputs")
                                     << QStringLiteral("not JSON");
        QTest::newRow("v2 no inputs") << QByteArray("/v2/models/loans-risk/infer") << json << QByteArray("{}")
                                      << QStringLiteral("inputs");
    }

    void badRequests()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, reason);
        TestHttpClient client(m_agent->port);
        const Reply reply = client.request("POST", path, body, contentType);
        QCOMPARE(reply.status, 400);
        const QJsonObject error = jsonOf(reply);
        QCOMPARE(error.value(QLatin1String("error_code")).toString(), QStringLiteral("BAD_REQUEST"));
        const QString message = error.value(QLatin1String("message")).toString();
        QVERIFY2(message.contains(reason), qPrintable(message));
        // Still there, the same version, on the same connection.
        QCOMPARE(served(client), QStringLiteral("loans-risk@1"));
        QCOMPARE(client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, 0, 1))).status, 200);
    }

    void routingErrors()
    {
        TestHttpClient client(m_agent->port);
        QCOMPARE(client.request("GET", "/nowhere").status, 404);
        const Reply get = client.request("GET", "/invocations");
        QCOMPARE(get.status, 405);
        QCOMPARE(get.header("Allow"), QByteArray("POST"));
        QCOMPARE(client.request("POST", "/version", "{}").status, 405);
        QCOMPARE(client.request("GET", "/bundle").status, 405);
        QCOMPARE(jsonOf(client.request("GET", "/nowhere")).value(QLatin1String("error_code")).toString(),
                 QStringLiteral("NOT_FOUND"));
        auto fresh = startAgent({QStringLiteral("--bundle"), m_served.riskV1});
        QVERIFY2(fresh, qPrintable(m_startError));
        TestHttpClient freshClient(fresh->port);
        const Reply rollback = freshClient.request("POST", "/rollback", {}, "application/json", kToken);
        QCOMPARE(rollback.status, 409);
        QCOMPARE(jsonOf(rollback).value(QLatin1String("error_code")).toString(), QStringLiteral("CONFLICT"));
    }

    void refusedBundles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const QByteArray bundle = fileBytes(m_served.riskV2);
        QTest::newRow("garbage") << QByteArray(5000, 'x') << QStringLiteral("not a Kiln bundle");
        QTest::newRow("truncated") << bundle.first(bundle.size() / 2) << QStringLiteral("pushed.kiln.tar.gz");
        QByteArray flipped = bundle;
        flipped[flipped.size() - 40] = char(flipped.at(flipped.size() - 40) ^ 0x55);
        QTest::newRow("damaged") << flipped << QStringLiteral("pushed.kiln.tar.gz");
    }

    void refusedBundles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        TestHttpClient client(m_agent->port);
        const Reply refused = client.request("PUT", "/bundle", bytes, "application/octet-stream", kToken);
        QCOMPARE(refused.status, 422);
        QCOMPARE(jsonOf(refused).value(QLatin1String("error_code")).toString(), QStringLiteral("BUNDLE_REFUSED"));
        const QString message = jsonOf(refused).value(QLatin1String("message")).toString();
        QVERIFY2(message.contains(reason), qPrintable(message));
        QCOMPARE(served(client), QStringLiteral("loans-risk@1"));
        QCOMPARE(client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, 0, 1))).status, 200);
        // Nothing of it stays in the data folder.
        QCOMPARE(QDir(m_agent->dataDir + QStringLiteral("/bundles")).entryList(QDir::Files).size(), 1);
        QVERIFY(QDir(m_agent->dataDir + QStringLiteral("/incoming")).entryList(QDir::Files).isEmpty());
    }

    void hotSwapUnderLoad()
    {
        auto agent = startAgent({QStringLiteral("--threads"), QStringLiteral("2")});
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient admin(agent->port);
        QCOMPARE(push(admin, m_served.riskV1).status, 200);
        const QByteArray body = splitBody(loanRows(kRiskColumns, 3, 1));
        const QByteArray v2Bundle = fileBytes(m_served.riskV2);

        struct Seen
        {
            std::vector<int> statuses;
            std::vector<QByteArray> models;
            std::atomic<int> count {0};
        };
        constexpr int kClients = 3;
        std::array<Seen, kClients> seen;
        std::atomic<bool> stop {false};
        std::vector<std::thread> clients;
        clients.reserve(kClients);
        for (Seen &client : seen) {
            clients.emplace_back([&stop, &body, port = agent->port, out = &client] {
                TestHttpClient http(port);
                while (!stop.load()) {
                    const Reply reply = http.request("POST", "/invocations", body);
                    out->statuses.push_back(reply.status);
                    out->models.push_back(reply.header("X-Kiln-Model"));
                    out->count.fetch_add(1);
                }
            });
        }
        // Every client gets `more` answers past the present point.
        const auto everyClientSees = [&](int more) {
            std::array<int, kClients> base {};
            for (int i = 0; i < kClients; ++i)
                base[std::size_t(i)] = seen[std::size_t(i)].count.load();
            return QTest::qWaitFor(
                [&] {
                    for (int i = 0; i < kClients; ++i) {
                        if (seen[std::size_t(i)].count.load() < base[std::size_t(i)] + more)
                            return false;
                    }
                    return true;
                },
                60000);
        };
        const bool warmedUp = everyClientSees(100);
        const Reply pushed = admin.request("PUT", "/bundle", v2Bundle, "application/octet-stream", kToken);
        const bool sawV2 = everyClientSees(200);
        const Reply rolledBack = admin.request("POST", "/rollback", {}, "application/json", kToken);
        const bool sawRollback = everyClientSees(200);
        stop = true;
        for (std::thread &thread : clients)
            thread.join();

        QVERIFY(warmedUp && sawV2 && sawRollback);
        QCOMPARE(pushed.status, 200);
        QCOMPARE(rolledBack.status, 200);
        QCOMPARE(jsonOf(rolledBack).value(QLatin1String("version")).toInt(), 1);
        for (const Seen &client : seen) {
            int failed = 0;
            for (int status : client.statuses)
                failed += status == 200 ? 0 : 1;
            QCOMPARE(failed, 0);
            QList<QByteArray> runs;
            for (const QByteArray &model : client.models) {
                if (runs.isEmpty() || runs.back() != model)
                    runs << model;
            }
            QCOMPARE(runs, (QList<QByteArray> {"loans-risk@1", "loans-risk@2", "loans-risk@1"}));
        }
    }

    void restartAfterKill9()
    {
        const QString dir = newDataDir();
        auto agent = startAgent({}, dir);
        QVERIFY2(agent, qPrintable(m_startError));
        {
            TestHttpClient client(agent->port);
            QCOMPARE(push(client, m_served.riskV1).status, 200);
            QCOMPARE(push(client, m_served.riskV2).status, 200);
            QCOMPARE(served(client), QStringLiteral("loans-risk@2"));
        }
        agent->kill9();
        // What a kill in the middle of a push leaves: files no state names.
        QVERIFY(QDir(dir).mkpath(QStringLiteral("incoming")));
        writeFile(dir + QStringLiteral("/incoming/pushed.kiln.tar.gz"), "half a bundle");
        writeFile(dir + QStringLiteral("/bundles/") + QString(64, QLatin1Char('0')) + QStringLiteral(".kiln.tar.gz"),
                  "a bundle renamed in but never made current");
        writeFile(dir + QStringLiteral("/state.json.Xy12Ab"), "{\"current\": ");
        agent = startAgent({}, dir);
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        QCOMPARE(served(client), QStringLiteral("loans-risk@2"));
        QVERIFY(QDir(dir + QStringLiteral("/incoming")).isEmpty());
        QVERIFY(!QFile::exists(dir + QStringLiteral("/state.json.Xy12Ab")));
        const QJsonObject previous
            = jsonOf(client.request("GET", "/version")).value(QLatin1String("previous")).toObject();
        QCOMPARE(previous.value(QLatin1String("version")).toInt(), 1);
        const Rows rows = loanRows(kRiskColumns, 7, 3);
        const Reply reply = client.request("POST", "/invocations", splitBody(rows));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("X-Kiln-Model"), QByteArray("loans-risk@2"));
        QCOMPARE(jsonOf(reply), expected(QStringLiteral("loans-risk@2"), rows));
        QCOMPARE(QDir(dir + QStringLiteral("/bundles")).entryList(QDir::Files).size(), 2);
    }

    void damagedCurrentFallsBackToPrevious()
    {
        const QString dir = newDataDir();
        auto agent = startAgent({}, dir);
        QVERIFY2(agent, qPrintable(m_startError));
        QString currentSha;
        {
            TestHttpClient client(agent->port);
            QCOMPARE(push(client, m_served.riskV1).status, 200);
            const Reply pushed = push(client, m_served.riskV2);
            QCOMPARE(pushed.status, 200);
            currentSha = jsonOf(pushed).value(QLatin1String("sha256")).toString();
        }
        agent->kill9();
        const QString currentFile = dir + QStringLiteral("/bundles/") + currentSha + QStringLiteral(".kiln.tar.gz");
        QVERIFY(QFile::exists(currentFile));
        writeFile(currentFile, "damaged on disk");
        agent = startAgent({}, dir);
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        QCOMPARE(served(client), QStringLiteral("loans-risk@1"));
        QByteArray log;
        QTRY_VERIFY((log += agent->process.readAllStandardError()).contains("the current bundle does not load"));
        QVERIFY2(log.contains("serving the previous one, loans-risk@1"), log.constData());
    }

    void rollbackThenKill9()
    {
        const QString dir = newDataDir();
        auto agent = startAgent({}, dir);
        QVERIFY2(agent, qPrintable(m_startError));
        {
            TestHttpClient client(agent->port);
            QCOMPARE(push(client, m_served.riskV1).status, 200);
            QCOMPARE(push(client, m_served.riskV2).status, 200);
            const Reply rolledBack = client.request("POST", "/rollback", {}, "application/json", kToken);
            QCOMPARE(rolledBack.status, 200);
            QCOMPARE(rolledBack.header("X-Kiln-Model"), QByteArray("loans-risk@1"));
        }
        agent->kill9();
        agent = startAgent({}, dir);
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        QCOMPARE(served(client), QStringLiteral("loans-risk@1"));
        QCOMPARE(client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, 0, 1))).header("X-Kiln-Model"),
                 QByteArray("loans-risk@1"));
        // The version rolled back from is still there to roll forward to.
        QCOMPARE(client.request("POST", "/rollback", {}, "application/json", kToken).status, 200);
        QCOMPARE(served(client), QStringLiteral("loans-risk@2"));
    }

    void undeployThenRollback()
    {
        auto agent = startAgent({QStringLiteral("--bundle"), m_served.riskV1});
        QVERIFY2(agent, qPrintable(m_startError));
        TestHttpClient client(agent->port);
        const Reply undeployed = client.request("DELETE", "/bundle", {}, "application/json", kToken);
        QCOMPARE(undeployed.status, 200);
        QVERIFY(jsonOf(undeployed).value(QLatin1String("name")).isNull());
        QCOMPARE(jsonOf(undeployed).value(QLatin1String("previous"))[QLatin1String("version")].toInt(), 1);
        QCOMPARE(client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, 0, 1))).status, 503);
        QCOMPARE(client.request("GET", "/v2/health/ready").status, 503);
        QCOMPARE(client.request("POST", "/rollback", {}, "application/json", kToken).status, 200);
        QCOMPARE(served(client), QStringLiteral("loans-risk@1"));
        QCOMPARE(client.request("POST", "/invocations", splitBody(loanRows(kRiskColumns, 0, 1))).status, 200);
    }

    void commandLine()
    {
        const auto run = [](const QStringList &args, QByteArray *err) {
            QProcess process;
            process.start(kilnServePath(), args);
            if (!process.waitForFinished(30000)) {
                process.kill();
                process.waitForFinished();
                return -1;
            }
            *err = process.readAllStandardError();
            return process.exitCode();
        };
        QByteArray err;
        QCOMPARE(run({QStringLiteral("--port"), QStringLiteral("0")}, &err), 2);
        QVERIFY2(err.contains("--data"), err.constData());
        QCOMPARE(run({QStringLiteral("--data"), newDataDir(), QStringLiteral("--port"), QStringLiteral("http")}, &err),
                 2);
        QVERIFY2(err.contains("--port"), err.constData());
        QCOMPARE(run({QStringLiteral("--data"), newDataDir(), QStringLiteral("--token"), QStringLiteral("x")}, &err),
                 2);
        QCOMPARE(run({QStringLiteral("--data"), newDataDir(), QStringLiteral("--port"), QString::number(m_agent->port)},
                     &err),
                 1);
        QVERIFY2(err.contains("already in use"), err.constData());
        const QString garbage = m_root.filePath(QStringLiteral("garbage.kiln.tar.gz"));
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a bundle");
        file.close();
        const QString dir = newDataDir();
        QCOMPARE(run({QStringLiteral("--data"), dir, QStringLiteral("--port"), QStringLiteral("0"),
                      QStringLiteral("--bundle"), garbage},
                     &err),
                 1);
        QVERIFY2(err.contains("refused --bundle") && err.contains("garbage.kiln.tar.gz"), err.constData());
        QVERIFY(QDir(dir + QStringLiteral("/bundles")).entryList(QDir::Files).isEmpty());
    }

    void sigtermEndsCleanly()
    {
        auto agent = startAgent();
        QVERIFY2(agent, qPrintable(m_startError));
        agent->process.terminate();
        QVERIFY(agent->process.waitForFinished(10000));
        QCOMPARE(agent->process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent->process.exitCode(), 0);
    }

    void cleanupTestCase() { m_agent.reset(); }
};

QTEST_GUILESS_MAIN(TestServeAgent)
#include "tst_serveagent.moc"
