#include <QTest>

class tst_Decimation : public QObject
{
    Q_OBJECT
};

QTEST_MAIN(tst_Decimation)
#include "tst_decimation.moc"
