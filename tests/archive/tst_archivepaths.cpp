#include "archivename.h"
#include "libarchiveplugin.h"
#include "util/entrypaths.h"

#include <QTest>

using namespace kiln;

/// The pure parts of the archive plugin: probing by name and magic bytes, and the rules for
/// entry paths and link targets. The archives themselves are in tst_archive.
class tst_ArchivePaths final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void probe_data();
    void probe();
    void cleanPaths_data();
    void cleanPaths();
    void linkTargets_data();
    void linkTargets();

private:
    Internal::LibarchivePlugin m_plugin;
};

void tst_ArchivePaths::probe_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("minScore");
    QTest::addColumn<int>("maxScore");

    const QByteArray zip("PK\x03\x04\x14\x00\x00\x00", 8);
    const QByteArray gzip("\x1f\x8b\x08\x00", 4);
    const QByteArray xz("\xfd\x37\x7a\x58\x5a\x00\x00", 7);
    const QByteArray bzip2("BZh91AY&SY");
    const QByteArray zstd("\x28\xb5\x2f\xfd\x04", 5);
    QByteArray ustar(512, '\0');
    ustar.replace(0, 7, "a.csv\0\0");
    ustar.replace(257, 6, QByteArray("ustar\0", 6));
    const QByteArray text("run,step,loss\n1,1,0.5\n");

    QTest::newRow("zip name and bytes") << "runs.zip" << zip << 90 << 100;
    QTest::newRow("zip name only") << "runs.zip" << QByteArray() << 50 << 89;
    QTest::newRow("tar name and bytes") << "runs.tar" << ustar << 90 << 100;
    QTest::newRow("tar.gz, upper case") << "RUNS.TAR.GZ" << gzip << 85 << 100;
    QTest::newRow("tgz") << "runs.tgz" << gzip << 85 << 100;
    QTest::newRow("tar.xz") << "runs.tar.xz" << xz << 85 << 100;
    QTest::newRow("txz") << "runs.txz" << xz << 85 << 100;
    QTest::newRow("tar.bz2") << "runs.tar.bz2" << bzip2 << 85 << 100;
    QTest::newRow("tbz2") << "runs.tbz2" << bzip2 << 85 << 100;
    QTest::newRow("tar.zst") << "runs.tar.zst" << zstd << 85 << 100;
    QTest::newRow("tzst") << "runs.tzst" << zstd << 85 << 100;
    QTest::newRow("csv.gz") << "sales.csv.gz" << gzip << 85 << 100;
    QTest::newRow("jsonl.zst") << "x.jsonl.zst" << zstd << 85 << 100;
    QTest::newRow("csv.gz name only") << "sales.csv.gz" << QByteArray() << 50 << 89;
    QTest::newRow("zip bytes, no name") << "download" << zip << 70 << 89;
    QTest::newRow("tar bytes, other name") << "blob.bin" << ustar << 70 << 89;
    QTest::newRow("gzip bytes, no name") << "download" << gzip << 40 << 79;
    QTest::newRow("gz name, xz bytes") << "odd.gz" << xz << 40 << 79;
    QTest::newRow("xlsx is a zip, less sure") << "report.xlsx" << zip << 1 << 60;
    QTest::newRow("zip name, text bytes") << "data.zip" << text << 1 << 20;
    QTest::newRow("tar name, short head") << "runs.tar" << QByteArray("abc") << 50 << 89;
    QTest::newRow("csv") << "sales.csv" << text << 0 << 0;
    QTest::newRow("csv name only") << "sales.csv" << QByteArray() << 0 << 0;
    QTest::newRow("BZh text is not bzip2") << "notes.txt" << QByteArray("BZhello\n") << 0 << 0;
    QTest::newRow(".gz alone has no name") << ".gz" << QByteArray() << 0 << 0;
}

void tst_ArchivePaths::probe()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, head);
    QFETCH(int, minScore);
    QFETCH(int, maxScore);
    const int score = m_plugin.probe(fileName, head);
    QVERIFY2(score >= minScore && score <= maxScore,
             qPrintable(QStringLiteral("score %1, expected %2..%3").arg(score).arg(minScore).arg(maxScore)));
}

void tst_ArchivePaths::cleanPaths_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("clean"); // empty with a non-empty error: refused
    QTest::addColumn<QString>("error");

    QTest::newRow("plain") << "a.csv"
                           << "a.csv"
                           << "";
    QTest::newRow("dot slash, double slash") << "./data//a.csv"
                                             << "data/a.csv"
                                             << "";
    QTest::newRow("backslashes") << "data\\a.csv"
                                 << "data/a.csv"
                                 << "";
    QTest::newRow("root folder") << "./"
                                 << ""
                                 << "";
    QTest::newRow("dots in a name") << "a..b/...csv"
                                    << "a..b/...csv"
                                    << "";
    QTest::newRow("parent") << "../evil.csv"
                            << ""
                            << "leaves the archive";
    QTest::newRow("parent inside") << "a/../b.csv"
                                   << ""
                                   << "leaves the archive";
    QTest::newRow("parent, backslashes") << "a\\..\\..\\evil.csv"
                                         << ""
                                         << "leaves the archive";
    QTest::newRow("absolute") << "/abs/evil.csv"
                              << ""
                              << "absolute";
    QTest::newRow("drive") << "C:\\evil.csv"
                           << ""
                           << "absolute";
    QTest::newRow("drive relative") << "c:evil.csv"
                                    << ""
                                    << "absolute";
    QTest::newRow("UNC") << "\\\\server\\share\\evil.csv"
                         << ""
                         << "absolute";
}

void tst_ArchivePaths::cleanPaths()
{
    QFETCH(QString, raw);
    QFETCH(QString, clean);
    QFETCH(QString, error);
    const Expected<QString> result = Internal::EntryPaths::clean(raw);
    if (error.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.errorMessage()));
        QCOMPARE(*result, clean);
    } else {
        QVERIFY(!result.ok());
        QVERIFY2(result.errorMessage().contains(error), qPrintable(result.errorMessage()));
    }
}

void tst_ArchivePaths::linkTargets_data()
{
    QTest::addColumn<bool>("hard");
    QTest::addColumn<QString>("link");
    QTest::addColumn<QString>("target");
    QTest::addColumn<bool>("inside");

    QTest::newRow("sibling") << false << "link.csv"
                             << "a.csv" << true;
    QTest::newRow("up one, inside") << false << "d/link.csv"
                                    << "../a.csv" << true;
    QTest::newRow("up two, outside") << false << "d/link.csv"
                                     << "../../a.csv" << false;
    QTest::newRow("down and out") << false << "d/l"
                                  << "x/../../../y" << false;
    QTest::newRow("absolute") << false << "link.csv"
                              << "/etc/passwd" << false;
    QTest::newRow("drive") << false << "link.csv"
                           << "C:\\x" << false;
    QTest::newRow("parent of root") << false << "link.csv"
                                    << "../outside" << false;
    QTest::newRow("empty") << false << "link.csv"
                           << "" << false;
    QTest::newRow("hard, inside") << true << ""
                                  << "data/a.csv" << true;
    QTest::newRow("hard, inside via ..") << true << ""
                                         << "a/../b" << true;
    QTest::newRow("hard, parent") << true << ""
                                  << "../outside" << false;
    QTest::newRow("hard, climbs") << true << ""
                                  << "a/../../x" << false;
    QTest::newRow("hard, absolute") << true << ""
                                    << "/etc/passwd" << false;
}

void tst_ArchivePaths::linkTargets()
{
    QFETCH(bool, hard);
    QFETCH(QString, link);
    QFETCH(QString, target);
    QFETCH(bool, inside);
    QCOMPARE(hard ? Internal::EntryPaths::hardLinkStaysInside(target)
                  : Internal::EntryPaths::symlinkStaysInside(link, target),
             inside);
}

QTEST_GUILESS_MAIN(tst_ArchivePaths)
#include "tst_archivepaths.moc"
