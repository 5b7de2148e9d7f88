#pragma once

class QAbstractItemModel;
class QAbstractItemView;
class QGroupBox;
class QLabel;
class QPushButton;
class QString;
class QTableView;
class QWidget;

/// Small helpers for the item views of the run and model pages.
namespace kiln::viewutil {

/// A read-only table that reads as a sheet: no grid, alternating rows, rows as tall as a
/// line of text, the last column stretched.
void setUpReadOnlyTable(QTableView *view);
/// A new read-only table (setUpReadOnlyTable) over `model`, called `objectName`.
QTableView *newReadOnlyTable(QAbstractItemModel *model, const QString &objectName, QWidget *parent);
/// Makes `view` exactly as tall as its rows (up to `maxRows` of them), so a short table in a
/// scrolling page shows no scroll bar of its own and no empty space below its rows.
void fitHeightToRows(QTableView *view, int maxRows = 30);
/// `content` in a group box titled `title`. With `grow` false the content keeps its height
/// at the top of the box (a table as tall as its rows) instead of filling it.
QGroupBox *newGroupBox(const QString &title, QWidget *content, QWidget *parent, bool grow = true);
/// A muted, word-wrapped plain-text label called `objectName`: the notes and hints of a form.
QLabel *newNoteLabel(const QString &objectName, QWidget *parent);
/// A panel's empty page: `emptyState` (an EmptyStateWidget) with `button` centred below it,
/// both a little above the middle.
QWidget *newEmptyPage(QWidget *emptyState, QPushButton *button);

} // namespace kiln::viewutil
