#pragma once

#include <QColor>

/// The few colours Kiln uses beyond the platform palette, in one place.
namespace kiln::theme {

/// Burnt orange, the colour of the kiln: selection accents and chart bars.
inline QColor accent()
{
    return QColor(0xc2, 0x55, 0x2b);
}
inline QColor chartFill()
{
    return QColor(0xc2, 0x55, 0x2b, 0x70);
}
inline QColor sidebarBackground()
{
    return QColor(0x2b, 0x2d, 0x33);
}
inline QColor sidebarText()
{
    return QColor(0xd8, 0xd9, 0xdd);
}
inline QColor errorText()
{
    return QColor(0xb3, 0x26, 0x1e);
}
inline QColor mutedText()
{
    return QColor(0x6b, 0x6f, 0x78);
}

} // namespace kiln::theme
