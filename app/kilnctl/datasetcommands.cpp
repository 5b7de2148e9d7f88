// kilnctl's workspace, import and datasets commands.
#include "cli.h"

#include "data/datasetcatalog.h"
#include "data/datasetimport.h"
#include "data/datasettable.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

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

} // namespace

int workspaceInit(Context &ctx)
{
    const QString folder = ctx.args.isEmpty() ? ctx.workspaceFolder() : ctx.args.first();
    const bool existed = Workspace::isWorkspace(folder);
    auto ws = Workspace::open(folder, Workspace::OpenMode::CreateIfMissing);
    if (!ws)
        return ctx.fail(ws.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true},
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
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    Database &db = (*ws)->db();
    const Status integrity = db.integrityCheck();
    const auto count = [&db](const char *sql) -> qint64 {
        auto stmt = db.prepare(sql);
        return stmt && stmt->next() ? stmt->int64(0) : -1;
    };
    const qint64 datasets = count("SELECT COUNT(*) FROM datasets");
    const qint64 versions = count("SELECT COUNT(*) FROM dataset_versions");
    const qint64 blobs = count("SELECT COUNT(*) FROM blobs");
    const qint64 blobBytes = count("SELECT COALESCE(SUM(size), 0) FROM blobs");
    if (ctx.json) {
        ctx.printJson({{QLatin1String("ok"), integrity.ok()},
                       {QLatin1String("path"), (*ws)->root()},
                       {QLatin1String("schemaVersion"), (*ws)->schemaVersion()},
                       {QLatin1String("datasets"), datasets},
                       {QLatin1String("versions"), versions},
                       {QLatin1String("blobs"), blobs},
                       {QLatin1String("blobBytes"), blobBytes},
                       {QLatin1String("integrity"), integrity.ok() ? QStringLiteral("ok") : integrity.errorMessage()}});
    } else {
        ctx.printLine(QStringLiteral("Workspace:  %1").arg((*ws)->root()));
        ctx.printLine(QStringLiteral("Schema:     version %1").arg((*ws)->schemaVersion()));
        ctx.printLine(QStringLiteral("Datasets:   %1 (%2 versions)").arg(datasets).arg(versions));
        ctx.printLine(QStringLiteral("Blobs:      %1 (%2 bytes)").arg(blobs).arg(blobBytes));
        ctx.printLine(
            QStringLiteral("Integrity:  %1").arg(integrity.ok() ? QStringLiteral("ok") : integrity.errorMessage()));
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
