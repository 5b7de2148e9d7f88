#pragma once

#include "plugin/importer.h"

#include <QObject>

namespace kiln::Internal {

/// The "archive" format: zip, tar (plain or gzip/xz/bzip2/zstd-compressed) and single
/// compressed data files such as sales.csv.gz, read with libarchive. Stateless: one instance
/// serves every thread, each expand() call owning its own libarchive handle.
class LibarchivePlugin final : public QObject, public ArchivePlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID KILN_ARCHIVE_PLUGIN_IID FILE "archive.json")
    Q_INTERFACES(kiln::ArchivePlugin)
    Q_DISABLE_COPY_MOVE(LibarchivePlugin)

public:
    LibarchivePlugin() = default;

    QString formatId() const override;
    int probe(const QString &fileName, QByteArrayView head) const override;
    Status expand(const QString &archivePath, ArchiveEntrySink &sink, const ArchiveLimits &limits) const override;
};

} // namespace kiln::Internal
