#pragma once

#include "data/columnprofile.h"

#include <QAbstractTableModel>

#include <optional>

namespace kiln {

/// A column type as a user reads it ("Integer", "Date/time"); columnTypeName() is the stored form.
QString columnTypeLabel(ColumnType type);

/// The statistics of one column (a ColumnProfile) as two columns, statistic and value, in the
/// form a user reads them. Holds a copy of the profile; lives on the GUI thread.
class ColumnStatsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ColumnStatsModel)

public:
    enum Statistic { Type, Count, Missing, Distinct, Min, Max, Mean, Std, TopValues, StatisticCount };
    enum Column { NameColumn, ValueColumn, ColumnCount };
    enum Role {
        /// The statistic as a number where it is one (count, missing, distinct: qint64; mean,
        /// std: double), else as text; invalid when the column has none (a text column's mean).
        ValueRole = Qt::UserRole + 1,
    };

    explicit ColumnStatsModel(QObject *parent = nullptr);
    ~ColumnStatsModel() override;

    void setProfile(const ColumnProfile &profile);
    void clear();
    const std::optional<ColumnProfile> &profile() const { return m_profile; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString statisticName(Statistic statistic);

private:
    QString valueText(Statistic statistic) const;
    QVariant rawValue(Statistic statistic) const;

    std::optional<ColumnProfile> m_profile;
};

} // namespace kiln
