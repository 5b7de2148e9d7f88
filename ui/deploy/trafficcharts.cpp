#include "deploy/trafficcharts.h"

#include "chartstyle.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QLabel>
#include <QLineSeries>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

constexpr qint64 kMinimumSpanMs = 60 * 1000; // a minute, so the first points do not fill the width
constexpr int kChartMinimumHeight = 170;

/// The smallest "nice" number (1, 2, 2.5, 5 × 10^n) at or above `value`, for the y range.
double niceCeiling(double value)
{
    if (value <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (step * magnitude >= value)
            return step * magnitude;
    }
    return 10 * magnitude;
}

QPen linePen(Qt::PenStyle style)
{
    QPen pen;
    pen.setWidthF(1.5);
    pen.setStyle(style);
    return pen;
}

} // namespace

TrafficCharts::TrafficCharts(QWidget *parent)
    : QWidget(parent)
{
    // Errors dashed under the requests; the tail latency in violet over the median in blue.
    m_rate
        = newChart(tr("Requests per second"), tr("req/s"), {tr("requests/s"), tr("errors/s")},
                   {{chartstyle::SeriesColor::Accent, Qt::SolidLine}, {chartstyle::SeriesColor::Error, Qt::DashLine}},
                   QStringLiteral("trafficRateChart"));
    m_latency = newChart(
        tr("Latency"), tr("ms"), {tr("p50"), tr("p99")},
        {{chartstyle::SeriesColor::Validation, Qt::SolidLine}, {chartstyle::SeriesColor::Purple, Qt::SolidLine}},
        QStringLiteral("trafficLatencyChart"));

    auto *charts = new QWidget;
    auto *chartsLayout = new QVBoxLayout(charts);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    chartsLayout->setSpacing(0);
    chartsLayout->addWidget(m_rate.view, 1);
    chartsLayout->addWidget(m_latency.view, 1);

    m_note = new QLabel;
    chartstyle::styleEmptyNote(m_note, QStringLiteral("trafficNote"));
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_note);
    m_stack->addWidget(charts);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    setNote(tr("Select a deployment to see its traffic."));
}

TrafficCharts::~TrafficCharts() = default;

TrafficCharts::Chart TrafficCharts::newChart(const QString &title, const QString &unit, const QStringList &names,
                                             const QList<LineStyle> &styles, const QString &objectName)
{
    Chart chart;
    QChart *qchart = chartstyle::newChart(title);
    chart.time = new QDateTimeAxis;
    chart.time->setFormat(QStringLiteral("HH:mm:ss"));
    chart.time->setTickCount(6);
    chartstyle::styleAxis(chart.time);
    chart.values = new QValueAxis;
    chart.values->setRange(0, 1);
    chart.values->setTitleText(unit);
    chart.values->setLabelFormat(QStringLiteral("%g"));
    chartstyle::styleAxis(chart.values);
    qchart->addAxis(chart.time, Qt::AlignBottom);
    qchart->addAxis(chart.values, Qt::AlignLeft);
    for (int i = 0; i < names.size(); ++i) {
        auto *series = new QLineSeries;
        series->setName(names.at(i));
        const LineStyle style = styles.value(i, LineStyle {chartstyle::SeriesColor::Accent, Qt::SolidLine});
        series->setPen(linePen(style.pen));
        chartstyle::setSeriesColor(series, style.color);
        qchart->addSeries(series);
        series->attachAxis(chart.time);
        series->attachAxis(chart.values);
        chart.series.append(series);
    }
    qchart->legend()->show();
    chart.view = chartstyle::newChartView(qchart);
    chart.view->setObjectName(objectName);
    chart.view->setMinimumHeight(kChartMinimumHeight);
    return chart;
}

QChart *TrafficCharts::rateChart() const
{
    return m_rate.view->chart();
}

QChart *TrafficCharts::latencyChart() const
{
    return m_latency.view->chart();
}

void TrafficCharts::clearSeries()
{
    for (Chart *chart : {&m_rate, &m_latency}) {
        for (QLineSeries *series : std::as_const(chart->series))
            series->clear();
        chart->highest = 0;
    }
    m_firstMs = 0;
    m_lastMs = 0;
}

void TrafficCharts::setSamples(const std::deque<DeploymentMonitor::Sample> &samples)
{
    clearSeries();
    QList<QPointF> rate;
    QList<QPointF> errors;
    QList<QPointF> p50;
    QList<QPointF> p99;
    for (const DeploymentMonitor::Sample &sample : samples) {
        const double at = double(sample.snapshot.at.toMSecsSinceEpoch());
        rate.append({at, sample.traffic.requestsPerSecond});
        errors.append({at, sample.traffic.errorsPerSecond});
        p50.append({at, sample.traffic.p50Ms});
        p99.append({at, sample.traffic.p99Ms});
        m_rate.highest = std::max({m_rate.highest, sample.traffic.requestsPerSecond, sample.traffic.errorsPerSecond});
        m_latency.highest = std::max({m_latency.highest, sample.traffic.p50Ms, sample.traffic.p99Ms});
    }
    if (!samples.empty()) {
        m_firstMs = samples.front().snapshot.at.toMSecsSinceEpoch();
        m_lastMs = samples.back().snapshot.at.toMSecsSinceEpoch();
    }
    m_rate.series.at(0)->replace(rate);
    m_rate.series.at(1)->replace(errors);
    m_latency.series.at(0)->replace(p50);
    m_latency.series.at(1)->replace(p99);
    updateAxes();
    m_stack->setCurrentIndex(1);
}

void TrafficCharts::addSample(const DeploymentMonitor::Sample &sample)
{
    append(sample);
    updateAxes();
}

void TrafficCharts::append(const DeploymentMonitor::Sample &sample)
{
    const qint64 at = sample.snapshot.at.toMSecsSinceEpoch();
    if (m_firstMs == 0)
        m_firstMs = at;
    m_lastMs = std::max(m_lastMs, at);
    const double x = double(at);
    m_rate.series.at(0)->append(x, sample.traffic.requestsPerSecond);
    m_rate.series.at(1)->append(x, sample.traffic.errorsPerSecond);
    m_latency.series.at(0)->append(x, sample.traffic.p50Ms);
    m_latency.series.at(1)->append(x, sample.traffic.p99Ms);
    m_rate.highest = std::max({m_rate.highest, sample.traffic.requestsPerSecond, sample.traffic.errorsPerSecond});
    m_latency.highest = std::max({m_latency.highest, sample.traffic.p50Ms, sample.traffic.p99Ms});
}

void TrafficCharts::updateAxes()
{
    const qint64 first = m_firstMs != 0 ? m_firstMs : QDateTime::currentMSecsSinceEpoch();
    const qint64 last = std::max(m_lastMs, first + kMinimumSpanMs);
    for (Chart *chart : {&m_rate, &m_latency}) {
        chart->time->setRange(QDateTime::fromMSecsSinceEpoch(first), QDateTime::fromMSecsSinceEpoch(last));
        chart->values->setRange(0, niceCeiling(chart->highest * 1.1));
    }
}

void TrafficCharts::setNote(const QString &text)
{
    clearSeries();
    updateAxes();
    m_note->setText(text);
    m_stack->setCurrentIndex(0);
}

} // namespace kiln
