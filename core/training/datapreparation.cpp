#include "training/datapreparation.h"

#include "data/datasettable.h"

#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

namespace kiln {

namespace {

constexpr int kMaxAutoClasses = 20; // an integer target with more distinct values is a quantity
constexpr int kMaxClasses = 1000;
constexpr int kMaxOneHotLevels = 50;
constexpr std::size_t kMaxCountedLevels = 100'000; // bounds memory on a mislabelled column
constexpr qint64 kProgressEvery = 4096;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

QString count(qint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

QString quoted(const QString &text)
{
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

QString fromUtf8(const std::string &text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

std::string shortestDecimal(double value)
{
    std::array<char, 32> buffer {};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

std::optional<float> finite(std::optional<double> value)
{
    // Infinite values and values too large for a float count as missing: XGBoost refuses them.
    if (!value || !std::isfinite(float(*value)))
        return std::nullopt;
    return float(*value);
}

// The target as a class key: the label itself for text, a canonical spelling for numbers
// ("007" and "7" are one class), "0"/"1" for booleans. Empty when missing.
std::optional<std::string> classKey(ColumnType type, const std::string &field)
{
    if (values::isMissing(field))
        return std::nullopt;
    switch (type) {
    case ColumnType::Boolean:
        if (const auto flag = values::toBoolean(field))
            return std::string(*flag ? "1" : "0");
        return std::nullopt;
    case ColumnType::Integer:
        if (const auto number = values::toInteger(field))
            return std::to_string(*number);
        return std::nullopt;
    case ColumnType::Float:
        if (const auto number = values::toFloat(field); number && std::isfinite(*number))
            return shortestDecimal(*number);
        return std::nullopt;
    case ColumnType::DateTime:
        return std::nullopt;
    case ColumnType::Categorical:
    case ColumnType::Text:
        return field;
    }
    return std::nullopt;
}

const std::string &fieldAt(const std::vector<std::string> &fields, int index)
{
    static const std::string empty;
    return index >= 0 && std::size_t(index) < fields.size() ? fields[std::size_t(index)] : empty;
}

} // namespace

Expected<RowEncoder> RowEncoder::create(const FeatureEncoding &encoding, const QStringList &columns)
{
    RowEncoder encoder;
    QStringList missing;
    for (const EncodedColumn &source : encoding.columns) {
        Column column;
        column.field = int(columns.indexOf(source.name));
        column.type = source.type;
        column.width = source.width();
        if (column.field < 0)
            missing.append(quoted(source.name));
        for (int i = 0; i < source.levels.size(); ++i)
            column.levels.emplace(source.levels.at(i).toStdString(), i);
        encoder.m_featureCount += column.width;
        encoder.m_columns.push_back(std::move(column));
    }
    if (!missing.isEmpty())
        return Error {QStringLiteral("the data lacks %1 %2 the model was trained on")
                          .arg(missing.size() == 1 ? QStringLiteral("column") : QStringLiteral("columns"),
                               missing.join(QStringLiteral(", ")))};
    encoder.m_targetField = int(columns.indexOf(encoding.target));
    encoder.m_targetType = encoding.targetType;
    encoder.m_task = encoding.task;
    if (encoding.task != TaskKind::Regression) {
        // Boolean classes are labelled with the data's own spelling ("no", "yes") but keyed by
        // value: index 0 is false, 1 is true.
        for (int i = 0; i < encoding.classes.size(); ++i) {
            const std::string key
                = encoding.targetType == ColumnType::Boolean ? std::to_string(i) : encoding.classes.at(i).toStdString();
            encoder.m_classIndex.emplace(key, i);
        }
    }
    return encoder;
}

void RowEncoder::encodeFeatures(const std::vector<std::string> &fields, float *out) const
{
    for (const Column &column : m_columns) {
        const std::string &field = fieldAt(fields, column.field);
        if (values::isMissing(field)) {
            std::fill(out, out + column.width, kNaN);
            out += column.width;
            continue;
        }
        switch (column.type) {
        case ColumnType::Integer:
        case ColumnType::Float:
            *out = finite(values::toFloat(field)).value_or(kNaN);
            break;
        case ColumnType::Boolean: {
            const auto flag = values::toBoolean(field);
            *out = flag ? (*flag ? 1.0f : 0.0f) : kNaN;
            break;
        }
        case ColumnType::DateTime: {
            const auto ms = values::toDateTimeMs(field);
            *out = ms ? float(double(*ms) / 1000.0) : kNaN;
            break;
        }
        case ColumnType::Categorical:
        case ColumnType::Text: {
            std::fill(out, out + column.width, 0.0f);
            const auto level = column.levels.find(field);
            if (level != column.levels.end())
                out[level->second] = 1.0f;
            break;
        }
        }
        out += column.width;
    }
}

float RowEncoder::encodeTarget(const std::vector<std::string> &fields) const
{
    if (m_targetField < 0)
        return kNaN;
    const std::string &field = fieldAt(fields, m_targetField);
    if (m_task == TaskKind::Regression)
        return values::isMissing(field) ? kNaN : finite(values::toFloat(field)).value_or(kNaN);
    const auto key = classKey(m_targetType, field);
    if (!key)
        return kNaN;
    const auto found = m_classIndex.find(*key);
    return found == m_classIndex.end() ? kNaN : float(found->second);
}

// ---- encode ----------------------------------------------------------------------------------

namespace {

// Progress of one pass over the table, mapped into [from, to] of the whole job.
struct PassProgress
{
    Feedback *feedback = nullptr;
    qint64 rows = 0;
    double from = 0;
    double to = 1;

    void report(qint64 row) const
    {
        if (feedback && rows > 0 && row % kProgressEvery == 0)
            feedback->setProgress(from + (to - from) * double(row) / double(rows));
    }
};

Expected<EncodedRows> encodeRows(const FeatureEncoding &encoding, const DatasetTable &table,
                                 MissingTarget missingTarget, const PassProgress &progress)
{
    auto encoder = RowEncoder::create(encoding, table.columnNames());
    if (!encoder)
        return Error {table.version().ref() + QStringLiteral(": ") + encoder.errorMessage()};
    if (missingTarget == MissingTarget::DropRow && !encoder->hasTarget())
        return Error {QStringLiteral("%1 has no target column %2").arg(table.version().ref(), quoted(encoding.target))};

    EncodedRows result;
    TrainingData &data = result.data;
    data.task = encoding.task;
    data.featureNames = encoding.featureNames();
    data.classes = encoding.classes;
    data.columns = encoder->featureCount();
    const auto width = std::size_t(data.columns);
    data.features.reserve(std::size_t(table.rowCount()) * width);
    data.target.reserve(std::size_t(table.rowCount()));
    result.sourceRows.reserve(std::size_t(table.rowCount()));

    const bool finished = table.scan(
        [&](qint64 row, const std::vector<std::string> &fields) {
            progress.report(row);
            const float target = encoder->encodeTarget(fields);
            if (std::isnan(target)) {
                ++result.rowsWithoutTarget;
                if (missingTarget == MissingTarget::DropRow)
                    return true;
            }
            data.features.resize(data.features.size() + width);
            encoder->encodeFeatures(fields, data.features.data() + data.features.size() - width);
            data.target.push_back(target);
            result.sourceRows.push_back(row);
            return true;
        },
        progress.feedback);
    if (!finished)
        return Error {QStringLiteral("cancelled")};
    data.rows = qint64(data.target.size());
    if (progress.feedback)
        progress.feedback->setProgress(progress.to);
    return result;
}

} // namespace

Expected<EncodedRows> encode(const FeatureEncoding &encoding, const DatasetTable &table, MissingTarget missingTarget,
                             Feedback *feedback)
{
    return encodeRows(encoding, table, missingTarget, PassProgress {feedback, table.rowCount(), 0.0, 1.0});
}

// ---- prepareTrainingData ---------------------------------------------------------------------

namespace {

// Counts of distinct values, bounded: past `cap` distinct values new ones are only noted.
struct ValueCounts
{
    std::size_t cap = 0;
    std::unordered_map<std::string, qint64> counts;
    bool overflow = false;

    void add(const std::string &key)
    {
        if (const auto it = counts.find(key); it != counts.end())
            ++it->second;
        else if (counts.size() < cap)
            counts.emplace(key, 1);
        else
            overflow = true;
    }

    /// Most frequent first; ties in byte order so the result does not depend on hashing.
    std::vector<std::pair<std::string, qint64>> byFrequency() const
    {
        std::vector<std::pair<std::string, qint64>> sorted(counts.begin(), counts.end());
        std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        return sorted;
    }
};

// What the first pass learns about the target and the columns that need levels.
struct Survey
{
    qint64 targetPresent = 0;
    ValueCounts classes {std::size_t(kMaxClasses) + 1, {}, false};
    std::array<QString, 2> booleanSpelling; // the data's first spelling of false and true
    std::vector<ValueCounts> levels; // per candidate feature column; unused for non-one-hot
};

QString columnList(const QStringList &names)
{
    constexpr int kShown = 8;
    QStringList shown;
    for (int i = 0; i < names.size() && i < kShown; ++i)
        shown.append(names.at(i));
    QString text = shown.join(QStringLiteral(", "));
    if (names.size() > kShown)
        text += QStringLiteral(", … (%1 in all)").arg(names.size());
    return text;
}

// Sorts class keys as the user expects: numbers by value, booleans false first, text bytewise.
QStringList sortedClasses(const Survey &survey, ColumnType type)
{
    std::vector<std::string> keys;
    for (const auto &[key, n] : survey.classes.counts)
        keys.push_back(key);
    if (type == ColumnType::Integer || type == ColumnType::Float || type == ColumnType::Boolean) {
        std::sort(keys.begin(), keys.end(), [](const std::string &a, const std::string &b) {
            return values::toFloat(a).value_or(0) < values::toFloat(b).value_or(0);
        });
    } else {
        std::sort(keys.begin(), keys.end());
    }
    QStringList labels;
    for (const std::string &key : keys)
        labels.append(type == ColumnType::Boolean ? survey.booleanSpelling.at(key == "1" ? 1 : 0) : fromUtf8(key));
    return labels;
}

// The task the target asks for, or why it cannot be trained on.
Expected<TaskKind> decideTask(const FeatureEncoding &encoding, const Survey &survey, std::optional<TaskKind> forced,
                              const QString &datasetRef, qint64 rowCount)
{
    const QString target = quoted(encoding.target);
    const ColumnType type = encoding.targetType;
    const bool numeric = type == ColumnType::Integer || type == ColumnType::Float;
    if (type == ColumnType::DateTime)
        return Error {
            QStringLiteral("target %1 holds date-times: choose a numeric, boolean or categorical target").arg(target)};
    if (forced == TaskKind::Regression && !numeric)
        return Error {
            QStringLiteral("target %1 is %2, not numeric: regression needs numbers; train a classifier instead")
                .arg(target, columnTypeName(type))};
    if (survey.targetPresent == 0)
        return Error {QStringLiteral("target %1 is missing in all %2 rows of %3: no rows to learn from")
                          .arg(target, count(rowCount), datasetRef)};

    const auto classCount = qint64(survey.classes.counts.size());
    const bool fewIntegers = type == ColumnType::Integer && !survey.classes.overflow && classCount <= kMaxAutoClasses;
    const bool classification = forced ? *forced != TaskKind::Regression : (!numeric || fewIntegers);
    if (!classification)
        return TaskKind::Regression;
    if (survey.classes.overflow)
        return Error {
            QStringLiteral("target %1 has more than %2 distinct values: too many classes for "
                           "classification%3")
                .arg(target, count(kMaxClasses), numeric ? QStringLiteral("; train a regression instead") : QString())};
    if (classCount == 1)
        return Error {QStringLiteral("target %1 has a single class %2: nothing to learn")
                          .arg(target, quoted(sortedClasses(survey, type).constFirst()))};
    if (forced == TaskKind::BinaryClassification && classCount != 2)
        return Error {QStringLiteral("target %1 has %2 classes; binary classification needs exactly 2")
                          .arg(target, count(classCount))};
    if (forced)
        return *forced;
    return classCount == 2 ? TaskKind::BinaryClassification : TaskKind::MulticlassClassification;
}

} // namespace

Expected<PreparedData> prepareTrainingData(const DatasetTable &table, const PreparationOptions &options,
                                           Feedback *feedback)
{
    const QString ref = table.version().ref();
    const QStringList &names = table.columnNames();
    const int targetIndex = int(names.indexOf(options.target));
    if (options.target.isEmpty())
        return Error {QStringLiteral("choose a target column; %1 has: %2").arg(ref, columnList(names))};
    if (targetIndex < 0)
        return Error {QStringLiteral("%1 has no column %2; its columns are: %3")
                          .arg(ref, quoted(options.target), columnList(names))};
    if (table.version().columns.size() != names.size())
        return Error {QStringLiteral("%1: the column types are not loaded").arg(ref)};
    if (names.size() == 1)
        return Error {QStringLiteral("%1 has only the target column %2: there are no features to learn from")
                          .arg(ref, quoted(options.target))};
    if (table.rowCount() == 0)
        return Error {QStringLiteral("%1 has no rows").arg(ref)};

    // The candidate feature columns, in the dataset's order or the order asked for.
    std::vector<int> candidates;
    if (options.features.isEmpty()) {
        for (int i = 0; i < names.size(); ++i) {
            if (i != targetIndex)
                candidates.push_back(i);
        }
    } else {
        QStringList unknown;
        for (const QString &feature : options.features) {
            const int index = int(names.indexOf(feature));
            if (index < 0)
                unknown.append(quoted(feature));
            else if (index == targetIndex)
                return Error {QStringLiteral("%1 is the target and cannot also be a feature").arg(quoted(feature))};
            else if (std::find(candidates.begin(), candidates.end(), index) == candidates.end())
                candidates.push_back(index);
        }
        if (!unknown.isEmpty())
            return Error {QStringLiteral("%1 has no column %2; its columns are: %3")
                              .arg(ref, unknown.join(QStringLiteral(", ")), columnList(names))};
    }

    FeatureEncoding encoding;
    encoding.target = options.target;
    encoding.targetType = table.columnType(targetIndex);

    // Pass 1: the target's classes and the levels of the columns that will be one-hot encoded.
    Survey survey;
    survey.levels.resize(candidates.size());
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        const ColumnType type = table.columnType(candidates[c]);
        survey.levels[c].cap = type == ColumnType::Text ? std::size_t(kMaxOneHotLevels) : kMaxCountedLevels;
    }
    const bool countClasses
        = encoding.targetType != ColumnType::Float || (options.task && *options.task != TaskKind::Regression);
    const PassProgress surveyProgress {feedback, table.rowCount(), 0.0, 0.5};
    const bool surveyed = table.scan(
        [&](qint64 row, const std::vector<std::string> &fields) {
            surveyProgress.report(row);
            const std::string &targetField = fieldAt(fields, targetIndex);
            const auto key = encoding.targetType == ColumnType::Float && !countClasses
                ? (finite(values::toFloat(targetField)) ? std::optional<std::string>(std::string()) : std::nullopt)
                : classKey(encoding.targetType, targetField);
            if (key) {
                ++survey.targetPresent;
                if (countClasses)
                    survey.classes.add(*key);
                if (encoding.targetType == ColumnType::Boolean) {
                    QString &spelling = survey.booleanSpelling.at(*key == "1" ? 1 : 0);
                    if (spelling.isEmpty())
                        spelling = fromUtf8(targetField).trimmed();
                }
            }
            for (std::size_t c = 0; c < candidates.size(); ++c) {
                ValueCounts &levels = survey.levels[c];
                const ColumnType type = table.columnType(candidates[c]);
                if ((type != ColumnType::Categorical && type != ColumnType::Text) || levels.overflow)
                    continue;
                const std::string &field = fieldAt(fields, candidates[c]);
                if (!values::isMissing(field))
                    levels.add(field);
            }
            return true;
        },
        feedback);
    if (!surveyed)
        return Error {QStringLiteral("cancelled")};

    auto task = decideTask(encoding, survey, options.task, ref, table.rowCount());
    if (!task)
        return task.error();
    encoding.task = *task;
    if (encoding.task != TaskKind::Regression)
        encoding.classes = sortedClasses(survey, encoding.targetType);

    PreparedData prepared;
    QStringList dropped;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        EncodedColumn column;
        column.name = names.at(candidates[c]);
        column.type = table.columnType(candidates[c]);
        if (column.isOneHot()) {
            const ValueCounts &levels = survey.levels[c];
            if (levels.counts.empty()) {
                dropped.append(QStringLiteral("%1 (no values)").arg(quoted(column.name)));
                prepared.notes.append(QStringLiteral("dropped %1: it has no values").arg(quoted(column.name)));
                continue;
            }
            if (column.type == ColumnType::Text && levels.overflow) {
                const qint64 distinct = table.version().columns.at(candidates[c]).distinct;
                const QString why
                    = QStringLiteral("text with %1 distinct values")
                          .arg(distinct > kMaxOneHotLevels ? count(distinct)
                                                           : QStringLiteral("more than %1").arg(kMaxOneHotLevels));
                dropped.append(QStringLiteral("%1 (%2)").arg(quoted(column.name), why));
                prepared.notes.append(QStringLiteral("dropped %1: %2; one-hot encoding takes at most %3")
                                          .arg(quoted(column.name), why, QString::number(kMaxOneHotLevels)));
                continue;
            }
            const auto sorted = levels.byFrequency();
            for (std::size_t i = 0; i < sorted.size() && i < std::size_t(kMaxOneHotLevels); ++i)
                column.levels.append(fromUtf8(sorted[i].first));
            if (sorted.size() > std::size_t(kMaxOneHotLevels) || levels.overflow)
                prepared.notes.append(QStringLiteral("%1: the %2 most frequent of %3%4 values are one-hot encoded; "
                                                     "rarer values encode as all 0")
                                          .arg(quoted(column.name), QString::number(kMaxOneHotLevels),
                                               levels.overflow ? QStringLiteral("more than ") : QString(),
                                               count(qint64(sorted.size()))));
        }
        encoding.columns.append(column);
    }
    if (encoding.columns.isEmpty())
        return Error {QStringLiteral("no feature columns are left to learn from: %1 %2 dropped")
                          .arg(dropped.join(QStringLiteral(", ")),
                               dropped.size() == 1 ? QStringLiteral("was") : QStringLiteral("were"))};

    // Pass 2: the matrix.
    auto rows
        = encodeRows(encoding, table, MissingTarget::DropRow, PassProgress {feedback, table.rowCount(), 0.5, 1.0});
    if (!rows)
        return rows.error();
    if (rows->rowsWithoutTarget > 0)
        prepared.notes.append(
            QStringLiteral("dropped %1 of %2 rows: their target %3 is missing")
                .arg(count(rows->rowsWithoutTarget), count(table.rowCount()), quoted(encoding.target)));
    prepared.encoding = std::move(encoding);
    prepared.data = std::move(rows->data);
    prepared.sourceRows = std::move(rows->sourceRows);
    prepared.rowsWithoutTarget = rows->rowsWithoutTarget;
    return prepared;
}

} // namespace kiln
