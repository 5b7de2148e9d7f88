#pragma once

#include <QSize>
#include <QStringList>

#include <functional>

class QPainter;
class QRect;

namespace kiln {

/// Draws a picture into a rectangle of a painter: a chart's render(), for the screen and exports.
using PicturePainter = std::function<void(QPainter &, const QRect &)>;

/// Writes what `paint` draws on a canvas of `size` (logical pixels) to `path`, in the
/// format of its suffix: a PNG at 2× device pixel ratio (crisp text) or an SVG (vector, one
/// logical pixel a user unit). The canvas is the plot background of the application's
/// palette (white, or dark in dark mode), so a file looks as the screen does. The painter starts with QPainter's
/// default hints, as on screen. The file is written whole or not at all. False with `error` (when given) naming the
/// file and the reason: no or unknown suffix, an empty or too large size, a folder that is missing or not writable. GUI
/// thread (fonts).
bool exportPicture(const QString &path, QSize size, const PicturePainter &paint, QString *error);

/// The suffixes exportPicture() writes, as ComparisonView::exportFormats() lists them.
QStringList pictureFormats();

} // namespace kiln
