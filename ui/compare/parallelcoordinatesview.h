#pragma once

#include "compare/comparisonview.h"
#include "pictureexport.h"

#include <QImage>
#include <QList>
#include <QPainter>
#include <QSet>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QPushButton;

namespace kiln {

/// A column of the runs table as an axis; named by kind and key, so that it survives a new
/// snapshot of the table.
struct ParallelAxisKey
{
    RunColumnKind kind = RunColumnKind::Param;
    QString key;
    MetricStat stat = MetricStat::Last;

    /// The axis of `column`.
    static ParallelAxisKey of(const RunTable::Column &column) { return {column.kind, column.key, column.stat}; }
    /// {"kind": "param"|"metric"|"tag"|"attribute", "key": …, "stat": "last"|"min"|"max" (metrics)},
    /// as saved views keep it.
    QJsonObject toJson() const;
    /// nullopt when `json` names no kind or no key.
    static std::optional<ParallelAxisKey> fromJson(const QJsonObject &json);

    friend bool operator==(const ParallelAxisKey &a, const ParallelAxisKey &b)
    {
        return a.kind == b.kind && a.key == b.key && (a.kind != RunColumnKind::Metric || a.stat == b.stat);
    }
    friend bool operator!=(const ParallelAxisKey &a, const ParallelAxisKey &b) { return !(a == b); }
};

/// Parallel coordinates of the compared runs: one vertical axis per chosen column (by
/// default the params that differ among the runs and up to three metrics' last values),
/// numbers scaled from their minimum to their maximum, text as evenly spaced categories,
/// and one line per run in its colour. Dragging along an axis brushes a range; several
/// brushes combine (a run must be inside all of them); a click on an axis outside its brush
/// clears it. Runs outside the brushes are drawn faint grey and brushChanged() tells the
/// panel which runs remain, so it can filter the runs table.
///
/// The lines are painted into a cached image that is redrawn only when the data, the axes,
/// the brushes or the size change; hovering only paints the highlighted run over it, so a
/// few thousand runs stay responsive. Painting and export share render(). The canvas and
/// render() are in parallelcoordinatescanvas.cpp, the axes chooser in parallelaxesdialog.h.
class ParallelCoordinatesView final : public ComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParallelCoordinatesView)

public:
    explicit ParallelCoordinatesView(QWidget *parent = nullptr);
    ~ParallelCoordinatesView() override;

    void setComparison(const Comparison &comparison) override;
    QStringList exportFormats() const override;
    bool exportTo(const QString &path, QString *error) const override;
    /// {"axes": [...] (when chosen by the user), "brushes": [...]}
    QJsonObject settings() const override;
    void restoreSettings(const QJsonObject &settings) override;

    /// The axes shown, left to right.
    QList<ParallelAxisKey> axes() const;
    /// Shows these axes (those the table has), kept for every selection until resetAxes().
    void setAxes(const QList<ParallelAxisKey> &axes);
    /// Back to the default axes, which follow the selection.
    void resetAxes();
    bool hasCustomAxes() const { return m_customAxes; }
    QStringList axisLabels() const;
    /// The runs drawn as lines (those with a value on at least one axis).
    int lineCount() const;

    /// The runs inside every brush; nullopt when nothing is brushed.
    std::optional<QSet<qint64>> brushedRuns() const;
    void clearBrushes();
    int brushCount() const { return int(m_brushes.size()); }

    /// Where axis `axis` is at `fraction` of its height (0: bottom, 1: top), in canvas()
    /// coordinates.
    QPoint axisPoint(int axis, double fraction) const;
    /// The run's position on axis `axis` as a fraction of its height; NaN when it has no value.
    double runFraction(int axis, qint64 runId) const;
    /// The run under the mouse; 0 when none.
    qint64 hoveredRun() const;
    /// The widget the axes are painted on.
    QWidget *canvas() const;
    QPushButton *axesButton() const { return m_axesButton; }
    QLabel *statusLabel() const { return m_status; }

    /// Paints the axes, lines and brushes into `target` (the screen and the exports).
    void render(QPainter &painter, const QRect &target) const;

Q_SIGNALS:
    /// The runs inside the brushes changed (nullopt: no brush any more).
    void brushChanged(std::optional<QSet<qint64>> runIds);

private:
    class Canvas; ///< parallelcoordinatescanvas.cpp
    static QWidget *createCanvas(ParallelCoordinatesView *view);
    struct AxisData
    {
        ParallelAxisKey key;
        int column = -1;
        QString label;
        bool categorical = false;
        double min = 0; ///< numeric axes: the range shown
        double max = 1;
        QStringList categories; ///< categorical axes, bottom to top
        std::vector<double> fractions; ///< per shown run: 0 bottom .. 1 top; NaN: no value
        std::vector<double> values; ///< numeric axes, per shown run (NaN: none)
        std::vector<int> category; ///< categorical axes, per shown run (-1: none)
    };
    struct Brush
    {
        ParallelAxisKey key;
        double low = 0; ///< numeric axes: the values brushed
        double high = 0;
        QStringList categories; ///< categorical axes: the categories brushed
    };
    struct Layout
    {
        QRect plot; ///< from the top of the axes to their bottom
        std::vector<int> x; ///< per axis
        int missingY = 0; ///< where a run without a value crosses an axis: below its bottom

        /// The y of `fraction` of an axis's height; missingY for NaN.
        double y(double fraction) const
        {
            return fraction != fraction ? double(missingY) : plot.bottom() - fraction * plot.height();
        }
    };

    QList<ParallelAxisKey> defaultAxes() const;
    void rebuild();
    void updateBrushed(bool emitChange);
    /// Per shown run: inside `brush` on `axis`.
    std::vector<bool> inside(const Brush &brush, const AxisData &axis) const;
    Layout layoutFor(const QRect &target) const;
    int axisIndex(const ParallelAxisKey &key) const;
    /// The brush of `axis` covering the fractions `from`..`to` (either order).
    Brush brushFor(const AxisData &axis, double from, double to) const;
    std::pair<double, double> brushFractions(const Brush &brush, const AxisData &axis) const;
    void setBrush(int axis, double fromFraction, double toFraction);
    void removeBrush(int axis);
    int runAt(const QPoint &position) const;
    void openAxesChooser();
    void invalidate();
    void updateStatus();

    std::shared_ptr<const RunTable> m_table;
    std::vector<int> m_rows;
    std::vector<qint64> m_runIds;
    QList<ParallelAxisKey> m_chosenAxes;
    bool m_customAxes = false;
    std::vector<AxisData> m_axes;
    QList<Brush> m_brushes;
    std::vector<bool> m_inBrushes; ///< per shown run
    std::optional<QSet<qint64>> m_emitted;
    // Interaction on the canvas
    int m_pressAxis = -1;
    double m_pressFraction = 0;
    double m_dragFraction = 0;
    bool m_dragging = false;
    int m_hovered = -1; ///< index into m_rows
    mutable QImage m_cache;

    QWidget *m_canvas = nullptr;
    QPushButton *m_axesButton = nullptr;
    QPushButton *m_clearButton = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace kiln
