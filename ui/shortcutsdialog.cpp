#include "shortcutsdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace kiln {

namespace {

const QString kPathSeparator = QStringLiteral(" ▸ ");

QString keysText(const QAction *action)
{
    QStringList keys;
    const QList<QKeySequence> shortcuts = action->shortcuts();
    for (const QKeySequence &shortcut : shortcuts) {
        if (!shortcut.isEmpty())
            keys << shortcut.toString(QKeySequence::NativeText);
    }
    return keys.join(QStringLiteral(", "));
}

QString keyText(QKeySequence::StandardKey key)
{
    return QKeySequence(key).toString(QKeySequence::NativeText);
}

QString keyText(const QKeySequence &key)
{
    return key.toString(QKeySequence::NativeText);
}

void collectMenu(const QMenu *menu, const QString &group, const QString &path, QList<ShortcutsDialog::Entry> &entries,
                 QSet<const QAction *> &seen)
{
    const QList<QAction *> actions = menu->actions();
    for (const QAction *action : actions) {
        if (action->isSeparator() || !action->isVisible())
            continue;
        const QString name = path + kPathSeparator + ShortcutsDialog::plainText(action->text());
        if (const QMenu *submenu = action->menu()) {
            collectMenu(submenu, group, name, entries, seen);
            continue;
        }
        const QString keys = keysText(action);
        if (keys.isEmpty() || seen.contains(action))
            continue;
        seen.insert(action);
        entries.append({group, name, keys});
    }
}

/// The name of the panel `widget` sits in: the sidebar's entry of the panel stack's page that
/// holds it, when the window has both.
QString panelOf(const QMainWindow *window, const QWidget *widget)
{
    const auto *switcher = window->findChild<QListWidget *>(QStringLiteral("panelSwitcher"));
    for (const QWidget *page = widget; page && page != window; page = page->parentWidget()) {
        const auto *stack = qobject_cast<const QStackedWidget *>(page->parentWidget());
        if (!stack)
            continue;
        const int index = stack->indexOf(const_cast<QWidget *>(page));
        if (switcher && index >= 0 && index < switcher->count() && stack->count() == switcher->count())
            return ShortcutsDialog::tr("%1 panel").arg(switcher->item(index)->text());
    }
    return ShortcutsDialog::tr("Window");
}

} // namespace

ShortcutsDialog::ShortcutsDialog(QMainWindow *window, QWidget *parent)
    : QDialog(parent ? parent : window)
    , m_filter(new QLineEdit(this))
    , m_tree(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));

    m_filter->setObjectName(QStringLiteral("shortcutsFilter"));
    m_filter->setPlaceholderText(tr("Filter by action or key"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, &ShortcutsDialog::setFilter);

    m_tree->setObjectName(QStringLiteral("shortcutsTree"));
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Action"), tr("Shortcut")});
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::NoSelection);
    m_tree->setFocusPolicy(Qt::NoFocus);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);

    QList<Entry> entries = collect(window);
    entries += viewKeys();
    QTreeWidgetItem *groupItem = nullptr;
    for (const Entry &entry : std::as_const(entries)) {
        if (!groupItem || groupItem->text(0) != entry.group) {
            groupItem = new QTreeWidgetItem(m_tree, {entry.group});
            QFont bold = groupItem->font(0);
            bold.setBold(true);
            groupItem->setFont(0, bold);
            groupItem->setFirstColumnSpanned(true);
            groupItem->setFlags(Qt::ItemIsEnabled);
        }
        auto *item = new QTreeWidgetItem(groupItem, {entry.name, entry.keys});
        item->setFlags(Qt::ItemIsEnabled);
    }
    m_tree->expandAll();

    auto *note = new QLabel(tr("Shortcuts of a panel work while it has the keyboard focus."), this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    resize(560, 620);
    m_filter->setFocus();
}

ShortcutsDialog::~ShortcutsDialog() = default;

QString ShortcutsDialog::plainText(const QString &text)
{
    QString plain;
    plain.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        // "&F" marks F as the mnemonic; "&&" is a literal ampersand.
        if (text.at(i) == u'&' && ++i == text.size())
            break;
        plain += text.at(i);
    }
    // A shortcut hint after a tab ("Open\tCtrl+O") is not part of the name.
    return plain.section(u'\t', 0, 0);
}

QList<ShortcutsDialog::Entry> ShortcutsDialog::collect(QMainWindow *window)
{
    QList<Entry> entries;
    QSet<const QAction *> seen;
    const QList<QAction *> menus = window->menuBar()->actions();
    for (const QAction *menuAction : menus) {
        const QMenu *menu = menuAction->menu();
        if (!menu || !menuAction->isVisible())
            continue;
        const QString title = plainText(menuAction->text());
        collectMenu(menu, title, title, entries, seen);
    }
    // Actions of the panels that no menu holds: grouped by panel, in widget order.
    QList<Entry> panelEntries;
    const QList<QWidget *> widgets = window->findChildren<QWidget *>();
    for (const QWidget *widget : widgets) {
        if (qobject_cast<const QMenu *>(widget) || qobject_cast<const QMenuBar *>(widget))
            continue;
        const QList<QAction *> actions = widget->actions();
        for (const QAction *action : actions) {
            const QString keys = keysText(action);
            if (keys.isEmpty() || action->isSeparator() || seen.contains(action))
                continue;
            seen.insert(action);
            panelEntries.append({panelOf(window, widget), plainText(action->text()), keys});
        }
    }
    std::stable_sort(panelEntries.begin(), panelEntries.end(),
                     [](const Entry &a, const Entry &b) { return a.group < b.group; });
    return entries + panelEntries;
}

QList<ShortcutsDialog::Entry> ShortcutsDialog::viewKeys()
{
    const QString runs = tr("Runs table");
    const QString chart = tr("Metric charts");
    const QString lineage = tr("Lineage graph");
    return {
        {runs, tr("Filter the runs"), keyText(QKeySequence::Find)},
        {runs, tr("Select every run shown"), keyText(QKeySequence::SelectAll)},
        {runs, tr("Clear the filter (in the filter field)"), keyText(QKeySequence(Qt::Key_Escape))},
        {chart, tr("Zoom in"), keyText(QKeySequence(Qt::Key_Plus))},
        {chart, tr("Zoom out"), keyText(QKeySequence(Qt::Key_Minus))},
        {chart, tr("Show everything"), keyText(QKeySequence(Qt::Key_Home))},
        {chart, tr("Pan left or right"),
         keyText(QKeySequence(Qt::Key_Left)) + QStringLiteral(", ") + keyText(QKeySequence(Qt::Key_Right))},
        {lineage, tr("Next or previous node"),
         keyText(QKeySequence(Qt::Key_Tab)) + QStringLiteral(", ") + keyText(QKeySequence(Qt::SHIFT | Qt::Key_Tab))},
        {lineage, tr("Open the node"),
         keyText(QKeySequence(Qt::Key_Return)) + QStringLiteral(", ") + keyText(QKeySequence(Qt::Key_Space))},
    };
}

void ShortcutsDialog::setFilter(const QString &text)
{
    const QString wanted = text.trimmed();
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = m_tree->topLevelItem(g);
        const bool groupMatches = group->text(0).contains(wanted, Qt::CaseInsensitive);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem *item = group->child(i);
            const bool match = wanted.isEmpty() || groupMatches || item->text(0).contains(wanted, Qt::CaseInsensitive)
                || item->text(1).contains(wanted, Qt::CaseInsensitive);
            item->setHidden(!match);
            shown += match ? 1 : 0;
        }
        group->setHidden(shown == 0);
    }
    if (m_filter->text() != text)
        m_filter->setText(text);
}

} // namespace kiln
