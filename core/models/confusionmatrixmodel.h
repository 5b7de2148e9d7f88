#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

namespace kiln {

/// A confusion matrix as a table: rows are the true classes, columns the predicted ones.
/// Each cell also gives its share of the largest cell (IntensityRole), from which a view
/// paints the heat map; the model itself holds no colours (it is QtCore only).
class ConfusionMatrixModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfusionMatrixModel)

public:
    enum Role {
        CountRole = Qt::UserRole + 1, ///< qint64
        IntensityRole, ///< the count over the largest count, 0..1
        IsDiagonalRole, ///< a correct prediction
    };

    explicit ConfusionMatrixModel(QObject *parent = nullptr);
    ~ConfusionMatrixModel() override;

    void setMatrix(const QStringList &classes, const std::vector<std::vector<qint64>> &counts);
    void clear();
    qint64 total() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_classes;
    std::vector<std::vector<qint64>> m_counts;
    std::vector<qint64> m_rowTotals;
    qint64 m_largest = 0;
};

} // namespace kiln
