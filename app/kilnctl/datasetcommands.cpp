// kilnctl's workspace, import and datasets commands.
#include "cli.h"

#include "data/datasetcatalog.h"
#include "data/datasetimport.h"
#include "data/datasettable.h"
#include "deploy/credentialstore.h"
#include "storage/database.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>

#include <cstdio>
#include <unistd.h>

namespace kiln::cli {
namespace {

QJsonObject versionJson(const DatasetVersion &v)
{
    return {{QLatin1String("name"), v.datasetName},
            {QLatin1String("version"), v.version},
            {QLatin1String("ref"), v.ref()},
            {QLatin1String("rows"), v.rowCount},
            {QLatin1String("columns"), v.columnCount},
            {QLatin1String("sha256"), v.blobSha256},
            {QLatin1String("source"), v.sourcePath},
            {QLatin1String("size"), v.sourceSize},
            {QLatin1String("format"), v.format},
            {QLatin1String("formatOptions"), v.formatOptions},
            {QLatin1String("importedAt"), v.importedAt.toString(Qt::ISODateWithMs)}};
}

QString optional(const std::optional<double> &v)
{
    return v ? QString::number(*v, 'g', 6) : QString();
}

/// The workspace and the one dataset version the arguments name: what the commands that read a
/// dataset start from.
struct OpenedDataset
{
    std::unique_ptr<Workspace> workspace;
    DatasetVersion version;
};

Expected<OpenedDataset> openDataset(const Context &ctx)
{
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ws.error();
    if (ctx.args.size() != 1)
        return Error {QStringLiteral("name one dataset: NAME or NAME@VERSION")};
    auto version = DatasetCatalog((*ws)->db()).versionByRef(ctx.args.first());
    if (!version)
        return version.error();
    return OpenedDataset {std::move(*ws), std::move(*version)};
}

/// How kilnctl reaches a team store: the URL to open (--blobs as its ?blobs= item, the
/// password of --secret-file|env|stdin in it) and that password, saved for later connections
/// once the store accepted it.
struct StoreLogin
{
    QString url;
    QByteArray password;
};

/// The usage problem of --blobs and --secret-* for `location`, empty when there is none.
QString storeOptionsProblem(const Context &ctx, const QString &location, bool takesBlobs)
{
    const int secrets = secretSources(ctx);
    const bool blobs = ctx.parser.isSet(QStringLiteral("blobs"));
    if (!Workspace::isStoreUrl(location)) {
        if (secrets > 0)
            return QStringLiteral("--secret-file, --secret-env and --secret-stdin give a team store's password: "
                                  "%1 is a folder")
                .arg(location);
        if (blobs)
            return QStringLiteral("--blobs names a team store's blob folder: %1 is a folder").arg(location);
        return {};
    }
    if (blobs && !takesBlobs)
        return QStringLiteral("--blobs is for workspace init: a store keeps the folder it was made with");
    if (blobs && QUrlQuery(QUrl(location)).hasQueryItem(QStringLiteral("blobs")))
        return QStringLiteral("give the blob folder once: --blobs DIR or ?blobs=DIR in the URL");
    if (secrets > 1)
        return QStringLiteral("give the password one way: --secret-file, --secret-env or --secret-stdin");
    if (secrets > 0 && !QUrl(location).password().isEmpty())
        return QStringLiteral("the URL already holds a password: leave it out when giving --secret-file, "
                              "--secret-env or --secret-stdin");
    return {};
}

/// The URL to open `location` with (after storeOptionsProblem() found none).
Expected<StoreLogin> storeLogin(const Context &ctx, const QString &location)
{
    StoreLogin login {location, {}};
    QUrl url(location);
    const QString blobs = ctx.parser.value(QStringLiteral("blobs"));
    if (!blobs.isEmpty()) {
        QUrlQuery query(url);
        const QString folder = QDir::cleanPath(QDir::current().absoluteFilePath(blobs));
        query.addQueryItem(QStringLiteral("blobs"), QString::fromLatin1(QUrl::toPercentEncoding(folder, "/")));
        url.setQuery(query);
    }
    auto secret = readSecret(ctx);
    if (!secret)
        return secret.error();
    login.password = *secret;
    if (!login.password.isEmpty())
        url.setPassword(QString::fromUtf8(login.password));
    login.url = url.toString(QUrl::FullyEncoded);
    return login;
}

/// Saves the password the store just accepted; empty when none was given, else where it went.
Expected<QString> savePassword(const StoreLogin &login)
{
    if (login.password.isEmpty())
        return QString();
    if (Status s = Database::storePassword(login.url, login.password); !s)
        return Error {QStringLiteral("the team store %1 accepted the password, but it could not be saved: %2")
                          .arg(Database::displayUrl(login.url), s.errorMessage())};
    return CredentialStore().backendName();
}

/// Whether the database at `url` is a Kiln store already (read only).
Expected<bool> isKilnStore(const QString &url)
{
    auto db = Database::open(url);
    if (!db)
        return db.error();
    auto stmt = (*db)->prepare("SELECT to_regclass('kiln_schema') IS NOT NULL");
    if (!stmt)
        return stmt.error();
    const bool kiln = stmt->next() && stmt->int64(0) != 0;
    if (Status s = (*db)->lastStepStatus(); !s)
        return Error {QStringLiteral("cannot read the team store %1: %2").arg((*db)->path(), s.errorMessage())};
    return kiln;
}

/// One value a query over the workspace's database answers (a count), -1 when it fails.
qint64 countOf(Database &db, const char *sql)
{
    auto stmt = db.prepare(sql);
    return stmt && stmt->next() ? stmt->int64(0) : -1;
}

QString textOf(Database &db, const char *sql)
{
    auto stmt = db.prepare(sql);
    return stmt && stmt->next() ? stmt->text(0) : QString();
}

/// What `workspace info` counts, in a folder as in a team store.
struct WorkspaceCounts
{
    explicit WorkspaceCounts(Database &db)
        : datasets(countOf(db, "SELECT COUNT(*) FROM datasets"))
        , versions(countOf(db, "SELECT COUNT(*) FROM dataset_versions"))
        , blobs(countOf(db, "SELECT COUNT(*) FROM blobs"))
        , blobBytes(countOf(db, "SELECT COALESCE(SUM(size), 0) FROM blobs"))
    { }

    void addTo(QJsonObject &o) const
    {
        o.insert(QLatin1String("datasets"), datasets);
        o.insert(QLatin1String("versions"), versions);
        o.insert(QLatin1String("blobs"), blobs);
        o.insert(QLatin1String("blobBytes"), blobBytes);
    }

    qint64 datasets;
    qint64 versions;
    qint64 blobs;
    qint64 blobBytes;
};

int initTeamStore(Context &ctx, const QString &location)
{
    if (const QString problem = storeOptionsProblem(ctx, location, true); !problem.isEmpty())
        return ctx.usage(problem);
    auto login = storeLogin(ctx, location);
    if (!login)
        return ctx.fail(login.errorMessage());
    auto existed = isKilnStore(login->url);
    if (!existed)
        return ctx.fail(existed.errorMessage());
    auto ws = Workspace::open(login->url, Workspace::OpenMode::CreateIfMissing);
    if (!ws)
        return ctx.fail(ws.errorMessage());
    auto saved = savePassword(*login);
    if (!saved)
        return ctx.fail(saved.errorMessage());
    const QString shown = Database::displayUrl(location);
    if (ctx.json) {
        QJsonObject o {{QLatin1String("ok"), true},
                       {QLatin1String("kind"), QStringLiteral("teamStore")},
                       {QLatin1String("location"), shown},
                       {QLatin1String("blobFolder"), (*ws)->root()},
                       {QLatin1String("created"), !*existed},
                       {QLatin1String("schemaVersion"), (*ws)->schemaVersion()},
                       {QLatin1String("passwordSaved"), !saved->isEmpty()}};
        if (!saved->isEmpty())
            o.insert(QLatin1String("credentials"), *saved);
        ctx.printJson(o);
        return Success;
    }
    ctx.printLine(
        QStringLiteral("%1 team store %2 (blobs in %3)")
            .arg(*existed ? QStringLiteral("Opened existing") : QStringLiteral("Created"), shown, (*ws)->root()));
    if (!saved->isEmpty())
        ctx.printLine(QStringLiteral("Password saved (%1)").arg(*saved));
    return Success;
}

int teamStoreInfo(Context &ctx, const QString &location)
{
    if (const QString problem = storeOptionsProblem(ctx, location, false); !problem.isEmpty())
        return ctx.usage(problem);
    auto login = storeLogin(ctx, location);
    if (!login)
        return ctx.fail(login.errorMessage());
    auto ws = Workspace::open(login->url, Workspace::OpenMode::OpenExisting);
    if (!ws)
        return ctx.fail(ws.errorMessage());
    auto saved = savePassword(*login);
    if (!saved)
        return ctx.fail(saved.errorMessage());
    Database &db = (*ws)->db();
    const Status integrity = db.integrityCheck();
    const QString shown = Database::displayUrl(location);
    const QString server = textOf(db, "SHOW server_version");
    const QString recorded = textOf(db, "SELECT value FROM workspace_info WHERE key = 'blob_folder'");
    const WorkspaceCounts counts(db);
    const qint64 runs = countOf(db, "SELECT COUNT(*) FROM runs");
    const QString integrityText = integrity.ok() ? QStringLiteral("ok") : integrity.errorMessage();
    if (ctx.json) {
        QJsonObject o {{QLatin1String("ok"), integrity.ok()},
                       {QLatin1String("kind"), QStringLiteral("teamStore")},
                       {QLatin1String("location"), shown},
                       {QLatin1String("server"), QStringLiteral("PostgreSQL %1").arg(server)},
                       {QLatin1String("serverVersion"), server},
                       {QLatin1String("schemaVersion"), (*ws)->schemaVersion()},
                       {QLatin1String("blobFolder"), (*ws)->root()},
                       {QLatin1String("recordedBlobFolder"), recorded},
                       {QLatin1String("runs"), runs},
                       {QLatin1String("passwordSaved"), !saved->isEmpty()},
                       {QLatin1String("integrity"), integrityText}};
        counts.addTo(o);
        if (!saved->isEmpty())
            o.insert(QLatin1String("credentials"), *saved);
        ctx.printJson(o);
        return integrity.ok() ? Success : Failure;
    }
    ctx.printLine(QStringLiteral("Team store:  %1").arg(shown));
    ctx.printLine(QStringLiteral("Server:      PostgreSQL %1").arg(server));
    ctx.printLine(QStringLiteral("Schema:      version %1").arg((*ws)->schemaVersion()));
    QString blobFolder = (*ws)->root();
    if (!recorded.isEmpty() && recorded != blobFolder)
        blobFolder += QStringLiteral(" (recorded by its maker: %1)").arg(recorded);
    ctx.printLine(QStringLiteral("Blob folder: %1").arg(blobFolder));
    ctx.printLine(QStringLiteral("Datasets:    %1 (%2 versions)").arg(counts.datasets).arg(counts.versions));
    ctx.printLine(QStringLiteral("Runs:        %1").arg(runs));
    ctx.printLine(QStringLiteral("Blobs:       %1 (%2 bytes)").arg(counts.blobs).arg(counts.blobBytes));
    if (!saved->isEmpty())
        ctx.printLine(QStringLiteral("Password:    saved (%1)").arg(*saved));
    ctx.printLine(QStringLiteral("Integrity:   %1").arg(integrityText));
    return integrity.ok() ? Success : Failure;
}

} // namespace

int workspaceInit(Context &ctx)
{
    const QString location = ctx.args.isEmpty() ? ctx.workspaceFolder() : ctx.args.first();
    if (Workspace::isStoreUrl(location))
        return initTeamStore(ctx, location);
    if (const QString problem = storeOptionsProblem(ctx, location, true); !problem.isEmpty())
        return ctx.usage(problem);
    const bool existed = Workspace::isWorkspace(location);
    auto ws = Workspace::open(location, Workspace::OpenMode::CreateIfMissing);
    if (!ws)
        return ctx.fail(ws.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("kind"), QStringLiteral("folder")},
                       {QLatin1String("path"), (*ws)->root()},
                       {QLatin1String("created"), !existed},
                       {QLatin1String("schemaVersion"), (*ws)->schemaVersion()}});
    else
        ctx.printLine(QStringLiteral("%1 workspace %2")
                          .arg(existed ? QStringLiteral("Opened existing") : QStringLiteral("Created"), (*ws)->root()));
    return Success;
}

int workspaceInfo(Context &ctx)
{
    const QString location = ctx.workspaceFolder();
    if (Workspace::isStoreUrl(location))
        return teamStoreInfo(ctx, location);
    if (const QString problem = storeOptionsProblem(ctx, location, false); !problem.isEmpty())
        return ctx.usage(problem);
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    Database &db = (*ws)->db();
    const Status integrity = db.integrityCheck();
    const WorkspaceCounts counts(db);
    const QString integrityText = integrity.ok() ? QStringLiteral("ok") : integrity.errorMessage();
    if (ctx.json) {
        QJsonObject o {{QLatin1String("ok"), integrity.ok()},
                       {QLatin1String("kind"), QStringLiteral("folder")},
                       {QLatin1String("path"), (*ws)->root()},
                       {QLatin1String("schemaVersion"), (*ws)->schemaVersion()},
                       {QLatin1String("integrity"), integrityText}};
        counts.addTo(o);
        ctx.printJson(o);
    } else {
        ctx.printLine(QStringLiteral("Workspace:  %1").arg((*ws)->root()));
        ctx.printLine(QStringLiteral("Schema:     version %1").arg((*ws)->schemaVersion()));
        ctx.printLine(QStringLiteral("Datasets:   %1 (%2 versions)").arg(counts.datasets).arg(counts.versions));
        ctx.printLine(QStringLiteral("Blobs:      %1 (%2 bytes)").arg(counts.blobs).arg(counts.blobBytes));
        ctx.printLine(QStringLiteral("Integrity:  %1").arg(integrityText));
    }
    return integrity.ok() ? Success : Failure;
}

int importPaths(Context &ctx)
{
    if (ctx.args.isEmpty())
        return ctx.usage(QStringLiteral("import needs at least one file or folder"));
    auto ws = Workspace::open(ctx.workspaceFolder(), Workspace::OpenMode::CreateIfMissing);
    if (!ws)
        return ctx.fail(ws.errorMessage());
    ImportRequest request;
    request.workspaceRoot = (*ws)->location();
    request.paths = ctx.args;
    request.name = ctx.parser.value(QStringLiteral("name"));
    const QString delimiter = ctx.parser.value(QStringLiteral("delimiter"));
    if (!delimiter.isEmpty()) {
        const QString d
            = delimiter == QLatin1String("\\t") || delimiter == QLatin1String("tab") ? QStringLiteral("\t") : delimiter;
        if (d.size() != 1)
            return ctx.usage(QStringLiteral("--delimiter takes one character (or 'tab')"));
        request.options.insert(QLatin1String("delimiter"), d);
    }
    const QString header = ctx.parser.value(QStringLiteral("header"));
    if (!header.isEmpty()) {
        if (header != QLatin1String("yes") && header != QLatin1String("no"))
            return ctx.usage(QStringLiteral("--header takes yes or no"));
        request.options.insert(QLatin1String("header"), header == QLatin1String("yes"));
    }
    const QString encoding = ctx.parser.value(QStringLiteral("encoding"));
    if (!encoding.isEmpty()) {
        if (encoding != QLatin1String("utf-8") && encoding != QLatin1String("latin-1"))
            return ctx.usage(QStringLiteral("--encoding takes utf-8 or latin-1"));
        request.options.insert(QLatin1String("encoding"), encoding);
    }
    Feedback feedback;
    const bool showProgress = !ctx.json && isatty(fileno(stderr));
    int lastPercent = -1;
    if (showProgress) {
        feedback.setProgressCallback([&lastPercent](double p) {
            const int percent = int(p * 100);
            if (percent != lastPercent) {
                lastPercent = percent;
                std::fprintf(stderr, "\rimporting... %3d%%", percent);
            }
        });
    }
    const ImportReport report = kiln::importPaths(**ws, request, feedback);
    if (showProgress)
        std::fprintf(stderr, "\r                  \r");

    if (ctx.json) {
        QJsonArray imported;
        for (const ImportedDataset &d : report.imported)
            imported.append(QJsonObject {{QLatin1String("name"), d.name},
                                         {QLatin1String("version"), d.version},
                                         {QLatin1String("rows"), d.rows},
                                         {QLatin1String("columns"), d.columns},
                                         {QLatin1String("unchanged"), d.unchanged},
                                         {QLatin1String("source"), d.source}});
        QJsonArray failed;
        for (const ImportFailure &f : report.failed)
            failed.append(QJsonObject {{QLatin1String("source"), f.source}, {QLatin1String("error"), f.message}});
        ctx.printJson({{QLatin1String("ok"), report.failed.isEmpty()},
                       {QLatin1String("imported"), imported},
                       {QLatin1String("failed"), failed},
                       {QLatin1String("skipped"), QJsonArray::fromStringList(report.skipped)}});
    } else {
        for (const ImportedDataset &d : report.imported) {
            ctx.printLine(
                d.unchanged
                    ? QStringLiteral("%1@%2 unchanged (same content as the latest version)").arg(d.name).arg(d.version)
                    : QStringLiteral("%1@%2: %3 rows, %4 columns from %5")
                          .arg(d.name)
                          .arg(d.version)
                          .arg(d.rows)
                          .arg(d.columns)
                          .arg(d.source));
        }
        for (const QString &s : report.skipped)
            ctx.printLine(QStringLiteral("skipped %1").arg(s));
    }
    for (const ImportFailure &f : report.failed)
        std::fprintf(stderr, "kilnctl: %s\n", f.message.toUtf8().constData());
    return report.failed.isEmpty() && !report.cancelled ? Success : Failure;
}

int datasetsList(Context &ctx)
{
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    auto datasets = DatasetCatalog((*ws)->db()).datasets();
    if (!datasets)
        return ctx.fail(datasets.errorMessage());
    if (ctx.json) {
        QJsonArray list;
        for (const DatasetSummary &d : *datasets)
            list.append(QJsonObject {{QLatin1String("name"), d.name},
                                     {QLatin1String("latestVersion"), d.latestVersion},
                                     {QLatin1String("versions"), d.versionCount},
                                     {QLatin1String("rows"), d.latestRowCount},
                                     {QLatin1String("columns"), d.latestColumnCount},
                                     {QLatin1String("updatedAt"), d.updatedAt.toString(Qt::ISODateWithMs)}});
        ctx.printJson({{QLatin1String("ok"), true}, {QLatin1String("datasets"), list}});
        return Success;
    }
    QList<QStringList> rows;
    for (const DatasetSummary &d : *datasets)
        rows << QStringList {d.name, QString::number(d.latestVersion), QString::number(d.latestRowCount),
                             QString::number(d.latestColumnCount), d.updatedAt.toLocalTime().toString(Qt::ISODate)};
    ctx.printLine(formatTable({QStringLiteral("NAME"), QStringLiteral("VERSION"), QStringLiteral("ROWS"),
                               QStringLiteral("COLUMNS"), QStringLiteral("UPDATED")},
                              rows));
    return Success;
}

int datasetsShow(Context &ctx)
{
    auto opened = openDataset(ctx);
    if (!opened)
        return ctx.fail(opened.errorMessage());
    Workspace &ws = *opened->workspace;
    const DatasetVersion &v = opened->version;
    auto versions = DatasetCatalog(ws.db()).versions(v.datasetName);
    if (ctx.json) {
        QJsonObject o = versionJson(v);
        QJsonArray columns;
        for (const ColumnProfile &c : v.columns)
            columns.append(
                QJsonObject {{QLatin1String("name"), c.name}, {QLatin1String("type"), columnTypeName(c.type)}});
        o.insert(QLatin1String("schema"), columns);
        QJsonArray history;
        if (versions) {
            for (const DatasetVersion &h : *versions)
                history.append(versionJson(h));
        }
        o.insert(QLatin1String("versions"), history);
        o.insert(QLatin1String("ok"), true);
        ctx.printJson(o);
        return Success;
    }
    ctx.printLine(QStringLiteral("%1  %2 rows x %3 columns").arg(v.ref()).arg(v.rowCount).arg(v.columnCount));
    ctx.printLine(QStringLiteral("source:   %1 (%2 bytes)").arg(v.sourcePath).arg(v.sourceSize));
    ctx.printLine(QStringLiteral("sha256:   %1").arg(v.blobSha256));
    ctx.printLine(QStringLiteral("imported: %1").arg(v.importedAt.toString(Qt::ISODateWithMs)));
    ctx.printLine(QStringLiteral("format:   %1 %2")
                      .arg(v.format, QString::fromUtf8(QJsonDocument(v.formatOptions).toJson(QJsonDocument::Compact))));
    QList<QStringList> rows;
    for (const ColumnProfile &c : v.columns)
        rows << QStringList {c.name, columnTypeName(c.type)};
    ctx.printLine(formatTable({QStringLiteral("COLUMN"), QStringLiteral("TYPE")}, rows));
    if (versions && versions->size() > 1) {
        ctx.printLine(QStringLiteral("versions:"));
        for (const DatasetVersion &h : *versions)
            ctx.printLine(QStringLiteral("  @%1  %2 rows  %3  %4")
                              .arg(h.version)
                              .arg(h.rowCount)
                              .arg(h.blobSha256.left(12), h.importedAt.toString(Qt::ISODate)));
    }
    return Success;
}

int datasetsRows(Context &ctx)
{
    auto opened = openDataset(ctx);
    if (!opened)
        return ctx.fail(opened.errorMessage());
    Workspace &ws = *opened->workspace;
    const DatasetVersion &v = opened->version;
    bool ok = true;
    const qint64 limit
        = ctx.parser.isSet(QStringLiteral("limit")) ? ctx.parser.value(QStringLiteral("limit")).toLongLong(&ok) : 20;
    if (!ok || limit < 0)
        return ctx.usage(QStringLiteral("--limit takes a whole number"));
    const qint64 offset
        = ctx.parser.isSet(QStringLiteral("offset")) ? ctx.parser.value(QStringLiteral("offset")).toLongLong(&ok) : 0;
    if (!ok || offset < 0)
        return ctx.usage(QStringLiteral("--offset takes a whole number"));
    auto table = DatasetTable::open(ws.blobs(), v);
    if (!table)
        return ctx.fail(table.errorMessage());
    const qint64 end = std::min((*table)->rowCount(), offset + limit);
    if (ctx.json) {
        QJsonArray rows;
        for (qint64 r = offset; r < end; ++r)
            rows.append(QJsonArray::fromStringList((*table)->row(r)));
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("ref"), v.ref()},
                       {QLatin1String("columns"), QJsonArray::fromStringList((*table)->columnNames())},
                       {QLatin1String("offset"), offset},
                       {QLatin1String("totalRows"), (*table)->rowCount()},
                       {QLatin1String("rows"), rows}});
        return Success;
    }
    QList<QStringList> rows;
    for (qint64 r = offset; r < end; ++r)
        rows << (*table)->row(r);
    ctx.printLine(formatTable((*table)->columnNames(), rows));
    return Success;
}

int datasetsStats(Context &ctx)
{
    auto opened = openDataset(ctx);
    if (!opened)
        return ctx.fail(opened.errorMessage());
    const DatasetVersion &v = opened->version;
    if (ctx.json) {
        QJsonArray columns;
        for (const ColumnProfile &c : v.columns) {
            QJsonObject o = c.statsToJson();
            o.insert(QLatin1String("name"), c.name);
            o.insert(QLatin1String("type"), columnTypeName(c.type));
            columns.append(o);
        }
        ctx.printJson(
            {{QLatin1String("ok"), true}, {QLatin1String("ref"), v.ref()}, {QLatin1String("columns"), columns}});
        return Success;
    }
    QList<QStringList> rows;
    for (const ColumnProfile &c : v.columns) {
        QStringList top;
        for (const auto &[value, n] : c.topValues.mid(0, 3))
            top << QStringLiteral("%1 (%2)").arg(value).arg(n);
        rows << QStringList {c.name,
                             columnTypeName(c.type),
                             QString::number(c.count),
                             QString::number(c.missing),
                             (c.distinctExact ? QString() : QStringLiteral(">=")) + QString::number(c.distinct),
                             c.min,
                             c.max,
                             optional(c.mean),
                             optional(c.std),
                             top.join(QLatin1String(", "))};
    }
    ctx.printLine(
        formatTable({QStringLiteral("COLUMN"), QStringLiteral("TYPE"), QStringLiteral("COUNT"),
                     QStringLiteral("MISSING"), QStringLiteral("DISTINCT"), QStringLiteral("MIN"),
                     QStringLiteral("MAX"), QStringLiteral("MEAN"), QStringLiteral("STD"), QStringLiteral("TOP")},
                    rows));
    return Success;
}

} // namespace kiln::cli
