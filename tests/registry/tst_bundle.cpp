#include "data/datasetcatalog.h"
#include "data/datasettable.h"
#include "registry/bundle.h"
#include "registry/bundletask.h"
#include "registry/modelregistry.h"
#include "registry/predictor.h"
#include "registrytestsupport.h"
#include "testarchivewriter.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSignalSpy>

#include <archive.h>
#include <archive_entry.h>

#include <cstring>

using namespace kiln;
using namespace kiln::test;
using Entries = QList<TestEntry>;

Q_DECLARE_METATYPE(kiln::test::TestEntry)

namespace {

constexpr int kTaskTimeoutMs = 60000;

/// One entry of a bundle as written, read back with libarchive.
struct WrittenEntry
{
    QString path;
    unsigned type = 0;
    int perm = 0;
    qint64 mtime = 0;
    QByteArray data;
};

QList<WrittenEntry> readEntries(const QString &path)
{
    QList<WrittenEntry> entries;
    struct archive *handle = archive_read_new();
    archive_read_support_filter_gzip(handle);
    archive_read_support_format_tar(handle);
    if (archive_read_open_filename(handle, QFile::encodeName(path).constData(), 65536) == ARCHIVE_OK) {
        archive_entry *entry = nullptr;
        while (archive_read_next_header(handle, &entry) == ARCHIVE_OK) {
            WrittenEntry written {QString::fromUtf8(archive_entry_pathname(entry)),
                                  archive_entry_filetype(entry),
                                  int(archive_entry_perm(entry)),
                                  qint64(archive_entry_mtime(entry)),
                                  {}};
            QByteArray buffer(65536, Qt::Uninitialized);
            for (;;) {
                const la_ssize_t n = archive_read_data(handle, buffer.data(), size_t(buffer.size()));
                if (n <= 0)
                    break;
                written.data.append(buffer.constData(), qsizetype(n));
            }
            entries << written;
        }
    }
    archive_read_free(handle);
    return entries;
}

QByteArray jsonBytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

qint64 rowCount(Workspace &workspace, const char *sql)
{
    auto statement = workspace.db().prepare(sql);
    return statement && statement->next() ? statement->int64(0) : -1;
}

/// Files under `folder`, relative, sorted: what a refused import must not change.
QStringList filesUnder(const QString &folder)
{
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(folder).relativeFilePath(it.next());
    files.sort();
    return files;
}

/// Everything of a workspace an import could touch.
struct WorkspaceState
{
    QStringList blobFiles;
    QStringList tempFiles;
    qint64 models = 0;
    qint64 versions = 0;
    qint64 blobRows = 0;

    static WorkspaceState of(Workspace &workspace)
    {
        return {filesUnder(workspace.root() + QStringLiteral("/blobs")), filesUnder(workspace.blobs().tempDir()),
                rowCount(workspace, "SELECT COUNT(*) FROM registered_models"),
                rowCount(workspace, "SELECT COUNT(*) FROM model_versions"),
                rowCount(workspace, "SELECT COUNT(*) FROM blobs")};
    }
};

/// The first index where two prediction vectors differ in any bit, or -1.
qsizetype firstDifference(const std::vector<double> &left, const std::vector<double> &right)
{
    if (left.size() != right.size())
        return 0;
    for (std::size_t i = 0; i < left.size(); ++i) {
        quint64 leftBits = 0;
        quint64 rightBits = 0;
        std::memcpy(&leftBits, &left[i], sizeof(double));
        std::memcpy(&rightBits, &right[i], sizeof(double));
        if (leftBits != rightBits)
            return qsizetype(i);
    }
    return -1;
}

} // namespace

/// Bundles made from really trained models: exported, read back, imported into a fresh
/// workspace where they predict what they predicted at home, and every tampered form refused
/// with the workspace left as it was.
class tst_Bundle final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exportWritesTheDocumentedLayout();
    void exportIsReproducible();
    void readBundleNeedsNoWorkspace();
    void roundTripPredictsTheSame_data();
    void roundTripPredictsTheSame();
    void isModelBundle();
    void suggestedBundleName();
    void tamperedBundlesAreRefused_data();
    void tamperedBundlesAreRefused();
    void invalidModelNameIsRefused();
    void exportCancelLeavesNoFile();
    void exportOfUnknownVersionFails();
    void tasksRunOnTheTaskManager();
    void cancelledExportTaskLeavesNoFile();

private:
    QString write(const QString &fileName, const Entries &entries, TestFilter filter = TestFilter::Gzip);
    /// The good bundle's entries, with its manifest replaced by `manifest`.
    Entries goodEntries(const QJsonObject &manifest) const;
    QString modelPath() const { return QStringLiteral("model/model.") + m_version.modelFormat; }

    QTemporaryDir m_dir;
    TrainedRegistryWorkspace m_trained;
    Workspace *m_home = nullptr;
    ModelVersion m_version; ///< loans@1, the classifier
    ModelVersion m_regressorVersion; ///< amounts@1
    QString m_bundle; ///< loans@1 exported
    QJsonObject m_manifest;
    QList<WrittenEntry> m_entries;
    std::unique_ptr<Workspace> m_target; ///< where tampered bundles are offered
};

void tst_Bundle::initTestCase()
{
    QVERIFY(m_dir.isValid());
    TrainedRegistryWorkspace::create(m_dir.filePath(QStringLiteral("home")), m_trained, m_dir.path());
    QVERIFY(m_trained.workspace);
    m_home = m_trained.workspace.get();
    ModelRegistry registry(*m_home);
    RegisterOptions options;
    options.description = QStringLiteral("Who will default on a loan");
    auto classifier = registry.registerRun(m_trained.classifier, QStringLiteral("loans"), options);
    QVERIFY2(classifier, qPrintable(classifier.ok() ? QString() : classifier.errorMessage()));
    m_version = *classifier;
    auto regressor = registry.registerRun(m_trained.regressor, QStringLiteral("amounts"));
    QVERIFY2(regressor, qPrintable(regressor.ok() ? QString() : regressor.errorMessage()));
    m_regressorVersion = *regressor;

    m_bundle = m_dir.filePath(kiln::suggestedBundleName(m_version));
    const Status exported = exportBundle(*m_home, QStringLiteral("loans@1"), m_bundle);
    QVERIFY2(exported, qPrintable(exported.ok() ? QString() : exported.errorMessage()));
    m_entries = readEntries(m_bundle);
    QCOMPARE(m_entries.size(), 4);
    m_manifest = QJsonDocument::fromJson(m_entries.first().data).object();

    // The target already holds a version, so "unchanged" has something to keep.
    m_target = openWorkspace(m_dir.filePath(QStringLiteral("target")));
    auto imported = importBundle(*m_target, m_bundle);
    QVERIFY2(imported, qPrintable(imported.ok() ? QString() : imported.errorMessage()));
}

QString tst_Bundle::write(const QString &fileName, const Entries &entries, TestFilter filter)
{
    QString path = m_dir.filePath(fileName);
    const QString error = writeTestArchive(path, TestContainer::Tar, filter, entries);
    if (!error.isEmpty()) {
        qWarning("cannot write %s: %s", qPrintable(fileName), qPrintable(error));
        return {};
    }
    return path;
}

Entries tst_Bundle::goodEntries(const QJsonObject &manifest) const
{
    Entries entries {TestEntry::file(bundle::kManifestName, jsonBytes(manifest))};
    for (qsizetype i = 1; i < m_entries.size(); ++i)
        entries << TestEntry::file(m_entries.at(i).path.toUtf8(), m_entries.at(i).data);
    return entries;
}

void tst_Bundle::exportWritesTheDocumentedLayout()
{
    QStringList paths;
    for (const WrittenEntry &entry : std::as_const(m_entries)) {
        paths << entry.path;
        QCOMPARE(entry.type, unsigned(AE_IFREG));
        QCOMPARE(entry.perm, 0644);
        QCOMPARE(entry.mtime, m_version.createdAt.toSecsSinceEpoch());
    }
    QCOMPARE(paths,
             (QStringList {QStringLiteral("kiln-bundle.json"), modelPath(),
                           QStringLiteral("model/feature_encoding.json"), QStringLiteral("card.md")}));

    const QJsonObject &manifest = m_manifest;
    QCOMPARE(manifest.value(u"format").toString(), QStringLiteral("kiln-bundle"));
    QCOMPARE(manifest.value(u"formatVersion").toInt(), 1);
    const QJsonObject model = manifest.value(u"model").toObject();
    QCOMPARE(model.value(u"name").toString(), QStringLiteral("loans"));
    QCOMPARE(model.value(u"version").toInt(), 1);
    QCOMPARE(model.value(u"description").toString(), QStringLiteral("Who will default on a loan"));
    QCOMPARE(manifest.value(u"trainer").toString(), QStringLiteral("boosted-trees"));
    QCOMPARE(manifest.value(u"modelFormat").toString(), m_version.modelFormat);
    QCOMPARE(manifest.value(u"signature").toObject(), m_version.signature.toJson());
    QCOMPARE(manifest.value(u"encoding").toObject(), m_version.encoding.toJson());
    QCOMPARE(manifest.value(u"inputExample").toArray(), m_version.inputExample);
    QVERIFY(!m_version.inputExample.isEmpty());
    QCOMPARE(manifest.value(u"profile").toArray(), profileToJson(m_version.profile));
    QCOMPARE(manifest.value(u"lineage").toObject(), m_version.lineage.toJson());
    QVERIFY(!m_version.lineage.library.isEmpty());
    QCOMPARE(manifest.value(u"lineage").toObject().value(u"library").toString(), m_version.lineage.library);
    QCOMPARE(manifest.value(u"evaluation").toObject(), m_version.evaluation);
    QCOMPARE(manifest.value(u"card").toString(), m_version.card);
    QCOMPARE(manifest.value(u"metrics").toObject().value(u"accuracy").toDouble(),
             m_version.metrics.value(QStringLiteral("accuracy")));
    QCOMPARE(manifest.value(u"kilnVersion").toString(), QStringLiteral(KILN_VERSION));
    QVERIFY(!manifest.value(u"createdAt").toString().isEmpty());

    // Every listed file: the entry with that path, its size and its SHA-256.
    const QJsonArray files = manifest.value(u"files").toArray();
    QCOMPARE(files.size(), 3);
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QJsonObject file = files.at(i).toObject();
        const WrittenEntry &entry = m_entries.at(i + 1);
        QCOMPARE(file.value(u"path").toString(), entry.path);
        QCOMPARE(file.value(u"size").toInteger(), qint64(entry.data.size()));
        QCOMPARE(file.value(u"sha256").toString().toLatin1(), Sha256::hexHash(entry.data));
    }
    QCOMPARE(files.at(0).toObject().value(u"sha256").toString(), m_version.modelSha256);
    QCOMPARE(m_entries.at(3).data, m_version.card.toUtf8());
    QCOMPARE(QJsonDocument::fromJson(m_entries.at(2).data).object(), m_version.encoding.toJson());
}

void tst_Bundle::exportIsReproducible()
{
    const QString again = m_dir.filePath(QStringLiteral("again.kiln.tar.gz"));
    const Status exported = exportBundle(*m_home, QStringLiteral("loans@1"), again);
    QVERIFY2(exported, qPrintable(exported.ok() ? QString() : exported.errorMessage()));
    const QByteArray first = readFile(m_bundle);
    const QByteArray second = readFile(again);
    QVERIFY(!first.isEmpty());
    QVERIFY(first == second);
    // The gzip header's MTIME (bytes 4 to 7) is zero: a clock never leaks into the bytes.
    QCOMPARE(first.mid(0, 2), QByteArray("\x1f\x8b"));
    QCOMPARE(first.mid(4, 4), QByteArray(4, '\0'));
    // Exporting over an existing file replaces it whole.
    writeFile(again, "old contents");
    QVERIFY(exportBundle(*m_home, QStringLiteral("loans@1"), again).ok());
    QVERIFY(readFile(again) == first);
}

void tst_Bundle::readBundleNeedsNoWorkspace()
{
    const Expected<BundleContents> contents = readBundle(m_bundle);
    QVERIFY2(contents, qPrintable(contents.ok() ? QString() : contents.errorMessage()));
    QCOMPARE(contents->modelName, QStringLiteral("loans"));
    QCOMPARE(contents->modelVersion, 1);
    QCOMPARE(contents->trainer, QStringLiteral("boosted-trees"));
    QCOMPARE(contents->model.format, m_version.modelFormat);
    QCOMPARE(contents->model.bytes, m_entries.at(1).data);
    QCOMPARE(contents->manifest, m_manifest);
    const ModelVersion &draft = contents->draft;
    QCOMPARE(draft.modelSha256, m_version.modelSha256);
    QCOMPARE(draft.modelSize, m_version.modelSize);
    QCOMPARE(draft.lineage.source, QStringLiteral("bundle"));
    QCOMPARE(draft.lineage.bundleFile, QStringLiteral("loans-v1.kiln.tar.gz"));
    QCOMPARE(draft.lineage.origin, QStringLiteral("loans@1"));
    QCOMPARE(draft.lineage.library, m_version.lineage.library);
}

void tst_Bundle::roundTripPredictsTheSame_data()
{
    QTest::addColumn<QString>("ref");
    QTest::addColumn<qint64>("runId");
    QTest::newRow("boosted-trees classifier") << QStringLiteral("loans@1") << m_trained.classifier;
    QTest::newRow("linear regressor") << QStringLiteral("amounts@1") << m_trained.regressor;
}

void tst_Bundle::roundTripPredictsTheSame()
{
    QFETCH(QString, ref);
    QFETCH(qint64, runId);
    const ModelVersion original = *ModelRegistry(*m_home).version(ref);
    const QString bundlePath = m_dir.filePath(QStringLiteral("round-trip-") + kiln::suggestedBundleName(original));
    const Status exported = exportBundle(*m_home, ref, bundlePath);
    QVERIFY2(exported, qPrintable(exported.ok() ? QString() : exported.errorMessage()));

    // A fresh workspace on "another machine": the same CSV imported by the real importer.
    const QString freshRoot = m_dir.filePath(QStringLiteral("fresh-") + original.modelName);
    auto fresh = openWorkspace(freshRoot);
    ImportRequest request;
    request.paths = {m_dir.filePath(QStringLiteral("loans.csv"))};
    Feedback importFeedback;
    const ImportReport report = importPaths(*fresh, request, importFeedback);
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.summary()));

    const Expected<ModelVersion> imported = importBundle(*fresh, bundlePath);
    QVERIFY2(imported, qPrintable(imported.ok() ? QString() : imported.errorMessage()));
    QCOMPARE(imported->ref(), ref);
    QCOMPARE(imported->runId, qint64(0));
    QCOMPARE(imported->lineage.source, QStringLiteral("bundle"));
    QCOMPARE(imported->lineage.bundleFile, QFileInfo(bundlePath).fileName());
    QCOMPARE(imported->lineage.origin, ref);
    QCOMPARE(imported->lineage.runUuid, original.lineage.runUuid);
    QCOMPARE(imported->lineage.datasetSha256, original.lineage.datasetSha256);
    QCOMPARE(imported->lineage.library, original.lineage.library);
    // The import made the model with the bundle's description, in the same step.
    QCOMPARE(ModelRegistry(*fresh).model(original.modelName)->description,
             ModelRegistry(*m_home).model(original.modelName)->description);
    QCOMPARE(imported->signature.toJson(), original.signature.toJson());
    QCOMPARE(imported->encoding.toJson(), original.encoding.toJson());
    QCOMPARE(imported->metrics, original.metrics);
    QCOMPARE(imported->evaluation, original.evaluation);
    QCOMPARE(profileToJson(imported->profile), profileToJson(original.profile));
    QCOMPARE(imported->card, original.card);
    QCOMPARE(imported->inputExample, original.inputExample);
    QCOMPARE(imported->trainer, original.trainer);
    QCOMPARE(imported->modelSha256, original.modelSha256);
    QVERIFY(fresh->blobs().contains(original.modelSha256));
    // Read back from the database, not just what importBundle() returned.
    const Expected<ModelVersion> stored = ModelRegistry(*fresh).version(ref);
    QVERIFY(stored);
    QCOMPARE(stored->lineage.source, QStringLiteral("bundle"));
    QCOMPARE(stored->signature.toJson(), original.signature.toJson());

    // Predictions on the fresh dataset equal, bit for bit, those of the original workspace.
    const auto predictOn = [](Workspace &workspace, const QString &modelRef) -> Expected<Predictions> {
        auto model = LoadedModel::load(workspace, modelRef);
        if (!model)
            return model.error();
        auto version = DatasetCatalog(workspace.db()).versionByRef(QStringLiteral("loans@1"));
        if (!version)
            return version.error();
        auto table = DatasetTable::open(workspace.blobs(), *version);
        if (!table)
            return table.error();
        return (*model)->predict(**table);
    };
    const Expected<Predictions> home = predictOn(*m_home, ref);
    QVERIFY2(home, qPrintable(home.ok() ? QString() : home.errorMessage()));
    const Expected<Predictions> away = predictOn(*fresh, ref);
    QVERIFY2(away, qPrintable(away.ok() ? QString() : away.errorMessage()));
    QCOMPARE(away->rows, qint64(kLoanRows));
    QCOMPARE(away->classes, home->classes);
    const qsizetype differs = firstDifference(home->values, away->values);
    QVERIFY2(differs < 0, qPrintable(QStringLiteral("value %1 differs").arg(differs)));

    // And both equal what the run stored at training time for its test rows.
    const auto artifacts = RunStore(m_home->db()).artifacts(runId);
    QVERIFY(artifacts);
    QString predictionsSha;
    for (const ArtifactInfo &artifact : *artifacts) {
        if (artifact.path == QLatin1String("predictions.csv"))
            predictionsSha = artifact.sha256;
    }
    QVERIFY(!predictionsSha.isEmpty());
    QStringList lines = QString::fromUtf8(readFile(m_home->blobs().pathFor(predictionsSha))).split(u'\n');
    lines.removeAll(QString());
    QVERIFY(lines.size() > 10);
    const qsizetype classes = away->classes.size();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList fields = lines.at(i).split(u',');
        const qint64 row = fields.at(0).toLongLong() - 1;
        QVERIFY(row >= 0 && row < away->rows);
        if (classes > 0) {
            QCOMPARE(away->label(row), fields.at(2));
            for (qsizetype c = 0; c < classes; ++c)
                QCOMPARE(QString::number(away->values[std::size_t(row * classes + c)], 'g', 6), fields.at(3 + c));
        } else {
            QCOMPARE(QString::number(away->values[std::size_t(row)], 'g', 9), fields.at(2));
        }
    }
}

void tst_Bundle::isModelBundle()
{
    QVERIFY(kiln::isModelBundle(m_bundle));
    const QString data = write(QStringLiteral("data.tar.gz"), {TestEntry::file("loans.csv", loansCsv())});
    QVERIFY(!kiln::isModelBundle(data));
    const QString plain = write(QStringLiteral("plain.tar"), goodEntries(m_manifest), TestFilter::None);
    QVERIFY(!kiln::isModelBundle(plain));
    QVERIFY(!kiln::isModelBundle(writeFile(m_dir.filePath(QStringLiteral("text.kiln.tar.gz")), "hello\n")));
    QVERIFY(!kiln::isModelBundle(m_dir.filePath(QStringLiteral("does-not-exist.kiln.tar.gz"))));
}

void tst_Bundle::suggestedBundleName()
{
    ModelVersion version;
    version.modelName = QStringLiteral("churn");
    version.version = 3;
    QCOMPARE(kiln::suggestedBundleName(version), QStringLiteral("churn-v3.kiln.tar.gz"));
    version.modelName = QStringLiteral("risk: v2 *final*");
    version.version = 12;
    QCOMPARE(kiln::suggestedBundleName(version), QStringLiteral("risk__v2__final_-v12.kiln.tar.gz"));
    version.modelName = QStringLiteral(".hidden");
    QCOMPARE(kiln::suggestedBundleName(version), QStringLiteral("_hidden-v12.kiln.tar.gz"));
    version.modelName = QStringLiteral("prévision");
    QCOMPARE(kiln::suggestedBundleName(version), QStringLiteral("prévision-v12.kiln.tar.gz"));
}

void tst_Bundle::tamperedBundlesAreRefused_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<Entries>("entries");
    QTest::addColumn<QByteArray>("rawBytes"); ///< written as is instead of `entries`
    QTest::addColumn<QStringList>("reasons");

    const QString model = modelPath();
    const QByteArray modelBytes = m_entries.at(1).data;
    const auto withFile = [this](const QString &path, const char *key, const QJsonValue &value) {
        QJsonObject manifest = m_manifest;
        QJsonArray files = manifest.value(u"files").toArray();
        for (QJsonValueRef file : files) {
            QJsonObject object = file.toObject();
            if (object.value(u"path").toString() == path) {
                object.insert(QLatin1String(key), value);
                file = object;
            }
        }
        manifest.insert(QLatin1String("files"), files);
        return manifest;
    };
    const auto with = [this](const char *key, const QJsonValue &value) {
        QJsonObject manifest = m_manifest;
        manifest.insert(QLatin1String(key), value);
        return manifest;
    };
    const auto without = [this](const char *key) {
        QJsonObject manifest = m_manifest;
        manifest.remove(QLatin1String(key));
        return manifest;
    };
    const Entries good = goodEntries(m_manifest);
    const auto replaced = [&good](qsizetype index, const TestEntry &entry) {
        Entries entries = good;
        entries[index] = entry;
        return entries;
    };
    const auto plus = [&good](const TestEntry &entry) { return Entries(good) << entry; };

    QByteArray flipped = modelBytes;
    flipped[flipped.size() / 2] = char(flipped.at(flipped.size() / 2) ^ 0x01);
    const qint64 cardSize = m_entries.at(3).data.size();

    QTest::newRow("wrong checksum") << "checksum.kiln.tar.gz" << replaced(1, TestEntry::file(model.toUtf8(), flipped))
                                    << QByteArray()
                                    << QStringList {QStringLiteral("entry %1: its SHA-256 does not match").arg(model)};
    QTest::newRow("missing file") << "missing.kiln.tar.gz" << Entries(good.mid(0, 3)) << QByteArray()
                                  << QStringList {QStringLiteral("card.md is missing")};
    QTest::newRow("unlisted file") << "unlisted.kiln.tar.gz" << plus(TestEntry::file("model/extra.bin", "x"))
                                   << QByteArray()
                                   << QStringList {
                                          QStringLiteral("entry model/extra.bin is not listed in the manifest")};
    QTest::newRow("unknown format version")
        << "future.kiln.tar.gz" << goodEntries(with("formatVersion", 7)) << QByteArray()
        << QStringList {QStringLiteral("unknown bundle format version 7 (this Kiln reads version 1)")};
    QTest::newRow("not a kiln bundle manifest")
        << "other.kiln.tar.gz" << goodEntries(with("format", QStringLiteral("mlflow"))) << QByteArray()
        << QStringList {QStringLiteral("the manifest's format is 'mlflow', not 'kiln-bundle'")};
    QTest::newRow("manifest missing")
        << "nomanifest.kiln.tar.gz" << Entries(good.mid(1)) << QByteArray()
        << QStringList {QStringLiteral("its first entry is %1, not the manifest kiln-bundle.json").arg(model)};
    QTest::newRow("manifest not first")
        << "late.kiln.tar.gz" << (Entries {good.at(1), good.at(0)} << good.mid(2)) << QByteArray()
        << QStringList {QStringLiteral("its first entry is %1, not the manifest kiln-bundle.json").arg(model)};
    QTest::newRow("manifest not JSON") << "garbled.kiln.tar.gz"
                                       << replaced(0, TestEntry::file(bundle::kManifestName, "{\"format\": "))
                                       << QByteArray()
                                       << QStringList {QStringLiteral("kiln-bundle.json is not valid JSON")};
    QTest::newRow("manifest field missing")
        << "nosignature.kiln.tar.gz" << goodEntries(without("signature")) << QByteArray()
        << QStringList {QStringLiteral("manifest field 'signature' is missing")};
    QTest::newRow("manifest field of the wrong type")
        << "badmetrics.kiln.tar.gz" << goodEntries(with("metrics", QStringLiteral("high"))) << QByteArray()
        << QStringList {QStringLiteral("manifest field 'metrics' is a string, expected an object")};
    QTest::newRow("path leaves the bundle")
        << "evil.kiln.tar.gz" << plus(TestEntry::file("../evil", "boo")) << QByteArray()
        << QStringList {QStringLiteral("entry ../evil: its path leaves the archive")};
    QTest::newRow("manifest lists a path that leaves")
        << "evillisted.kiln.tar.gz"
        << goodEntries(withFile(QStringLiteral("card.md"), "path", QStringLiteral("../card.md"))) << QByteArray()
        << QStringList {QStringLiteral("the manifest lists '../card.md': its path leaves the archive")};
    QTest::newRow("absolute path") << "absolute.kiln.tar.gz" << plus(TestEntry::file("/tmp/evil", "boo"))
                                   << QByteArray()
                                   << QStringList {QStringLiteral("entry /tmp/evil: its path is absolute")};
    QTest::newRow("symbolic link") << "symlink.kiln.tar.gz" << plus(TestEntry::symlink("model/link", "/etc/passwd"))
                                   << QByteArray()
                                   << QStringList {
                                          QStringLiteral("entry model/link: it is a symbolic link to /etc/passwd")};
    QTest::newRow("hard link") << "hardlink.kiln.tar.gz" << plus(TestEntry::hardLink("model/copy", "card.md"))
                               << QByteArray()
                               << QStringList {QStringLiteral("entry model/copy: it is a hard link to card.md")};
    QTest::newRow("fifo") << "fifo.kiln.tar.gz" << plus(TestEntry::fifo("model/pipe")) << QByteArray()
                          << QStringList {QStringLiteral("entry model/pipe: it is a device, fifo or socket")};
    const QLocale english(QLocale::English);
    QTest::newRow("size mismatch") << "size.kiln.tar.gz"
                                   << goodEntries(withFile(QStringLiteral("card.md"), "size", cardSize + 1))
                                   << QByteArray()
                                   << QStringList {
                                          QStringLiteral("entry card.md: it holds %1 bytes, the manifest lists %2")
                                              .arg(english.toString(cardSize), english.toString(cardSize + 1))};
    QTest::newRow("entry far larger than listed")
        << "bomb.kiln.tar.gz" << replaced(1, TestEntry::repeated(model.toUtf8(), 'x', qint64(64) << 20)) << QByteArray()
        << QStringList {QStringLiteral("entry %1: it holds 67,108,864 bytes, the manifest lists").arg(model)};
    QTest::newRow("listed files add up to more than 1 GiB")
        << "huge.kiln.tar.gz" << goodEntries(withFile(model, "size", qint64(2) << 30)) << QByteArray()
        << QStringList {QStringLiteral("more than 1 GiB")};

    const QByteArray bundleBytes = readFile(m_bundle);
    QTest::newRow("cut in half") << "half.kiln.tar.gz" << Entries() << bundleBytes.left(bundleBytes.size() / 2)
                                 << QStringList {QStringLiteral("the archive is damaged or cut short")};
    QTest::newRow("cut near the end") << "end.kiln.tar.gz" << Entries() << bundleBytes.left(bundleBytes.size() - 20)
                                      << QStringList {QStringLiteral("the archive is damaged or cut short")};
    // A bundle larger than libarchive's first read, so that the cut falls inside an entry.
    const QByteArray bigCard = noise(512 * 1024);
    QJsonObject bigManifest = withFile(QStringLiteral("card.md"), "size", qint64(bigCard.size()));
    QJsonArray bigFiles = bigManifest.value(u"files").toArray();
    QJsonObject cardFile = bigFiles.at(2).toObject();
    cardFile.insert(QLatin1String("sha256"), QString::fromLatin1(Sha256::hexHash(bigCard)));
    bigFiles[2] = cardFile;
    bigManifest.insert(QLatin1String("files"), bigFiles);
    Entries big = goodEntries(bigManifest);
    big[3] = TestEntry::file("card.md", bigCard);
    const QByteArray bigBytes = readFile(write(QStringLiteral("big.kiln.tar.gz"), big));
    QTest::newRow("large bundle cut in half")
        << "bighalf.kiln.tar.gz" << Entries() << bigBytes.left(bigBytes.size() / 2)
        << QStringList {QStringLiteral("entry card.md: the archive is damaged or cut short")};
    QTest::newRow("not gzip-compressed") << "plain.kiln.tar.gz" << Entries()
                                         << readFile(write(QStringLiteral("plain-good.tar"), good, TestFilter::None))
                                         << QStringList {QStringLiteral(
                                                "not a Kiln bundle: the tar archive is not gzip-compressed")};
    // Flipped bytes inside the stream may still inflate, to garbage that a later check refuses
    // for another reason, depending on where they land. An invalid block type (3) in the first
    // deflate block header, right after gzip's 10-byte header, is refused by the inflater itself.
    QByteArray corrupt = bundleBytes;
    QCOMPARE(corrupt.at(3), '\0'); // no optional gzip header fields
    corrupt[10] = char(corrupt.at(10) | 0x06);
    QTest::newRow("corrupt deflate data")
        << "corrupt.kiln.tar.gz" << Entries() << corrupt << QStringList {QStringLiteral("the archive is damaged")};
    QTest::newRow("not an archive") << "notes.kiln.tar.gz" << Entries() << QByteArray("income,age\n1,2\n")
                                    << QStringList {
                                           QStringLiteral("not a Kiln bundle (a gzip-compressed tar archive)")};
    QTest::newRow("empty file") << "empty.kiln.tar.gz" << Entries() << QByteArray()
                                << QStringList {QStringLiteral("the file is empty, not a bundle")};
}

void tst_Bundle::tamperedBundlesAreRefused()
{
    QFETCH(QString, fileName);
    QFETCH(Entries, entries);
    QFETCH(QByteArray, rawBytes);
    QFETCH(QStringList, reasons);

    const QString path = entries.isEmpty() ? writeFile(m_dir.filePath(fileName), rawBytes) : write(fileName, entries);
    QVERIFY(!path.isEmpty());
    const WorkspaceState before = WorkspaceState::of(*m_target);
    QVERIFY(before.versions > 0);
    QVERIFY(!before.blobFiles.isEmpty());

    const Expected<BundleContents> read = readBundle(path);
    QVERIFY(!read);
    const Expected<ModelVersion> imported = importBundle(*m_target, path);
    QVERIFY(!imported);
    const QString &message = imported.errorMessage();
    QCOMPARE(message, read.errorMessage());
    QVERIFY2(message.startsWith(QStringLiteral("bundle %1: ").arg(fileName)), qPrintable(message));
    for (const QString &reason : std::as_const(reasons))
        QVERIFY2(message.contains(reason), qPrintable(message));

    const WorkspaceState after = WorkspaceState::of(*m_target);
    QCOMPARE(after.blobFiles, before.blobFiles);
    QCOMPARE(after.tempFiles, QStringList());
    QCOMPARE(after.models, before.models);
    QCOMPARE(after.versions, before.versions);
    QCOMPARE(after.blobRows, before.blobRows);
}

void tst_Bundle::invalidModelNameIsRefused()
{
    // A bundle whose model the target does not hold yet: nothing of it may stay behind.
    const QString path = m_dir.filePath(QStringLiteral("amounts-v1.kiln.tar.gz"));
    QVERIFY(exportBundle(*m_home, QStringLiteral("amounts@1"), path).ok());
    const WorkspaceState before = WorkspaceState::of(*m_target);
    const Expected<ModelVersion> imported = importBundle(*m_target, path, QStringLiteral("bad/name"));
    QVERIFY(!imported);
    QVERIFY2(imported.errorMessage().startsWith(QStringLiteral("bundle amounts-v1.kiln.tar.gz: ")),
             qPrintable(imported.errorMessage()));
    const WorkspaceState after = WorkspaceState::of(*m_target);
    QCOMPARE(after.blobFiles, before.blobFiles);
    QCOMPARE(after.tempFiles, QStringList());
    QCOMPARE(after.versions, before.versions);
    QCOMPARE(after.blobRows, before.blobRows);
    QVERIFY(!m_target->blobs().contains(m_regressorVersion.modelSha256));
}

void tst_Bundle::exportCancelLeavesNoFile()
{
    QTemporaryDir folder(m_dir.filePath(QStringLiteral("cancel-XXXXXX")));
    const QString path = folder.filePath(QStringLiteral("loans.kiln.tar.gz"));
    Feedback feedback;
    int reports = 0;
    // Cancelled at the first progress report: the model is being written, the file is open.
    feedback.setProgressCallback([&](double) {
        ++reports;
        feedback.cancel();
    });
    const Status exported = exportBundle(*m_home, QStringLiteral("loans@1"), path, &feedback);
    QVERIFY(!exported);
    QVERIFY2(exported.errorMessage().contains(QStringLiteral("cancelled")), qPrintable(exported.errorMessage()));
    QCOMPARE(reports, 1);
    QCOMPARE(filesUnder(folder.path()), QStringList());
}

void tst_Bundle::exportOfUnknownVersionFails()
{
    const QString path = m_dir.filePath(QStringLiteral("nothing.kiln.tar.gz"));
    const Status exported = exportBundle(*m_home, QStringLiteral("loans@9"), path);
    QVERIFY(!exported);
    QVERIFY(!QFileInfo::exists(path));
    const Status noFolder
        = exportBundle(*m_home, QStringLiteral("loans@1"), m_dir.filePath(QStringLiteral("no/such/x")));
    QVERIFY(!noFolder);
    QVERIFY2(noFolder.errorMessage().contains(QStringLiteral("no/such/x")), qPrintable(noFolder.errorMessage()));
}

void tst_Bundle::tasksRunOnTheTaskManager()
{
    TaskManager manager;
    const QString path = m_dir.filePath(QStringLiteral("task-loans.kiln.tar.gz"));
    auto *exportTask = new ExportBundleTask(m_home->root(), QStringLiteral("loans@1"), path);
    QCOMPARE(exportTask->title(), QStringLiteral("Export loans@1"));
    Task::State exportState = Task::State::Queued;
    connect(exportTask, &Task::finished, this, [&] { exportState = exportTask->state(); });
    QSignalSpy exportDone(exportTask, &Task::finished);
    manager.start(exportTask);
    QVERIFY(exportDone.wait(kTaskTimeoutMs));
    QCOMPARE(exportState, Task::State::Succeeded);
    QVERIFY(readFile(path) == readFile(m_bundle));

    const QString targetRoot = m_dir.filePath(QStringLiteral("task-target"));
    QVERIFY(Workspace::open(targetRoot).ok());
    auto *importTask = new ImportBundleTask(targetRoot, path, QStringLiteral("risk"));
    QCOMPARE(importTask->title(), QStringLiteral("Import task-loans.kiln.tar.gz"));
    Task::State importState = Task::State::Queued;
    QString importMessage;
    ModelVersion version;
    connect(importTask, &Task::finished, this, [&] {
        importState = importTask->state();
        importMessage = importTask->message();
        version = importTask->version();
    });
    QSignalSpy importDone(importTask, &Task::finished);
    manager.start(importTask);
    QVERIFY(importDone.wait(kTaskTimeoutMs));
    QVERIFY2(importState == Task::State::Succeeded, qPrintable(importMessage));
    QCOMPARE(version.ref(), QStringLiteral("risk@1"));
    QCOMPARE(version.lineage.origin, QStringLiteral("loans@1"));
    auto target = openWorkspace(targetRoot);
    QCOMPARE(ModelRegistry(*target).version(QStringLiteral("risk@1"))->modelSha256, m_version.modelSha256);

    // A refused bundle fails the task with the reason.
    auto *refused = new ImportBundleTask(targetRoot, m_dir.filePath(QStringLiteral("absent.kiln.tar.gz")));
    QString refusedMessage;
    connect(refused, &Task::finished, this, [&] { refusedMessage = refused->message(); });
    QSignalSpy refusedDone(refused, &Task::finished);
    manager.start(refused);
    QVERIFY(refusedDone.wait(kTaskTimeoutMs));
    QVERIFY2(refusedMessage.startsWith(QStringLiteral("bundle absent.kiln.tar.gz: ")), qPrintable(refusedMessage));
}

void tst_Bundle::cancelledExportTaskLeavesNoFile()
{
    TaskManager manager;
    QTemporaryDir folder(m_dir.filePath(QStringLiteral("task-cancel-XXXXXX")));
    auto *task = new ExportBundleTask(m_home->root(), QStringLiteral("loans@1"),
                                      folder.filePath(QStringLiteral("x.kiln.tar.gz")));
    Task::State state = Task::State::Queued;
    connect(task, &Task::finished, this, [&] { state = task->state(); });
    QSignalSpy done(task, &Task::finished);
    task->cancel();
    manager.start(task);
    QVERIFY(done.wait(kTaskTimeoutMs));
    QCOMPARE(state, Task::State::Cancelled);
    QCOMPARE(filesUnder(folder.path()), QStringList());
}

QTEST_GUILESS_MAIN(tst_Bundle)
#include "tst_bundle.moc"
