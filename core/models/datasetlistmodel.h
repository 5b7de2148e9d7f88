#pragma once

#include "data/datasetcatalog.h"
#include "util/expected.h"

#include <QAbstractItemModel>
#include <QList>

namespace kiln {

class Database;

/// The datasets of a workspace as a tree: datasets at the top, their versions (newest first)
/// below. Reads the catalog on the connection it is given, so it lives on that connection's
/// thread (the GUI thread in the app) and holds a copy of what it read until refresh().
class DatasetListModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetListModel)

public:
    enum Column { NameColumn, ShapeColumn, ColumnCount };
    enum Role {
        NameRole = Qt::UserRole + 1, ///< the dataset's name (on dataset and version rows)
        VersionRole, ///< the version number; the latest one on a dataset row
        RefRole, ///< "name@version"
        IsVersionRole, ///< true on version rows
        RowCountRole,
        ColumnCountRole,
    };

    explicit DatasetListModel(QObject *parent = nullptr);
    ~DatasetListModel() override;

    /// The connection refresh() reads; null empties the model.
    void setDatabase(Database *db);
    /// Reads the catalog again. On error the model keeps what it had.
    Status refresh();

    /// The version row for `name`@`version` (0: the dataset row), or an invalid index.
    QModelIndex indexFor(const QString &name, int version = 0) const;
    int datasetCount() const { return int(m_datasets.size()); }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Entry
    {
        DatasetSummary summary;
        QList<DatasetVersion> versions; // newest first
    };

    QVariant datasetData(const Entry &entry, int column, int role) const;
    QVariant versionData(const Entry &entry, const DatasetVersion &version, int column, int role) const;

    Database *m_db = nullptr;
    QList<Entry> m_datasets;
};

} // namespace kiln
