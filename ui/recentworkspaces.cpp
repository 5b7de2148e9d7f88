#include "recentworkspaces.h"

#include "storage/database.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QUrl>

namespace kiln {

namespace {
const QString kSettingsKey = QStringLiteral("recentWorkspaces");

/// How a location is kept: a folder as its clean absolute path, a team store's URL as given
/// but never with a password (settings are no place for one).
QString keptForm(const QString &location)
{
    if (Workspace::isStoreUrl(location)) {
        QUrl url(location);
        url.setPassword({});
        return url.toString();
    }
    return QDir::cleanPath(QFileInfo(location).absoluteFilePath());
}

/// "iris-lab  —  /home/me/iris-lab", "kiln on db.lab  —  postgresql://me@db.lab:5432/kiln".
QString menuText(const QString &location)
{
    if (Workspace::isStoreUrl(location)) {
        const QUrl url(location);
        return QStringLiteral("%1 on %2  —  %3").arg(url.path().mid(1), url.host(), Database::displayUrl(location));
    }
    return QStringLiteral("%1  —  %2").arg(QFileInfo(location).fileName(), QDir::toNativeSeparators(location));
}
} // namespace

RecentWorkspaces::RecentWorkspaces(QMenu *menu, QObject *parent)
    : QObject(parent)
    , m_menu(menu)
{
    rebuildMenu();
}

QStringList RecentWorkspaces::folders() const
{
    return QSettings().value(kSettingsKey).toStringList();
}

void RecentWorkspaces::add(const QString &location)
{
    const QString clean = keptForm(location);
    QStringList list = folders();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > kMaxEntries)
        list.removeLast();
    save(list);
}

void RecentWorkspaces::remove(const QString &location)
{
    QStringList list = folders();
    list.removeAll(keptForm(location));
    save(list);
}

void RecentWorkspaces::clear()
{
    save({});
}

void RecentWorkspaces::save(const QStringList &folders)
{
    QSettings().setValue(kSettingsKey, folders);
    rebuildMenu();
}

void RecentWorkspaces::rebuildMenu()
{
    m_menu->clear();
    const QStringList list = folders();
    for (int i = 0; i < list.size(); ++i) {
        const QString &folder = list.at(i);
        // &1..&9 and &0 make the first ten reachable from the keyboard.
        const QString label = QStringLiteral("&%1  %2").arg((i + 1) % 10).arg(menuText(folder));
        QAction *action = m_menu->addAction(label);
        action->setToolTip(Workspace::isStoreUrl(folder) ? Database::displayUrl(folder) : folder);
        connect(action, &QAction::triggered, this, [this, folder] { Q_EMIT openRequested(folder); });
    }
    if (list.isEmpty()) {
        m_menu->addAction(tr("No recent workspaces"))->setEnabled(false);
    }
    m_menu->addSeparator();
    QAction *clearAction = m_menu->addAction(tr("&Clear Recent Workspaces"), this, &RecentWorkspaces::clear);
    clearAction->setEnabled(!list.isEmpty());
}

} // namespace kiln
