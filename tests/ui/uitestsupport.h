#pragma once

// Helpers for the tests that drive real widgets offscreen. Header-only, like testsupport.h.

#include "testsupport.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLineEdit>
#include <QLineSeries>
#include <QMimeData>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QToolBar>
#include <QTreeView>
#include <QUrl>

namespace kiln::test {

/// The visible top-level dialog of type `Dialog` (dialogs open with open(): no nested loop).
template<typename Dialog>
Dialog *visibleDialog()
{
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (QWidget *window : windows) {
        if (auto *dialog = qobject_cast<Dialog *>(window); dialog && dialog->isVisible())
            return dialog;
    }
    return nullptr;
}

/// The child of `parent` of type `T` called `name`; warns (naming it) and returns null when none.
template<typename T>
T *namedChild(const QObject *parent, const QString &name)
{
    T *found = parent->findChild<T *>(name);
    if (!found)
        qWarning("no %s", qPrintable(name));
    return found;
}

/// Saves what `widget` shows to outputDir()/`name` for a person to look at; returns its size.
inline qint64 savePng(QWidget *widget, const QString &name)
{
    const QString path = outputDir() + u'/' + name;
    if (!widget->grab().save(path, "PNG"))
        return 0;
    qInfo("screenshot: %s", qPrintable(path));
    return QFileInfo(path).size();
}

/// Clicks the tool button a toolbar shows for `action`.
inline void clickAction(QToolBar *toolBar, QAction *action)
{
    QWidget *button = toolBar->widgetForAction(action);
    QVERIFY(button);
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
}

/// Replaces a line edit's text by typing, as a user does.
/// A real click on a row of a tree or table view (scrolled into view first).
inline void clickRow(QTreeView *tree, const QModelIndex &index, Qt::KeyboardModifiers modifiers = {})
{
    tree->scrollTo(index);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, modifiers, tree->visualRect(index).center());
}

/// A real click on a tab of `tabs`; fails the test when another tab shows afterwards.
inline void clickTab(QTabWidget *tabs, int tab)
{
    QTabBar *bar = tabs->tabBar();
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(tab).center());
    QCOMPARE(tabs->currentIndex(), tab);
}

inline void typeInto(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

/// The line series called `name` in `chart`, or null.
inline QLineSeries *lineNamed(QChart *chart, const QString &name)
{
    if (!chart)
        return nullptr;
    const QList<QAbstractSeries *> series = chart->series();
    for (QAbstractSeries *s : series) {
        if (s->name() == name)
            return qobject_cast<QLineSeries *>(s);
    }
    return nullptr;
}

/// Drops `paths` onto `target` as a file manager would: drag enter, then drop.
inline bool dropFiles(QWidget *target, const QStringList &paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString &path : paths)
        urls << QUrl::fromLocalFile(path);
    mime.setUrls(urls);
    const QPoint where = target->rect().center();
    QDragEnterEvent enter(where, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent drop(QPointF(where), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

} // namespace kiln::test
