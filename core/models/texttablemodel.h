#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>
#include <QVariant>

namespace kiln {

/// A small read-only table of values (a run's params, results, artifacts, per-class metrics)
/// that a page fills in one go. Numbers stay numbers: they sort as numbers and align right;
/// doubles are shown with the precision given to setNumberFormat().
class TextTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TextTableModel)

public:
    enum Role {
        SortRole = Qt::UserRole + 1, ///< the raw value, for sorting
    };

    explicit TextTableModel(QObject *parent = nullptr);
    ~TextTableModel() override;

    void setHeader(const QStringList &header);
    /// Replaces every row; a row shorter than the header leaves the rest empty.
    void setRows(QList<QVariantList> rows);
    /// Tooltips for cells, row by row (optional; same shape as the rows).
    void setToolTips(QList<QStringList> toolTips);
    void clear();
    const QList<QVariantList> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_header;
    QList<QVariantList> m_rows;
    QList<QStringList> m_toolTips;
};

} // namespace kiln
