// The lineage graph of a model version, offscreen: nodes, real mouse clicks and keys on the
// viewport, fitting on resize, screenshots. A pure view test: versions are built by hand.
#include "lineageview.h"
#include "uitestsupport.h"

#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QLineEdit>
#include <QSignalSpy>
#include <QVBoxLayout>

using namespace kiln;
using Node = LineageView::Node;

namespace {

const QString kSha = QStringLiteral("3f1c9a7be2d04c55a81e6f0b9d2c4e7a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e");

/// loans-model@3 trained by run 12 on loans@1; `imported`: from a bundle, run 0.
ModelVersion makeVersion(bool imported, int deployments)
{
    ModelVersion version;
    version.id = 30;
    version.modelId = 4;
    version.modelName = QStringLiteral("loans-model");
    version.version = 3;
    version.status = VersionStatus::Production;
    version.aliases = {QStringLiteral("challenger"), QStringLiteral("champion")};
    version.runId = imported ? 0 : 12;
    ModelLineage &lineage = version.lineage;
    lineage.source = imported ? QStringLiteral("bundle") : QStringLiteral("run");
    lineage.origin = imported ? QStringLiteral("churn@3") : QString();
    lineage.bundleFile = imported ? QStringLiteral("churn-3.kilnmodel") : QString();
    lineage.runName = QStringLiteral("boosted trees lr 0.1");
    lineage.experiment = QStringLiteral("loans");
    lineage.datasetName = QStringLiteral("loans");
    lineage.datasetVersion = 1;
    lineage.datasetSha256 = kSha;
    lineage.datasetRows = 400;
    lineage.metrics = {{QStringLiteral("roc_auc"), 0.97}, {QStringLiteral("accuracy"), 0.9417}};
    const QDateTime created(QDate(2024, 5, 1), QTime(9, 30), Qt::UTC);
    for (int i = 0; i < deployments; ++i) {
        DeploymentRecord record;
        record.id = 7 - i;
        record.versionId = version.id;
        record.target = i == 0 ? QStringLiteral("kiln-serve local:8080") : QStringLiteral("staging-box");
        record.status = i == 0 ? QStringLiteral("active") : QStringLiteral("ended");
        record.createdAt = created.addDays(-i * 10);
        if (i > 0)
            record.endedAt = created.addDays(-1);
        version.deployments.append(record);
    }
    return version;
}

/// What the node at `center` says (its tool tip holds every line it shows, uncut).
QString textAt(LineageView *view, QPointF center)
{
    QGraphicsItem *item = view->itemAt(view->mapFromScene(center));
    return item ? item->toolTip() : QString();
}

void click(LineageView *view, QPointF center)
{
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(center));
}

/// Spies on all four signals and says how many fired in total.
struct Spies
{
    explicit Spies(LineageView *view)
        : dataset(view, &LineageView::datasetActivated)
        , run(view, &LineageView::runActivated)
        , version(view, &LineageView::versionActivated)
        , deployment(view, &LineageView::deploymentActivated)
    { }
    qsizetype total() const { return dataset.count() + run.count() + version.count() + deployment.count(); }
    void clear()
    {
        dataset.clear();
        run.clear();
        version.clear();
        deployment.clear();
    }

    QSignalSpy dataset;
    QSignalSpy run;
    QSignalSpy version;
    QSignalSpy deployment;
};

} // namespace

class tst_LineageView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nodesOfARunWithTwoDeployments();
    void clicksEmitWhatWasClicked();
    void importedRunAndMissingDatasetAreNotClickable();
    void tabAndEnterActivate();
    void fitsOnResizeWithoutScalingUp();
    void clearEmpties();
    void screenshots();
};

void tst_LineageView::nodesOfARunWithTwoDeployments()
{
    LineageView view;
    view.resize(1100, 420);
    view.setVersion(makeVersion(false, 2), true);
    QCOMPARE(view.nodeCount(), 5);

    const QPointF dataset = view.nodeCenter(Node::Dataset);
    const QPointF run = view.nodeCenter(Node::Run);
    const QPointF version = view.nodeCenter(Node::Version);
    const QPointF first = view.nodeCenter(Node::Deployment, 0);
    const QPointF second = view.nodeCenter(Node::Deployment, 1);
    QVERIFY(view.nodeCenter(Node::Deployment, 2).isNull());
    // Left to right by column; deployments stacked in one column, newest on top.
    QVERIFY(dataset.x() < run.x());
    QVERIFY(run.x() < version.x());
    QVERIFY(version.x() < first.x());
    QCOMPARE(first.x(), second.x());
    QVERIFY(first.y() < second.y());

    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QString datasetText = textAt(&view, dataset);
    QVERIFY2(datasetText.contains(QStringLiteral("loans@1")), qPrintable(datasetText));
    QVERIFY2(datasetText.contains(kSha.left(12)), qPrintable(datasetText));
    QVERIFY2(datasetText.contains(QStringLiteral("400 rows")), qPrintable(datasetText));
    const QString runText = textAt(&view, run);
    QVERIFY2(runText.contains(QStringLiteral("boosted trees lr 0.1")), qPrintable(runText));
    QVERIFY2(runText.contains(QStringLiteral("run 12")), qPrintable(runText));
    QVERIFY2(runText.contains(QStringLiteral("Accuracy 0.9417")), qPrintable(runText));
    QVERIFY2(!runText.contains(QStringLiteral("ROC AUC")), qPrintable(runText));
    const QString versionText = textAt(&view, version);
    QVERIFY2(versionText.contains(QStringLiteral("loans-model@3")), qPrintable(versionText));
    QVERIFY2(versionText.contains(QStringLiteral("challenger, champion")), qPrintable(versionText));
    QVERIFY2(versionText.contains(QStringLiteral("production")), qPrintable(versionText));
    const QString deploymentText = textAt(&view, first);
    QVERIFY2(deploymentText.contains(QStringLiteral("kiln-serve local:8080")), qPrintable(deploymentText));
    QVERIFY2(deploymentText.contains(QStringLiteral("active")), qPrintable(deploymentText));
    QVERIFY2(deploymentText.contains(QStringLiteral("2024-05-01")), qPrintable(deploymentText));

    // Clickable nodes show a pointing hand.
    QGraphicsItem *runItem = view.itemAt(view.mapFromScene(run));
    QVERIFY(runItem);
    QCOMPARE(runItem->cursor().shape(), Qt::PointingHandCursor);

    // Not deployed: one muted placeholder in the deployments column.
    view.setVersion(makeVersion(false, 0), true);
    QCOMPARE(view.nodeCount(), 4);
    QVERIFY(!view.nodeCenter(Node::Deployment).isNull());
    QVERIFY2(textAt(&view, view.nodeCenter(Node::Deployment)).contains(QStringLiteral("not deployed")),
             qPrintable(textAt(&view, view.nodeCenter(Node::Deployment))));
}

void tst_LineageView::clicksEmitWhatWasClicked()
{
    LineageView view;
    view.resize(1100, 420);
    view.setVersion(makeVersion(false, 2), true);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    Spies spies(&view);

    click(&view, view.nodeCenter(Node::Dataset));
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.dataset.count(), 1);
    QCOMPARE(spies.dataset.at(0).at(0).toString(), QStringLiteral("loans"));
    QCOMPARE(spies.dataset.at(0).at(1).toInt(), 1);
    spies.clear();

    click(&view, view.nodeCenter(Node::Run));
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.run.count(), 1);
    QCOMPARE(spies.run.at(0).at(0).toLongLong(), 12);
    spies.clear();

    click(&view, view.nodeCenter(Node::Version));
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.version.count(), 1);
    QCOMPARE(spies.version.at(0).at(0).toString(), QStringLiteral("loans-model"));
    QCOMPARE(spies.version.at(0).at(1).toInt(), 3);
    spies.clear();

    click(&view, view.nodeCenter(Node::Deployment, 1));
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.deployment.count(), 1);
    QCOMPARE(spies.deployment.at(0).at(0).toLongLong(), 6);
    spies.clear();

    click(&view, view.nodeCenter(Node::Deployment, 0));
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.deployment.at(0).at(0).toLongLong(), 7);
    spies.clear();

    // Between columns there is only an arrow: nothing happens.
    const QPointF gap((view.nodeCenter(Node::Run).x() + view.nodeCenter(Node::Version).x()) / 2,
                      view.nodeCenter(Node::Version).y() - 60);
    click(&view, gap);
    QCOMPARE(spies.total(), 0);

    // Pressing on one node and releasing on another is no click.
    QTest::mousePress(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(view.nodeCenter(Node::Run)));
    QTest::mouseRelease(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(view.nodeCenter(Node::Version)));
    QCOMPARE(spies.total(), 0);
}

void tst_LineageView::importedRunAndMissingDatasetAreNotClickable()
{
    LineageView view;
    view.resize(1000, 360);
    view.setVersion(makeVersion(true, 0), false);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.nodeCount(), 4);

    const QString runText = textAt(&view, view.nodeCenter(Node::Run));
    QVERIFY2(runText.contains(QStringLiteral("imported from churn@3")), qPrintable(runText));
    QVERIFY2(runText.contains(QStringLiteral("boosted trees lr 0.1")), qPrintable(runText));
    QVERIFY2(runText.contains(QStringLiteral("loans")), qPrintable(runText));
    QVERIFY2(!runText.contains(QStringLiteral("run 0")), qPrintable(runText));
    const QString datasetText = textAt(&view, view.nodeCenter(Node::Dataset));
    QVERIFY2(datasetText.contains(QStringLiteral("not in this workspace")), qPrintable(datasetText));

    Spies spies(&view);
    click(&view, view.nodeCenter(Node::Run));
    click(&view, view.nodeCenter(Node::Dataset));
    click(&view, view.nodeCenter(Node::Deployment));
    QCOMPARE(spies.total(), 0);
    for (const Node node : {Node::Run, Node::Dataset, Node::Deployment}) {
        QGraphicsItem *item = view.itemAt(view.mapFromScene(view.nodeCenter(node)));
        QVERIFY(item);
        QVERIFY(!item->hasCursor());
    }

    // The version itself still answers, so the clicks above did reach the view.
    click(&view, view.nodeCenter(Node::Version));
    QCOMPARE(spies.version.count(), 1);
    QCOMPARE(spies.total(), 1);
}

void tst_LineageView::tabAndEnterActivate()
{
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *before = new QLineEdit(&window);
    auto *view = new LineageView(&window);
    auto *after = new QLineEdit(&window);
    layout->addWidget(before);
    layout->addWidget(view);
    layout->addWidget(after);
    window.resize(1100, 480);
    view->setVersion(makeVersion(false, 2), true);
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    Spies spies(view);

    // Tab into the view: its first node has focus.
    before->setFocus();
    QTRY_VERIFY(before->hasFocus());
    QTest::keyClick(before, Qt::Key_Tab);
    QTRY_VERIFY(view->hasFocus());
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.dataset.count(), 1);
    QCOMPARE(spies.dataset.at(0).at(0).toString(), QStringLiteral("loans"));
    spies.clear();

    QTest::keyClick(view, Qt::Key_Tab);
    QTest::keyClick(view, Qt::Key_Tab);
    QTest::keyClick(view, Qt::Key_Space);
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.version.count(), 1);
    spies.clear();

    QTest::keyClick(view, Qt::Key_Backtab, Qt::ShiftModifier);
    QTest::keyClick(view, Qt::Key_Enter);
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.run.count(), 1);
    QCOMPARE(spies.run.at(0).at(0).toLongLong(), 12);
    spies.clear();

    QTest::keyClick(view, Qt::Key_Tab);
    QTest::keyClick(view, Qt::Key_Tab);
    QTest::keyClick(view, Qt::Key_Tab);
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.deployment.count(), 1);
    QCOMPARE(spies.deployment.at(0).at(0).toLongLong(), 6);

    // Past the last node, Tab moves on to the next widget.
    QTest::keyClick(view, Qt::Key_Tab);
    QTRY_VERIFY(after->hasFocus());

    // An imported version: Tab skips the run and the missing dataset.
    spies.clear();
    view->setVersion(makeVersion(true, 1), false);
    view->setFocus(Qt::OtherFocusReason);
    QTRY_VERIFY(view->hasFocus());
    QTest::keyClick(view, Qt::Key_Tab);
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(spies.total(), 1);
    QCOMPARE(spies.version.count(), 1);
    QCOMPARE(spies.version.at(0).at(1).toInt(), 3);
}

void tst_LineageView::fitsOnResizeWithoutScalingUp()
{
    LineageView view;
    view.setVersion(makeVersion(false, 2), true);
    view.resize(1600, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // Room to spare: drawn at its own size, never blown up.
    QTRY_COMPARE(view.viewport()->size(), QSize(1600, 700));
    QCOMPARE(view.transform().m11(), 1.0);
    QCOMPARE(view.transform().m22(), 1.0);

    const auto everyItemVisible = [&view] {
        const QRect viewport = view.viewport()->rect();
        const QList<QGraphicsItem *> items = view.scene()->items();
        for (const QGraphicsItem *item : items) {
            const QRect shown = view.mapFromScene(item->sceneBoundingRect()).boundingRect();
            if (!viewport.contains(shown))
                return false;
        }
        return !items.isEmpty();
    };
    QVERIFY(everyItemVisible());

    for (const QSize size : {QSize(500, 400), QSize(1000, 150), QSize(300, 120)}) {
        view.resize(size);
        QTRY_COMPARE(view.viewport()->size(), size);
        QVERIFY2(everyItemVisible(), qPrintable(QStringLiteral("%1x%2").arg(size.width()).arg(size.height())));
        QVERIFY(view.transform().m11() < 1.0);
        // The aspect is kept.
        QCOMPARE(view.transform().m11(), view.transform().m22());
    }
    // Scaled down, clicks still land on the right node.
    Spies spies(&view);
    click(&view, view.nodeCenter(Node::Deployment, 1));
    QCOMPARE(spies.deployment.count(), 1);
    QCOMPARE(spies.deployment.at(0).at(0).toLongLong(), 6);

    view.resize(1600, 700);
    QTRY_COMPARE(view.viewport()->size(), QSize(1600, 700));
    QCOMPARE(view.transform().m11(), 1.0);
}

void tst_LineageView::clearEmpties()
{
    LineageView view;
    view.setVersion(makeVersion(false, 2), true);
    QCOMPARE(view.nodeCount(), 5);
    QVERIFY(!view.scene()->items().isEmpty());
    view.clear();
    QCOMPARE(view.nodeCount(), 0);
    QVERIFY(view.scene()->items().isEmpty());
    QVERIFY(view.nodeCenter(Node::Version).isNull());
    // A version drawn after clear() is whole again.
    view.setVersion(makeVersion(true, 1), true);
    QCOMPARE(view.nodeCount(), 4);
}

void tst_LineageView::screenshots()
{
    LineageView view;
    view.resize(1100, 380);
    view.setVersion(makeVersion(false, 2), true);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(test::savePng(&view, QStringLiteral("lineage-run.png")) > 0);

    view.setVersion(makeVersion(true, 0), false);
    QVERIFY(test::savePng(&view, QStringLiteral("lineage-imported.png")) > 0);

    // Drawn from the palette: a dark one reads too.
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x25, 0x26, 0x2b));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x23));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe9));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe9));
    view.setPalette(dark);
    view.setVersion(makeVersion(false, 2), true);
    // With the focus ring on the run, reached by keyboard.
    view.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&view));
    view.setFocus(Qt::OtherFocusReason);
    QTRY_VERIFY(view.hasFocus());
    QTest::keyClick(&view, Qt::Key_Tab);
    QTest::keyClick(&view, Qt::Key_Tab);
    // And the pointer over the version.
    QTest::mouseMove(view.viewport(), view.mapFromScene(view.nodeCenter(Node::Version)));
    QVERIFY(test::savePng(&view, QStringLiteral("lineage-dark.png")) > 0);
}

QTEST_MAIN(tst_LineageView)
#include "tst_lineageview.moc"
