#include <QTest>

class tst_CompareViews : public QObject
{
    Q_OBJECT
};

QTEST_MAIN(tst_CompareViews)
#include "tst_compareviews.moc"
