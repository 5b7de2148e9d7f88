#include "compare/compareutil.h"

#include "models/csv.h"
#include "pictureexport.h"
#include "runcolors.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QPainter>
#include <QPixmap>
#include <QWidget>

namespace kiln::compareutil {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("kiln::compareutil", text);
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

QString suffixOf(const QString &path)
{
    return QFileInfo(path).suffix().toLower();
}

} // namespace

QIcon runColorIcon(qint64 runId)
{
    constexpr int kSize = 12;
    QPixmap pixmap(kSize * 2, kSize * 2);
    pixmap.setDevicePixelRatio(2);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(runColor(runId));
    painter.drawEllipse(QRectF(1, 1, kSize - 2, kSize - 2));
    painter.end();
    return QIcon(pixmap);
}

bool exportCsv(const QString &path, const std::function<Status(QIODevice &)> &write, QString *error)
{
    if (suffixOf(path) != QLatin1String("csv"))
        return fail(error, tr("cannot export %1: choose a file ending in .csv").arg(path));
    if (const Status written = writeCsvFile(path, write); !written)
        return fail(error, written.errorMessage());
    return true;
}

bool exportTable(const QString &path, QWidget *widget, const std::function<Status(QIODevice &)> &write, QString *error)
{
    const QString suffix = suffixOf(path);
    if (suffix == QLatin1String("csv"))
        return exportCsv(path, write, error);
    if (suffix != QLatin1String("png"))
        return fail(error, tr("cannot export %1: choose a file ending in .csv or .png").arg(path));
    return exportPicture(
        path, widget->size(),
        [widget](QPainter &painter, const QRect &target) { widget->render(&painter, target.topLeft()); }, error);
}

} // namespace kiln::compareutil
