#include <QTest>

class tst_RunFilter : public QObject
{
    Q_OBJECT
};

QTEST_MAIN(tst_RunFilter)
#include "tst_runfilter.moc"
