#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace kiln {

/// The recently opened workspaces (newest first, at most ten), kept in QSettings and shown
/// in a File › Open Recent menu with a Clear entry.
class RecentWorkspaces final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecentWorkspaces)

public:
    static constexpr int kMaxEntries = 10;

    /// Fills `menu` (not owned) now and whenever the list changes.
    explicit RecentWorkspaces(QMenu *menu, QObject *parent = nullptr);

    QStringList folders() const;
    void add(const QString &folder);
    void remove(const QString &folder);
    void clear();

Q_SIGNALS:
    void openRequested(const QString &folder);

private:
    void save(const QStringList &folders);
    void rebuildMenu();

    QMenu *m_menu = nullptr;
};

} // namespace kiln
