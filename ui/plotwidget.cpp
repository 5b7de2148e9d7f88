#include "plotwidget.h"

#include "pictureexport.h"
#include "plotrender.h"
#include "theme.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPixmap>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace kiln {

using plotrender::Frame;
using plotrender::SeriesCache;

namespace {

constexpr int kMaxReadoutLines = 12;
constexpr double kWheelZoom = 0.85; ///< view span per wheel notch
constexpr double kKeyZoom = 0.8;
constexpr int kHoverRadius = 10;

} // namespace

struct PlotWidget::Private
{
    enum class Drag { None, Pan, Box };

    plotrender::Decoration decoration;
    QString emptyText;
    bool decimate = true;
    bool viewIsDefault = true;
    std::vector<SeriesCache> caches; ///< one per series
    std::vector<double> scratchX; ///< decimated points, reused between series
    std::vector<double> scratchT;

    QPixmap layer; ///< the chart without hover marks: a hover repaint only copies it
    bool layerValid = false;

    bool hovering = false;
    QPoint hoverPos;
    QList<PlotReadout> hoverValues;
    std::optional<PlotReadout> hoverPoint;

    Drag drag = Drag::None;
    QPoint pressPos;
    QRectF pressView;
    QRect band;

    /// Sets `field` to `value`; true (and the chart to be drawn again) when it changed.
    template<typename T>
    bool change(T &field, const T &value)
    {
        if (field == value)
            return false;
        field = value;
        layerValid = false;
        return true;
    }
};

PlotWidget::PlotWidget(QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(160, 120);
    m_view = QRectF(QPointF(0, 0), QPointF(1, 1));
}

PlotWidget::~PlotWidget() = default;

void PlotWidget::setMode(Mode mode)
{
    if (m_mode == mode)
        return;
    m_mode = mode;
    if (d->viewIsDefault)
        resetView();
    d->layerValid = false;
    update();
}

void PlotWidget::setSeries(QList<PlotSeries> series, bool keepView)
{
    // A live view hands the same series again every second: nothing to redo.
    const auto same = [](const PlotSeries &a, const PlotSeries &b) {
        return a.runId == b.runId && a.label == b.label && a.color == b.color && a.x == b.x && a.y == b.y;
    };
    if (keepView && std::equal(series.begin(), series.end(), m_series.begin(), m_series.end(), same))
        return;
    // A series whose data did not change keeps what was derived from it (ranges, smoothing).
    std::vector<SeriesCache> caches;
    caches.reserve(std::size_t(series.size()));
    for (const PlotSeries &s : std::as_const(series)) {
        const auto old = std::find_if(d->caches.begin(), d->caches.end(),
                                      [&](const SeriesCache &o) { return o.x && o.x == s.x && o.y == s.y; });
        if (old != d->caches.end()) {
            caches.push_back(std::move(*old));
            old->x.reset();
        } else {
            caches.push_back(SeriesCache::of(s.x, s.y));
        }
    }
    d->caches = std::move(caches);
    m_series = std::move(series);
    d->layerValid = false;
    if (!keepView || d->viewIsDefault)
        resetView();
    else
        viewChangedInternally(m_view);
}

void PlotWidget::setTitle(const QString &title)
{
    if (d->change(d->decoration.title, title))
        update();
}

void PlotWidget::setAxisLabels(const QString &x, const QString &y)
{
    const bool changed = d->change(d->decoration.xLabel, x);
    if (d->change(d->decoration.yLabel, y) || changed)
        update();
}

void PlotWidget::setTimeAxis(bool time)
{
    if (d->change(d->decoration.timeAxis, time))
        update();
}

void PlotWidget::setLogY(bool log)
{
    if (m_logY == log)
        return;
    m_logY = log;
    // The y range is fitted again (a linear range may hold values a log axis cannot show);
    // a zoomed x range stays.
    const bool wasDefault = d->viewIsDefault;
    const QRectF kept = m_view;
    resetView();
    if (!wasDefault) {
        d->viewIsDefault = false;
        viewChangedInternally(QRectF(QPointF(kept.left(), m_view.top()), QPointF(kept.right(), m_view.bottom())));
    }
}

void PlotWidget::setSmoothing(double weight)
{
    if (!d->change(m_smoothing, std::clamp(weight, 0.0, 0.999)))
        return;
    if (d->hovering)
        updateHover(d->hoverPos);
    update();
}

void PlotWidget::setEmptyText(const QString &text)
{
    if (d->change(d->emptyText, text))
        update();
}

QString PlotWidget::emptyText() const
{
    return d->emptyText;
}

void PlotWidget::setDecimation(bool on)
{
    if (d->change(d->decimate, on))
        update();
}

bool PlotWidget::decimation() const
{
    return d->decimate;
}

void PlotWidget::setView(const QRectF &view)
{
    QRectF v = view.normalized();
    if (!(v.width() > 0) || !(v.height() > 0) || !std::isfinite(v.width()) || !std::isfinite(v.height()))
        return;
    if (m_logY && v.top() <= 0)
        return;
    d->viewIsDefault = false;
    viewChangedInternally(v);
}

void PlotWidget::resetView()
{
    // Lines span the width exactly; points get a margin so that none sits on the frame.
    d->viewIsDefault = true;
    viewChangedInternally(plotrender::fittedView(d->caches, m_logY, m_mode == Mode::Points));
}

void PlotWidget::viewChangedInternally(const QRectF &view)
{
    m_view = view;
    d->layerValid = false;
    update();
    if (d->hovering)
        updateHover(d->hoverPos);
    Q_EMIT viewChanged(view);
}

plotrender::Frame PlotWidget::frame(const QRect &target) const
{
    return plotrender::frameFor(target, font(), d->decoration, m_view, m_logY);
}

QRect PlotWidget::plotArea() const
{
    return frame(rect()).plot;
}

QList<PlotReadout> PlotWidget::valuesAt(double x) const
{
    QList<PlotReadout> values;
    for (std::size_t i = 0; i < d->caches.size(); ++i) {
        SeriesCache &c = d->caches[i];
        const std::size_t n = c.size();
        if (n == 0)
            continue;
        const std::vector<double> &xs = *c.x;
        const std::vector<double> &ys = c.rawValues();
        std::size_t k = std::size_t(std::upper_bound(xs.begin(), xs.begin() + qsizetype(n), x) - xs.begin());
        while (k > 0 && std::isnan(ys[k - 1]))
            --k;
        if (k == 0)
            continue;
        --k;
        const PlotSeries &s = m_series[qsizetype(i)];
        PlotReadout r {s.runId, s.label, s.color, xs[k], ys[k], ys[k]};
        if (m_smoothing > 0)
            r.smoothed = c.values(true, m_smoothing, false)[k];
        values.append(r);
    }
    return values;
}

std::optional<PlotReadout> PlotWidget::pointAt(const QPoint &pos) const
{
    const Frame f = frame(rect());
    if (!f.valid())
        return std::nullopt;
    std::optional<PlotReadout> best;
    double bestDistance = kHoverRadius * kHoverRadius;
    for (std::size_t i = 0; i < d->caches.size(); ++i) {
        SeriesCache &c = d->caches[i];
        const std::vector<double> &t = c.values(false, 0, m_logY);
        const std::vector<double> &xs = *c.x;
        for (std::size_t k = 0; k < c.size(); ++k) {
            if (!std::isfinite(t[k]))
                continue;
            const double dx = f.pxContinuous(xs[k]) - pos.x();
            const double dy = f.py(t[k]) - pos.y();
            const double distance = dx * dx + dy * dy;
            if (distance <= bestDistance) {
                bestDistance = distance;
                const PlotSeries &s = m_series[qsizetype(i)];
                const double y = (*c.y)[k];
                best = PlotReadout {s.runId, s.label, s.color, xs[k], y, y};
            }
        }
    }
    return best;
}

QString PlotWidget::xText(double x) const
{
    if (d->decoration.timeAxis)
        return QDateTime::fromMSecsSinceEpoch(qint64(std::llround(x))).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    return QString::number(x, 'g', 10);
}

void PlotWidget::render(QPainter &painter, const QRect &target) const
{
    QElapsedTimer clock;
    clock.start();
    painter.save();
    const QPalette colors = palette();
    painter.fillRect(target, theme::plotBackground(colors));
    painter.setFont(font());
    const QColor text = theme::plotText(colors);
    if (!d->decoration.title.isEmpty()) {
        QFont bold = font();
        bold.setBold(true);
        painter.setFont(bold);
        painter.setPen(text);
        painter.drawText(QRect(target.left(), target.top() + 4, target.width(), QFontMetrics(bold).height()),
                         Qt::AlignHCenter | Qt::AlignTop, d->decoration.title);
    }
    const Frame f = frame(target);
    const bool hasData = std::any_of(d->caches.begin(), d->caches.end(), [](const auto &c) { return c.hasData(); });
    if (!hasData || !f.valid()) {
        painter.setFont(font());
        painter.setPen(theme::mutedText(colors));
        painter.drawText(target.adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, d->emptyText);
    } else {
        plotrender::drawAxes(painter, f, target, d->decoration, colors);
        // The series, clipped to the plot area.
        painter.setClipRect(f.plot);
        // Run colours stay the runs' own; a dark one is lightened on a dark background.
        const QColor background = theme::plotBackground(colors);
        std::vector<QColor> lineColors;
        lineColors.reserve(d->caches.size());
        for (const PlotSeries &s : m_series)
            lineColors.push_back(theme::readableOn(s.color, background));
        if (m_mode == Mode::Lines)
            plotrender::drawLines(painter, f, d->caches, lineColors, {m_smoothing, m_logY, d->decimate, background},
                                  d->scratchX, d->scratchT);
        else
            plotrender::drawPoints(painter, f, d->caches, lineColors, m_logY);
    }
    painter.restore();
    m_lastPaintMs = double(clock.nsecsElapsed()) / 1e6;
}

bool PlotWidget::exportTo(const QString &path, QString *error) const
{
    const QSize canvas = size().isValid() && !size().isEmpty() ? size() : sizeHint();
    return exportPicture(
        path, canvas, [this](QPainter &painter, const QRect &target) { render(painter, target); }, error);
}

void PlotWidget::paintEvent(QPaintEvent *event)
{
    Q_UNUSED(event)
    const qreal ratio = devicePixelRatioF();
    const QSize pixels = size() * ratio;
    if (!d->layerValid || d->layer.size() != pixels || d->layer.devicePixelRatio() != ratio) {
        d->layer = QPixmap(pixels);
        d->layer.setDevicePixelRatio(ratio);
        QPainter layerPainter(&d->layer);
        render(layerPainter, rect());
        d->layerValid = true;
    }
    QPainter painter(this);
    painter.drawPixmap(0, 0, d->layer);
    if (d->drag == Private::Drag::Box && !d->band.isEmpty()) {
        QColor fill = theme::accent(palette());
        fill.setAlphaF(0.15);
        painter.setPen(QPen(theme::accent(palette()), 0));
        painter.setBrush(fill);
        painter.drawRect(d->band);
    }
    if (d->hovering && d->drag == Private::Drag::None)
        paintReadout(painter);
}

void PlotWidget::paintReadout(QPainter &painter) const
{
    // A box next to the cursor listing values, highest first.
    const Frame f = frame(rect());
    QString header;
    std::vector<plotrender::ReadoutLine> lines;
    QString more;
    painter.setRenderHint(QPainter::Antialiasing, true);
    if (m_mode == Mode::Lines) {
        if (d->hoverValues.isEmpty())
            return;
        painter.setPen(QPen(theme::neutralLine(palette()), 0, Qt::DashLine));
        painter.drawLine(QPointF(d->hoverPos.x() + 0.5, f.plot.top()), QPointF(d->hoverPos.x() + 0.5, f.plot.bottom()));
        QList<PlotReadout> sorted = d->hoverValues;
        const bool smoothing = m_smoothing > 0;
        std::stable_sort(sorted.begin(), sorted.end(), [smoothing](const PlotReadout &a, const PlotReadout &b) {
            return (smoothing ? a.smoothed : a.y) > (smoothing ? b.smoothed : b.y);
        });
        // The x of the points shown: the latest at or before the cursor.
        header = xText(std::max_element(sorted.begin(), sorted.end(), [](const PlotReadout &a, const PlotReadout &b) {
                           return a.x < b.x;
                       })->x);
        const int shown = int(std::min<qsizetype>(sorted.size(), kMaxReadoutLines));
        for (int i = 0; i < shown; ++i) {
            const PlotReadout &r = sorted[i];
            const double v = smoothing ? r.smoothed : r.y;
            const QString value = plotrender::valueText(v);
            lines.push_back({r.color, r.label,
                             smoothing ? QStringLiteral("%1 (%2)").arg(value, plotrender::valueText(r.y)) : value});
            if (m_logY && v <= 0)
                continue;
            const QPointF at(f.px(r.x), std::round(f.py(m_logY ? std::log10(v) : v)));
            if (f.plot.contains(at.toPoint())) {
                painter.setPen(QPen(theme::plotBackground(palette()), 1));
                painter.setBrush(theme::readableOn(r.color, theme::plotBackground(palette())));
                painter.drawEllipse(at, 3.5, 3.5);
            }
        }
        if (sorted.size() > shown)
            more = tr("and %n more", nullptr, int(sorted.size() - shown));
    } else {
        if (!d->hoverPoint)
            return;
        const PlotReadout &r = *d->hoverPoint;
        painter.setPen(QPen(r.color.darker(150), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(QPointF(f.pxContinuous(r.x), f.py(m_logY ? std::log10(r.y) : r.y)), 6, 6);
        header = r.label;
        const plotrender::Decoration &decoration = d->decoration;
        lines.push_back({QColor(), decoration.xLabel.isEmpty() ? QStringLiteral("x") : decoration.xLabel, xText(r.x)});
        lines.push_back({QColor(), decoration.yLabel.isEmpty() ? QStringLiteral("y") : decoration.yLabel,
                         plotrender::valueText(r.y)});
    }
    plotrender::drawReadout(painter, f.plot, d->hoverPos, header, lines, more, palette());
}

void PlotWidget::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    // The layer holds the old palette's colours; a new screen may have another pixel ratio.
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        d->layerValid = false;
        update();
    }
}

void PlotWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    d->layerValid = false;
}

void PlotWidget::updateHover(const QPoint &pos)
{
    const Frame f = frame(rect());
    d->hoverPos = pos;
    d->hovering = f.plot.contains(pos) && !m_series.isEmpty();
    d->hoverValues.clear();
    d->hoverPoint.reset();
    if (d->hovering) {
        if (m_mode == Mode::Lines) {
            d->hoverValues = valuesAt(f.xAtColumnEnd(pos.x()));
        } else if (std::optional<PlotReadout> point = pointAt(pos)) {
            d->hoverPoint = point;
            d->hoverValues.append(*point);
        }
    }
    update();
    Q_EMIT hovered(d->hoverValues);
}

void PlotWidget::zoomAround(const QPointF &pos, double factorX, double factorY)
{
    const Frame f = frame(rect());
    if (!f.valid())
        return;
    const double x = f.xAt(pos.x());
    const double t = f.tAt(pos.y());
    const double x0 = x - (x - f.x0) * factorX;
    const double x1 = x + (f.x1 - x) * factorX;
    const double t0 = t - (t - f.t0) * factorY;
    const double t1 = t + (f.t1 - t) * factorY;
    // Beyond this the view's edges stop being distinct doubles.
    const auto tooNarrow = [](double a, double b) {
        return !(b - a > 1e-9 * std::max({1.0, std::abs(a), std::abs(b)})) || !std::isfinite(b - a);
    };
    if (tooNarrow(x0, x1) || tooNarrow(t0, t1))
        return;
    setAxisView(x0, x1, t0, t1);
}

void PlotWidget::setAxisView(double x0, double x1, double t0, double t1)
{
    setView(QRectF(QPointF(x0, m_logY ? std::pow(10.0, t0) : t0), QPointF(x1, m_logY ? std::pow(10.0, t1) : t1)));
}

void PlotWidget::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y() != 0 ? event->angleDelta().y() : event->angleDelta().x();
    if (delta == 0 || !plotArea().contains(event->position().toPoint())) {
        event->ignore();
        return;
    }
    const double factor = std::pow(kWheelZoom, delta / 120.0);
    const bool yOnly = event->modifiers().testFlag(Qt::ControlModifier);
    zoomAround(event->position(), yOnly ? 1 : factor, factor);
    event->accept();
}

void PlotWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !plotArea().contains(event->position().toPoint())) {
        QWidget::mousePressEvent(event);
        return;
    }
    d->pressPos = event->position().toPoint();
    d->pressView = m_view;
    d->band = QRect();
    d->drag = event->modifiers().testFlag(Qt::ShiftModifier) ? Private::Drag::Box : Private::Drag::Pan;
    if (d->drag == Private::Drag::Pan)
        setCursor(Qt::ClosedHandCursor);
    update();
    event->accept();
}

void PlotWidget::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (d->drag == Private::Drag::Pan) {
        const QRect plot = plotArea();
        const double dx = double(pos.x() - d->pressPos.x()) / plot.width();
        const double dy = double(pos.y() - d->pressPos.y()) / std::max(1, plot.height() - 1);
        const QRectF v = d->pressView;
        const double shiftX = -dx * v.width();
        const double t0 = m_logY ? std::log10(v.top()) : v.top();
        const double t1 = m_logY ? std::log10(v.bottom()) : v.bottom();
        const double shiftT = dy * (t1 - t0);
        setAxisView(v.left() + shiftX, v.right() + shiftX, t0 + shiftT, t1 + shiftT);
    } else if (d->drag == Private::Drag::Box) {
        d->band = QRect(d->pressPos, pos).normalized().intersected(plotArea());
        update();
    } else {
        updateHover(pos);
    }
    QWidget::mouseMoveEvent(event);
}

void PlotWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || d->drag == Private::Drag::None) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    const Private::Drag drag = d->drag;
    d->drag = Private::Drag::None;
    unsetCursor();
    const QRect band = d->band;
    d->band = QRect();
    if (drag == Private::Drag::Box && band.width() >= 4 && band.height() >= 4) {
        const Frame f = frame(rect());
        setAxisView(f.xAt(band.left()), f.xAt(band.right() + 1), f.tAt(band.bottom()), f.tAt(band.top()));
    }
    updateHover(event->position().toPoint());
    event->accept();
}

void PlotWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        resetView();
        event->accept();
        return;
    }
    QWidget::mouseDoubleClickEvent(event);
}

void PlotWidget::keyPressEvent(QKeyEvent *event)
{
    const QRectF plot = plotArea();
    const QRectF v = m_view;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomAround(plot.center(), kKeyZoom, kKeyZoom);
        break;
    case Qt::Key_Minus:
        zoomAround(plot.center(), 1 / kKeyZoom, 1 / kKeyZoom);
        break;
    case Qt::Key_Home:
        resetView();
        break;
    case Qt::Key_Left:
    case Qt::Key_Right: {
        const double shift = (event->key() == Qt::Key_Left ? -0.1 : 0.1) * v.width();
        setView(v.translated(shift, 0));
        break;
    }
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

void PlotWidget::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    if (!d->hovering)
        return;
    d->hovering = false;
    d->hoverValues.clear();
    d->hoverPoint.reset();
    update();
    Q_EMIT hovered({});
}

} // namespace kiln
