#pragma once

#include <QStyledItemDelegate>

namespace kiln {

/// Paints a cell's background from its intensity (ConfusionMatrixModel::IntensityRole, 0..1):
/// white to the accent colour, with the text turning white where the cell is dark.
class HeatMapDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeatMapDelegate)

public:
    explicit HeatMapDelegate(int intensityRole, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_intensityRole;
};

} // namespace kiln
