#pragma once

#include "registry/predictor.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace kiln {

struct ServedModel;

/// The Open Inference Protocol (KServe v2) as kiln-serve speaks it.
namespace oip {

/// Rows from a v2 infer request: {"id"?, "parameters"?, "inputs": [{"name": "age",
/// "shape": [N] or [N, 1], "datatype": "FP64"|"FP32"|"INT64"|"INT32"|"INT16"|"INT8"|"UINT64"|
/// "UINT32"|"UINT16"|"UINT8"|"BOOL"|"BYTES", "data": [...] (flat or nested; null is a missing
/// value)}]}, one input tensor per column, all with the same N. Values become fields as a
/// dataset stores them (integers without ".0", booleans true/false); a value that does not fit
/// its datatype (a string for FP64, 2.5 or 300 for INT8, 1 for BOOL) is an error. Errors:
/// "input 'age': shape [3] but 2 values", "input 'age': datatype FP64 but 'abc'", "inputs
/// 'age' and 'city' have different row counts", not JSON, no inputs.
Expected<PredictionInput> requestToInput(const QByteArray &json, QString *requestId = nullptr);

/// {"model_name", "model_version", "id" (when the request had one), "outputs": [{"name":
/// "predict", "datatype": "BYTES" (class labels) or "FP64", "shape": [N], "data": [...]},
/// and for classification {"name": "probabilities", "datatype": "FP64", "shape": [N, K],
/// "data": [...], "parameters": {"classes": [...]}}]}.
QJsonObject response(const ServedModel &model, const Predictions &predictions, const QString &requestId);

/// GET /v2/models/{name}: {"name", "versions": ["3"], "platform": "kiln-<trainer>",
/// "inputs": [{"name", "datatype", "shape": [-1]}], "outputs": [...]}.
QJsonObject metadata(const ServedModel &model);

} // namespace oip
} // namespace kiln
