#include "compare/metricoverlayview.h"

#include "appearance.h"
#include "chartstyle.h"
#include "compare/chartcontrols.h"
#include "models/metricseries.h"
#include "pictureexport.h"
#include "plotwidget.h"
#include "runcolors.h"
#include "theme.h"
#include "workspace/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <limits>
#include <numeric>

namespace kiln {

namespace {

constexpr int kLiveIntervalMs = 1000;
constexpr int kLegendWidth = 240; ///< beside the chart, on screen and in exports
/// Beyond this many cached points, series of runs no longer compared are dropped.
constexpr qint64 kCachePointBudget = 30'000'000;

QString axisName(MetricOverlayView::XAxis axis)
{
    switch (axis) {
    case MetricOverlayView::XAxis::RelativeTime:
        return QStringLiteral("relative");
    case MetricOverlayView::XAxis::WallTime:
        return QStringLiteral("wall");
    case MetricOverlayView::XAxis::Step:
        break;
    }
    return QStringLiteral("step");
}

QString axisTitle(MetricOverlayView::XAxis axis)
{
    switch (axis) {
    case MetricOverlayView::XAxis::RelativeTime:
        return MetricOverlayView::tr("seconds since the run's first point");
    case MetricOverlayView::XAxis::WallTime:
        return MetricOverlayView::tr("time");
    case MetricOverlayView::XAxis::Step:
        break;
    }
    return MetricOverlayView::tr("step");
}

QIcon swatch(const QColor &color)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(color);
    return QIcon(pixmap);
}

} // namespace

/// What a worker does for one run: read its new points (when `read`) and lay them out
/// against the x axis.
struct MetricOverlayView::Job
{
    QString databasePath;
    qint64 runId = 0;
    QString key;
    QStringList otherKeys; ///< not read
    bool read = false;
    std::shared_ptr<const SeriesData> data;
    XAxis axis = XAxis::Step;
};

struct MetricOverlayView::Result
{
    qint64 runId = 0;
    QString key;
    Entry entry;
    QString error;
};

MetricOverlayView::MetricOverlayView(QWidget *parent)
    : ComparisonView(parent)
    , m_metricCombo(new chartcontrols::MetricChooser(QStringLiteral("overlayMetric"), this))
    , m_xAxisCombo(new QComboBox(this))
    , m_smoothing(new QSlider(Qt::Horizontal, this))
    , m_smoothingValue(new QLabel(this))
    , m_logScale(new QCheckBox(tr("Log scale"), this))
    , m_resetZoom(new QPushButton(tr("Reset Zoom"), this))
    , m_note(chartcontrols::createNote(QStringLiteral("overlayNote"), this))
    , m_plot(new PlotWidget(this))
    , m_legend(new QListWidget(this))
    , m_liveTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("metricOverlay"));
    m_xAxisCombo->setObjectName(QStringLiteral("overlayXAxis"));
    m_xAxisCombo->addItem(tr("Step"), int(XAxis::Step));
    m_xAxisCombo->addItem(tr("Relative time"), int(XAxis::RelativeTime));
    m_xAxisCombo->addItem(tr("Wall time"), int(XAxis::WallTime));
    m_smoothing->setObjectName(QStringLiteral("overlaySmoothing"));
    m_smoothing->setRange(0, 99);
    m_smoothing->setFixedWidth(120);
    m_smoothing->setToolTip(tr("Exponential moving average; the raw line stays faint behind it"));
    m_smoothingValue->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("0.00")) + 4);
    m_smoothingValue->setText(QStringLiteral("0.00"));
    m_logScale->setObjectName(QStringLiteral("overlayLogScale"));
    m_resetZoom->setObjectName(QStringLiteral("overlayResetZoom"));
    m_resetZoom->setToolTip(tr("Show every point again (double-click or Home on the chart)"));
    m_plot->setObjectName(QStringLiteral("overlayPlot"));
    m_legend->setObjectName(QStringLiteral("overlayLegend"));
    m_legend->setSelectionMode(QAbstractItemView::NoSelection);
    m_legend->setFont(chartstyle::smallFont());
    m_legend->setMinimumWidth(160);
    m_legend->setTextElideMode(Qt::ElideMiddle);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_plot);
    splitter->addWidget(m_legend);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({800, kLegendWidth});
    splitter->setChildrenCollapsible(false);
    QHBoxLayout *controls = chartcontrols::layOutView(this,
                                                      {{tr("Metric:"), {m_metricCombo}},
                                                       {tr("X axis:"), {m_xAxisCombo}},
                                                       {tr("Smoothing:"), {m_smoothing, m_smoothingValue}},
                                                       {QString(), {m_logScale}}},
                                                      m_note, splitter);
    controls->addWidget(m_resetZoom);

    connect(m_metricCombo, &QComboBox::currentTextChanged, this, [this](const QString &key) {
        // The list is rebuilt when a run logs a new metric: the same metric keeps its zoom.
        if (key.isEmpty() || key == m_shownMetric)
            return;
        m_shownMetric = key;
        m_resetView = true;
        showSeries();
        load(false);
    });
    connect(m_xAxisCombo, &QComboBox::currentIndexChanged, this,
            [this] { setXAxis(XAxis(m_xAxisCombo->currentData().toInt())); });
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int value) {
        m_smoothingValue->setText(QString::number(value / 100.0, 'f', 2));
        m_plot->setSmoothing(value / 100.0);
    });
    connect(m_logScale, &QCheckBox::toggled, m_plot, &PlotWidget::setLogY);
    connect(m_resetZoom, &QPushButton::clicked, m_plot, &PlotWidget::resetView);
    m_liveTimer->setInterval(kLiveIntervalMs);
    connect(m_liveTimer, &QTimer::timeout, this, [this] {
        if (isVisible())
            load(true);
    });
    showSeries();
}

MetricOverlayView::~MetricOverlayView()
{
    // A read in flight finishes on its worker and is dropped: it holds no pointer to the view.
    if (m_watcher)
        m_watcher->cancel();
}

void MetricOverlayView::setComparison(const Comparison &comparison)
{
    m_comparison = comparison;
    m_differing = comparison.table ? comparison.table->differingColumns(comparison.rows) : std::vector<int>();
    updateLiveTimer();
    // Only what a line can show: results (one value a run) are in the Bars view. A change of
    // the metric shown loads it.
    m_metricCombo->setKeys(chartcontrols::comparedMetricKeys(m_comparison, true));
    updateLegend();
    load(false);
}

std::vector<qint64> MetricOverlayView::shownRuns() const
{
    std::vector<qint64> runs;
    if (!m_comparison.table)
        return runs;
    runs.reserve(m_comparison.rows.size());
    for (const int row : m_comparison.rows)
        runs.push_back(m_comparison.table->runId(row));
    return runs;
}

void MetricOverlayView::setCurrentMetric(const QString &key)
{
    m_metricCombo->setWanted(key); // a change of the metric shown loads it
}

void MetricOverlayView::setXAxis(XAxis axis)
{
    const int index = m_xAxisCombo->findData(int(axis));
    if (m_xAxisCombo->currentIndex() != index) {
        m_xAxisCombo->setCurrentIndex(index); // comes back here
        return;
    }
    if (m_xAxis == axis)
        return;
    m_xAxis = axis;
    m_resetView = true;
    load(false); // lays the cached points out again; showSeries() follows
}

void MetricOverlayView::updateLiveTimer()
{
    QSet<qint64> active;
    if (const RunTable *table = m_comparison.table.get()) {
        for (const int row : m_comparison.rows) {
            const RunStatus status = table->status(row);
            if (status == RunStatus::Queued || status == RunStatus::Running)
                active.insert(table->runId(row));
        }
    }
    // A run that just ended logged its last points after the last read.
    for (const qint64 runId : std::as_const(m_active)) {
        if (!active.contains(runId))
            m_finishing.insert(runId);
    }
    m_active = active;
    if (m_active.isEmpty())
        m_liveTimer->stop();
    else if (!m_liveTimer->isActive())
        m_liveTimer->start();
}

MetricOverlayView::Result MetricOverlayView::runJob(const Job &job)
{
    Result result;
    result.runId = job.runId;
    result.key = job.key;
    std::shared_ptr<const SeriesData> data = job.data;
    if (job.read) {
        // Only this metric: the others are "known" to have every point already.
        QHash<QString, qint64> known;
        for (const QString &other : job.otherKeys)
            known.insert(other, std::numeric_limits<qint64>::max());
        known.insert(job.key, data ? data->count : 0);
        const MetricSeriesBatch batch = loadMetricSeries(job.databasePath, job.runId, known);
        if (!batch.error.isEmpty()) {
            result.error = batch.error;
            return result;
        }
        const auto found = batch.points.constFind(job.key);
        if (found != batch.points.cend() && !found->empty()) {
            std::vector<MetricPoint> added = *found;
            std::stable_sort(added.begin(), added.end(),
                             [](const MetricPoint &a, const MetricPoint &b) { return a.step < b.step; });
            auto grown = std::make_shared<SeriesData>();
            grown->count = batch.counts.value(job.key);
            const std::size_t had = data ? data->steps.size() : 0;
            const std::size_t n = had + added.size();
            grown->steps.reserve(n);
            grown->times.reserve(n);
            grown->values.reserve(n);
            // Points are appended in step order almost always: then this is a copy; else a
            // stable merge (the earlier point first at equal steps).
            std::size_t i = 0;
            std::size_t j = 0;
            while (i < had || j < added.size()) {
                if (j == added.size() || (i < had && data->steps[i] <= double(added[j].step))) {
                    grown->steps.push_back(data->steps[i]);
                    grown->times.push_back(data->times[i]);
                    grown->values.push_back(data->values[i]);
                    ++i;
                } else {
                    grown->steps.push_back(double(added[j].step));
                    grown->times.push_back(double(added[j].timeMs));
                    grown->values.push_back(added[j].value);
                    ++j;
                }
            }
            grown->timesAscending = std::is_sorted(grown->times.begin(), grown->times.end());
            grown->firstTime = *std::min_element(grown->times.begin(), grown->times.end());
            data = std::move(grown);
        } else if (!data) {
            auto none = std::make_shared<SeriesData>();
            none->count = batch.counts.value(job.key);
            data = std::move(none);
        }
    }

    Entry &entry = result.entry;
    entry.data = data;
    entry.axis = job.axis;
    if (!data)
        return result;
    // Vectors of the shared data are lent out (aliasing pointers keep the data alive).
    const auto lend
        = [&data](const std::vector<double> &v) { return std::shared_ptr<const std::vector<double>>(data, &v); };
    entry.y = lend(data->values);
    if (job.axis == XAxis::Step) {
        entry.x = lend(data->steps);
        return result;
    }
    if (job.axis == XAxis::WallTime && data->timesAscending) {
        entry.x = lend(data->times);
        return result;
    }
    // By time: the points in time order (a stable sort when a run's clock went back).
    std::vector<std::size_t> order(data->times.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    if (!data->timesAscending) {
        std::stable_sort(order.begin(), order.end(),
                         [&data](std::size_t a, std::size_t b) { return data->times[a] < data->times[b]; });
        auto values = std::make_shared<std::vector<double>>(order.size());
        for (std::size_t k = 0; k < order.size(); ++k)
            (*values)[k] = data->values[order[k]];
        entry.y = std::move(values);
    }
    auto x = std::make_shared<std::vector<double>>(order.size());
    const bool relative = job.axis == XAxis::RelativeTime;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const double t = data->times[order[k]];
        (*x)[k] = relative ? (t - data->firstTime) / 1000.0 : t;
    }
    entry.x = std::move(x);
    return result;
}

void MetricOverlayView::load(bool live)
{
    if (m_watcher) {
        m_loadAgain = true;
        return;
    }
    const QString key = currentMetric();
    if (key.isEmpty() || !m_comparison.workspace || !m_comparison.table) {
        showSeries();
        return;
    }
    const QString databasePath = m_comparison.workspace->databasePath();
    QStringList others = m_comparison.table->metricKeys();
    others.removeAll(key);

    QList<Job> jobs;
    QSet<qint64> shown;
    for (const qint64 runId : shownRuns()) {
        shown.insert(runId);
        const auto cached = m_cache.constFind({runId, key});
        const bool have = cached != m_cache.cend() && cached->data;
        Job job {databasePath, runId, key, others, false, have ? cached->data : nullptr, m_xAxis};
        job.read = !have || m_finishing.contains(runId) || (live && m_active.contains(runId));
        const bool laidOut = have && cached->axis == m_xAxis && cached->x;
        if (job.read || !laidOut)
            jobs.append(job);
    }
    m_finishing.clear();

    // Memory stays bounded: series of runs no longer compared go when the cache is large.
    qint64 cachedPoints = 0;
    for (const Entry &entry : std::as_const(m_cache))
        cachedPoints += entry.data ? qint64(entry.data->steps.size()) : 0;
    if (cachedPoints > kCachePointBudget) {
        for (auto it = m_cache.begin(); it != m_cache.end();)
            it = shown.contains(it.key().first) && it.key().second == key ? std::next(it) : m_cache.erase(it);
    }

    if (jobs.isEmpty()) {
        showSeries();
        return;
    }
    m_watcher = new QFutureWatcher<Result>(this);
    connect(m_watcher, &QFutureWatcher<Result>::finished, this, &MetricOverlayView::loadFinished);
    connect(m_watcher, &QFutureWatcher<Result>::progressValueChanged, this, &MetricOverlayView::updateNote);
    m_watcher->setFuture(QtConcurrent::mapped(std::move(jobs), &MetricOverlayView::runJob));
    updateNote();
    if (!live)
        m_plot->setEmptyText(tr("Loading…"));
}

void MetricOverlayView::loadFinished()
{
    const QList<Result> results = m_watcher->future().results();
    m_watcher->deleteLater();
    m_watcher = nullptr;
    QStringList errors;
    for (const Result &result : results) {
        if (!result.error.isEmpty()) {
            errors.append(tr("run #%1: %2").arg(result.runId).arg(result.error));
            continue;
        }
        Entry entry = result.entry;
        if (entry.axis != m_xAxis) {
            // The x axis changed during the read: the points are kept, laid out again later.
            entry.x.reset();
            entry.y.reset();
        }
        m_cache.insert({result.runId, result.key}, entry);
    }
    m_error = errors.isEmpty() ? QString() : tr("Some series cannot be read (%1)").arg(errors.join(u"; "));
    if (!m_error.isEmpty())
        Q_EMIT errorOccurred(m_error);
    showSeries();
    if (m_loadAgain) {
        m_loadAgain = false;
        load(false);
    }
    if (!isLoading())
        Q_EMIT loaded();
}

void MetricOverlayView::showSeries()
{
    const QString key = currentMetric();
    const RunTable *table = m_comparison.table.get();
    QList<PlotSeries> series;
    if (table) {
        for (const int row : m_comparison.rows) {
            const qint64 runId = table->runId(row);
            const auto cached = m_cache.constFind({runId, key});
            if (cached == m_cache.cend() || cached->axis != m_xAxis || !cached->x || cached->x->empty())
                continue;
            series.append({runId, table->legendLabel(row, m_differing), runColor(runId), cached->x, cached->y});
        }
    }
    QString empty;
    if (m_comparison.rows.empty())
        empty = tr("Select runs in the table to compare their metrics");
    else if (m_metricCombo->count() == 0)
        empty = tr("None of the selected runs logs a metric per step (results are in the Bars view)");
    else if (isLoading())
        empty = tr("Loading…");
    else
        empty = tr("None of the selected runs logged “%1” per step (a result has one value: see Bars)").arg(key);
    m_plot->setEmptyText(empty);
    m_plot->setTitle(key);
    m_plot->setAxisLabels(axisTitle(m_xAxis), key);
    m_plot->setTimeAxis(m_xAxis == XAxis::WallTime);
    m_plot->setSeries(series, !m_resetView);
    if (!series.isEmpty())
        m_resetView = false;
    updateLegend();
    updateNote();
}

void MetricOverlayView::updateLegend()
{
    const RunTable *table = m_comparison.table.get();
    const QString key = currentMetric();
    QStringList labels;
    std::vector<bool> drawn;
    std::vector<qint64> runs;
    if (table) {
        for (const int row : m_comparison.rows) {
            const qint64 runId = table->runId(row);
            const auto cached = m_cache.constFind({runId, key});
            runs.push_back(runId);
            labels.append(table->legendLabel(row, m_differing));
            drawn.push_back(cached != m_cache.cend() && cached->data && !cached->data->steps.empty());
        }
    }
    // A live snapshot every second must not rebuild the list when nothing changed.
    bool same = m_legend->count() == labels.size();
    for (int i = 0; same && i < labels.size(); ++i) {
        const QListWidgetItem *item = m_legend->item(i);
        same = item->text() == labels[i] && item->data(Qt::UserRole).toLongLong() == runs[std::size_t(i)]
            && item->data(Qt::UserRole + 1).toBool() == drawn[std::size_t(i)];
    }
    if (same)
        return;
    m_legend->clear();
    for (int i = 0; i < labels.size(); ++i) {
        auto *item = new QListWidgetItem(swatch(runColor(runs[std::size_t(i)])), labels[i], m_legend);
        item->setData(Qt::UserRole, runs[std::size_t(i)]);
        item->setData(Qt::UserRole + 1, bool(drawn[std::size_t(i)]));
        item->setToolTip(drawn[std::size_t(i)] ? labels[i] : tr("%1: no “%2” points").arg(labels[i], key));
        if (!drawn[std::size_t(i)])
            item->setForeground(theme::mutedText());
    }
}

void MetricOverlayView::updateNote()
{
    QStringList lines;
    if (m_watcher && m_watcher->progressMaximum() > 1) {
        lines.append(
            tr("Reading series: %1 of %2 runs…").arg(m_watcher->progressValue()).arg(m_watcher->progressMaximum()));
    }
    if (!m_active.isEmpty())
        lines.append(tr("%n run(s) still training: the chart follows them.", nullptr, int(m_active.size())));
    if (!m_error.isEmpty())
        lines.append(m_error);
    m_note->setText(lines.join(u'\n'));
    appearance::setTextRole(m_note, m_error.isEmpty() ? appearance::TextRole::Muted : appearance::TextRole::Error);
    m_note->setVisible(!lines.isEmpty());
}

void MetricOverlayView::showEvent(QShowEvent *event)
{
    ComparisonView::showEvent(event);
    if (!m_active.isEmpty())
        load(true); // catch up with what was logged while the tab was hidden
}

QStringList MetricOverlayView::exportFormats() const
{
    return pictureFormats();
}

bool MetricOverlayView::exportTo(const QString &path, QString *error) const
{
    const QSize chart = m_plot->size().isEmpty() ? QSize(900, 560) : m_plot->size();
    const QSize size(chart.width() + kLegendWidth, chart.height());
    return exportPicture(
        path, size,
        [&](QPainter &painter, const QRect &target) {
            m_plot->render(painter, QRect(target.topLeft(), chart));
            QRect legend(target.left() + chart.width(), target.top(), kLegendWidth, target.height());
            const QPalette colors = palette();
            painter.fillRect(legend, theme::plotBackground(colors));
            legend.adjust(8, 16, -8, -8);
            painter.setFont(chartstyle::smallFont());
            const QFontMetrics metrics(painter.font());
            const int lineHeight = metrics.height() + 4;
            const int fits = std::max(1, legend.height() / lineHeight);
            const int count = m_legend->count();
            const int shown = count > fits ? fits - 1 : count;
            int y = legend.top();
            for (int i = 0; i < shown; ++i, y += lineHeight) {
                const QListWidgetItem *item = m_legend->item(i);
                const bool drawn = item->data(Qt::UserRole + 1).toBool();
                painter.fillRect(
                    QRect(legend.left(), y + (lineHeight - 10) / 2, 10, 10),
                    theme::readableOn(runColor(item->data(Qt::UserRole).toLongLong()), theme::plotBackground(colors)));
                painter.setPen(drawn ? theme::plotText(colors) : theme::mutedText(colors));
                painter.drawText(QRect(legend.left() + 16, y, legend.width() - 16, lineHeight), Qt::AlignVCenter,
                                 metrics.elidedText(item->text(), Qt::ElideMiddle, legend.width() - 16));
            }
            if (shown < count) {
                painter.setPen(theme::mutedText(colors));
                painter.drawText(QRect(legend.left(), y, legend.width(), lineHeight), Qt::AlignVCenter,
                                 tr("and %n more", nullptr, count - shown));
            }
        },
        error);
}

QJsonObject MetricOverlayView::settings() const
{
    return {
        {QStringLiteral("metric"), m_metricCombo->wanted()},
        {QStringLiteral("xAxis"), axisName(m_xAxis)},
        {QStringLiteral("smoothing"), m_smoothing->value() / 100.0},
        {QStringLiteral("log"), m_logScale->isChecked()},
    };
}

void MetricOverlayView::restoreSettings(const QJsonObject &settings)
{
    const QString axis = settings.value(QStringLiteral("xAxis")).toString();
    setXAxis(axis == u"relative" ? XAxis::RelativeTime : axis == u"wall" ? XAxis::WallTime : XAxis::Step);
    m_smoothing->setValue(
        int(std::lround(std::clamp(settings.value(QStringLiteral("smoothing")).toDouble(), 0.0, 0.99) * 100)));
    m_logScale->setChecked(settings.value(QStringLiteral("log")).toBool());
    const QString key = settings.value(QStringLiteral("metric")).toString();
    if (!key.isEmpty())
        setCurrentMetric(key);
}

} // namespace kiln
