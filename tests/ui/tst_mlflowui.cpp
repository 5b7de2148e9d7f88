// Placeholder until its owner writes it.
#include <QTest>

class Placeholder : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void notWritten() { QFAIL("not written yet"); }
};

QTEST_MAIN(Placeholder)
#include "tst_mlflowui.moc"
