#pragma once

#include "registry/registrytypes.h"
#include "tasks/feedback.h"
#include "training/trainer.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <string>
#include <vector>

namespace kiln {

class DatasetTable;
class Workspace;

/// Rows to predict on: column names and, per row, each field as UTF-8 text in the form a
/// dataset stores it (numbers as written, booleans "true"/"false", date-times ISO 8601;
/// an empty string or null is a missing value).
struct PredictionInput
{
    QStringList columns;
    std::vector<std::vector<std::string>> rows;
};

/// Reads prediction rows from JSON, in every shape MLflow's scoring server accepts:
/// a bare array of records `[{"age": 3, "city": "Lyon"}, ...]`, `{"dataframe_records": [...]}`,
/// `{"dataframe_split": {"columns": [...], "data": [[...], ...]}}`, `{"instances": [...]}` and
/// `{"inputs": ...}` (records, or a dict of columns `{"age": [3, 4]}`), and a bare
/// `{"columns": [...], "data": [...]}`. Errors say what is wrong and where ("row 3: 'age' is an
/// object, expected a value"; "exactly one of dataframe_split, dataframe_records, instances,
/// inputs is allowed").
Expected<PredictionInput> predictionInputFromJson(const QByteArray &json);
/// Reads prediction rows from CSV text with a header line (RFC 4180 quoting; comma, or the
/// delimiter detected as the data importer detects it).
Expected<PredictionInput> predictionInputFromCsv(const QByteArray &csv);

/// What a model gave for some rows.
struct Predictions
{
    TaskKind task = TaskKind::Regression;
    QStringList classes; ///< classification: labels in probability order
    qint64 rows = 0;
    /// classification: rows × classes probabilities, row-major; regression: one value per row
    std::vector<double> values;

    /// The predicted class (highest probability, first on ties) or the value as text.
    QString label(qint64 row) const;
    /// CSV with a header: "label,p_<class>..." (probabilities with 6 significant digits, as the
    /// training run's predictions.csv writes them), or "prediction" (9 significant digits).
    QByteArray toCsv() const;
    /// {"predictions": [...]}: per row {"label": ..., "probabilities": {class: p}} for
    /// classification, a number for regression.
    QJsonObject toJson() const;
    /// Exactly the bytes `QJsonDocument(toJson()).toJson(QJsonDocument::Compact)` gives (keys in
    /// QJsonObject's order, numbers as Qt writes them: integers below 2^53 as integers, other
    /// finite values in the fewest digits, NaN and infinities as null; strings escaped as Qt
    /// escapes them), written directly: a served request's response without the QJson objects.
    QByteArray toJsonBytes() const;
};

/// What predict() does with input columns the model does not take.
enum class ExtraColumns {
    Ignore, ///< dataset versions and files that carry more than the model needs (the target, ids)
    Reject ///< requests: an unknown column is an error naming it
};

/// A model version ready to predict: the model loaded once by the trainer that reads its format
/// (a ModelPredictor), and the encoding that turns input rows into the matrix the model was
/// trained on, exactly as in training. Immutable; predict() may run on several threads at once.
class LoadedModel final
{
public:
    /// Loads a registered version ("name", "name@3", "name@champion") from a workspace.
    static Expected<std::shared_ptr<const LoadedModel>> load(Workspace &workspace, const QString &ref);
    /// Loads a version whose parts are at hand (a verified bundle; kiln-serve): the trainer
    /// reads the model once (Trainer::loadPredictor). Fails when no trainer plugin named
    /// `trainerId` exists, it cannot read the model, or the model does not fit the encoding.
    static Expected<std::shared_ptr<const LoadedModel>> create(const QString &trainerId, const TrainedModel &model,
                                                               const FeatureEncoding &encoding,
                                                               const ModelSignature &signature);

    const ModelSignature &signature() const { return m_signature; }
    const FeatureEncoding &encoding() const { return m_encoding; }
    const Trainer &trainer() const { return *m_trainer; }

    /// Checks `input` against the signature before predicting: a missing input column, an
    /// unknown one (with ExtraColumns::Reject; the target column is always allowed), a value
    /// of the wrong type ("column 'age', row 3: 'abc' is not a number") or a category outside
    /// those allowed each fail with a message naming the column.
    Status check(const PredictionInput &input, ExtraColumns extra) const;
    /// check(), then the predictions.
    Expected<Predictions> predict(const PredictionInput &input, ExtraColumns extra = ExtraColumns::Reject) const;
    /// Predictions for every row of a dataset version (its extra columns are ignored; its
    /// columns must match the signature as above). `feedback` may cancel.
    Expected<Predictions> predict(const DatasetTable &table, Feedback *feedback = nullptr) const;

private:
    /// What predict() needs from the signature and the encoding, worked out once at load: a
    /// column-name index, per input its type and category lookup, per encoded column where its
    /// features go. Shared by copies; defined in predictor.cpp.
    struct Plan;

    LoadedModel() = default;

    const Trainer *m_trainer = nullptr;
    std::shared_ptr<const ModelPredictor> m_predictor;
    FeatureEncoding m_encoding;
    ModelSignature m_signature;
    std::shared_ptr<const Plan> m_plan;
};

} // namespace kiln
