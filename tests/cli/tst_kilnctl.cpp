#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

using Result = kiln::test::KilnctlResult;

/// Drives the real kilnctl binary as a script or CI job would.
class tst_Kilnctl final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void workspaceInitAndInfo();
    void importListShowRowsStats();
    void versionsFromTheShell();
    void failuresExitNonZeroWithOneLine();
    void usageErrorsExitTwo();

private:
    Result kilnctl(const QStringList &args) const { return kiln::test::runKilnctl(m_ws, args); }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_ws;
};

void tst_Kilnctl::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_ws = m_dir->filePath(QStringLiteral("ws"));
}

void tst_Kilnctl::workspaceInitAndInfo()
{
    Result r = kilnctl({QStringLiteral("workspace"), QStringLiteral("init"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.json().value(QStringLiteral("created")).toBool(), true);
    QVERIFY(QFileInfo::exists(m_ws + QStringLiteral("/kiln.db")));
    r = kilnctl({QStringLiteral("workspace"), QStringLiteral("info"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.json().value(QStringLiteral("integrity")).toString(), QStringLiteral("ok"));
    QCOMPARE(r.json().value(QStringLiteral("datasets")).toInt(), 0);
    r = kilnctl({QStringLiteral("workspace"), QStringLiteral("info")});
    QVERIFY(r.out.contains("Integrity:  ok"));
}

void tst_Kilnctl::importListShowRowsStats()
{
    const QString csv = kiln::test::writeFile(m_dir->filePath(QStringLiteral("in/people.csv")),
                                              "name,age,city\nAda,36,London\nAlan,41,Wilmslow\nGrace,NA,Arlington\n");
    Result r = kilnctl({QStringLiteral("import"), csv, QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject imported = r.json().value(QStringLiteral("imported")).toArray().first().toObject();
    QCOMPARE(imported.value(QStringLiteral("name")).toString(), QStringLiteral("people"));
    QCOMPARE(imported.value(QStringLiteral("rows")).toInt(), 3);

    r = kilnctl({QStringLiteral("datasets"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray list = r.json().value(QStringLiteral("datasets")).toArray();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().toObject().value(QStringLiteral("columns")).toInt(), 3);
    r = kilnctl({QStringLiteral("datasets"), QStringLiteral("list")});
    QVERIFY(r.out.startsWith("NAME"));
    QVERIFY(r.out.contains("people"));

    r = kilnctl(
        {QStringLiteral("datasets"), QStringLiteral("show"), QStringLiteral("people"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.json().value(QStringLiteral("ref")).toString(), QStringLiteral("people@1"));
    QCOMPARE(
        r.json().value(QStringLiteral("schema")).toArray().at(1).toObject().value(QStringLiteral("type")).toString(),
        QStringLiteral("integer"));
    QCOMPARE(r.json().value(QStringLiteral("source")).toString(), csv);

    r = kilnctl({QStringLiteral("datasets"), QStringLiteral("rows"), QStringLiteral("people"),
                 QStringLiteral("--limit"), QStringLiteral("2"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray rows = r.json().value(QStringLiteral("rows")).toArray();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(1).toArray().at(0).toString(), QStringLiteral("Alan"));
    QCOMPARE(r.json().value(QStringLiteral("totalRows")).toInt(), 3);

    r = kilnctl(
        {QStringLiteral("datasets"), QStringLiteral("stats"), QStringLiteral("people"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject age = r.json().value(QStringLiteral("columns")).toArray().at(1).toObject();
    QCOMPARE(age.value(QStringLiteral("missing")).toInt(), 1);
    QCOMPARE(age.value(QStringLiteral("mean")).toDouble(), 38.5);
    QCOMPARE(age.value(QStringLiteral("min")).toString(), QStringLiteral("36"));
    r = kilnctl({QStringLiteral("datasets"), QStringLiteral("stats"), QStringLiteral("people")});
    QVERIFY(r.out.contains("MISSING"));
}

void tst_Kilnctl::versionsFromTheShell()
{
    const QString csv = kiln::test::writeFile(m_dir->filePath(QStringLiteral("in/v.csv")), "a\n1\n");
    QCOMPARE(kilnctl({QStringLiteral("import"), csv}).exitCode, 0);
    Result r = kilnctl({QStringLiteral("import"), csv});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("unchanged"), r.out.constData());
    kiln::test::writeFile(csv, "a\n1\n2\n");
    r = kilnctl({QStringLiteral("import"), csv, QStringLiteral("--json")});
    QCOMPARE(r.json()
                 .value(QStringLiteral("imported"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("version"))
                 .toInt(),
             2);
    r = kilnctl({QStringLiteral("datasets"), QStringLiteral("rows"), QStringLiteral("v@1"), QStringLiteral("--json")});
    QCOMPARE(r.json().value(QStringLiteral("totalRows")).toInt(), 1);
    r = kilnctl({QStringLiteral("datasets"), QStringLiteral("show"), QStringLiteral("v"), QStringLiteral("--json")});
    QCOMPARE(r.json().value(QStringLiteral("versions")).toArray().size(), 2);
}

void tst_Kilnctl::failuresExitNonZeroWithOneLine()
{
    QCOMPARE(kilnctl({QStringLiteral("workspace"), QStringLiteral("init")}).exitCode, 0);
    const QString bad = kiln::test::writeFile(m_dir->filePath(QStringLiteral("in/bad.csv")), "a,b\n1,2\n3\n");
    Result r = kilnctl({QStringLiteral("import"), bad});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.startsWith("kilnctl: bad.csv: line 3"), r.err.constData());

    r = kilnctl({QStringLiteral("datasets"), QStringLiteral("show"), QStringLiteral("nope")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err, QByteArray("kilnctl: no dataset named 'nope'\n"));

    r = kiln::test::runKilnctl(m_dir->filePath(QStringLiteral("missing")),
                               {QStringLiteral("datasets"), QStringLiteral("list")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("not a Kiln workspace"));
}

void tst_Kilnctl::usageErrorsExitTwo()
{
    QCOMPARE(kilnctl({QStringLiteral("frobnicate")}).exitCode, 2);
    QCOMPARE(kilnctl({QStringLiteral("import")}).exitCode, 2);
    QCOMPARE(kilnctl({QStringLiteral("import"), QStringLiteral("x.csv"), QStringLiteral("--header"),
                      QStringLiteral("maybe")})
                 .exitCode,
             2);
}

QTEST_GUILESS_MAIN(tst_Kilnctl)
#include "tst_kilnctl.moc"
