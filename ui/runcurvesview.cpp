#include "runcurvesview.h"

#include "appearance.h"

#include "chartstyle.h"

#include <QChart>
#include <QChartView>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <QtConcurrent/QtConcurrentRun>
#include <tuple>

namespace kiln {

namespace {

constexpr int kChartHeight = 260;
constexpr int kChartColumns = 2;
// Beyond this many points per read a line is thinned (min and max per bucket): a chart a
// few hundred pixels wide shows no more, and a million-point series stays responsive.
constexpr std::size_t kMaxPointsPerRead = 4000;

QString groupTitle(const QString &group)
{
    if (group == u"system/cpu_percent")
        return RunCurvesView::tr("CPU (% of one core)");
    if (group == u"system/memory_mib")
        return RunCurvesView::tr("Memory (MiB)");
    return group;
}

chartstyle::SeriesColor lineColor(const QString &line)
{
    const QString lower = line.toLower();
    if (lower.startsWith(u"val") || lower == u"eval")
        return chartstyle::SeriesColor::Validation;
    if (lower == u"test")
        return chartstyle::SeriesColor::Good;
    return chartstyle::SeriesColor::Accent; // training lines too: theme::trainLine()
}

int lineRank(const QString &line)
{
    const QString lower = line.toLower();
    if (lower.startsWith(u"train"))
        return 0;
    if (lower.startsWith(u"val") || lower == u"eval")
        return 1;
    if (lower == u"test")
        return 2;
    return 3;
}

} // namespace

RunCurvesView::RunCurvesView(QWidget *parent)
    : QWidget(parent)
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_chartsPage(new QWidget)
    , m_grid(new QGridLayout(m_chartsPage))
    , m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("runCurves"));
    chartstyle::styleEmptyNote(m_empty, QStringLiteral("curvesEmpty"));
    m_error->setWordWrap(true);
    appearance::setTextRole(m_error, appearance::TextRole::Error);
    m_error->hide();

    m_grid->setContentsMargins(8, 8, 8, 8);
    m_grid->setSpacing(8);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(chartstyle::newChartScrollArea(m_chartsPage, this));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_error);
    layout->addWidget(m_stack, 1);

    updateEmptyState();
}

RunCurvesView::~RunCurvesView() = default;

void RunCurvesView::setRun(const QString &databasePath, qint64 runId, bool running)
{
    clear();
    m_databasePath = databasePath;
    m_runId = runId;
    m_running = running;
    updateEmptyState();
    loadNewPoints();
}

void RunCurvesView::clear()
{
    // A read still going belongs to the run shown before: its result is dropped.
    ++m_generation;
    m_loading = false;
    m_loadAgain = false;
    for (auto &[name, group] : m_groups)
        delete group.view;
    m_groups.clear();
    m_counts.clear();
    m_runId = 0;
    m_error->hide();
    updateEmptyState();
}

void RunCurvesView::setRunning(bool running)
{
    m_running = running;
    updateEmptyState();
}

void RunCurvesView::loadNewPoints()
{
    if (m_runId == 0)
        return;
    if (m_loading) {
        // The last points of a run that just ended must not be lost to a read in flight.
        m_loadAgain = true;
        return;
    }
    m_loading = true;
    updateEmptyState();
    auto *watcher = new QFutureWatcher<MetricSeriesBatch>(this);
    connect(watcher, &QFutureWatcher<MetricSeriesBatch>::finished, this, [this, watcher, generation = m_generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_loading = false;
        apply(watcher->result());
        if (m_loadAgain) {
            m_loadAgain = false;
            loadNewPoints();
        }
        Q_EMIT pointsLoaded();
    });
    watcher->setFuture(QtConcurrent::run(loadMetricSeries, m_databasePath, m_runId, m_counts));
}

void RunCurvesView::apply(const MetricSeriesBatch &batch)
{
    if (!batch.error.isEmpty()) {
        m_error->setText(tr("The metrics cannot be read: %1").arg(batch.error));
        m_error->show();
        return;
    }
    m_error->hide();
    bool added = false;
    // Lines are made in a fixed order so that every chart's legend reads train, validation, test.
    QStringList keys = batch.points.keys();
    std::sort(keys.begin(), keys.end(), [](const QString &a, const QString &b) {
        const MetricPlacement pa = placeMetric(a);
        const MetricPlacement pb = placeMetric(b);
        return std::make_tuple(pa.group, lineRank(pa.line), pa.line)
            < std::make_tuple(pb.group, lineRank(pb.line), pb.line);
    });
    for (const QString &key : std::as_const(keys)) {
        const std::vector<MetricPoint> &received = *batch.points.constFind(key);
        if (received.empty())
            continue;
        const MetricPlacement placement = placeMetric(key);
        const bool newGroup = m_groups.find(placement.group) == m_groups.end();
        Group &group = groupFor(placement);
        added = added || newGroup;
        QLineSeries *line = lineFor(group, placement);
        const std::vector<MetricPoint> points = decimatePoints(received, kMaxPointsPerRead);
        QList<QPointF> xy;
        xy.reserve(qsizetype(points.size()));
        for (const MetricPoint &point : points) {
            xy.append(QPointF(double(point.step), point.value));
            if (group.empty) {
                group.xMin = group.xMax = double(point.step);
                group.yMin = group.yMax = point.value;
                group.empty = false;
            }
            group.xMin = std::min(group.xMin, double(point.step));
            group.xMax = std::max(group.xMax, double(point.step));
            group.yMin = std::min(group.yMin, point.value);
            group.yMax = std::max(group.yMax, point.value);
        }
        line->append(xy);
    }
    for (auto &[name, group] : m_groups) {
        if (group.empty)
            continue;
        // Round ticks (0, 10, 20…; 0.1, 0.2…) read better than the exact extremes.
        group.x->setRange(group.xMin, group.xMax > group.xMin ? group.xMax : group.xMin + 1);
        group.x->applyNiceNumbers();
        const double ySpan = group.yMax > group.yMin ? group.yMax - group.yMin : std::max(1e-9, std::abs(group.yMax));
        group.y->setRange(group.yMax > group.yMin ? group.yMin : group.yMin - ySpan / 2,
                          group.yMax > group.yMin ? group.yMax : group.yMax + ySpan / 2);
        group.y->applyNiceNumbers();
    }
    for (auto it = batch.counts.cbegin(); it != batch.counts.cend(); ++it)
        m_counts.insert(it.key(), it.value());
    if (added)
        relayout();
    updateEmptyState();
}

RunCurvesView::Group &RunCurvesView::groupFor(const MetricPlacement &placement)
{
    const auto found = m_groups.find(placement.group);
    if (found != m_groups.end())
        return found->second;
    Group group;
    group.system = placement.system;
    QChart *chart = chartstyle::newChart(groupTitle(placement.group));
    group.x = new QValueAxis;
    group.y = new QValueAxis;
    group.x->setTitleText(placement.system ? tr("second") : tr("step"));
    group.x->setLabelFormat(QStringLiteral("%.0f"));
    group.y->setLabelFormat(QStringLiteral("%.3g"));
    chartstyle::styleAxis(group.x);
    chartstyle::styleAxis(group.y);
    chart->addAxis(group.x, Qt::AlignBottom);
    chart->addAxis(group.y, Qt::AlignLeft);
    group.view = chartstyle::newChartView(chart, m_chartsPage);
    group.view->setObjectName(QStringLiteral("curveChart"));
    group.view->setMinimumHeight(kChartHeight);
    group.view->setToolTip(placement.group);
    return m_groups.emplace(placement.group, group).first->second;
}

QLineSeries *RunCurvesView::lineFor(Group &group, const MetricPlacement &placement)
{
    if (QLineSeries *line = group.lines.value(placement.line))
        return line;
    auto *line = new QLineSeries;
    line->setName(placement.line);
    QPen pen = line->pen();
    pen.setWidthF(1.6);
    line->setPen(pen);
    chartstyle::setSeriesColor(line, lineColor(placement.line));
    QChart *chart = group.view->chart();
    chart->addSeries(line);
    line->attachAxis(group.x);
    line->attachAxis(group.y);
    group.lines.insert(placement.line, line);
    chart->legend()->setVisible(group.lines.size() > 1);
    return line;
}

void RunCurvesView::relayout()
{
    // Losses first (what a reader watches), then the model's other metrics by name, then
    // Kiln's system samples.
    QList<QChartView *> ordered;
    for (int pass = 0; pass < 3; ++pass) {
        for (const auto &[name, group] : m_groups) {
            const bool loss = !group.system && name.contains(u"loss", Qt::CaseInsensitive);
            const int wanted = group.system ? 2 : loss ? 0 : 1;
            if (wanted == pass)
                ordered << group.view;
        }
    }
    for (QChartView *view : std::as_const(ordered))
        m_grid->removeWidget(view);
    for (int i = 0; i < ordered.size(); ++i)
        m_grid->addWidget(ordered.at(i), i / kChartColumns, i % kChartColumns);
    for (int column = 0; column < kChartColumns; ++column)
        m_grid->setColumnStretch(column, 1);
    m_grid->setRowStretch(int(ordered.size() + kChartColumns - 1) / kChartColumns, 1);
}

void RunCurvesView::updateEmptyState()
{
    if (!m_groups.empty()) {
        m_stack->setCurrentIndex(1);
        return;
    }
    if (m_runId == 0)
        m_empty->setText(tr("Choose a run to see its curves."));
    else if (m_loading && m_counts.isEmpty())
        m_empty->setText(tr("Reading the metrics…"));
    else if (m_running)
        m_empty->setText(tr("Waiting for the first metrics… Built-in trainers log train and validation curves "
                            "every round; scripts log with kiln.log_metric(key, value, step=i)."));
    else
        m_empty->setText(tr("This run logged no step metrics. Built-in trainers log train and validation curves "
                            "every round; scripts log with kiln.log_metric(key, value, step=i)."));
    m_stack->setCurrentIndex(0);
}

QChart *RunCurvesView::chart(const QString &group) const
{
    const auto found = m_groups.find(group);
    return found == m_groups.end() ? nullptr : found->second.view->chart();
}

QStringList RunCurvesView::groups() const
{
    QStringList names;
    for (const auto &[name, group] : m_groups)
        names << name;
    return names;
}

} // namespace kiln
