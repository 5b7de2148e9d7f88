#include <QTest>

class tst_RunTableModel : public QObject
{
    Q_OBJECT
};

QTEST_MAIN(tst_RunTableModel)
#include "tst_runtablemodel.moc"
