#pragma once

#include "compare/chartcontrols.h"
#include "compare/comparisonview.h"

#include <QFutureWatcher>
#include <QHash>
#include <QSet>

#include <memory>
#include <vector>

class QCheckBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSlider;
class QTimer;

namespace kiln {

class PlotWidget;

/// One metric of every compared run on one chart, drawn by PlotWidget (every point, exact
/// to the pixel): against step, seconds since the run's first point or wall time, with
/// smoothing, a log scale, zoom and a hover read-out; a legend beside it names each run by
/// what differs between the runs. Series are read off the GUI thread (loadMetricSeries, a
/// connection per read) and kept per run and metric; while a shown run is queued or running,
/// only the points logged since the last read are read, every second, and the chart keeps
/// its zoom.
class MetricOverlayView final : public ComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricOverlayView)

public:
    enum class XAxis { Step, RelativeTime, WallTime };

    explicit MetricOverlayView(QWidget *parent = nullptr);
    ~MetricOverlayView() override;

    void setComparison(const Comparison &comparison) override;
    QStringList exportFormats() const override;
    /// The chart with its legend beside it, as PNG or SVG.
    bool exportTo(const QString &path, QString *error) const override;
    /// {"metric": "validation/logloss", "xAxis": "step"|"relative"|"wall", "smoothing": 0.6, "log": false}
    QJsonObject settings() const override;
    void restoreSettings(const QJsonObject &settings) override;

    /// The step metrics the compared runs have, as the chooser offers them (results, one
    /// value a run, are not: the Bars view shows them).
    QStringList metrics() const { return m_metricCombo->keys(); }
    QString currentMetric() const { return m_metricCombo->currentText(); }
    void setCurrentMetric(const QString &key);
    XAxis xAxis() const { return m_xAxis; }
    void setXAxis(XAxis axis);
    bool isLoading() const { return m_watcher != nullptr; }

    PlotWidget *plot() const { return m_plot; }
    QListWidget *legend() const { return m_legend; }
    QComboBox *metricCombo() const { return m_metricCombo; }

Q_SIGNALS:
    /// A read finished and the chart shows what it read.
    void loaded();

protected:
    void showEvent(QShowEvent *event) override;

private:
    /// A run's points of one metric, sorted by step; shared read-only with the workers.
    struct SeriesData
    {
        qint64 count = 0; ///< points the store held when read
        std::vector<double> steps;
        std::vector<double> times; ///< ms since the epoch
        std::vector<double> values;
        bool timesAscending = true;
        double firstTime = 0; ///< the earliest time
    };
    struct Entry
    {
        std::shared_ptr<const SeriesData> data;
        XAxis axis = XAxis::Step; ///< of `x` and `y`
        std::shared_ptr<const std::vector<double>> x;
        std::shared_ptr<const std::vector<double>> y;
    };
    struct Job;
    struct Result;

    static Result runJob(const Job &job);
    using Key = QPair<qint64, QString>;

    void updateLegend();
    /// Reads what the shown runs lack (all of a new run's series, a running run's new
    /// points) and derives the x axis; one batch at a time.
    void load(bool live);
    void loadFinished();
    void showSeries();
    void updateNote();
    void updateLiveTimer();
    std::vector<qint64> shownRuns() const;

    Comparison m_comparison;
    std::vector<int> m_differing;
    QString m_shownMetric;
    XAxis m_xAxis = XAxis::Step;
    QHash<Key, Entry> m_cache;
    QSet<qint64> m_active; ///< shown runs that may still log (queued or running)
    QSet<qint64> m_finishing; ///< runs that just ended: one more read for their last points
    QFutureWatcher<Result> *m_watcher = nullptr;
    bool m_loadAgain = false;
    bool m_resetView = true;
    QString m_error;

    chartcontrols::MetricChooser *m_metricCombo = nullptr;
    QComboBox *m_xAxisCombo = nullptr;
    QSlider *m_smoothing = nullptr;
    QLabel *m_smoothingValue = nullptr;
    QCheckBox *m_logScale = nullptr;
    QPushButton *m_resetZoom = nullptr;
    QLabel *m_note = nullptr;
    PlotWidget *m_plot = nullptr;
    QListWidget *m_legend = nullptr;
    QTimer *m_liveTimer = nullptr;
};

} // namespace kiln
