#pragma once

#include "lineageview.h"

#include <QFont>
#include <QGraphicsItem>
#include <QPainterPath>
#include <QStringList>

namespace kiln::lineage {

using Node = LineageView::Node;

constexpr qreal kRingGap = 3; ///< between a node and its focus ring

/// What one box shows and what activating it means, before any layout.
struct NodeSpec
{
    Node kind = Node::Dataset;
    int index = 0;
    QString title;
    QStringList lines;
    QString toolTip; ///< empty: the title and lines
    bool clickable = false;
    /// Not in this workspace, or the "not deployed" placeholder: dashed and muted.
    bool absent = false;
    QString name; ///< dataset or model name
    int version = 0;
    qint64 id = 0; ///< run or deployment id
};

/// A rounded box centred on its position: a bold title and a few muted lines.
class NodeItem final : public QGraphicsItem
{
public:
    enum { Type = UserType + 1 };

    NodeItem(NodeSpec spec, const QFont &font);

    int type() const override { return Type; }
    const NodeSpec &spec() const { return m_spec; }
    QRectF box() const { return m_rect; }
    /// Widens the box to its column's width, so that a column's boxes line up.
    void setWidth(qreal width);

    QRectF boundingRect() const override;
    QPainterPath shape() const override;

    void setFocusRing(bool shown);
    void setHovered(bool hovered);

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent *) override { setHovered(true); }
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *) override { setHovered(false); }

private:
    NodeSpec m_spec;
    QFont m_font;
    QFont m_titleFont;
    QRectF m_rect;
    bool m_hovered = false;
    bool m_ring = false;
};

/// A curve from one node's right edge to the next one's left edge, ending in a filled head;
/// dashed when it leads from or to a node that is not there.
class ArrowItem final : public QGraphicsItem
{
public:
    ArrowItem(QPointF from, QPointF to, bool dashed);

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QPainterPath m_path;
    QPointF m_to;
    bool m_dashed = false;
};

} // namespace kiln::lineage
