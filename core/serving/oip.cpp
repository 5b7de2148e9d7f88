// The Open Inference Protocol v2 (KServe): infer requests to prediction rows, predictions to
// infer responses, and model metadata.
#include "serving/oip.h"

#include "serving/servedmodel.h"
#include "util/jsonutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLocale>
#include <QVariant>

#include <cmath>
#include <limits>
#include <optional>

namespace kiln::oip {

namespace {

QString quoted(const QString &text)
{
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

enum class Kind { Float, Integer, Unsigned, Bool, Bytes };

struct Datatype
{
    Kind kind = Kind::Float;
    double min = 0; ///< integer types: the range
    double max = 0;
};

std::optional<Datatype> datatypeNamed(const QString &name)
{
    const auto integer = [](Kind kind, int bits) {
        if (kind == Kind::Unsigned)
            return Datatype {kind, 0, std::ldexp(1.0, bits) - 1};
        return Datatype {kind, -std::ldexp(1.0, bits - 1), std::ldexp(1.0, bits - 1) - 1};
    };
    if (name == QLatin1String("FP64") || name == QLatin1String("FP32"))
        return Datatype {Kind::Float};
    if (name == QLatin1String("BOOL"))
        return Datatype {Kind::Bool};
    if (name == QLatin1String("BYTES"))
        return Datatype {Kind::Bytes};
    for (int bits : {8, 16, 32, 64}) {
        if (name == QLatin1String("INT") + QString::number(bits))
            return integer(Kind::Integer, bits);
        if (name == QLatin1String("UINT") + QString::number(bits))
            return integer(Kind::Unsigned, bits);
    }
    return std::nullopt;
}

QString shown(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return quoted(value.toString());
    case QJsonValue::Double:
    case QJsonValue::Bool:
        return QString::fromUtf8(QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
    default:
        break;
    }
    return jsonTypeName(value.type());
}

// One value of a tensor as a dataset stores it (numbers as written, integers without ".0",
// booleans true/false, null as missing); nothing when it does not fit `type`.
std::optional<std::string> fieldText(const QJsonValue &value, const Datatype &type)
{
    if (value.isNull())
        return std::string();
    switch (type.kind) {
    case Kind::Float:
        if (value.isDouble()) {
            const QVariant number = value.toVariant();
            if (number.typeId() == QMetaType::LongLong)
                return std::to_string(number.toLongLong());
            return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest).toStdString();
        }
        break;
    case Kind::Integer:
    case Kind::Unsigned:
        if (value.isDouble()) {
            const QVariant number = value.toVariant();
            if (number.typeId() == QMetaType::LongLong) {
                const qint64 n = number.toLongLong();
                if (double(n) >= type.min && double(n) <= type.max)
                    return std::to_string(n);
                break;
            }
            const double x = value.toDouble();
            if (std::trunc(x) == x && x >= type.min && x <= type.max)
                return QString::number(x, 'f', 0).toStdString();
        }
        break;
    case Kind::Bool:
        if (value.isBool())
            return std::string(value.toBool() ? "true" : "false");
        break;
    case Kind::Bytes:
        if (value.isString())
            return value.toString().toStdString();
        break;
    }
    return std::nullopt;
}

void flatten(const QJsonArray &array, QJsonArray &out)
{
    for (const auto &value : array) {
        if (value.isArray())
            flatten(value.toArray(), out);
        else
            out.append(value);
    }
}

QString shapeText(const QJsonArray &shape)
{
    return QString::fromUtf8(QJsonDocument(shape).toJson(QJsonDocument::Compact))
        .replace(QLatin1Char(','), QLatin1String(", "));
}

struct Tensor
{
    QString name;
    std::vector<std::string> fields;
};

Expected<Tensor> readInput(const QJsonValue &entry, qsizetype index)
{
    if (!entry.isObject())
        return Error {QStringLiteral("inputs[%1] is %2, expected an object with name, shape, datatype and data")
                          .arg(index)
                          .arg(jsonTypeName(entry.type()))};
    const QJsonObject object = entry.toObject();
    const QJsonValue name = object.value(QLatin1String("name"));
    if (!name.isString() || name.toString().isEmpty())
        return Error {QStringLiteral("inputs[%1] has no name").arg(index)};
    Tensor tensor;
    tensor.name = name.toString();
    const QString where = QStringLiteral("input %1").arg(quoted(tensor.name));

    const QJsonValue datatypeValue = object.value(QLatin1String("datatype"));
    const std::optional<Datatype> datatype = datatypeNamed(datatypeValue.toString());
    if (!datatypeValue.isString() || !datatype)
        return Error {QStringLiteral("%1: datatype %2 is not one of FP64, FP32, INT64, INT32, INT16, INT8, UINT64, "
                                     "UINT32, UINT16, UINT8, BOOL, BYTES")
                          .arg(where, shown(datatypeValue))};

    const QJsonValue shapeValue = object.value(QLatin1String("shape"));
    const QJsonArray shape = shapeValue.toArray();
    bool shapeOk = shapeValue.isArray() && (shape.size() == 1 || (shape.size() == 2 && shape.at(1).toInteger(-1) == 1));
    const qint64 rows = shape.isEmpty() ? -1 : shape.at(0).toInteger(-1);
    shapeOk = shapeOk && rows >= 0 && shape.at(0).isDouble();
    if (!shapeOk)
        return Error {QStringLiteral("%1: shape %2 is not [N] or [N, 1] (one tensor per column)")
                          .arg(where, shapeValue.isArray() ? shapeText(shape) : jsonTypeName(shapeValue.type()))};

    const QJsonValue data = object.value(QLatin1String("data"));
    if (!data.isArray())
        return Error {QStringLiteral("%1: data is %2, expected an array").arg(where, jsonTypeName(data.type()))};
    QJsonArray flat;
    flatten(data.toArray(), flat);
    if (flat.size() != rows)
        return Error {QStringLiteral("%1: shape %2 but %3 %4")
                          .arg(where, shapeText(shape))
                          .arg(flat.size())
                          .arg(flat.size() == 1 ? QStringLiteral("value") : QStringLiteral("values"))};
    tensor.fields.reserve(std::size_t(rows));
    for (const auto &value : std::as_const(flat)) {
        std::optional<std::string> text = fieldText(value, *datatype);
        if (!text)
            return Error {QStringLiteral("%1: datatype %2 but %3").arg(where, datatypeValue.toString(), shown(value))};
        tensor.fields.push_back(std::move(*text));
    }
    return tensor;
}

QString datatypeOf(ColumnType type)
{
    switch (type) {
    case ColumnType::Boolean:
        return QStringLiteral("BOOL");
    case ColumnType::Integer:
        return QStringLiteral("INT64");
    case ColumnType::Float:
        return QStringLiteral("FP64");
    case ColumnType::DateTime:
    case ColumnType::Categorical:
    case ColumnType::Text:
        break;
    }
    return QStringLiteral("BYTES");
}

QJsonObject tensorMetadata(const QString &name, const QString &datatype, const QJsonArray &shape)
{
    return {{QStringLiteral("name"), name}, {QStringLiteral("datatype"), datatype}, {QStringLiteral("shape"), shape}};
}

} // namespace

Expected<PredictionInput> requestToInput(const QByteArray &json, QString *requestId)
{
    QJsonParseError parseError {};
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error {QStringLiteral("the request is not JSON: %1 at offset %2")
                          .arg(parseError.errorString())
                          .arg(parseError.offset)};
    if (!document.isObject())
        return Error {QStringLiteral("the request is %1, expected an object with \"inputs\"")
                          .arg(document.isArray() ? QStringLiteral("an array") : QStringLiteral("not an object"))};
    const QJsonObject request = document.object();
    if (requestId) {
        const QJsonValue id = request.value(QLatin1String("id"));
        *requestId = id.isString() ? id.toString() : QString();
    }
    const QJsonValue inputsValue = request.value(QLatin1String("inputs"));
    if (!inputsValue.isArray())
        return Error {QStringLiteral("the request has no \"inputs\" array (%1)").arg(jsonTypeName(inputsValue.type()))};
    const QJsonArray inputs = inputsValue.toArray();
    if (inputs.isEmpty())
        return Error {QStringLiteral("the request has no inputs")};

    PredictionInput input;
    std::vector<Tensor> tensors;
    tensors.reserve(std::size_t(inputs.size()));
    for (qsizetype i = 0; i < inputs.size(); ++i) {
        Expected<Tensor> tensor = readInput(inputs.at(i), i);
        if (!tensor)
            return tensor.error();
        if (input.columns.contains(tensor->name))
            return Error {QStringLiteral("input %1 is given twice").arg(quoted(tensor->name))};
        if (!tensors.empty() && tensor->fields.size() != tensors.front().fields.size())
            return Error {QStringLiteral("inputs %1 and %2 have different row counts (%3 and %4)")
                              .arg(quoted(tensors.front().name), quoted(tensor->name))
                              .arg(tensors.front().fields.size())
                              .arg(tensor->fields.size())};
        input.columns.append(tensor->name);
        tensors.push_back(std::move(*tensor));
    }
    const std::size_t rows = tensors.front().fields.size();
    input.rows.assign(rows, std::vector<std::string>(tensors.size()));
    for (std::size_t c = 0; c < tensors.size(); ++c) {
        for (std::size_t r = 0; r < rows; ++r)
            input.rows[r][c] = std::move(tensors[c].fields[r]);
    }
    return input;
}

QJsonObject response(const ServedModel &model, const Predictions &predictions, const QString &requestId)
{
    const qint64 n = predictions.rows;
    QJsonArray outputs;
    QJsonArray predicted;
    if (predictions.task == TaskKind::Regression) {
        for (qint64 row = 0; row < n; ++row)
            predicted.append(predictions.values[std::size_t(row)]);
    } else {
        for (qint64 row = 0; row < n; ++row)
            predicted.append(predictions.label(row));
    }
    outputs.append(QJsonObject {
        {QStringLiteral("name"), QStringLiteral("predict")},
        {QStringLiteral("datatype"),
         predictions.task == TaskKind::Regression ? QStringLiteral("FP64") : QStringLiteral("BYTES")},
        {QStringLiteral("shape"), QJsonArray {n}},
        {QStringLiteral("data"), predicted},
    });
    if (predictions.task != TaskKind::Regression) {
        QJsonArray probabilities;
        for (double p : predictions.values)
            probabilities.append(p);
        outputs.append(QJsonObject {
            {QStringLiteral("name"), QStringLiteral("probabilities")},
            {QStringLiteral("datatype"), QStringLiteral("FP64")},
            {QStringLiteral("shape"), QJsonArray {n, qint64(predictions.classes.size())}},
            {QStringLiteral("data"), probabilities},
            {QStringLiteral("parameters"),
             QJsonObject {{QStringLiteral("classes"), QJsonArray::fromStringList(predictions.classes)}}},
        });
    }
    QJsonObject reply {
        {QStringLiteral("model_name"), model.name},
        {QStringLiteral("model_version"), QString::number(model.version)},
        {QStringLiteral("outputs"), outputs},
    };
    if (!requestId.isEmpty())
        reply.insert(QStringLiteral("id"), requestId);
    return reply;
}

QJsonObject metadata(const ServedModel &model)
{
    QJsonArray inputs;
    QJsonArray outputs;
    if (model.model) {
        const ModelSignature &signature = model.model->signature();
        for (const SignatureColumn &column : signature.inputs)
            inputs.append(tensorMetadata(column.name, datatypeOf(column.type), QJsonArray {-1}));
        if (signature.task == TaskKind::Regression) {
            outputs.append(tensorMetadata(QStringLiteral("predict"), QStringLiteral("FP64"), QJsonArray {-1}));
        } else {
            outputs.append(tensorMetadata(QStringLiteral("predict"), QStringLiteral("BYTES"), QJsonArray {-1}));
            outputs.append(tensorMetadata(QStringLiteral("probabilities"), QStringLiteral("FP64"),
                                          QJsonArray {-1, qint64(signature.classes.size())}));
        }
    }
    return {
        {QStringLiteral("name"), model.name},
        {QStringLiteral("versions"), QJsonArray {QString::number(model.version)}},
        {QStringLiteral("platform"), QString(QStringLiteral("kiln-") + model.trainer)},
        {QStringLiteral("inputs"), inputs},
        {QStringLiteral("outputs"), outputs},
    };
}

} // namespace kiln::oip
