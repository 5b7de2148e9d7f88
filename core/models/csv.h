#pragma once

// The one CSV writer of Kiln (RFC 4180, UTF-8, CRLF line ends): the runs table, the diff, the
// comparison views' tables and `kilnctl runs export` all write through it; and its reader of
// small CSV texts held in memory (prediction requests). Any thread. Dataset files are read by
// the delimited importer plugin, which streams.

#include "util/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QStringList>

#include <functional>

class QAbstractItemModel;
class QIODevice;

namespace kiln {

/// One field: quoted when it holds a comma, a quote or a line break, quotes doubled.
QByteArray csvField(const QString &value);
/// One record: its fields joined by commas, ending with CRLF.
QByteArray csvRecord(const QStringList &fields);
/// Writes `bytes` whole to `device`; the error says why not ("cannot write the CSV: …").
Status writeCsvBytes(QIODevice &device, const QByteArray &bytes);
/// Writes the top-level rows of `model` as CSV: a header row from its horizontal headers,
/// then each row's `role` data as text (numbers in full precision).
Status writeModelCsv(const QAbstractItemModel &model, QIODevice &device, int role = Qt::DisplayRole);
/// Writes the file at `path` through `write`, whole or not at all (QSaveFile: a failure
/// leaves any earlier file as it was and no part of the new one). The error names the file.
Status writeCsvFile(const QString &path, const std::function<Status(QIODevice &)> &write);

/// Reads UTF-8 CSV text whole (RFC 4180): fields split by `delimiter`, records ending at CRLF,
/// LF or CR; a quoted field holds delimiters, line breaks and doubled quotes. A byte order
/// mark and blank lines are skipped. Records come back as read, whatever their number of
/// fields. The error names the line: "line 3: quoted field is never closed".
Expected<QList<QStringList>> parseCsv(QByteArrayView text, char delimiter = ',');

} // namespace kiln
