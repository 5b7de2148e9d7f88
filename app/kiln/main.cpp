// The Kiln desktop app: opens a workspace and shows the main window.

#include "appearance.h"
#include "builtinplugins.h"
#include "icons.h"
#include "mainwindow.h"
#include "registry/bundle.h"
#include "util/openmp.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// A signal handler may only do async-signal-safe work: it writes a byte, and the event loop
// turns that byte into an orderly close.
int g_signalSockets[2] = {-1, -1};

void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalSockets[0], &byte, 1);
}

bool installTerminationHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalSockets) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGTERM, &action, nullptr) == 0 && ::sigaction(SIGINT, &action, nullptr) == 0;
}

} // namespace

int main(int argc, char *argv[])
{
    kiln::ensurePassiveOpenMpWait(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Kiln"));
    QApplication::setOrganizationName(QStringLiteral("Kiln"));
    QApplication::setApplicationVersion(QStringLiteral(KILN_VERSION));
    QApplication::setDesktopFileName(QStringLiteral(KILN_APP_ID));
    QApplication::setWindowIcon(kiln::icons::app());
    kiln::linkBuiltinPlugins();
    kiln::appearance::applySaved();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Kiln: a workbench for machine-learning experiments."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption workspaceOption(
        QStringLiteral("workspace"),
        QStringLiteral("Open the workspace in <folder> (created when missing), or the team store "
                       "postgresql://[user@]host[:port]/db. Default: %1")
            .arg(QDir::toNativeSeparators(kiln::Workspace::defaultFolder())),
        QStringLiteral("location"));
    parser.addOption(workspaceOption);
    parser.addPositionalArgument(
        QStringLiteral("files"),
        QStringLiteral("Files to open once the window shows: a Kiln model bundle (*%1) is imported into the "
                       "Models panel, an MLflow store (an mlruns folder or an mlflow.db) into the Experiments "
                       "panel, data files and archives as datasets.")
            .arg(QLatin1String(kiln::bundle::kSuffix)),
        QStringLiteral("[file...]"));
    parser.process(app);
    // Relative to where kiln was started, before anything could change the working folder.
    QStringList files;
    const QStringList arguments = parser.positionalArguments();
    for (const QString &argument : arguments)
        files << QFileInfo(argument).absoluteFilePath();

    const QString folder
        = parser.isSet(workspaceOption) ? parser.value(workspaceOption) : kiln::Workspace::defaultFolder();
    auto workspace = kiln::Workspace::open(folder, kiln::Workspace::OpenMode::CreateIfMissing);
    if (!workspace) {
        const QString shown = kiln::Workspace::isStoreUrl(folder) ? kiln::Database::displayUrl(folder)
                                                                  : QDir::toNativeSeparators(folder);
        const QString message
            = QStringLiteral("Kiln cannot open the workspace in %1.\n\n%2").arg(shown, workspace.errorMessage());
        std::fprintf(stderr, "kiln: %s\n", qUtf8Printable(message));
        // Nothing else is on screen yet; a modal box before the event loop blocks nobody.
        QMessageBox::critical(nullptr, QStringLiteral("Kiln"), message);
        return 1;
    }

    kiln::MainWindow window(std::move(workspace).value());

    std::unique_ptr<QSocketNotifier> signalNotifier;
    if (installTerminationHandlers()) {
        signalNotifier = std::make_unique<QSocketNotifier>(g_signalSockets[1], QSocketNotifier::Read);
        QObject::connect(signalNotifier.get(), &QSocketNotifier::activated, &window, [&window] {
            char byte = 0;
            [[maybe_unused]] const ssize_t got = ::read(g_signalSockets[1], &byte, 1);
            // close() saves the layout, as a close by the user does; then leave with 0.
            window.close();
            QCoreApplication::quit();
        });
    } else {
        std::fprintf(stderr, "kiln: cannot watch SIGTERM/SIGINT; they will end Kiln abruptly\n");
    }

    window.show();
    // Under a bare X server (no window manager) nothing would give the window the focus,
    // and keyboard shortcuts need an active window.
    window.activateWindow();
    // Queued by the window: it shows before anything is read.
    window.openFiles(files);
    return QApplication::exec();
}
