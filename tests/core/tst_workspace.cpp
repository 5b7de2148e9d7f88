#include "storage/database.h"
#include "testsupport.h"
#include "workspace/blobstore.h"
#include "workspace/workspace.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFutureSynchronizer>
#include <QtConcurrent>
#include <QtTest>

using namespace kiln;

class tst_Workspace final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsAndReopens();
    void refusesNonEmptyForeignFolder();
    void refusesNewerSchema();
    void openExistingNeedsAWorkspace();
    void pragmasAreSet();
    void concurrentWritersDoNotCorrupt();
    void blobsAreContentAddressed();
    void abandonedBlobLeavesNothing();
    void staleTempFilesAreRemoved();
    void defaultFolderHonoursEnvironment();

private:
    /// SQLite: WAL (threads and processes share the file) and enforced foreign keys.
    static void expectSqlitePragmas(Database &db);
};

void tst_Workspace::createsAndReopens()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("ws"));
    QString location = test::storeLocation(root);
    {
        auto ws = Workspace::open(location);
        QVERIFY2(ws.ok(), qPrintable(ws.ok() ? QString() : ws.errorMessage()));
        QCOMPARE((*ws)->schemaVersion(), Workspace::currentSchemaVersion());
        // Where to reopen it (below): the folder, or the store's URL without its password.
        if (test::onPostgres())
            QVERIFY2(!(*ws)->location().contains(QLatin1String(test::PostgresServer::kPassword)),
                     qPrintable((*ws)->location()));
        else
            QCOMPARE((*ws)->location(), location);
        location = (*ws)->location();
        QCOMPARE((*ws)->root(), root);
        QCOMPARE((*ws)->isTeamStore(), test::onPostgres());
        // A folder holds its kiln.db; a team store's blob folder holds only blobs.
        QCOMPARE(Workspace::isWorkspace(root), !test::onPostgres());
        QVERIFY(QFileInfo(root + QStringLiteral("/blobs")).isDir());
        QVERIFY((*ws)->db().exec("INSERT INTO datasets(name, created_at) VALUES('kept', 'now')").ok());
    }
    auto again = Workspace::open(location, Workspace::OpenMode::OpenExisting);
    QVERIFY(again.ok());
    auto stmt = (*again)->db().prepare("SELECT name FROM datasets");
    QVERIFY(stmt.ok());
    QVERIFY(stmt->next());
    QCOMPARE(stmt->text(0), QStringLiteral("kept"));
    QVERIFY((*again)->db().integrityCheck().ok());
}

void tst_Workspace::refusesNonEmptyForeignFolder()
{
    if (test::onPostgres()) {
        // QSKIP spelled out: clang -Wpedantic refuses its empty variadic part.
        QTest::qSkip("about workspace folders (kiln.db): a team store's folder holds only its blobs", __FILE__,
                     __LINE__);
        return;
    }
    QTemporaryDir dir;
    test::writeFile(dir.filePath(QStringLiteral("notes.txt")), "mine");
    auto ws = Workspace::open(dir.path());
    QVERIFY(!ws.ok());
    QVERIFY2(ws.errorMessage().contains(QStringLiteral("not empty")), qPrintable(ws.errorMessage()));
    QCOMPARE(test::readFile(dir.filePath(QStringLiteral("notes.txt"))), QByteArray("mine"));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("kiln.db"))));
}

void tst_Workspace::refusesNewerSchema()
{
    QTemporaryDir dir;
    const QString location = test::storeLocation(dir.path());
    {
        auto ws = Workspace::open(location);
        QVERIFY(ws.ok());
        Transaction tx((*ws)->db());
        QVERIFY((*ws)->db().setSchemaVersion(999).ok());
        QVERIFY(tx.commit().ok());
    }
    auto ws = Workspace::open(location);
    QVERIFY(!ws.ok());
    QVERIFY2(ws.errorMessage().contains(QStringLiteral("newer")), qPrintable(ws.errorMessage()));
}

void tst_Workspace::openExistingNeedsAWorkspace()
{
    QTemporaryDir dir;
    // A folder without kiln.db; a database without Kiln's tables.
    const QString location = test::storeLocation(dir.filePath(QStringLiteral("missing")));
    auto ws = Workspace::open(location, Workspace::OpenMode::OpenExisting);
    QVERIFY(!ws.ok());
    QVERIFY2(ws.errorMessage().contains(test::onPostgres() ? QStringLiteral("not a Kiln team store")
                                                           : QStringLiteral("not a Kiln workspace")),
             qPrintable(ws.errorMessage()));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("missing"))));
    if (test::onPostgres()) {
        QVERIFY(!ws.errorMessage().contains(QLatin1String(test::PostgresServer::kPassword)));
        auto tables = Database::open(location);
        QVERIFY(tables.ok());
        auto count = (*tables)->prepare(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'runs'");
        QVERIFY(count.ok() && count->next());
        QCOMPARE(count->int64(0), 0); // left as it was
    }
}

void tst_Workspace::pragmasAreSet()
{
    QTemporaryDir dir;
    auto ws = Workspace::open(test::storeLocation(dir.path()));
    QVERIFY(ws.ok());
    if (!test::onPostgres()) {
        expectSqlitePragmas((*ws)->db());
        if (QTest::currentTestFailed())
            return;
    }
    // Foreign keys are enforced: a version cannot name a dataset that does not exist.
    QVERIFY(!(*ws)
                 ->db()
                 .exec("INSERT INTO dataset_versions(dataset_id, version, blob_sha256, index_sha256, "
                       "source_path, source_size, format, format_options, row_count, column_count, "
                       "imported_at) VALUES(42, 1, 'x', 'y', 'p', 1, 'f', '{}', 1, 1, 'now')")
                 .ok());
}

void tst_Workspace::expectSqlitePragmas(Database &db)
{
    auto mode = db.prepare("PRAGMA journal_mode");
    QVERIFY(mode.ok() && mode->next());
    QCOMPARE(mode->text(0), QStringLiteral("wal"));
    auto fk = db.prepare("PRAGMA foreign_keys");
    QVERIFY(fk.ok() && fk->next());
    QCOMPARE(fk->int64(0), 1);
}

void tst_Workspace::concurrentWritersDoNotCorrupt()
{
    QTemporaryDir dir;
    auto ws = Workspace::open(test::storeLocation(dir.path()));
    QVERIFY(ws.ok());
    const QString location = (*ws)->location();
    // Four threads, each with its own connection as a second app instance would have.
    QFutureSynchronizer<int> sync;
    for (int t = 0; t < 4; ++t) {
        sync.addFuture(QtConcurrent::run([location, t] {
            auto other = Workspace::open(location, Workspace::OpenMode::OpenExisting);
            if (!other)
                return -1;
            int ok = 0;
            for (int i = 0; i < 50; ++i) {
                Transaction tx((*other)->db());
                auto stmt = (*other)->db().prepare("INSERT INTO datasets(name, created_at) VALUES(?, 'now')");
                stmt->bind(1, QStringLiteral("t%1-%2").arg(t).arg(i));
                if (stmt->exec() && tx.commit())
                    ++ok;
            }
            return ok;
        }));
    }
    sync.waitForFinished();
    for (const QFuture<int> &f : sync.futures())
        QCOMPARE(f.result(), 50);
    auto count = (*ws)->db().prepare("SELECT COUNT(*) FROM datasets");
    QVERIFY(count->next());
    QCOMPARE(count->int64(0), 200);
    QVERIFY((*ws)->db().integrityCheck().ok());
}

void tst_Workspace::blobsAreContentAddressed()
{
    QTemporaryDir dir;
    BlobStore blobs(dir.path());
    const QByteArray content = QByteArray("a,b\n1,2\n").repeated(1000);
    const QString source = test::writeFile(dir.filePath(QStringLiteral("in.csv")), content);
    auto sha = blobs.addFile(source);
    QVERIFY(sha.ok());
    QCOMPARE(*sha, QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(test::readFile(blobs.pathFor(*sha)), content);
    // Same bytes again: same name, still one file.
    auto again = blobs.addFile(source);
    QCOMPARE(*again, *sha);
    int files = 0;
    QDirIterator it(dir.filePath(QStringLiteral("blobs")), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++files;
    }
    QCOMPARE(files, 1);
    QCOMPARE(QDir(blobs.tempDir()).entryList(QDir::Files).size(), 0);
}

void tst_Workspace::abandonedBlobLeavesNothing()
{
    QTemporaryDir dir;
    BlobStore blobs(dir.path());
    {
        auto writer = blobs.beginWrite();
        QVERIFY(writer.ok());
        QVERIFY((*writer)->write("half", 4).ok());
        QVERIFY((*writer)->finish().ok());
        // destroyed without publish(): an import that failed after staging
    }
    QCOMPARE(QDir(blobs.tempDir()).entryList(QDir::Files).size(), 0);
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("blobs")))
            || QDir(dir.filePath(QStringLiteral("blobs"))).isEmpty());
}

void tst_Workspace::staleTempFilesAreRemoved()
{
    QTemporaryDir dir;
    const QString location = test::storeLocation(dir.path());
    {
        auto ws = Workspace::open(location);
        QVERIFY(ws.ok());
    }
    const QString stale = test::writeFile(dir.filePath(QStringLiteral("tmp/blob-old")), "x");
    const QString fresh = test::writeFile(dir.filePath(QStringLiteral("tmp/blob-new")), "y");
    QFile file(stale);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.setFileTime(QDateTime::currentDateTime().addDays(-2), QFileDevice::FileModificationTime));
    file.close();
    auto ws = Workspace::open(location);
    QVERIFY(ws.ok());
    QVERIFY(!QFileInfo::exists(stale));
    QVERIFY(QFileInfo::exists(fresh)); // may belong to an import running in another process
}

void tst_Workspace::defaultFolderHonoursEnvironment()
{
    QTemporaryDir dir;
    qputenv("KILN_WORKSPACE", dir.filePath(QStringLiteral("env-ws")).toUtf8());
    QCOMPARE(Workspace::defaultFolder(), dir.filePath(QStringLiteral("env-ws")));
    qunsetenv("KILN_WORKSPACE");
    QVERIFY(Workspace::defaultFolder().endsWith(QStringLiteral("/kiln/default-workspace")));
}

QTEST_GUILESS_MAIN(tst_Workspace)
#include "tst_workspace.moc"
