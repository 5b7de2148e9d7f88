#include "lineageitems.h"

#include "theme.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QWidget>

#include <algorithm>
#include <array>
#include <utility>

namespace kiln::lineage {

namespace {

constexpr qreal kPadding = 10;
constexpr qreal kBand = 5; ///< the strip of the kind's colour on a node's left edge
constexpr qreal kRadius = 6;
constexpr qreal kMinWidth = 150;
constexpr qreal kMaxWidth = 250;
constexpr qreal kArrowHead = 8;

/// `share` of `a` over `1 - share` of `b`: tints and muted text that follow the palette, so
/// the graph reads on a light and on a dark base.
QColor mixed(const QColor &a, const QColor &b, qreal share)
{
    return theme::blend(b, a, share);
}

QColor kindColor(Node kind, const QPalette &palette)
{
    switch (kind) {
    case Node::Dataset:
        return theme::validationLine(palette);
    case Node::Run:
        return theme::accent(palette);
    case Node::Version:
        return theme::runStatus(RunStatus::Finished, palette);
    case Node::Deployment:
        return theme::runStatus(RunStatus::Interrupted, palette);
    }
    return theme::mutedText(palette);
}

} // namespace

NodeItem::NodeItem(NodeSpec spec, const QFont &font)
    : m_spec(std::move(spec))
    , m_font(font)
    , m_titleFont(font)
{
    m_titleFont.setBold(true);
    const QFontMetricsF titleMetrics(m_titleFont);
    const QFontMetricsF metrics(m_font);
    qreal textWidth = titleMetrics.horizontalAdvance(m_spec.title);
    for (const QString &line : std::as_const(m_spec.lines))
        textWidth = std::max(textWidth, metrics.horizontalAdvance(line));
    const qreal width = std::clamp(textWidth + 2 * kPadding + kBand + 2, kMinWidth, kMaxWidth);
    const qreal height = 2 * kPadding + titleMetrics.height() + metrics.lineSpacing() * m_spec.lines.size();
    m_rect = QRectF(-width / 2, -height / 2, width, height);
    setToolTip(m_spec.toolTip.isEmpty() ? (QStringList {m_spec.title} + m_spec.lines).join(QLatin1Char('\n'))
                                        : m_spec.toolTip);
    setAcceptHoverEvents(m_spec.clickable);
    if (m_spec.clickable)
        setCursor(Qt::PointingHandCursor);
}

void NodeItem::setWidth(qreal width)
{
    prepareGeometryChange();
    m_rect.setLeft(-width / 2);
    m_rect.setRight(width / 2);
}

QRectF NodeItem::boundingRect() const
{
    const qreal ring = kRingGap + 2;
    return m_rect.adjusted(-ring, -ring, ring, ring);
}

QPainterPath NodeItem::shape() const
{
    QPainterPath path;
    path.addRoundedRect(m_rect, kRadius, kRadius);
    return path;
}

void NodeItem::setFocusRing(bool shown)
{
    if (std::exchange(m_ring, shown) != shown)
        update();
}

void NodeItem::setHovered(bool hovered)
{
    if (std::exchange(m_hovered, hovered) != hovered)
        update();
}

void NodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *widget)
{
    const QPalette palette = widget ? widget->palette() : QGuiApplication::palette();
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    const QColor muted = mixed(text, base, 0.6);
    const QColor kind = m_spec.absent ? muted : kindColor(m_spec.kind, palette);
    painter->setRenderHint(QPainter::Antialiasing);

    if (m_ring) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(m_rect.adjusted(-kRingGap, -kRingGap, kRingGap, kRingGap), kRadius + kRingGap,
                                 kRadius + kRingGap);
    }

    const QPainterPath outline = shape();
    painter->fillPath(outline, m_spec.absent ? base : mixed(kind, base, m_hovered ? 0.2 : 0.07));
    if (!m_spec.absent) {
        painter->save();
        painter->setClipPath(outline);
        painter->fillRect(QRectF(m_rect.left(), m_rect.top(), kBand, m_rect.height()), kind);
        painter->restore();
    }
    QPen border(m_hovered ? kind : mixed(kind, base, 0.75), m_hovered ? 2.0 : 1.2);
    if (m_spec.absent)
        border.setStyle(Qt::DashLine);
    painter->setPen(border);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(outline);

    const qreal left = m_rect.left() + kBand + kPadding;
    const qreal width = m_rect.right() - kPadding - left;
    qreal y = m_rect.top() + kPadding;
    const QFontMetricsF titleMetrics(m_titleFont);
    painter->setFont(m_titleFont);
    painter->setPen(m_spec.absent ? muted : text);
    painter->drawText(QPointF(left, y + titleMetrics.ascent()),
                      titleMetrics.elidedText(m_spec.title, Qt::ElideRight, width));
    y += titleMetrics.height();
    const QFontMetricsF metrics(m_font);
    painter->setFont(m_font);
    painter->setPen(muted);
    for (const QString &line : std::as_const(m_spec.lines)) {
        painter->drawText(QPointF(left, y + metrics.ascent()), metrics.elidedText(line, Qt::ElideRight, width));
        y += metrics.lineSpacing();
    }
}

ArrowItem::ArrowItem(QPointF from, QPointF to, bool dashed)
    : m_to(to)
    , m_dashed(dashed)
{
    const QPointF end(to.x() - kArrowHead, to.y());
    const qreal bend = (end.x() - from.x()) / 2;
    m_path.moveTo(from);
    m_path.cubicTo(QPointF(from.x() + bend, from.y()), QPointF(end.x() - bend, end.y()), end);
    setZValue(-1);
}

QRectF ArrowItem::boundingRect() const
{
    return m_path.boundingRect().united(QRectF(m_to, QSizeF(1, 1))).adjusted(-2, -kArrowHead, 2, kArrowHead);
}

void ArrowItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *widget)
{
    const QPalette palette = widget ? widget->palette() : QGuiApplication::palette();
    const QColor colour = mixed(palette.color(QPalette::Text), palette.color(QPalette::Base), 0.5);
    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(colour, 1.4);
    if (m_dashed)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    const std::array<QPointF, 3> head
        = {m_to, m_to + QPointF(-kArrowHead, -kArrowHead / 2), m_to + QPointF(-kArrowHead, kArrowHead / 2)};
    painter->drawPolygon(head.data(), int(head.size()));
}

} // namespace kiln::lineage
