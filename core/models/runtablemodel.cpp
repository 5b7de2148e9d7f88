#include "runtablemodel.h"

// Placeholder definitions until the model is written (owned by the runs-table helper).
namespace kiln {

struct RunTableModel::Private
{ };

RunTableModel::RunTableModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }
RunTableModel::~RunTableModel() = default;
QModelIndex RunTableModel::index(int, int, const QModelIndex &) const
{
    return {};
}
QModelIndex RunTableModel::parent(const QModelIndex &) const
{
    return {};
}
int RunTableModel::rowCount(const QModelIndex &) const
{
    return 0;
}
int RunTableModel::columnCount(const QModelIndex &) const
{
    return 0;
}
QVariant RunTableModel::data(const QModelIndex &, int) const
{
    return {};
}
QVariant RunTableModel::headerData(int, Qt::Orientation, int) const
{
    return {};
}
void RunTableModel::sort(int, Qt::SortOrder) { }

} // namespace kiln
