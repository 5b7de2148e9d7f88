// kilnctl's runs list, compare and export: queries over the runs table snapshot (RunTable) with
// the filter language of the Experiments panel.
#include "cli.h"

#include "models/csv.h"
#include "models/runtablemodel.h"
#include "runs/rundiff.h"
#include "runs/runfilter.h"
#include "runs/runstore.h"
#include "runs/runtable.h"
#include "workspace/workspace.h"

#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cstdio>

namespace kiln::cli {
namespace {

void printError(const QString &line)
{
    std::fprintf(stderr, "kilnctl: %s\n", line.toUtf8().constData());
}

/// --filter parsed; a syntax error is printed with the expression and a caret under the
/// failing column (and the caller exits with a usage error).
std::optional<RunFilter> readFilter(const Context &ctx)
{
    RunFilter filter = RunFilter::parse(ctx.parser.value(QStringLiteral("filter")));
    if (filter.isValid())
        return filter;
    QString shown = filter.expression();
    shown.replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
    printError(
        QStringLiteral("invalid filter at column %1: %2").arg(filter.errorPosition() + 1).arg(filter.errorMessage()));
    std::fprintf(stderr, "  %s\n  %s^\n", shown.toUtf8().constData(),
                 QString(filter.errorPosition(), QLatin1Char(' ')).toUtf8().constData());
    return std::nullopt;
}

/// A filter on a misspelt key matches nothing: say which keys no run has.
void warnUnknownKeys(const RunFilter &filter, const RunTable &table)
{
    for (const QString &key : filter.unknownKeys(table))
        printError(QStringLiteral("warning: no run has %1, so the filter matches no run on it").arg(key));
}

/// The --order-by column and direction; nullopt for newest run first (also after a warning
/// that no run has the key: the workspace may not have such runs yet). A syntax error is a
/// usage error: `ok` is set false.
std::optional<RunOrder> readOrder(const Context &ctx, const RunTable &table, bool &ok)
{
    ok = true;
    const QString expression = ctx.parser.value(QStringLiteral("order-by"));
    if (expression.trimmed().isEmpty())
        return std::nullopt;
    auto order = parseRunOrder(expression, table);
    if (order)
        return *order;
    // parseRunOrder reports syntax as "column N: ..." and a well-formed unknown key as "no run has ...".
    if (order.errorMessage().startsWith(QLatin1String("no run has "))) {
        printError(QStringLiteral("warning: %1: --order-by ignored").arg(order.errorMessage()));
        return std::nullopt;
    }
    printError(QStringLiteral("invalid --order-by at %1").arg(order.errorMessage()));
    ok = false;
    return std::nullopt;
}

RunTableQuery tableQuery(const Context &ctx)
{
    RunTableQuery query;
    const QString experiment = ctx.parser.value(QStringLiteral("experiment"));
    if (!experiment.isEmpty())
        query.experiments = {experiment};
    return query;
}

/// The stored runs `ids`, in that order: a few queries per run for a few runs, one bulk read
/// of every run (four queries) for many.
Expected<QList<RunRecord>> runRecords(const RunStore &store, const std::vector<qint64> &ids, const QString &experiment)
{
    QList<RunRecord> records;
    if (ids.size() <= 200) {
        for (qint64 id : ids) {
            auto run = store.run(id);
            if (!run)
                return run.error();
            records << std::move(run).value();
        }
        return records;
    }
    RunQuery query;
    query.experiment = experiment;
    auto all = store.runs(query);
    if (!all)
        return all.error();
    QHash<qint64, qsizetype> index;
    for (qsizetype i = 0; i < all->size(); ++i)
        index.insert(all->at(i).id, i);
    for (qint64 id : ids) {
        if (const auto it = index.constFind(id); it != index.constEnd())
            records << all->at(*it);
    }
    return records;
}

/// A cell for JSON: metrics as numbers, the rest as exact text, null when the run has none.
QJsonValue cellJson(const RunTable::Column &column, int row)
{
    if (column.isMissing(row))
        return QJsonValue::Null;
    if (column.kind == RunColumnKind::Metric && !column.text)
        return column.number(row);
    return column.exactText(row);
}

} // namespace

int runsList(Context &ctx)
{
    const std::optional<RunFilter> filter = readFilter(ctx);
    if (!filter)
        return UsageError;
    std::optional<RunStatus> status;
    if (ctx.parser.isSet(QStringLiteral("status"))) {
        status = runStatusFromName(ctx.parser.value(QStringLiteral("status")));
        if (!status)
            return ctx.usage(
                QStringLiteral("--status takes queued, running, finished, failed, cancelled or interrupted"));
    }
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    RunStore store((*ws)->db());
    // Runs whose runner died (kill -9, a crash) show as interrupted, not running forever.
    store.markInterrupted();
    auto loaded = RunTable::load((*ws)->db(), tableQuery(ctx));
    if (!loaded)
        return ctx.fail(loaded.errorMessage());
    const RunTable &table = **loaded;
    warnUnknownKeys(*filter, table);
    std::vector<int> rows = filter->matchingRows(table);
    if (status)
        rows.erase(std::remove_if(rows.begin(), rows.end(), [&](int row) { return table.status(row) != *status; }),
                   rows.end());
    bool orderOk = true;
    if (const std::optional<RunOrder> order = readOrder(ctx, table, orderOk))
        rows = table.sortedRows(std::move(rows), order->column, order->order);
    else if (!orderOk)
        return UsageError;
    else
        std::sort(rows.begin(), rows.end(), [&table](int a, int b) { return table.runId(a) > table.runId(b); });
    const int matched = int(rows.size());
    const int limit = ctx.parser.value(QStringLiteral("limit")).toInt(); // 0 or none: every run
    if (limit > 0 && limit < matched)
        rows.resize(std::size_t(limit));

    std::vector<qint64> ids;
    ids.reserve(rows.size());
    for (int row : rows)
        ids.push_back(table.runId(row));
    auto runs = runRecords(store, ids, ctx.parser.value(QStringLiteral("experiment")));
    if (!runs)
        return ctx.fail(runs.errorMessage());
    if (ctx.json) {
        QJsonArray list;
        for (const RunRecord &run : std::as_const(*runs))
            list.append(runJson(run));
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("runs"), list},
                       {QLatin1String("matched"), matched},
                       {QLatin1String("total"), table.rowCount()}});
        return Success;
    }
    QList<QStringList> lines;
    for (const RunRecord &run : std::as_const(*runs)) {
        QStringList results;
        for (auto it = run.results.begin(); it != run.results.end() && results.size() < 3; ++it)
            results << QStringLiteral("%1=%2").arg(it.key()).arg(it.value(), 0, 'g', 4);
        const double seconds = run.durationSeconds();
        lines << QStringList {QString::number(run.id),
                              run.experiment,
                              run.name,
                              runStatusName(run.status),
                              seconds < 0 ? QString() : QString::number(seconds, 'f', 1) + QLatin1Char('s'),
                              results.join(QLatin1Char(' '))};
    }
    ctx.printLine(formatTable({QStringLiteral("RUN"), QStringLiteral("EXPERIMENT"), QStringLiteral("NAME"),
                               QStringLiteral("STATUS"), QStringLiteral("TIME"), QStringLiteral("RESULTS")},
                              lines));
    return Success;
}

int runsCompare(Context &ctx)
{
    if (ctx.args.size() < 2)
        return ctx.usage(QStringLiteral("runs compare needs two or more runs: kilnctl runs compare RUN RUN..."));
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    RunStore store((*ws)->db());
    store.markInterrupted();
    RunTableQuery query;
    for (const QString &ref : std::as_const(ctx.args)) {
        auto run = store.runByRef(ref);
        if (!run)
            return ctx.fail(run.errorMessage());
        if (std::find(query.runIds.begin(), query.runIds.end(), run->id) == query.runIds.end())
            query.runIds.push_back(run->id);
    }
    auto loaded = RunTable::load((*ws)->db(), query);
    if (!loaded)
        return ctx.fail(loaded.errorMessage());
    const RunTable &table = **loaded;
    std::vector<int> rows;
    for (qint64 id : query.runIds) {
        const int row = table.rowOfRun(id);
        if (row < 0)
            return ctx.fail(QStringLiteral("run %1 is gone from the workspace").arg(id));
        rows.push_back(row);
    }
    const RunDiff diff = diffRuns(table, rows);
    if (diff.commonMetrics == 0)
        printError(QStringLiteral("note: these runs have no metric in common"));

    if (ctx.json) {
        QJsonArray runs;
        for (std::size_t i = 0; i < diff.rows.size(); ++i)
            runs.append(QJsonObject {{QLatin1String("id"), table.runId(diff.rows[i])},
                                     {QLatin1String("label"), diff.runLabels.value(qsizetype(i))}});
        QJsonArray lines;
        for (const RunDiffRow &line : diff.lines) {
            const RunTable::Column &column = table.column(line.column);
            QJsonArray values;
            for (int row : diff.rows)
                values.append(cellJson(column, row));
            lines.append(QJsonObject {{QLatin1String("name"), line.label},
                                      {QLatin1String("values"), values},
                                      {QLatin1String("display"), QJsonArray::fromStringList(line.values)},
                                      {QLatin1String("differs"), line.differs}});
        }
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("runs"), runs},
                       {QLatin1String("commonMetrics"), diff.commonMetrics},
                       {QLatin1String("lines"), lines}});
        return Success;
    }
    const bool all = ctx.parser.isSet(QStringLiteral("all"));
    QList<QStringList> lines;
    for (const RunDiffRow &line : diff.lines) {
        if (!all && !line.differs)
            continue;
        // With --all, a star marks what differs.
        lines << (QStringList {all && line.differs ? QLatin1String("* ") + line.label : line.label} + line.values);
    }
    if (lines.isEmpty()) {
        ctx.printLine(QStringLiteral("no differences: these runs have the same params, metrics and tags"));
        return Success;
    }
    ctx.printLine(formatTable(QStringList {QString()} + diff.runLabels, lines));
    return Success;
}

int runsExport(Context &ctx)
{
    const QString format = ctx.parser.value(QStringLiteral("format"));
    if (!format.isEmpty() && format.compare(QLatin1String("csv"), Qt::CaseInsensitive) != 0)
        return ctx.usage(QStringLiteral("runs export writes --format csv, not '%1'").arg(format));
    const QString output = ctx.parser.value(QStringLiteral("output"));
    if (ctx.json && output.isEmpty())
        return ctx.usage(QStringLiteral("runs export --json needs --output FILE (the CSV goes to stdout otherwise)"));
    const std::optional<RunFilter> filter = readFilter(ctx);
    if (!filter)
        return UsageError;
    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    RunStore((*ws)->db()).markInterrupted();

    // The Experiments panel's model writes the CSV, so the shell and the app export alike.
    RunTableModel model;
    model.setPollInterval(0);
    model.setExperiments(tableQuery(ctx).experiments);
    QEventLoop loop;
    QString loadError;
    QObject::connect(&model, &RunTableModel::loaded, &loop, [&loop] { loop.quit(); });
    QObject::connect(&model, &RunTableModel::loadFailed, &loop, [&loop, &loadError](const QString &message) {
        loadError = message;
        loop.quit();
    });
    model.setDatabasePath((*ws)->databasePath());
    loop.exec();
    if (!model.table())
        return ctx.fail(loadError.isEmpty() ? QStringLiteral("cannot read the runs") : loadError);
    const RunTable &table = *model.table();
    warnUnknownKeys(*filter, table);
    model.setFilter(filter->expression());
    bool orderOk = true;
    if (const std::optional<RunOrder> order = readOrder(ctx, table, orderOk)) {
        const RunTable::Column &column = table.column(order->column);
        model.sort(model.columnForKey(column.kind, column.key, column.stat), order->order);
    } else if (!orderOk) {
        return UsageError;
    }

    if (output.isEmpty()) {
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly))
            return ctx.fail(QStringLiteral("cannot write to stdout: %1").arg(out.errorString()));
        if (Status s = model.writeCsv(out); !s)
            return ctx.fail(s.errorMessage());
        return Success;
    }
    if (Status s = writeCsvFile(output, [&model](QIODevice &device) { return model.writeCsv(device); }); !s)
        return ctx.fail(s.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("path"), output},
                       {QLatin1String("runs"), model.visibleRunCount()},
                       {QLatin1String("columns"), model.columnCount()}});
    else
        ctx.printLine(QStringLiteral("wrote %1 runs to %2").arg(model.visibleRunCount()).arg(output));
    return Success;
}

} // namespace kiln::cli
