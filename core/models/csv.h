#pragma once

// The one CSV writer of Kiln (RFC 4180, UTF-8, CRLF line ends): the runs table, the diff, the
// comparison views' tables and `kilnctl runs export` all write through it. Any thread.

#include "util/expected.h"

#include <QByteArray>
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

} // namespace kiln
