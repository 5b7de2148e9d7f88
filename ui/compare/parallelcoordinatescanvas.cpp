// The drawing and the mouse of ParallelCoordinatesView: the canvas widget it paints on and
// render(), which the canvas and the exports share.
#include "parallelcoordinatesview.h"

#include "chartstyle.h"
#include "models/runformat.h"
#include "runcolors.h"
#include "theme.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

constexpr int kAxisGrab = 10; ///< px either side of an axis where a press starts a brush
constexpr int kDragThreshold = 3;
constexpr int kHoverDistance = 6;
constexpr int kBrushHalfWidth = 7;
constexpr int kTicks = 5;
constexpr std::size_t kAntialiasedLines = 1000; ///< above this many, lines are drawn aliased (much faster)

/// A 1 px line from `from` to `to` (both ends included) in an opaque colour, straight into
/// `image` (Bresenham), clipped to it.
void drawPixelLine(QImage &image, QPoint from, QPoint to, QRgb color)
{
    const int width = image.width();
    const int height = image.height();
    const qsizetype stride = image.bytesPerLine() / qsizetype(sizeof(QRgb));
    auto *pixels = reinterpret_cast<QRgb *>(image.bits());
    int x = from.x();
    int y = from.y();
    const int dx = std::abs(to.x() - x);
    const int dy = -std::abs(to.y() - y);
    const int sx = x < to.x() ? 1 : -1;
    const int sy = y < to.y() ? 1 : -1;
    int error = dx + dy;
    while (true) {
        if (x >= 0 && x < width && y >= 0 && y < height)
            pixels[qsizetype(y) * stride + x] = color;
        if (x == to.x() && y == to.y())
            break;
        const int twice = 2 * error;
        if (twice >= dy) {
            error += dy;
            x += sx;
        }
        if (twice <= dx) {
            error += dx;
            y += sy;
        }
    }
}

/// Text with a faint backing of the background, so labels stay readable over the lines.
void drawBackedText(QPainter &painter, const QRect &box, int flags, const QString &text, QColor backing)
{
    const QRect used = painter.boundingRect(box, flags, text);
    backing.setAlpha(200);
    painter.fillRect(used.adjusted(-2, 0, 2, 0), backing);
    painter.drawText(box, flags, text);
}

} // namespace

/// The widget the view paints on: shows the cached picture, the hovered run over it, and
/// turns mouse drags on axes into brushes.
class ParallelCoordinatesView::Canvas final : public QWidget
{
public:
    explicit Canvas(ParallelCoordinatesView *view)
        : QWidget(view)
        , m_view(view)
    {
        setObjectName(QStringLiteral("parallelCoordinatesCanvas"));
        setMouseTracking(true);
        setMinimumSize(320, 220);
        setAttribute(Qt::WA_OpaquePaintEvent);
    }

protected:
    void changeEvent(QEvent *event) override
    {
        QWidget::changeEvent(event);
        // The cached picture holds the old palette's colours.
        if (event->type() == QEvent::PaletteChange) {
            m_view->m_cache = QImage();
            update();
        }
    }

    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        const qreal ratio = devicePixelRatioF();
        const QSize pixels = size() * ratio;
        if (m_view->m_cache.size() != pixels || m_view->m_cache.devicePixelRatio() != ratio) {
            m_view->m_cache = QImage(pixels, QImage::Format_ARGB32_Premultiplied);
            m_view->m_cache.setDevicePixelRatio(ratio);
            QPainter image(&m_view->m_cache);
            m_view->render(image, rect());
        }
        painter.drawImage(0, 0, m_view->m_cache);
        paintHover(painter);
    }

    void mousePressEvent(QMouseEvent *event) override
    {
        if (event->button() != Qt::LeftButton)
            return;
        const Layout layout = m_view->layoutFor(rect());
        const QPoint position = event->position().toPoint();
        m_view->m_pressAxis = -1;
        m_view->m_dragging = false;
        if (position.y() < layout.plot.top() - kAxisGrab || position.y() > layout.plot.bottom() + kAxisGrab)
            return;
        for (std::size_t i = 0; i < layout.x.size(); ++i) {
            if (std::abs(position.x() - layout.x[i]) <= kAxisGrab) {
                m_view->m_pressAxis = int(i);
                m_view->m_pressFraction = fractionAt(layout, position.y());
                m_pressY = position.y();
                return;
            }
        }
    }

    void mouseMoveEvent(QMouseEvent *event) override
    {
        const QPoint position = event->position().toPoint();
        if (m_view->m_pressAxis >= 0 && (event->buttons() & Qt::LeftButton)) {
            if (!m_view->m_dragging && std::abs(position.y() - m_pressY) < kDragThreshold)
                return;
            m_view->m_dragging = true;
            m_view->m_dragFraction = fractionAt(m_view->layoutFor(rect()), position.y());
            m_view->setBrush(m_view->m_pressAxis, m_view->m_pressFraction, m_view->m_dragFraction);
            return;
        }
        const int hovered = m_view->runAt(position);
        if (hovered == m_view->m_hovered)
            return;
        m_view->m_hovered = hovered;
        update();
        if (hovered < 0) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(event->globalPosition().toPoint(), hoverText(hovered), this);
    }

    void mouseReleaseEvent(QMouseEvent *event) override
    {
        if (event->button() != Qt::LeftButton || m_view->m_pressAxis < 0)
            return;
        const int axis = std::exchange(m_view->m_pressAxis, -1);
        if (std::exchange(m_view->m_dragging, false)) {
            m_view->updateBrushed(true);
            return;
        }
        // A click: outside the axis's brush it clears the brush; inside it keeps it.
        const AxisData &pressed = m_view->m_axes[std::size_t(axis)];
        for (const Brush &brush : std::as_const(m_view->m_brushes)) {
            if (brush.key != pressed.key)
                continue;
            const auto [low, high] = m_view->brushFractions(brush, pressed);
            if (m_view->m_pressFraction < low || m_view->m_pressFraction > high)
                m_view->removeBrush(axis);
            return;
        }
    }

    void leaveEvent(QEvent *) override
    {
        if (m_view->m_hovered >= 0) {
            m_view->m_hovered = -1;
            update();
        }
    }

private:
    static double fractionAt(const Layout &layout, int y)
    {
        const double height = std::max(1, layout.plot.height());
        return std::clamp(double(layout.plot.bottom() - y) / height, 0.0, 1.0);
    }

    QString hoverText(int run) const
    {
        const RunTable &table = *m_view->m_table;
        const int row = m_view->m_rows[std::size_t(run)];
        QString text = QStringLiteral("#%1 %2")
                           .arg(table.runId(row))
                           .arg(table.column(int(RunAttribute::Name)).displayText(row))
                           .trimmed();
        for (const AxisData &axis : m_view->m_axes) {
            const QString value = table.column(axis.column).displayText(row);
            text += QStringLiteral("\n%1: %2").arg(axis.label, value.isEmpty() ? QStringLiteral("—") : value);
        }
        return text;
    }

    void paintHover(QPainter &painter) const
    {
        const int run = m_view->m_hovered;
        if (run < 0 || std::size_t(run) >= m_view->m_runIds.size())
            return;
        const Layout layout = m_view->layoutFor(rect());
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(runColor(m_view->m_runIds[std::size_t(run)]), 3.0));
        QPolygonF line;
        for (std::size_t a = 0; a < m_view->m_axes.size(); ++a)
            line << QPointF(layout.x[a], layout.y(m_view->m_axes[a].fractions[std::size_t(run)]));
        if (line.size() > 1)
            painter.drawPolyline(line);
        else
            painter.drawEllipse(line.constFirst(), 3, 3);
    }

    ParallelCoordinatesView *m_view;
    int m_pressY = 0;
};

QWidget *ParallelCoordinatesView::createCanvas(ParallelCoordinatesView *view)
{
    return new Canvas(view);
}

ParallelCoordinatesView::Layout ParallelCoordinatesView::layoutFor(const QRect &target) const
{
    Layout layout;
    constexpr int kLeft = 72;
    constexpr int kRight = 48;
    constexpr int kTop = 40;
    constexpr int kBottom = 34; // room for the "no value" row below the axes
    layout.plot = QRect(target.left() + kLeft, target.top() + kTop, std::max(1, target.width() - kLeft - kRight),
                        std::max(1, target.height() - kTop - kBottom));
    layout.missingY = layout.plot.bottom() + kBottom / 2;
    const std::size_t n = m_axes.size();
    for (std::size_t i = 0; i < n; ++i) {
        layout.x.push_back(n == 1 ? layout.plot.center().x()
                                  : layout.plot.left()
                                   + int(std::lround(double(i) * layout.plot.width() / double(n - 1))));
    }
    return layout;
}

int ParallelCoordinatesView::runAt(const QPoint &position) const
{
    if (m_axes.empty() || m_rows.empty())
        return -1;
    const Layout layout = layoutFor(m_canvas->rect());
    // The segment between the axes around the cursor (or the only axis).
    std::size_t left = 0;
    while (left + 1 < layout.x.size() && position.x() > layout.x[left + 1])
        ++left;
    const std::size_t right = std::min(left + 1, layout.x.size() - 1);
    int best = -1;
    double bestDistance = kHoverDistance + 1;
    bool bestInside = false;
    for (std::size_t run = 0; run < m_rows.size(); ++run) {
        const double a = m_axes[left].fractions[run];
        const double b = m_axes[right].fractions[run];
        double y = 0;
        if (left == right || layout.x[right] == layout.x[left]) {
            if (std::abs(position.x() - layout.x[left]) > kHoverDistance)
                continue;
            y = layout.y(a);
        } else {
            const double t
                = std::clamp(double(position.x() - layout.x[left]) / (layout.x[right] - layout.x[left]), 0.0, 1.0);
            y = layout.y(a) + (layout.y(b) - layout.y(a)) * t;
        }
        const double distance = std::abs(y - position.y());
        if (distance > kHoverDistance)
            continue;
        // A run inside the brushes wins over a faint one, whatever their distances.
        const bool inside = m_inBrushes[run];
        const bool better = inside != bestInside ? inside : distance < bestDistance;
        if (best < 0 || better) {
            best = int(run);
            bestDistance = distance;
            bestInside = inside;
        }
    }
    return best;
}

void ParallelCoordinatesView::render(QPainter &painter, const QRect &target) const
{
    painter.save();
    const QPalette colors = palette();
    const QColor background = theme::plotBackground(colors);
    const QColor axisColor = theme::blend(background, theme::plotText(colors), 0.7);
    painter.fillRect(target, background);
    const QFont small = chartstyle::smallFont();
    painter.setFont(small);
    if (!m_table || m_rows.empty() || m_axes.empty()) {
        painter.setPen(theme::mutedText(colors));
        const QString text = !m_table || m_rows.empty()
            ? tr("Select runs to compare them on parallel axes.")
            : tr("These runs have no param that differs and no metric. Choose columns with Axes….");
        painter.drawText(target.adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, text);
        painter.restore();
        return;
    }
    const Layout layout = layoutFor(target);
    const auto yOf = [&](double f) { return layout.y(f); };
    std::vector<bool> drawn(m_rows.size(), false); // a run without a value on every axis is no line
    for (const AxisData &axis : m_axes) {
        for (std::size_t run = 0; run < m_rows.size(); ++run)
            drawn[run] = drawn[run] || !std::isnan(axis.fractions[run]);
    }

    // Lines: those outside the brushes first, faint, then the runs inside over them. Beyond
    // kAntialiasedLines runs into an image (the screen, PNG), opaque colours as light as the
    // translucent ones look on the background, drawn 1 px wide straight into a layer: QPainter's
    // cosmetic stroker costs ~20 ns a pixel, far too slow for thousands of long lines.
    const bool many = m_rows.size() > 200;
    const bool fast = m_rows.size() > kAntialiasedLines;
    const bool toImage
        = painter.device() && painter.device()->devType() == QInternal::Image && painter.worldTransform().isIdentity();
    QImage layer;
    qreal ratio = 1;
    if (fast && toImage) {
        ratio = painter.device()->devicePixelRatioF();
        layer = QImage((QSizeF(target.size()) * ratio).toSize(), QImage::Format_ARGB32_Premultiplied);
        layer.fill(Qt::transparent);
    }
    painter.setRenderHint(QPainter::Antialiasing, !fast);
    QPolygonF line;
    line.reserve(qsizetype(m_axes.size()));
    for (const bool inside : {false, true}) {
        for (std::size_t run = 0; run < m_rows.size(); ++run) {
            if (m_inBrushes[run] != inside || !drawn[run])
                continue;
            QColor color = inside ? theme::readableOn(runColor(m_runIds[run]), background)
                                  : theme::blend(background, theme::plotText(colors), 0.3);
            const double alpha = inside ? (many ? 0.6 : 0.9) : (many ? 0.25 : 0.5);
            if (fast) {
                color = theme::blend(background, color, alpha);
            } else {
                color.setAlphaF(float(alpha));
            }
            line.clear();
            for (std::size_t a = 0; a < m_axes.size(); ++a)
                line << QPointF(layout.x[a], yOf(m_axes[a].fractions[run]));
            if (!layer.isNull()) {
                const QPointF origin = target.topLeft();
                for (qsizetype p = 1; p < line.size(); ++p)
                    drawPixelLine(layer, ((line.at(p - 1) - origin) * ratio).toPoint(),
                                  ((line.at(p) - origin) * ratio).toPoint(), color.rgba());
                if (line.size() == 1)
                    drawPixelLine(layer, ((line.constFirst() - origin) * ratio).toPoint(),
                                  ((line.constFirst() - origin) * ratio).toPoint(), color.rgba());
                continue;
            }
            painter.setPen(QPen(color, many ? 0.0 : 1.6)); // 0: a cosmetic 1 px pen
            if (line.size() > 1)
                painter.drawPolyline(line);
            else
                painter.drawEllipse(line.constFirst(), 3, 3); // one axis: a dot
        }
    }
    if (!layer.isNull()) {
        layer.setDevicePixelRatio(ratio);
        painter.drawImage(target.topLeft(), layer);
    }
    painter.setRenderHint(QPainter::Antialiasing);

    // Brushes under the axis lines.
    for (const Brush &brush : m_brushes) {
        const int axis = axisIndex(brush.key);
        if (axis < 0)
            continue;
        const auto [low, high] = brushFractions(brush, m_axes[std::size_t(axis)]);
        const int x = layout.x[std::size_t(axis)];
        const QRectF band(QPointF(x - kBrushHalfWidth, yOf(std::min(1.02, high))),
                          QPointF(x + kBrushHalfWidth, yOf(std::max(-0.02, low))));
        QColor fill = theme::accent(colors);
        fill.setAlpha(70);
        painter.setPen(QPen(theme::accent(colors), 1.2));
        painter.setBrush(fill);
        painter.drawRect(band);
        painter.setBrush(Qt::NoBrush);
    }

    // Axes, ticks and labels over everything.
    const QFontMetrics metrics(small);
    const int spacing = m_axes.size() > 1 ? layout.x[1] - layout.x[0] : layout.plot.width();
    const int labelWidth = std::min(120, std::max(56, spacing / 2 - 6));
    QFont bold = small;
    bold.setBold(true);
    for (std::size_t a = 0; a < m_axes.size(); ++a) {
        const AxisData &axis = m_axes[a];
        const int x = layout.x[a];
        painter.setPen(QPen(axisColor, 1.2));
        painter.drawLine(QPointF(x, layout.plot.top()), QPointF(x, layout.plot.bottom()));
        painter.setPen(theme::mutedText(colors));
        const qsizetype ticks = axis.categorical ? axis.categories.size() : kTicks;
        // Categories closer than a line of text: every k-th is labelled.
        const double gap = ticks > 1 ? double(layout.plot.height()) / double(ticks - 1) : layout.plot.height();
        const qsizetype every = std::max<qsizetype>(1, qsizetype(std::ceil(metrics.height() / std::max(1.0, gap))));
        for (qsizetype t = 0; t < ticks; t += every) {
            const double f = ticks == 1 ? 0.5 : double(t) / double(ticks - 1);
            const QString text = axis.categorical ? axis.categories.at(t)
                                                  : runformat::metricValue(axis.min + f * (axis.max - axis.min));
            const double y = yOf(f);
            painter.drawLine(QPointF(x - 3, y), QPointF(x, y));
            const QRect box(x - 5 - labelWidth, int(y) - metrics.height() / 2, labelWidth, metrics.height());
            drawBackedText(painter, box, Qt::AlignRight | Qt::AlignVCenter,
                           metrics.elidedText(text, Qt::ElideMiddle, labelWidth), background);
        }
        // Runs without a value cross the axis below its bottom, at a short dashed stub.
        if (std::any_of(axis.fractions.cbegin(), axis.fractions.cend(), [](double f) { return std::isnan(f); })) {
            QPen stub(axisColor, 1.0, Qt::DotLine);
            painter.setPen(stub);
            painter.drawLine(QPointF(x, layout.plot.bottom() + 4), QPointF(x, layout.missingY + 4));
            painter.setPen(theme::mutedText(colors));
            const QRect box(x - 5 - labelWidth, layout.missingY - metrics.height() / 2, labelWidth, metrics.height());
            drawBackedText(painter, box, Qt::AlignRight | Qt::AlignVCenter, tr("none"), background);
        }
        painter.setFont(bold);
        painter.setPen(theme::plotText(colors));
        const int titleWidth = std::max(60, spacing - 8);
        const QRect title(x - titleWidth / 2, target.top() + 6, titleWidth, layout.plot.top() - target.top() - 12);
        painter.drawText(title, Qt::AlignHCenter | Qt::AlignBottom,
                         QFontMetrics(bold).elidedText(axis.label, Qt::ElideMiddle, titleWidth));
        painter.setFont(small);
    }
    painter.restore();
}

} // namespace kiln
