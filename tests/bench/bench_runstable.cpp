// What a user feels in the runs table at scale: a workspace of 100,000 runs × 20 params × 10
// metrics (benchworkspace.h), shown in a 1600×900 RunsTableView, and the user's steps on it:
// open, filter, clear, sort, group, select all, scroll, export. A timer ticking every
// millisecond on the GUI thread keeps the longest gap between two ticks: the longest time the
// window could not answer a click or a key. Each step runs from the event loop, as a user's
// input does, and ends when its result is on screen (the table's next paint) or its signal came.
// Not a test: prints one line per step, "step: wall X ms, longest GUI stall Y ms", and exits 1
// when a step fails or does not end within two minutes.
#include "benchworkspace.h"
#include "models/runtablemodel.h"
#include "runstableview.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEvent>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <utility>

using namespace kiln;

namespace {

const QSize kWindow(1600, 900);
constexpr int kStepTimeoutMs = 120'000;
constexpr int kIdleMs = 500;
const char *const kFilter = "metrics.m3 > 0.5 and params.p7 = 'adam'";

/// Ticks every millisecond on the GUI thread; the longest gap between two ticks since restart()
/// is the longest the thread was busy (a tick's own lateness included).
class StallMonitor final
{
public:
    StallMonitor()
    {
        m_clock.start();
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { tick(); });
        m_timer.start();
        restart();
    }

    void restart()
    {
        m_last = m_clock.nsecsElapsed();
        m_longest = 0;
    }
    /// Counts the time since the last tick too: a step that ends busy has not ticked yet.
    double longestMs()
    {
        tick();
        return double(m_longest) / 1e6;
    }

private:
    void tick()
    {
        const qint64 now = m_clock.nsecsElapsed();
        m_longest = std::max(m_longest, now - m_last);
        m_last = now;
    }

    QElapsedTimer m_clock;
    QTimer m_timer;
    qint64 m_last = 0;
    qint64 m_longest = 0;
};

/// Calls `then` once the next paint of `widget` is over (queued behind it: the whole flush of
/// the window it belongs to has run by then).
class AfterPaint final : public QObject
{
public:
    AfterPaint(QWidget *widget, std::function<void()> then, QObject *parent)
        : QObject(parent)
        , m_then(std::move(then))
    {
        widget->installEventFilter(this);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && m_then)
            QMetaObject::invokeMethod(this, std::exchange(m_then, nullptr), Qt::QueuedConnection);
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_then;
};

struct Figure
{
    double wallMs = 0;
    double stallMs = 0;
    bool finished = false;
};

using Finish = std::function<void()>;
/// Starts a step; connections it makes use `context` (deleted when the step ends) and call `finish`.
using Step = std::function<void(QObject *context, const Finish &finish)>;

/// Runs `step` from the event loop, as a user's input is, and waits for its finish: the wall
/// time from its start to its finish and the longest GUI stall in between.
Figure measure(StallMonitor &monitor, const Step &step)
{
    QEventLoop loop;
    auto context = std::make_unique<QObject>();
    Figure figure;
    QElapsedTimer clock;
    const Finish finish = [&figure, &clock, &monitor, &loop] {
        if (figure.finished)
            return;
        figure.finished = true;
        figure.wallMs = double(clock.nsecsElapsed()) / 1e6;
        figure.stallMs = monitor.longestMs();
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    };
    QTimer::singleShot(0, &loop, [&] {
        monitor.restart();
        clock.start();
        step(context.get(), finish);
    });
    QTimer::singleShot(kStepTimeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return figure;
}

bool report(const char *name, const Figure &figure)
{
    if (!figure.finished) {
        std::printf("%-52s did not finish within %d s\n", name, kStepTimeoutMs / 1000);
        return false;
    }
    std::printf("%-52s wall %8.1f ms, longest GUI stall %7.1f ms\n", name, figure.wallMs, figure.stallMs);
    std::fflush(stdout);
    return true;
}

QByteArray loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return "unknown";
    const QList<QByteArray> fields = file.readAll().split(' ');
    return fields.size() >= 3 ? fields[0] + ' ' + fields[1] + ' ' + fields[2] : QByteArray("unknown");
}

int fail(const QString &message)
{
    std::fprintf(stderr, "%s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    if (!dir.isValid())
        return fail(QStringLiteral("cannot create a temporary folder: %1").arg(dir.errorString()));
    QString databasePath;
    {
        auto ws = Workspace::open(dir.filePath(QStringLiteral("ws")), Workspace::OpenMode::CreateIfMissing);
        if (!ws)
            return fail(ws.errorMessage());
        QElapsedTimer clock;
        clock.start();
        if (Status s = bench::generateRuns((*ws)->db()); !s)
            return fail(QStringLiteral("generating the runs: %1").arg(s.errorMessage()));
        (*ws)->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
        databasePath = (*ws)->databasePath();
        std::printf("runs table benchmark: %d runs x %d params x %d metrics (generated in %.1f s), window %dx%d, "
                    "platform %s, %d worker threads, load average %s\n",
                    bench::kRuns, bench::kParams, bench::kMetrics, double(clock.elapsed()) / 1000.0, kWindow.width(),
                    kWindow.height(), qPrintable(QGuiApplication::platformName()),
                    QThreadPool::globalInstance()->maxThreadCount(), loadAverage().constData());
    }

    RunsTableView view;
    RunTableModel *model = view.model();
    QTreeView *tree = view.tree();
    QWidget *viewport = tree->viewport();
    model->setPollInterval(0); // every run has ended: nothing to poll, and nothing else on the thread
    view.resize(kWindow);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view))
        return fail(QStringLiteral("the runs table was never shown"));
    view.activateWindow();
    if (!QTest::qWaitForWindowActive(&view))
        return fail(QStringLiteral("the runs table's window never became active"));
    StallMonitor monitor;
    bool ok = true;

    ok &= report(
        "idle, the floor (nothing to do for 0.5 s):",
        measure(monitor, [](QObject *context, const Finish &finish) { QTimer::singleShot(kIdleMs, context, finish); }));

    double loadMs = 0;
    QString loadError;
    ok &= report(
        "open: setDatabasePath -> loaded, painted:", measure(monitor, [&](QObject *context, const Finish &finish) {
            QObject::connect(model, &RunTableModel::loaded, context, [&, context, finish](double ms) {
                loadMs = ms;
                new AfterPaint(viewport, finish, context);
            });
            QObject::connect(model, &RunTableModel::loadFailed, context, [&loadError, finish](const QString &message) {
                loadError = message;
                finish();
            });
            view.setDatabasePath(databasePath);
        }));
    if (!loadError.isEmpty() || model->runCount() != bench::kRuns)
        return fail(QStringLiteral("the runs table shows %1 runs, expected %2. %3")
                        .arg(model->runCount())
                        .arg(bench::kRuns)
                        .arg(loadError));
    std::printf("  (RunTable::load on the worker: %.1f ms; %d model columns)\n", loadMs, model->columnCount());

    const QString filter = QString::fromLatin1(kFilter);
    bool applied = false;
    ok &= report("filter: applyFilter -> rows painted:", measure(monitor, [&](QObject *context, const Finish &finish) {
                     new AfterPaint(viewport, finish, context);
                     applied = view.applyFilter(filter);
                 }));
    if (!applied || model->visibleRunCount() <= 0 || model->visibleRunCount() >= bench::kRuns)
        return fail(QStringLiteral("the filter %1 was refused or matched %2 runs: %3")
                        .arg(filter)
                        .arg(model->visibleRunCount())
                        .arg(view.filterError()));
    std::printf("  (%s: %d of %d runs)\n", kFilter, model->visibleRunCount(), model->runCount());

    ok &= report("clear the filter -> rows painted:", measure(monitor, [&](QObject *context, const Finish &finish) {
                     new AfterPaint(viewport, finish, context);
                     applied = view.applyFilter({});
                 }));
    if (!applied || model->visibleRunCount() != bench::kRuns)
        return fail(QStringLiteral("clearing the filter left %1 runs").arg(model->visibleRunCount()));

    // Through the header, as a click on it does: QTreeView::sortByColumn -> RunTableModel::sort.
    const int m3 = model->columnForKey(RunColumnKind::Metric, QStringLiteral("m3"));
    if (m3 < 0)
        return fail(QStringLiteral("the runs table has no column for metrics.m3"));
    ok &= report("sort by metrics.m3 (descending) -> painted:",
                 measure(monitor, [&](QObject *context, const Finish &finish) {
                     new AfterPaint(viewport, finish, context);
                     tree->sortByColumn(m3, Qt::DescendingOrder);
                 }));
    const double top = model->data(model->index(0, m3), RunTableModel::ValueRole).toDouble();
    const double next = model->data(model->index(1, m3), RunTableModel::ValueRole).toDouble();
    if (model->sortColumn() != m3 || top < next)
        return fail(QStringLiteral("the runs are not sorted by metrics.m3: %1 before %2").arg(top).arg(next));

    // What a pick in the "Group by" list does.
    QComboBox *groupCombo = view.groupCombo();
    const auto groupBy = [&](const QString &identity) {
        return measure(monitor, [&, identity](QObject *context, const Finish &finish) {
            const int choice = groupCombo->findData(identity);
            if (choice < 0)
                return finish();
            new AfterPaint(viewport, finish, context);
            Q_EMIT groupCombo->activated(choice);
        });
    };
    ok &= report("group by params.p7 (Group by list) -> painted:", groupBy(QStringLiteral("params.p7")));
    if (model->groupColumn() < 0 || model->rowCount() != 4)
        return fail(QStringLiteral("grouping by params.p7 shows %1 top-level rows, expected 4").arg(model->rowCount()));

    tree->setFocus(Qt::OtherFocusReason);
    ok &= report("Ctrl+A on the tree -> selection painted:",
                 measure(monitor, [&](QObject *context, const Finish &finish) {
                     QObject::connect(&view, &RunsTableView::selectedRunsChanged, context,
                                      [viewport, finish, context] { new AfterPaint(viewport, finish, context); });
                     QTest::keyClick(tree, Qt::Key_A, Qt::ControlModifier);
                 }));
    if (const qsizetype selected = view.selectedRunIds().size(); selected != bench::kRuns)
        return fail(QStringLiteral("Ctrl+A selected %1 runs, expected %2").arg(selected).arg(bench::kRuns));

    QScrollBar *scrollBar = tree->verticalScrollBar();
    if (scrollBar->maximum() <= 0)
        return fail(QStringLiteral("the runs table has nothing to scroll"));
    ok &= report("scroll to the bottom and back, grab() each:", measure(monitor, [&](QObject *, const Finish &finish) {
                     scrollBar->setValue(scrollBar->maximum());
                     const QPixmap bottom = tree->grab();
                     scrollBar->setValue(0);
                     const QPixmap topPixmap = tree->grab();
                     if (!bottom.isNull() && !topPixmap.isNull())
                         finish();
                 }));

    const QString csvPath = dir.filePath(QStringLiteral("runs.csv"));
    QString exportError;
    ok &= report("export CSV (exportCsv -> csvExported):",
                 measure(monitor, [&](QObject *context, const Finish &finish) {
                     QObject::connect(&view, &RunsTableView::csvExported, context,
                                      [&exportError, finish](const QString &, bool written, const QString &error) {
                                          exportError = written ? QString() : error;
                                          finish();
                                      });
                     view.exportCsv(csvPath);
                 }));
    if (!exportError.isEmpty())
        return fail(exportError);
    std::printf("  (%s: %.1f MB)\n", qPrintable(QFileInfo(csvPath).fileName()),
                double(QFileInfo(csvPath).size()) / 1e6);

    // Beyond the user's usual steps: a column nearly every run differs in, one group per run or so.
    tree->clearSelection();
    ok &= report("group by params.p12 (a seed: ~63,000 groups):", groupBy(QStringLiteral("params.p12")));
    std::printf("  (%d groups)\n", model->rowCount());
    ok &= report("group by nothing -> painted:", groupBy(QString()));
    if (model->groupColumn() >= 0 || model->rowCount() != bench::kRuns)
        return fail(QStringLiteral("ungrouped, the runs table shows %1 rows").arg(model->rowCount()));

    std::printf("load average after: %s\n", loadAverage().constData());
    return ok ? 0 : 1;
}
