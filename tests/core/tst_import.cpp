#include "builtinplugins.h"
#include "data/datasetcatalog.h"
#include "data/datasetimport.h"
#include "data/datasettable.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QDirIterator>
#include <QProcess>
#include <QtTest>

using namespace kiln;

namespace {

int countFiles(const QString &dir)
{
    int n = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    return n;
}

/// Runs Debian's python3 to craft archives the way an attacker (or an odd tool) would.
void python(const QString &script, const QString &workDir)
{
    QProcess p;
    p.setWorkingDirectory(workDir);
    p.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script});
    QVERIFY2(p.waitForFinished(60000), "python3 did not finish");
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
}

void run(const QString &program, const QStringList &args, const QString &workDir)
{
    QProcess p;
    p.setWorkingDirectory(workDir);
    p.start(program, args);
    QVERIFY2(p.waitForFinished(60000), qPrintable(program));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
}

} // namespace

class tst_Import final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void csvBecomesABrowsableDataset();
    void formats_data();
    void formats();
    void archiveEntriesBecomeDatasets();
    void folderImportWalksAndSkips();
    void identicalContentIsRecognised();
    void changedContentIsTheNextVersion();
    void nameOverride();
    void nestedArchiveTwoDeepIsRead();
    void badInput_data();
    void badInput();
    void brokenEntryFailsTheWholeArchive();
    void cancelledImportLeavesNothing();

private:
    ImportReport import(const QStringList &paths, const QString &name = {});
    void expectNothingStored();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_root; ///< the workspace folder, or the team store's blob folder
    QString m_location; ///< what Workspace::open() takes
    QString m_in;
};

void tst_Import::initTestCase()
{
    linkBuiltinPlugins();
}

void tst_Import::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_root = m_dir->filePath(QStringLiteral("ws"));
    m_in = m_dir->filePath(QStringLiteral("in"));
    QDir().mkpath(m_in);
    m_location = test::storeLocation(m_root);
    auto ws = Workspace::open(m_location);
    QVERIFY2(ws.ok(), qPrintable(ws.ok() ? QString() : ws.errorMessage()));
}

void tst_Import::cleanup()
{
    // Nothing is ever written outside the workspace: the input folder holds only what the
    // test put there, and no staging file outlives an import.
    QCOMPARE(countFiles(m_root + QStringLiteral("/tmp")), 0);
    m_dir.reset();
}

ImportReport tst_Import::import(const QStringList &paths, const QString &name)
{
    ImportRequest request;
    request.workspaceRoot = m_location;
    request.paths = paths;
    request.name = name;
    Feedback feedback;
    return importPaths(request, feedback);
}

void tst_Import::expectNothingStored()
{
    auto ws = Workspace::open(m_location, Workspace::OpenMode::OpenExisting);
    QVERIFY(ws.ok());
    auto datasets = DatasetCatalog((*ws)->db()).datasets();
    QVERIFY(datasets.ok());
    QCOMPARE(datasets->size(), 0);
    QCOMPARE(countFiles(m_root + QStringLiteral("/blobs")), 0);
    QCOMPARE(countFiles(m_root + QStringLiteral("/tmp")), 0);
}

void tst_Import::csvBecomesABrowsableDataset()
{
    const QString path = test::writeFile(m_in + QStringLiteral("/sales.csv"),
                                         "region,units,price,when,promo\n"
                                         "north,10,2.5,2024-01-01,true\n"
                                         "\"south, east\",NA,3.25,2024-01-02,false\n"
                                         "west,7,,2024-01-03,true\n");
    const ImportReport report = import({path});
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.failed.value(0).message));
    QCOMPARE(report.imported.size(), 1);
    QCOMPARE(report.imported.first().name, QStringLiteral("sales"));
    QCOMPARE(report.imported.first().rows, 3);
    QCOMPARE(report.imported.first().columns, 5);

    auto ws = Workspace::open(m_location);
    auto version = DatasetCatalog((*ws)->db()).version(QStringLiteral("sales"));
    QVERIFY(version.ok());
    QCOMPARE(version->version, 1);
    QCOMPARE(version->sourcePath, path);
    QCOMPARE(version->sourceSize, QFileInfo(path).size());
    QCOMPARE(version->blobSha256.size(), 64);
    QCOMPARE(test::readFile((*ws)->blobs().pathFor(version->blobSha256)), test::readFile(path));
    QCOMPARE(version->columns.size(), 5);
    QCOMPARE(version->columns.at(0).type, ColumnType::Text);
    QCOMPARE(version->columns.at(1).type, ColumnType::Integer);
    QCOMPARE(version->columns.at(1).missing, 1);
    QCOMPARE(*version->columns.at(1).mean, 8.5);
    QCOMPARE(version->columns.at(2).type, ColumnType::Float);
    QCOMPARE(version->columns.at(2).missing, 1);
    QCOMPARE(version->columns.at(3).type, ColumnType::DateTime);
    QCOMPARE(version->columns.at(4).type, ColumnType::Boolean);

    auto table = DatasetTable::open((*ws)->blobs(), *version);
    QVERIFY(table.ok());
    QCOMPARE((*table)->rowCount(), 3);
    QCOMPARE((*table)->row(1),
             (QStringList {QStringLiteral("south, east"), QStringLiteral("NA"), QStringLiteral("3.25"),
                           QStringLiteral("2024-01-02"), QStringLiteral("false")}));
    QCOMPARE((*table)->row(2).at(0), QStringLiteral("west"));
}

void tst_Import::formats_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("firstRow");
    QTest::newRow("tsv") << QStringLiteral("t.tsv") << QByteArray("a\tb\n1\tx y\n2\tz\n")
                         << QStringList {QStringLiteral("1"), QStringLiteral("x y")};
    QTest::newRow("semicolon") << QStringLiteral("s.csv") << QByteArray("a;b\n1,5;q\n2,5;r\n")
                               << QStringList {QStringLiteral("1,5"), QStringLiteral("q")};
    QTest::newRow("bom") << QStringLiteral("b.csv") << QByteArray("\xEF\xBB\xBFname,n\nZoë,1\nÅsa,2\n")
                         << QStringList {QStringLiteral("Zoë"), QStringLiteral("1")};
    QTest::newRow("latin-1") << QStringLiteral("l.csv") << QByteArray("name,n\nZo\xEB,1\nJos\xE9,2\n")
                             << QStringList {QStringLiteral("Zoë"), QStringLiteral("1")};
    QTest::newRow("quoted newline") << QStringLiteral("q.csv")
                                    << QByteArray("a,b\n\"line one\nline two\",\"say \"\"hi\"\"\"\n3,4\n")
                                    << QStringList {QStringLiteral("line one\nline two"), QStringLiteral("say \"hi\"")};
    QTest::newRow("jsonl") << QStringLiteral("j.jsonl")
                           << QByteArray("{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"b\": null}\n")
                           << QStringList {QStringLiteral("1"), QStringLiteral("x")};
}

void tst_Import::formats()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(QStringList, firstRow);
    const ImportReport report = import({test::writeFile(m_in + QLatin1Char('/') + file, content)});
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.failed.value(0).message));
    QCOMPARE(report.imported.size(), 1);
    QCOMPARE(report.imported.first().rows, 2);
    auto ws = Workspace::open(m_location);
    auto version = DatasetCatalog((*ws)->db()).version(report.imported.first().name);
    QVERIFY(version.ok());
    auto table = DatasetTable::open((*ws)->blobs(), *version);
    QVERIFY(table.ok());
    QCOMPARE((*table)->row(0), firstRow);
}

void tst_Import::archiveEntriesBecomeDatasets()
{
    test::writeFile(m_in + QStringLiteral("/pack/train.csv"), "x,y\n1,a\n2,b\n3,c\n");
    test::writeFile(m_in + QStringLiteral("/pack/sub/events.jsonl"), "{\"k\": 1}\n{\"k\": 2}\n");
    test::writeFile(m_in + QStringLiteral("/pack/README.md"), "# not data\n");
    run(QStringLiteral("tar"),
        {QStringLiteral("czf"), QStringLiteral("pack.tar.gz"), QStringLiteral("-C"), QStringLiteral("pack"),
         QStringLiteral(".")},
        m_in);
    python(QStringLiteral("import zipfile\nwith zipfile.ZipFile('pack.zip','w',zipfile.ZIP_DEFLATED) as z:\n"
                          " z.write('pack/train.csv','train.csv')\n z.write('pack/README.md','README.md')\n"),
           m_in);
    for (const QString &archive : {QStringLiteral("pack.tar.gz"), QStringLiteral("pack.zip")}) {
        const ImportReport report = import({m_in + QLatin1Char('/') + archive});
        QVERIFY2(report.failed.isEmpty(), qPrintable(report.failed.value(0).message));
        QVERIFY(!report.imported.isEmpty());
        const auto train = std::find_if(report.imported.begin(), report.imported.end(),
                                        [](const ImportedDataset &d) { return d.name == QLatin1String("train"); });
        QVERIFY(train != report.imported.end());
        QCOMPARE(train->rows, 3);
        QVERIFY2(train->source.contains(archive + QStringLiteral("!/")), qPrintable(train->source));
        QVERIFY2(report.skipped.join(QLatin1Char('\n')).contains(QStringLiteral("README.md")),
                 qPrintable(report.skipped.join(QLatin1Char('\n'))));
    }
    auto ws = Workspace::open(m_location);
    auto events = DatasetCatalog((*ws)->db()).version(QStringLiteral("events"));
    QVERIFY2(events.ok(), qPrintable(events.ok() ? QString() : events.errorMessage()));
    QCOMPARE(events->rowCount, 2);
    // The same train.csv bytes arrived in both archives: one version, one blob.
    QCOMPARE(DatasetCatalog((*ws)->db()).versions(QStringLiteral("train"))->size(), 1);
}

void tst_Import::folderImportWalksAndSkips()
{
    test::writeFile(m_in + QStringLiteral("/data/a.csv"), "p,q\n1,2\n");
    test::writeFile(m_in + QStringLiteral("/data/deeper/b.tsv"), "p\tq\n1\t2\n3\t4\n");
    test::writeFile(m_in + QStringLiteral("/data/logo.png"), QByteArray("\x89PNG\r\n\x1a\n\0\0\0", 11));
    const ImportReport report = import({m_in + QStringLiteral("/data")});
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.failed.value(0).message));
    QCOMPARE(report.imported.size(), 2);
    QCOMPARE(report.skipped.size(), 1);
    QVERIFY(report.skipped.first().contains(QStringLiteral("logo.png")));
}

void tst_Import::identicalContentIsRecognised()
{
    const QString path = test::writeFile(m_in + QStringLiteral("/iris.csv"), "a,b\n1,2\n3,4\n");
    QCOMPARE(import({path}).imported.first().version, 1);
    const int blobs = countFiles(m_root + QStringLiteral("/blobs"));
    const QString copy = test::writeFile(m_in + QStringLiteral("/elsewhere/iris.csv"), "a,b\n1,2\n3,4\n");
    const ImportReport again = import({copy});
    QCOMPARE(again.imported.size(), 1);
    QVERIFY(again.imported.first().unchanged);
    QCOMPARE(again.imported.first().version, 1);
    QCOMPARE(countFiles(m_root + QStringLiteral("/blobs")), blobs); // no second copy
    // The same bytes under another name are another dataset, but still one stored copy.
    const ImportReport renamed = import({copy}, QStringLiteral("flowers"));
    QCOMPARE(renamed.imported.first().name, QStringLiteral("flowers"));
    QVERIFY(!renamed.imported.first().unchanged);
    QCOMPARE(countFiles(m_root + QStringLiteral("/blobs")), blobs);
}

void tst_Import::changedContentIsTheNextVersion()
{
    const QString path = test::writeFile(m_in + QStringLiteral("/iris.csv"), "a,b\n1,2\n3,4\n");
    import({path});
    test::writeFile(path, "a,b\n1,2\n3,4\n5,6\n");
    const ImportReport second = import({path});
    QCOMPARE(second.imported.first().version, 2);
    QCOMPARE(second.imported.first().rows, 3);
    auto ws = Workspace::open(m_location);
    auto versions = DatasetCatalog((*ws)->db()).versions(QStringLiteral("iris"));
    QCOMPARE(versions->size(), 2);
    QCOMPARE(versions->at(0).version, 2);
    QVERIFY(versions->at(0).blobSha256 != versions->at(1).blobSha256);
    // Version 1 is intact and still browsable.
    auto v1 = DatasetCatalog((*ws)->db()).versionByRef(QStringLiteral("iris@1"));
    QVERIFY(v1.ok());
    auto table = DatasetTable::open((*ws)->blobs(), *v1);
    QVERIFY(table.ok());
    QCOMPARE((*table)->rowCount(), 2);
    QCOMPARE((*table)->row(1), (QStringList {QStringLiteral("3"), QStringLiteral("4")}));
}

void tst_Import::nameOverride()
{
    const ImportReport report
        = import({test::writeFile(m_in + QStringLiteral("/x.csv"), "a\n1\n")}, QStringLiteral("my data"));
    QCOMPARE(report.imported.first().name, QStringLiteral("my data"));
}

void tst_Import::nestedArchiveTwoDeepIsRead()
{
    test::writeFile(m_in + QStringLiteral("/inner/deep.csv"), "a,b\n1,2\n");
    run(QStringLiteral("tar"),
        {QStringLiteral("cf"), QStringLiteral("inner.tar"), QStringLiteral("-C"), QStringLiteral("inner"),
         QStringLiteral("deep.csv")},
        m_in);
    run(QStringLiteral("tar"), {QStringLiteral("czf"), QStringLiteral("outer.tar.gz"), QStringLiteral("inner.tar")},
        m_in);
    const ImportReport report = import({m_in + QStringLiteral("/outer.tar.gz")});
    QVERIFY2(report.failed.isEmpty(), qPrintable(report.failed.value(0).message));
    QCOMPARE(report.imported.size(), 1);
    QCOMPARE(report.imported.first().name, QStringLiteral("deep"));
    QVERIFY(report.imported.first().source.endsWith(QStringLiteral("outer.tar.gz!/inner.tar!/deep.csv")));
}

void tst_Import::badInput_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("script"); // python3 that writes `file` into the input folder
    QTest::addColumn<QStringList>("expected"); // substrings of the error

    const auto writes = [](const QString &name, const QByteArray &pythonBytes) {
        return QStringLiteral("open('%1','wb').write(%2)").arg(name, QString::fromLatin1(pythonBytes));
    };
    QTest::newRow("ragged row") << QStringLiteral("ragged.csv")
                                << writes(QStringLiteral("ragged.csv"), "b'a,b,c\\n1,2,3\\n4,5\\n'")
                                << QStringList {QStringLiteral("ragged.csv"), QStringLiteral("line 3"),
                                                QStringLiteral("2 fields, expected 3")};
    QTest::newRow("unbalanced quote") << QStringLiteral("quote.csv")
                                      << writes(QStringLiteral("quote.csv"), "b'a,b\\n1,\"open\\n2,3\\n'")
                                      << QStringList {QStringLiteral("quote.csv"), QStringLiteral("line 2"),
                                                      QStringLiteral("never closed")};
    QTest::newRow("invalid utf-8") << QStringLiteral(
        "utf.csv") << writes(QStringLiteral("utf.csv"), "'a,b\\nZo\\u00eb,1\\n'.encode() + b'x\\xff\\xfe,2\\n'")
                                   << QStringList {QStringLiteral("utf.csv"), QStringLiteral("line 3"),
                                                   QStringLiteral("UTF-8")};
    QTest::newRow("empty file") << QStringLiteral("empty.csv") << writes(QStringLiteral("empty.csv"), "b''")
                                << QStringList {QStringLiteral("empty.csv"), QStringLiteral("empty")};
    QTest::newRow("header only") << QStringLiteral("header.csv")
                                 << writes(QStringLiteral("header.csv"), "b'name,value\\n'")
                                 << QStringList {QStringLiteral("header.csv"), QStringLiteral("no data rows")};
    QTest::newRow("1 MB field") << QStringLiteral("wide.csv")
                                << writes(QStringLiteral("wide.csv"), "b'a,b\\n1,' + b'x' * 1048576 + b'\\n'")
                                << QStringList {QStringLiteral("wide.csv"), QStringLiteral("line 2"),
                                                QStringLiteral("1,000,000 bytes")};
    QTest::newRow("json lines") << QStringLiteral("bad.jsonl")
                                << writes(QStringLiteral("bad.jsonl"), "b'{\"a\": 1}\\n{\"a\": \\n'")
                                << QStringList {QStringLiteral("bad.jsonl"), QStringLiteral("line 2")};
    QTest::newRow("not data") << QStringLiteral("photo.png")
                              << writes(QStringLiteral("photo.png"), "b'\\x89PNG\\r\\n\\x1a\\n' + bytes(100)")
                              << QStringList {QStringLiteral("photo.png"), QStringLiteral("not a data file")};

    const QString tarHeader = QStringLiteral("import tarfile, io\n"
                                             "def add(t, name, data=b'a,b\\n1,2\\n', kind=tarfile.REGTYPE, link=''):\n"
                                             "  i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = "
                                             "len(data) if kind == tarfile.REGTYPE else 0\n"
                                             "  t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)\n");
    QTest::newRow("dot-dot entry") << QStringLiteral("evil.tar")
                                   << tarHeader
            + QStringLiteral("with tarfile.open('evil.tar','w') as t:\n  add(t, 'ok.csv'); add(t, '../../evil.csv')\n")
                                   << QStringList {QStringLiteral("evil.tar"), QStringLiteral("../../evil.csv")};
    QTest::newRow("absolute entry") << QStringLiteral("abs.tar")
                                    << tarHeader
            + QStringLiteral("with tarfile.open('abs.tar','w') as t:\n  add(t, '/tmp/abs.csv')\n")
                                    << QStringList {QStringLiteral("abs.tar"), QStringLiteral("/tmp/abs.csv")};
    QTest::newRow("symlink out") << QStringLiteral("link.tar.gz")
                                 << tarHeader
            + QStringLiteral("with tarfile.open('link.tar.gz','w:gz') as t:\n  add(t, 'data.csv', "
                             "kind=tarfile.SYMTYPE, link='/etc/passwd')\n")
                                 << QStringList {QStringLiteral("link.tar.gz"), QStringLiteral("data.csv"),
                                                 QStringLiteral("/etc/passwd")};
    QTest::newRow("hard link out") << QStringLiteral("hard.tar")
                                   << tarHeader
            + QStringLiteral("with tarfile.open('hard.tar','w') as t:\n  add(t, 'data.csv', kind=tarfile.LNKTYPE, "
                             "link='../../etc/passwd')\n")
                                   << QStringList {QStringLiteral("hard.tar"), QStringLiteral("data.csv")};
    QTest::newRow("zip bomb")
        << QStringLiteral("bomb.tar.gz")
        << tarHeader
            + QStringLiteral(
                "with tarfile.open('bomb.tar.gz','w:gz') as t:\n  add(t, 'zeros.csv', b'a\\n' + b'0\\n' * 20000000)\n")
        << QStringList {QStringLiteral("bomb.tar.gz"), QStringLiteral("zeros.csv"), QStringLiteral("bomb")};
    QTest::newRow("nested three deep") << QStringLiteral("l1.tar")
                                       << tarHeader
            + QStringLiteral("def wrap(name, inner, data):\n  t = tarfile.open(name, 'w'); add(t, inner, data); "
                             "t.close(); return open(name, 'rb').read()\n"
                             "b3 = wrap('l3.tar', 'deep.csv', b'a\\n1\\n'); b2 = wrap('l2.tar', 'l3.tar', b3); "
                             "wrap('l1.tar', 'l2.tar', b2)\n")
                                       << QStringList {QStringLiteral("l1.tar!/l2.tar!/l3.tar"),
                                                       QStringLiteral("nested")};
}

void tst_Import::badInput()
{
    QFETCH(QString, file);
    QFETCH(QString, script);
    QFETCH(QStringList, expected);
    python(script, m_in);
    const ImportReport report = import({m_in + QLatin1Char('/') + file});
    QCOMPARE(report.imported.size(), 0);
    QCOMPARE(report.failed.size(), 1);
    const QString message = report.failed.first().message;
    for (const QString &part : expected)
        QVERIFY2(message.contains(part), qPrintable(QStringLiteral("'%1' lacks '%2'").arg(message, part)));
    expectNothingStored();
}

void tst_Import::brokenEntryFailsTheWholeArchive()
{
    test::writeFile(m_in + QStringLiteral("/mix/good.csv"), "a,b\n1,2\n");
    test::writeFile(m_in + QStringLiteral("/mix/zbad.csv"), "a,b\n1,2\n3\n");
    run(QStringLiteral("tar"),
        {QStringLiteral("czf"), QStringLiteral("mix.tar.gz"), QStringLiteral("-C"), QStringLiteral("mix"),
         QStringLiteral("good.csv"), QStringLiteral("zbad.csv")},
        m_in);
    const ImportReport report = import({m_in + QStringLiteral("/mix.tar.gz")});
    QCOMPARE(report.failed.size(), 1);
    QVERIFY2(report.failed.first().message.contains(QStringLiteral("mix.tar.gz!/zbad.csv: line 3")),
             qPrintable(report.failed.first().message));
    expectNothingStored();
}

void tst_Import::cancelledImportLeavesNothing()
{
    QByteArray big("a,b,c\n");
    for (int i = 0; i < 200000; ++i)
        big += QByteArray::number(i) + ",x" + QByteArray::number(i % 7) + ",1.5\n";
    const QString path = test::writeFile(m_in + QStringLiteral("/big.csv"), big);
    ImportRequest request;
    request.workspaceRoot = m_location;
    request.paths = {path};
    Feedback feedback;
    // Cancel from the progress report, as the Cancel button would mid-import.
    feedback.setProgressCallback([&feedback](double p) {
        if (p > 0.2)
            feedback.cancel();
    });
    const ImportReport report = importPaths(request, feedback);
    QVERIFY(report.cancelled);
    QCOMPARE(report.imported.size(), 0);
    expectNothingStored();
}

QTEST_GUILESS_MAIN(tst_Import)
#include "tst_import.moc"
