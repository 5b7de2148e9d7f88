// The Debian package as a user installs it: CPack builds it from this build tree, dpkg unpacks
// it into a temporary root, and the tools a desktop relies on (desktop-file-validate,
// appstreamcli, update-mime-database, Qt's MIME database) and the installed programs
// themselves check what it holds.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <algorithm>

namespace {

const QString kAppId = QStringLiteral(KILN_APP_ID);
const QString kVersion = QStringLiteral(KILN_VERSION);
const QString kBundleType = QStringLiteral("application/x-kiln-bundle");

/// How a process exited and what it printed.
struct Ran
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    bool ok() const { return exitCode == 0; }
    /// Everything it printed: the message when an expectation fails.
    QByteArray describe() const
    {
        return "exit code " + QByteArray::number(exitCode) + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
};

/// Runs `program` to its end with `environment` added to this process's one.
Ran run(const QString &program, const QStringList &args, const QHash<QString, QString> &environment = {},
        int timeoutMs = 120000)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = environment.cbegin(); it != environment.cend(); ++it)
        env.insert(it.key(), it.value());
    process.setProcessEnvironment(env);
    process.start(program, args);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {-1, {}, program.toUtf8() + " did not finish within " + QByteArray::number(timeoutMs) + " ms"};
    }
    const int code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return {code, process.readAllStandardOutput(), process.readAllStandardError()};
}

/// The keys of a desktop entry's [Desktop Entry] group.
QHash<QString, QString> readDesktopEntry(const QString &path)
{
    QHash<QString, QString> keys;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return keys;
    bool inGroup = false;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.startsWith(u'['))
            inGroup = line == QLatin1String("[Desktop Entry]");
        else if (inGroup && line.contains(u'=') && !line.startsWith(u'#'))
            keys.insert(line.section(u'=', 0, 0).trimmed(), line.section(u'=', 1).trimmed());
    }
    return keys;
}

/// What tst_packaging checks in the AppStream file.
struct Metainfo
{
    QString id;
    QString launchable;
    QStringList releases;
    QStringList binaries;
    QStringList mediatypes;
    QString error;
};

Metainfo readMetainfo(const QString &path)
{
    Metainfo info;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        info.error = path + QStringLiteral(": ") + file.errorString();
        return info;
    }
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const auto name = xml.name();
        if (name == u"id" && info.id.isEmpty())
            info.id = xml.readElementText();
        else if (name == u"launchable")
            info.launchable = xml.readElementText();
        else if (name == u"release")
            info.releases << xml.attributes().value(QLatin1String("version")).toString();
        else if (name == u"binary")
            info.binaries << xml.readElementText();
        else if (name == u"mediatype")
            info.mediatypes << xml.readElementText();
    }
    if (xml.hasError())
        info.error = QStringLiteral("%1:%2: %3").arg(path).arg(xml.lineNumber()).arg(xml.errorString());
    return info;
}

} // namespace

class tst_Packaging final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void controlFields();
    void contents();
    void programsAreStrippedIconsRendered();
    void desktopEntry();
    void metainfo();
    void bundleMimeType();
    void installedProgramsRun_data();
    void installedProgramsRun();

private:
    QString installed(const QString &relative) const { return m_root + QStringLiteral("/usr/") + relative; }
    QString tool(const QString &name) const { return m_tools.value(name); }

    QTemporaryDir m_dir;
    QHash<QString, QString> m_tools;
    QString m_arch;
    QString m_deb;
    QString m_root;
};

void tst_Packaging::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QList<std::pair<QString, QString>> tools = {
        {QStringLiteral("dpkg"), QStringLiteral("dpkg")},
        {QStringLiteral("dpkg-deb"), QStringLiteral("dpkg")},
        {QStringLiteral("dpkg-shlibdeps"), QStringLiteral("dpkg-dev")},
        {QStringLiteral("file"), QStringLiteral("file")},
        {QStringLiteral("tar"), QStringLiteral("tar")},
        {QStringLiteral("desktop-file-validate"), QStringLiteral("desktop-file-utils")},
        {QStringLiteral("appstreamcli"), QStringLiteral("appstream")},
        {QStringLiteral("update-mime-database"), QStringLiteral("shared-mime-info")},
    };
    for (const auto &[name, package] : tools) {
        const QString path = QStandardPaths::findExecutable(name);
        QVERIFY2(!path.isEmpty(),
                 qPrintable(name + QStringLiteral(" not found: install the Debian package ") + package
                            + QStringLiteral(" (packaging/dev.sh lists it)")));
        m_tools.insert(name, path);
    }

    const Ran arch = run(tool(QStringLiteral("dpkg")), {QStringLiteral("--print-architecture")});
    QVERIFY2(arch.ok(), arch.describe().constData());
    m_arch = QString::fromUtf8(arch.out).trimmed();

    // The package goes to a folder of its own, as does CPack's staging (_CPack_Packages).
    const Ran cpack = run(QStringLiteral(KILN_CPACK_COMMAND),
                          {QStringLiteral("--config"), QStringLiteral(KILN_CPACK_CONFIG), QStringLiteral("-G"),
                           QStringLiteral("DEB"), QStringLiteral("-B"), m_dir.path()},
                          {}, 240000);
    QVERIFY2(cpack.ok(), cpack.describe().constData());
    m_deb = m_dir.filePath(QStringLiteral("kiln_%1_%2.deb").arg(kVersion, m_arch));
    QVERIFY2(QFileInfo::exists(m_deb),
             qPrintable(QStringLiteral("no %1 after cpack; it wrote: %2")
                            .arg(m_deb, QDir(m_dir.path()).entryList(QDir::Files).join(u' '))));

    m_root = m_dir.filePath(QStringLiteral("root"));
    const Ran unpack = run(tool(QStringLiteral("dpkg")), {QStringLiteral("-x"), m_deb, m_root});
    QVERIFY2(unpack.ok(), unpack.describe().constData());
}

void tst_Packaging::controlFields()
{
    const Ran info = run(tool(QStringLiteral("dpkg-deb")), {QStringLiteral("--info"), m_deb});
    QVERIFY2(info.ok(), info.describe().constData());
    // The control file, indented by one space; continuation lines by two.
    QHash<QString, QString> fields;
    QString last;
    const QList<QByteArray> lines = info.out.split('\n');
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(QLatin1String("  ")) && !last.isEmpty())
            fields[last] += u'\n' + line.trimmed();
        else if (line.startsWith(u' ') && !line.startsWith(QLatin1String("  ")) && line.contains(QLatin1String(": "))) {
            last = line.section(QLatin1String(": "), 0, 0).trimmed();
            fields.insert(last, line.section(QLatin1String(": "), 1).trimmed());
        }
    }
    QCOMPARE(fields.value(QStringLiteral("Package")), QStringLiteral("kiln"));
    QCOMPARE(fields.value(QStringLiteral("Version")), kVersion);
    QCOMPARE(fields.value(QStringLiteral("Architecture")), m_arch);
    QCOMPARE(fields.value(QStringLiteral("Section")), QStringLiteral("science"));
    QVERIFY2(QRegularExpression(QStringLiteral("^.+ <[^@ ]+@[^@ ]+>$"))
                 .match(fields.value(QStringLiteral("Maintainer")))
                 .hasMatch(),
             qPrintable(fields.value(QStringLiteral("Maintainer"))));
    const QString description = fields.value(QStringLiteral("Description"));
    QVERIFY2(description.count(u'\n') >= 1 && description.contains(QLatin1String("kilnctl")), qPrintable(description));
    const QStringList descriptionLines = description.split(u'\n');
    for (const QString &line : descriptionLines)
        QVERIFY2(line.size() < 80, qPrintable(QStringLiteral("Description line over 79 columns: ") + line));

    // dpkg-shlibdeps ran (versioned libc6) and found every library the programs link.
    const QString depends = fields.value(QStringLiteral("Depends"));
    QVERIFY2(depends.contains(QLatin1String("libc6 (>=")), qPrintable(depends));
    QStringList packages;
    const QStringList alternatives = depends.split(QRegularExpression(QStringLiteral("[,|]")));
    for (const QString &alternative : alternatives)
        packages << alternative.trimmed().section(u' ', 0, 0);
    const QStringList needed
        = {QStringLiteral("libqt6core6"), QStringLiteral("libqt6widgets6"),    QStringLiteral("libqt6charts6"),
           QStringLiteral("libqt6svg6"),  QStringLiteral("libqt6httpserver6"), QStringLiteral("libarchive13"),
           QStringLiteral("libxgboost"),  QStringLiteral("libyaml-cpp"),       QStringLiteral("libsqlite3-0"),
           QStringLiteral("libpq5")};
    for (const QString &prefix : needed) {
        const bool found = std::any_of(packages.cbegin(), packages.cend(),
                                       [&prefix](const QString &package) { return package.startsWith(prefix); });
        QVERIFY2(found, qPrintable(prefix + QStringLiteral(" missing from Depends: ") + depends));
    }
}

void tst_Packaging::contents()
{
    const Ran listing = run(tool(QStringLiteral("dpkg-deb")), {QStringLiteral("--contents"), m_deb});
    QVERIFY2(listing.ok(), listing.describe().constData());
    QStringList files;
    const QList<QByteArray> lines = listing.out.split('\n');
    for (const QByteArray &raw : lines) {
        const QStringList fields = QString::fromUtf8(raw).split(u' ', Qt::SkipEmptyParts);
        if (fields.size() < 6 || fields.at(0).startsWith(u'd'))
            continue;
        const QString &path = fields.at(5);
        QCOMPARE(fields.at(1), QStringLiteral("root/root"));
        const bool program = path.startsWith(QLatin1String("./usr/bin/"));
        QVERIFY2(fields.at(0) == (program ? QLatin1String("-rwxr-xr-x") : QLatin1String("-rw-r--r--")),
                 qPrintable(QString::fromUtf8(raw)));
        files << path;
    }
    // Exactly these: no test program, static library, header or build leftover.
    QStringList expected = {
        QStringLiteral("./usr/bin/kiln"),
        QStringLiteral("./usr/bin/kilnctl"),
        QStringLiteral("./usr/bin/kiln-serve"),
        QStringLiteral("./usr/share/applications/%1.desktop").arg(kAppId),
        QStringLiteral("./usr/share/metainfo/%1.metainfo.xml").arg(kAppId),
        QStringLiteral("./usr/share/mime/packages/%1.xml").arg(kAppId),
        QStringLiteral("./usr/share/icons/hicolor/scalable/apps/%1.svg").arg(kAppId),
    };
    const QStringList sizes = QStringLiteral(KILN_ICON_SIZES).split(u' ', Qt::SkipEmptyParts);
    for (const QString &size : sizes)
        expected << QStringLiteral("./usr/share/icons/hicolor/%1x%1/apps/%2.png").arg(size, kAppId);
    files.sort();
    expected.sort();
    QCOMPARE(files, expected);
}

void tst_Packaging::programsAreStrippedIconsRendered()
{
    for (const QString &program : {QStringLiteral("kiln"), QStringLiteral("kilnctl"), QStringLiteral("kiln-serve")}) {
        const Ran file
            = run(tool(QStringLiteral("file")), {QStringLiteral("-b"), installed(QStringLiteral("bin/") + program)});
        QVERIFY2(file.ok(), file.describe().constData());
        QVERIFY2(file.out.contains("ELF") && file.out.contains(", stripped") && !file.out.contains("debug_info"),
                 QByteArray(program.toUtf8() + ": " + file.out).constData());
    }
    const QStringList sizes = QStringLiteral(KILN_ICON_SIZES).split(u' ', Qt::SkipEmptyParts);
    for (const QString &size : sizes) {
        const Ran file = run(tool(QStringLiteral("file")),
                             {QStringLiteral("-b"),
                              installed(QStringLiteral("share/icons/hicolor/%1x%1/apps/%2.png").arg(size, kAppId))});
        QVERIFY2(file.out.startsWith(QStringLiteral("PNG image data, %1 x %1,").arg(size).toUtf8()),
                 file.describe().constData());
    }
}

void tst_Packaging::desktopEntry()
{
    const QString path = installed(QStringLiteral("share/applications/%1.desktop").arg(kAppId));
    const Ran validate = run(tool(QStringLiteral("desktop-file-validate")), {path});
    // Not even a hint: they are what the next validator version turns into warnings.
    QVERIFY2(validate.ok() && validate.out.isEmpty() && validate.err.isEmpty(), validate.describe().constData());

    const QHash<QString, QString> entry = readDesktopEntry(path);
    // Launching it runs the installed kiln with the files to open (a double-clicked bundle).
    const QStringList exec = entry.value(QStringLiteral("Exec")).split(u' ', Qt::SkipEmptyParts);
    QVERIFY2(exec.size() == 2 && exec.at(1) == QLatin1String("%F"), qPrintable(entry.value(QStringLiteral("Exec"))));
    for (const QString &program : {exec.first(), entry.value(QStringLiteral("TryExec"))}) {
        const QString binary
            = program.startsWith(u'/') ? m_root + program : installed(QStringLiteral("bin/") + program);
        QVERIFY2(QFileInfo(binary).fileName() == QLatin1String("kiln") && QFileInfo(binary).isExecutable(),
                 qPrintable(program + QStringLiteral(" is not the installed kiln")));
    }
    const QString icon = entry.value(QStringLiteral("Icon"));
    QVERIFY2(QFileInfo::exists(installed(QStringLiteral("share/icons/hicolor/scalable/apps/%1.svg").arg(icon))),
             qPrintable(QStringLiteral("no icon named ") + icon));
    const QStringList mimeTypes = entry.value(QStringLiteral("MimeType")).split(u';', Qt::SkipEmptyParts);
    QVERIFY2(mimeTypes.contains(kBundleType), qPrintable(entry.value(QStringLiteral("MimeType"))));
    QVERIFY(mimeTypes.contains(QStringLiteral("text/csv")));
}

void tst_Packaging::metainfo()
{
    const QString path = installed(QStringLiteral("share/metainfo/%1.metainfo.xml").arg(kAppId));
    // --strict fails on warnings and infos too; --no-net: CI has no network.
    const Ran validate = run(tool(QStringLiteral("appstreamcli")),
                             {QStringLiteral("validate"), QStringLiteral("--no-net"), QStringLiteral("--strict"),
                              QStringLiteral("--explain"), path});
    QVERIFY2(validate.ok(), validate.describe().constData());
    // The whole installed tree: the desktop entry the metadata launches, its icon.
    const Ran tree = run(tool(QStringLiteral("appstreamcli")),
                         {QStringLiteral("validate-tree"), QStringLiteral("--no-net"), QStringLiteral("--strict"),
                          QStringLiteral("--explain"), m_root});
    QVERIFY2(tree.ok(), tree.describe().constData());

    const Metainfo info = readMetainfo(path);
    QVERIFY2(info.error.isEmpty(), qPrintable(info.error));
    QCOMPARE(info.id, kAppId);
    QCOMPARE(info.launchable, kAppId + QStringLiteral(".desktop"));
    QVERIFY(QFileInfo::exists(installed(QStringLiteral("share/applications/") + info.launchable)));
    QVERIFY2(!info.releases.isEmpty() && info.releases.first() == kVersion, qPrintable(info.releases.join(u' ')));
    QStringList binaries = info.binaries;
    binaries.sort();
    QCOMPARE(binaries, QStringList({QStringLiteral("kiln"), QStringLiteral("kiln-serve"), QStringLiteral("kilnctl")}));
    for (const QString &binary : binaries)
        QVERIFY2(QFileInfo(installed(QStringLiteral("bin/") + binary)).isExecutable(), qPrintable(binary));
    // What it claims to open, the desktop entry opens.
    QVERIFY(info.mediatypes.contains(kBundleType));
    const QStringList entryTypes = readDesktopEntry(installed(QStringLiteral("share/applications/") + info.launchable))
                                       .value(QStringLiteral("MimeType"))
                                       .split(u';', Qt::SkipEmptyParts);
    for (const QString &type : info.mediatypes)
        QVERIFY2(entryTypes.contains(type), qPrintable(type + QStringLiteral(" is not in the desktop entry")));
}

void tst_Packaging::bundleMimeType()
{
    const QString mimeDir = installed(QStringLiteral("share/mime"));
    const Ran update = run(tool(QStringLiteral("update-mime-database")), {mimeDir});
    QVERIFY2(update.ok(), update.describe().constData());
    QVERIFY(QFileInfo::exists(mimeDir + QStringLiteral("/mime.cache")));

    // A bundle-shaped file (a gzip'd tar whose first entry is the manifest) and a plain tar.gz.
    const QString content = m_dir.filePath(QStringLiteral("content"));
    QVERIFY(QDir().mkpath(content));
    QFile manifest(content + QStringLiteral("/kiln-bundle.json"));
    QVERIFY(manifest.open(QIODevice::WriteOnly));
    manifest.write(R"({"format": "kiln-bundle", "formatVersion": 1})");
    manifest.close();
    const QString bundle = m_dir.filePath(QStringLiteral("churn-v3.kiln.tar.gz"));
    const QString plain = m_dir.filePath(QStringLiteral("data.tar.gz"));
    for (const QString &archive : {bundle, plain}) {
        const Ran tar
            = run(tool(QStringLiteral("tar")),
                  {QStringLiteral("-czf"), archive, QStringLiteral("-C"), content, QStringLiteral("kiln-bundle.json")});
        QVERIFY2(tar.ok(), tar.describe().constData());
    }

    // A freshly started Qt program, as a file manager would see the installed package.
    const QString dataHome = m_dir.filePath(QStringLiteral("data-home"));
    QVERIFY(QDir().mkpath(dataHome));
    const Ran query
        = run(QStringLiteral(KILN_MIMEQUERY_PATH), {QStringLiteral("model.kiln.tar.gz"), bundle, plain},
              {{QStringLiteral("XDG_DATA_DIRS"), installed(QStringLiteral("share")) + QStringLiteral(":/usr/share")},
               {QStringLiteral("XDG_DATA_HOME"), dataHome}});
    QVERIFY2(query.ok(), query.describe().constData());
    QHash<QString, QStringList> types;
    const QList<QByteArray> lines = query.out.split('\n');
    for (const QByteArray &line : lines) {
        const QStringList fields = QString::fromUtf8(line).split(u'\t');
        if (fields.size() == 4)
            types.insert(fields.at(0), fields.mid(1));
    }
    const QString compressedTar = QStringLiteral("application/x-compressed-tar");
    QCOMPARE(types.value(QStringLiteral("model.kiln.tar.gz")).value(0), kBundleType);
    QCOMPARE(types.value(bundle).value(0), kBundleType);
    QCOMPARE(types.value(bundle).value(1), kBundleType); // the gzip content agrees with the name
    QVERIFY2(types.value(bundle).value(2).split(u',').contains(compressedTar), query.describe().constData());
    QCOMPARE(types.value(plain).value(0), compressedTar); // other tar.gz files stay what they were
}

void tst_Packaging::installedProgramsRun_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QString>("printed");
    QTest::newRow("kilnctl") << QStringLiteral("kilnctl") << QStringLiteral("kilnctl ") + kVersion;
    QTest::newRow("kiln") << QStringLiteral("kiln") << QStringLiteral("Kiln ") + kVersion;
    QTest::newRow("kiln-serve") << QStringLiteral("kiln-serve") << kVersion;
}

void tst_Packaging::installedProgramsRun()
{
    QFETCH(QString, program);
    QFETCH(QString, printed);
    const Ran version = run(installed(QStringLiteral("bin/") + program), {QStringLiteral("--version")},
                            {{QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen")}});
    QVERIFY2(version.ok() && version.out.contains(printed.toUtf8()), version.describe().constData());
}

QTEST_GUILESS_MAIN(tst_Packaging)
#include "tst_packaging.moc"
