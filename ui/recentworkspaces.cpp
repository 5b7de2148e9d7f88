#include "recentworkspaces.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace kiln {

namespace {
const QString kSettingsKey = QStringLiteral("recentWorkspaces");
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

void RecentWorkspaces::add(const QString &folder)
{
    const QString clean = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    QStringList list = folders();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > kMaxEntries)
        list.removeLast();
    save(list);
}

void RecentWorkspaces::remove(const QString &folder)
{
    QStringList list = folders();
    list.removeAll(QDir::cleanPath(QFileInfo(folder).absoluteFilePath()));
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
        const QString label = QStringLiteral("&%1  %2  —  %3")
                                  .arg((i + 1) % 10)
                                  .arg(QFileInfo(folder).fileName(), QDir::toNativeSeparators(folder));
        QAction *action = m_menu->addAction(label);
        action->setToolTip(folder);
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
