#pragma once

#include "runs/runtypes.h"

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>
#include <cmath>
#include <cstdlib>

/// The few colours Kiln uses beyond the platform palette, in one place. Each takes the palette
/// it is drawn on (the application's by default) and reads well on a light or a dark one; a
/// widget that paints with them repaints on QEvent::PaletteChange, so a switch between light
/// and dark needs no restart.
namespace kiln::theme {

/// A palette is dark when its window colour is: the platform theme and appearance::setMode()
/// both set the window colour first.
inline bool isDark(const QPalette &palette = QGuiApplication::palette())
{
    return palette.color(QPalette::Window).lightness() < 128;
}

/// `a` mixed with `b`, `amount` of the way from `a` to `b`, opaque.
inline QColor blend(const QColor &a, const QColor &b, double amount)
{
    const auto mix = [amount](double x, double y) { return int(std::lround(x + (y - x) * amount)); };
    return QColor(mix(a.red(), b.red()), mix(a.green(), b.green()), mix(a.blue(), b.blue()));
}

/// Burnt orange, the colour of the kiln: selection accents and chart bars; a shade lighter on
/// dark backgrounds.
inline QColor accent(const QPalette &palette = QGuiApplication::palette())
{
    return isDark(palette) ? QColor(0xe0, 0x6e, 0x3e) : QColor(0xc2, 0x55, 0x2b);
}
inline QColor chartFill(const QPalette &palette = QGuiApplication::palette())
{
    QColor fill = accent(palette);
    fill.setAlpha(0x70);
    return fill;
}
/// The sidebar is dark on either palette: its text and icons stay the same.
inline QColor sidebarBackground()
{
    return QColor(0x2b, 0x2d, 0x33);
}
inline QColor sidebarText()
{
    return QColor(0xd8, 0xd9, 0xdd);
}
inline QColor errorText(const QPalette &palette = QGuiApplication::palette())
{
    return isDark(palette) ? QColor(0xf2, 0x8b, 0x82) : QColor(0xb3, 0x26, 0x1e);
}
/// Secondary text: the palette's placeholder text made opaque over the window colour (a
/// placeholder colour is often the text colour at half alpha, which a style sheet would lose).
inline QColor mutedText(const QPalette &palette = QGuiApplication::palette())
{
    const QColor placeholder = palette.color(QPalette::PlaceholderText);
    const QColor window = palette.color(QPalette::Window);
    const QColor opaque = blend(window, placeholder, placeholder.alphaF());
    // Some platform palettes give a placeholder hardly different from the window: use a mix.
    if (std::abs(opaque.lightness() - window.lightness()) < 70)
        return blend(palette.color(QPalette::WindowText), window, 0.42);
    return opaque;
}

/// Charts and plots: their background is the palette's base (as a table's), their axis text
/// and frame the text colour, their grid a faint mix of the two.
inline QColor plotBackground(const QPalette &palette = QGuiApplication::palette())
{
    return palette.color(QPalette::Base);
}
inline QColor plotText(const QPalette &palette = QGuiApplication::palette())
{
    return palette.color(QPalette::Text);
}
inline QColor plotAxis(const QPalette &palette = QGuiApplication::palette())
{
    return blend(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.55);
}
inline QColor plotGrid(const QPalette &palette = QGuiApplication::palette())
{
    return blend(palette.color(QPalette::Base), palette.color(QPalette::Text), isDark(palette) ? 0.16 : 0.11);
}
/// Lines and marks drawn in a neutral colour (reference lines, filtered-out runs).
inline QColor neutralLine(const QPalette &palette = QGuiApplication::palette())
{
    return blend(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.4);
}
/// A faint band behind alternate rows of a drawn table, or a highlighted cell.
inline QColor faintBand(const QPalette &palette = QGuiApplication::palette())
{
    return blend(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.05);
}
/// A faint tint of the accent, for highlighted cells.
inline QColor accentTint(const QPalette &palette = QGuiApplication::palette())
{
    return blend(palette.color(QPalette::Base), accent(palette), isDark(palette) ? 0.3 : 0.22);
}

/// `color` (a run's, drawn as a line or a swatch) made light enough to read on `background`:
/// the same hue, lightened only when too close to a dark background.
inline QColor readableOn(const QColor &color, const QColor &background)
{
    constexpr int kMinimumDifference = 90;
    if (background.lightness() >= 128 || color.lightness() - background.lightness() >= kMinimumDifference)
        return color;
    QColor readable = color.toHsl();
    readable.setHsl(readable.hslHue(), readable.hslSaturation(),
                    std::min(235, background.lightness() + kMinimumDifference), color.alpha());
    return readable.toRgb();
}

/// Chart lines of a training run: the training split in the accent, validation in blue.
inline QColor trainLine(const QPalette &palette = QGuiApplication::palette())
{
    return accent(palette);
}
inline QColor validationLine(const QPalette &palette = QGuiApplication::palette())
{
    return isDark(palette) ? QColor(0x6f, 0xa8, 0xe8) : QColor(0x2f, 0x6d, 0xb5);
}
inline QColor good(const QPalette &palette = QGuiApplication::palette())
{
    return isDark(palette) ? QColor(0x6c, 0xc0, 0x70) : QColor(0x2e, 0x7d, 0x32);
}
inline QColor warning(const QPalette &palette = QGuiApplication::palette())
{
    return isDark(palette) ? QColor(0xe8, 0xa8, 0x3a) : QColor(0xa6, 0x6a, 0x00);
}

/// The colour a run's status is shown in (dot in the runs tree, pill on the run page).
inline QColor runStatus(RunStatus status, const QPalette &palette = QGuiApplication::palette())
{
    const bool dark = isDark(palette);
    switch (status) {
    case RunStatus::Queued:
        return dark ? QColor(0x9a, 0x9f, 0xa8) : QColor(0x8a, 0x8f, 0x98);
    case RunStatus::Running:
        return validationLine(palette);
    case RunStatus::Finished:
        return good(palette);
    case RunStatus::Failed:
        return errorText(palette);
    case RunStatus::Cancelled:
        return warning(palette);
    case RunStatus::Interrupted:
        return dark ? QColor(0xb4, 0x8a, 0xd8) : QColor(0x7b, 0x4f, 0xa0);
    }
    return mutedText(palette);
}

} // namespace kiln::theme
