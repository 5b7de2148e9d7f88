#include "runoverview.h"

#include "models/runformat.h"
#include "models/texttablemodel.h"
#include "runs/runtypes.h"
#include "viewutil.h"

#include <QDir>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

namespace kiln {

namespace {

// Results in the order a reader looks for them; the rest follow by name.
const QStringList &resultOrder()
{
    static const QStringList order = {
        QStringLiteral("accuracy"),
        QStringLiteral("f1_macro"),
        QStringLiteral("roc_auc"),
        QStringLiteral("log_loss"),
        QStringLiteral("precision_macro"),
        QStringLiteral("recall_macro"),
        QStringLiteral("f1_weighted"),
        QStringLiteral("precision_weighted"),
        QStringLiteral("recall_weighted"),
        QStringLiteral("rmse"),
        QStringLiteral("mae"),
        QStringLiteral("r2"),
        QStringLiteral("mape"),
        QStringLiteral("max_error"),
    };
    return order;
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? QLocale().toString(time.toLocalTime(), QLocale::ShortFormat) : QString();
}

QTableView *newTable(TextTableModel *model, const QString &name, QWidget *parent)
{
    QTableView *view = viewutil::newReadOnlyTable(model, name, parent);
    view->setColumnWidth(0, 150);
    // Hashes and paths keep both ends readable; the whole value is in the tooltip.
    view->setTextElideMode(Qt::ElideMiddle);
    return view;
}

QString jsonText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 12);
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    default:
        return {};
    }
}

/// "Slurm cluster: 4 CPUs · 2048 MB · 30 min · partition gpu"; what is not asked is the
/// cluster's default and left out.
QString clusterText(const ClusterResources &resources)
{
    QStringList asked;
    if (resources.cpus > 0)
        asked << (resources.cpus == 1 ? RunOverview::tr("1 CPU") : RunOverview::tr("%1 CPUs").arg(resources.cpus));
    if (resources.memoryMb > 0)
        asked << RunOverview::tr("%1 MB").arg(QLocale().toString(resources.memoryMb));
    if (resources.timeLimitMinutes > 0)
        asked << runformat::duration(resources.timeLimitMinutes * 60.0);
    if (!resources.partition.isEmpty())
        asked << RunOverview::tr("partition %1").arg(resources.partition);
    return asked.isEmpty() ? RunOverview::tr("Slurm cluster (its defaults)")
                           : RunOverview::tr("Slurm cluster: %1").arg(asked.join(QStringLiteral(" · ")));
}

/// What MLflow recorded of an imported run (reproducibility "mlflow"): its run id, store,
/// user, …, the known keys first under their names, any other as "MLflow <key>".
template<typename Add>
void addMlflowRows(const QJsonObject &mlflow, const Add &add)
{
    // Each with the spellings an importer may use for it.
    static const QList<QPair<QStringList, QString>> known = {
        {{QStringLiteral("runId"), QStringLiteral("run_id"), QStringLiteral("id")}, RunOverview::tr("MLflow run id")},
        {{QStringLiteral("experimentId"), QStringLiteral("experiment_id")}, RunOverview::tr("MLflow experiment id")},
        {{QStringLiteral("store"), QStringLiteral("storePath"), QStringLiteral("path")},
         RunOverview::tr("MLflow store")},
        {{QStringLiteral("user"), QStringLiteral("userId"), QStringLiteral("user_id")}, RunOverview::tr("MLflow user")},
        {{QStringLiteral("artifactUri"), QStringLiteral("artifact_uri")}, RunOverview::tr("MLflow artifacts")},
    };
    // The fingerprint only tells a later import whether the run changed.
    QStringList done = {QStringLiteral("fingerprint")};
    for (const auto &[keys, label] : known) {
        for (const QString &key : keys) {
            if (!mlflow.contains(key))
                continue;
            const QString value = jsonText(mlflow.value(key));
            add(label, keys.constFirst() == QLatin1String("store") ? QDir::toNativeSeparators(value) : value);
            done << key;
            break;
        }
    }
    for (auto it = mlflow.begin(); it != mlflow.end(); ++it) {
        if (!done.contains(it.key()))
            add(RunOverview::tr("MLflow %1").arg(it.key()), jsonText(it.value()));
    }
}

} // namespace

RunOverview::RunOverview(QWidget *parent)
    : QWidget(parent)
    , m_params(new TextTableModel(this))
    , m_results(new TextTableModel(this))
    , m_reproducibility(new TextTableModel(this))
{
    setObjectName(QStringLiteral("runOverview"));
    m_params->setHeader({tr("Parameter"), tr("Value")});
    m_results->setHeader({tr("Result"), tr("Value")});
    m_reproducibility->setHeader({tr("What"), tr("Value")});
    m_paramsView = newTable(m_params, QStringLiteral("paramsTable"), this);
    m_resultsView = newTable(m_results, QStringLiteral("resultsTable"), this);
    m_reproducibilityView = newTable(m_reproducibility, QStringLiteral("reproducibilityTable"), this);

    m_paramsBox = viewutil::newGroupBox(tr("Parameters"), m_paramsView, this);
    auto *right = new QVBoxLayout;
    m_resultsBox = viewutil::newGroupBox(tr("Results"), m_resultsView, this);
    right->addWidget(m_resultsBox, 2);
    right->addWidget(viewutil::newGroupBox(tr("Reproducibility"), m_reproducibilityView, this), 3);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(m_paramsBox, 2);
    layout->addLayout(right, 3);
}

RunOverview::~RunOverview() = default;

void RunOverview::clear()
{
    m_params->clear();
    m_results->clear();
    m_reproducibility->clear();
}

void RunOverview::showRun(const RunRecord &run, const QString &parentName)
{
    QList<QVariantList> params;
    for (const auto &[key, value] : run.params)
        params.append({key, value});
    for (auto it = run.spec.sweep.cbegin(); it != run.spec.sweep.cend(); ++it)
        params.append({tr("%1 (swept)").arg(it.key()), it.value().join(QStringLiteral(", "))});
    for (const auto &[key, value] : run.tags)
        params.append({tr("tag: %1").arg(key), value});
    m_params->setRows(params);
    m_paramsBox->setTitle(params.isEmpty()         ? tr("Parameters (none given)")
                              : run.tags.isEmpty() ? tr("Parameters")
                                                   : tr("Parameters and tags"));

    QStringList keys = run.results.keys();
    std::stable_sort(keys.begin(), keys.end(), [](const QString &a, const QString &b) {
        const qsizetype ia = resultOrder().indexOf(a);
        const qsizetype ib = resultOrder().indexOf(b);
        if (ia >= 0 || ib >= 0)
            return ia >= 0 && (ib < 0 || ia < ib);
        return a < b;
    });
    QList<QVariantList> results;
    QList<QStringList> resultTips;
    for (const QString &key : std::as_const(keys)) {
        results.append({runformat::resultLabel(key), run.results.value(key)});
        resultTips.append({key, QString::number(run.results.value(key), 'g', 17)});
    }
    m_results->setRows(results);
    m_results->setToolTips(resultTips);
    m_resultsBox->setTitle(!results.isEmpty()           ? tr("Results")
                               : isTerminal(run.status) ? tr("Results (none reported)")
                                                        : tr("Results (when the run ends)"));

    const QJsonObject info = run.reproducibility;
    QList<QVariantList> rows;
    const auto add = [&rows](const QString &what, const QString &value) {
        if (!value.isEmpty())
            rows.append({what, value});
    };
    const bool imported = run.spec.kind == RunSpec::Kind::Imported;
    if (imported)
        add(tr("Source"), runformat::sourceText(run.spec));
    if (run.parentId != 0)
        add(tr("Parent run"),
            parentName.isEmpty() ? tr("Run %1").arg(run.parentId)
                                 : tr("Run %1 · %2").arg(run.parentId).arg(parentName));
    addMlflowRows(info.value(QLatin1String("mlflow")).toObject(), add);
    const QJsonObject dataset = info.value(QLatin1String("dataset")).toObject();
    if (!dataset.isEmpty()) {
        add(tr("Dataset"),
            QStringLiteral("%1@%2")
                .arg(dataset.value(QLatin1String("name")).toString())
                .arg(dataset.value(QLatin1String("version")).toInt()));
        add(tr("Dataset SHA-256"), dataset.value(QLatin1String("sha256")).toString());
    } else {
        add(tr("Dataset"), run.spec.datasetRef);
    }
    const QJsonObject split = info.value(QLatin1String("split")).toObject();
    if (!split.isEmpty()) {
        add(tr("Split (rows)"),
            tr("train %1 · validation %2 · test %3%4")
                .arg(QLocale().toString(split.value(QLatin1String("train")).toInteger()),
                     QLocale().toString(split.value(QLatin1String("validation")).toInteger()),
                     QLocale().toString(split.value(QLatin1String("test")).toInteger()),
                     split.value(QLatin1String("stratified")).toBool() ? tr(", stratified") : QString()));
    }
    if (run.spec.kind != RunSpec::Kind::Command && !imported)
        add(tr("Seed"), info.value(QLatin1String("seed")).toString(QString::number(run.spec.seed)));
    add(tr("Trainer"), info.value(QLatin1String("trainer")).toString(run.spec.trainer));
    add(tr("Library"), info.value(QLatin1String("library")).toString());
    add(tr("Kiln"), info.value(QLatin1String("kiln")).toString());
    QStringList command;
    for (const auto &part : info.value(QLatin1String("command")).toArray())
        command << part.toString();
    if (command.isEmpty())
        command = run.spec.command;
    add(imported ? tr("MLflow source") : tr("Command"), command.join(u' '));
    add(tr("Working folder"),
        QDir::toNativeSeparators(info.value(QLatin1String("workingDir")).toString(run.spec.workingDir)));
    add(tr("Host"), info.value(QLatin1String("host")).toString(run.host));
    add(tr("System"), info.value(QLatin1String("os")).toString());
    if (run.attempt > 1 || run.spec.maxRetries > 0)
        add(tr("Attempt"), tr("%1 of %2").arg(run.attempt).arg(run.spec.maxRetries + 1));
    add(tr("Created"), timeText(run.createdAt));
    add(tr("Started"), timeText(run.startedAt));
    add(tr("Ended"), timeText(run.endedAt));
    if (run.exitCode)
        add(tr("Exit code"), QString::number(*run.exitCode));
    if (run.spec.timeoutSeconds > 0)
        add(tr("Timeout"), runformat::duration(run.spec.timeoutSeconds));
    if (run.spec.executor == QLatin1String("slurm"))
        add(tr("Run on"), clusterText(run.spec.resources));
    static const QStringList shown = {
        QStringLiteral("dataset"), QStringLiteral("split"), QStringLiteral("seed"),    QStringLiteral("trainer"),
        QStringLiteral("library"), QStringLiteral("kiln"),  QStringLiteral("command"), QStringLiteral("workingDir"),
        QStringLiteral("host"),    QStringLiteral("os"),    QStringLiteral("attempt"), QStringLiteral("params"),
        QStringLiteral("mlflow"),
    };
    for (auto it = info.begin(); it != info.end(); ++it) {
        if (!shown.contains(it.key()))
            add(it.key(), jsonText(it.value()));
    }
    m_reproducibility->setRows(rows);
    QList<QStringList> tips;
    for (const QVariantList &row : std::as_const(rows))
        tips.append({row.value(0).toString(), row.value(1).toString()});
    m_reproducibility->setToolTips(tips);
}

} // namespace kiln
