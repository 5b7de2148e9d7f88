#pragma once

class QAbstractItemView;
class QTableView;

/// Small helpers for the item views of the run page.
namespace kiln::viewutil {

/// A read-only table that reads as a sheet: no grid, alternating rows, rows as tall as a
/// line of text, the last column stretched.
void setUpReadOnlyTable(QTableView *view);
/// Makes `view` exactly as tall as its rows (up to `maxRows` of them), so a short table in a
/// scrolling page shows no scroll bar of its own and no empty space below its rows.
void fitHeightToRows(QTableView *view, int maxRows = 30);

} // namespace kiln::viewutil
