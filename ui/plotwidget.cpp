#include "plotwidget.h"

// Placeholder definitions until the renderer is written (owned by the plot helper).
namespace kiln {

struct PlotWidget::Private
{ };

PlotWidget::PlotWidget(QWidget *parent)
    : QWidget(parent)
{ }
PlotWidget::~PlotWidget() = default;
void PlotWidget::paintEvent(QPaintEvent *) { }
void PlotWidget::resizeEvent(QResizeEvent *) { }
void PlotWidget::wheelEvent(QWheelEvent *) { }
void PlotWidget::mousePressEvent(QMouseEvent *) { }
void PlotWidget::mouseMoveEvent(QMouseEvent *) { }
void PlotWidget::mouseReleaseEvent(QMouseEvent *) { }
void PlotWidget::mouseDoubleClickEvent(QMouseEvent *) { }
void PlotWidget::keyPressEvent(QKeyEvent *) { }
void PlotWidget::leaveEvent(QEvent *) { }

} // namespace kiln
