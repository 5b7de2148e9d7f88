#include "missingvaluedelegate.h"

#include "models/datasettablemodel.h"

namespace kiln {

MissingValueDelegate::MissingValueDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{ }

void MissingValueDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    if (!index.data(DatasetTableModel::MissingRole).toBool())
        return;
    option->text = QStringLiteral("—");
    option->features |= QStyleOptionViewItem::HasDisplay;
    option->displayAlignment = Qt::AlignCenter;
    const QColor hint = option->palette.color(QPalette::PlaceholderText);
    option->palette.setColor(QPalette::Text, hint);
}

} // namespace kiln
