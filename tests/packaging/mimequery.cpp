// Prints, for each file named on the command line, the MIME type a freshly started Qt program
// gives it, as one tab-separated line: the argument, the type by name, the type by name and
// content ("-" when the file does not exist), and the type's ancestors (comma-separated).
// tst_packaging runs it with XDG_DATA_DIRS pointing into an unpacked package, as a file
// manager would see the installed MIME database.

#include <QCoreApplication>
#include <QFileInfo>
#include <QMimeDatabase>
#include <QStringList>

#include <cstdio>

int main(int argc, char *argv[])
{
    const QCoreApplication app(argc, argv);
    const QMimeDatabase mimes;
    const QStringList files = QCoreApplication::arguments().mid(1);
    for (const QString &file : files) {
        const QMimeType byName = mimes.mimeTypeForFile(file, QMimeDatabase::MatchExtension);
        const QString byContent = QFileInfo::exists(file) ? mimes.mimeTypeForFile(file).name() : QStringLiteral("-");
        std::printf("%s\t%s\t%s\t%s\n", qUtf8Printable(file), qUtf8Printable(byName.name()), qUtf8Printable(byContent),
                    qUtf8Printable(byName.allAncestors().join(u',')));
    }
    return 0;
}
