#include <QTest>

class tst_PlotWidget : public QObject
{
    Q_OBJECT
};

QTEST_MAIN(tst_PlotWidget)
#include "tst_plotwidget.moc"
