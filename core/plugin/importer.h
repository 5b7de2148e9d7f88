#pragma once

#include "util/expected.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QtPlugin>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

/// Receives what a TableParser reads, in stream order, on the parsing thread.
class RecordSink
{
public:
    virtual ~RecordSink() = default;
    /// Column names, before the first record: the header's, or column_1... when the file has
    /// none. A format whose records bring new keys (JSON lines) calls it again with the new
    /// names appended; earlier records count as missing in the new columns.
    virtual void setColumns(const std::vector<std::string> &names) = 0;
    /// One record: the byte offset of its first byte in the stream and one UTF-8 field per
    /// column (a JSON-lines record missing a key gives an empty field).
    virtual void addRecord(qint64 offset, const std::string_view *fields, int count) = 0;
};

/// A push parser for one tabular format. Fed the stream in chunks of any size; a record may
/// straddle chunks. Lives on one thread.
class TableParser
{
public:
    virtual ~TableParser() = default;
    /// False on malformed input, with errorString() set.
    virtual bool feed(const char *data, qsizetype size) = 0;
    /// End of stream: flushes the last record. False on malformed input.
    virtual bool finish() = 0;
    /// Why parsing stopped, naming the line: "line 12: 7 fields, expected 9". The caller
    /// prefixes the file name.
    virtual QString errorString() const = 0;
    /// What was detected or given (delimiter, header, encoding...). Stored with the dataset
    /// version; handed back to the plugin to read it again exactly the same way.
    virtual QJsonObject formatOptions() const = 0;
};

/// Decodes single records of a stored file at the offsets its TableParser reported.
/// Const and thread-safe.
class RecordDecoder
{
public:
    virtual ~RecordDecoder() = default;
    /// Decodes the record starting at data[0] (data runs to the end of the file) into one
    /// UTF-8 string per column.
    virtual void decode(QByteArrayView data, std::vector<std::string> &fields) const = 0;
};

/// A format of tabular data files (CSV/TSV, JSON lines, ...). Plugins are stateless.
class ImporterPlugin
{
public:
    virtual ~ImporterPlugin() = default;
    /// Stable id stored with each dataset version ("delimited", "jsonlines").
    virtual QString formatId() const = 0;
    /// How sure this plugin is that it reads the file: 0 (it does not) to 100, from the name
    /// and the first bytes (up to 64 KiB, fewer for short files; empty when not read yet).
    virtual int probe(const QString &fileName, QByteArrayView head) const = 0;
    /// A parser for a stream whose first bytes are `head`. `options` holds what the user
    /// forced (or a version's stored formatOptions()); anything absent is detected.
    virtual std::unique_ptr<TableParser> createParser(const QJsonObject &options, QByteArrayView head,
                                                      RecordSink *sink) const = 0;
    virtual std::unique_ptr<RecordDecoder> createDecoder(const QJsonObject &formatOptions,
                                                         const QStringList &columns) const = 0;
};

/// Receives the entries of an archive as ArchivePlugin::expand() streams them.
class ArchiveEntrySink
{
public:
    enum class Action { Read, Skip };
    virtual ~ArchiveEntrySink() = default;
    /// A regular file entry; `size` is -1 when the archive does not say. Skip to pass over it.
    virtual Action beginEntry(const QString &path, qint64 size) = 0;
    /// Bytes of the current entry; an error aborts the expansion.
    virtual Status entryData(const char *data, qsizetype size) = 0;
    virtual Status endEntry() = 0;
    /// An entry passed over by the archive itself (a link inside the archive, a device...).
    virtual void skipped(const QString &path, const QString &reason) = 0;
};

/// Limits that make an archive hostile. Expansion stops with an error naming the entry.
struct ArchiveLimits
{
    /// Refused past this many expanded bytes per byte of archive (zip bombs)...
    double maxExpansionRatio = 100.0;
    /// ...once at least this much has been expanded (tiny archives compress well).
    qint64 ratioFloorBytes = 1 << 20;
};

/// A container format (zip, tar and its compressions). Refuses entries whose path is absolute
/// or climbs out with "..", and links that leave the archive; never writes to disk itself.
class ArchivePlugin
{
public:
    virtual ~ArchivePlugin() = default;
    virtual QString formatId() const = 0;
    virtual int probe(const QString &fileName, QByteArrayView head) const = 0;
    /// Streams every regular file entry to `sink`. The error names the archive's entry and
    /// the reason; the caller prefixes the archive's file name.
    virtual Status expand(const QString &archivePath, ArchiveEntrySink &sink, const ArchiveLimits &limits) const = 0;
};

} // namespace kiln

#define KILN_IMPORTER_PLUGIN_IID "org.kiln.ImporterPlugin/1.0"
#define KILN_ARCHIVE_PLUGIN_IID "org.kiln.ArchivePlugin/1.0"
Q_DECLARE_INTERFACE(kiln::ImporterPlugin, KILN_IMPORTER_PLUGIN_IID)
Q_DECLARE_INTERFACE(kiln::ArchivePlugin, KILN_ARCHIVE_PLUGIN_IID)
