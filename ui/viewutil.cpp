#include "viewutil.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>

namespace kiln::viewutil {

void setUpReadOnlyTable(QTableView *view)
{
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setCornerButtonEnabled(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
}

void fitHeightToRows(QTableView *view, int maxRows)
{
    const int rows = view->model() ? std::min(view->model()->rowCount(), maxRows) : 0;
    const int header = !view->horizontalHeader()->isHidden() ? view->horizontalHeader()->sizeHint().height() : 0;
    // The columns share the width (no horizontal scrolling); a scroll bar only when rows are cut.
    view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    const bool allRows = view->model() && view->model()->rowCount() <= maxRows;
    view->setVerticalScrollBarPolicy(allRows ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
    const int height
        = header + std::max(rows, 1) * view->verticalHeader()->defaultSectionSize() + 2 * view->frameWidth();
    view->setFixedHeight(height);
}

} // namespace kiln::viewutil
