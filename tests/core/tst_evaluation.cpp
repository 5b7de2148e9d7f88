#include "training/evaluation.h"

#include <QJsonArray>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace kiln;
using namespace kiln::evaluation;

// Expected numbers come from scikit-learn 1.2.1 (Debian's python3-sklearn) with numpy 1.24; the
// call that produced each is in a comment. Where a value is easy to see by hand, the hand
// working is given too.

namespace {

std::vector<int> toVector(const QList<int> &list)
{
    return {list.cbegin(), list.cend()};
}

std::vector<double> toVector(const QList<double> &list)
{
    return {list.cbegin(), list.cend()};
}

// A binary classifier's probability rows [1 - s, s] for positive-class scores s.
std::vector<double> binaryRows(const QList<double> &scores)
{
    std::vector<double> rows;
    for (double s : scores) {
        rows.push_back(1 - s);
        rows.push_back(s);
    }
    return rows;
}

// Probability rows that put all mass on the given predicted class.
std::vector<double> oneHotRows(const QList<int> &predicted, int k)
{
    std::vector<double> rows(std::size_t(predicted.size() * k), 0.0);
    for (qsizetype i = 0; i < predicted.size(); ++i)
        rows[std::size_t(i * k + predicted.at(i))] = 1.0;
    return rows;
}

QStringList classNames(int k)
{
    QStringList names;
    for (int c = 0; c < k; ++c)
        names.append(QString(QChar(u'a' + c)));
    return names;
}

// Compares a curve with sklearn's arrays. PR curves pass one threshold fewer than points: sklearn
// has none for the final (recall 0, precision 1) point, which Kiln gives +inf.
void compareCurve(const std::vector<CurvePoint> &points, const QList<double> &xs, const QList<double> &ys,
                  const QList<double> &thresholds)
{
    QCOMPARE(qsizetype(points.size()), xs.size());
    QCOMPARE(ys.size(), xs.size());
    for (qsizetype i = 0; i < xs.size(); ++i) {
        const CurvePoint &p = points[std::size_t(i)];
        QVERIFY2(qFuzzyCompare(1 + p.x, 1 + xs.at(i)), qPrintable(QStringLiteral("x at %1: %2").arg(i).arg(p.x)));
        QVERIFY2(qFuzzyCompare(1 + p.y, 1 + ys.at(i)), qPrintable(QStringLiteral("y at %1: %2").arg(i).arg(p.y)));
        if (i < thresholds.size())
            QCOMPARE(p.threshold, thresholds.at(i));
        else
            QCOMPARE(p.threshold, std::numeric_limits<double>::infinity());
    }
}

} // namespace

class tst_Evaluation final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void binaryRocAuc_data();
    void binaryRocAuc();
    void binaryCurves_data();
    void binaryCurves();
    void averages_data();
    void averages();
    void multiclassReport();
    void zeroDivisionPerClass();
    void multiclassAucNeedsEveryClass();
    void argmaxTiesGoToLowestIndex();
    void logLoss_data();
    void logLoss();
    void invalidClassification_data();
    void invalidClassification();
    void regression_data();
    void regression();
    void regressionSumsInNumpyOrder();
    void invalidRegression_data();
    void invalidRegression();
    void json();
};

void tst_Evaluation::binaryRocAuc_data()
{
    QTest::addColumn<QList<int>>("yTrue");
    QTest::addColumn<QList<double>>("scores");
    QTest::addColumn<bool>("defined");
    QTest::addColumn<double>("auc");

    // roc_auc_score(y, s). Hand: the share of (positive, negative) pairs ranked right, a tie half.
    // Pairs (0.35 vs 0.1, 0.4), (0.8 vs 0.1, 0.4): 3 of 4 right.
    QTest::newRow("sklearn docs") << QList<int> {0, 0, 1, 1} << QList<double> {0.1, 0.4, 0.35, 0.8} << true << 0.75;
    // A positive and a negative share 0.5: that pair counts half, 3.5 of 4.
    QTest::newRow("tie across classes") << QList<int> {0, 1, 0, 1} << QList<double> {0.5, 0.5, 0.2, 0.8} << true
                                        << 0.875;
    QTest::newRow("all scores tied") << QList<int> {0, 1, 0, 1} << QList<double> {0.5, 0.5, 0.5, 0.5} << true << 0.5;
    QTest::newRow("perfectly separated") << QList<int> {0, 0, 1, 1} << QList<double> {0.1, 0.2, 0.8, 0.9} << true
                                         << 1.0;
    QTest::newRow("inverted") << QList<int> {0, 0, 1, 1} << QList<double> {0.9, 0.8, 0.2, 0.1} << true << 0.0;
    // Ten rows whose curve loses a collinear point to drop_intermediate; the area is unchanged.
    QTest::newRow("intermediate points dropped")
        << QList<int> {0, 1, 0, 1, 1, 0, 1, 0, 0, 1} << QList<double> {0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4, 0.4, 0.3, 0.2}
        << true << 0.44;
    // sklearn raises "Only one class present in y_true".
    QTest::newRow("only negatives") << QList<int> {0, 0, 0} << QList<double> {0.1, 0.2, 0.3} << false << 0.0;
    QTest::newRow("only positives") << QList<int> {1, 1} << QList<double> {0.1, 0.2} << false << 0.0;
}

void tst_Evaluation::binaryRocAuc()
{
    QFETCH(QList<int>, yTrue);
    QFETCH(QList<double>, scores);
    QFETCH(bool, defined);
    QFETCH(double, auc);

    const auto report = classify(toVector(yTrue), binaryRows(scores), classNames(2));
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.errorMessage()));
    QCOMPARE(report->rocAuc.has_value(), defined);
    if (defined)
        QCOMPARE(*report->rocAuc, auc);
    QCOMPARE(report->roc.size(), std::size_t(1)); // binary: the positive class only
    QCOMPARE(report->roc.front().classIndex, 1);
    QCOMPARE(report->roc.front().points.empty(), !defined);
}

void tst_Evaluation::binaryCurves_data()
{
    QTest::addColumn<QList<int>>("yTrue");
    QTest::addColumn<QList<double>>("scores");
    QTest::addColumn<QList<double>>("fpr");
    QTest::addColumn<QList<double>>("tpr");
    QTest::addColumn<QList<double>>("rocThresholds");
    QTest::addColumn<QList<double>>("precision");
    QTest::addColumn<QList<double>>("recall");
    QTest::addColumn<QList<double>>("prThresholds");

    // fpr, tpr, thr = roc_curve(y, s); precision, recall, thr = precision_recall_curve(y, s).
    // sklearn 1.2 starts the ROC at threshold max(s) + 1.
    QTest::newRow("sklearn docs") << QList<int> {0, 0, 1, 1} << QList<double> {0.1, 0.4, 0.35, 0.8}
                                  << QList<double> {0.0, 0.0, 0.5, 0.5, 1.0} << QList<double> {0.0, 0.5, 0.5, 1.0, 1.0}
                                  << QList<double> {1.8, 0.8, 0.4, 0.35, 0.1}
                                  << QList<double> {0.5, 2.0 / 3, 0.5, 1.0, 1.0}
                                  << QList<double> {1.0, 1.0, 0.5, 0.5, 0.0} << QList<double> {0.1, 0.35, 0.4, 0.8};
    // The tied pair at 0.5 is one diagonal step (0, 0.5) -> (0.5, 1).
    QTest::newRow("tie across classes") << QList<int> {0, 1, 0, 1} << QList<double> {0.5, 0.5, 0.2, 0.8}
                                        << QList<double> {0.0, 0.0, 0.5, 1.0} << QList<double> {0.0, 0.5, 1.0, 1.0}
                                        << QList<double> {1.8, 0.8, 0.5, 0.2} << QList<double> {0.5, 2.0 / 3, 1.0, 1.0}
                                        << QList<double> {1.0, 1.0, 0.5, 0.0} << QList<double> {0.2, 0.5, 0.8};
    QTest::newRow("all scores tied") << QList<int> {0, 1, 0, 1} << QList<double> {0.5, 0.5, 0.5, 0.5}
                                     << QList<double> {0.0, 1.0} << QList<double> {0.0, 1.0} << QList<double> {1.5, 0.5}
                                     << QList<double> {0.5, 1.0} << QList<double> {1.0, 0.0} << QList<double> {0.5};
    // (fps, tps) at 0.9, 0.8, 0.7, 0.6 is (1, 0), (2, 1), (2, 2), (2, 3): 0.7 lies on a straight
    // run and drop_intermediate removes it; the PR curve keeps every threshold.
    QTest::newRow("intermediate points dropped")
        << QList<int> {0, 1, 0, 1, 1, 0, 1, 0, 0, 1} << QList<double> {0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.4, 0.4, 0.3, 0.2}
        << QList<double> {0.0, 0.2, 0.4, 0.4, 0.6, 0.8, 1.0, 1.0}
        << QList<double> {0.0, 0.0, 0.2, 0.6, 0.6, 0.8, 0.8, 1.0}
        << QList<double> {1.9, 0.9, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2}
        << QList<double> {0.5, 4.0 / 9, 0.5, 0.5, 0.6, 0.5, 1.0 / 3, 0.0, 1.0}
        << QList<double> {1.0, 0.8, 0.8, 0.6, 0.6, 0.4, 0.2, 0.0, 0.0}
        << QList<double> {0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    // sklearn's ROC is NaN here (no positives): Kiln leaves it empty. Its PR curve sets recall
    // to 1 at every threshold (with a warning), and so does Kiln.
    QTest::newRow("only negatives") << QList<int> {0, 0, 0} << QList<double> {0.1, 0.2, 0.3} << QList<double> {}
                                    << QList<double> {} << QList<double> {} << QList<double> {0.0, 0.0, 0.0, 1.0}
                                    << QList<double> {1.0, 1.0, 1.0, 0.0} << QList<double> {0.1, 0.2, 0.3};
}

void tst_Evaluation::binaryCurves()
{
    QFETCH(QList<int>, yTrue);
    QFETCH(QList<double>, scores);
    QFETCH(QList<double>, fpr);
    QFETCH(QList<double>, tpr);
    QFETCH(QList<double>, rocThresholds);
    QFETCH(QList<double>, precision);
    QFETCH(QList<double>, recall);
    QFETCH(QList<double>, prThresholds);

    const auto report = classify(toVector(yTrue), binaryRows(scores), classNames(2));
    QVERIFY(report.ok());
    QCOMPARE(report->roc.size(), std::size_t(1));
    compareCurve(report->roc.front().points, fpr, tpr, rocThresholds);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(report->precisionRecall.size(), std::size_t(1));
    QCOMPARE(report->precisionRecall.front().classIndex, 1);
    compareCurve(report->precisionRecall.front().points, recall, precision, prThresholds);
}

void tst_Evaluation::averages_data()
{
    QTest::addColumn<int>("k");
    QTest::addColumn<QList<int>>("yTrue");
    QTest::addColumn<QList<int>>("yPred");
    QTest::addColumn<double>("accuracy");
    QTest::addColumn<QList<double>>("macro"); // precision, recall, F1
    QTest::addColumn<QList<double>>("weighted"); // precision, recall, F1

    // precision_recall_fscore_support(y, p, average=..., zero_division=0); accuracy_score(y, p).
    // Per class (worked out in multiclassReport): P = 2/3, 2/3, 1; R = 2/3, 1, 2/3;
    // F1 = 2/3, 0.8, 0.8; support 3, 2, 3. Macro P = 7/9, R = 7/9, F1 = 34/45;
    // weighted P = (2 + 4/3 + 3) / 8 = 19/24, R = 6/8, F1 = (2 + 1.6 + 2.4) / 8 = 0.75.
    QTest::newRow("3 classes") << 3 << QList<int> {0, 0, 0, 1, 1, 2, 2, 2} << QList<int> {0, 0, 1, 1, 1, 2, 2, 0}
                               << 0.75 << QList<double> {7.0 / 9, 7.0 / 9, 34.0 / 45}
                               << QList<double> {19.0 / 24, 0.75, 0.75};
    // Class c (2) is never predicted: its precision is 0/0, counted as 0. Class d (3) occurs in
    // neither y nor p, so sklearn's default labels are {a, b, c} and macro divides by 3:
    // P = (1/2 + 2/3 + 0) / 3 = 7/18, R = (1/2 + 1 + 0) / 3 = 1/2, F1 = (1/2 + 0.8 + 0) / 3.
    // (labels=[0, 1, 2, 3] would give 0.2917, 0.375, 0.325.) Weighted by support 2, 2, 1:
    // P = (1 + 4/3) / 5 = 7/15, R = 3/5, F1 = (1 + 1.6) / 5 = 0.52.
    QTest::newRow("class never predicted, class absent")
        << 4 << QList<int> {0, 0, 1, 1, 2} << QList<int> {0, 1, 1, 1, 0} << 0.6
        << QList<double> {7.0 / 18, 0.5, 1.3 / 3} << QList<double> {7.0 / 15, 0.6, 0.52};
    // Class c is predicted once but never true: recall 0/0 counts as 0, and it joins the labels.
    // P = 1, 1, 0; R = 1/2, 1, 0; F1 = 2/3, 1, 0; support 2, 1, 0.
    QTest::newRow("class predicted, never true")
        << 3 << QList<int> {0, 0, 1} << QList<int> {0, 2, 1} << 2.0 / 3 << QList<double> {2.0 / 3, 0.5, 5.0 / 9}
        << QList<double> {1.0, 2.0 / 3, 7.0 / 9};
    QTest::newRow("binary, all right") << 2 << QList<int> {0, 1, 1} << QList<int> {0, 1, 1} << 1.0
                                       << QList<double> {1.0, 1.0, 1.0} << QList<double> {1.0, 1.0, 1.0};
}

void tst_Evaluation::averages()
{
    QFETCH(int, k);
    QFETCH(QList<int>, yTrue);
    QFETCH(QList<int>, yPred);
    QFETCH(double, accuracy);
    QFETCH(QList<double>, macro);
    QFETCH(QList<double>, weighted);

    const auto report = classify(toVector(yTrue), oneHotRows(yPred, k), classNames(k));
    QVERIFY(report.ok());
    QCOMPARE(report->accuracy, accuracy);
    QCOMPARE(report->precisionMacro, macro.at(0));
    QCOMPARE(report->recallMacro, macro.at(1));
    QCOMPARE(report->f1Macro, macro.at(2));
    QCOMPARE(report->precisionWeighted, weighted.at(0));
    QCOMPARE(report->recallWeighted, weighted.at(1));
    QCOMPARE(report->f1Weighted, weighted.at(2));
}

void tst_Evaluation::multiclassReport()
{
    // Predictions (argmax) 0, 0, 1, 1, 1, 2, 2, 0 against truth 0, 0, 0, 1, 1, 2, 2, 2.
    const std::vector<int> yTrue {0, 0, 0, 1, 1, 2, 2, 2};
    const std::vector<double> p {0.7, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.6, 0.1, 0.1, 0.8, 0.1,
                                 0.2, 0.5, 0.3, 0.1, 0.1, 0.8, 0.2, 0.2, 0.6, 0.6, 0.1, 0.3};
    const QStringList classes {QStringLiteral("cat"), QStringLiteral("dog"), QStringLiteral("eel")};
    const auto report = classify(yTrue, p, classes);
    QVERIFY(report.ok());

    // confusion_matrix(y, p.argmax(1)): cat is missed once (as dog), eel once (as cat).
    const std::vector<std::vector<qint64>> confusion {{2, 1, 0}, {0, 2, 0}, {1, 0, 2}};
    QCOMPARE(report->confusion, confusion);

    // precision = tp / column sum, recall = tp / row sum, F1 = 2PR / (P + R):
    //   cat 2/3, 2/3 -> 2/3;  dog 2/3, 2/2 -> 0.8;  eel 2/2, 2/3 -> 0.8.
    QCOMPARE(report->perClass.size(), qsizetype(3));
    const double precision[] = {2.0 / 3, 2.0 / 3, 1.0};
    const double recall[] = {2.0 / 3, 1.0, 2.0 / 3};
    const double f1[] = {2.0 / 3, 0.8, 0.8};
    const qint64 support[] = {3, 2, 3};
    for (int c = 0; c < 3; ++c) {
        const ClassMetrics &m = report->perClass.at(c);
        QCOMPARE(m.classIndex, c);
        QCOMPARE(m.label, classes.at(c));
        QCOMPARE(m.precision, precision[c]);
        QCOMPARE(m.recall, recall[c]);
        QCOMPARE(m.f1, f1[c]);
        QCOMPARE(m.support, support[c]);
    }
    QCOMPARE(report->accuracy, 0.75);
    QCOMPARE(report->f1Macro, 0.7555555555555555); // sklearn's digits for 34/45

    // roc_auc_score(y, p, multi_class='ovr') = mean of the one-vs-rest AUCs. By pairs:
    //   cat: positives 0.7, 0.5, 0.3 beat 5 + 4 + 4 of 5 negatives -> 13/15
    //   dog: positives 0.8, 0.5 beat 6 + 5 of 6 negatives -> 11/12
    //   eel: positives 0.8, 0.6, 0.3 beat 5 + 5 + 4.5 (a tie at 0.3) of 5 -> 29/30
    // mean (52 + 55 + 58) / 60 / 3 = 11/12.
    QVERIFY(report->rocAuc.has_value());
    QCOMPARE(*report->rocAuc, 11.0 / 12);

    // log_loss(y, p) = mean of -ln p[true]: 0.6385034550131132.
    const double logLoss = -(std::log(0.7) + std::log(0.5) + std::log(0.3) + std::log(0.8) + std::log(0.5)
                             + std::log(0.8) + std::log(0.6) + std::log(0.3))
        / 8;
    QVERIFY(report->logLoss.has_value());
    QCOMPARE(*report->logLoss, logLoss);
    QCOMPARE(*report->logLoss, 0.6385034550131132);

    // One curve per class. roc_curve(y == 1, p[:, 1]):
    // fpr [0, 0, 1/6, 1/6, 1/3, 1], tpr [0, .5, .5, 1, 1, 1], thresholds [1.8, .8, .6, .5, .3, .1]
    QCOMPARE(report->roc.size(), std::size_t(3));
    QCOMPARE(report->precisionRecall.size(), std::size_t(3));
    QCOMPARE(report->roc.at(1).classIndex, 1);
    compareCurve(report->roc.at(1).points, {0.0, 0.0, 1.0 / 6, 1.0 / 6, 1.0 / 3, 1.0}, {0.0, 0.5, 0.5, 1.0, 1.0, 1.0},
                 {1.8, 0.8, 0.6, 0.5, 0.3, 0.1});
}

void tst_Evaluation::zeroDivisionPerClass()
{
    // Same data as the "class never predicted, class absent" averages row.
    const auto report = classify({0, 0, 1, 1, 2}, oneHotRows({0, 1, 1, 1, 0}, 4), classNames(4));
    QVERIFY(report.ok());
    // classification_report(y, p, zero_division=0) lists a, b, c; d occurs nowhere.
    QCOMPARE(report->perClass.size(), qsizetype(3));
    const ClassMetrics &c = report->perClass.at(2);
    QCOMPARE(c.label, QStringLiteral("c"));
    QCOMPARE(c.precision, 0.0);
    QCOMPARE(c.recall, 0.0);
    QCOMPARE(c.f1, 0.0);
    QCOMPARE(c.support, qint64(1));
    // The matrix still spans all four classes, d's row and column all zero.
    const std::vector<std::vector<qint64>> confusion {{1, 1, 0, 0}, {0, 2, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}};
    QCOMPARE(report->confusion, confusion);
}

void tst_Evaluation::multiclassAucNeedsEveryClass()
{
    // roc_auc_score(multi_class='ovr') raises when y lacks a class ("Number of classes in y_true
    // not equal to the number of columns in 'y_score'"), so the AUC is undefined, the class's
    // ROC curve empty (NaN TPR in sklearn); the other curves and metrics are still there.
    const std::vector<double> p {0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1};
    const auto report = classify({0, 1, 0}, p, classNames(3));
    QVERIFY(report.ok());
    QVERIFY(!report->rocAuc.has_value());
    QCOMPARE(report->roc.size(), std::size_t(3));
    QVERIFY(!report->roc.at(0).points.empty());
    QVERIFY(!report->roc.at(1).points.empty());
    QVERIFY(report->roc.at(2).points.empty());
    QCOMPARE(report->accuracy, 1.0);
    QVERIFY(report->logLoss.has_value());
}

void tst_Evaluation::argmaxTiesGoToLowestIndex()
{
    // np.argmax([0.4, 0.4, 0.2]) == 0 and np.argmax([0.2, 0.4, 0.4]) == 1.
    const auto report = classify({0, 1}, {0.4, 0.4, 0.2, 0.2, 0.4, 0.4}, classNames(3));
    QVERIFY(report.ok());
    QCOMPARE(report->confusion.at(0).at(0), qint64(1));
    QCOMPARE(report->confusion.at(1).at(1), qint64(1));
    QCOMPARE(report->accuracy, 1.0);
}

void tst_Evaluation::logLoss_data()
{
    QTest::addColumn<QList<int>>("yTrue");
    QTest::addColumn<QList<double>>("probabilities");
    QTest::addColumn<int>("k");
    QTest::addColumn<double>("expected");

    // log_loss(y, p, labels=range(k)), sklearn 1.2 default eps="auto" = 2.220446049250313e-16.
    // (-ln 0.9 - ln 0.8) / 2
    QTest::newRow("two rows") << QList<int> {0, 1} << QList<double> {0.9, 0.1, 0.2, 0.8} << 2 << 0.164252033486018;
    // p[true] = 0 is clipped to eps: -ln(2.22e-16) = 36.04. (The pre-1.2 eps=1e-15 gives 34.54.)
    QTest::newRow("zero probability clipped") << QList<int> {1} << QList<double> {1.0, 0.0} << 2 << 36.04365338911715;
    // Clipped rows are renormalised: [1 - eps, eps, eps] sums to 1 + eps.
    QTest::newRow("clip then renormalise")
        << QList<int> {2, 0} << QList<double> {1.0, 0.0, 0.0, 0.5, 0.25, 0.25} << 3 << 18.36840028483855;
    // Only one class in y: sklearn needs labels= for this, and Kiln always knows them.
    QTest::newRow("single class in y") << QList<int> {0, 0} << QList<double> {0.5, 0.5, 0.5, 0.5} << 2
                                       << 0.6931471805599453;
}

void tst_Evaluation::logLoss()
{
    QFETCH(QList<int>, yTrue);
    QFETCH(QList<double>, probabilities);
    QFETCH(int, k);
    QFETCH(double, expected);

    const auto report = classify(toVector(yTrue), toVector(probabilities), classNames(k));
    QVERIFY(report.ok());
    QVERIFY(report->logLoss.has_value());
    QCOMPARE(*report->logLoss, expected);
}

void tst_Evaluation::invalidClassification_data()
{
    QTest::addColumn<QList<int>>("yTrue");
    QTest::addColumn<QList<double>>("probabilities");
    QTest::addColumn<int>("k");
    QTest::addColumn<QString>("message");

    QTest::newRow("one class") << QList<int> {0} << QList<double> {1.0} << 1
                               << QStringLiteral("a classifier needs at least 2 classes, got 1");
    QTest::newRow("no rows") << QList<int> {} << QList<double> {} << 2
                             << QStringLiteral("there are no rows to evaluate");
    QTest::newRow("too few probabilities") << QList<int> {0, 1} << QList<double> {0.5, 0.5, 1.0} << 2
                                           << QStringLiteral("expected 2 rows × 2 classes = 4 probabilities, got 3");
    QTest::newRow("class index too high")
        << QList<int> {0, 2} << QList<double> {0.5, 0.5, 0.5, 0.5} << 2
        << QStringLiteral("row 2: true class index 2 is not one of the 2 classes (0 to 1)");
    QTest::newRow("negative class index")
        << QList<int> {-1} << QList<double> {0.5, 0.5} << 2
        << QStringLiteral("row 1: true class index -1 is not one of the 2 classes (0 to 1)");
    QTest::newRow("NaN probability") << QList<int> {0} << QList<double> {1.0, qQNaN()} << 2
                                     << QStringLiteral(
                                            "row 1: the probability of class \"b\" is nan, expected a value in [0, 1]");
    QTest::newRow("probability above 1")
        << QList<int> {0} << QList<double> {1.5, -0.5} << 2
        << QStringLiteral("row 1: the probability of class \"a\" is 1.5, expected a value in [0, 1]");
    QTest::newRow("row not summing to 1") << QList<int> {0, 1} << QList<double> {0.5, 0.5, 0.3, 0.3} << 2
                                          << QStringLiteral("row 2: the class probabilities sum to 0.6, expected 1");
}

void tst_Evaluation::invalidClassification()
{
    QFETCH(QList<int>, yTrue);
    QFETCH(QList<double>, probabilities);
    QFETCH(int, k);
    QFETCH(QString, message);

    const auto report = classify(toVector(yTrue), toVector(probabilities), classNames(k));
    QVERIFY(!report.ok());
    QCOMPARE(report.errorMessage(), message);
}

void tst_Evaluation::regression_data()
{
    QTest::addColumn<QList<double>>("yTrue");
    QTest::addColumn<QList<double>>("yPred");
    QTest::addColumn<double>("rmse");
    QTest::addColumn<double>("mae");
    QTest::addColumn<bool>("hasR2");
    QTest::addColumn<double>("r2");
    QTest::addColumn<double>("mape");
    QTest::addColumn<double>("maxError");

    // mean_squared_error(squared=False), mean_absolute_error, r2_score,
    // mean_absolute_percentage_error, max_error.
    // The sklearn docs' example: errors .5, .5, 0, 1; SS_res 1.5, SS_tot 29.1875;
    // MAPE (.5/3 + .5/.5 + 0 + 1/7) / 4.
    QTest::newRow("sklearn docs") << QList<double> {3, -0.5, 2, 7} << QList<double> {2.5, 0, 2, 8} << 0.6123724356957945
                                  << 0.5 << true << 0.9486081370449679 << 0.3273809523809524 << 1.0;
    // A zero target divides by float64 eps: (0.5 / 2.22e-16 + 0) / 2.
    QTest::newRow("zero in y_true") << QList<double> {0, 1} << QList<double> {0.5, 1} << 0.3535533905932738 << 0.25
                                    << true << 0.5 << 1125899906842624.0 << 0.5;
    // SS_tot = 0: force_finite gives 1 for perfect predictions, else 0.
    QTest::newRow("constant, perfect") << QList<double> {2, 2, 2} << QList<double> {2, 2, 2} << 0.0 << 0.0 << true
                                       << 1.0 << 0.0 << 0.0;
    QTest::newRow("constant, imperfect") << QList<double> {2, 2, 2} << QList<double> {1, 2, 3} << 0.816496580927726
                                         << 2.0 / 3 << true << 0.0 << 1.0 / 3 << 1.0;
    // sklearn's own quirk, kept: np.mean([.1, .1, .1]) is 0.10000000000000002, so SS_tot is not
    // exactly 0 and r2_score([.1, .1, .1], [.1, .1, .2]) is -1.7307656195116095e+31, not 0.
    QTest::newRow("constant 0.1, imperfect")
        << QList<double> {0.1, 0.1, 0.1} << QList<double> {0.1, 0.1, 0.2} << 0.05773502691896258 << 0.03333333333333333
        << true << -1.7307656195116095e+31 << 0.3333333333333333 << 0.1;
    QTest::newRow("worse than the mean") << QList<double> {1, 2, 3} << QList<double> {3, 2, 1} << 1.632993161855452
                                         << 4.0 / 3 << true << -3.0 << 0.8888888888888888 << 2.0;
    // R² of one row: sklearn warns and returns NaN.
    QTest::newRow("one row") << QList<double> {5} << QList<double> {3} << 2.0 << 2.0 << false << 0.0 << 0.4 << 2.0;
}

void tst_Evaluation::regression()
{
    QFETCH(QList<double>, yTrue);
    QFETCH(QList<double>, yPred);
    QFETCH(double, rmse);
    QFETCH(double, mae);
    QFETCH(bool, hasR2);
    QFETCH(double, r2);
    QFETCH(double, mape);
    QFETCH(double, maxError);

    const auto report = regress(toVector(yTrue), toVector(yPred));
    QVERIFY(report.ok());
    QCOMPARE(report->rmse, rmse);
    QCOMPARE(report->mae, mae);
    QCOMPARE(report->r2.has_value(), hasR2);
    if (hasR2)
        QCOMPARE(*report->r2, r2);
    QCOMPARE(report->mape, mape);
    QCOMPARE(report->maxError, maxError);
}

void tst_Evaluation::regressionSumsInNumpyOrder()
{
    // mean_absolute_error(1 / (i + 1) for i < 10000, zeros). numpy sums in 8,192-element
    // buffers, each pairwise: 0.0009787606036044383. A plain loop gives ...348 and one
    // pairwise pass over all 10,000 ...380, so this pins the order bit for bit.
    std::vector<double> yTrue(10000);
    for (std::size_t i = 0; i < yTrue.size(); ++i)
        yTrue[i] = 1.0 / double(i + 1);
    const auto report = regress(yTrue, std::vector<double>(yTrue.size(), 0.0));
    QVERIFY(report.ok());
    QVERIFY2(report->mae == 0.0009787606036044383, qPrintable(QString::number(report->mae, 'g', 17)));
}

void tst_Evaluation::invalidRegression_data()
{
    QTest::addColumn<QList<double>>("yTrue");
    QTest::addColumn<QList<double>>("yPred");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty") << QList<double> {} << QList<double> {} << QStringLiteral("there are no rows to evaluate");
    QTest::newRow("lengths differ") << QList<double> {1, 2} << QList<double> {1, 2, 3}
                                    << QStringLiteral("2 true values but 3 predictions");
    QTest::newRow("NaN prediction") << QList<double> {1, 2} << QList<double> {1, qQNaN()}
                                    << QStringLiteral(
                                           "row 2: the true value is 2 and the prediction nan, both must be finite");
    QTest::newRow("infinite target") << QList<double> {qInf()} << QList<double> {1}
                                     << QStringLiteral(
                                            "row 1: the true value is inf and the prediction 1, both must be finite");
}

void tst_Evaluation::invalidRegression()
{
    QFETCH(QList<double>, yTrue);
    QFETCH(QList<double>, yPred);
    QFETCH(QString, message);

    const auto report = regress(toVector(yTrue), toVector(yPred));
    QVERIFY(!report.ok());
    QCOMPARE(report.errorMessage(), message);
}

void tst_Evaluation::json()
{
    const auto report = classify({0, 0, 1, 1}, binaryRows({0.1, 0.4, 0.35, 0.8}), classNames(2));
    QVERIFY(report.ok());
    const QJsonObject o = report->toJson();
    QCOMPARE(o.value(QLatin1String("rocAuc")).toDouble(), 0.75);
    QCOMPARE(o.value(QLatin1String("accuracy")).toDouble(), 0.75);
    QCOMPARE(o.value(QLatin1String("classes")).toArray().size(), 2);
    QCOMPARE(o.value(QLatin1String("confusion")).toArray().at(1).toArray().at(0).toInteger(), 1);
    QCOMPARE(o.value(QLatin1String("perClass")).toArray().size(), 2);

    // Curves keep sklearn's array shapes: thresholds as long as fpr for ROC, one shorter for PR.
    const QJsonObject roc = o.value(QLatin1String("roc")).toArray().at(0).toObject();
    QCOMPARE(roc.value(QLatin1String("class")).toString(), QStringLiteral("b"));
    QCOMPARE(roc.value(QLatin1String("fpr")).toArray().size(), 5);
    QCOMPARE(roc.value(QLatin1String("thresholds")).toArray().size(), 5);
    QCOMPARE(roc.value(QLatin1String("thresholds")).toArray().at(0).toDouble(), 1.8);
    const QJsonObject pr = o.value(QLatin1String("precisionRecall")).toArray().at(0).toObject();
    QCOMPARE(pr.value(QLatin1String("precision")).toArray().size(), 5);
    QCOMPARE(pr.value(QLatin1String("recall")).toArray().size(), 5);
    QCOMPARE(pr.value(QLatin1String("thresholds")).toArray().size(), 4);

    const auto single = classify({0, 0}, binaryRows({0.1, 0.2}), classNames(2));
    QVERIFY(single.ok());
    QVERIFY(single->toJson().value(QLatin1String("rocAuc")).isNull());

    const auto regression = regress({5}, {3});
    QVERIFY(regression.ok());
    const QJsonObject r = regression->toJson();
    QVERIFY(r.value(QLatin1String("r2")).isNull());
    QCOMPARE(r.value(QLatin1String("rmse")).toDouble(), 2.0);
    QCOMPARE(r.value(QLatin1String("maxError")).toDouble(), 2.0);
}

QTEST_GUILESS_MAIN(tst_Evaluation)
#include "tst_evaluation.moc"
