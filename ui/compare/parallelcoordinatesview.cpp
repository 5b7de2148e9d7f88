#include "parallelcoordinatesview.h"

#include "appearance.h"
#include "compare/parallelaxesdialog.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace kiln {

namespace {

constexpr int kMaxDefaultParams = 12;
constexpr int kDefaultMetrics = 3;

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

bool isNumeric(const RunTable::Column &column)
{
    return !column.text || column.allNumeric;
}

/// A 1 px line from `from` to `to` (both ends included) in an opaque colour, straight into
} // namespace

QJsonObject ParallelAxisKey::toJson() const
{
    QJsonObject json {{QStringLiteral("kind"), kindName(kind)}, {QStringLiteral("key"), key}};
    if (kind == RunColumnKind::Metric)
        json.insert(QStringLiteral("stat"), statName(stat));
    return json;
}

std::optional<ParallelAxisKey> ParallelAxisKey::fromJson(const QJsonObject &json)
{
    const std::optional<RunColumnKind> kind = kindFromName(json.value(QStringLiteral("kind")).toString());
    const QString key = json.value(QStringLiteral("key")).toString();
    if (!kind || key.isEmpty())
        return std::nullopt;
    return ParallelAxisKey {*kind, key, statFromName(json.value(QStringLiteral("stat")).toString())};
}

ParallelCoordinatesView::ParallelCoordinatesView(QWidget *parent)
    : ComparisonView(parent)
    , m_canvas(createCanvas(this))
    , m_axesButton(new QPushButton(tr("Axes…"), this))
    , m_clearButton(new QPushButton(tr("Clear brushes"), this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("parallelCoordinatesView"));
    m_axesButton->setObjectName(QStringLiteral("parallelAxesButton"));
    m_axesButton->setToolTip(tr("Choose the columns shown as axes and their order"));
    m_clearButton->setObjectName(QStringLiteral("parallelClearBrushes"));
    m_status->setObjectName(QStringLiteral("parallelStatus"));
    appearance::setTextRole(m_status, appearance::TextRole::Muted);
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
            axes << ParallelAxisKey::of(c);
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
    return pictureFormats();
}

bool ParallelCoordinatesView::exportTo(const QString &path, QString *error) const
{
    QSize size = m_canvas->size();
    if (size.width() < 400 || size.height() < 300)
        size = QSize(1200, 700);
    return exportPicture(
        path, size, [this](QPainter &painter, const QRect &target) { render(painter, target); }, error);
}

QJsonObject ParallelCoordinatesView::settings() const
{
    QJsonObject json;
    if (m_customAxes) {
        QJsonArray axes;
        for (const ParallelAxisKey &key : m_chosenAxes)
            axes.append(key.toJson());
        json.insert(QStringLiteral("axes"), axes);
    }
    QJsonArray brushes;
    for (const Brush &brush : m_brushes) {
        QJsonObject object = brush.key.toJson();
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
        if (const std::optional<ParallelAxisKey> key = ParallelAxisKey::fromJson(value.toObject()))
            m_chosenAxes << *key;
    }
    m_brushes.clear();
    for (const auto &value : settings.value(QStringLiteral("brushes")).toArray()) {
        const QJsonObject object = value.toObject();
        const std::optional<ParallelAxisKey> key = ParallelAxisKey::fromJson(object);
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
    auto *dialog = new ParallelAxesDialog(*m_table, m_rows, axes(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ParallelAxesDialog::defaultsRequested, this, &ParallelCoordinatesView::resetAxes);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { setAxes(dialog->chosenAxes()); });
    dialog->open();
}

} // namespace kiln
