// kilnctl's models commands that change what is registered: alias, tag, status and delete.
// Listing, registering and bundles: modelcommands.cpp.
#include "modelcommands.h"

#include "models/registrymodels.h"
#include "registry/modelregistry.h"
#include "workspace/workspace.h"

#include <QJsonArray>

#include <algorithm>
#include <optional>
#include <utility>

namespace kiln::cli {
namespace {

/// "3" or "v3": a version number, 0 when it is neither.
int versionNumber(const QString &text)
{
    const QString digits = text.startsWith(QLatin1Char('v'), Qt::CaseInsensitive) ? text.mid(1) : text;
    bool ok = false;
    const int number = digits.toInt(&ok);
    return ok && number > 0 ? number : 0;
}

} // namespace

int modelsAlias(Context &ctx)
{
    const bool remove = ctx.parser.isSet(QStringLiteral("remove"));
    if (remove ? ctx.args.size() != 2 : ctx.args.size() != 3 && !(ctx.args.size() == 2 && namesVersion(ctx.args[0])))
        return ctx.usage(remove ? QStringLiteral("models alias --remove needs a model and an alias: "
                                                 "kilnctl models alias NAME ALIAS --remove")
                                : QStringLiteral("models alias needs a model, a version and an alias: "
                                                 "kilnctl models alias NAME VERSION ALIAS"));
    int version = 0;
    if (ctx.args.size() == 3) {
        version = versionNumber(ctx.args[1]);
        if (version == 0)
            return ctx.usage(QStringLiteral("'%1' is not a version number").arg(ctx.args[1]));
    }
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    ModelRegistry registry(**ws);
    QString name = ctx.args[0];
    const QString alias = ctx.args.last();
    if (!remove && ctx.args.size() == 2) { // NAME@VERSION ALIAS, or NAME@ALIAS ALIAS
        auto target = registry.version(ctx.args[0]);
        if (!target)
            return ctx.fail(target.errorMessage());
        name = target->modelName;
        version = target->version;
    }
    auto model = registry.model(name);
    if (!model)
        return ctx.fail(model.errorMessage());
    const int previous = model->aliases.value(alias, 0);
    const QString refOf = name + QLatin1Char('@');

    if (remove) {
        if (previous == 0)
            return ctx.fail(QStringLiteral("%1 has no alias '%2'").arg(name, alias));
        if (Status s = registry.removeAlias(name, alias); !s)
            return ctx.fail(s.errorMessage());
        if (ctx.json)
            ctx.printJson({{QLatin1String("ok"), true},
                           {QLatin1String("model"), name},
                           {QLatin1String("alias"), alias},
                           {QLatin1String("removed"), true},
                           {QLatin1String("previous"), previous}});
        else
            ctx.printLine(QStringLiteral("removed %1 (was %2%3)").arg(alias, refOf).arg(previous));
        return Success;
    }
    if (Status s = registry.setAlias(name, alias, version); !s)
        return ctx.fail(s.errorMessage());
    if (ctx.json) {
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("model"), name},
                       {QLatin1String("alias"), alias},
                       {QLatin1String("version"), version},
                       {QLatin1String("previous"), previous > 0 ? QJsonValue(previous) : QJsonValue()}});
        return Success;
    }
    const QString now = refOf + QString::number(version);
    if (previous == 0)
        ctx.printLine(QStringLiteral("%1 %2 %3").arg(alias, kArrow, now));
    else if (previous == version)
        ctx.printLine(QStringLiteral("%1: already %2").arg(alias, now));
    else
        ctx.printLine(QStringLiteral("%1: %2%3 %4 %5").arg(alias, refOf).arg(previous).arg(kArrow, now));
    return Success;
}

int modelsTag(Context &ctx)
{
    const bool remove = ctx.parser.isSet(QStringLiteral("remove"));
    const QString usage = QStringLiteral("kilnctl models tag NAME[@VERSION] KEY=VALUE... [--remove KEY]");
    if (ctx.args.size() < 2)
        return ctx.usage(QStringLiteral("models tag needs a model or version and tags: %1").arg(usage));
    // KEY=VALUE sets (the value may hold '=' and be empty); with --remove a bare KEY removes.
    QList<QPair<QString, QString>> set;
    QStringList removed;
    for (const QString &word : ctx.args.mid(1)) {
        const qsizetype equals = word.indexOf(QLatin1Char('='));
        const QString key = (equals < 0 ? word : word.left(equals)).trimmed();
        if (key.isEmpty())
            return ctx.usage(QStringLiteral("'%1' has no key: %2").arg(word, usage));
        if (equals >= 0)
            set.append({key, word.mid(equals + 1)});
        else if (remove)
            removed << key;
        else
            return ctx.usage(QStringLiteral("'%1' is not KEY=VALUE (to remove the tag, add --remove)").arg(word));
    }
    if (remove && removed.isEmpty())
        return ctx.usage(QStringLiteral("models tag --remove needs the KEY to remove: %1").arg(usage));

    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    ModelRegistry registry(**ws);
    // NAME@VERSION (or @ALIAS) tags that version, a bare NAME the model.
    QString name = ctx.args.first();
    int number = 0;
    if (namesVersion(name)) {
        auto version = registry.version(name);
        if (!version)
            return ctx.fail(version.errorMessage());
        name = version->modelName;
        number = version->version;
    }
    const auto tagsNow = [&]() -> Expected<QList<QPair<QString, QString>>> {
        if (number > 0) {
            auto version = registry.version(name, number);
            if (!version)
                return version.error();
            return version->tags;
        }
        auto model = registry.model(name);
        if (!model)
            return model.error();
        return model->tags;
    };
    const QString owner = number == 0 ? name : name + QLatin1Char('@') + QString::number(number);
    auto before = tagsNow();
    if (!before)
        return ctx.fail(before.errorMessage());
    // A key to remove that is not there fails before anything changes.
    for (const QString &key : std::as_const(removed)) {
        if (std::none_of(before->cbegin(), before->cend(), [&key](const auto &tag) { return tag.first == key; }))
            return ctx.fail(QStringLiteral("%1 has no tag '%2'").arg(owner, key));
    }
    for (const auto &[key, value] : std::as_const(set)) {
        if (Status s
            = number == 0 ? registry.setModelTag(name, key, value) : registry.setVersionTag(name, number, key, value);
            !s)
            return ctx.fail(s.errorMessage());
    }
    for (const QString &key : std::as_const(removed)) {
        if (Status s = number == 0 ? registry.removeModelTag(name, key) : registry.removeVersionTag(name, number, key);
            !s)
            return ctx.fail(s.errorMessage());
    }
    auto after = tagsNow();
    if (!after)
        return ctx.fail(after.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("model"), name},
                       {QLatin1String("version"), number == 0 ? QJsonValue() : QJsonValue(number)},
                       {QLatin1String("tags"), pairsJson(*after)},
                       {QLatin1String("removed"), QJsonArray::fromStringList(removed)}});
    else
        ctx.printLine(after->isEmpty()
                          ? QStringLiteral("%1: no tags").arg(owner)
                          : QStringLiteral("%1 tags: %2").arg(owner, ModelVersionsModel::tagsText(*after)));
    return Success;
}

int modelsStatus(Context &ctx)
{
    if (ctx.args.size() != 2 || !namesVersion(ctx.args[0]))
        return ctx.usage(QStringLiteral("models status needs a version and a status: "
                                        "kilnctl models status NAME@VERSION ready|staging|production|archived"));
    const std::optional<VersionStatus> status = versionStatusFromName(ctx.args[1]);
    if (!status)
        return ctx.usage(
            QStringLiteral("a status is ready, staging, production or archived, not '%1'").arg(ctx.args[1]));
    auto found = findVersion(ctx, ctx.args[0]);
    if (!found)
        return ctx.fail(found.errorMessage());
    const ModelVersion &version = found->version;
    if (Status s = ModelRegistry(*found->workspace).setStatus(version.modelName, version.version, *status); !s)
        return ctx.fail(s.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("ref"), version.ref()},
                       {QLatin1String("status"), versionStatusName(*status)},
                       {QLatin1String("previous"), versionStatusName(version.status)}});
    else
        ctx.printLine(QStringLiteral("%1: %2 %3 %4")
                          .arg(version.ref(), versionStatusName(version.status), kArrow, versionStatusName(*status)));
    return Success;
}

int modelsDelete(Context &ctx)
{
    if (ctx.args.size() != 1 || !namesVersion(ctx.args[0]))
        return ctx.usage(QStringLiteral("models delete needs one version: kilnctl models delete NAME@VERSION --yes"));
    if (!ctx.parser.isSet(QStringLiteral("yes")))
        return ctx.usage(
            QStringLiteral("models delete removes %1 and its aliases for good; add --yes to confirm").arg(ctx.args[0]));
    auto found = findVersion(ctx, ctx.args[0]);
    if (!found)
        return ctx.fail(found.errorMessage());
    const ModelVersion &version = found->version;
    if (Status s = ModelRegistry(*found->workspace).deleteVersion(version.modelName, version.version); !s)
        return ctx.fail(s.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("deleted"), version.ref()},
                       {QLatin1String("aliases"), QJsonArray::fromStringList(version.aliases)}});
    else
        ctx.printLine(
            QStringLiteral("Deleted %1%2")
                .arg(version.ref(),
                     version.aliases.isEmpty()
                         ? QString()
                         : QStringLiteral(" and its aliases %1").arg(version.aliases.join(QLatin1String(", ")))));
    return Success;
}

} // namespace kiln::cli
