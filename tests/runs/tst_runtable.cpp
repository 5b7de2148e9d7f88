#include <QTest>

class tst_RunTable : public QObject
{
    Q_OBJECT
};

QTEST_MAIN(tst_RunTable)
#include "tst_runtable.moc"
