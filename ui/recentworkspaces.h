#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace kiln {

/// The recently opened workspaces (newest first, at most ten), kept in QSettings and shown
/// in a File › Open Recent menu with a Clear entry. Entries are folders or team store
/// locations (postgresql://…, kept without a password; the menu shows their display URL).
class RecentWorkspaces final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecentWorkspaces)

public:
    static constexpr int kMaxEntries = 10;

    /// Fills `menu` (not owned) now and whenever the list changes.
    explicit RecentWorkspaces(QMenu *menu, QObject *parent = nullptr);

    /// Folders and team store locations, newest first.
    QStringList folders() const;
    void add(const QString &location);
    void remove(const QString &location);
    void clear();

Q_SIGNALS:
    void openRequested(const QString &location);

private:
    void save(const QStringList &folders);
    void rebuildMenu();

    QMenu *m_menu = nullptr;
};

} // namespace kiln
