#include "xgboosttrainers.h"

#include <string>
#include <utility>

namespace kiln::Internal {

namespace {

HyperParameter integer(const char *name, int defaultValue, int minimum, int maximum, const char *help)
{
    HyperParameter p;
    p.name = QLatin1String(name);
    p.type = HyperParameter::Type::Integer;
    p.defaultValue = qint64(defaultValue);
    p.minimum = minimum;
    p.maximum = maximum;
    p.help = QLatin1String(help);
    return p;
}

HyperParameter real(const char *name, double defaultValue, double minimum, double maximum, const char *help,
                    bool logScale = false)
{
    HyperParameter p;
    p.name = QLatin1String(name);
    p.type = HyperParameter::Type::Float;
    p.defaultValue = defaultValue;
    p.minimum = minimum;
    p.maximum = maximum;
    p.logScale = logScale;
    p.help = QLatin1String(help);
    return p;
}

HyperParameter treeMethod()
{
    HyperParameter p;
    p.name = QStringLiteral("tree_method");
    p.type = HyperParameter::Type::Choice;
    p.defaultValue = QStringLiteral("hist");
    p.choices = {QStringLiteral("hist"), QStringLiteral("approx"), QStringLiteral("exact")};
    p.help = QStringLiteral(
        "How split points are searched. hist buckets each feature into at most 256 bins once and is the "
        "fastest; approx re-sketches the quantiles every round; exact tries every distinct value and is slow "
        "on large data.");
    return p;
}

HyperParameter threads()
{
    return integer("n_threads", 0, 0, 256,
                   "CPU threads to train with; 0 uses every core. With a fixed seed and thread count the model "
                   "is reproduced exactly.");
}

// Hyperparameter values as XGBoost reads them: integers plainly, floats to full precision.
std::string text(const QVariant &value)
{
    if (value.typeId() == QMetaType::QString)
        return value.toString().toStdString();
    if (value.typeId() == QMetaType::Double)
        return QString::number(value.toDouble(), 'g', 17).toStdString();
    return std::to_string(value.toLongLong());
}

void pass(BoosterSetup &setup, const QVariantMap &params, const char *ours, const char *xgboosts)
{
    setup.params.emplace_back(xgboosts, text(params.value(QLatin1String(ours))));
}

// The parameters both tree ensembles hand on unchanged; `colsample` is the one column sampling
// each uses.
void passTreeShape(BoosterSetup &setup, const QVariantMap &params, const char *colsample)
{
    pass(setup, params, "max_depth", "max_depth");
    pass(setup, params, "learning_rate", "eta");
    pass(setup, params, "subsample", "subsample");
    pass(setup, params, colsample, colsample);
    pass(setup, params, "min_child_weight", "min_child_weight");
    pass(setup, params, "reg_lambda", "lambda");
}

const char *const kMaxDepthHelp = "Deepest a tree may grow. Deeper trees capture interactions between more features "
                                  "but overfit sooner; 4 to 8 suits most tabular data.";
const char *const kMinChildWeightHelp
    = "Smallest total hessian (for squared error: the number of rows) a leaf may hold. Larger values refuse "
      "splits that isolate a few rows and make the model more conservative.";
const char *const kLambdaHelp = "L2 penalty on leaf weights (lambda). Larger values shrink predictions of small "
                                "leaves towards zero and smooth the model.";

} // namespace

DeclaredXGBoostTrainer::DeclaredXGBoostTrainer(QString id, QString displayName, QString description,
                                               QList<HyperParameter> hyperParameters)
    : m_id(std::move(id))
    , m_displayName(std::move(displayName))
    , m_description(std::move(description))
    , m_hyperParameters(std::move(hyperParameters))
{ }

QString DeclaredXGBoostTrainer::id() const
{
    return m_id;
}

QString DeclaredXGBoostTrainer::displayName() const
{
    return m_displayName;
}

QString DeclaredXGBoostTrainer::description() const
{
    return m_description;
}

QList<HyperParameter> DeclaredXGBoostTrainer::hyperParameters(TaskKind) const
{
    return m_hyperParameters;
}

// ---- boosted trees ---------------------------------------------------------------------------

BoostedTreesTrainer::BoostedTreesTrainer()
    : DeclaredXGBoostTrainer(
        QStringLiteral("boosted-trees"), QStringLiteral("Boosted trees (XGBoost)"),
        QStringLiteral("Gradient-boosted decision trees: each round adds a tree that corrects the errors of "
                       "the trees before it. The strongest default for tabular data; handles missing values "
                       "and unscaled features."),
        {
            integer("n_estimators", 100, 1, 5000,
                    "Boosting rounds: how many trees are added one after another. More rounds fit the training "
                    "data more closely; pair many rounds with a low learning_rate and early stopping."),
            integer("max_depth", 6, 1, 20, kMaxDepthHelp),
            real("learning_rate", 0.3, 0.001, 1,
                 "Shrinks each new tree's contribution (XGBoost's eta). Lower values need more rounds but usually "
                 "generalise better; 0.05 to 0.3 is typical.",
                 true),
            real("subsample", 1, 0.1, 1,
                 "Fraction of training rows sampled, without replacement, for each tree. Below 1 (e.g. 0.8) adds "
                 "randomness that reduces overfitting."),
            real("colsample_bytree", 1, 0.1, 1,
                 "Fraction of feature columns sampled for each tree. Below 1 decorrelates the trees and helps with "
                 "many redundant features."),
            real("min_child_weight", 1, 0, 100, kMinChildWeightHelp),
            real("reg_lambda", 1, 0, 100, kLambdaHelp),
            real("reg_alpha", 0, 0, 100,
                 "L1 penalty on leaf weights (alpha). Drives the weights of weak leaves to exactly zero."),
            integer("early_stopping_rounds", 0, 0, 1000,
                    "Stop when the validation loss has not improved for this many rounds, and keep the model at its "
                    "best round; 0 turns early stopping off. Needs a validation set."),
            treeMethod(),
            threads(),
        })
{ }

BoosterSetup BoostedTreesTrainer::setup(TaskKind, const QVariantMap &params) const
{
    BoosterSetup setup;
    setup.params.emplace_back("booster", "gbtree");
    passTreeShape(setup, params, "colsample_bytree");
    pass(setup, params, "reg_alpha", "alpha");
    pass(setup, params, "tree_method", "tree_method");
    setup.rounds = params.value(QStringLiteral("n_estimators")).toInt();
    setup.earlyStoppingRounds = params.value(QStringLiteral("early_stopping_rounds")).toInt();
    setup.threads = params.value(QStringLiteral("n_threads")).toInt();
    return setup;
}

// ---- random forest ---------------------------------------------------------------------------

RandomForestTrainer::RandomForestTrainer()
    : DeclaredXGBoostTrainer(
        QStringLiteral("random-forest"), QStringLiteral("Random forest (XGBoost)"),
        QStringLiteral("Many deep trees grown independently on samples of the rows and features, their "
                       "predictions averaged. Hard to overfit and needs little tuning; usually a little less "
                       "accurate than boosted trees."),
        {
            integer("n_estimators", 100, 1, 5000,
                    "Trees in the forest, all grown in one round. More trees give steadier predictions at the cost "
                    "of time; the gain flattens past a few hundred."),
            integer("max_depth", 6, 1, 20, kMaxDepthHelp),
            real("learning_rate", 1, 0.001, 1,
                 "Scales the forest's averaged prediction. Keep 1 for a plain random forest.", true),
            real("subsample", 0.8, 0.1, 1,
                 "Fraction of rows each tree is grown on, sampled without replacement. Lower values make the trees "
                 "more different from each other."),
            real("colsample_bynode", 0.8, 0.1, 1,
                 "Fraction of features considered at each split: the randomness that decorrelates the trees "
                 "(scikit-learn's max_features)."),
            real("min_child_weight", 1, 0, 100, kMinChildWeightHelp),
            real("reg_lambda", 0.00001, 0, 100, kLambdaHelp),
            treeMethod(),
            threads(),
        })
{ }

BoosterSetup RandomForestTrainer::setup(TaskKind, const QVariantMap &params) const
{
    BoosterSetup setup;
    setup.params.emplace_back("booster", "gbtree");
    pass(setup, params, "n_estimators", "num_parallel_tree");
    passTreeShape(setup, params, "colsample_bynode");
    pass(setup, params, "tree_method", "tree_method");
    setup.rounds = 1; // a forest is one round of parallel trees; more rounds would boost forests
    setup.threads = params.value(QStringLiteral("n_threads")).toInt();
    return setup;
}

// ---- linear ----------------------------------------------------------------------------------

LinearTrainer::LinearTrainer()
    : DeclaredXGBoostTrainer(
        QStringLiteral("linear"), QStringLiteral("Linear / logistic (XGBoost)"),
        QStringLiteral("A linear model (logistic or softmax for classes, least squares for numbers) fitted by "
                       "coordinate descent with elastic-net penalties. A fast, interpretable baseline; it "
                       "does not scale features, so penalties weigh features on large scales less."),
        {
            integer("rounds", 100, 1, 5000,
                    "Passes of coordinate descent over all weights. The loss stops improving once the weights "
                    "converge; watch the validation curve flatten."),
            real("learning_rate", 0.5, 0.001, 1, "Step size of each weight update (XGBoost's eta).", true),
            real("reg_lambda", 0, 0, 100, "L2 (ridge) penalty on the weights: shrinks them all towards zero."),
            real("reg_alpha", 0, 0, 100,
                 "L1 (lasso) penalty on the weights: sets the weights of unhelpful features to exactly zero."),
            threads(),
        })
{ }

BoosterSetup LinearTrainer::setup(TaskKind, const QVariantMap &params) const
{
    BoosterSetup setup;
    setup.params.emplace_back("booster", "gblinear");
    // Coordinate descent in a fixed order is deterministic; the default "shotgun" updater updates
    // weights in parallel races and gives a different model on every run.
    setup.params.emplace_back("updater", "coord_descent");
    setup.params.emplace_back("feature_selector", "cyclic");
    pass(setup, params, "learning_rate", "eta");
    pass(setup, params, "reg_lambda", "lambda");
    pass(setup, params, "reg_alpha", "alpha");
    setup.rounds = params.value(QStringLiteral("rounds")).toInt();
    setup.threads = params.value(QStringLiteral("n_threads")).toInt();
    setup.linear = true;
    return setup;
}

} // namespace kiln::Internal
