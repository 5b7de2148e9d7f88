#pragma once

#include <QDialog>
#include <QList>
#include <QString>

class QLineEdit;
class QMainWindow;
class QTreeWidget;

namespace kiln {

/// Help › Keyboard Shortcuts: every action of a window that has a shortcut, read from the
/// actions themselves (menu bar, submenus, then the actions of the window's widgets), grouped
/// by menu, with a filter; and the keys that views handle themselves. GUI thread.
class ShortcutsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ShortcutsDialog)

public:
    /// One row: `group` (a menu's or a panel's name), `name` (the path to the action,
    /// "File ▸ Import Files…", without mnemonics) and `keys` (native text, "Ctrl+I").
    struct Entry
    {
        QString group;
        QString name;
        QString keys;
    };

    explicit ShortcutsDialog(QMainWindow *window, QWidget *parent = nullptr);
    ~ShortcutsDialog() override;

    /// The rows for `window`, as the dialog lists them, in menu order.
    static QList<Entry> collect(QMainWindow *window);
    /// Keys that views handle without an action (the runs table's Ctrl+F, a chart's +/−).
    static QList<Entry> viewKeys();
    /// `text` without its mnemonic ampersands ("&&" stays one "&").
    static QString plainText(const QString &text);

    /// Shows only the rows whose name, group or keys contain `text` (case-insensitive).
    void setFilter(const QString &text);

private:
    QLineEdit *m_filter;
    QTreeWidget *m_tree;
};

} // namespace kiln
