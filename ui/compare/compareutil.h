#pragma once

#include "util/expected.h"

#include <QIcon>

#include <functional>

class QIODevice;
class QString;
class QWidget;

/// What the comparison views share besides their base classes: the run's colour as an icon,
/// and their exports of tables.
namespace kiln::compareutil {

/// A small disc in the run's colour, for the headers and titles that name a run.
QIcon runColorIcon(qint64 runId);
/// Writes a CSV file through `write`, whole or not at all; false with `error` naming the file
/// and the reason (also when `path` does not end in .csv).
bool exportCsv(const QString &path, const std::function<Status(QIODevice &)> &write, QString *error);
/// The export of a view that shows a table: by the suffix of `path`, a PNG of `widget` (all
/// of it, also what a scroll area hides) or a CSV through `write`; false with `error`.
bool exportTable(const QString &path, QWidget *widget, const std::function<Status(QIODevice &)> &write, QString *error);

} // namespace kiln::compareutil
