#pragma once

#include "data/datasetcatalog.h"
#include "plugin/importer.h"
#include "tasks/feedback.h"
#include "util/expected.h"

#include <QFile>
#include <QStringList>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

class BlobStore;

/// Random access to the rows of one stored dataset version: memory-maps the data blob and its
/// offset index, so opening costs the same for ten rows or ten million. Immutable once open;
/// any thread may read it concurrently.
class DatasetTable final
{
public:
    ~DatasetTable();
    DatasetTable(const DatasetTable &) = delete;
    DatasetTable &operator=(const DatasetTable &) = delete;

    static Expected<std::shared_ptr<const DatasetTable>> open(const BlobStore &blobs, const DatasetVersion &version);

    const DatasetVersion &version() const { return m_version; }
    qint64 rowCount() const { return m_rowCount; }
    int columnCount() const { return int(m_columnNames.size()); }
    const QStringList &columnNames() const { return m_columnNames; }
    ColumnType columnType(int column) const;

    /// One row's fields as UTF-8 (an empty string for a missing JSON key).
    void readRow(qint64 row, std::vector<std::string> &fields) const;
    QStringList row(qint64 row) const;

    /// Visits every row in order (for sort, filter, statistics); stops early when `visit`
    /// returns false or `feedback` is cancelled. Returns false if it stopped early.
    bool scan(const std::function<bool(qint64 row, const std::vector<std::string> &fields)> &visit,
              Feedback *feedback = nullptr) const;

private:
    DatasetTable() = default;

    DatasetVersion m_version;
    QStringList m_columnNames;
    std::unique_ptr<QFile> m_dataFile;
    std::unique_ptr<QFile> m_indexFile;
    const uchar *m_data = nullptr;
    qint64 m_dataSize = 0;
    const uchar *m_index = nullptr;
    qint64 m_rowCount = 0;
    std::unique_ptr<RecordDecoder> m_decoder;
};

} // namespace kiln
