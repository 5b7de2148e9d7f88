#include "data/datasettable.h"

#include "plugin/pluginmanager.h"
#include "workspace/blobstore.h"

#include <cstring>

namespace kiln {

DatasetTable::~DatasetTable() = default;

Expected<std::shared_ptr<const DatasetTable>> DatasetTable::open(const BlobStore &blobs, const DatasetVersion &version)
{
    std::shared_ptr<DatasetTable> table(new DatasetTable);
    table->m_version = version;
    for (const ColumnProfile &column : version.columns)
        table->m_columnNames << column.name;
    const ImporterPlugin *plugin = PluginManager::instance().importer(version.format);
    if (!plugin)
        return Error {QStringLiteral("%1: no plugin reads the format '%2'").arg(version.ref(), version.format)};
    table->m_decoder = plugin->createDecoder(version.formatOptions, table->m_columnNames);

    const auto mapBlob = [&blobs, &version](const QString &sha, std::unique_ptr<QFile> &file, const uchar *&data,
                                            qint64 &size) -> Status {
        file = std::make_unique<QFile>(blobs.pathFor(sha));
        if (!file->open(QIODevice::ReadOnly))
            return Error {QStringLiteral("%1: stored file %2 is missing: %3")
                              .arg(version.ref(), file->fileName(), file->errorString())};
        size = file->size();
        if (size == 0)
            return {};
        data = file->map(0, size);
        if (!data)
            return Error {
                QStringLiteral("%1: cannot map %2: %3").arg(version.ref(), file->fileName(), file->errorString())};
        return {};
    };
    if (Status s = mapBlob(version.blobSha256, table->m_dataFile, table->m_data, table->m_dataSize); !s)
        return s.error();
    qint64 indexSize = 0;
    if (Status s = mapBlob(version.indexSha256, table->m_indexFile, table->m_index, indexSize); !s)
        return s.error();
    table->m_rowCount = indexSize / qint64(sizeof(qint64));
    if (table->m_rowCount != version.rowCount)
        return Error {QStringLiteral("%1: the row index holds %2 rows, the catalog says %3")
                          .arg(version.ref())
                          .arg(table->m_rowCount)
                          .arg(version.rowCount)};
    return std::shared_ptr<const DatasetTable>(std::move(table));
}

ColumnType DatasetTable::columnType(int column) const
{
    if (column < 0 || column >= m_version.columns.size())
        return ColumnType::Text;
    return m_version.columns.at(column).type;
}

void DatasetTable::readRow(qint64 row, std::vector<std::string> &fields) const
{
    if (row < 0 || row >= m_rowCount) {
        fields.assign(std::size_t(columnCount()), std::string());
        return;
    }
    qint64 offset = 0;
    std::memcpy(&offset, m_index + row * qint64(sizeof(qint64)), sizeof(qint64));
    if (offset < 0 || offset >= m_dataSize) {
        fields.assign(std::size_t(columnCount()), std::string());
        return;
    }
    m_decoder->decode(QByteArrayView(m_data + offset, m_dataSize - offset), fields);
    fields.resize(std::size_t(columnCount()));
}

QStringList DatasetTable::row(qint64 row) const
{
    std::vector<std::string> fields;
    readRow(row, fields);
    QStringList result;
    result.reserve(qsizetype(fields.size()));
    for (const std::string &field : fields)
        result << QString::fromUtf8(field.data(), qsizetype(field.size()));
    return result;
}

bool DatasetTable::scan(const std::function<bool(qint64, const std::vector<std::string> &)> &visit,
                        Feedback *feedback) const
{
    std::vector<std::string> fields;
    for (qint64 row = 0; row < m_rowCount; ++row) {
        if (feedback && (row & 0xFFF) == 0) {
            if (feedback->isCanceled())
                return false;
            feedback->setProgress(double(row) / double(m_rowCount));
        }
        readRow(row, fields);
        if (!visit(row, fields))
            return false;
    }
    return true;
}

} // namespace kiln
