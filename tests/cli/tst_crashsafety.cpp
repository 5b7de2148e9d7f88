#include "builtinplugins.h"
#include "data/datasetcatalog.h"
#include "data/datasettable.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QProcess>
#include <QThread>
#include <QtTest>

#include <csignal>

using namespace kiln;

namespace {

constexpr qint64 kRows = 2'000'000;

/// Bytes the process has read so far (/proc/PID/io): how far into the file the import is.
/// Staging files cannot tell: they are unnamed (O_TMPFILE) until published.
qint64 bytesRead(qint64 pid)
{
    QFile io(QStringLiteral("/proc/%1/io").arg(pid));
    if (!io.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : io.readAll().split('\n')) {
        if (line.startsWith("rchar:"))
            return line.mid(6).trimmed().toLongLong();
    }
    return -1;
}

/// SIGKILL to the process, as `kill -9` would; never to pid 0 (our own process group) when
/// the import already ended.
void killHard(QProcess *p)
{
    const qint64 pid = p->processId();
    qInfo("kill -9 %s", p->state() == QProcess::Running ? "while importing" : "(import had already ended)");
    if (pid > 0)
        ::kill(pid_t(pid), SIGKILL);
    p->waitForFinished();
}

/// Record `i` of big.csv, without its line break.
QByteArray csvRecord(qint64 i)
{
    return QByteArray::number(i) + ",name-" + QByteArray::number(i % 977) + "," + QByteArray::number(double(i) / 8.0)
        + ",2024-01-01";
}

} // namespace

/// kill -9 of `kilnctl import` at several points of a large import: the workspace must then
/// pass its integrity check and show either the whole dataset or none of it.
class tst_CrashSafety final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killAtPoint_data();
    void killAtPoint();
    void committedDatasetSurvivesKillDuringTheNext();

private:
    QProcess *startImport(const QStringList &files);
    void checkWorkspace(QStringList expectedComplete, const QStringList &mayBePresent);

    QTemporaryDir m_dir;
    QString m_big;
    QString m_ws;
};

void tst_CrashSafety::initTestCase()
{
    linkBuiltinPlugins();
    QFile file(m_dir.filePath(QStringLiteral("big.csv")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    QByteArray chunk;
    file.write("id,name,score,day\n");
    for (qint64 i = 0; i < kRows; ++i) {
        chunk += csvRecord(i) + '\n';
        if (chunk.size() > (1 << 20)) {
            file.write(chunk);
            chunk.clear();
        }
    }
    file.write(chunk);
    m_big = file.fileName();
    qInfo("generated %s: %lld bytes", qPrintable(m_big), file.size());
}

QProcess *tst_CrashSafety::startImport(const QStringList &files)
{
    auto *p = new QProcess(this);
    test::startKilnctl(*p, m_ws, QStringList {QStringLiteral("import")} + files);
    if (!p->waitForStarted())
        qFatal("kilnctl did not start");
    return p;
}

void tst_CrashSafety::checkWorkspace(QStringList expectedComplete, const QStringList &mayBePresent)
{
    auto ws = Workspace::open(m_ws, Workspace::OpenMode::OpenExisting);
    QVERIFY2(ws.ok(), qPrintable(ws.ok() ? QString() : ws.errorMessage()));
    QVERIFY((*ws)->db().integrityCheck().ok());
    auto datasets = DatasetCatalog((*ws)->db()).datasets();
    QVERIFY(datasets.ok());
    for (const DatasetSummary &d : *datasets) {
        QVERIFY2(expectedComplete.contains(d.name) || mayBePresent.contains(d.name), qPrintable(d.name));
        expectedComplete.removeAll(d.name);
        // Present means whole: every row indexed and the last one readable.
        auto version = DatasetCatalog((*ws)->db()).version(d.name);
        QVERIFY(version.ok());
        QCOMPARE(version->rowCount, kRows);
        auto table = DatasetTable::open((*ws)->blobs(), *version);
        QVERIFY2(table.ok(), qPrintable(table.ok() ? QString() : table.errorMessage()));
        QCOMPARE((*table)->row(kRows - 1).join(QLatin1Char(',')).toUtf8(), csvRecord(kRows - 1));
    }
    QVERIFY2(expectedComplete.isEmpty(), qPrintable(expectedComplete.join(QLatin1Char(','))));
}

void tst_CrashSafety::killAtPoint_data()
{
    QTest::addColumn<double>("stagedFraction"); // kill once this much of the file was read
    QTest::newRow("at start") << 0.0;
    QTest::newRow("a quarter in") << 0.25;
    QTest::newRow("half way") << 0.5;
    QTest::newRow("nearly done") << 0.95;
    QTest::newRow("after reading it all") << 1.0;
}

void tst_CrashSafety::killAtPoint()
{
    QFETCH(double, stagedFraction);
    QTemporaryDir wsDir;
    m_ws = wsDir.filePath(QStringLiteral("ws"));
    QVERIFY(Workspace::open(m_ws).ok());
    const qint64 size = QFileInfo(m_big).size();
    QProcess *p = startImport({m_big});
    const qint64 pid = p->processId();
    QElapsedTimer waited;
    waited.start();
    // Polled without yielding to the event loop: the whole import takes well under a second.
    while (stagedFraction > 0 && bytesRead(pid) < qint64(double(size) * stagedFraction) && bytesRead(pid) >= 0
           && waited.elapsed() < 120000) {
        QThread::usleep(200);
    }
    const bool killedWhileImporting = stagedFraction < 1.0;
    killHard(p);
    if (killedWhileImporting)
        QVERIFY2(p->exitStatus() == QProcess::CrashExit, "the import ended before it could be killed");
    checkWorkspace({}, {QStringLiteral("big")});
    // The interrupted import can simply be run again.
    QProcess *again = startImport({m_big});
    QVERIFY(again->waitForFinished(300000));
    QCOMPARE(again->exitCode(), 0);
    checkWorkspace({QStringLiteral("big")}, {});
}

void tst_CrashSafety::committedDatasetSurvivesKillDuringTheNext()
{
    QTemporaryDir wsDir;
    m_ws = wsDir.filePath(QStringLiteral("ws"));
    QVERIFY(Workspace::open(m_ws).ok());
    const QString second = m_dir.filePath(QStringLiteral("second.csv"));
    QFile::remove(second);
    QVERIFY(QFile::copy(m_big, second));
    QProcess *p = startImport({m_big, second});
    // Wait for the first dataset to be committed, then kill during the second.
    QTRY_VERIFY_WITH_TIMEOUT(
        [this] {
            auto ws = Workspace::open(m_ws, Workspace::OpenMode::OpenExisting);
            return ws.ok() && DatasetCatalog((*ws)->db()).version(QStringLiteral("big")).ok();
        }(),
        120000);
    killHard(p);
    checkWorkspace({QStringLiteral("big")}, {QStringLiteral("second")});
}

QTEST_GUILESS_MAIN(tst_CrashSafety)
#include "tst_crashsafety.moc"
