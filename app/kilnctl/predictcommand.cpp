// kilnctl predict: a registered model version's predictions for rows in a file (CSV or JSON in
// any shape MLflow's scoring server takes, or stdin) or for a stored dataset version, written
// as CSV or JSON.
#include "cli.h"

#include "data/datasetcatalog.h"
#include "data/datasettable.h"
#include "models/csv.h"
#include "registry/predictor.h"
#include "workspace/workspace.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <cctype>
#include <cstdio>

namespace kiln::cli {
namespace {

enum class InputFormat { Csv, Json };

/// By the file's extension; otherwise (stdin, other names) by its first non-space byte: '[' or
/// '{' start JSON, anything else is CSV.
InputFormat inputFormat(const QString &path, const QByteArray &bytes)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("json"))
        return InputFormat::Json;
    if (suffix == QLatin1String("csv"))
        return InputFormat::Csv;
    const qsizetype start = bytes.startsWith("\xEF\xBB\xBF") ? 3 : 0; // a UTF-8 byte order mark
    for (qsizetype i = start; i < bytes.size(); ++i) {
        const char c = bytes.at(i);
        if (!std::isspace(static_cast<unsigned char>(c)))
            return c == '[' || c == '{' ? InputFormat::Json : InputFormat::Csv;
    }
    return InputFormat::Csv;
}

Expected<QByteArray> readInput(const QString &path)
{
    QFile file;
    bool opened = false;
    if (path == QLatin1String("-")) {
        opened = file.open(stdin, QIODevice::ReadOnly);
    } else {
        file.setFileName(path);
        opened = file.open(QIODevice::ReadOnly);
    }
    if (!opened)
        return Error {QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return Error {QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    return bytes;
}

/// Input columns the model does not take (the target, ids, ...) are left out of the
/// prediction; say which, so that a misspelt column is not a silent mystery.
void noteIgnoredColumns(const LoadedModel &model, const QStringList &columns)
{
    QStringList ignored;
    for (const QString &column : columns) {
        if (!model.signature().input(column))
            ignored << column;
    }
    if (!ignored.isEmpty())
        std::fprintf(stderr, "kilnctl: note: ignored columns: %s\n",
                     ignored.join(QLatin1String(", ")).toUtf8().constData());
}

int writePredictions(const Context &ctx, const Predictions &predictions, const QString &format, const QString &output)
{
    const QByteArray bytes = format == QLatin1String("json")
        ? QJsonDocument(predictions.toJson()).toJson(QJsonDocument::Indented)
        : predictions.toCsv();
    if (output.isEmpty()) {
        if (std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stdout) != std::size_t(bytes.size())
            || std::fflush(stdout) != 0)
            return ctx.fail(QStringLiteral("cannot write the predictions to stdout"));
        return Success;
    }
    // One file writer for CSV and JSON: whole or not at all.
    const Status written = writeCsvFile(output, [&bytes](QIODevice &device) -> Status {
        if (device.write(bytes) != bytes.size())
            return Error {device.errorString()};
        return Status::success();
    });
    if (!written)
        return ctx.fail(written.errorMessage());
    if (ctx.json)
        ctx.printJson({{QLatin1String("ok"), true},
                       {QLatin1String("path"), QFileInfo(output).absoluteFilePath()},
                       {QLatin1String("format"), format},
                       {QLatin1String("rows"), predictions.rows}});
    else
        ctx.printLine(QStringLiteral("wrote %1 predictions to %2").arg(predictions.rows).arg(output));
    return Success;
}

} // namespace

int predict(Context &ctx)
{
    if (ctx.args.size() != 1)
        return ctx.usage(
            QStringLiteral("predict needs one model: kilnctl predict MODEL[@VERSION|@ALIAS] --input FILE"));
    const QString input = ctx.parser.value(QStringLiteral("input"));
    const QString dataset = ctx.parser.value(QStringLiteral("dataset"));
    if (input.isEmpty() == dataset.isEmpty())
        return ctx.usage(QStringLiteral(
            "predict needs one of --input FILE (CSV or JSON; - reads stdin) and --dataset NAME[@VERSION]"));
    const QString output = ctx.parser.value(QStringLiteral("output"));
    QString format = ctx.parser.value(QStringLiteral("format")).toLower();
    if (format.isEmpty())
        format = ctx.json && output.isEmpty() ? QStringLiteral("json") : QStringLiteral("csv");
    if (format != QLatin1String("csv") && format != QLatin1String("json"))
        return ctx.usage(QStringLiteral("predict writes --format csv or json, not '%1'").arg(format));
    if (ctx.json && output.isEmpty() && format == QLatin1String("csv"))
        return ctx.usage(QStringLiteral("predict --json prints JSON: for CSV, give --output FILE"));

    auto ws = ctx.openWorkspace();
    if (!ws)
        return ctx.fail(ws.errorMessage());
    auto model = LoadedModel::load(**ws, ctx.args.first());
    if (!model)
        return ctx.fail(model.errorMessage());
    const LoadedModel &loaded = **model;

    if (!input.isEmpty()) {
        const QString source = input == QLatin1String("-") ? QStringLiteral("stdin") : input;
        auto bytes = readInput(input);
        if (!bytes)
            return ctx.fail(bytes.errorMessage());
        auto rows = inputFormat(input, *bytes) == InputFormat::Json ? predictionInputFromJson(*bytes)
                                                                    : predictionInputFromCsv(*bytes);
        if (!rows)
            return ctx.fail(QStringLiteral("%1: %2").arg(source, rows.errorMessage()));
        noteIgnoredColumns(loaded, rows->columns);
        auto predictions = loaded.predict(*rows, ExtraColumns::Ignore);
        if (!predictions)
            return ctx.fail(QStringLiteral("%1: %2").arg(source, predictions.errorMessage()));
        return writePredictions(ctx, *predictions, format, output);
    }

    auto version = DatasetCatalog((*ws)->db()).versionByRef(dataset);
    if (!version)
        return ctx.fail(version.errorMessage());
    auto table = DatasetTable::open((*ws)->blobs(), *version);
    if (!table)
        return ctx.fail(table.errorMessage());
    noteIgnoredColumns(loaded, (*table)->columnNames());
    auto predictions = loaded.predict(**table);
    if (!predictions)
        return ctx.fail(QStringLiteral("%1: %2").arg(version->ref(), predictions.errorMessage()));
    return writePredictions(ctx, *predictions, format, output);
}

} // namespace kiln::cli
