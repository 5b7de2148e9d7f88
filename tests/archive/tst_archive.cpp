#include "libarchiveplugin.h"
#include "recordingsink.h"
#include "testarchivewriter.h"

#include <QFile>
#include <QJsonArray>
#include <QLocale>
#include <QPluginLoader>
#include <QTemporaryDir>
#include <QTest>

Q_IMPORT_PLUGIN(LibarchivePlugin)

using namespace kiln;
using namespace kiln::test;
using Entries = QList<TestEntry>;

Q_DECLARE_METATYPE(kiln::test::TestContainer)
Q_DECLARE_METATYPE(kiln::test::TestFilter)
Q_DECLARE_METATYPE(kiln::test::TestEntry)

namespace {

constexpr qint64 kMiB = 1 << 20;
constexpr qint64 kBombSize = 200 * kMiB;

const QString kLinkInside = QStringLiteral("link inside the archive, not followed");

/// What the damaged() rows do to a good archive before expanding it.
enum class Damage { None, Truncate, Corrupt, CutHeader, CorruptHeader, Missing };

QString describe(const Status &status)
{
    return status.ok() ? QStringLiteral("(success)") : status.errorMessage();
}

/// The columns that name the archive a row writes: what tst_Archive::writeRowArchive() reads.
void addArchiveColumns()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<TestContainer>("container");
    QTest::addColumn<TestFilter>("filter");
}

} // namespace

Q_DECLARE_METATYPE(Damage)

/// The archive plugin on real archives written by libarchive into a temporary folder.
class tst_Archive final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void staticPluginMetadata();
    void formats_data();
    void formats();
    void dotSlashPrefixesAreCleaned();
    void hostile_data();
    void hostile();
    void linksInsideAreSkipped_data();
    void linksInsideAreSkipped();
    void sinkSkips_data();
    void sinkSkips();
    void sinkErrorAborts_data();
    void sinkErrorAborts();
    void bomb_data();
    void bomb();
    void highRatioBelowFloorIsAccepted();
    void limitsComeFromTheCaller();
    void damaged_data();
    void damaged();
    void encryptedZip();

private:
    /// Writes an archive into m_dir; empty on failure (with a warning saying why).
    QString write(const QString &fileName, TestContainer container, TestFilter filter, const Entries &entries);
    /// The same, named and packed as the current data row says (addArchiveColumns()).
    QString writeRowArchive(const Entries &entries);

    QTemporaryDir m_dir;
    Internal::LibarchivePlugin m_plugin;
};

QString tst_Archive::write(const QString &fileName, TestContainer container, TestFilter filter, const Entries &entries)
{
    QString path = m_dir.filePath(fileName);
    QFile::remove(path);
    const QString error = writeTestArchive(path, container, filter, entries);
    if (!error.isEmpty()) {
        qWarning("writing %s: %s", qPrintable(fileName), qPrintable(error));
        return {};
    }
    return path;
}

QString tst_Archive::writeRowArchive(const Entries &entries)
{
    QFETCH(QString, fileName);
    QFETCH(TestContainer, container);
    QFETCH(TestFilter, filter);
    return write(fileName, container, filter, entries);
}

void tst_Archive::staticPluginMetadata()
{
    const QList<QStaticPlugin> plugins = QPluginLoader::staticPlugins();
    const auto found = std::find_if(plugins.begin(), plugins.end(), [](const QStaticPlugin &plugin) {
        return plugin.metaData().value(QLatin1String("IID")).toString() == QLatin1String(KILN_ARCHIVE_PLUGIN_IID);
    });
    QVERIFY(found != plugins.end());
    const QJsonObject metaData = found->metaData().value(QLatin1String("MetaData")).toObject();
    QCOMPARE(metaData.value(QLatin1String("id")).toString(), QStringLiteral("archive"));
    QCOMPARE(metaData.value(QLatin1String("kind")).toString(), QStringLiteral("archive"));
    QCOMPARE(metaData.value(QLatin1String("compatVersion")).toString(), QStringLiteral("1.0"));
    QCOMPARE(metaData.value(QLatin1String("extensions")).toArray().size(), 10);
    auto *plugin = qobject_cast<ArchivePlugin *>(found->instance());
    QVERIFY(plugin);
    QCOMPARE(plugin->formatId(), QStringLiteral("archive"));
}

void tst_Archive::formats_data()
{
    addArchiveColumns();
    QTest::addColumn<QString>("singleName"); // for a single compressed file: its entry's name

    using C = TestContainer;
    using F = TestFilter;
    QTest::newRow("zip") << "runs.zip" << C::Zip << F::None << "";
    QTest::newRow("tar") << "runs.tar" << C::Tar << F::None << "";
    QTest::newRow("tar.gz") << "runs.tar.gz" << C::Tar << F::Gzip << "";
    QTest::newRow("tgz") << "runs.tgz" << C::Tar << F::Gzip << "";
    QTest::newRow("tar.xz") << "runs.tar.xz" << C::Tar << F::Xz << "";
    QTest::newRow("tar.bz2") << "runs.tar.bz2" << C::Tar << F::Bzip2 << "";
    QTest::newRow("tar.zst") << "runs.tar.zst" << C::Tar << F::Zstd << "";
    QTest::newRow("csv.gz") << "sales.csv.gz" << C::Raw << F::Gzip << "sales.csv";
    QTest::newRow("csv.xz") << "sales.csv.xz" << C::Raw << F::Xz << "sales.csv";
    QTest::newRow("csv.bz2") << "sales.csv.bz2" << C::Raw << F::Bzip2 << "sales.csv";
    QTest::newRow("jsonl.zst") << "events.jsonl.zst" << C::Raw << F::Zstd << "events.jsonl";
    QTest::newRow("gz without inner suffix") << "blob.gz" << C::Raw << F::Gzip << "blob";
}

void tst_Archive::formats()
{
    QFETCH(TestContainer, container);
    QFETCH(QString, singleName);

    const QByteArray small("id,name\n1,a\n2,\"b, c\"\n");
    const QByteArray nested("{\"a\":1}\n{\"a\":2}\n");
    const QByteArray big = csvText(3 * kMiB); // many 256 KiB chunks
    Entries entries;
    QList<QPair<QString, QByteArray>> expected;
    if (container == TestContainer::Raw) {
        entries = {TestEntry::file("data", big)};
        expected = {{singleName, big}};
    } else {
        entries = {TestEntry::file("a.csv", small),     TestEntry::folder("nested/"),
                   TestEntry::folder("nested/deeper/"), TestEntry::file("nested/deeper/b.jsonl", nested),
                   TestEntry::file("big/big.csv", big), // no folder entry: archivers may omit them
                   TestEntry::file("empty.csv", {})};
        expected = {{QStringLiteral("a.csv"), small},
                    {QStringLiteral("nested/deeper/b.jsonl"), nested},
                    {QStringLiteral("big/big.csv"), big},
                    {QStringLiteral("empty.csv"), {}}};
    }
    const QString path = writeRowArchive(entries);
    QVERIFY(!path.isEmpty());

    RecordingSink sink;
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY2(status.ok(), qPrintable(describe(status)));
    QCOMPARE(sink.contractErrors, QStringList());
    QCOMPARE(sink.skips.size(), 0);
    QCOMPARE(sink.entries.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const RecordingSink::Entry &entry = sink.entries.at(i);
        QCOMPARE(entry.path, expected.at(i).first);
        QVERIFY2(entry.data == expected.at(i).second,
                 qPrintable(QStringLiteral("%1: %2 bytes, expected %3")
                                .arg(entry.path)
                                .arg(entry.data.size())
                                .arg(expected.at(i).second.size())));
        QVERIFY(entry.ended);
        // Tar and zip headers carry the size; a compressed stream does not know it.
        if (container != TestContainer::Raw)
            QCOMPARE(entry.declaredSize, qint64(expected.at(i).second.size()));
        if (expected.at(i).second.size() == big.size())
            QVERIFY2(entry.chunks >= 4, qPrintable(QString::number(entry.chunks)));
    }
    QVERIFY(sink.largestChunk <= kMiB);
}

void tst_Archive::dotSlashPrefixesAreCleaned()
{
    // What `tar -C folder .` writes: a "./" root entry and "./" before every name.
    const QString path
        = write(QStringLiteral("dots.tar"), TestContainer::Tar, TestFilter::None,
                {TestEntry::folder("./"), TestEntry::folder("./data/"), TestEntry::file("./data/a.csv", "x\n1\n")});
    QVERIFY(!path.isEmpty());
    RecordingSink sink;
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY2(status.ok(), qPrintable(describe(status)));
    QCOMPARE(sink.beganPaths, QStringList {QStringLiteral("data/a.csv")});
    QCOMPARE(sink.entries.first().data, QByteArray("x\n1\n"));
}

void tst_Archive::hostile_data()
{
    addArchiveColumns();
    QTest::addColumn<TestEntry>("entry");
    QTest::addColumn<QString>("expected");

    using C = TestContainer;
    using F = TestFilter;
    using E = TestEntry;
    const QByteArray data("a\n1\n");
    QTest::newRow("parent, tar") << "evil.tar" << C::Tar << F::None << E::file("../evil.csv", data)
                                 << "entry ../evil.csv: its path leaves the archive";
    QTest::newRow("parents, zip") << "evil.zip" << C::Zip << F::None << E::file("../../evil.csv", data)
                                  << "entry ../../evil.csv: its path leaves the archive";
    QTest::newRow("absolute, tar") << "evil.tar" << C::Tar << F::None << E::file("/abs/evil.csv", data)
                                   << "entry /abs/evil.csv: its path is absolute";
    QTest::newRow("absolute, zip") << "evil.zip" << C::Zip << F::None << E::file("/abs/evil.csv", data)
                                   << "entry /abs/evil.csv: its path is absolute";
    QTest::newRow("climbs from inside, tar.gz")
        << "evil.tar.gz" << C::Tar << F::Gzip << E::file("a/../../evil.csv", data)
        << "entry a/../../evil.csv: its path leaves the archive";
    QTest::newRow("backslash parents, tar") << "evil.tar" << C::Tar << F::None << E::file("a\\..\\..\\evil.csv", data)
                                            << "entry a\\..\\..\\evil.csv: its path leaves the archive";
    QTest::newRow("drive letter, tar") << "evil.tar" << C::Tar << F::None << E::file("C:\\evil.csv", data)
                                       << "entry C:\\evil.csv: its path is absolute";
    QTest::newRow("UNC, zip")
        << "evil.zip" << C::Zip << F::None << E::file("\\\\host\\share\\evil.csv", data)
        << "entry //host/share/evil.csv: its path is absolute"; // libarchive turns zip's \\ into /
    QTest::newRow("drive letter, zip") << "evil.zip" << C::Zip << F::None << E::file("C:\\evil.csv", data)
                                       << "entry C:/evil.csv: its path is absolute";
    QTest::newRow("parent folder, tar") << "evil.tar" << C::Tar << F::None << E::folder("../up/")
                                        << "entry ../up/: its path leaves the archive";
    QTest::newRow("symlink absolute, tar") << "evil.tar" << C::Tar << F::None << E::symlink("link.csv", "/etc/passwd")
                                           << "entry link.csv: symbolic link to /etc/passwd leaves the archive";
    QTest::newRow("symlink absolute, zip") << "evil.zip" << C::Zip << F::None << E::symlink("link.csv", "/etc/passwd")
                                           << "entry link.csv: symbolic link to /etc/passwd leaves the archive";
    QTest::newRow("symlink parent, tar.xz") << "evil.tar.xz" << C::Tar << F::Xz << E::symlink("link.csv", "../outside")
                                            << "entry link.csv: symbolic link to ../outside leaves the archive";
    QTest::newRow("symlink climbs, zip")
        << "evil.zip" << C::Zip << F::None << E::symlink("data/link.csv", "../../outside.csv")
        << "entry data/link.csv: symbolic link to ../../outside.csv leaves the archive";
    QTest::newRow("hardlink parent, tar") << "evil.tar" << C::Tar << F::None << E::hardLink("hard.csv", "../outside")
                                          << "entry hard.csv: hard link to ../outside leaves the archive";
    QTest::newRow("hardlink absolute, tar.gz")
        << "evil.tar.gz" << C::Tar << F::Gzip << E::hardLink("hard.csv", "/etc/passwd")
        << "entry hard.csv: hard link to /etc/passwd leaves the archive";
}

void tst_Archive::hostile()
{
    QFETCH(TestEntry, entry);
    QFETCH(QString, expected);

    // A good entry first: refusal must come even after data has started to flow.
    const QString path = writeRowArchive({TestEntry::file("good.csv", "a\n1\n"), entry});
    QVERIFY(!path.isEmpty());
    RecordingSink sink;
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY(!status.ok());
    QCOMPARE(status.errorMessage(), expected);
    QCOMPARE(sink.contractErrors, QStringList());
    QVERIFY(!sink.beganPaths.contains(QString::fromUtf8(entry.path)));
}

void tst_Archive::linksInsideAreSkipped_data()
{
    addArchiveColumns();
    QTest::addColumn<bool>("withHardLinkAndFifo");

    QTest::newRow("tar") << "links.tar" << TestContainer::Tar << TestFilter::None << true;
    QTest::newRow("tar.zst") << "links.tar.zst" << TestContainer::Tar << TestFilter::Zstd << true;
    QTest::newRow("zip") << "links.zip" << TestContainer::Zip << TestFilter::None << false; // zip has neither
}

void tst_Archive::linksInsideAreSkipped()
{
    QFETCH(bool, withHardLinkAndFifo);

    Entries entries = {TestEntry::folder("data/"), TestEntry::file("data/a.csv", "x\n1\n"),
                       TestEntry::symlink("data/link.csv", "a.csv"), TestEntry::symlink("data/sub/up.csv", "../a.csv"),
                       TestEntry::symlink("dot.csv", "./data/a.csv")};
    QStringList expectedSkips
        = {QStringLiteral("data/link.csv: ") + kLinkInside, QStringLiteral("data/sub/up.csv: ") + kLinkInside,
           QStringLiteral("dot.csv: ") + kLinkInside};
    if (withHardLinkAndFifo) {
        entries << TestEntry::hardLink("hard.csv", "data/a.csv") << TestEntry::fifo("pipe");
        expectedSkips << QStringLiteral("hard.csv: ") + kLinkInside << QStringLiteral("pipe: not a regular file");
    }
    entries << TestEntry::file("z.csv", "z\n2\n");
    const QString path = writeRowArchive(entries);
    QVERIFY(!path.isEmpty());

    RecordingSink sink;
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY2(status.ok(), qPrintable(describe(status)));
    QCOMPARE(sink.contractErrors, QStringList());
    QCOMPARE(sink.beganPaths, (QStringList {QStringLiteral("data/a.csv"), QStringLiteral("z.csv")}));
    QStringList skips;
    for (const RecordingSink::Skip &skip : std::as_const(sink.skips))
        skips << skip.path + QStringLiteral(": ") + skip.reason;
    QCOMPARE(skips, expectedSkips);
    QCOMPARE(sink.entries.last().data, QByteArray("z\n2\n"));
}

void tst_Archive::sinkSkips_data()
{
    addArchiveColumns();
    QTest::newRow("zip") << "skip.zip" << TestContainer::Zip << TestFilter::None;
    QTest::newRow("tar") << "skip.tar" << TestContainer::Tar << TestFilter::None;
    QTest::newRow("tar.gz") << "skip.tar.gz" << TestContainer::Tar << TestFilter::Gzip;
}

void tst_Archive::sinkSkips()
{
    const QByteArray a = csvText(1000, 1), b = csvText(2 * kMiB, 2), c = csvText(5000, 3);
    const QString path
        = writeRowArchive({TestEntry::file("a.csv", a), TestEntry::file("README.bin", b), TestEntry::file("c.csv", c)});
    QVERIFY(!path.isEmpty());
    RecordingSink sink;
    sink.skipPaths = {QStringLiteral("README.bin")};
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY2(status.ok(), qPrintable(describe(status)));
    QCOMPARE(sink.contractErrors, QStringList());
    QCOMPARE(sink.beganPaths,
             (QStringList {QStringLiteral("a.csv"), QStringLiteral("README.bin"), QStringLiteral("c.csv")}));
    QCOMPARE(sink.entries.size(), 2);
    QVERIFY(sink.entries.at(0).data == a);
    QVERIFY(sink.entries.at(1).data == c); // the skip left the stream at the right place
}

void tst_Archive::sinkErrorAborts_data()
{
    sinkSkips_data();
}

void tst_Archive::sinkErrorAborts()
{
    const QString path
        = writeRowArchive({TestEntry::file("a.csv", csvText(1000)), TestEntry::file("b.csv", csvText(2 * kMiB)),
                           TestEntry::file("c.csv", csvText(1000))});
    QVERIFY(!path.isEmpty());
    RecordingSink sink;
    sink.failPath = QStringLiteral("b.csv");
    sink.failMessage = QStringLiteral("disk full while storing b.csv");
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY(!status.ok());
    QCOMPARE(status.errorMessage(), sink.failMessage); // as is, not rephrased
    QCOMPARE(sink.beganPaths, (QStringList {QStringLiteral("a.csv"), QStringLiteral("b.csv")}));
    QCOMPARE(sink.entries.last().chunks, 1); // nothing more was pushed after the error
    QVERIFY(!sink.entries.last().ended);
}

void tst_Archive::bomb_data()
{
    addArchiveColumns();
    QTest::addColumn<Entries>("entries");
    QTest::addColumn<QString>("skip");
    QTest::addColumn<QString>("expectedEntry");

    using C = TestContainer;
    using F = TestFilter;
    const Entries zeros = {TestEntry::file("a.csv", "x\n1\n"), TestEntry::repeated("zeros.csv", '0', kBombSize)};
    Entries parts;
    for (int i = 0; i < 300; ++i)
        parts << TestEntry::repeated(QByteArray("part-") + QByteArray::number(i) + ".csv", '7', kMiB);

    QTest::newRow("tar.gz") << "bomb.tar.gz" << C::Tar << F::Gzip << zeros << ""
                            << "entry zeros.csv: ";
    QTest::newRow("zip") << "bomb.zip" << C::Zip << F::None << zeros << ""
                         << "entry zeros.csv: ";
    QTest::newRow("csv.zst") << "zeros.csv.zst" << C::Raw << F::Zstd
                             << Entries {TestEntry::repeated("data", '0', kBombSize)} << ""
                             << "entry zeros.csv: ";
    QTest::newRow("many small entries") << "parts.tar.gz" << C::Tar << F::Gzip << parts << ""
                                        << "entry part-";
    QTest::newRow("entry the sink skips") << "skipped.tar.gz" << C::Tar << F::Gzip << zeros << "zeros.csv"
                                          << "entry zeros.csv: ";
}

void tst_Archive::bomb()
{
    QFETCH(Entries, entries);
    QFETCH(QString, skip);
    QFETCH(QString, expectedEntry);

    const QString path = writeRowArchive(entries);
    QVERIFY(!path.isEmpty());
    const qint64 archiveSize = QFileInfo(path).size();
    QVERIFY2(archiveSize * 100 < kBombSize / 2, qPrintable(QString::number(archiveSize))); // a real bomb

    RecordingSink sink;
    sink.keepData = false;
    if (!skip.isEmpty())
        sink.skipPaths = {skip};
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY(!status.ok());
    const QString &message = status.errorMessage();
    QVERIFY2(message.startsWith(expectedEntry), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("expands to more than 100× its size")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("from %1)").arg(QLocale(QLocale::English).toString(archiveSize))),
             qPrintable(message));
    QVERIFY2(message.endsWith(QStringLiteral("refused as a possible zip bomb")), qPrintable(message));
    // Stopped at the limit, long before the 200 MB: the sink never saw more than the rule allows.
    const qint64 allowed = std::max<qint64>(ArchiveLimits().ratioFloorBytes, 100 * archiveSize);
    QVERIFY2(sink.totalBytes <= allowed,
             qPrintable(QStringLiteral("%1 bytes from %2").arg(sink.totalBytes).arg(archiveSize)));
    QVERIFY(sink.totalBytes < kBombSize / 4);
    QCOMPARE(sink.contractErrors, QStringList());
}

void tst_Archive::highRatioBelowFloorIsAccepted()
{
    // 900 KB of one byte packs into about 1 KB: a ratio near 900, but under the 1 MiB floor.
    const QString path = write(QStringLiteral("small.tar.gz"), TestContainer::Tar, TestFilter::Gzip,
                               {TestEntry::repeated("ones.csv", '1', 900 * 1000)});
    QVERIFY(!path.isEmpty());
    QVERIFY(QFileInfo(path).size() * 100 < 900 * 1000);
    RecordingSink sink;
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY2(status.ok(), qPrintable(describe(status)));
    QCOMPARE(sink.totalBytes, qint64(900 * 1000));
}

void tst_Archive::limitsComeFromTheCaller()
{
    const QString path = write(QStringLiteral("text.tar.gz"), TestContainer::Tar, TestFilter::Gzip,
                               {TestEntry::file("runs.csv", csvText(3 * kMiB))});
    QVERIFY(!path.isEmpty());
    RecordingSink relaxed;
    QVERIFY(m_plugin.expand(path, relaxed, {}).ok());

    ArchiveLimits strict;
    strict.maxExpansionRatio = 1.5;
    strict.ratioFloorBytes = 0;
    RecordingSink sink;
    const Status status = m_plugin.expand(path, sink, strict);
    QVERIFY(!status.ok());
    QVERIFY2(status.errorMessage().startsWith(
                 QStringLiteral("entry runs.csv: the archive expands to more than 1.5× its size")),
             qPrintable(status.errorMessage()));
}

void tst_Archive::damaged_data()
{
    addArchiveColumns();
    QTest::addColumn<Damage>("damage");
    QTest::addColumn<QByteArray>("bytes"); // when not empty: the file's whole content instead
    QTest::addColumn<QString>("expected");

    using C = TestContainer;
    using F = TestFilter;
    const QByteArray none;
    QTest::newRow("truncated tar.gz") << "broken.tar.gz" << C::Tar << F::Gzip << Damage::Truncate << none
                                      << "entry big.csv: ";
    QTest::newRow("truncated tar") << "broken.tar" << C::Tar << F::None << Damage::Truncate << none
                                   << "entry big.csv: ";
    QTest::newRow("truncated tar.xz") << "broken.tar.xz" << C::Tar << F::Xz << Damage::Truncate << none
                                      << "entry big.csv: ";
    QTest::newRow("truncated zip") << "broken.zip" << C::Zip << F::None << Damage::Truncate << none
                                   << "entry big.csv: ";
    QTest::newRow("corrupt zip") << "broken.zip" << C::Zip << F::None << Damage::Corrupt << none << "entry big.csv: ";
    QTest::newRow("corrupt tar.gz") << "broken.tar.gz" << C::Tar << F::Gzip << Damage::Corrupt << none
                                    << "entry big.csv: ";
    QTest::newRow("truncated csv.gz") << "broken.csv.gz" << C::Raw << F::Gzip << Damage::Truncate << none
                                      << "entry broken.csv: ";
    QTest::newRow("random bytes") << "noise.bin" << C::Tar << F::None << Damage::None << noise(64 * 1024)
                                  << "not an archive Kiln can read";
    QTest::newRow("random bytes named tar.gz")
        << "noise.tar.gz" << C::Tar << F::None << Damage::None << noise(64 * 1024)
        << "not a readable .tar.gz file: it is damaged, or not what its name says";
    QTest::newRow("damaged tar header") << "broken.tar" << C::Tar << F::None << Damage::CorruptHeader << none
                                        << "not a readable .tar file: it is damaged, or not what its name says";
    QTest::newRow("gzip header cut short")
        << "broken.tar.gz" << C::Tar << F::Gzip << Damage::CutHeader << none << "the archive is damaged: ";
    QTest::newRow("a csv file") << "sales.csv" << C::Tar << F::None << Damage::None << csvText(4000)
                                << "not an archive Kiln can read";
    QTest::newRow("gzip of text named tar.gz")
        << "misnamed.tar.gz" << C::Raw << F::Gzip << Damage::None << none << "the compressed data is not a tar archive";
    QTest::newRow("empty file") << "empty.zip" << C::Zip << F::None << Damage::None << QByteArray("")
                                << "the file is empty";
    QTest::newRow("missing file") << "missing.zip" << C::Zip << F::None << Damage::Missing << none
                                  << "cannot read the file";
}

void tst_Archive::damaged()
{
    QFETCH(QString, fileName);
    QFETCH(TestContainer, container);
    QFETCH(Damage, damage);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);

    QString path = m_dir.filePath(fileName);
    QFile::remove(path);
    if (!bytes.isNull()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    } else if (damage != Damage::Missing) {
        // Incompressible, so the damage lands inside big.csv's data and not in padding.
        Entries entries = {TestEntry::file("a.csv", "x\n1\n"), TestEntry::file("big.csv", noise(2 * kMiB))};
        if (container == TestContainer::Raw)
            entries = {TestEntry::file("data", damage == Damage::None ? csvText(4000) : noise(2 * kMiB))};
        path = writeRowArchive(entries);
        QVERIFY(!path.isEmpty());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        const qint64 size = file.size();
        if (damage == Damage::Truncate) {
            QVERIFY(file.resize(size / 2));
        } else if (damage == Damage::Corrupt) {
            file.seek(size / 2);
            file.write(noise(4096, 99));
        } else if (damage == Damage::CutHeader) {
            QVERIFY(file.resize(30));
        } else if (damage == Damage::CorruptHeader) {
            file.seek(100); // inside the first tar header: its checksum no longer matches
            file.write("garbage!");
        }
    }

    RecordingSink sink;
    sink.keepData = false;
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY(!status.ok());
    const QString &message = status.errorMessage();
    QVERIFY2(message.startsWith(expected), qPrintable(message));
    if (expected.endsWith(QStringLiteral(": "))) // libarchive's reason follows
        QVERIFY2(message.size() > expected.size() + 5, qPrintable(message));
    // The caller prefixes the archive's name; it must not appear twice.
    QVERIFY2(!message.contains(fileName), qPrintable(message));
    QCOMPARE(sink.contractErrors, QStringList());
}

void tst_Archive::encryptedZip()
{
    const QString path = m_dir.filePath(QStringLiteral("secret.zip"));
    const QString error
        = writeTestArchive(path, TestContainer::Zip, TestFilter::None, {TestEntry::file("secret.csv", csvText(1000))},
                           "zip:encryption=zipcrypt", "hunter2");
    QVERIFY2(error.isEmpty(), qPrintable(error));
    RecordingSink sink;
    const Status status = m_plugin.expand(path, sink, {});
    QVERIFY(!status.ok());
    QCOMPARE(status.errorMessage(),
             QStringLiteral("entry secret.csv: it is encrypted, and Kiln does not read encrypted archives"));
    QVERIFY(sink.beganPaths.isEmpty());
}

QTEST_GUILESS_MAIN(tst_Archive)
#include "tst_archive.moc"
