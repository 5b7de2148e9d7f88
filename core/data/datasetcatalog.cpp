#include "data/datasetcatalog.h"

#include <QJsonDocument>

namespace kiln {
namespace {

constexpr const char kVersionColumns[]
    = "SELECT v.id, v.dataset_id, d.name, v.version, v.blob_sha256, v.index_sha256, v.source_path, "
      "v.source_size, v.format, v.format_options, v.row_count, v.column_count, v.imported_at "
      "FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id ";

DatasetVersion versionFrom(const Statement &row)
{
    DatasetVersion v;
    v.id = row.int64(0);
    v.datasetId = row.int64(1);
    v.datasetName = row.text(2);
    v.version = int(row.int64(3));
    v.blobSha256 = row.text(4);
    v.indexSha256 = row.text(5);
    v.sourcePath = row.text(6);
    v.sourceSize = row.int64(7);
    v.format = row.text(8);
    v.formatOptions = QJsonDocument::fromJson(row.text(9).toUtf8()).object();
    v.rowCount = row.int64(10);
    v.columnCount = int(row.int64(11));
    v.importedAt = storedTime(row, 12);
    return v;
}

Status loadColumns(Database &db, DatasetVersion &v)
{
    auto columns = db.prepare("SELECT name, type, stats FROM dataset_columns WHERE version_id = ? ORDER BY position");
    if (!columns)
        return columns.error();
    columns->bind(1, v.id);
    while (columns->next()) {
        const ColumnType type = columnTypeFromString(columns->text(1)).value_or(ColumnType::Text);
        const QJsonObject stats = QJsonDocument::fromJson(columns->text(2).toUtf8()).object();
        v.columns.append(ColumnProfile::fromJson(columns->text(0), type, stats));
    }
    return Status::success();
}

} // namespace

QString DatasetVersion::ref() const
{
    return datasetName + QLatin1Char('@') + QString::number(version);
}

Expected<QList<DatasetSummary>> DatasetCatalog::datasets() const
{
    auto stmt = m_db.prepare(
        "SELECT d.id, d.name, v.version, (SELECT COUNT(*) FROM dataset_versions c WHERE c.dataset_id = d.id), "
        "v.row_count, v.column_count, v.imported_at FROM datasets d "
        "JOIN dataset_versions v ON v.dataset_id = d.id "
        "AND v.version = (SELECT MAX(version) FROM dataset_versions m WHERE m.dataset_id = d.id) "
        "ORDER BY lower(d.name), d.name");
    if (!stmt)
        return stmt.error();
    QList<DatasetSummary> result;
    while (stmt->next()) {
        DatasetSummary s;
        s.id = stmt->int64(0);
        s.name = stmt->text(1);
        s.latestVersion = int(stmt->int64(2));
        s.versionCount = int(stmt->int64(3));
        s.latestRowCount = stmt->int64(4);
        s.latestColumnCount = int(stmt->int64(5));
        s.updatedAt = storedTime(*stmt, 6);
        result.append(s);
    }
    return result;
}

Expected<QList<DatasetVersion>> DatasetCatalog::versions(const QString &datasetName) const
{
    const QByteArray sql = QByteArray(kVersionColumns) + "WHERE d.name = ? ORDER BY v.version DESC";
    auto stmt = m_db.prepare(sql.constData());
    if (!stmt)
        return stmt.error();
    stmt->bind(1, datasetName);
    QList<DatasetVersion> result;
    while (stmt->next())
        result.append(versionFrom(*stmt));
    if (result.isEmpty())
        return Error {QStringLiteral("no dataset named '%1'").arg(datasetName)};
    return result;
}

Expected<DatasetVersion> DatasetCatalog::version(const QString &datasetName, int version) const
{
    const QByteArray sql = QByteArray(kVersionColumns)
        + (version > 0 ? "WHERE d.name = ?1 AND v.version = ?2" : "WHERE d.name = ?1 ORDER BY v.version DESC LIMIT 1");
    auto stmt = m_db.prepare(sql.constData());
    if (!stmt)
        return stmt.error();
    stmt->bind(1, datasetName);
    if (version > 0)
        stmt->bind(2, version);
    if (!stmt->next()) {
        if (version > 0 && versions(datasetName).ok())
            return Error {QStringLiteral("dataset '%1' has no version %2").arg(datasetName).arg(version)};
        return Error {QStringLiteral("no dataset named '%1'").arg(datasetName)};
    }
    DatasetVersion v = versionFrom(*stmt);
    if (Status s = loadColumns(m_db, v); !s)
        return s.error();
    return v;
}

Expected<DatasetVersion> DatasetCatalog::versionById(qint64 id) const
{
    const QByteArray sql = QByteArray(kVersionColumns) + "WHERE v.id = ?";
    auto stmt = m_db.prepare(sql.constData());
    if (!stmt)
        return stmt.error();
    stmt->bind(1, id);
    if (!stmt->next())
        return Error {QStringLiteral("no dataset version with id %1 (was it deleted?)").arg(id)};
    DatasetVersion v = versionFrom(*stmt);
    if (Status s = loadColumns(m_db, v); !s)
        return s.error();
    return v;
}

Expected<DatasetVersion> DatasetCatalog::versionByRef(const QString &ref) const
{
    const qsizetype at = ref.lastIndexOf(QLatin1Char('@'));
    if (at <= 0)
        return version(ref);
    bool ok = false;
    const int number = ref.mid(at + 1).toInt(&ok);
    if (!ok || number <= 0)
        return Error {QStringLiteral("'%1' is not a dataset reference: use NAME or NAME@VERSION").arg(ref)};
    return version(ref.left(at), number);
}

} // namespace kiln
