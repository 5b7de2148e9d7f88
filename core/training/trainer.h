#pragma once

#include "tasks/feedback.h"
#include "util/expected.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QtPlugin>

#include <memory>
#include <vector>

namespace kiln {

enum class TaskKind { BinaryClassification, MulticlassClassification, Regression };

QString taskKindName(TaskKind kind);

/// One hyperparameter a trainer declares: the UI and kilnctl build forms and validation from it.
struct HyperParameter
{
    enum class Type { Integer, Float, Choice, Boolean };
    QString name;
    Type type = Type::Float;
    QVariant defaultValue;
    double minimum = 0; ///< inclusive, for Integer and Float
    double maximum = 0; ///< inclusive
    bool logScale = false; ///< a sweep samples it log-uniformly
    QStringList choices; ///< for Choice
    QString help;

    /// Checks `value` (a string as typed, or a JSON value) and returns it typed, or an error
    /// naming the parameter and its range ("max_depth must be an integer from 1 to 20, not 0").
    Expected<QVariant> validate(const QVariant &value) const;
};

/// A dense, row-major float matrix with the target: what every built-in trainer consumes.
/// Missing values are NaN. Classification targets hold class indices (0..classes-1).
struct TrainingData
{
    TaskKind task = TaskKind::Regression;
    QStringList featureNames; ///< after encoding (one-hot columns are "city=Paris")
    QStringList classes; ///< class labels in index order; empty for regression
    qint64 rows = 0;
    int columns = 0;
    std::vector<float> features; ///< rows × columns
    std::vector<float> target; ///< rows
};

/// Receives what a trainer reports while it runs. Thread-safe; called on the training thread.
class TrainingLogger
{
public:
    virtual ~TrainingLogger() = default;
    /// A per-round metric ("train/logloss", "validation/auc") at `step`.
    virtual void logMetric(const QString &key, qint64 step, double value) = 0;
    /// A line for the run log.
    virtual void logLine(const QString &line) = 0;
};

/// A fitted model and what it says about itself.
struct TrainedModel
{
    QString format; ///< "xgboost-ubj" (XGBoost's universal binary JSON), ...
    QByteArray bytes; ///< the model as saved by the library
    QJsonObject featureImportance; ///< feature name → gain (normalised to sum 1)
    int rounds = 0; ///< boosting rounds actually kept
};

/// A fitted model loaded once for many predictions: what a served model version keeps, so that
/// a request pays for its rows and not for reading the model. Made by Trainer::loadPredictor();
/// immutable, and predict() may run on several threads at once.
class ModelPredictor
{
public:
    virtual ~ModelPredictor() = default;
    /// Predictions for every row of `data`, the same values as Trainer::predict gives for the
    /// model and the same rows (whatever the batch size or the calling thread): class
    /// probabilities (rows × classes, row-major) for classification, values for regression.
    /// Fails when `data` has another number of features than the model takes.
    virtual Expected<std::vector<double>> predict(const TrainingData &data) const = 0;
};

/// One built-in training algorithm (boosted trees, random forest, linear). Stateless and
/// thread-safe: train(), loadPredictor() and predict() run on worker threads.
class Trainer
{
public:
    virtual ~Trainer() = default;
    virtual QString id() const = 0; ///< "boosted-trees", "random-forest", "linear"
    virtual QString displayName() const = 0; ///< "Boosted trees (XGBoost)"
    virtual QString description() const = 0;
    virtual QList<TaskKind> tasks() const = 0;
    virtual QList<HyperParameter> hyperParameters(TaskKind task) const = 0;
    /// "xgboost 1.7.4": recorded with every run for reproducibility.
    virtual QString libraryVersion() const = 0;

    /// Fits on `train`, logging per-round metrics on `train` and, when given, `validation`.
    /// `params` holds validated values for the declared hyperparameters (absent: default).
    /// The same data, params and seed give the same model.
    virtual Expected<TrainedModel> train(const TrainingData &train, const TrainingData *validation,
                                         const QJsonObject &params, quint64 seed, TrainingLogger &logger,
                                         Feedback &feedback) const = 0;
    /// Reads `model` once for many predictions. Fails, naming the reason, when the trainer
    /// cannot read its format or its bytes are damaged.
    virtual Expected<std::shared_ptr<const ModelPredictor>> loadPredictor(const TrainedModel &model) const = 0;
    /// Predictions for every row of `data` (see ModelPredictor::predict): loadPredictor(model),
    /// then its predict(). For one use of a model, as training's evaluation; a model that
    /// predicts again and again is loaded once instead.
    Expected<std::vector<double>> predict(const TrainedModel &model, const TrainingData &data) const;
};

/// A plugin that provides trainers (one library, several algorithms).
class TrainerProvider
{
public:
    virtual ~TrainerProvider() = default;
    virtual QList<const Trainer *> trainers() const = 0;
};

} // namespace kiln

// 2.0: Trainer::loadPredictor (a plugin built for 1.0 lacks it).
#define KILN_TRAINER_PLUGIN_IID "org.kiln.TrainerProvider/2.0"
Q_DECLARE_INTERFACE(kiln::TrainerProvider, KILN_TRAINER_PLUGIN_IID)
