#include "cli.h"

#include "workspace/workspace.h"

#include <QJsonDocument>

#include <cstdio>

namespace kiln::cli {

Context::Context(QCommandLineParser &p)
    : parser(p)
    , json(p.isSet(QStringLiteral("json")))
{ }

QString Context::workspaceFolder() const
{
    const QString given = parser.value(QStringLiteral("workspace"));
    return given.isEmpty() ? Workspace::defaultFolder() : given;
}

Expected<std::unique_ptr<Workspace>> Context::openWorkspace() const
{
    return Workspace::open(workspaceFolder(), Workspace::OpenMode::OpenExisting);
}

void Context::printJson(const QJsonObject &object) const
{
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Indented);
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
    std::fflush(stdout);
}

void Context::printLine(const QString &line) const
{
    const QByteArray text = line.toUtf8() + '\n';
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
}

int Context::fail(const QString &reason) const
{
    QString line = reason;
    line.replace(QLatin1Char('\n'), QLatin1String("; "));
    std::fprintf(stderr, "kilnctl: %s\n", line.toUtf8().constData());
    if (json)
        printJson({{QLatin1String("ok"), false}, {QLatin1String("error"), line}});
    return Failure;
}

int Context::usage(const QString &reason) const
{
    std::fprintf(stderr, "kilnctl: %s (see kilnctl --help)\n", reason.toUtf8().constData());
    return UsageError;
}

QString formatTable(const QStringList &header, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QString &h : header)
        widths << h.size();
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], std::min<qsizetype>(row[i].size(), 40));
    }
    const auto line = [&widths](const QStringList &cells) {
        QString out;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            QString cell = cells[i];
            if (cell.size() > 40)
                cell = cell.left(39) + QChar(0x2026);
            out += i + 1 < cells.size() ? cell.leftJustified(widths[i] + 2) : cell;
        }
        return out;
    };
    QStringList lines {line(header)};
    for (const QStringList &row : rows)
        lines << line(row);
    return lines.join(QLatin1Char('\n'));
}

} // namespace kiln::cli
