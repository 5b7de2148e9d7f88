#include <QTest>

class tst_Slurm : public QObject
{
    Q_OBJECT
};

QTEST_GUILESS_MAIN(tst_Slurm)
#include "tst_slurm.moc"
