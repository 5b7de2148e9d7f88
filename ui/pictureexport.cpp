#include "pictureexport.h"

#include "theme.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace kiln {

namespace {

/// A PNG of more pixels than this is refused: it would take gigabytes of memory.
constexpr qint64 kMaxPixels = 16384LL * 16384;

QString tr(const char *text)
{
    return QCoreApplication::translate("kiln::PictureExport", text);
}

} // namespace

QStringList pictureFormats()
{
    return {QStringLiteral("png"), QStringLiteral("svg")};
}

bool exportPicture(const QString &path, QSize size, const PicturePainter &paint, QString *error)
{
    const auto fail = [&](const QString &reason) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), reason);
        return false;
    };
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix.isEmpty())
        return fail(tr("the name has no file type (choose a name ending in .png or .svg)"));
    if (!pictureFormats().contains(suffix))
        return fail(tr("“%1” is not a picture format Kiln writes (use .png or .svg)").arg(suffix));
    if (size.isEmpty())
        return fail(tr("the picture has no size (%1×%2 pixels)").arg(size.width()).arg(size.height()));
    const QRect target(QPoint(0, 0), size);

    QImage image;
    if (suffix == u"png") {
        if (qint64(size.width()) * size.height() * 4 > kMaxPixels)
            return fail(tr("the picture is too large (%1×%2 pixels)").arg(size.width()).arg(size.height()));
        image = QImage(size * 2, QImage::Format_ARGB32_Premultiplied);
        if (image.isNull())
            return fail(tr("not enough memory for a %1×%2 picture").arg(size.width() * 2).arg(size.height() * 2));
        image.setDevicePixelRatio(2);
        image.fill(theme::plotBackground());
        QPainter painter(&image);
        paint(painter, target);
    }

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    if (suffix == u"png") {
        QImageWriter writer(&file, "png");
        if (!writer.write(image))
            return fail(writer.errorString());
    } else {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(size);
        svg.setViewBox(target);
        svg.setResolution(96); // as the screen: fonts sized in points come out as there
        svg.setTitle(QFileInfo(path).completeBaseName());
        QPainter painter;
        if (!painter.begin(&svg))
            return fail(tr("the SVG writer could not start"));
        painter.fillRect(target, theme::plotBackground());
        paint(painter, target);
        painter.end();
    }
    if (!file.commit())
        return fail(file.errorString());
    return true;
}

} // namespace kiln
