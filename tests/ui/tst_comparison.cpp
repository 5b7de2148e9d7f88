#include <QTest>

class tst_Comparison : public QObject
{
    Q_OBJECT
};

QTEST_MAIN(tst_Comparison)
#include "tst_comparison.moc"
