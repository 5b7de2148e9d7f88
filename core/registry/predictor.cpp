// LoadedModel: a model version ready to predict, the checks of its input against the
// signature, and the predictions it gives.
#include "registry/predictor.h"

#include "data/datasettable.h"
#include "models/csv.h"
#include "plugin/pluginmanager.h"
#include "registry/modelregistry.h"
#include "util/sha256.h"
#include "workspace/workspace.h"

#include <QFile>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

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

// The input columns of a request or a dataset version checked against a model's signature
// once, then their values row by row. Immutable once created.
class InputCheck final
{
public:
    static Expected<InputCheck> create(const ModelSignature &signature, const QStringList &columns, ExtraColumns extra)
    {
        // The columns sorted by name, with their positions: duplicates are neighbours, and each
        // input is found by binary search. A one-row request runs this once per row, where a
        // hash set of the names cost as much as the model's prediction.
        std::vector<std::pair<QStringView, int>> byName;
        byName.reserve(std::size_t(columns.size()));
        for (qsizetype i = 0; i < columns.size(); ++i)
            byName.emplace_back(columns.at(i), int(i));
        const auto nameLess = [](const std::pair<QStringView, int> &a, const std::pair<QStringView, int> &b) {
            return a.first < b.first;
        };
        std::sort(byName.begin(), byName.end(), nameLess);
        const auto twice = std::adjacent_find(byName.begin(), byName.end(),
                                              [](const auto &a, const auto &b) { return a.first == b.first; });
        if (twice != byName.end())
            return Error {QStringLiteral("column %1 is given twice").arg(quoted(twice->first.toString()))};
        const auto fieldOf = [&](const QString &name) {
            const auto at
                = std::lower_bound(byName.begin(), byName.end(), std::pair<QStringView, int> {name, 0}, nameLess);
            return at != byName.end() && at->first == name ? at->second : -1;
        };

        QStringList missing;
        InputCheck check;
        check.m_fieldCount = int(columns.size());
        for (const SignatureColumn &input : signature.inputs) {
            const int field = fieldOf(input.name);
            if (field < 0) {
                missing.append(quoted(input.name));
                continue;
            }
            Column column {&input, field, {}};
            const bool closed = (input.type == ColumnType::Categorical || input.type == ColumnType::Text)
                && !input.otherCategories && !input.categories.isEmpty();
            if (closed) {
                for (const QString &category : input.categories)
                    column.categories.insert(category.toStdString());
            }
            check.m_columns.push_back(std::move(column));
        }
        if (!missing.isEmpty())
            return Error {QStringLiteral("missing %1 %2")
                              .arg(missing.size() == 1 ? QStringLiteral("column") : QStringLiteral("columns"),
                                   missing.join(QLatin1String(", ")))};
        // Every input was found once: the columns are the inputs and perhaps the target, or an
        // unknown one is among them (looked for only then).
        const std::size_t known = check.m_columns.size() + (fieldOf(signature.target) >= 0 ? 1 : 0);
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
        return check;
    }

    /// Checks the fields of row `row` (1-based) in the order of the columns.
    Status row(qint64 row, const std::vector<std::string> &fields) const
    {
        if (fields.size() != std::size_t(m_fieldCount))
            return Error {QStringLiteral("row %1 has %2 values, expected %3 (one per column)")
                              .arg(row)
                              .arg(fields.size())
                              .arg(m_fieldCount)};
        for (const Column &column : m_columns) {
            const std::string &field = fields[std::size_t(column.field)];
            if (values::isMissing(field))
                continue;
            const QString problem = this->problem(column, field);
            if (!problem.isEmpty())
                return Error {QStringLiteral("column %1, row %2: %3 %4")
                                  .arg(quoted(column.input->name))
                                  .arg(row)
                                  .arg(shownValue(field), problem)};
        }
        return Status::success();
    }

private:
    struct Column
    {
        const SignatureColumn *input = nullptr;
        int field = -1;
        std::unordered_set<std::string> categories; ///< the only values allowed; empty: any
    };

    InputCheck() = default;

    // What is wrong with a present value, as the end of a sentence; empty when nothing is.
    static QString problem(const Column &column, const std::string &field)
    {
        switch (column.input->type) {
        case ColumnType::Integer:
        case ColumnType::Float:
            return values::toFloat(field) ? QString() : QStringLiteral("is not a number");
        case ColumnType::Boolean:
            return values::toBoolean(field) ? QString()
                                            : QStringLiteral("is not a boolean (true/false, yes/no, t/f, y/n)");
        case ColumnType::DateTime:
            return values::toDateTimeMs(field)
                ? QString()
                : QStringLiteral("is not a date-time (ISO 8601, e.g. 2024-03-01T10:00:00Z)");
        case ColumnType::Categorical:
        case ColumnType::Text:
            if (column.categories.empty() || column.categories.count(field) > 0)
                return {};
            QStringList known = column.input->categories;
            known.sort();
            return QStringLiteral("is not a category the model knows (%1)").arg(nameList(known));
        }
        return {};
    }

    std::vector<Column> m_columns;
    int m_fieldCount = 0;
};

// An empty matrix shaped for `encoding`, with `rows` rows whose target is unknown.
TrainingData matrixFor(const FeatureEncoding &encoding, qint64 rows)
{
    TrainingData data;
    data.task = encoding.task;
    data.featureNames = encoding.featureNames();
    data.classes = encoding.classes;
    data.columns = encoding.featureCount();
    data.rows = rows;
    data.features.resize(std::size_t(rows) * std::size_t(data.columns));
    data.target.assign(std::size_t(rows), kNaN);
    return data;
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

// ---- Predictions ---------------------------------------------------------------------------

QString Predictions::label(qint64 row) const
{
    if (row < 0 || row >= rows)
        return {};
    if (task == TaskKind::Regression)
        return QString::number(values[std::size_t(row)], 'g', 9);
    const auto k = std::size_t(classes.size());
    if (k == 0)
        return {};
    const double *p = values.data() + std::size_t(row) * k;
    return classes.at(int(std::max_element(p, p + k) - p));
}

QByteArray Predictions::toCsv() const
{
    QStringList header;
    if (task == TaskKind::Regression) {
        header.append(QStringLiteral("prediction"));
    } else {
        header.append(QStringLiteral("label"));
        for (const QString &c : classes)
            header.append(QLatin1String("p_") + c);
    }
    QByteArray csv = csvRecord(header);
    const auto k = std::size_t(classes.size());
    for (qint64 row = 0; row < rows; ++row) {
        QStringList fields {label(row)};
        if (task != TaskKind::Regression) {
            for (std::size_t c = 0; c < k; ++c)
                fields.append(QString::number(values[std::size_t(row) * k + c], 'g', 6));
        }
        csv += csvRecord(fields);
    }
    return csv;
}

QJsonObject Predictions::toJson() const
{
    QJsonArray list;
    const auto k = std::size_t(classes.size());
    for (qint64 row = 0; row < rows; ++row) {
        if (task == TaskKind::Regression) {
            list.append(values[std::size_t(row)]);
            continue;
        }
        QJsonObject probabilities;
        for (std::size_t c = 0; c < k; ++c)
            probabilities.insert(classes.at(int(c)), values[std::size_t(row) * k + c]);
        list.append(
            QJsonObject {{QStringLiteral("label"), label(row)}, {QStringLiteral("probabilities"), probabilities}});
    }
    return {{QStringLiteral("predictions"), list}};
}

// ---- LoadedModel ---------------------------------------------------------------------------

Expected<std::shared_ptr<const LoadedModel>> LoadedModel::load(Workspace &workspace, const QString &ref)
{
    const Expected<ModelVersion> version = ModelRegistry(workspace).version(ref);
    if (!version)
        return version.error();
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
    // One row of missing values, so that a model of another shape (features, classes) fails
    // here and not on the first request.
    TrainingData probe = matrixFor(encoding, 1);
    std::fill(probe.features.begin(), probe.features.end(), kNaN);
    const Expected<Predictions> tried = predictMatrix(*loaded->m_predictor, encoding, probe);
    if (!tried)
        return Error {QStringLiteral("%1 cannot use this model: %2").arg(trainer->displayName(), tried.errorMessage())};
    return std::shared_ptr<const LoadedModel>(std::move(loaded));
}

Status LoadedModel::check(const PredictionInput &input, ExtraColumns extra) const
{
    const Expected<InputCheck> check = InputCheck::create(m_signature, input.columns, extra);
    if (!check)
        return check.error();
    for (std::size_t r = 0; r < input.rows.size(); ++r) {
        if (Status ok = check->row(qint64(r) + 1, input.rows[r]); !ok)
            return ok;
    }
    return Status::success();
}

Expected<Predictions> LoadedModel::predict(const PredictionInput &input, ExtraColumns extra) const
{
    if (Status ok = check(input, extra); !ok)
        return ok.error();
    const Expected<RowEncoder> encoder = RowEncoder::create(m_encoding, input.columns);
    if (!encoder)
        return encoder.error();
    TrainingData data = matrixFor(m_encoding, qint64(input.rows.size()));
    const auto width = std::size_t(data.columns);
    for (std::size_t r = 0; r < input.rows.size(); ++r)
        encoder->encodeFeatures(input.rows[r], data.features.data() + r * width);
    return predictMatrix(*m_predictor, m_encoding, data);
}

Expected<Predictions> LoadedModel::predict(const DatasetTable &table, Feedback *feedback) const
{
    const QString name = table.version().ref();
    const Expected<InputCheck> check = InputCheck::create(m_signature, table.columnNames(), ExtraColumns::Ignore);
    if (!check)
        return Error {QStringLiteral("%1: %2").arg(name, check.errorMessage())};
    // The values are checked in a pass of their own, cancelable, that reports no progress:
    // encode() reports it for the whole table.
    Status checked;
    bool canceled = false;
    table.scan([&](qint64 row, const std::vector<std::string> &fields) {
        if (feedback && feedback->isCanceled()) {
            canceled = true;
            return false;
        }
        checked = check->row(row + 1, fields);
        return checked.ok();
    });
    if (canceled)
        return Error {QStringLiteral("cancelled")};
    if (!checked)
        return Error {QStringLiteral("%1: %2").arg(name, checked.errorMessage())};
    const Expected<EncodedRows> encoded = encode(m_encoding, table, MissingTarget::KeepAsNaN, feedback);
    if (!encoded)
        return encoded.error();
    return predictMatrix(*m_predictor, m_encoding, encoded->data);
}

} // namespace kiln
