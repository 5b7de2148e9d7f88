#include "lineageview.h"

// Stub: a helper implements the lineage view.
namespace kiln {
class LineageView::Private
{ };
LineageView::LineageView(QWidget *parent)
    : QGraphicsView(parent)
{ }
LineageView::~LineageView() = default;
void LineageView::resizeEvent(QResizeEvent *event) { QGraphicsView::resizeEvent(event); }
void LineageView::mouseReleaseEvent(QMouseEvent *event) { QGraphicsView::mouseReleaseEvent(event); }
void LineageView::keyPressEvent(QKeyEvent *event) { QGraphicsView::keyPressEvent(event); }
} // namespace kiln
