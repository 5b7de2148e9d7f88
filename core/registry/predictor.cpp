// LoadedModel: a model version ready to predict, and the checks of its input against the
// signature (Predictions' output forms are in predictions.cpp).
#include "registry/predictor.h"

#include "data/datasettable.h"
#include "plugin/pluginmanager.h"
#include "registry/modelregistry.h"
#include "util/sha256.h"
#include "workspace/workspace.h"

#include <QFile>
#include <QHash>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>

namespace kiln {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

QString quoted(const QString &text)
{
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

// A value as a message shows it: long ones cut short.
QString shownValue(const std::string &field)
{
    constexpr qsizetype kShown = 40;
    const QString text = QString::fromUtf8(field.data(), qsizetype(field.size()));
    return quoted(text.size() > kShown ? text.first(kShown) + QStringLiteral("…") : text);
}

// Names for a message, the first few of many.
QString nameList(const QStringList &names)
{
    constexpr qsizetype kShown = 12;
    QString text = names.first(qMin(names.size(), kShown)).join(QLatin1String(", "));
    if (names.size() > kShown)
        text += QStringLiteral(", … (%1 in all)").arg(names.size());
    return text;
}

// Where each input of a signature is among the fields of a request or a dataset version, found
// the long way: every problem with the columns named as a user reads it (a duplicate, the
// missing inputs, an unknown column). LoadedModel takes this path only when its name index
// does not bind every column at once. Indices are into `columns`, in the order of
// `signature.inputs`.
Expected<std::vector<int>> bindColumns(const ModelSignature &signature, const QStringList &columns, ExtraColumns extra)
{
    // The columns sorted by name, with their positions: duplicates are neighbours, and each
    // input is found by binary search.
    std::vector<std::pair<QStringView, int>> byName;
    byName.reserve(std::size_t(columns.size()));
    for (qsizetype i = 0; i < columns.size(); ++i)
        byName.emplace_back(columns.at(i), int(i));
    const auto nameLess
        = [](const std::pair<QStringView, int> &a, const std::pair<QStringView, int> &b) { return a.first < b.first; };
    std::sort(byName.begin(), byName.end(), nameLess);
    const auto twice = std::adjacent_find(byName.begin(), byName.end(),
                                          [](const auto &a, const auto &b) { return a.first == b.first; });
    if (twice != byName.end())
        return Error {QStringLiteral("column %1 is given twice").arg(quoted(twice->first.toString()))};
    const auto fieldOf = [&](const QString &name) {
        const auto at = std::lower_bound(byName.begin(), byName.end(), std::pair<QStringView, int> {name, 0}, nameLess);
        return at != byName.end() && at->first == name ? at->second : -1;
    };

    QStringList missing;
    std::vector<int> fields;
    fields.reserve(std::size_t(signature.inputs.size()));
    for (const SignatureColumn &input : signature.inputs) {
        const int field = fieldOf(input.name);
        if (field < 0)
            missing.append(quoted(input.name));
        fields.push_back(field);
    }
    if (!missing.isEmpty())
        return Error {QStringLiteral("missing %1 %2")
                          .arg(missing.size() == 1 ? QStringLiteral("column") : QStringLiteral("columns"),
                               missing.join(QLatin1String(", ")))};
    // Every input was found once: the columns are the inputs and perhaps the target, or an
    // unknown one is among them (looked for only then).
    const std::size_t known = fields.size() + (fieldOf(signature.target) >= 0 ? 1 : 0);
    if (extra == ExtraColumns::Reject && known != byName.size()) {
        for (const QString &column : columns) {
            if (column != signature.target && !signature.input(column)) {
                QStringList taken;
                for (const SignatureColumn &input : signature.inputs)
                    taken.append(input.name);
                return Error {
                    QStringLiteral("unknown column %1 (the model takes: %2)").arg(quoted(column), nameList(taken))};
            }
        }
    }
    return fields;
}

// A present value of an encoded number column, as training encodes it: infinite values and
// values too large for a float are missing (XGBoost refuses them).
float finiteFeature(double value)
{
    const auto single = float(value);
    return std::isfinite(single) ? single : kNaN;
}

Expected<Predictions> predictMatrix(const ModelPredictor &predictor, const FeatureEncoding &encoding,
                                    const TrainingData &data)
{
    Predictions predictions;
    predictions.task = encoding.task;
    predictions.classes = encoding.classes;
    predictions.rows = data.rows;
    if (data.rows == 0)
        return predictions;
    Expected<std::vector<double>> values = predictor.predict(data);
    if (!values)
        return values.error();
    const std::size_t width = encoding.task == TaskKind::Regression ? 1 : std::size_t(encoding.classes.size());
    if (values->size() != std::size_t(data.rows) * width)
        return Error {QStringLiteral("the model gave %1 values for %2 rows, expected %3 per row")
                          .arg(values->size())
                          .arg(data.rows)
                          .arg(width)};
    predictions.values = std::move(*values);
    return predictions;
}

} // namespace

// ---- LoadedModel ---------------------------------------------------------------------------

// A request costs one pass over its values: each is parsed once by its input's type, checked,
// and written to the matrix as training encoded it (RowEncoder), with every lookup built here.
struct LoadedModel::Plan
{
    /// A category of a Categorical or Text input: allowed by the signature, and its one-hot
    /// level in the input's first encoded column.
    struct Category
    {
        bool allowed = false;
        int level = -1; ///< -1: none of the levels (all the column's features are 0)
    };

    /// How one signature input is checked.
    struct Input
    {
        ColumnType type = ColumnType::Float;
        bool closed = false; ///< only the signature's categories are allowed
        std::unordered_map<std::string, Category> categories;
        QString known; ///< the categories as an error message lists them
    };

    /// An input value parsed once by its type.
    struct Value
    {
        bool missing = true;
        double number = 0; ///< Integer and Float; Boolean as 0 or 1
        std::int64_t ms = 0; ///< DateTime
        int level = -1; ///< Categorical and Text: see Category
    };

    /// One encoded column: where its features come from and go.
    struct Feature
    {
        int input = -1; ///< the signature input it reads
        ColumnType type = ColumnType::Float; ///< the encoding's type
        int offset = 0; ///< its first feature in a matrix row
        int width = 1;
        /// The input's parsed value is this column's (the same type, and the input's levels
        /// are this column's); otherwise the field is encoded again on its own.
        bool reuse = true;
        std::unordered_map<std::string, int> levels; ///< when !reuse
    };

    /// A name's input index, or kTarget.
    static constexpr int kTarget = -2;

    QHash<QString, int> inputOf;
    QStringList inputNames; ///< in signature order: a request naming its columns so is bound as is
    std::vector<int> inOrder; ///< 0, 1, 2, ...: the fields of such a request
    std::vector<Input> inputs;
    std::vector<Feature> features;
    TrainingData shape; ///< task, feature names, classes and width of every matrix

    static std::shared_ptr<const Plan> make(const ModelSignature &signature, const FeatureEncoding &encoding)
    {
        auto plan = std::make_shared<Plan>();
        plan->shape.task = encoding.task;
        plan->shape.featureNames = encoding.featureNames();
        plan->shape.classes = encoding.classes;
        plan->shape.columns = encoding.featureCount();
        plan->inputOf.insert(signature.target, kTarget);
        for (qsizetype i = signature.inputs.size() - 1; i >= 0; --i) // the first of a name wins
            plan->inputOf.insert(signature.inputs.at(i).name, int(i));
        for (const SignatureColumn &column : signature.inputs) {
            plan->inputNames.append(column.name);
            plan->inOrder.push_back(int(plan->inOrder.size()));
            Input input;
            input.type = column.type;
            if (column.type == ColumnType::Categorical || column.type == ColumnType::Text) {
                input.closed = !column.otherCategories && !column.categories.isEmpty();
                for (const QString &category : column.categories)
                    input.categories[category.toStdString()].allowed = true;
                QStringList known = column.categories;
                known.sort();
                input.known = nameList(known);
            }
            plan->inputs.push_back(std::move(input));
        }
        std::vector<bool> leveled(plan->inputs.size(), false);
        int offset = 0;
        for (const EncodedColumn &column : encoding.columns) {
            Feature feature;
            // LoadedModel::create() made sure the signature has every encoded column.
            feature.input = int(std::find_if(signature.inputs.begin(), signature.inputs.end(),
                                             [&](const SignatureColumn &c) { return c.name == column.name; })
                                - signature.inputs.begin());
            feature.type = column.type;
            feature.offset = offset;
            feature.width = column.width();
            offset += feature.width;
            const auto input = std::size_t(feature.input);
            feature.reuse = column.type == plan->inputs[input].type && !(column.isOneHot() && leveled[input]);
            if (column.isOneHot()) {
                for (int level = 0; level < column.levels.size(); ++level) {
                    const std::string key = column.levels.at(level).toStdString();
                    if (!feature.reuse)
                        feature.levels.emplace(key, level);
                    else if (Category &category = plan->inputs[input].categories[key]; category.level < 0)
                        category.level = level; // the first of a repeated level, as RowEncoder keeps it
                }
                leveled[input] = leveled[input] || feature.reuse;
            }
            plan->features.push_back(std::move(feature));
        }
        return plan;
    }

    /// An empty matrix of `rows` rows whose target is unknown.
    TrainingData matrix(qint64 rows) const
    {
        TrainingData data = shape;
        data.rows = rows;
        data.features.resize(std::size_t(rows) * std::size_t(data.columns));
        data.target.assign(std::size_t(rows), kNaN);
        return data;
    }

    /// The field of each input among `columns`: at once when every column is an input or the
    /// target, each once (at a glance when they are the inputs in order); else the long way,
    /// which names any problem.
    Expected<std::vector<int>> bind(const ModelSignature &signature, const QStringList &columns,
                                    ExtraColumns extra) const
    {
        if (columns == inputNames && inputOf.size() == inputNames.size() + 1) // distinct names, not the target's
            return inOrder;
        std::vector<int> fields(inputs.size(), -1);
        bool target = false;
        std::size_t bound = 0;
        for (qsizetype c = 0; c < columns.size(); ++c) {
            const int input = inputOf.value(columns.at(c), -1);
            if (input == kTarget && !target) {
                target = true;
            } else if (input >= 0 && fields[std::size_t(input)] < 0) {
                fields[std::size_t(input)] = int(c);
                ++bound;
            } else {
                return bindColumns(signature, columns, extra); // unknown, or given twice
            }
        }
        if (bound != fields.size())
            return bindColumns(signature, columns, extra);
        return fields;
    }

    /// Checks row `row` (1-based) of `fields` bound by `fieldOf` and, when `out` is set, writes
    /// its features there. `values` is scratch space of one Value per input.
    Status encodeRow(const ModelSignature &signature, qint64 row, const std::vector<std::string> &fields,
                     const std::vector<int> &fieldOf, std::size_t fieldCount, std::vector<Value> &values,
                     float *out) const
    {
        if (fields.size() != fieldCount)
            return Error {QStringLiteral("row %1 has %2 values, expected %3 (one per column)")
                              .arg(row)
                              .arg(fields.size())
                              .arg(fieldCount)};
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const std::string &field = fields[std::size_t(fieldOf[i])];
            const QString problem = parse(inputs[i], field, values[i]);
            if (!problem.isEmpty())
                return Error {QStringLiteral("column %1, row %2: %3 %4")
                                  .arg(quoted(signature.inputs.at(qsizetype(i)).name))
                                  .arg(row)
                                  .arg(shownValue(field), problem)};
        }
        if (out) {
            for (const Feature &feature : features)
                encode(feature, values[std::size_t(feature.input)],
                       fields[std::size_t(fieldOf[std::size_t(feature.input)])], out + feature.offset);
        }
        return Status::success();
    }

private:
    // Parses a field into `value`; what is wrong with it, as the end of a sentence, or nothing
    // (a missing value is never wrong).
    static QString parse(const Input &input, const std::string &field, Value &value)
    {
        if (input.type == ColumnType::Integer || input.type == ColumnType::Float) {
            // No missing-value marker reads as a number ("NaN" is not one), so a number is
            // looked for first: most fields are one.
            const auto number = values::toFloat(field);
            value.missing = !number && values::isMissing(field);
            value.number = number.value_or(0.0);
            return number || value.missing ? QString() : QStringLiteral("is not a number");
        }
        value.missing = values::isMissing(field);
        if (value.missing)
            return {};
        switch (input.type) {
        case ColumnType::Integer:
        case ColumnType::Float:
            break;
        case ColumnType::Boolean:
            if (const auto flag = values::toBoolean(field)) {
                value.number = *flag ? 1.0 : 0.0;
                return {};
            }
            return QStringLiteral("is not a boolean (true/false, yes/no, t/f, y/n)");
        case ColumnType::DateTime:
            if (const auto ms = values::toDateTimeMs(field)) {
                value.ms = *ms;
                return {};
            }
            return QStringLiteral("is not a date-time (ISO 8601, e.g. 2024-03-01T10:00:00Z)");
        case ColumnType::Categorical:
        case ColumnType::Text: {
            const auto found = input.categories.find(field);
            const bool known = found != input.categories.end();
            if (input.closed && !(known && found->second.allowed))
                return QStringLiteral("is not a category the model knows (%1)").arg(input.known);
            value.level = known ? found->second.level : -1;
            return {};
        }
        }
        return {};
    }

    // Writes `feature`'s encoding of a checked value, as RowEncoder::encodeFeatures does.
    static void encode(const Feature &feature, const Value &value, const std::string &field, float *out)
    {
        if (value.missing) {
            std::fill(out, out + feature.width, kNaN);
            return;
        }
        if (!feature.reuse) {
            encodeAgain(feature, field, out);
            return;
        }
        switch (feature.type) {
        case ColumnType::Integer:
        case ColumnType::Float:
            *out = finiteFeature(value.number);
            return;
        case ColumnType::Boolean:
            *out = float(value.number);
            return;
        case ColumnType::DateTime:
            *out = float(double(value.ms) / 1000.0);
            return;
        case ColumnType::Categorical:
        case ColumnType::Text:
            std::fill(out, out + feature.width, 0.0f);
            if (value.level >= 0)
                out[value.level] = 1.0f;
            return;
        }
    }

    // A column whose encoding differs from its signature input: its field parsed by the
    // encoding's type.
    static void encodeAgain(const Feature &feature, const std::string &field, float *out)
    {
        switch (feature.type) {
        case ColumnType::Integer:
        case ColumnType::Float: {
            const auto number = values::toFloat(field);
            *out = number ? finiteFeature(*number) : kNaN;
            return;
        }
        case ColumnType::Boolean: {
            const auto flag = values::toBoolean(field);
            *out = flag ? (*flag ? 1.0f : 0.0f) : kNaN;
            return;
        }
        case ColumnType::DateTime: {
            const auto ms = values::toDateTimeMs(field);
            *out = ms ? float(double(*ms) / 1000.0) : kNaN;
            return;
        }
        case ColumnType::Categorical:
        case ColumnType::Text: {
            std::fill(out, out + feature.width, 0.0f);
            const auto level = feature.levels.find(field);
            if (level != feature.levels.end())
                out[level->second] = 1.0f;
            return;
        }
        }
    }
};

Expected<std::shared_ptr<const LoadedModel>> LoadedModel::load(Workspace &workspace, const QString &ref)
{
    const Expected<ModelVersion> version = ModelRegistry(workspace).version(ref);
    if (!version)
        return version.error();
    if (Status predictable = version->checkPredictable(); !predictable)
        return predictable.error();
    const QString name = version->ref();
    const QString path = workspace.blobs().pathFor(version->modelSha256);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("%1: its model file is missing from the workspace (%2: %3)")
                          .arg(name, path, file.errorString())};
    TrainedModel model;
    model.format = version->modelFormat;
    model.bytes = file.readAll();
    if (model.bytes.size() != version->modelSize)
        return Error {QStringLiteral("%1: its model file %2 holds %3 bytes, expected %4")
                          .arg(name, path)
                          .arg(model.bytes.size())
                          .arg(version->modelSize)};
    if (Sha256::hexHash(model.bytes) != version->modelSha256.toLatin1())
        return Error {QStringLiteral("%1: its model file %2 is damaged (its SHA-256 does not match)").arg(name, path)};
    auto loaded = create(version->trainer, model, version->encoding, version->signature);
    if (!loaded)
        return Error {QStringLiteral("%1: %2").arg(name, loaded.errorMessage())};
    return loaded;
}

Expected<std::shared_ptr<const LoadedModel>> LoadedModel::create(const QString &trainerId, const TrainedModel &model,
                                                                 const FeatureEncoding &encoding,
                                                                 const ModelSignature &signature)
{
    const Trainer *trainer = PluginManager::instance().trainer(trainerId);
    if (!trainer) {
        QStringList ids;
        for (const Trainer *t : PluginManager::instance().trainers())
            ids << t->id();
        return Error {QStringLiteral("no trainer %1 in this Kiln reads the model (available: %2)")
                          .arg(quoted(trainerId), ids.join(QLatin1String(", ")))};
    }
    for (const EncodedColumn &column : encoding.columns) {
        if (!signature.input(column.name))
            return Error {QStringLiteral("the signature lacks the column %1 the model's encoding reads")
                              .arg(quoted(column.name))};
    }
    Expected<std::shared_ptr<const ModelPredictor>> predictor = trainer->loadPredictor(model);
    if (!predictor)
        return Error {
            QStringLiteral("%1 cannot use this model: %2").arg(trainer->displayName(), predictor.errorMessage())};
    std::shared_ptr<LoadedModel> loaded(new LoadedModel);
    loaded->m_trainer = trainer;
    loaded->m_predictor = std::move(*predictor);
    loaded->m_encoding = encoding;
    loaded->m_signature = signature;
    loaded->m_plan = Plan::make(signature, encoding);
    // One row of missing values, so that a model of another shape (features, classes) fails
    // here and not on the first request.
    TrainingData probe = loaded->m_plan->matrix(1);
    std::fill(probe.features.begin(), probe.features.end(), kNaN);
    const Expected<Predictions> tried = predictMatrix(*loaded->m_predictor, encoding, probe);
    if (!tried)
        return Error {QStringLiteral("%1 cannot use this model: %2").arg(trainer->displayName(), tried.errorMessage())};
    return std::shared_ptr<const LoadedModel>(std::move(loaded));
}

Status LoadedModel::check(const PredictionInput &input, ExtraColumns extra) const
{
    const Expected<std::vector<int>> fields = m_plan->bind(m_signature, input.columns, extra);
    if (!fields)
        return fields.error();
    std::vector<Plan::Value> values(m_plan->inputs.size());
    const auto fieldCount = std::size_t(input.columns.size());
    for (std::size_t r = 0; r < input.rows.size(); ++r) {
        if (Status ok
            = m_plan->encodeRow(m_signature, qint64(r) + 1, input.rows[r], *fields, fieldCount, values, nullptr);
            !ok)
            return ok;
    }
    return Status::success();
}

Expected<Predictions> LoadedModel::predict(const PredictionInput &input, ExtraColumns extra) const
{
    const Expected<std::vector<int>> fields = m_plan->bind(m_signature, input.columns, extra);
    if (!fields)
        return fields.error();
    std::vector<Plan::Value> values(m_plan->inputs.size());
    const auto fieldCount = std::size_t(input.columns.size());
    TrainingData data = m_plan->matrix(qint64(input.rows.size()));
    const auto width = std::size_t(data.columns);
    for (std::size_t r = 0; r < input.rows.size(); ++r) {
        if (Status ok = m_plan->encodeRow(m_signature, qint64(r) + 1, input.rows[r], *fields, fieldCount, values,
                                          data.features.data() + r * width);
            !ok)
            return ok.error();
    }
    return predictMatrix(*m_predictor, m_encoding, data);
}

Expected<Predictions> LoadedModel::predict(const DatasetTable &table, Feedback *feedback) const
{
    const QString name = table.version().ref();
    const Expected<std::vector<int>> fields = m_plan->bind(m_signature, table.columnNames(), ExtraColumns::Ignore);
    if (!fields)
        return Error {QStringLiteral("%1: %2").arg(name, fields.errorMessage())};
    std::vector<Plan::Value> values(m_plan->inputs.size());
    const auto fieldCount = std::size_t(table.columnNames().size());
    const qint64 rows = table.rowCount();
    TrainingData data = m_plan->matrix(rows);
    const auto width = std::size_t(data.columns);
    Status encoded;
    // Values are checked and encoded in one pass; the scan reports progress and stops at the
    // first bad row or when `feedback` is cancelled.
    const bool finished = table.scan(
        [&](qint64 row, const std::vector<std::string> &rowFields) {
            encoded = m_plan->encodeRow(m_signature, row + 1, rowFields, *fields, fieldCount, values,
                                        data.features.data() + std::size_t(row) * width);
            return encoded.ok();
        },
        feedback);
    if (!encoded)
        return Error {QStringLiteral("%1: %2").arg(name, encoded.errorMessage())};
    if (!finished)
        return Error {QStringLiteral("cancelled")};
    if (feedback)
        feedback->setProgress(1.0);
    return predictMatrix(*m_predictor, m_encoding, data);
}

} // namespace kiln
