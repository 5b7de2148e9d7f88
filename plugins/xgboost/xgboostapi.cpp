#include "xgboostapi.h"

#include "ubjcheck.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>
#include <QtGlobal>

#include <xgboost/c_api.h>

#include <cstdint>
#include <limits>

namespace kiln::Internal::xgb {

namespace {

thread_local TrainingLogger *t_logger = nullptr;

void forwardLog(const char *message)
{
    const QString line = QString::fromUtf8(message).trimmed();
    if (t_logger)
        t_logger->logLine(QStringLiteral("xgboost: ") + line);
    else
        qWarning("xgboost: %s", qUtf8Printable(line));
}

// XGBoost's messages start with a time and a source location and end with a stack trace:
// "[10:41:07] ../src/learner.cc:1410: Check failed: ...\nStack trace: ...". A user needs the
// middle.
QString readableError()
{
    QString text = QString::fromUtf8(XGBGetLastError());
    const qsizetype trace = text.indexOf(QLatin1String("Stack trace:"));
    if (trace >= 0)
        text.truncate(trace);
    static const QRegularExpression prefix(QStringLiteral("^\\s*\\[[0-9:]+\\]\\s*[^ :]+:[0-9]+:\\s*"));
    text.remove(prefix);
    return text.simplified();
}

// Status of an XGBoost call: `rc` is its return code, `what` says what Kiln was doing.
Status check(int rc, const QString &what)
{
    if (rc == 0)
        return Status::success();
    return Error {QStringLiteral("XGBoost failed %1: %2").arg(what, readableError())};
}

// Predictions of XGBoost's output buffer, whose shape has `dimensions` extents.
Predictions predictionsOf(const float *values, const bst_ulong *shape, bst_ulong dimensions)
{
    Predictions predictions;
    predictions.values = values;
    predictions.size = 1;
    for (bst_ulong d = 0; d < dimensions; ++d)
        predictions.size *= std::size_t(shape[d]);
    return predictions;
}

} // namespace

void DMatrixFree::operator()(void *handle) const
{
    XGDMatrixFree(handle);
}

void BoosterFree::operator()(void *handle) const
{
    XGBoosterFree(handle);
}

QString version()
{
    int major = 0;
    int minor = 0;
    int patch = 0;
    XGBoostVersion(&major, &minor, &patch);
    return QStringLiteral("%1.%2.%3").arg(major).arg(minor).arg(patch);
}

Status checkShape(const TrainingData &data)
{
    if (data.rows <= 0 || data.columns <= 0)
        return Error {QStringLiteral("there is no data: %1 rows, %2 features").arg(data.rows).arg(data.columns)};
    if (data.features.size() != std::size_t(data.rows) * std::size_t(data.columns))
        return Error {QStringLiteral("the feature matrix holds %1 values, expected %2 rows × %3 columns")
                          .arg(data.features.size())
                          .arg(data.rows)
                          .arg(data.columns)};
    return Status::success();
}

Expected<DMatrix> makeMatrix(const TrainingData &data, int threads, Labels labels)
{
    if (const Status shaped = checkShape(data); !shaped)
        return shaped.error();
    void *handle = nullptr;
    const Status created
        = check(XGDMatrixCreateFromMat_omp(data.features.data(), bst_ulong(data.rows), bst_ulong(data.columns),
                                           std::numeric_limits<float>::quiet_NaN(), &handle, threads),
                QStringLiteral("to build the data matrix"));
    if (!created)
        return created.error();
    DMatrix matrix(handle);
    if (labels == Labels::With) {
        if (data.target.size() != std::size_t(data.rows))
            return Error {QStringLiteral("%1 targets for %2 rows").arg(data.target.size()).arg(data.rows)};
        const Status labelled = check(XGDMatrixSetFloatInfo(handle, "label", data.target.data(), bst_ulong(data.rows)),
                                      QStringLiteral("to set labels"));
        if (!labelled)
            return labelled.error();
    }
    return matrix;
}

Expected<Booster> makeBooster(const std::vector<void *> &matrices)
{
    BoosterHandle handle = nullptr;
    const Status created = check(XGBoosterCreate(matrices.data(), bst_ulong(matrices.size()), &handle),
                                 QStringLiteral("to create a booster"));
    if (!created)
        return created.error();
    return Booster(handle);
}

Status setParam(void *booster, const std::string &name, const std::string &value)
{
    return check(XGBoosterSetParam(booster, name.c_str(), value.c_str()),
                 QStringLiteral("to set %1 = %2").arg(QString::fromStdString(name), QString::fromStdString(value)));
}

Expected<Predictions> predict(void *booster, void *matrix)
{
    const bst_ulong *shape = nullptr;
    bst_ulong dimensions = 0;
    const float *values = nullptr;
    const char *config = R"({"type":0,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false})";
    const Status predicted = check(XGBoosterPredictFromDMatrix(booster, matrix, config, &shape, &dimensions, &values),
                                   QStringLiteral("to predict"));
    if (!predicted)
        return predicted.error();
    return predictionsOf(values, shape, dimensions);
}

Expected<Predictions> predictInPlace(void *booster, const float *values, qint64 rows, int columns)
{
    // NumPy's __array_interface__ (version 3) of the values: address, read-only, shape, float32.
    const std::string array = R"({"data":[)" + std::to_string(reinterpret_cast<std::uintptr_t>(values))
        + R"(,true],"shape":[)" + std::to_string(rows) + ',' + std::to_string(columns)
        + R"(],"typestr":"<f4","version":3})";
    const char *config = R"({"type":0,"training":false,"iteration_begin":0,"iteration_end":0,)"
                         R"("strict_shape":false,"missing":NaN,"cache_id":0})";
    const bst_ulong *shape = nullptr;
    bst_ulong dimensions = 0;
    const float *out = nullptr;
    const Status predicted
        = check(XGBoosterPredictFromDense(booster, array.c_str(), config, nullptr, &shape, &dimensions, &out),
                QStringLiteral("to predict"));
    if (!predicted)
        return predicted.error();
    return predictionsOf(out, shape, dimensions);
}

Expected<QByteArray> saveModel(void *booster)
{
    bst_ulong length = 0;
    const char *bytes = nullptr;
    const Status saved = check(XGBoosterSaveModelToBuffer(booster, R"({"format":"ubj"})", &length, &bytes),
                               QStringLiteral("to save the model"));
    if (!saved)
        return saved.error();
    // XGBoost owns the buffer until its next call on this thread: copy it now.
    return QByteArray(bytes, qsizetype(length));
}

Expected<Booster> loadModel(const QByteArray &bytes)
{
    if (const Status wellFormed = checkUbjModel(bytes); !wellFormed)
        return wellFormed.error();
    auto booster = makeBooster({});
    if (!booster)
        return booster;
    const Status loaded
        = check(XGBoosterLoadModelFromBuffer(booster->get(), bytes.constData(), bst_ulong(bytes.size())),
                QStringLiteral("to load the model"));
    if (!loaded)
        return loaded.error();
    return booster;
}

Expected<Booster> slice(void *booster, int rounds)
{
    BoosterHandle sliced = nullptr;
    const Status ok = check(XGBoosterSlice(booster, 0, rounds, 1, &sliced),
                            QStringLiteral("to keep the first %1 rounds").arg(rounds));
    if (!ok)
        return ok.error();
    return Booster(sliced);
}

Expected<qint64> featureCount(void *booster)
{
    bst_ulong count = 0;
    const Status ok
        = check(XGBoosterGetNumFeature(booster, &count), QStringLiteral("to read the model's feature count"));
    if (!ok)
        return ok.error();
    return qint64(count);
}

Expected<QString> boosterName(void *booster)
{
    bst_ulong length = 0;
    const char *text = nullptr;
    const Status saved
        = check(XGBoosterSaveJsonConfig(booster, &length, &text), QStringLiteral("to read the model's configuration"));
    if (!saved)
        return saved.error();
    const QJsonObject learner = QJsonDocument::fromJson(QByteArray(text, qsizetype(length)))
                                    .object()
                                    .value(QLatin1String("learner"))
                                    .toObject();
    const QString name
        = learner.value(QLatin1String("gradient_booster")).toObject().value(QLatin1String("name")).toString();
    if (name.isEmpty())
        return Error {QStringLiteral("the model's configuration does not name its booster")};
    return name;
}

Expected<FeatureScores> featureScores(void *booster, const char *importanceType)
{
    bst_ulong count = 0;
    const char **names = nullptr;
    bst_ulong dimensions = 0;
    const bst_ulong *shape = nullptr;
    const float *scores = nullptr;
    const std::string config = std::string(R"({"importance_type":")") + importanceType + "\"}";
    const Status scored
        = check(XGBoosterFeatureScore(booster, config.c_str(), &count, &names, &dimensions, &shape, &scores),
                QStringLiteral("to compute feature importance"));
    if (!scored)
        return scored.error();
    FeatureScores result;
    result.perFeature = dimensions == 2 ? std::size_t(shape[1]) : 1;
    for (bst_ulong i = 0; i < count; ++i)
        result.names.push_back(QString::fromUtf8(names[i]));
    result.scores.assign(scores, scores + count * result.perFeature);
    return result;
}

Status updateOneIter(void *booster, int round, void *train)
{
    return check(XGBoosterUpdateOneIter(booster, round, train), QStringLiteral("in round %1").arg(round + 1));
}

Expected<std::vector<EvalResult>> evalOneIter(void *booster, int round, std::vector<void *> &matrices,
                                              std::vector<const char *> &names)
{
    const char *line = nullptr;
    const Status ok
        = check(XGBoosterEvalOneIter(booster, round, matrices.data(), names.data(), bst_ulong(matrices.size()), &line),
                QStringLiteral("to evaluate round %1").arg(round + 1));
    if (!ok)
        return ok.error();
    return parseEval(line);
}

std::vector<EvalResult> parseEval(const char *line)
{
    std::vector<EvalResult> results;
    const QStringList items = QString::fromUtf8(line).split(QLatin1Char('\t'), Qt::SkipEmptyParts);
    for (const QString &item : items) {
        // "validation-logloss:0.31": the set name has no '-', the metric name ("error@0.7")
        // has no ':'.
        const qsizetype dash = item.indexOf(QLatin1Char('-'));
        const qsizetype colon = item.lastIndexOf(QLatin1Char(':'));
        if (dash <= 0 || colon <= dash + 1)
            continue;
        bool ok = false;
        const double value = item.mid(colon + 1).trimmed().toDouble(&ok);
        if (!ok)
            continue;
        results.push_back({item.left(dash) + QLatin1Char('/') + item.mid(dash + 1, colon - dash - 1), value});
    }
    return results;
}

LogRedirect::LogRedirect(TrainingLogger *logger)
    : m_previous(t_logger)
{
    t_logger = logger;
    // The registry is per thread in XGBoost, so it is (cheaply) registered on every use.
    XGBRegisterLogCallback(&forwardLog);
}

LogRedirect::~LogRedirect()
{
    t_logger = m_previous;
}

} // namespace kiln::Internal::xgb
