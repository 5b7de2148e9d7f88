// kilnctl targets (add, list, remove, kinds): where deploy pushes to. Targets live in the
// workspace (TargetStore), their secrets in the CredentialStore; the kinds come from plugins.
#include "cli.h"

#include "deploy/credentialstore.h"
#include "deploy/targetstore.h"
#include "plugin/pluginmanager.h"
#include "workspace/workspace.h"

#include <QJsonArray>

#include <algorithm>

namespace kiln::cli {
namespace {

QString kindNames()
{
    QStringList ids;
    for (const TargetKind *kind : PluginManager::instance().targetKinds())
        ids << kind->id();
    return ids.join(QLatin1String(", "));
}

/// "location (required): Agent URL, e.g. http://host:8080; secret (required, secret): ...":
/// what a kind asks for, on one line for an error message.
QString fieldsText(const TargetKind &kind)
{
    QStringList parts;
    for (const TargetField &f : kind.fields()) {
        QStringList flags;
        if (f.required)
            flags << QStringLiteral("required");
        if (f.secret)
            flags << QStringLiteral("secret");
        QString part = f.key;
        if (!flags.isEmpty())
            part += QStringLiteral(" (%1)").arg(flags.join(QLatin1String(", ")));
        part += QStringLiteral(": ") + f.label;
        if (!f.placeholder.isEmpty())
            part += QStringLiteral(", e.g. ") + f.placeholder;
        parts << part;
    }
    return QStringLiteral("%1 fields: %2").arg(kind.id(), parts.join(QLatin1String("; ")));
}

/// How a field is given on the command line.
QString fieldArgument(const TargetField &f)
{
    if (f.key == QLatin1String("location"))
        return QStringLiteral("--location LOC");
    if (f.secret)
        return QStringLiteral("--secret-file FILE | --secret-env VAR | --secret-stdin");
    return QStringLiteral("--option %1=VALUE").arg(f.key);
}

QString optionsText(const QJsonObject &options)
{
    QStringList parts;
    for (auto it = options.begin(); it != options.end(); ++it)
        parts << it.key() + QLatin1Char('=') + it.value().toVariant().toString();
    return parts.join(QLatin1String(", "));
}

QJsonObject targetJson(const TargetConfig &t)
{
    return {{QLatin1String("name"), t.name},
            {QLatin1String("kind"), t.kind},
            {QLatin1String("location"), t.location},
            {QLatin1String("options"), t.options},
            {QLatin1String("createdAt"), timeJson(t.createdAt)}};
}

} // namespace

int targetsAdd(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(
            QStringLiteral("targets add needs one name: kilnctl targets add NAME --kind KIND --location LOCATION"));
    const QString kindId = ctx.parser.value(QStringLiteral("kind"));
    if (kindId.isEmpty())
        return ctx.usage(QStringLiteral("targets add needs --kind: one of %1").arg(kindNames()));
    const TargetKind *kind = PluginManager::instance().targetKind(kindId);
    if (!kind)
        return ctx.usage(QStringLiteral("no target kind '%1': the kinds are %2").arg(kindId, kindNames()));
    const QList<TargetField> fields = kind->fields();
    const auto field = [&fields](const QString &key) -> const TargetField * {
        const auto it
            = std::find_if(fields.begin(), fields.end(), [&key](const TargetField &f) { return f.key == key; });
        return it == fields.end() ? nullptr : &*it;
    };

    TargetConfig config;
    config.name = ctx.args.first();
    config.kind = kind->id();
    config.location = ctx.parser.value(QStringLiteral("location"));
    for (const QString &pair : ctx.parser.values(QStringLiteral("option"))) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return ctx.usage(QStringLiteral("--option takes KEY=VALUE, not '%1'").arg(pair));
        const QString key = pair.left(eq);
        const TargetField *f = field(key);
        if ((f && f->secret) || key == QLatin1String("secret"))
            return ctx.usage(QStringLiteral("'%1' is a secret: give it with --secret-file FILE, --secret-env VAR or "
                                            "--secret-stdin, never on the command line")
                                 .arg(key));
        if (key == QLatin1String("location"))
            return ctx.usage(QStringLiteral("give the location with --location, not --option"));
        if (!f)
            return ctx.usage(
                QStringLiteral("the %1 kind has no option '%2'; %3").arg(kind->id(), key, fieldsText(*kind)));
        config.options.insert(key, pair.mid(eq + 1));
    }
    const int sources = secretSources(ctx);
    if (sources > 1)
        return ctx.usage(QStringLiteral("give the secret one way: --secret-file, --secret-env or --secret-stdin"));
    const bool secretGiven = sources > 0;
    const bool takesSecret = std::any_of(fields.begin(), fields.end(), [](const TargetField &f) { return f.secret; });
    if (secretGiven && !takesSecret)
        return ctx.usage(QStringLiteral("the %1 kind takes no secret; %2").arg(kind->id(), fieldsText(*kind)));
    QStringList missing;
    for (const TargetField &f : fields) {
        if (!f.required)
            continue;
        const bool present = f.key == QLatin1String("location") ? !config.location.isEmpty()
            : f.secret                                          ? secretGiven
                                                                : config.options.contains(f.key);
        if (!present)
            missing << fieldArgument(f);
    }
    TargetField location;
    location.key = QStringLiteral("location");
    if (config.location.isEmpty() && !missing.contains(fieldArgument(location)))
        missing.prepend(fieldArgument(location)); // every kind needs one, whatever its fields say
    if (!missing.isEmpty())
        return ctx.usage(QStringLiteral("targets add --kind %1 needs %2; %3")
                             .arg(kind->id(), missing.join(QLatin1String(" and ")), fieldsText(*kind)));
    auto secret = readSecret(ctx);
    if (!secret)
        return ctx.fail(secret.errorMessage());

    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    CredentialStore credentials;
    if (Status added = TargetStore(**ws).add(config, *secret, credentials); !added)
        return ctx.fail(added.errorMessage());
    auto stored = TargetStore(**ws).get(config.name);
    if (!stored)
        return ctx.fail(stored.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("target"), targetJson(*stored)}});
    else
        ctx.printLine(QStringLiteral("Added target %1 (%2 %3)%4")
                          .arg(stored->name, stored->kind, stored->location,
                               secret->isEmpty() ? QString()
                                                 : QStringLiteral(", secret kept in %1").arg(credentials.filePath())));
    return Success;
}

int targetsList(Context &ctx)
{
    if (!ctx.args.isEmpty())
        return ctx.usage(QStringLiteral("targets list takes no arguments"));
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    auto targets = TargetStore(**ws).list();
    if (!targets)
        return ctx.fail(targets.errorMessage());
    if (ctx.json) {
        QJsonArray list;
        for (const TargetConfig &t : std::as_const(*targets))
            list.append(targetJson(t));
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("targets"), list}});
        return Success;
    }
    QList<QStringList> rows;
    for (const TargetConfig &t : std::as_const(*targets))
        rows << QStringList {t.name, t.kind, t.location, optionsText(t.options)};
    ctx.printLine(formatTable(
        {QStringLiteral("NAME"), QStringLiteral("KIND"), QStringLiteral("LOCATION"), QStringLiteral("OPTIONS")}, rows));
    return Success;
}

int targetsRemove(Context &ctx)
{
    int exitCode = Success;
    if (!oneTarget(ctx, QStringLiteral("targets remove"), exitCode))
        return exitCode;
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    CredentialStore credentials;
    if (Status removed = TargetStore(**ws).remove(ctx.args.first(), credentials); !removed)
        return ctx.fail(removed.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("removed"), ctx.args.first()}});
    else
        ctx.printLine(QStringLiteral("Removed target %1").arg(ctx.args.first()));
    return Success;
}

int targetsKinds(Context &ctx)
{
    if (!ctx.args.isEmpty())
        return ctx.usage(QStringLiteral("targets kinds takes no arguments"));
    QJsonArray kinds;
    for (const TargetKind *kind : PluginManager::instance().targetKinds()) {
        QJsonArray fields;
        qsizetype width = 0;
        for (const TargetField &f : kind->fields())
            width = std::max(width, f.key.size());
        QStringList lines {QStringLiteral("%1 — %2").arg(kind->id(), kind->displayName())};
        for (const TargetField &f : kind->fields()) {
            fields.append(QJsonObject {{QLatin1String("key"), f.key},
                                       {QLatin1String("label"), f.label},
                                       {QLatin1String("placeholder"), f.placeholder},
                                       {QLatin1String("help"), f.help},
                                       {QLatin1String("required"), f.required},
                                       {QLatin1String("secret"), f.secret}});
            // "  location  Agent URL (required): --location LOC, e.g. http://host:8080", then the help.
            lines << QStringLiteral("  %1  %2%3: %4%5")
                         .arg(f.key.leftJustified(width), f.label,
                              f.required ? QStringLiteral(" (required)") : QString(), fieldArgument(f),
                              f.placeholder.isEmpty() ? QString() : QStringLiteral(", e.g. ") + f.placeholder);
            if (!f.help.isEmpty())
                lines << QString(width + 4, QLatin1Char(' ')) + f.help;
        }
        kinds.append(QJsonObject {{QLatin1String("id"), kind->id()},
                                  {QLatin1String("name"), kind->displayName()},
                                  {QLatin1String("fields"), fields}});
        if (!ctx.json)
            ctx.printLine(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
    }
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("kinds"), kinds}});
    return Success;
}

} // namespace kiln::cli
