#include "models/csv.h"

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

} // namespace kiln
