#pragma once

#include "chartstyle.h"
#include "monitoring/deploymentmonitor.h"

#include <QPen>
#include <QWidget>

#include <deque>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QStackedWidget;
class QValueAxis;

namespace kiln {

/// The live traffic of one deployment: request and error rate over time, and p50/p99
/// latency over time, one point per scrape of the agent's /metrics; every point drawn.
/// Shows a note instead when there is nothing to chart (setNote()). GUI thread.
class TrafficCharts final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficCharts)

public:
    explicit TrafficCharts(QWidget *parent = nullptr);
    ~TrafficCharts() override;

    /// Replaces everything with `samples` (a deployment was selected) and shows the charts.
    void setSamples(const std::deque<DeploymentMonitor::Sample> &samples);
    void addSample(const DeploymentMonitor::Sample &sample);
    /// Clears the charts and shows `text` in their place.
    void setNote(const QString &text);

    QChart *rateChart() const;
    QChart *latencyChart() const;

private:
    struct Chart
    {
        QChartView *view = nullptr;
        QDateTimeAxis *time = nullptr;
        QValueAxis *values = nullptr;
        QList<QLineSeries *> series;
        double highest = 0;
    };
    /// How a line is drawn: a theme colour (kept right when the palette changes) and a style.
    struct LineStyle
    {
        chartstyle::SeriesColor color;
        Qt::PenStyle pen;
    };
    /// A chart of one line per name, drawn in the style of the same index.
    Chart newChart(const QString &title, const QString &unit, const QStringList &names, const QList<LineStyle> &styles,
                   const QString &objectName);
    void append(const DeploymentMonitor::Sample &sample);
    void updateAxes();
    void clearSeries();

    QStackedWidget *m_stack = nullptr;
    QLabel *m_note = nullptr;
    Chart m_rate;
    Chart m_latency;
    qint64 m_firstMs = 0;
    qint64 m_lastMs = 0;
};

} // namespace kiln
