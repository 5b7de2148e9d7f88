#pragma once

#include "compare/parallelcoordinatesview.h"

#include <QDialog>

class QListWidget;

namespace kiln {

/// The chooser of the axes of parallel coordinates: the axes shown, ticked, in their order,
/// then every other column some compared run has a value in (params, metrics, tags and the
/// attributes that say how a run went), unticked. Ticked items dragged into order are the
/// axes chosen; "Default axes" asks for the defaults back (defaultsRequested()) and closes.
class ParallelAxesDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParallelAxesDialog)

public:
    ParallelAxesDialog(const RunTable &table, const std::vector<int> &rows, const QList<ParallelAxisKey> &shown,
                       QWidget *parent = nullptr);
    ~ParallelAxesDialog() override;

    /// The ticked axes, top to bottom.
    QList<ParallelAxisKey> chosenAxes() const;

Q_SIGNALS:
    void defaultsRequested();

private:
    void addItem(const ParallelAxisKey &key, const RunTable::Column &column, bool checked);

    QListWidget *m_list = nullptr;
};

} // namespace kiln
