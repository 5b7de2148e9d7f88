#pragma once

#include "models/metricseries.h"

#include <QHash>
#include <QWidget>

#include <map>

class QChart;
class QChartView;
class QGridLayout;
class QLabel;
class QLineSeries;
class QStackedWidget;
class QValueAxis;

namespace kiln {

/// The Curves tab: a line chart per metric, with the train/ and validation/ series of one
/// metric overlaid, and Kiln's CPU and memory samples in charts of their own. Points are read
/// on a worker with a connection of its own; each update appends only the points logged since
/// the last one, so a running run's curves grow without reloading.
class RunCurvesView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunCurvesView)

public:
    explicit RunCurvesView(QWidget *parent = nullptr);
    ~RunCurvesView() override;

    /// Shows the metrics of run `runId` from the database file at `databasePath`, replacing
    /// what was shown, and starts reading them.
    void setRun(const QString &databasePath, qint64 runId, bool running);
    void clear();
    /// Reads the points logged since the last read and appends them; skipped while a read
    /// is still going.
    void loadNewPoints();
    /// Whether the run may still log (the empty state says "waiting" rather than "none").
    void setRunning(bool running);

    bool isLoading() const { return m_loading; }
    /// The chart of a metric group ("logloss", "system/cpu_percent"), or null.
    QChart *chart(const QString &group) const;
    QStringList groups() const;

Q_SIGNALS:
    /// A read finished and its points are on the charts.
    void pointsLoaded();

private:
    struct Group
    {
        QChartView *view = nullptr;
        QValueAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QHash<QString, QLineSeries *> lines;
        double xMin = 0;
        double xMax = 0;
        double yMin = 0;
        double yMax = 0;
        bool empty = true;
        bool system = false;
    };

    void apply(const MetricSeriesBatch &batch);
    Group &groupFor(const MetricPlacement &placement);
    QLineSeries *lineFor(Group &group, const MetricPlacement &placement);
    void relayout();
    void updateEmptyState();

    QString m_databasePath;
    qint64 m_runId = 0;
    bool m_running = false;
    QHash<QString, qint64> m_counts;
    std::map<QString, Group> m_groups;
    quint64 m_generation = 0; ///< bumped when the shown run changes: older reads are dropped
    bool m_loading = false;
    bool m_loadAgain = false;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_empty = nullptr;
    QWidget *m_chartsPage = nullptr;
    QGridLayout *m_grid = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace kiln
