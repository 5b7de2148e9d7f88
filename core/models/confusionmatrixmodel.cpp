#include "models/confusionmatrixmodel.h"

#include <QLocale>

#include <numeric>

namespace kiln {

ConfusionMatrixModel::ConfusionMatrixModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

ConfusionMatrixModel::~ConfusionMatrixModel() = default;

void ConfusionMatrixModel::setMatrix(const QStringList &classes, const std::vector<std::vector<qint64>> &counts)
{
    beginResetModel();
    m_classes = classes;
    m_counts = counts;
    m_counts.resize(std::size_t(classes.size()));
    m_rowTotals.clear();
    m_largest = 0;
    for (auto &row : m_counts) {
        row.resize(std::size_t(classes.size()), 0);
        m_rowTotals.push_back(std::accumulate(row.cbegin(), row.cend(), qint64(0)));
        for (qint64 count : row)
            m_largest = std::max(m_largest, count);
    }
    endResetModel();
}

void ConfusionMatrixModel::clear()
{
    setMatrix({}, {});
}

qint64 ConfusionMatrixModel::total() const
{
    return std::accumulate(m_rowTotals.cbegin(), m_rowTotals.cend(), qint64(0));
}

int ConfusionMatrixModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_classes.size());
}

int ConfusionMatrixModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_classes.size());
}

QVariant ConfusionMatrixModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const qint64 count = m_counts[std::size_t(index.row())][std::size_t(index.column())];
    switch (role) {
    case Qt::DisplayRole:
        return QLocale().toString(count);
    case Qt::ToolTipRole: {
        const qint64 rowTotal = m_rowTotals[std::size_t(index.row())];
        const double share = rowTotal > 0 ? 100.0 * double(count) / double(rowTotal) : 0.0;
        return tr("True %1, predicted %2: %3 rows (%4% of the true %1 rows)")
            .arg(m_classes.at(index.row()), m_classes.at(index.column()), QLocale().toString(count),
                 QLocale().toString(share, 'f', 1));
    }
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment(Qt::AlignCenter));
    case CountRole:
        return count;
    case IntensityRole:
        return m_largest > 0 ? double(count) / double(m_largest) : 0.0;
    case IsDiagonalRole:
        return index.row() == index.column();
    default:
        return {};
    }
}

QVariant ConfusionMatrixModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (section < 0 || section >= m_classes.size())
        return {};
    if (role == Qt::DisplayRole)
        return m_classes.at(section);
    if (role == Qt::ToolTipRole)
        return orientation == Qt::Vertical ? tr("True class %1").arg(m_classes.at(section))
                                           : tr("Predicted class %1").arg(m_classes.at(section));
    return {};
}

} // namespace kiln
