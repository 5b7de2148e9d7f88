#include "libarchiveplugin.h"

#include "archivename.h"
#include "archivereader.h"

namespace kiln::Internal {

QString LibarchivePlugin::formatId() const
{
    return QStringLiteral("archive");
}

int LibarchivePlugin::probe(const QString &fileName, QByteArrayView head) const
{
    return archiveProbeScore(fileName, head);
}

Status LibarchivePlugin::expand(const QString &archivePath, ArchiveEntrySink &sink, const ArchiveLimits &limits) const
{
    ArchiveReader reader(archivePath, sink, limits);
    return reader.run();
}

} // namespace kiln::Internal
