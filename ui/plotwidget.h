#pragma once

#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QPainter;

namespace kiln {

namespace plotrender {
struct Frame;
}

/// One series of a PlotWidget: a run's metric, a ROC curve, a scatter's points.
struct PlotSeries
{
    qint64 runId = 0; ///< whose it is (hover read-outs name it)
    QString label; ///< legend and read-out text
    QColor color;
    std::shared_ptr<const std::vector<double>> x; ///< ascending for lines
    std::shared_ptr<const std::vector<double>> y; ///< same length; NaN: no point
};

/// The value of one series at the hover position.
struct PlotReadout
{
    qint64 runId = 0;
    QString label;
    QColor color;
    double x = 0; ///< of the nearest point at or before the cursor
    double y = 0; ///< raw value
    double smoothed = 0; ///< the smoothed line's value (== y without smoothing)
};

/// A chart drawn by Kiln's own renderer, for series too dense for Qt Charts: 100 runs ×
/// 100,000 steps redraw in well under 100 ms. Lines are decimated per pixel column of the
/// plot area (envelopeM4/decimateM4) and drawn 1 px wide without antialiasing, so the
/// picture is exact: every spike shows at every zoom. Points mode draws a scatter.
///
/// Axes with nice ticks (linear, log10 for y, or dates for x), a grid, a title; wheel zooms
/// around the cursor (Ctrl+wheel: y only), dragging pans, a rubber band (Shift+drag) zooms
/// to a box, double-click or Home resets; hovering shows every series' value at the cursor
/// (valuesAt()). With smoothing, each line is drawn smoothed (EMA) over its raw line drawn
/// faint. Painting goes through render(), so PNG and SVG exports look like the screen: the
/// widget's palette (light or dark) and, on screen, its device pixel ratio (a layer of
/// size × ratio device pixels, so 1 px lines and text stay crisp at 1.5× and 2×).
/// The drawing itself (frame, ticks, exact lines, read-out box) is in plotrender.h; the ticks
/// in core (plot/axisticks.h).
class PlotWidget : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlotWidget)

public:
    enum class Mode { Lines, Points };

    explicit PlotWidget(QWidget *parent = nullptr);
    ~PlotWidget() override;

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    /// Replaces every series; keeps the zoom when `keepView` and the view is not the default.
    void setSeries(QList<PlotSeries> series, bool keepView = false);
    const QList<PlotSeries> &series() const { return m_series; }
    void setTitle(const QString &title);
    void setAxisLabels(const QString &x, const QString &y);
    /// x values are milliseconds since the epoch: the x axis shows dates and times.
    void setTimeAxis(bool time);
    void setLogY(bool log); ///< non-positive values are not drawn on a log axis
    bool logY() const { return m_logY; }
    /// EMA weight in [0, 0.999]; 0 draws the raw lines only.
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    /// Shown centred when there is no series ("No run has this metric").
    void setEmptyText(const QString &text);
    QString emptyText() const;

    /// The data range shown; setView() zooms, resetView() fits every series.
    QRectF view() const { return m_view; }
    void setView(const QRectF &view);
    void resetView();
    /// The plot area (inside the axes) in widget coordinates.
    QRect plotArea() const;

    /// Every series' value at data x `x` (the point at or before it), as the hover shows them.
    QList<PlotReadout> valuesAt(double x) const;
    /// Paints the chart into `target` of `painter` as it looks on screen (for exports).
    void render(QPainter &painter, const QRect &target) const;
    /// Writes the chart as a PNG (2× for crisp text) or an SVG, by `path`'s suffix; false
    /// with `error` set when the file cannot be written.
    bool exportTo(const QString &path, QString *error = nullptr) const;
    /// How long the last paint took, in ms (decimation and drawing), for the status line
    /// and the benchmark.
    double lastPaintMs() const { return m_lastPaintMs; }

    /// On (the default) lines are decimated per pixel column; off, every point is mapped and
    /// drawn: the reference the tests compare the decimated picture with, pixel for pixel.
    void setDecimation(bool on);
    bool decimation() const;
    /// Points mode: the point nearest to `pos` (widget coordinates) within a few pixels, as
    /// the hover names it.
    std::optional<PlotReadout> pointAt(const QPoint &pos) const;
    /// How a value of the x axis reads in read-outs: a date and time on a time axis.
    QString xText(double x) const;

Q_SIGNALS:
    void viewChanged(const QRectF &view);
    /// The hover moved; empty when the cursor left the plot.
    void hovered(const QList<kiln::PlotReadout> &values);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Private;
    /// Where a rendering into `target` puts the plot area, and its ticks.
    plotrender::Frame frame(const QRect &target) const;
    void viewChangedInternally(const QRectF &view);
    /// Shows x in [x0, x1] and y in [t0, t1] in axis units (log10 on a log axis).
    void setAxisView(double x0, double x1, double t0, double t1);
    void updateHover(const QPoint &pos);
    void paintReadout(QPainter &painter) const;
    void zoomAround(const QPointF &pos, double factorX, double factorY);
    std::unique_ptr<Private> d;
    Mode m_mode = Mode::Lines;
    QList<PlotSeries> m_series;
    QRectF m_view;
    bool m_logY = false;
    double m_smoothing = 0;
    mutable double m_lastPaintMs = 0;
};

} // namespace kiln
