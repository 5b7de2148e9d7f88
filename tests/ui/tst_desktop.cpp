// Desktop integration through the real window on the demo workspace, offscreen: the keyboard
// shortcuts Help lists (read from the actions, none ambiguous), the light and dark palettes
// switched live, and drawing at a device pixel ratio of 2 (the tst_desktop_hidpi run sets
// QT_SCALE_FACTOR=2).

#include "appearance.h"
#include "builtinplugins.h"
#include "chartstyle.h"
#include "datapanel.h"
#include "demo/demoworkspace.h"
#include "experimentspanel.h"
#include "mainwindow.h"
#include "models/runtablemodel.h"
#include "modelspanel.h"
#include "plotwidget.h"
#include "runs/runstore.h"
#include "runstableview.h"
#include "shortcutsdialog.h"
#include "testsupport.h"
#include "theme.h"
#include "uitestsupport.h"
#include "workspace/workspace.h"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QShortcut>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QThread>
#include <QTreeWidget>
#include <QValueAxis>

#include <functional>

using namespace kiln;

namespace {

/// A menu text as the dialog shows it: mnemonics removed, "&&" kept as "&".
QString plain(QString text)
{
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
    return text;
}

QString native(const QKeySequence &key)
{
    return key.toString(QKeySequence::NativeText);
}

/// The dialog's rows: action name → (group, keys).
QHash<QString, QPair<QString, QString>> rowsOf(const QTreeWidget *tree, bool visibleOnly = false)
{
    QHash<QString, QPair<QString, QString>> rows;
    for (int g = 0; g < tree->topLevelItemCount(); ++g) {
        const QTreeWidgetItem *group = tree->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i) {
            const QTreeWidgetItem *item = group->child(i);
            if (!visibleOnly || (!item->isHidden() && !group->isHidden()))
                rows.insert(item->text(0), {group->text(0), item->text(1)});
        }
    }
    return rows;
}

/// Where a shortcut is live: a widget, with (`exact`) or without its children, or the window.
struct Binding
{
    QString name;
    const QObject *owner = nullptr;
    QKeySequence key;
    const QWidget *scope = nullptr;
    bool exact = false;
};

bool overlaps(const Binding &a, const Binding &b)
{
    if (a.scope == b.scope)
        return true;
    if (a.exact && b.exact)
        return false;
    // A shortcut of a widget's children is live wherever one of its ancestors' is.
    return (!a.exact && a.scope->isAncestorOf(b.scope)) || (!b.exact && b.scope->isAncestorOf(a.scope))
        || (a.exact && b.scope->isAncestorOf(a.scope)) || (b.exact && a.scope->isAncestorOf(b.scope));
}

double lightness(const QImage &image, int x, int y)
{
    return image.pixelColor(x, y).lightnessF();
}

/// The lightest and darkest pixel of `rect` (device pixels) of `image`.
QPair<double, double> lightnessRange(const QImage &image, const QRect &rect)
{
    double low = 1;
    double high = 0;
    const QRect inside = rect.intersected(image.rect());
    for (int y = inside.top(); y <= inside.bottom(); ++y) {
        for (int x = inside.left(); x <= inside.right(); ++x) {
            low = std::min(low, lightness(image, x, y));
            high = std::max(high, lightness(image, x, y));
        }
    }
    return {low, high};
}

QRect toDevice(const QRect &rect, qreal ratio)
{
    return QRect((QPointF(rect.topLeft()) * ratio).toPoint(), (QSizeF(rect.size()) * ratio).toSize());
}

} // namespace

class TestDesktop final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void shortcutsListEveryAction();
    void shortcutsFilter();
    void noShortcutIsAmbiguous();
    void helpMenuOpensShortcuts();
    void darkAndLightSwitchLive();
    void appearanceMenuInWindow();
    void linesAreCrispAtDevicePixels();
    void highDpiWindow();

private:
    std::unique_ptr<MainWindow> openWindow();
    /// Checks `plot` and `chart` against the palette now applied: a dark or light background
    /// and axis text of the opposite lightness.
    void checkPlotColors(PlotWidget *plot, QChartView *chart, bool dark);

    QTemporaryDir m_dir;
    QString m_demo;
    QList<qint64> m_runIds;
    QPalette m_platformPalette;
};

void TestDesktop::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    linkBuiltinPlugins();
    m_platformPalette = QGuiApplication::palette();
    QVERIFY(m_dir.isValid());
    m_demo = m_dir.filePath(QStringLiteral("demo"));
    // The demo trains real runs (a few seconds): on a worker, as Help › Open Demo Workspace does.
    Status built;
    Feedback feedback;
    std::unique_ptr<QThread> worker(QThread::create([&] { built = buildDemoWorkspace(m_demo, feedback); }));
    QSignalSpy finished(worker.get(), &QThread::finished);
    worker->start();
    QVERIFY(finished.wait(300000));
    if (!built)
        QFAIL(qPrintable(built.errorMessage()));
    auto workspace = Workspace::open(m_demo);
    if (!workspace)
        QFAIL(qPrintable(workspace.errorMessage()));
    const auto runs = RunStore((*workspace)->db()).runs();
    QVERIFY(runs);
    for (const RunRecord &run : *runs)
        m_runIds << run.id;
    QVERIFY(m_runIds.size() >= 4);
}

void TestDesktop::cleanupTestCase()
{
    appearance::setMode(appearance::Mode::System);
}

void TestDesktop::cleanup()
{
    // A failed check leaves no dark palette behind for the next test.
    appearance::setMode(appearance::Mode::System);
}

std::unique_ptr<MainWindow> TestDesktop::openWindow()
{
    auto workspace = Workspace::open(m_demo);
    if (!workspace) {
        qWarning("%s", qPrintable(workspace.errorMessage()));
        return {};
    }
    auto window = std::make_unique<MainWindow>(std::move(workspace).value());
    window->resize(1400, 880);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get()))
        return {};
    return window;
}

void TestDesktop::shortcutsListEveryAction()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    ShortcutsDialog dialog(window.get());
    QCOMPARE(dialog.objectName(), QStringLiteral("shortcutsDialog"));
    auto *tree = test::namedChild<QTreeWidget>(&dialog, QStringLiteral("shortcutsTree"));
    QVERIFY(tree);
    const auto rows = rowsOf(tree);

    // The rows users look for, exactly.
    const QString view = QStringLiteral("View");
    QCOMPARE(rows.value(QStringLiteral("View ▸ Data")), qMakePair(view, QStringLiteral("Ctrl+1")));
    QCOMPARE(rows.value(QStringLiteral("View ▸ Experiments")), qMakePair(view, QStringLiteral("Ctrl+2")));
    QCOMPARE(rows.value(QStringLiteral("View ▸ Models")), qMakePair(view, QStringLiteral("Ctrl+3")));
    QCOMPARE(rows.value(QStringLiteral("View ▸ Deployments")), qMakePair(view, QStringLiteral("Ctrl+4")));
    const QString file = QStringLiteral("File");
    QCOMPARE(rows.value(QStringLiteral("File ▸ Import Files…")), qMakePair(file, QStringLiteral("Ctrl+I")));
    QCOMPARE(rows.value(QStringLiteral("File ▸ Quit")), qMakePair(file, QStringLiteral("Ctrl+Q")));

    // Every action of the menu bar with a shortcut, walked here on its own, is listed.
    int walked = 0;
    std::function<void(const QMenu *, const QString &, const QString &)> walk
        = [&](const QMenu *menu, const QString &group, const QString &path) {
              const QList<QAction *> actions = menu->actions();
              for (const QAction *action : actions) {
                  if (action->isSeparator() || !action->isVisible())
                      continue;
                  const QString name = path + QStringLiteral(" ▸ ") + plain(action->text());
                  if (action->menu()) {
                      walk(action->menu(), group, name);
                  } else if (!action->shortcut().isEmpty()) {
                      ++walked;
                      QVERIFY2(rows.contains(name), qPrintable(name));
                      QCOMPARE(rows.value(name).first, group);
                      QVERIFY2(rows.value(name).second.contains(native(action->shortcut())), qPrintable(name));
                  }
              }
          };
    const QList<QAction *> menus = window->menuBar()->actions();
    for (const QAction *menu : menus) {
        if (menu->menu())
            walk(menu->menu(), plain(menu->text()), plain(menu->text()));
    }
    QVERIFY2(walked >= 15, qPrintable(QString::number(walked)));

    // The panels' own actions (toolbars) are there too, under their panel.
    const QList<QWidget *> widgets = window->findChildren<QWidget *>();
    for (const QWidget *widget : widgets) {
        const QList<QAction *> actions = widget->actions();
        for (const QAction *action : actions) {
            if (action->shortcut().isEmpty())
                continue;
            const bool listed = std::any_of(rows.cbegin(), rows.cend(), [&](const auto &row) {
                return row.second.contains(native(action->shortcut()));
            });
            QVERIFY2(listed, qPrintable(plain(action->text())));
        }
    }
    const auto alias = rows.value(QStringLiteral("Set Alias…"));
    QCOMPARE(alias, qMakePair(QStringLiteral("Models panel"), QStringLiteral("Ctrl+L")));

    // The keys views handle themselves are listed, and are real: the runs table's shortcuts.
    const QList<QShortcut *> shortcuts = window->experimentsPanel()->runTable()->findChildren<QShortcut *>();
    QVERIFY(!shortcuts.isEmpty());
    for (const QShortcut *shortcut : shortcuts) {
        const QString keys = native(shortcut->key());
        const bool listed = std::any_of(rows.cbegin(), rows.cend(), [&](const auto &row) {
            return row.first == QLatin1String("Runs table") && row.second == keys;
        });
        QVERIFY2(listed, qPrintable(keys));
    }
}

void TestDesktop::shortcutsFilter()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    ShortcutsDialog dialog(window.get());
    dialog.show();
    auto *filter = test::namedChild<QLineEdit>(&dialog, QStringLiteral("shortcutsFilter"));
    auto *tree = test::namedChild<QTreeWidget>(&dialog, QStringLiteral("shortcutsTree"));
    QVERIFY(filter && tree);
    QTest::keyClicks(filter, QStringLiteral("import"));
    const auto shown = rowsOf(tree, true);
    QVERIFY(shown.contains(QStringLiteral("File ▸ Import Files…")));
    QVERIFY(!shown.contains(QStringLiteral("File ▸ Quit")));
    for (auto it = shown.cbegin(); it != shown.cend(); ++it) {
        QVERIFY2(it.key().contains(QStringLiteral("import"), Qt::CaseInsensitive)
                     || it.value().first.contains(QStringLiteral("import"), Qt::CaseInsensitive),
                 qPrintable(it.key()));
    }
    // By key: Ctrl+Q finds Quit.
    filter->clear();
    QTest::keyClicks(filter, QStringLiteral("ctrl+q"));
    QCOMPARE(rowsOf(tree, true).keys(), QStringList {QStringLiteral("File ▸ Quit")});
    filter->clear();
    QCOMPARE(rowsOf(tree, true).size(), rowsOf(tree).size());
}

void TestDesktop::noShortcutIsAmbiguous()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    std::vector<Binding> bindings;
    const QList<QAction *> actions = window->findChildren<QAction *>();
    for (const QAction *action : actions) {
        const QList<QKeySequence> keys = action->shortcuts();
        const Qt::ShortcutContext context = action->shortcutContext();
        for (const QKeySequence &key : keys) {
            if (key.isEmpty())
                continue;
            const QList<QObject *> associated = action->associatedObjects();
            for (const QObject *object : associated) {
                const auto *widget = qobject_cast<const QWidget *>(object);
                if (!widget)
                    continue;
                const bool inMenu = qobject_cast<const QMenu *>(widget) || qobject_cast<const QMenuBar *>(widget);
                if (context == Qt::WindowShortcut || context == Qt::ApplicationShortcut)
                    bindings.push_back({plain(action->text()), action, key, window.get(), false});
                else if (!inMenu)
                    bindings.push_back({plain(action->text()), action, key, widget, context == Qt::WidgetShortcut});
            }
        }
    }
    const QList<QShortcut *> shortcuts = window->findChildren<QShortcut *>();
    for (const QShortcut *shortcut : shortcuts) {
        const QWidget *scope = shortcut->context() == Qt::WindowShortcut
            ? window.get()
            : qobject_cast<const QWidget *>(shortcut->parent());
        bindings.push_back(
            {native(shortcut->key()), shortcut, shortcut->key(), scope, shortcut->context() == Qt::WidgetShortcut});
    }
    QVERIFY(bindings.size() > 20);
    QStringList clashes;
    for (std::size_t i = 0; i < bindings.size(); ++i) {
        for (std::size_t j = i + 1; j < bindings.size(); ++j) {
            const Binding &a = bindings[i];
            const Binding &b = bindings[j];
            if (a.owner != b.owner && a.key == b.key && overlaps(a, b))
                clashes << QStringLiteral("%1: “%2” and “%3”").arg(native(a.key), a.name, b.name);
        }
    }
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(u'\n')));
}

void TestDesktop::helpMenuOpensShortcuts()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    auto *action = test::namedChild<QAction>(window.get(), QStringLiteral("keyboardShortcutsAction"));
    QVERIFY(action);
    QVERIFY(!action->shortcut().isEmpty());
    action->trigger();
    ShortcutsDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = test::visibleDialog<ShortcutsDialog>()));
    QVERIFY(rowsOf(dialog->findChild<QTreeWidget *>()).contains(QStringLiteral("Help ▸ Keyboard Shortcuts…")));
    dialog->close();
}

void TestDesktop::checkPlotColors(PlotWidget *plot, QChartView *chart, bool dark)
{
    const QString mode = dark ? QStringLiteral("dark") : QStringLiteral("light");
    // The plot: its background, and its tick labels left of the plot area.
    const QPixmap plotShot = plot->grab();
    const QImage plotImage = plotShot.toImage();
    const qreal ratio = plotShot.devicePixelRatio();
    const double background = lightness(plotImage, int(3 * ratio), int(3 * ratio));
    const QRect plotArea = plot->plotArea();
    const auto [plotLow, plotHigh]
        = lightnessRange(plotImage, toDevice(QRect(0, plotArea.top(), plotArea.left() - 3, plotArea.height()), ratio));
    // The chart: its background and its y axis labels left of its plot area.
    const QPixmap chartShot = chart->grab();
    const QImage chartImage = chartShot.toImage();
    const double chartBackground = lightness(chartImage, int(3 * ratio), int(3 * ratio));
    const QRect chartArea = chart->chart()->plotArea().toRect();
    const auto [chartLow, chartHigh] = lightnessRange(
        chartImage, toDevice(QRect(0, chartArea.top(), chartArea.left() - 4, chartArea.height()), ratio));
    const QString seen = QStringLiteral("%1: plot background %2, labels %3..%4; chart background %5, labels %6..%7")
                             .arg(mode)
                             .arg(background)
                             .arg(plotLow)
                             .arg(plotHigh)
                             .arg(chartBackground)
                             .arg(chartLow)
                             .arg(chartHigh);
    if (dark) {
        QVERIFY2(background < 0.25 && plotHigh > 0.6, qPrintable(seen));
        QVERIFY2(chartBackground < 0.25 && chartHigh > 0.6, qPrintable(seen));
    } else {
        QVERIFY2(background > 0.9 && plotLow < 0.45, qPrintable(seen));
        QVERIFY2(chartBackground > 0.9 && chartLow < 0.45, qPrintable(seen));
    }
}

void TestDesktop::darkAndLightSwitchLive()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    ExperimentsPanel *panel = window->experimentsPanel();
    window->showPanel(MainWindow::Panel::Experiments);
    QTRY_COMPARE(panel->runModel()->runCount(), int(m_runIds.size()));
    // A few runs selected: most rows of the table show its own colours, not the selection's.
    panel->selectRuns(m_runIds.mid(0, 4));
    QTRY_COMPARE(panel->selectedRunIds().size(), 4);
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Overlay));
    auto *plot = test::namedChild<PlotWidget>(panel, QStringLiteral("overlayPlot"));
    QVERIFY(plot);
    QTRY_VERIFY(!plot->series().isEmpty());

    // A chart made as every Kiln chart is, and a muted label, both made before the switch.
    QChart *chart = chartstyle::newChart(QStringLiteral("Loss"));
    auto *series = new QLineSeries;
    series->append({QPointF(0, 0.9), QPointF(1, 0.5), QPointF(2, 0.3)});
    chart->addSeries(series);
    auto *x = new QValueAxis;
    auto *y = new QValueAxis;
    x->setRange(0, 2);
    y->setRange(0, 1);
    chartstyle::styleAxis(x);
    chartstyle::styleAxis(y);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    std::unique_ptr<QChartView> chartView(chartstyle::newChartView(chart));
    chartView->resize(420, 300);
    chartView->show();
    QVERIFY(QTest::qWaitForWindowExposed(chartView.get()));
    QLabel muted(QStringLiteral("secondary"));
    appearance::setTextRole(&muted, appearance::TextRole::Muted);

    QVERIFY(!appearance::isDark());
    checkPlotColors(plot, chartView.get(), false);

    appearance::setMode(appearance::Mode::Dark);
    QVERIFY(appearance::isDark());
    QVERIFY(QGuiApplication::palette().color(QPalette::Window).lightnessF() < 0.25);
    QCOMPARE(appearance::mode(), appearance::Mode::Dark);
    QCOMPARE(QSettings().value(QStringLiteral("appearance/mode")).toString(), QStringLiteral("dark"));
    checkPlotColors(plot, chartView.get(), true);
    QVERIFY2(muted.styleSheet().contains(theme::mutedText().name()), qPrintable(muted.styleSheet()));
    QVERIFY(theme::mutedText().lightnessF() > 0.5);

    // The sidebar and the runs table read: light text on their dark backgrounds.
    auto *sidebar = test::namedChild<QWidget>(window.get(), QStringLiteral("sidebar"));
    QVERIFY(sidebar);
    const QImage sidebarImage = sidebar->grab().toImage();
    QVERIFY(lightness(sidebarImage, sidebarImage.width() - 3, sidebarImage.height() / 2) < 0.3);
    QVERIFY(lightnessRange(sidebarImage, sidebarImage.rect()).second > 0.7);
    auto *runs = test::namedChild<QTreeView>(panel, QStringLiteral("runsTable"));
    QVERIFY(runs);
    const QPalette runsPalette = runs->palette();
    QVERIFY(runsPalette.color(QPalette::Base).lightnessF() < 0.25);
    QVERIFY(runsPalette.color(QPalette::Text).lightnessF() > 0.75);
    const QImage runsImage = runs->viewport()->grab().toImage();
    qint64 darkPixels = 0;
    for (int row = 0; row < runsImage.height(); ++row) {
        for (int column = 0; column < runsImage.width(); ++column)
            darkPixels += lightness(runsImage, column, row) < 0.25 ? 1 : 0;
    }
    QVERIFY2(darkPixels * 2 > qint64(runsImage.width()) * runsImage.height(), qPrintable(QString::number(darkPixels)));
    QVERIFY(lightnessRange(runsImage, runsImage.rect()).second > 0.7);

    if (qFuzzyCompare(window->devicePixelRatioF(), 1.0)) {
        QVERIFY(test::savePng(window.get(), QStringLiteral("dark-experiments.png")) > 20000);
        window->showPanel(MainWindow::Panel::Data);
        window->dataPanel()->selectVersion(QStringLiteral("customer_churn"), 1);
        QVERIFY(test::savePng(window.get(), QStringLiteral("dark-data.png")) > 20000);
        window->showPanel(MainWindow::Panel::Models);
        window->modelsPanel()->selectVersion(QStringLiteral("churn"), 1);
        QVERIFY(test::savePng(window.get(), QStringLiteral("dark-models.png")) > 20000);
        window->showPanel(MainWindow::Panel::Deployments);
        QVERIFY(test::savePng(window.get(), QStringLiteral("dark-deployments.png")) > 10000);
        window->showPanel(MainWindow::Panel::Experiments);
    }

    // Back to light, live: the same pixels flip.
    appearance::setMode(appearance::Mode::Light);
    QVERIFY(!appearance::isDark());
    QCOMPARE(QSettings().value(QStringLiteral("appearance/mode")).toString(), QStringLiteral("light"));
    checkPlotColors(plot, chartView.get(), false);
    QVERIFY2(muted.styleSheet().contains(theme::mutedText().name()), qPrintable(muted.styleSheet()));
    QVERIFY(theme::mutedText().lightnessF() < 0.5);
    QVERIFY(runs->palette().color(QPalette::Base).lightnessF() > 0.9);

    // System gives the platform's palette back.
    appearance::setMode(appearance::Mode::System);
    QCOMPARE(appearance::mode(), appearance::Mode::System);
    QCOMPARE(QGuiApplication::palette().color(QPalette::Window), m_platformPalette.color(QPalette::Window));
    QCOMPARE(QGuiApplication::palette().color(QPalette::Text), m_platformPalette.color(QPalette::Text));
}

void TestDesktop::appearanceMenuInWindow()
{
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    // View › Appearance: three exclusive choices; Dark applies at once and is remembered.
    auto *menu = test::namedChild<QMenu>(window.get(), QStringLiteral("appearanceMenu"));
    QVERIFY(menu);
    const QList<QAction *> menus = window->menuBar()->actions();
    const auto view = std::find_if(menus.cbegin(), menus.cend(), [](const QAction *action) {
        return plain(action->text()) == QLatin1String("View");
    });
    QVERIFY(view != menus.cend() && (*view)->menu()->actions().contains(menu->menuAction()));
    auto *dark = test::namedChild<QAction>(menu, QStringLiteral("appearanceDarkAction"));
    auto *system = test::namedChild<QAction>(menu, QStringLiteral("appearanceSystemAction"));
    QVERIFY(dark && system && test::namedChild<QAction>(menu, QStringLiteral("appearanceLightAction")));
    QVERIFY(system->isChecked());
    dark->trigger();
    QVERIFY(dark->isChecked() && !system->isChecked());
    QVERIFY(appearance::isDark());
    QCOMPARE(appearance::mode(), appearance::Mode::Dark);
    // A new window (as after a restart, applySaved() at startup) shows the saved choice.
    appearance::applySaved();
    QVERIFY(appearance::isDark());
    system->trigger();
    QVERIFY(!appearance::isDark());
    QCOMPARE(appearance::mode(), appearance::Mode::System);
}

void TestDesktop::linesAreCrispAtDevicePixels()
{
    // A 1 px line of a plot is as many device pixels wide as the ratio, in its exact colour:
    // no blurred edge (runs twice: at 1, and at 2 in tst_desktop_hidpi).
    PlotWidget plot;
    const QColor color(0x1f, 0x77, 0xb4);
    plot.setSeries({PlotSeries {1, QStringLiteral("flat"), color,
                                std::make_shared<const std::vector<double>>(std::vector<double> {0, 1}),
                                std::make_shared<const std::vector<double>>(std::vector<double> {0.37, 0.37})}});
    plot.setView(QRectF(QPointF(0, 0), QPointF(1, 1)));
    plot.resize(400, 300);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    const qreal ratio = plot.devicePixelRatioF();
    const QPixmap shot = plot.grab();
    QCOMPARE(shot.devicePixelRatio(), ratio);
    QCOMPARE(shot.size(), (QSizeF(plot.size()) * ratio).toSize());
    const QImage image = shot.toImage();
    const QRect area = toDevice(plot.plotArea(), ratio);
    const int x = area.center().x();
    const QColor background = theme::plotBackground(plot.palette());
    const QColor grid = theme::plotGrid(plot.palette());
    const QColor drawn = theme::readableOn(color, background);
    QList<int> lineRows;
    for (int y = area.top() + 2; y < area.bottom() - 2; ++y) {
        if (image.pixelColor(x, y) == drawn)
            lineRows << y;
    }
    QCOMPARE(lineRows.size(), int(std::lround(ratio)));
    QCOMPARE(lineRows.last() - lineRows.first() + 1, lineRows.size());
    for (int y = lineRows.first() - 3; y <= lineRows.last() + 3; ++y) {
        const QColor seen = image.pixelColor(x, y);
        QVERIFY2(seen == drawn || seen == background || seen == grid, qPrintable(seen.name()));
    }
}

void TestDesktop::highDpiWindow()
{
    if (qEnvironmentVariable("QT_SCALE_FACTOR") != QLatin1String("2"))
        QSKIP("tst_desktop_hidpi runs this with QT_SCALE_FACTOR=2");
    std::unique_ptr<MainWindow> window = openWindow();
    QVERIFY(window);
    QCOMPARE(window->devicePixelRatioF(), 2.0);
    ExperimentsPanel *panel = window->experimentsPanel();
    window->showPanel(MainWindow::Panel::Experiments);
    QTRY_COMPARE(panel->runModel()->runCount(), int(m_runIds.size()));
    panel->selectRuns(m_runIds);
    test::clickTab(panel->tabs(), int(ExperimentsPanel::Tab::Overlay));
    auto *plot = test::namedChild<PlotWidget>(panel, QStringLiteral("overlayPlot"));
    QVERIFY(plot);
    QTRY_VERIFY(!plot->series().isEmpty());
    const QPixmap shot = plot->grab();
    QCOMPARE(shot.devicePixelRatio(), 2.0);
    QCOMPARE(shot.size(), plot->size() * 2);
    const QPixmap windowShot = window->grab();
    QCOMPARE(windowShot.size(), window->size() * 2);
    QVERIFY(test::savePng(window.get(), QStringLiteral("hidpi-experiments.png")) > 40000);
}

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"
