#include <QTest>

class tst_KilnctlCompare : public QObject
{
    Q_OBJECT
};

QTEST_MAIN(tst_KilnctlCompare)
#include "tst_kilnctlcompare.moc"
