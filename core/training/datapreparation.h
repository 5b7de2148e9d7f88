#pragma once

#include "data/values.h"
#include "tasks/feedback.h"
#include "training/trainer.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiln {

class DatasetTable;

/// "binary", "multiclass", "regression" back to the TaskKind taskKindName() named.
std::optional<TaskKind> taskKindFromName(const QString &name);

/// How one dataset column becomes feature columns. Values are parsed by `type`, the type the
/// column had in the training data, so that new data whose inferred type differs (a column of
/// integers that happens to hold only 0 and 1) is encoded the same way.
struct EncodedColumn
{
    QString name;
    ColumnType type = ColumnType::Float;
    /// Categorical and Text columns: the one-hot levels, most frequent first. A value outside
    /// them sets all the column's features to 0; a missing value sets them to NaN.
    QStringList levels;

    bool isOneHot() const { return type == ColumnType::Categorical || type == ColumnType::Text; }
    int width() const { return isOneHot() ? int(levels.size()) : 1; }
};

/// The transform from dataset rows to a TrainingData matrix: which columns, in which order,
/// how each is encoded, and what the target's classes are. It is decided once on the training
/// data and stored with the model (toJson) so that prediction applies exactly the same
/// transform. Numbers are kept as they are; booleans become 0/1; date-times become seconds
/// since 1970-01-01 UTC (a float holds those to about two minutes, which is all a tree split
/// needs); missing values become NaN, never 0. A plain value type.
struct FeatureEncoding
{
    QString target;
    ColumnType targetType = ColumnType::Float;
    TaskKind task = TaskKind::Regression;
    QStringList classes; ///< class labels in index order; empty for regression
    QList<EncodedColumn> columns;

    /// Feature names in matrix column order ("age", "city=Paris", "city=Lyon", ...).
    QStringList featureNames() const;
    int featureCount() const;

    QJsonObject toJson() const;
    static Expected<FeatureEncoding> fromJson(const QJsonObject &json);
};

/// Applies a FeatureEncoding to rows whose fields come in the order of `columns` (a dataset's
/// column names, or the fields a prediction request names). Immutable once created; any thread
/// may use it.
class RowEncoder final
{
public:
    /// Fails when a column the encoding needs is not among `columns`. The target may be absent;
    /// encodeTarget() then gives NaN.
    static Expected<RowEncoder> create(const FeatureEncoding &encoding, const QStringList &columns);

    int featureCount() const { return m_featureCount; }
    bool hasTarget() const { return m_targetField >= 0; }
    /// Writes featureCount() floats to `out`.
    void encodeFeatures(const std::vector<std::string> &fields, float *out) const;
    /// The class index (classification) or value (regression); NaN when the target is missing,
    /// is a class the encoding does not know, or is not among the columns.
    float encodeTarget(const std::vector<std::string> &fields) const;

private:
    struct Column
    {
        int field = -1;
        ColumnType type = ColumnType::Float;
        int width = 1;
        std::unordered_map<std::string, int> levels;
    };

    RowEncoder() = default;

    std::vector<Column> m_columns;
    int m_featureCount = 0;
    int m_targetField = -1;
    ColumnType m_targetType = ColumnType::Float;
    TaskKind m_task = TaskKind::Regression;
    std::unordered_map<std::string, int> m_classIndex; ///< by canonical label
};

/// What encode() does with a row whose target is missing or an unknown class.
enum class MissingTarget {
    DropRow, ///< training and evaluation: the row is left out and counted
    KeepAsNaN ///< prediction: every row is kept; the target column may be absent altogether
};

/// Rows of a table encoded into a matrix, with where each came from.
struct EncodedRows
{
    TrainingData data;
    std::vector<qint64> sourceRows; ///< the table row of each matrix row
    qint64 rowsWithoutTarget = 0; ///< rows dropped (DropRow) or kept with a NaN target (KeepAsNaN)
};

/// Encodes every row of `table` with `encoding`, streaming over the rows. `feedback` (optional)
/// receives progress and may cancel.
Expected<EncodedRows> encode(const FeatureEncoding &encoding, const DatasetTable &table, MissingTarget missingTarget,
                             Feedback *feedback = nullptr);

/// What to train on.
struct PreparationOptions
{
    QString target;
    QStringList features; ///< empty: every column but the target
    std::optional<TaskKind> task; ///< absent: detected from the target
};

/// A dataset turned into training data, and the encoding that did it.
struct PreparedData
{
    FeatureEncoding encoding;
    TrainingData data;
    std::vector<qint64> sourceRows; ///< the table row of each training row
    qint64 rowsWithoutTarget = 0; ///< dropped: their target is missing
    /// What the user should know about the encoding: dropped columns, truncated one-hot levels,
    /// dropped rows.
    QStringList notes;
};

/// Decides the encoding from `table` (its column types come from the version's profiles) and
/// encodes it, in two streaming passes over the rows. The task is detected from the target
/// unless forced: a boolean, categorical or text target, or an integer one with at most 20
/// distinct values, is classification (binary with 2 classes); anything else numeric is
/// regression. Categorical and text features with at most 50 distinct values are one-hot
/// encoded; categorical ones with more keep their 50 most frequent values; text ones with more
/// are dropped. Runs on the calling thread; errors say what to change.
Expected<PreparedData> prepareTrainingData(const DatasetTable &table, const PreparationOptions &options,
                                           Feedback *feedback = nullptr);

} // namespace kiln
