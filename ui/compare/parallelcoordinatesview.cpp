#include "parallelcoordinatesview.h"

#include "chartstyle.h"
#include "models/runformat.h"
#include "runcolors.h"
#include "theme.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSvgGenerator>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace kiln {

namespace {

constexpr int kMaxDefaultParams = 12;
constexpr int kDefaultMetrics = 3;
constexpr int kAxisGrab = 10; ///< px either side of an axis where a press starts a brush
constexpr int kDragThreshold = 3;
constexpr int kHoverDistance = 6;
constexpr int kBrushHalfWidth = 7;
constexpr int kTicks = 5;
constexpr std::size_t kAntialiasedLines = 1000; ///< above this many, lines are drawn aliased (much faster)

const double kNaN = std::numeric_limits<double>::quiet_NaN();

QString kindName(RunColumnKind kind)
{
    switch (kind) {
    case RunColumnKind::Attribute:
        return QStringLiteral("attribute");
    case RunColumnKind::Param:
        return QStringLiteral("param");
    case RunColumnKind::Metric:
        return QStringLiteral("metric");
    case RunColumnKind::Tag:
        return QStringLiteral("tag");
    }
    return {};
}

std::optional<RunColumnKind> kindFromName(const QString &name)
{
    for (RunColumnKind kind :
         {RunColumnKind::Attribute, RunColumnKind::Param, RunColumnKind::Metric, RunColumnKind::Tag}) {
        if (kindName(kind) == name)
            return kind;
    }
    return std::nullopt;
}

QString statName(MetricStat stat)
{
    switch (stat) {
    case MetricStat::Last:
        return QStringLiteral("last");
    case MetricStat::Min:
        return QStringLiteral("min");
    case MetricStat::Max:
        return QStringLiteral("max");
    }
    return {};
}

MetricStat statFromName(const QString &name)
{
    if (name == QLatin1String("min"))
        return MetricStat::Min;
    if (name == QLatin1String("max"))
        return MetricStat::Max;
    return MetricStat::Last;
}

QJsonObject keyToJson(const ParallelAxisKey &key)
{
    QJsonObject json {{QStringLiteral("kind"), kindName(key.kind)}, {QStringLiteral("key"), key.key}};
    if (key.kind == RunColumnKind::Metric)
        json.insert(QStringLiteral("stat"), statName(key.stat));
    return json;
}

std::optional<ParallelAxisKey> keyFromJson(const QJsonObject &json)
{
    const std::optional<RunColumnKind> kind = kindFromName(json.value(QStringLiteral("kind")).toString());
    const QString key = json.value(QStringLiteral("key")).toString();
    if (!kind || key.isEmpty())
        return std::nullopt;
    return ParallelAxisKey {*kind, key, statFromName(json.value(QStringLiteral("stat")).toString())};
}

ParallelAxisKey keyOf(const RunTable::Column &column)
{
    return {column.kind, column.key, column.stat};
}

bool isNumeric(const RunTable::Column &column)
{
    return !column.text || column.allNumeric;
}

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

/// Text with a faint white backing, so labels stay readable over the lines.
void drawBackedText(QPainter &painter, const QRect &box, int flags, const QString &text)
{
    const QRect used = painter.boundingRect(box, flags, text);
    painter.fillRect(used.adjusted(-2, 0, 2, 0), QColor(255, 255, 255, 200));
    painter.drawText(box, flags, text);
}

} // namespace

bool writePicture(const QString &path, QSize size, const std::function<void(QPainter &, const QRect &)> &render,
                  QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QRect target(QPoint(0, 0), size);
    if (suffix == QLatin1String("png")) {
        QImage image(size * 2, QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(2);
        image.fill(Qt::white);
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setRenderHint(QPainter::TextAntialiasing);
            render(painter, target);
        }
        if (!image.save(path, "PNG"))
            return fail(QObject::tr("cannot write %1: the folder is missing or not writable").arg(path));
        return true;
    }
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(size);
        generator.setViewBox(target);
        generator.setTitle(QFileInfo(path).completeBaseName());
        QPainter painter;
        if (!painter.begin(&generator))
            return fail(QObject::tr("cannot write %1: the folder is missing or not writable").arg(path));
        painter.setRenderHint(QPainter::Antialiasing);
        render(painter, target);
        painter.end();
        if (QFileInfo(path).size() <= 0)
            return fail(QObject::tr("cannot write %1").arg(path));
        return true;
    }
    return fail(QObject::tr("cannot export %1: choose a file ending in .png or .svg").arg(path));
}

// ---- canvas ------------------------------------------------------------------------------------

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
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        const qreal ratio = devicePixelRatioF();
        const QSize pixels = size() * ratio;
        if (m_view->m_cache.size() != pixels) {
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

// ---- view --------------------------------------------------------------------------------------

ParallelCoordinatesView::ParallelCoordinatesView(QWidget *parent)
    : ComparisonView(parent)
    , m_canvas(new Canvas(this))
    , m_axesButton(new QPushButton(tr("Axes…"), this))
    , m_clearButton(new QPushButton(tr("Clear brushes"), this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("parallelCoordinatesView"));
    m_axesButton->setObjectName(QStringLiteral("parallelAxesButton"));
    m_axesButton->setToolTip(tr("Choose the columns shown as axes and their order"));
    m_clearButton->setObjectName(QStringLiteral("parallelClearBrushes"));
    m_status->setObjectName(QStringLiteral("parallelStatus"));
    m_status->setStyleSheet(QStringLiteral("color: %1;").arg(theme::mutedText().name()));
    connect(m_axesButton, &QPushButton::clicked, this, &ParallelCoordinatesView::openAxesChooser);
    connect(m_clearButton, &QPushButton::clicked, this, &ParallelCoordinatesView::clearBrushes);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    bar->addWidget(m_axesButton);
    bar->addWidget(m_clearButton);
    bar->addSpacing(8);
    bar->addWidget(m_status, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_canvas, 1);
    updateStatus();
}

ParallelCoordinatesView::~ParallelCoordinatesView() = default;

QWidget *ParallelCoordinatesView::canvas() const
{
    return m_canvas;
}

void ParallelCoordinatesView::setComparison(const Comparison &comparison)
{
    if (comparison.table == m_table && comparison.rows == m_rows)
        return;
    m_table = comparison.table;
    m_rows = m_table ? comparison.rows : std::vector<int>();
    m_runIds.clear();
    for (int row : m_rows)
        m_runIds.push_back(m_table->runId(row));
    m_hovered = -1;
    rebuild();
}

QList<ParallelAxisKey> ParallelCoordinatesView::defaultAxes() const
{
    QList<ParallelAxisKey> axes;
    if (!m_table || m_rows.empty())
        return axes;
    for (int column : m_table->differingColumns(m_rows)) {
        const RunTable::Column &c = m_table->column(column);
        if (c.kind == RunColumnKind::Param && axes.size() < kMaxDefaultParams)
            axes << keyOf(c);
    }
    // The metrics most of the runs have, by name among equals.
    QList<QPair<int, QString>> metrics;
    const QStringList keys = m_table->metricKeys();
    for (const QString &key : keys) {
        const int column = m_table->findColumn(RunColumnKind::Metric, key, MetricStat::Last);
        if (column < 0)
            continue;
        const RunTable::Column &c = m_table->column(column);
        const int present
            = int(std::count_if(m_rows.cbegin(), m_rows.cend(), [&](int row) { return !c.isMissing(row); }));
        if (present > 0)
            metrics.append({present, key});
    }
    std::stable_sort(metrics.begin(), metrics.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (qsizetype i = 0; i < metrics.size() && i < kDefaultMetrics; ++i)
        axes << ParallelAxisKey {RunColumnKind::Metric, metrics.at(i).second, MetricStat::Last};
    return axes;
}

void ParallelCoordinatesView::rebuild()
{
    m_axes.clear();
    if (m_table) {
        const QList<ParallelAxisKey> keys = m_customAxes ? m_chosenAxes : defaultAxes();
        for (const ParallelAxisKey &key : keys) {
            const int column = m_table->findColumn(key.kind, key.key, key.stat);
            if (column < 0)
                continue;
            const RunTable::Column &c = m_table->column(column);
            AxisData axis;
            axis.key = key;
            axis.column = column;
            axis.label = c.label();
            axis.categorical = !isNumeric(c);
            axis.fractions.assign(m_rows.size(), kNaN);
            if (axis.categorical) {
                // Each distinct value of the column once (its dictionary code), in reading order.
                QHash<QString, int> index;
                std::vector<QString> text(m_rows.size());
                for (std::size_t i = 0; i < m_rows.size(); ++i) {
                    if (c.isMissing(m_rows[i]))
                        continue;
                    text[i] = c.displayText(m_rows[i]);
                    index.insert(text[i], 0);
                }
                QStringList present = index.keys();
                std::sort(present.begin(), present.end(),
                          [](const QString &a, const QString &b) { return a.localeAwareCompare(b) < 0; });
                for (qsizetype i = 0; i < present.size(); ++i)
                    index[present.at(i)] = int(i);
                axis.categories = present;
                axis.category.assign(m_rows.size(), -1);
                const qsizetype n = present.size();
                for (std::size_t i = 0; i < m_rows.size(); ++i) {
                    if (c.isMissing(m_rows[i]))
                        continue;
                    const int at = index.value(text[i]);
                    axis.category[i] = at;
                    axis.fractions[i] = n == 1 ? 0.5 : double(at) / double(n - 1);
                }
            } else {
                axis.values.assign(m_rows.size(), kNaN);
                for (std::size_t i = 0; i < m_rows.size(); ++i)
                    axis.values[i] = c.number(m_rows[i]);
                double low = std::numeric_limits<double>::infinity();
                double high = -low;
                for (double v : axis.values) {
                    if (std::isfinite(v)) {
                        low = std::min(low, v);
                        high = std::max(high, v);
                    }
                }
                if (!(low <= high)) {
                    low = 0;
                    high = 1;
                } else if (low == high) {
                    // One value: in the middle of an axis around it.
                    const double pad = low == 0 ? 1.0 : std::abs(low) * 0.5;
                    low -= pad;
                    high += pad;
                }
                axis.min = low;
                axis.max = high;
                for (std::size_t i = 0; i < m_rows.size(); ++i) {
                    const double v = axis.values[i];
                    if (std::isfinite(v))
                        axis.fractions[i] = (v - low) / (high - low);
                }
            }
            m_axes.push_back(std::move(axis));
        }
        // A brush on an axis no longer shown goes with it.
        m_brushes.erase(std::remove_if(m_brushes.begin(), m_brushes.end(),
                                       [this](const Brush &brush) { return axisIndex(brush.key) < 0; }),
                        m_brushes.end());
    }
    updateBrushed(true);
    invalidate();
}

int ParallelCoordinatesView::axisIndex(const ParallelAxisKey &key) const
{
    for (std::size_t i = 0; i < m_axes.size(); ++i) {
        if (m_axes[i].key == key)
            return int(i);
    }
    return -1;
}

std::vector<bool> ParallelCoordinatesView::inside(const Brush &brush, const AxisData &axis) const
{
    std::vector<bool> in(m_rows.size(), false);
    if (axis.categorical) {
        std::vector<bool> chosen(std::size_t(axis.categories.size()), false);
        for (const QString &category : brush.categories) {
            if (const qsizetype at = axis.categories.indexOf(category); at >= 0)
                chosen[std::size_t(at)] = true;
        }
        for (std::size_t run = 0; run < m_rows.size(); ++run)
            in[run] = axis.category[run] >= 0 && chosen[std::size_t(axis.category[run])];
    } else {
        for (std::size_t run = 0; run < m_rows.size(); ++run)
            in[run] = axis.values[run] >= brush.low && axis.values[run] <= brush.high; // false for NaN
    }
    return in;
}

void ParallelCoordinatesView::updateBrushed(bool emitChange)
{
    m_inBrushes.assign(m_rows.size(), true);
    std::optional<QSet<qint64>> brushed;
    if (m_table && !m_brushes.isEmpty()) {
        for (const Brush &brush : std::as_const(m_brushes)) {
            const int axis = axisIndex(brush.key);
            if (axis < 0)
                continue;
            const std::vector<bool> in = inside(brush, m_axes[std::size_t(axis)]);
            for (std::size_t run = 0; run < m_rows.size(); ++run)
                m_inBrushes[run] = m_inBrushes[run] && in[run];
        }
        brushed.emplace();
        for (std::size_t run = 0; run < m_rows.size(); ++run) {
            if (m_inBrushes[run])
                brushed->insert(m_runIds[run]);
        }
    }
    updateStatus();
    if (emitChange && brushed != m_emitted) {
        m_emitted = brushed;
        Q_EMIT brushChanged(brushed);
    }
}

std::optional<QSet<qint64>> ParallelCoordinatesView::brushedRuns() const
{
    if (!m_table || m_brushes.isEmpty())
        return std::nullopt;
    QSet<qint64> runs;
    for (std::size_t run = 0; run < m_rows.size(); ++run) {
        if (m_inBrushes[run])
            runs.insert(m_runIds[run]);
    }
    return runs;
}

ParallelCoordinatesView::Brush ParallelCoordinatesView::brushFor(const AxisData &axis, double from, double to) const
{
    const double low = std::min(from, to);
    const double high = std::max(from, to);
    Brush brush;
    brush.key = axis.key;
    if (axis.categorical) {
        const qsizetype n = axis.categories.size();
        for (qsizetype i = 0; i < n; ++i) {
            const double f = n == 1 ? 0.5 : double(i) / double(n - 1);
            if (f >= low && f <= high)
                brush.categories << axis.categories.at(i);
        }
    } else {
        brush.low = axis.min + low * (axis.max - axis.min);
        brush.high = axis.min + high * (axis.max - axis.min);
    }
    return brush;
}

std::pair<double, double> ParallelCoordinatesView::brushFractions(const Brush &brush, const AxisData &axis) const
{
    if (!axis.categorical) {
        const double span = axis.max - axis.min;
        return {(brush.low - axis.min) / span, (brush.high - axis.min) / span};
    }
    const qsizetype n = axis.categories.size();
    double low = 1;
    double high = 0;
    for (const QString &category : brush.categories) {
        const qsizetype at = axis.categories.indexOf(category);
        if (at < 0)
            continue;
        const double f = n == 1 ? 0.5 : double(at) / double(n - 1);
        low = std::min(low, f);
        high = std::max(high, f);
    }
    constexpr double kPad = 0.02; // a category brushed shows as a short band around its tick
    return {low - kPad, high + kPad};
}

void ParallelCoordinatesView::setBrush(int axis, double fromFraction, double toFraction)
{
    const AxisData &brushed = m_axes[std::size_t(axis)];
    Brush brush = brushFor(brushed, fromFraction, toFraction);
    m_brushes.erase(
        std::remove_if(m_brushes.begin(), m_brushes.end(), [&](const Brush &b) { return b.key == brushed.key; }),
        m_brushes.end());
    if (!brushed.categorical || !brush.categories.isEmpty())
        m_brushes.append(std::move(brush));
    updateBrushed(false);
    invalidate();
}

void ParallelCoordinatesView::removeBrush(int axis)
{
    const ParallelAxisKey key = m_axes[std::size_t(axis)].key;
    m_brushes.erase(std::remove_if(m_brushes.begin(), m_brushes.end(), [&](const Brush &b) { return b.key == key; }),
                    m_brushes.end());
    updateBrushed(true);
    invalidate();
}

void ParallelCoordinatesView::clearBrushes()
{
    m_brushes.clear();
    updateBrushed(true);
    invalidate();
}

QList<ParallelAxisKey> ParallelCoordinatesView::axes() const
{
    QList<ParallelAxisKey> keys;
    for (const AxisData &axis : m_axes)
        keys << axis.key;
    return keys;
}

void ParallelCoordinatesView::setAxes(const QList<ParallelAxisKey> &axes)
{
    m_chosenAxes = axes;
    m_customAxes = true;
    rebuild();
}

void ParallelCoordinatesView::resetAxes()
{
    m_chosenAxes.clear();
    m_customAxes = false;
    rebuild();
}

QStringList ParallelCoordinatesView::axisLabels() const
{
    QStringList labels;
    for (const AxisData &axis : m_axes)
        labels << axis.label;
    return labels;
}

int ParallelCoordinatesView::lineCount() const
{
    int lines = 0;
    for (std::size_t run = 0; run < m_rows.size(); ++run) {
        if (std::any_of(m_axes.cbegin(), m_axes.cend(),
                        [run](const AxisData &axis) { return !std::isnan(axis.fractions[run]); }))
            ++lines;
    }
    return lines;
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

QPoint ParallelCoordinatesView::axisPoint(int axis, double fraction) const
{
    const Layout layout = layoutFor(m_canvas->rect());
    if (axis < 0 || std::size_t(axis) >= layout.x.size())
        return {};
    return {layout.x[std::size_t(axis)], layout.plot.bottom() - int(std::lround(fraction * layout.plot.height()))};
}

double ParallelCoordinatesView::runFraction(int axis, qint64 runId) const
{
    const auto at = std::find(m_runIds.cbegin(), m_runIds.cend(), runId);
    if (axis < 0 || std::size_t(axis) >= m_axes.size() || at == m_runIds.cend())
        return kNaN;
    return m_axes[std::size_t(axis)].fractions[std::size_t(at - m_runIds.cbegin())];
}

qint64 ParallelCoordinatesView::hoveredRun() const
{
    return m_hovered >= 0 && std::size_t(m_hovered) < m_runIds.size() ? m_runIds[std::size_t(m_hovered)] : 0;
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
    painter.fillRect(target, Qt::white);
    const QFont small = chartstyle::smallFont();
    painter.setFont(small);
    if (!m_table || m_rows.empty() || m_axes.empty()) {
        painter.setPen(theme::mutedText());
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
    // translucent ones look on white, drawn 1 px wide straight into a layer: QPainter's
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
            QColor color = inside ? runColor(m_runIds[run]) : QColor(0xbe, 0xc0, 0xc5);
            const double alpha = inside ? (many ? 0.6 : 0.9) : (many ? 0.25 : 0.5);
            if (fast) {
                color = QColor::fromRgbF(float(1 - alpha * (1 - color.redF())), float(1 - alpha * (1 - color.greenF())),
                                         float(1 - alpha * (1 - color.blueF())));
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
        QColor fill = theme::accent();
        fill.setAlpha(70);
        painter.setPen(QPen(theme::accent(), 1.2));
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
        painter.setPen(QPen(QColor(0x55, 0x58, 0x60), 1.2));
        painter.drawLine(QPointF(x, layout.plot.top()), QPointF(x, layout.plot.bottom()));
        painter.setPen(theme::mutedText());
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
                           metrics.elidedText(text, Qt::ElideMiddle, labelWidth));
        }
        // Runs without a value cross the axis below its bottom, at a short dashed stub.
        if (std::any_of(axis.fractions.cbegin(), axis.fractions.cend(), [](double f) { return std::isnan(f); })) {
            QPen stub(QColor(0x55, 0x58, 0x60), 1.0, Qt::DotLine);
            painter.setPen(stub);
            painter.drawLine(QPointF(x, layout.plot.bottom() + 4), QPointF(x, layout.missingY + 4));
            painter.setPen(theme::mutedText());
            const QRect box(x - 5 - labelWidth, layout.missingY - metrics.height() / 2, labelWidth, metrics.height());
            drawBackedText(painter, box, Qt::AlignRight | Qt::AlignVCenter, tr("none"));
        }
        painter.setFont(bold);
        painter.setPen(palette().color(QPalette::WindowText));
        const int titleWidth = std::max(60, spacing - 8);
        const QRect title(x - titleWidth / 2, target.top() + 6, titleWidth, layout.plot.top() - target.top() - 12);
        painter.drawText(title, Qt::AlignHCenter | Qt::AlignBottom,
                         QFontMetrics(bold).elidedText(axis.label, Qt::ElideMiddle, titleWidth));
        painter.setFont(small);
    }
    painter.restore();
}

void ParallelCoordinatesView::invalidate()
{
    m_cache = QImage();
    m_canvas->update();
}

void ParallelCoordinatesView::updateStatus()
{
    const int runs = int(m_rows.size());
    m_clearButton->setEnabled(!m_brushes.isEmpty());
    if (runs == 0) {
        m_status->clear();
        return;
    }
    if (m_brushes.isEmpty()) {
        m_status->setText(tr("Drag along an axis to keep only the runs in a range."));
        return;
    }
    const int inside = int(std::count(m_inBrushes.cbegin(), m_inBrushes.cend(), true));
    m_status->setText(
        tr("%1 of %2 runs inside the brushes. Click an axis outside its brush to clear it.").arg(inside).arg(runs));
}

QStringList ParallelCoordinatesView::exportFormats() const
{
    return {QStringLiteral("png"), QStringLiteral("svg")};
}

bool ParallelCoordinatesView::exportTo(const QString &path, QString *error) const
{
    QSize size = m_canvas->size();
    if (size.width() < 400 || size.height() < 300)
        size = QSize(1200, 700);
    return writePicture(
        path, size, [this](QPainter &painter, const QRect &target) { render(painter, target); }, error);
}

QJsonObject ParallelCoordinatesView::settings() const
{
    QJsonObject json;
    if (m_customAxes) {
        QJsonArray axes;
        for (const ParallelAxisKey &key : m_chosenAxes)
            axes.append(keyToJson(key));
        json.insert(QStringLiteral("axes"), axes);
    }
    QJsonArray brushes;
    for (const Brush &brush : m_brushes) {
        QJsonObject object = keyToJson(brush.key);
        if (!brush.categories.isEmpty()) {
            object.insert(QStringLiteral("categories"), QJsonArray::fromStringList(brush.categories));
        } else {
            object.insert(QStringLiteral("low"), brush.low);
            object.insert(QStringLiteral("high"), brush.high);
        }
        brushes.append(object);
    }
    if (!brushes.isEmpty())
        json.insert(QStringLiteral("brushes"), brushes);
    return json;
}

void ParallelCoordinatesView::restoreSettings(const QJsonObject &settings)
{
    m_chosenAxes.clear();
    m_customAxes = settings.contains(QStringLiteral("axes"));
    for (const auto &value : settings.value(QStringLiteral("axes")).toArray()) {
        if (const std::optional<ParallelAxisKey> key = keyFromJson(value.toObject()))
            m_chosenAxes << *key;
    }
    m_brushes.clear();
    for (const auto &value : settings.value(QStringLiteral("brushes")).toArray()) {
        const QJsonObject object = value.toObject();
        const std::optional<ParallelAxisKey> key = keyFromJson(object);
        if (!key)
            continue;
        Brush brush;
        brush.key = *key;
        if (object.contains(QStringLiteral("categories"))) {
            for (const auto &category : object.value(QStringLiteral("categories")).toArray())
                brush.categories << category.toString();
        } else {
            brush.low = object.value(QStringLiteral("low")).toDouble();
            brush.high = object.value(QStringLiteral("high")).toDouble();
        }
        m_brushes.append(std::move(brush));
    }
    rebuild();
}

void ParallelCoordinatesView::openAxesChooser()
{
    if (!m_table)
        return;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("parallelAxesDialog"));
    dialog->setWindowTitle(tr("Axes"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *note = new QLabel(tr("Tick the columns to show as axes; drag them into the order you want."), dialog);
    note->setWordWrap(true);
    auto *list = new QListWidget(dialog);
    list->setObjectName(QStringLiteral("parallelAxesList"));
    list->setDragDropMode(QAbstractItemView::InternalMove);
    const auto addItem = [&](const ParallelAxisKey &key, const RunTable::Column &column, bool checked) {
        const QString prefix = column.kind == RunColumnKind::Param ? tr("param")
            : column.kind == RunColumnKind::Metric                 ? tr("metric")
            : column.kind == RunColumnKind::Tag                    ? tr("tag")
                                                                   : tr("run");
        auto *item = new QListWidgetItem(QStringLiteral("%1 · %2").arg(prefix, column.label()), list);
        item->setData(Qt::UserRole, keyToJson(key));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsDragEnabled);
        item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    };
    const QList<ParallelAxisKey> shown = axes();
    for (const AxisData &axis : m_axes)
        addItem(axis.key, m_table->column(axis.column), true);
    // Every other column some compared run has a value in.
    for (int c = 0; c < m_table->columnCount(); ++c) {
        const RunTable::Column &column = m_table->column(c);
        // Of the attributes, those that say how a run went (column index == RunAttribute).
        if (column.kind == RunColumnKind::Attribute && c != int(RunAttribute::Status) && c != int(RunAttribute::Source)
            && c != int(RunAttribute::Dataset) && c != int(RunAttribute::Duration))
            continue;
        const ParallelAxisKey key = keyOf(column);
        if (shown.contains(key)
            || std::all_of(m_rows.cbegin(), m_rows.cend(), [&](int row) { return column.isMissing(row); }))
            continue;
        addItem(key, column, false);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    QPushButton *defaults = buttons->addButton(tr("Default axes"), QDialogButtonBox::ResetRole);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(defaults, &QPushButton::clicked, dialog, [this, dialog] {
        resetAxes();
        dialog->reject();
    });
    connect(dialog, &QDialog::accepted, this, [this, list] {
        QList<ParallelAxisKey> chosen;
        for (int i = 0; i < list->count(); ++i) {
            const QListWidgetItem *item = list->item(i);
            if (item->checkState() != Qt::Checked)
                continue;
            if (const std::optional<ParallelAxisKey> key = keyFromJson(item->data(Qt::UserRole).toJsonObject()))
                chosen << *key;
        }
        setAxes(chosen);
    });
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(note);
    layout->addWidget(list, 1);
    layout->addWidget(buttons);
    dialog->resize(380, 480);
    dialog->open();
}

} // namespace kiln
