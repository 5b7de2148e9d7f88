#pragma once

#include "runs/runtable.h"

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <vector>

namespace kiln {

class Workspace;

/// What every comparison view is shown: the runs table snapshot, the selected runs (rows of
/// it, in the table's display order) and the workspace to read series and artifacts from.
struct Comparison
{
    std::shared_ptr<const RunTable> table;
    std::vector<int> rows;
    Workspace *workspace = nullptr; ///< not owned; databasePath() and blobs() are read on the GUI thread only
};

/// A tab of the comparison area (overlay, parallel coordinates, scatter, bars, curves,
/// confusion matrices, importance, diff). Heavy reading (series, artifacts) happens off the
/// GUI thread; a view shows what it could not show ("No selected run has a confusion matrix").
class ComparisonView : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparisonView)

public:
    using QWidget::QWidget;
    ~ComparisonView() override = default;

    /// Shows `comparison`; called when the selection or the snapshot changes (a live table
    /// gives a new snapshot every second while runs train: keep settings, zoom and scroll).
    virtual void setComparison(const Comparison &comparison) = 0;
    /// What Export offers: any of "png", "svg", "csv".
    virtual QStringList exportFormats() const = 0;
    /// Writes the view to `path` in the format of its suffix; false with `error` set.
    virtual bool exportTo(const QString &path, QString *error) const = 0;
    /// The view's settings (chosen metric, axes, smoothing…) for a saved view.
    virtual QJsonObject settings() const { return {}; }
    virtual void restoreSettings(const QJsonObject &settings) { Q_UNUSED(settings) }

Q_SIGNALS:
    void errorOccurred(const QString &message);
};

} // namespace kiln
