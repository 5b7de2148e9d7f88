#pragma once

#include "data/columnprofile.h"
#include "storage/database.h"
#include "util/expected.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace kiln {

/// One dataset: a name with one or more versions.
struct DatasetSummary
{
    qint64 id = 0;
    QString name;
    int latestVersion = 0;
    int versionCount = 0;
    qint64 latestRowCount = 0;
    int latestColumnCount = 0;
    QDateTime updatedAt;
};

/// One imported version of a dataset and everything that reproduces it.
struct DatasetVersion
{
    qint64 id = 0;
    qint64 datasetId = 0;
    QString datasetName;
    int version = 0;
    QString blobSha256; ///< the data file as imported
    QString indexSha256; ///< the record offsets (little-endian int64 per row)
    QString sourcePath; ///< "data.tar.gz!/train/iris.csv" for an archive entry
    qint64 sourceSize = 0;
    QString format; ///< importer id
    QJsonObject formatOptions;
    qint64 rowCount = 0;
    int columnCount = 0;
    QDateTime importedAt;
    QList<ColumnProfile> columns; ///< filled by version(), not by versions()

    /// "name@version", the form kilnctl and the UI use to name it.
    QString ref() const;
};

/// Read queries over the datasets of a workspace, on the connection it is given (and so on
/// that connection's thread).
class DatasetCatalog final
{
public:
    explicit DatasetCatalog(Database &db)
        : m_db(db)
    { }

    Expected<QList<DatasetSummary>> datasets() const;
    /// All versions of a dataset, newest first, without column profiles.
    Expected<QList<DatasetVersion>> versions(const QString &datasetName) const;
    /// One version with its columns; version 0 means the latest.
    Expected<DatasetVersion> version(const QString &datasetName, int version = 0) const;
    /// "name" or "name@3".
    Expected<DatasetVersion> versionByRef(const QString &ref) const;
    /// One version with its columns, by its row id (runs.dataset_version_id).
    Expected<DatasetVersion> versionById(qint64 id) const;

private:
    Database &m_db;
};

} // namespace kiln
