#pragma once

#include <QGuiApplication>
#include <QPalette>

class QMenu;
class QWidget;

/// Light or dark: Kiln follows the desktop's palette (Mode::System, the default) or a light
/// or dark palette of its own, switched live. GUI thread.
namespace kiln::appearance {

enum class Mode { System, Light, Dark };

/// The mode saved in QSettings ("appearance/mode"); System when none is.
Mode mode();
/// Saves `mode` and applies it at once: Light and Dark set the Fusion style with Kiln's light or
/// dark palette; System gives the platform's style and palette back (and so follows the desktop
/// when it changes). Every widget gets QEvent::PaletteChange; none needs a restart.
void setMode(Mode mode);
/// Applies the saved mode; call once at startup, after QApplication exists.
void applySaved();
/// True when `palette` is dark (its window colour is).
bool isDark(const QPalette &palette = QGuiApplication::palette());
/// The palette Light and Dark apply.
QPalette lightPalette();
QPalette darkPalette();
/// An "Appearance" submenu ("appearanceMenu") of three exclusive, checkable choices:
/// "appearanceSystemAction", "appearanceLightAction", "appearanceDarkAction".
QMenu *createMenu(QWidget *parent);

/// What a label's text colour means; setTextRole() keeps it right on either palette.
enum class TextRole { Normal, Muted, Error };
/// Colours `widget`'s text for `role` (a style sheet, as Kiln's labels use) and re-colours it
/// whenever the palette changes. Normal removes the colour.
void setTextRole(QWidget *widget, TextRole role);

} // namespace kiln::appearance
