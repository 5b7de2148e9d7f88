#pragma once

#include "plugin/importer.h"

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QString>

namespace kiln::test {

/// The consumer side of ArchivePlugin::expand(), as the import pipeline would be: records
/// what it is handed, checks the call order, and can be told to skip or fail entries.
class RecordingSink final : public ArchiveEntrySink
{
public:
    struct Entry
    {
        QString path;
        qint64 declaredSize = -1;
        QByteArray data; ///< empty when keepData is off
        qint64 bytes = 0;
        int chunks = 0;
        bool ended = false;
    };
    struct Skip
    {
        QString path;
        QString reason;
    };

    Action beginEntry(const QString &path, qint64 size) override;
    Status entryData(const char *data, qsizetype size) override;
    Status endEntry() override;
    void skipped(const QString &path, const QString &reason) override;

    // What to do.
    QSet<QString> skipPaths; ///< answered with Action::Skip
    QString failPath; ///< entryData() for this entry fails with failMessage
    QString failMessage;
    bool keepData = true; ///< off for bombs: count bytes without keeping them

    // What happened.
    QList<Entry> entries; ///< entries read (not the skipped ones)
    QList<Skip> skips; ///< skipped() calls
    QStringList beganPaths; ///< every beginEntry(), read or skipped
    qint64 totalBytes = 0;
    qsizetype largestChunk = 0;
    QStringList contractErrors; ///< calls out of order: must stay empty

private:
    bool m_open = false;
};

} // namespace kiln::test
