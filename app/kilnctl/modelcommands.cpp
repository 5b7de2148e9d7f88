// kilnctl's models commands: the model registry from a shell (list, show, register) and bundles
// (export, import). Changing versions (alias, tag, status, delete): modeleditcommands.cpp.
// Prediction: predictcommand.cpp.
#include "modelcommands.h"

#include "models/registrymodels.h"
#include "models/runformat.h"
#include "registry/bundle.h"
#include "registry/modelregistry.h"
#include "runs/runstore.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <memory>
#include <utility>

namespace kiln::cli {

bool namesVersion(const QString &text)
{
    return text.contains(QLatin1Char('@'));
}

Expected<FoundVersion> findVersion(const Context &ctx, const QString &ref)
{
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ws.error();
    auto version = ModelRegistry(**ws).version(ref);
    if (!version)
        return version.error();
    return FoundVersion {std::move(ws).value(), std::move(version).value()};
}

namespace {

/// "champion→3, challenger→4": a model's aliases in version order.
QString aliasesText(const QMap<QString, int> &aliases)
{
    QList<std::pair<int, QString>> byVersion;
    for (auto it = aliases.begin(); it != aliases.end(); ++it)
        byVersion.append({it.value(), it.key()});
    std::sort(byVersion.begin(), byVersion.end());
    QStringList parts;
    for (const auto &[version, alias] : std::as_const(byVersion))
        parts << alias + kArrow + QString::number(version);
    return parts.join(QLatin1String(", "));
}

/// Two metrics a reader compares versions by (a table cell stays readable); others when the
/// run has none of them.
QString keyMetricsText(const QMap<QString, double> &metrics)
{
    static const char *const preferred[] = {"accuracy", "roc_auc", "f1_macro", "rmse", "r2", "mae"};
    QStringList keys;
    for (const char *key : preferred) {
        if (metrics.contains(QLatin1String(key)))
            keys << QLatin1String(key);
    }
    for (auto it = metrics.begin(); keys.isEmpty() && it != metrics.end(); ++it)
        keys << it.key();
    QStringList parts;
    for (const QString &key : std::as_const(keys).mid(0, 2))
        parts << key + QLatin1Char('=') + runformat::metricValue(metrics.value(key));
    return parts.join(QLatin1Char(' '));
}

/// Where a version came from, in a few words: the run's number, or the bundle.
QString sourceText(const ModelVersion &v)
{
    if (v.runId > 0)
        return QString::number(v.runId);
    if (v.lineage.source == QLatin1String("bundle"))
        return QStringLiteral("bundle %1").arg(v.lineage.origin.isEmpty() ? v.lineage.bundleFile : v.lineage.origin);
    return QStringLiteral("deleted run %1").arg(v.lineage.runUuid.left(8));
}

QJsonObject modelJson(const RegisteredModel &m)
{
    return {{QLatin1String("name"), m.name},
            {QLatin1String("description"), m.description},
            {QLatin1String("tags"), pairsJson(m.tags)},
            {QLatin1String("latestVersion"), m.latestVersion},
            {QLatin1String("versions"), m.versionCount},
            {QLatin1String("aliases"), mapJson(m.aliases)},
            {QLatin1String("createdAt"), timeJson(m.createdAt)},
            {QLatin1String("updatedAt"), timeJson(m.updatedAt)}};
}

/// A version as the models commands print it with --json: the facts a versions table shows,
/// and with `full` everything kept with it (signature, lineage, encoding, example, card...).
QJsonObject versionJson(const ModelVersion &v, bool full)
{
    QJsonObject o {{QLatin1String("model"), v.modelName},
                   {QLatin1String("version"), v.version},
                   {QLatin1String("ref"), v.ref()},
                   {QLatin1String("status"), versionStatusName(v.status)},
                   {QLatin1String("aliases"), QJsonArray::fromStringList(v.aliases)},
                   {QLatin1String("tags"), pairsJson(v.tags)},
                   {QLatin1String("trainer"), v.trainer},
                   {QLatin1String("modelFormat"), v.modelFormat},
                   {QLatin1String("sha256"), v.modelSha256},
                   {QLatin1String("size"), v.modelSize},
                   {QLatin1String("run"), v.runId > 0 ? QJsonValue(v.runId) : QJsonValue()},
                   {QLatin1String("source"), v.lineage.source},
                   {QLatin1String("metrics"), mapJson(v.metrics)},
                   {QLatin1String("deployed"), v.isDeployed()},
                   {QLatin1String("createdAt"), timeJson(v.createdAt)},
                   {QLatin1String("updatedAt"), timeJson(v.updatedAt)}};
    if (!full)
        return o;
    QJsonArray deployments;
    for (const DeploymentRecord &d : v.deployments)
        deployments.append(deploymentJson(d));
    o.insert(QLatin1String("signature"), v.signature.toJson());
    o.insert(QLatin1String("lineage"), v.lineage.toJson());
    o.insert(QLatin1String("encoding"), v.encoding.toJson());
    o.insert(QLatin1String("inputExample"), v.inputExample);
    o.insert(QLatin1String("evaluation"), v.evaluation);
    o.insert(QLatin1String("profile"), profileToJson(v.profile));
    o.insert(QLatin1String("deployments"), deployments);
    o.insert(QLatin1String("card"), v.card);
    return o;
}

void printSignature(const Context &ctx, const ModelSignature &signature)
{
    QList<QStringList> rows;
    for (const SignatureColumn &c : signature.inputs) {
        QString categories;
        if (!c.categories.isEmpty())
            categories = QStringLiteral("%1%2: %3")
                             .arg(c.categories.size())
                             .arg(c.otherCategories ? QStringLiteral(" and others") : QString(),
                                  c.categories.join(QLatin1String(", ")));
        rows << QStringList {QLatin1String("  ") + c.name, columnTypeName(c.type), categories};
    }
    ctx.printLine(QStringLiteral("inputs:"));
    ctx.printLine(
        formatTable({QStringLiteral("  COLUMN"), QStringLiteral("TYPE"), QStringLiteral("CATEGORIES")}, rows));
    ctx.printLine(QStringLiteral("outputs:     %1").arg(signature.outputNames().join(QLatin1String(", "))));
}

void printInputExample(const Context &ctx, const ModelSignature &signature, const QJsonArray &example)
{
    if (example.isEmpty())
        return;
    QStringList header; // the signature's order, then anything else the records hold
    for (const SignatureColumn &c : signature.inputs)
        header << c.name;
    for (const QJsonValue record : example) {
        for (const QString &key : record.toObject().keys()) {
            if (!header.contains(key))
                header << key;
        }
    }
    QList<QStringList> rows;
    for (const QJsonValue record : example) {
        const QJsonObject o = record.toObject();
        QStringList row;
        for (const QString &key : std::as_const(header))
            row << o.value(key).toVariant().toString();
        rows << row;
    }
    ctx.printLine(QStringLiteral("input example:"));
    ctx.printLine(formatTable(header, rows));
}

void printVersion(const Context &ctx, const ModelVersion &v)
{
    ctx.printLine(
        QStringLiteral("%1  %2  %3 (%4)").arg(v.ref(), versionStatusName(v.status), v.trainer, v.modelFormat));
    if (!v.aliases.isEmpty())
        ctx.printLine(QStringLiteral("aliases:     %1").arg(v.aliases.join(QLatin1String(", "))));
    if (!v.tags.isEmpty())
        ctx.printLine(QStringLiteral("tags:        %1").arg(ModelVersionsModel::tagsText(v.tags)));
    ctx.printLine(QStringLiteral("created:     %1").arg(timeText(v.createdAt)));
    ctx.printLine(QStringLiteral("model:       sha256 %1 (%2 bytes)").arg(v.modelSha256).arg(v.modelSize));
    const ModelLineage &l = v.lineage;
    if (l.source == QLatin1String("bundle"))
        ctx.printLine(
            QStringLiteral("source:      bundle %1%2")
                .arg(l.bundleFile, l.origin.isEmpty() ? QString() : QStringLiteral(" (exported as %1)").arg(l.origin)));
    if (!l.runUuid.isEmpty()) {
        QStringList run;
        if (v.runId > 0)
            run << QString::number(v.runId);
        run << QStringLiteral("'%1' (%2) in experiment %3").arg(l.runName, l.runUuid, l.experiment);
        if (v.runId == 0 && l.source != QLatin1String("bundle"))
            run << QStringLiteral("(deleted)");
        ctx.printLine(QStringLiteral("run:         %1").arg(run.join(QLatin1Char(' '))));
    }
    if (!l.datasetName.isEmpty())
        ctx.printLine(QStringLiteral("dataset:     %1@%2 (%3 rows, sha256 %4)")
                          .arg(l.datasetName)
                          .arg(l.datasetVersion)
                          .arg(l.datasetRows)
                          .arg(l.datasetSha256));
    const ModelSignature &s = v.signature;
    ctx.printLine(
        QStringLiteral("task:        %1, predicts '%2'%3")
            .arg(taskKindName(s.task), s.target,
                 s.classes.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(s.classes.join(QLatin1String(", ")))));
    for (const auto &[key, value] : l.params)
        ctx.printLine(QStringLiteral("param        %1 = %2").arg(key, value));
    for (auto it = v.metrics.begin(); it != v.metrics.end(); ++it)
        ctx.printLine(QStringLiteral("metric       %1 = %2").arg(it.key(), runformat::metricValue(it.value())));
    printSignature(ctx, s);
    printInputExample(ctx, s, v.inputExample);
    if (!v.deployments.isEmpty()) {
        QList<QStringList> rows;
        for (const DeploymentRecord &d : v.deployments)
            rows << QStringList {QLatin1String("  ") + d.target, d.status, timeText(d.createdAt), timeText(d.endedAt)};
        ctx.printLine(QStringLiteral("deployments:"));
        ctx.printLine(formatTable(
            {QStringLiteral("  TARGET"), QStringLiteral("STATUS"), QStringLiteral("SINCE"), QStringLiteral("ENDED")},
            rows));
    }
    if (!v.card.trimmed().isEmpty()) {
        ctx.printLine(QStringLiteral("card:"));
        ctx.printLine(v.card.trimmed());
    }
}

int showModel(const Context &ctx, const ModelRegistry &registry, const QString &name)
{
    auto model = registry.model(name);
    if (!model)
        return ctx.fail(model.errorMessage());
    auto versions = registry.versions(name);
    if (!versions)
        return ctx.fail(versions.errorMessage());
    if (ctx.json) {
        QJsonArray list;
        for (const ModelVersion &v : std::as_const(*versions))
            list.append(versionJson(v, true));
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("model"), modelJson(*model)},
                       {QLatin1String("versions"), list}});
        return Success;
    }
    ctx.printLine(QStringLiteral("%1  %2 versions, latest @%3")
                      .arg(model->name)
                      .arg(model->versionCount)
                      .arg(model->latestVersion));
    if (!model->description.isEmpty())
        ctx.printLine(QStringLiteral("description: %1").arg(model->description));
    if (!model->tags.isEmpty())
        ctx.printLine(QStringLiteral("tags:        %1").arg(ModelVersionsModel::tagsText(model->tags)));
    if (!model->aliases.isEmpty())
        ctx.printLine(QStringLiteral("aliases:     %1").arg(aliasesText(model->aliases)));
    QList<QStringList> rows;
    for (const ModelVersion &v : std::as_const(*versions))
        rows << QStringList {QString::number(v.version),
                             v.aliases.join(QLatin1String(", ")),
                             versionStatusName(v.status),
                             ModelVersionsModel::tagsText(v.tags),
                             keyMetricsText(v.metrics),
                             timeText(v.createdAt),
                             sourceText(v)};
    ctx.printLine(formatTable({QStringLiteral("VERSION"), QStringLiteral("ALIASES"), QStringLiteral("STATUS"),
                               QStringLiteral("TAGS"), QStringLiteral("METRICS"), QStringLiteral("CREATED"),
                               QStringLiteral("RUN")},
                              rows));
    return Success;
}

} // namespace

int modelsList(Context &ctx)
{
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    auto models = ModelRegistry(**ws).models();
    if (!models)
        return ctx.fail(models.errorMessage());
    if (ctx.json) {
        QJsonArray list;
        for (const RegisteredModel &m : std::as_const(*models))
            list.append(modelJson(m));
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("models"), list}});
        return Success;
    }
    QList<QStringList> rows;
    for (const RegisteredModel &m : std::as_const(*models))
        rows << QStringList {m.name, m.latestVersion > 0 ? QString::number(m.latestVersion) : QString(),
                             QString::number(m.versionCount), aliasesText(m.aliases), timeText(m.updatedAt)};
    ctx.printLine(formatTable({QStringLiteral("NAME"), QStringLiteral("LATEST"), QStringLiteral("VERSIONS"),
                               QStringLiteral("ALIASES"), QStringLiteral("UPDATED")},
                              rows));
    return Success;
}

int modelsShow(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(QStringLiteral("models show needs one model: kilnctl models show NAME[@VERSION|@ALIAS]"));
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    const ModelRegistry registry(**ws);
    const QString &ref = ctx.args.first();
    if (!namesVersion(ref))
        return showModel(ctx, registry, ref);
    auto version = registry.version(ref);
    if (!version)
        return ctx.fail(version.errorMessage());
    if (ctx.json) {
        auto model = registry.model(version->modelName);
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("model"), model ? modelJson(*model) : QJsonObject()},
                       {QLatin1String("version"), versionJson(*version, true)}});
        return Success;
    }
    printVersion(ctx, *version);
    return Success;
}

int modelsRegister(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(QStringLiteral("models register needs one run: kilnctl models register RUN --name NAME"));
    const QString name = ctx.parser.value(QStringLiteral("name"));
    if (name.isEmpty())
        return ctx.usage(QStringLiteral("models register needs --name NAME: the model to add a version to"));
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    auto run = RunStore((*ws)->db()).runByRef(ctx.args.first());
    if (!run)
        return ctx.fail(run.errorMessage());
    ModelRegistry registry(**ws);
    const bool existed = registry.model(name).ok();
    RegisterOptions options;
    options.description = ctx.parser.value(QStringLiteral("description"));
    auto version = registry.registerRun(run->id, name, options);
    if (!version)
        return ctx.fail(version.errorMessage());
    // The registry describes a model when it creates it; an existing one takes a new text here.
    if (existed && !options.description.isEmpty()) {
        if (Status s = registry.setModelDescription(name, options.description); !s)
            return ctx.fail(s.errorMessage());
    }
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("version"), versionJson(*version, false)}});
    else
        ctx.printLine(QStringLiteral("Registered %1 from run %2").arg(version->ref()).arg(run->id));
    return Success;
}

int modelsExport(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(QStringLiteral("models export needs one version: kilnctl models export NAME@VERSION -o FILE"));
    auto found = findVersion(ctx, ctx.args.first());
    if (!found)
        return ctx.fail(found.errorMessage());
    const ModelVersion &version = found->version;
    QString path = ctx.parser.value(QStringLiteral("output"));
    if (path.isEmpty())
        path = QDir::current().filePath(suggestedBundleName(version));
    if (Status s = exportBundle(*found->workspace, version.ref(), path); !s)
        return ctx.fail(s.errorMessage());
    const qint64 size = QFileInfo(path).size();
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("ref"), version.ref()},
                       {QLatin1String("path"), QFileInfo(path).absoluteFilePath()},
                       {QLatin1String("size"), size}});
    else
        ctx.printLine(QStringLiteral("Exported %1 to %2 (%3 bytes)").arg(version.ref(), path).arg(size));
    return Success;
}

int modelsImport(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(QStringLiteral("models import needs one bundle: kilnctl models import FILE [--name NAME]"));
    // Like `import`, the first bundle may create the workspace.
    auto ws = Workspace::open(ctx.workspaceFolder(), Workspace::OpenMode::CreateIfMissing);
    if (!ws)
        return ctx.fail(ws.errorMessage());
    const QString &path = ctx.args.first();
    auto version = importBundle(**ws, path, ctx.parser.value(QStringLiteral("name")));
    if (!version)
        return ctx.fail(version.errorMessage());
    if (ctx.json) {
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("version"), versionJson(*version, false)}});
        return Success;
    }
    const QString &origin = version->lineage.origin;
    ctx.printLine(
        QStringLiteral("Imported %1 from %2%3")
            .arg(version->ref(), path, origin.isEmpty() ? QString() : QStringLiteral(" (exported as %1)").arg(origin)));
    return Success;
}

} // namespace kiln::cli
