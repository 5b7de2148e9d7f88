#include "data/datasetimport.h"

#include "data/importpipeline.h"
#include "plugin/pluginmanager.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QTemporaryDir>

namespace kiln {

using Internal::DataFileStager;
using Internal::StagedDataset;

namespace {

constexpr qsizetype kHeadBytes = 64 * 1024;
constexpr qsizetype kChunkBytes = 1024 * 1024;
constexpr int kMaxArchiveDepth = 2;

const QString kCancelled = QStringLiteral("cancelled");

QString entryDisplay(const QString &container, const QString &entry)
{
    return container + QLatin1String("!/") + entry;
}

QString baseName(const QString &path)
{
    return QFileInfo(path).completeBaseName();
}

class Importer;

/// Routes archive entries: data files to a DataFileStager (after reading enough of their
/// head to choose the importer), nested archives to a staging file for a deeper pass,
/// anything else to the skipped list.
class ArchiveStager final : public ArchiveEntrySink
{
public:
    ArchiveStager(Importer &importer, QString display, int depth, qint64 outerSize)
        : m_importer(importer)
        , m_display(std::move(display))
        , m_depth(depth)
        , m_outerSize(outerSize)
    { }

    Action beginEntry(const QString &path, qint64 size) override;
    Status entryData(const char *data, qsizetype size) override;
    Status endEntry() override;
    void skipped(const QString &path, const QString &reason) override;

private:
    enum class Kind { None, Data, Nested };
    Status startData();

    Importer &m_importer;
    QString m_display;
    int m_depth;
    qint64 m_outerSize;
    Kind m_kind = Kind::None;
    QString m_entry;
    QByteArray m_head;
    std::unique_ptr<DataFileStager> m_stager;
    std::unique_ptr<QTemporaryDir> m_nestedDir; // removed with everything in it
    std::unique_ptr<QFile> m_nested;
    bool m_headDone = false;
    Status m_pending;
};

/// Carries out one ImportRequest on the calling thread.
class Importer
{
public:
    Importer(const ImportRequest &request, Feedback &feedback, Workspace &workspace)
        : m_request(request)
        , m_feedback(feedback)
        , m_workspace(workspace)
        , m_plugins(PluginManager::instance())
    { }

    ImportReport run();

    // Used by ArchiveStager.
    const PluginManager &plugins() const { return m_plugins; }
    BlobStore &blobs() { return m_workspace.blobs(); }
    const QJsonObject &options() const { return m_request.options; }
    Feedback &feedback() { return m_feedback; }
    std::vector<StagedDataset> &staged() { return m_staged; }
    QStringList &skippedHere() { return m_skippedHere; }
    /// `outerSize` is the size of the outermost archive: nested ones share its expansion budget.
    Status stageArchive(const ArchivePlugin &plugin, const QString &path, const QString &display, int depth,
                        qint64 outerSize);
    bool isArchiveName(const QString &name) const { return m_plugins.archiveFor(name, {}) != nullptr; }
    bool isDataName(const QString &name) const
    {
        return m_plugins.importerFor(name, {}) != nullptr
            || m_plugins.knownExtensions().contains(QFileInfo(name).suffix().toLower());
    }

private:
    void collect(const QString &path, QStringList &files);
    void importFile(const QString &path, bool explicitlyNamed);
    Status stageFile(const QString &path, const QString &display, bool &notData);
    void nameStaged();
    Status commit();

    const ImportRequest &m_request;
    Feedback &m_feedback;
    Workspace &m_workspace;
    const PluginManager &m_plugins;
    ImportReport m_report;
    std::vector<StagedDataset> m_staged;
    QStringList m_skippedHere;
    qint64 m_totalBytes = 0;
    qint64 m_doneBytes = 0;
};

QByteArray readHead(QFile &file)
{
    QByteArray head = file.read(kHeadBytes);
    file.seek(0);
    return head;
}

ImportReport Importer::run()
{
    QStringList files;
    QStringList explicitFiles;
    for (const QString &path : m_request.paths) {
        const QFileInfo info(path);
        if (!info.exists()) {
            m_report.failed.append({path, QStringLiteral("%1: no such file or folder").arg(path)});
            continue;
        }
        if (info.isDir()) {
            collect(info.absoluteFilePath(), files);
        } else {
            files << info.absoluteFilePath();
            explicitFiles << info.absoluteFilePath();
        }
    }
    for (const QString &file : std::as_const(files))
        m_totalBytes += QFileInfo(file).size();
    for (const QString &file : std::as_const(files)) {
        if (m_feedback.isCanceled()) {
            m_report.cancelled = true;
            break;
        }
        importFile(file, explicitFiles.contains(file));
        m_doneBytes += QFileInfo(file).size();
        m_feedback.setProgress(m_totalBytes ? double(m_doneBytes) / double(m_totalBytes) : 1.0);
    }
    if (m_feedback.isCanceled())
        m_report.cancelled = true;
    return m_report;
}

void Importer::collect(const QString &folder, QStringList &files)
{
    QDirIterator it(folder, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    QStringList found;
    while (it.hasNext())
        found << it.next();
    found.sort();
    files << found;
}

void Importer::importFile(const QString &path, bool explicitlyNamed)
{
    m_staged.clear();
    m_skippedHere.clear();
    const QString display = QFileInfo(path).fileName();
    m_feedback.setStatusText(QStringLiteral("Importing %1").arg(display));
    bool notData = false;
    Status status = stageFile(path, display, notData);
    if (status && notData) {
        if (explicitlyNamed)
            m_report.failed.append({path,
                                    QStringLiteral("%1: not a data file Kiln reads (CSV, TSV and other "
                                                   "delimited text, JSON lines, or an archive of them)")
                                        .arg(display)});
        else
            m_report.skipped << QStringLiteral("%1: not a data file").arg(path);
        return;
    }
    if (status && m_staged.empty())
        status = Error {QStringLiteral("%1: holds no data file Kiln reads").arg(display)};
    if (status) {
        nameStaged();
        status = commit();
    }
    if (!status) {
        if (m_feedback.isCanceled())
            m_report.cancelled = true;
        m_report.failed.append(
            {path,
             m_feedback.isCanceled() ? QStringLiteral("%1: import cancelled").arg(display) : status.errorMessage()});
        m_staged.clear(); // drops the staged blobs: nothing of a failed import remains
        return;
    }
    m_report.skipped << m_skippedHere;
}

Status Importer::stageFile(const QString &path, const QString &display, bool &notData)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("%1: cannot read: %2").arg(display, file.errorString())};
    const QByteArray head = readHead(file);
    const QString name = QFileInfo(path).fileName();
    if (const ArchivePlugin *archive = m_plugins.archiveFor(name, head))
        return stageArchive(*archive, path, display, 1, file.size());
    const ImporterPlugin *importer = m_plugins.importerFor(name, head);
    if (!importer) {
        notData = true;
        return {};
    }
    DataFileStager stager(m_workspace.blobs(), *importer, display);
    if (Status s = stager.start(m_request.options, head); !s)
        return s;
    QByteArray buffer(kChunkBytes, Qt::Uninitialized);
    const qint64 base = m_doneBytes;
    for (;;) {
        if (m_feedback.isCanceled())
            return Error {kCancelled};
        const qint64 n = file.read(buffer.data(), buffer.size());
        if (n < 0)
            return Error {QStringLiteral("%1: read error: %2").arg(display, file.errorString())};
        if (n == 0)
            break;
        if (Status s = stager.feed(buffer.constData(), n); !s)
            return s;
        if (m_totalBytes > 0)
            m_feedback.setProgress(double(base + file.pos()) / double(m_totalBytes));
    }
    auto staged = stager.finish();
    if (!staged)
        return staged.error();
    staged->sourcePath = path;
    staged->name = baseName(path);
    m_staged.push_back(std::move(staged).value());
    return {};
}

Status Importer::stageArchive(const ArchivePlugin &plugin, const QString &path, const QString &display, int depth,
                              qint64 outerSize)
{
    ArchiveStager sink(*this, display, depth, outerSize);
    ArchiveLimits limits;
    // A nested archive may expand only as far as the outermost one's budget allows, so two
    // levels cannot multiply the ratio.
    const qint64 size = QFileInfo(path).size();
    if (size > 0 && outerSize > 0)
        limits.maxExpansionRatio = std::max(1.0, limits.maxExpansionRatio * double(outerSize) / double(size));
    Status s = plugin.expand(path, sink, limits);
    if (!s) {
        const QString message = s.errorMessage();
        // Errors from our own sink already name the entry with its full display path.
        if (message == kCancelled || message.startsWith(display + QLatin1Char('!')))
            return s;
        return Error {display + QLatin1String(": ") + message};
    }
    return {};
}

void Importer::nameStaged()
{
    if (m_staged.size() == 1 && !m_request.name.isEmpty() && m_request.paths.size() == 1) {
        m_staged.front().name = m_request.name;
        return;
    }
    // Entries of one archive that share a base name keep their folder to tell them apart.
    QHash<QString, int> uses;
    for (const StagedDataset &s : std::as_const(m_staged))
        uses[s.name]++;
    for (StagedDataset &s : m_staged) {
        if (uses.value(s.name) > 1) {
            const qsizetype bang = s.sourcePath.lastIndexOf(QLatin1String("!/"));
            const QString entry = bang >= 0 ? s.sourcePath.mid(bang + 2) : s.sourcePath;
            const QFileInfo info(entry);
            s.name = QDir::cleanPath(info.path() + QLatin1Char('/') + info.completeBaseName());
        }
        if (!m_request.name.isEmpty() && m_request.paths.size() == 1)
            s.name = m_request.name + QLatin1Char('/') + s.name;
    }
}

Status Importer::commit()
{
    Database &db = m_workspace.db();
    // Blobs become visible first; the catalog rows that name them commit after, in one
    // transaction, so a crash in between leaves at worst an unreferenced blob, never a
    // dataset whose bytes are missing.
    for (StagedDataset &s : m_staged) {
        if (Status st = s.data->publish(); !st)
            return st;
        if (Status st = s.index->publish(); !st)
            return st;
    }
    Transaction tx(db);
    if (!tx.isActive())
        return tx.beginStatus();
    const QString now = storedNow();
    auto insertBlob = db.prepare("INSERT INTO blobs(sha256, size, created_at) VALUES(?, ?, ?) ON CONFLICT DO NOTHING");
    auto findDataset = db.prepare("SELECT id FROM datasets WHERE name = ?");
    auto insertDataset = db.prepare("INSERT INTO datasets(name, created_at) VALUES(?, ?)");
    auto latest = db.prepare("SELECT version, blob_sha256, format, format_options FROM dataset_versions "
                             "WHERE dataset_id = ? ORDER BY version DESC LIMIT 1");
    auto insertVersion = db.prepare(
        "INSERT INTO dataset_versions(dataset_id, version, blob_sha256, index_sha256, source_path, source_size, "
        "format, format_options, row_count, column_count, imported_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    auto insertColumn
        = db.prepare("INSERT INTO dataset_columns(version_id, position, name, type, stats) VALUES(?,?,?,?,?)");
    for (auto *stmt : {&insertBlob, &findDataset, &insertDataset, &latest, &insertVersion, &insertColumn}) {
        if (!*stmt)
            return stmt->error();
    }
    QList<ImportedDataset> done;
    for (const StagedDataset &s : std::as_const(m_staged)) {
        for (const auto &[sha, size] :
             {std::pair {s.dataSha256, s.data->size()}, std::pair {s.indexSha256, s.index->size()}}) {
            insertBlob->bind(1, sha).bind(2, std::int64_t(size)).bind(3, now);
            if (Status st = insertBlob->exec(); !st)
                return st;
        }
        findDataset->reset();
        findDataset->bind(1, s.name);
        qint64 datasetId = 0;
        if (findDataset->next()) {
            datasetId = findDataset->int64(0);
        } else {
            insertDataset->bind(1, s.name).bind(2, now);
            if (Status st = insertDataset->exec(); !st)
                return st;
            datasetId = db.lastInsertId();
        }
        findDataset->reset();
        const QByteArray options = QJsonDocument(s.formatOptions).toJson(QJsonDocument::Compact);
        latest->reset();
        latest->bind(1, std::int64_t(datasetId));
        int version = 0;
        if (latest->next()) {
            version = int(latest->int64(0));
            const bool same
                = latest->text(1) == s.dataSha256 && latest->text(2) == s.format && latest->text(3).toUtf8() == options;
            if (same) {
                latest->reset();
                done.append({s.name, version, s.rows, int(s.columns.size()), true, s.sourcePath});
                continue;
            }
        }
        latest->reset();
        ++version;
        insertVersion->bind(1, std::int64_t(datasetId))
            .bind(2, version)
            .bind(3, s.dataSha256)
            .bind(4, s.indexSha256)
            .bind(5, s.sourcePath)
            .bind(6, std::int64_t(s.sourceSize))
            .bind(7, s.format)
            .bind(8, std::string_view(options.constData(), std::size_t(options.size())))
            .bind(9, std::int64_t(s.rows))
            .bind(10, int(s.columns.size()))
            .bind(11, now);
        if (Status st = insertVersion->exec(); !st)
            return st;
        const qint64 versionId = db.lastInsertId();
        for (int i = 0; i < s.columns.size(); ++i) {
            const ColumnProfile &column = s.columns.at(i);
            const QByteArray stats = QJsonDocument(column.statsToJson()).toJson(QJsonDocument::Compact);
            insertColumn->bind(1, std::int64_t(versionId))
                .bind(2, i)
                .bind(3, column.name)
                .bind(4, columnTypeName(column.type))
                .bind(5, std::string_view(stats.constData(), std::size_t(stats.size())));
            if (Status st = insertColumn->exec(); !st)
                return st;
        }
        done.append({s.name, version, s.rows, int(s.columns.size()), false, s.sourcePath});
    }
    if (m_feedback.isCanceled())
        return Error {kCancelled};
    if (Status st = tx.commit(); !st)
        return st;
    m_report.imported << done;
    return {};
}

ArchiveEntrySink::Action ArchiveStager::beginEntry(const QString &path, qint64 size)
{
    Q_UNUSED(size);
    m_entry = path;
    m_head.clear();
    m_headDone = false;
    m_stager.reset();
    m_nested.reset();
    m_nestedDir.reset();
    const QString display = entryDisplay(m_display, path);
    const QString name = QFileInfo(path).fileName();
    if (m_importer.isArchiveName(name)) {
        m_kind = Kind::Nested;
        if (m_depth >= kMaxArchiveDepth) {
            m_pending = Error {
                QStringLiteral("%1: archives nested more than %2 deep are refused").arg(display).arg(kMaxArchiveDepth)};
            return Action::Read; // entryData/endEntry report it and stop the expansion
        }
        // Keep the entry's name: a compressed file inside ("sales.csv.gz") is named after it.
        QString safeName = name;
        for (QChar &c : safeName) {
            if (!c.isLetterOrNumber() && c != QLatin1Char('.') && c != QLatin1Char('-') && c != QLatin1Char('_'))
                c = QLatin1Char('_');
        }
        m_nestedDir = std::make_unique<QTemporaryDir>(m_importer.blobs().tempDir() + QLatin1String("/nested-XXXXXX"));
        m_nested = std::make_unique<QFile>(m_nestedDir->filePath(safeName.right(100)));
        if (!m_nestedDir->isValid() || !m_nested->open(QIODevice::WriteOnly))
            m_pending
                = Error {QStringLiteral("%1: cannot stage nested archive: %2").arg(display, m_nested->errorString())};
        return Action::Read;
    }
    if (m_importer.isDataName(name)) {
        m_kind = Kind::Data;
        return Action::Read;
    }
    m_kind = Kind::None;
    m_importer.skippedHere() << QStringLiteral("%1: not a data file").arg(display);
    return Action::Skip;
}

Status ArchiveStager::startData()
{
    m_headDone = true;
    const QString display = entryDisplay(m_display, m_entry);
    const ImporterPlugin *importer = m_importer.plugins().importerFor(QFileInfo(m_entry).fileName(), m_head);
    if (!importer) {
        m_kind = Kind::None;
        m_importer.skippedHere() << QStringLiteral("%1: not a data file").arg(display);
        return {};
    }
    m_stager = std::make_unique<DataFileStager>(m_importer.blobs(), *importer, display);
    if (Status s = m_stager->start(m_importer.options(), m_head); !s)
        return s;
    return m_stager->feed(m_head.constData(), m_head.size());
}

Status ArchiveStager::entryData(const char *data, qsizetype size)
{
    if (!m_pending)
        return m_pending;
    if (m_importer.feedback().isCanceled())
        return Error {kCancelled};
    switch (m_kind) {
    case Kind::None:
        return {};
    case Kind::Nested:
        if (m_nested->write(data, size) != size)
            return Error {QStringLiteral("%1: cannot stage nested archive: %2")
                              .arg(entryDisplay(m_display, m_entry), m_nested->errorString())};
        return {};
    case Kind::Data:
        if (!m_headDone) {
            const qsizetype take = std::min(size, kHeadBytes - m_head.size());
            m_head.append(data, take);
            if (m_head.size() < kHeadBytes)
                return {};
            if (Status s = startData(); !s)
                return s;
            if (!m_stager)
                return {};
            data += take;
            size -= take;
            if (size == 0)
                return {};
        }
        return m_stager ? m_stager->feed(data, size) : Status();
    }
    return {};
}

Status ArchiveStager::endEntry()
{
    if (!m_pending)
        return m_pending;
    const QString display = entryDisplay(m_display, m_entry);
    if (m_kind == Kind::Nested) {
        m_nested->flush();
        const QString nestedPath = m_nested->fileName();
        QFile probe(nestedPath);
        QByteArray head;
        if (probe.open(QIODevice::ReadOnly))
            head = probe.read(kHeadBytes);
        const ArchivePlugin *plugin = m_importer.plugins().archiveFor(QFileInfo(m_entry).fileName(), head);
        Status s = plugin ? m_importer.stageArchive(*plugin, nestedPath, display, m_depth + 1, m_outerSize)
                          : Status(Error {QStringLiteral("%1: not a readable archive").arg(display)});
        m_nested.reset();
        m_nestedDir.reset();
        return s;
    }
    if (m_kind != Kind::Data)
        return {};
    if (!m_headDone) {
        if (Status s = startData(); !s)
            return s;
    }
    if (!m_stager)
        return {};
    auto staged = m_stager->finish();
    m_stager.reset();
    if (!staged)
        return staged.error();
    staged->sourcePath = entryDisplay(m_display, m_entry);
    staged->name = baseName(m_entry);
    m_importer.staged().push_back(std::move(staged).value());
    return {};
}

void ArchiveStager::skipped(const QString &path, const QString &reason)
{
    m_importer.skippedHere() << QStringLiteral("%1: %2").arg(entryDisplay(m_display, path), reason);
}

} // namespace

QString ImportReport::summary() const
{
    int fresh = 0;
    int unchanged = 0;
    for (const ImportedDataset &d : imported)
        (d.unchanged ? unchanged : fresh)++;
    QStringList parts;
    parts << QStringLiteral("Imported %1 dataset%2").arg(fresh).arg(fresh == 1 ? QString() : QStringLiteral("s"));
    if (unchanged)
        parts << QStringLiteral("%1 unchanged").arg(unchanged);
    if (!failed.isEmpty())
        parts << QStringLiteral("%1 failed").arg(failed.size());
    if (!skipped.isEmpty())
        parts << QStringLiteral("%1 skipped").arg(skipped.size());
    if (cancelled)
        parts << QStringLiteral("cancelled");
    return parts.join(QLatin1String(", "));
}

ImportReport importPaths(const ImportRequest &request, Feedback &feedback)
{
    auto workspace = Workspace::open(request.workspaceRoot, Workspace::OpenMode::OpenExisting);
    if (!workspace) {
        ImportReport report;
        report.failed.append({request.workspaceRoot, workspace.errorMessage()});
        return report;
    }
    return importPaths(**workspace, request, feedback);
}

ImportReport importPaths(Workspace &workspace, const ImportRequest &request, Feedback &feedback)
{
    return Importer(request, feedback, workspace).run();
}

ImportTask::ImportTask(ImportRequest request, QObject *parent)
    : Task(request.paths.size() == 1 ? tr("Importing %1").arg(QFileInfo(request.paths.first()).fileName())
                                     : tr("Importing %n files", nullptr, int(request.paths.size())),
           parent)
    , m_request(std::move(request))
{ }

Status ImportTask::run(Feedback &feedback)
{
    m_report = importPaths(m_request, feedback);
    setMessage(m_report.summary());
    if (m_report.imported.isEmpty() && !m_report.failed.isEmpty() && !m_report.cancelled)
        return Error {m_report.failed.first().message};
    return {};
}

} // namespace kiln
