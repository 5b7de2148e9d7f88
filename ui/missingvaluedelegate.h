#pragma once

#include <QStyledItemDelegate>

namespace kiln {

/// Draws a missing value as a gray "—", so an empty cell, "NA" and "null" read the same and
/// never look like data.
class MissingValueDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MissingValueDelegate)

public:
    explicit MissingValueDelegate(QObject *parent = nullptr);

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace kiln
