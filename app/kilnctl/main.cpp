// kilnctl: Kiln from a shell, for scripts and CI/CD. Every command takes --workspace DIR and
// --json, and exits 0 on success, 1 with a one-line reason on failure, 2 on a usage error.
#include "builtinplugins.h"
#include "cli.h"

#include <QCoreApplication>

#include <cstdio>
#include <functional>
#include <map>

using namespace kiln::cli;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("kilnctl"));
    QCoreApplication::setOrganizationName(QStringLiteral("Kiln"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KILN_VERSION));
    kiln::linkBuiltinPlugins();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Kiln from the command line.\n\n"
                       "Commands:\n"
                       "  workspace init [DIR]            create a workspace (or open an existing one)\n"
                       "  workspace info                  schema, counts and integrity check\n"
                       "  import PATH... [--name NAME]    import files, folders and archives\n"
                       "  datasets list                   datasets with their latest version\n"
                       "  datasets show NAME[@VERSION]    a version: source, hash, schema, history\n"
                       "  datasets rows NAME[@VERSION]    rows (--limit N, --offset N)\n"
                       "  datasets stats NAME[@VERSION]   per-column statistics"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("workspace"), QStringLiteral("Workspace folder (default: the user's default workspace)."),
         QStringLiteral("DIR")},
        {QStringLiteral("json"), QStringLiteral("Print machine-readable JSON.")},
        {QStringLiteral("name"), QStringLiteral("Dataset name for a single imported file."), QStringLiteral("NAME")},
        {QStringLiteral("delimiter"), QStringLiteral("Field delimiter (one character or 'tab'); detected by default."),
         QStringLiteral("C")},
        {QStringLiteral("header"), QStringLiteral("Whether the first row is a header: yes or no; detected by default."),
         QStringLiteral("yes|no")},
        {QStringLiteral("encoding"), QStringLiteral("utf-8 or latin-1; detected by default."), QStringLiteral("ENC")},
        {QStringLiteral("limit"), QStringLiteral("Rows to print (default 20)."), QStringLiteral("N")},
        {QStringLiteral("offset"), QStringLiteral("First row to print (default 0)."), QStringLiteral("N")},
    });
    parser.process(app);

    const QStringList words = parser.positionalArguments();
    Context ctx(parser);
    if (words.isEmpty())
        return ctx.usage(QStringLiteral("no command given"));

    using Command = std::function<int(Context &)>;
    const std::map<QString, Command> twoWord = {
        {QStringLiteral("workspace init"), workspaceInit}, {QStringLiteral("workspace info"), workspaceInfo},
        {QStringLiteral("datasets list"), datasetsList},   {QStringLiteral("datasets show"), datasetsShow},
        {QStringLiteral("datasets rows"), datasetsRows},   {QStringLiteral("datasets stats"), datasetsStats},
    };
    if (words.first() == QLatin1String("import")) {
        ctx.args = words.mid(1);
        return importPaths(ctx);
    }
    if (words.size() >= 2) {
        const auto it = twoWord.find(words[0] + QLatin1Char(' ') + words[1]);
        if (it != twoWord.end()) {
            ctx.args = words.mid(2);
            return it->second(ctx);
        }
    }
    return ctx.usage(QStringLiteral("unknown command '%1'").arg(words.join(QLatin1Char(' '))));
}
