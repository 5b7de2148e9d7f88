#include "models/csv.h"

#include "util/utf8.h"

#include <QAbstractItemModel>
#include <QCoreApplication>
#include <QSaveFile>

#include <algorithm>

namespace kiln {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kiln::csv", text);
}

bool isLineBreak(char c)
{
    return c == '\r' || c == '\n';
}

} // namespace

QByteArray csvField(const QString &value)
{
    const bool quote = std::any_of(value.cbegin(), value.cend(),
                                   [](QChar c) { return c == u',' || c == u'"' || c == u'\n' || c == u'\r'; });
    if (!quote)
        return value.toUtf8();
    QString quoted = value;
    quoted.replace(u'"', QLatin1String("\"\""));
    return '"' + quoted.toUtf8() + '"';
}

QByteArray csvRecord(const QStringList &fields)
{
    QByteArray record;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            record += ',';
        record += csvField(fields.at(i));
    }
    record += "\r\n";
    return record;
}

Status writeCsvBytes(QIODevice &device, const QByteArray &bytes)
{
    if (!device.isWritable() || device.write(bytes) != bytes.size())
        return Error {tr("cannot write the CSV: %1").arg(device.errorString())};
    return Status::success();
}

Status writeModelCsv(const QAbstractItemModel &model, QIODevice &device, int role)
{
    const int columns = model.columnCount();
    QStringList header;
    for (int column = 0; column < columns; ++column)
        header << model.headerData(column, Qt::Horizontal).toString();
    QByteArray bytes = csvRecord(header);
    for (int row = 0; row < model.rowCount(); ++row) {
        QStringList fields;
        for (int column = 0; column < columns; ++column)
            fields << model.index(row, column).data(role).toString();
        bytes += csvRecord(fields);
    }
    return writeCsvBytes(device, bytes);
}

Status writeCsvFile(const QString &path, const std::function<Status(QIODevice &)> &write)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error {tr("cannot write %1: %2").arg(path, file.errorString())};
    if (const Status written = write(file); !written) {
        file.cancelWriting();
        return Error {tr("cannot write %1: %2").arg(path, written.errorMessage())};
    }
    if (!file.commit())
        return Error {tr("cannot write %1: %2").arg(path, file.errorString())};
    return Status::success();
}

Expected<QList<QStringList>> parseCsv(QByteArrayView text, char delimiter)
{
    Q_ASSERT(delimiter != '"' && !isLineBreak(delimiter));
    if (text.startsWith("\xEF\xBB\xBF"))
        text = text.sliced(3);
    if (const qsizetype bad = utf8::findInvalid(text.data(), text.size()); bad >= 0) {
        return Error {tr("line %1: invalid UTF-8 (byte 0x%2)")
                          .arg(text.first(bad).count('\n') + 1)
                          .arg(QString::number(uchar(text.at(bad)), 16).toUpper().rightJustified(2, u'0'))};
    }
    QList<QStringList> records;
    const char *p = text.data();
    const char *const end = p + text.size();
    qint64 line = 1; // of the character at p
    while (p < end) {
        QStringList record;
        bool quoted = false;
        for (;;) {
            if (p < end && *p == '"') {
                quoted = true;
                const qint64 fieldLine = line;
                QByteArray field;
                for (++p;; ++p) {
                    if (p == end)
                        return Error {tr("line %1: quoted field is never closed").arg(fieldLine)};
                    if (*p == '"') {
                        if (p + 1 == end || p[1] != '"')
                            break;
                        ++p;
                    } else if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] != '\n'))) {
                        ++line;
                    }
                    field += *p;
                }
                ++p; // the closing quote
                if (p < end && *p != delimiter && !isLineBreak(*p)) {
                    return Error {tr("line %1: unexpected character after closing quote in field %2")
                                      .arg(line)
                                      .arg(record.size() + 1)};
                }
                record << QString::fromUtf8(field);
            } else {
                const char *start = p;
                while (p < end && *p != delimiter && !isLineBreak(*p))
                    ++p;
                record << QString::fromUtf8(start, p - start);
            }
            if (p == end || *p != delimiter)
                break;
            ++p;
        }
        if (p < end) { // a line break ends the record; CRLF counts as one
            if (*p == '\r' && p + 1 < end && p[1] == '\n')
                ++p;
            ++p;
            ++line;
        }
        const bool blank = record.size() == 1 && record.constFirst().isEmpty() && !quoted;
        if (!blank)
            records << record;
    }
    return records;
}

} // namespace kiln
