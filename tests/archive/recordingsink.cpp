#include "recordingsink.h"

namespace kiln::test {

ArchiveEntrySink::Action RecordingSink::beginEntry(const QString &path, qint64 size)
{
    if (m_open)
        contractErrors << QStringLiteral("beginEntry(%1) while %2 is open").arg(path, entries.last().path);
    beganPaths << path;
    if (skipPaths.contains(path))
        return Action::Skip;
    entries.append(Entry {path, size, {}, 0, 0, false});
    m_open = true;
    return Action::Read;
}

Status RecordingSink::entryData(const char *data, qsizetype size)
{
    if (!m_open) {
        contractErrors << QStringLiteral("entryData() with no entry open");
        return {};
    }
    if (size <= 0)
        contractErrors << QStringLiteral("entryData() with %1 bytes").arg(size);
    Entry &entry = entries.last();
    if (keepData)
        entry.data.append(data, size);
    entry.bytes += size;
    ++entry.chunks;
    totalBytes += size;
    largestChunk = std::max(largestChunk, size);
    if (!failPath.isEmpty() && entry.path == failPath)
        return Error {failMessage};
    return {};
}

Status RecordingSink::endEntry()
{
    if (!m_open)
        contractErrors << QStringLiteral("endEntry() with no entry open");
    else
        entries.last().ended = true;
    m_open = false;
    return {};
}

void RecordingSink::skipped(const QString &path, const QString &reason)
{
    if (m_open)
        contractErrors << QStringLiteral("skipped(%1) while %2 is open").arg(path, entries.last().path);
    skips.append(Skip {path, reason});
}

} // namespace kiln::test
