#include "heatmapdelegate.h"

#include "theme.h"

#include <QApplication>
#include <QPainter>

namespace kiln {

HeatMapDelegate::HeatMapDelegate(int intensityRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_intensityRole(intensityRole)
{ }

void HeatMapDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const double intensity = std::clamp(index.data(m_intensityRole).toDouble(), 0.0, 1.0);
    // From the view's base colour (white, or dark in dark mode) to the accent.
    const QColor fill = theme::blend(option.palette.color(QPalette::Base), theme::accent(option.palette), intensity);
    painter->fillRect(option.rect, fill);
    QStyleOptionViewItem text = option;
    initStyleOption(&text, index);
    text.backgroundBrush = Qt::NoBrush;
    text.state &= ~QStyle::State_Selected; // the colour is the information; selection would hide it
    const QColor ink = intensity > 0.55 ? QColor(Qt::white) : option.palette.color(QPalette::Text);
    text.palette.setColor(QPalette::Text, ink);
    text.palette.setColor(QPalette::HighlightedText, ink);
    QFont font = text.font;
    font.setBold(intensity > 0.55);
    text.font = font;
    QStyle *style = option.widget ? option.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &text, painter, option.widget);
}

} // namespace kiln
