#include "lineageview.h"

#include "lineageitems.h"
#include "models/runformat.h"

#include <QFocusEvent>
#include <QGraphicsScene>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <array>
#include <vector>

namespace kiln {

namespace {

using lineage::ArrowItem;
using lineage::kRingGap;
using lineage::NodeItem;
using lineage::NodeSpec;
using Node = LineageView::Node;

constexpr qreal kColumnGap = 56;
constexpr qreal kRowGap = 16;
constexpr qreal kSceneMargin = 12;
constexpr int kShortHash = 12;

NodeSpec nodeSpec(Node kind, const QString &title, bool clickable)
{
    NodeSpec spec;
    spec.kind = kind;
    spec.title = title;
    spec.clickable = clickable;
    spec.absent = !clickable;
    return spec;
}

/// The first of the metrics a reader judges a model by, as "Accuracy 0.9417"; empty if none.
QString keyMetric(const QMap<QString, double> &metrics)
{
    static const std::array<QLatin1String, 4> keys
        = {QLatin1String("accuracy"), QLatin1String("roc_auc"), QLatin1String("rmse"), QLatin1String("r2")};
    for (const QLatin1String &key : keys) {
        const auto it = metrics.constFind(key);
        if (it != metrics.cend())
            return runformat::resultLabel(key) + QLatin1Char(' ') + runformat::metricValue(it.value());
    }
    return {};
}

QString dateText(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd")) : QString();
}

std::vector<NodeSpec> describe(const ModelVersion &version, bool datasetPresent)
{
    const ModelLineage &lineage = version.lineage;
    std::vector<NodeSpec> specs;

    const bool datasetKnown = !lineage.datasetName.isEmpty();
    NodeSpec dataset
        = nodeSpec(Node::Dataset,
                   datasetKnown ? lineage.datasetName + QLatin1Char('@') + QString::number(lineage.datasetVersion)
                                : LineageView::tr("unknown dataset"),
                   datasetKnown && datasetPresent);
    if (!lineage.datasetSha256.isEmpty())
        dataset.lines << lineage.datasetSha256;
    if (lineage.datasetRows > 0)
        dataset.lines << (lineage.datasetRows == 1
                              ? LineageView::tr("1 row")
                              : LineageView::tr("%1 rows").arg(QLocale().toString(lineage.datasetRows)));
    if (datasetKnown && !datasetPresent)
        dataset.lines << LineageView::tr("not in this workspace");
    dataset.name = lineage.datasetName;
    dataset.version = lineage.datasetVersion;
    // The tool tip holds the whole hash, the box its first characters.
    dataset.toolTip = (QStringList {dataset.title} + dataset.lines).join(QLatin1Char('\n'));
    if (!lineage.datasetSha256.isEmpty())
        dataset.lines.first() = lineage.datasetSha256.left(kShortHash);
    specs.push_back(dataset);

    NodeSpec run
        = nodeSpec(Node::Run, lineage.runName.isEmpty() ? LineageView::tr("run") : lineage.runName, version.runId > 0);
    if (version.runId > 0) {
        run.lines << LineageView::tr("run %1").arg(version.runId);
    } else if (!lineage.origin.isEmpty() || lineage.source == QLatin1String("bundle")) {
        run.lines << (lineage.origin.isEmpty() ? LineageView::tr("imported")
                                               : LineageView::tr("imported from %1").arg(lineage.origin));
    } else {
        run.lines << LineageView::tr("run no longer in this workspace");
    }
    if (!lineage.experiment.isEmpty())
        run.lines << lineage.experiment;
    if (const QString metric = keyMetric(lineage.metrics); !metric.isEmpty())
        run.lines << metric;
    run.id = version.runId;
    specs.push_back(run);

    NodeSpec model = nodeSpec(Node::Version, version.ref(), true);
    if (!version.aliases.isEmpty())
        model.lines << version.aliases.join(QLatin1String(", "));
    model.lines << versionStatusName(version.status);
    model.name = version.modelName;
    model.version = version.version;
    specs.push_back(model);

    for (int i = 0; i < version.deployments.size(); ++i) {
        const DeploymentRecord &record = version.deployments.at(i);
        NodeSpec deployment = nodeSpec(Node::Deployment, record.target, record.id > 0);
        deployment.index = i;
        deployment.lines << record.status;
        const QString created = dateText(record.createdAt);
        const QString ended = dateText(record.endedAt);
        if (!created.isEmpty())
            deployment.lines << (ended.isEmpty() ? created : created + QStringLiteral(" – ") + ended);
        deployment.id = record.id;
        specs.push_back(deployment);
    }
    if (version.deployments.isEmpty())
        specs.push_back(nodeSpec(Node::Deployment, LineageView::tr("not deployed"), false));
    return specs;
}

} // namespace

class LineageView::Private
{
public:
    explicit Private(LineageView *view)
        : q(view)
        , scene(new QGraphicsScene(view))
    { }

    void build();
    void fit();
    void activate(int node);
    void showRing();
    int nodeAt(QPoint viewPos) const;
    /// The next clickable node after `from` in reading order (`step` 1) or before it (-1).
    int nextClickable(int from, int step) const;

    LineageView *q;
    QGraphicsScene *scene;
    std::vector<NodeSpec> specs;
    std::vector<NodeItem *> nodes; ///< in reading order: columns left to right, top to bottom
    int current = -1; ///< the node Enter activates
    bool ringShown = false; ///< a focus ring after keyboard navigation, not after a click
    int pressed = -1;
};

void LineageView::Private::build()
{
    scene->clear();
    nodes.clear();
    current = -1;
    pressed = -1;
    if (specs.empty()) {
        scene->setSceneRect(QRectF());
        return;
    }

    std::array<std::vector<NodeItem *>, 4> columns;
    for (const NodeSpec &spec : specs) {
        auto *item = new NodeItem(spec, q->font());
        scene->addItem(item);
        nodes.push_back(item);
        columns.at(std::size_t(spec.kind)).push_back(item);
    }

    qreal x = 0;
    for (const std::vector<NodeItem *> &column : columns) {
        qreal width = 0;
        qreal height = -kRowGap;
        for (const NodeItem *item : column) {
            width = std::max(width, item->box().width());
            height += item->box().height() + kRowGap;
        }
        qreal y = -height / 2;
        for (NodeItem *item : column) {
            item->setWidth(width);
            item->setPos(x + width / 2, y + item->box().height() / 2);
            y += item->box().height() + kRowGap;
        }
        x += width + kColumnGap;
    }

    for (std::size_t c = 0; c + 1 < columns.size(); ++c) {
        for (const NodeItem *from : columns.at(c)) {
            for (const NodeItem *to : columns.at(c + 1)) {
                // Clear of the focus ring on either side.
                const QPointF start(from->pos().x() + from->box().right() + kRingGap, from->pos().y());
                const QPointF end(to->pos().x() + to->box().left() - kRingGap - 2, to->pos().y());
                scene->addItem(new ArrowItem(start, end, from->spec().absent || to->spec().absent));
            }
        }
    }
    const qreal m = kSceneMargin;
    scene->setSceneRect(scene->itemsBoundingRect().adjusted(-m, -m, m, m));
    fit();
}

void LineageView::Private::fit()
{
    const QRectF rect = scene->sceneRect();
    const QSize viewport = q->viewport()->size();
    if (rect.isEmpty() || viewport.isEmpty()) {
        q->resetTransform();
        return;
    }
    // Never above 1: scaled-up text turns blurry, and a small graph reads fine at its size.
    const qreal scale = std::min({1.0, viewport.width() / rect.width(), viewport.height() / rect.height()});
    q->setTransform(QTransform::fromScale(scale, scale));
    q->centerOn(rect.center());
}

void LineageView::Private::activate(int node)
{
    if (node < 0 || std::size_t(node) >= nodes.size())
        return;
    const NodeSpec &spec = nodes.at(std::size_t(node))->spec();
    if (!spec.clickable)
        return;
    switch (spec.kind) {
    case Node::Dataset:
        Q_EMIT q->datasetActivated(spec.name, spec.version);
        break;
    case Node::Run:
        Q_EMIT q->runActivated(spec.id);
        break;
    case Node::Version:
        Q_EMIT q->versionActivated(spec.name, spec.version);
        break;
    case Node::Deployment:
        Q_EMIT q->deploymentActivated(spec.id);
        break;
    }
}

void LineageView::Private::showRing()
{
    const bool shown = ringShown && q->hasFocus();
    for (std::size_t i = 0; i < nodes.size(); ++i)
        nodes.at(i)->setFocusRing(shown && int(i) == current);
}

int LineageView::Private::nodeAt(QPoint viewPos) const
{
    const QList<QGraphicsItem *> hits = q->items(viewPos);
    for (QGraphicsItem *hit : hits) {
        if (auto *node = qgraphicsitem_cast<NodeItem *>(hit)) {
            const auto it = std::find(nodes.cbegin(), nodes.cend(), node);
            return it == nodes.cend() ? -1 : int(it - nodes.cbegin());
        }
    }
    return -1;
}

int LineageView::Private::nextClickable(int from, int step) const
{
    const int count = int(nodes.size());
    int i = from < 0 && step < 0 ? count - 1 : from + step;
    for (; i >= 0 && i < count; i += step) {
        if (nodes.at(std::size_t(i))->spec().clickable)
            return i;
    }
    return -1;
}

LineageView::LineageView(QWidget *parent)
    : QGraphicsView(parent)
    , d(std::make_unique<Private>(this))
{
    setScene(d->scene);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setAlignment(Qt::AlignCenter);
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);
    setBackgroundRole(QPalette::Base);
    setAccessibleName(tr("Lineage"));
}

LineageView::~LineageView() = default;

void LineageView::setVersion(const ModelVersion &version, bool datasetVersionPresent)
{
    d->specs = describe(version, datasetVersionPresent);
    d->build();
}

void LineageView::clear()
{
    d->specs.clear();
    d->build();
}

QPointF LineageView::nodeCenter(Node node, int index) const
{
    for (const NodeItem *item : d->nodes) {
        if (item->spec().kind == node && item->spec().index == index)
            return item->scenePos();
    }
    return {};
}

int LineageView::nodeCount() const
{
    return int(d->nodes.size());
}

void LineageView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    d->fit();
}

void LineageView::mousePressEvent(QMouseEvent *event)
{
    QGraphicsView::mousePressEvent(event);
    if (event->button() != Qt::LeftButton)
        return;
    d->pressed = d->nodeAt(event->position().toPoint());
    // A node is a surface, clickable or not: the press ends here.
    if (d->pressed >= 0)
        event->accept();
}

void LineageView::mouseReleaseEvent(QMouseEvent *event)
{
    QGraphicsView::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton)
        return;
    // A click is a press and a release on the same node; dragging off a node cancels it.
    const int node = d->nodeAt(event->position().toPoint());
    const bool clicked = node >= 0 && node == d->pressed;
    d->pressed = -1;
    if (!clicked || !d->nodes.at(std::size_t(node))->spec().clickable)
        return;
    d->current = node;
    d->ringShown = false;
    d->showRing();
    d->activate(node);
}

bool LineageView::event(QEvent *event)
{
    // QGraphicsView gives Tab to the scene's focus chain, which knows nothing of the nodes:
    // Tab moves between the clickable nodes here, and past the last one on to the next widget.
    if (event->type() == QEvent::KeyPress) {
        const auto *keyEvent = static_cast<QKeyEvent *>(event);
        const int key = keyEvent->key();
        const bool plain = !(keyEvent->modifiers() & (Qt::ControlModifier | Qt::AltModifier));
        if (plain && (key == Qt::Key_Tab || key == Qt::Key_Backtab)) {
            const bool back = key == Qt::Key_Backtab || keyEvent->modifiers().testFlag(Qt::ShiftModifier);
            d->current = d->nextClickable(d->current, back ? -1 : 1);
            d->ringShown = d->current >= 0;
            d->showRing();
            if (d->current >= 0)
                return true;
        }
    }
    return QGraphicsView::event(event);
}

void LineageView::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    if ((key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Space) && d->current >= 0) {
        d->activate(d->current);
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void LineageView::focusInEvent(QFocusEvent *event)
{
    QGraphicsView::focusInEvent(event);
    const Qt::FocusReason reason = event->reason();
    if (reason == Qt::TabFocusReason || reason == Qt::BacktabFocusReason) {
        d->current = d->nextClickable(-1, reason == Qt::TabFocusReason ? 1 : -1);
        d->ringShown = true;
    }
    d->showRing();
}

void LineageView::focusOutEvent(QFocusEvent *event)
{
    QGraphicsView::focusOutEvent(event);
    d->showRing();
}

void LineageView::changeEvent(QEvent *event)
{
    QGraphicsView::changeEvent(event);
    // Node sizes follow the font; colours are read from the palette at paint time.
    if (event->type() == QEvent::FontChange)
        d->build();
    else if (event->type() == QEvent::PaletteChange)
        viewport()->update();
}

} // namespace kiln
