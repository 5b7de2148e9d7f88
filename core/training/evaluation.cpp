#include "training/evaluation.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace kiln::evaluation {

namespace {

// numpy reduces a contiguous float64 array in buffers of this many elements, each summed
// pairwise, the buffer sums added in order (np.getbufsize(), checked against numpy 1.24).
constexpr std::size_t kNumpyBufferSize = 8192;
// numpy's pairwise summation stops splitting below this block size.
constexpr std::size_t kNumpyPairwiseBlock = 128;

// numpy's DOUBLE_pairwise_sum, step for step: eight running sums, then halves.
double pairwiseSum(const double *a, std::size_t n)
{
    if (n < 8) {
        double res = 0.;
        for (std::size_t i = 0; i < n; ++i)
            res += a[i];
        return res;
    }
    if (n <= kNumpyPairwiseBlock) {
        double r[8];
        std::copy(a, a + 8, r);
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8) {
            for (std::size_t j = 0; j < 8; ++j)
                r[j] += a[i + j];
        }
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i)
            res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwiseSum(a, n2) + pairwiseSum(a + n2, n - n2);
}

// np.sum of a 1-D float64 array. Matching numpy's order, not just its value, matters where
// sklearn compares a sum with zero (R²'s SS_tot) and for last-digit agreement elsewhere.
double numpySum(const double *a, std::size_t n)
{
    double total = 0;
    for (std::size_t start = 0; start < n; start += kNumpyBufferSize)
        total += pairwiseSum(a + start, std::min(kNumpyBufferSize, n - start));
    return total;
}

double numpySum(const std::vector<double> &v)
{
    return numpySum(v.data(), v.size());
}

double numpyMean(const std::vector<double> &v)
{
    return numpySum(v) / double(v.size());
}

// np.allclose(1, s): |1 - s| <= atol + rtol * |s|, sklearn's test that rows are probabilities.
bool closeToOne(double s)
{
    return std::abs(1.0 - s) <= 1e-8 + 1e-5 * std::abs(s);
}

// The cumulative counts of sklearn's _binary_clf_curve: one entry per distinct score, highest
// first; rows with tied scores enter together, which is how ties become one diagonal step.
struct BinaryCounts
{
    std::vector<qint64> fps;
    std::vector<qint64> tps;
    std::vector<double> thresholds;
};

BinaryCounts binaryCounts(const std::vector<int> &yTrue, const std::vector<double> &probabilities, int k, int cls)
{
    const std::size_t n = yTrue.size();
    std::vector<std::pair<double, bool>> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        rows.emplace_back(probabilities[i * std::size_t(k) + std::size_t(cls)], yTrue[i] == cls);
    // Order within a tie does not matter: counts are only read at the end of each tie.
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.first > b.first; });

    BinaryCounts counts;
    qint64 tp = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (rows[i].second)
            ++tp;
        if (i + 1 == n || rows[i].first != rows[i + 1].first) {
            counts.tps.push_back(tp);
            counts.fps.push_back(qint64(i + 1) - tp);
            counts.thresholds.push_back(rows[i].first);
        }
    }
    return counts;
}

// sklearn.metrics.roc_curve(drop_intermediate=True). Empty where sklearn's rates are NaN.
std::vector<CurvePoint> rocCurve(const BinaryCounts &c)
{
    if (c.fps.back() <= 0 || c.tps.back() <= 0)
        return {};
    const std::size_t m = c.fps.size();
    const double negatives = double(c.fps.back());
    const double positives = double(c.tps.back());
    std::vector<CurvePoint> points;
    points.reserve(m + 1);
    // sklearn 1.2 starts the curve one above the highest score (1.3 changed this to +inf).
    points.push_back({0.0, 0.0, c.thresholds.front() + 1});
    for (std::size_t i = 0; i < m; ++i) {
        // drop_intermediate, for curves of more than two points: a point inside a straight run
        // of equal steps (np.diff(x, 2) == 0 for fps and tps) adds nothing to the curve or its area.
        const bool inStraightRun = m > 2 && i > 0 && i + 1 < m && c.fps[i + 1] - 2 * c.fps[i] + c.fps[i - 1] == 0
            && c.tps[i + 1] - 2 * c.tps[i] + c.tps[i - 1] == 0;
        if (!inStraightRun)
            points.push_back({double(c.fps[i]) / negatives, double(c.tps[i]) / positives, c.thresholds[i]});
    }
    return points;
}

// sklearn.metrics.auc, i.e. np.trapz(tpr, fpr).
double trapezoidArea(const std::vector<CurvePoint> &points)
{
    std::vector<double> terms;
    terms.reserve(points.size());
    for (std::size_t i = 0; i + 1 < points.size(); ++i)
        terms.push_back((points[i + 1].x - points[i].x) * (points[i + 1].y + points[i].y) / 2.0);
    return numpySum(terms);
}

// sklearn.metrics.precision_recall_curve, recall decreasing, ending at (recall 0, precision 1).
std::vector<CurvePoint> precisionRecallCurve(const BinaryCounts &c)
{
    const qint64 positives = c.tps.back();
    std::vector<CurvePoint> points;
    points.reserve(c.tps.size() + 1);
    for (std::size_t i = c.tps.size(); i-- > 0;) {
        const double precision = double(c.tps[i]) / double(c.tps[i] + c.fps[i]);
        // With no positive row sklearn 1.2 sets recall to 1 (and warns) rather than NaN.
        const double recall = positives == 0 ? 1.0 : double(c.tps[i]) / double(positives);
        points.push_back({recall, precision, c.thresholds[i]});
    }
    points.push_back({0.0, 1.0, std::numeric_limits<double>::infinity()});
    return points;
}

// Divides as sklearn's _prf_divide with zero_division=0.
double ratioOrZero(qint64 numerator, qint64 denominator)
{
    return denominator == 0 ? 0.0 : double(numerator) / double(denominator);
}

// np.average(values, weights=weights)
double weightedMean(const std::vector<double> &values, const std::vector<double> &weights)
{
    std::vector<double> products(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        products[i] = values[i] * weights[i];
    return numpySum(products) / numpySum(weights);
}

std::optional<Error> checkClassificationInput(const std::vector<int> &yTrue, const std::vector<double> &probabilities,
                                              const QStringList &classes)
{
    const qsizetype k = classes.size();
    if (k < 2)
        return Error {QStringLiteral("a classifier needs at least 2 classes, got %1").arg(k)};
    if (yTrue.empty())
        return Error {QStringLiteral("there are no rows to evaluate")};
    const std::size_t expected = yTrue.size() * std::size_t(k);
    if (probabilities.size() != expected)
        return Error {QStringLiteral("expected %1 rows × %2 classes = %3 probabilities, got %4")
                          .arg(yTrue.size())
                          .arg(k)
                          .arg(expected)
                          .arg(probabilities.size())};
    for (std::size_t i = 0; i < yTrue.size(); ++i) {
        const QString row = QStringLiteral("row %1: ").arg(i + 1);
        if (yTrue[i] < 0 || yTrue[i] >= k)
            return Error {row
                          % QStringLiteral("true class index %1 is not one of the %2 classes (0 to %3)")
                                .arg(yTrue[i])
                                .arg(k)
                                .arg(k - 1)};
        const double *p = probabilities.data() + i * std::size_t(k);
        for (qsizetype c = 0; c < k; ++c) {
            if (!(p[c] >= 0.0 && p[c] <= 1.0)) // also catches NaN
                return Error {row
                              % QStringLiteral("the probability of class \"%1\" is %2, expected a value in [0, 1]")
                                    .arg(classes.at(c))
                                    .arg(p[c])};
        }
        const double sum = numpySum(p, std::size_t(k));
        if (!closeToOne(sum))
            return Error {row % QStringLiteral("the class probabilities sum to %1, expected 1").arg(sum, 0, 'g', 10)};
    }
    return std::nullopt;
}

// sklearn 1.2 log_loss with eps="auto" and labels=range(k).
double logLoss(const std::vector<int> &yTrue, const std::vector<double> &probabilities, std::size_t k)
{
    const double eps = std::numeric_limits<double>::epsilon();
    std::vector<double> row(k);
    std::vector<double> losses(yTrue.size());
    for (std::size_t i = 0; i < yTrue.size(); ++i) {
        for (std::size_t c = 0; c < k; ++c)
            row[c] = std::clamp(probabilities[i * k + c], eps, 1 - eps);
        // Clipping first and renormalising after is sklearn's order.
        const double p = row[std::size_t(yTrue[i])] / numpySum(row);
        losses[i] = -std::log(p);
    }
    return numpyMean(losses);
}

QJsonArray toJsonArray(const std::vector<double> &values)
{
    QJsonArray array;
    for (double v : values)
        array.append(v);
    return array;
}

QJsonObject curveToJson(const ClassCurve &curve, const QStringList &classes, const QString &xKey, const QString &yKey,
                        bool skipLastThreshold)
{
    std::vector<double> xs;
    std::vector<double> ys;
    std::vector<double> thresholds;
    for (const CurvePoint &p : curve.points) {
        xs.push_back(p.x);
        ys.push_back(p.y);
        thresholds.push_back(p.threshold);
    }
    if (skipLastThreshold && !thresholds.empty())
        thresholds.pop_back();
    return QJsonObject {{QLatin1String("class"), classes.value(curve.classIndex)},
                        {QLatin1String("index"), curve.classIndex},
                        {xKey, toJsonArray(xs)},
                        {yKey, toJsonArray(ys)},
                        {QLatin1String("thresholds"), toJsonArray(thresholds)}};
}

QJsonValue optionalToJson(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

} // namespace

Expected<ClassificationReport> classify(const std::vector<int> &yTrue, const std::vector<double> &probabilities,
                                        const QStringList &classes)
{
    if (auto error = checkClassificationInput(yTrue, probabilities, classes))
        return std::move(*error);

    const int k = int(classes.size());
    const std::size_t n = yTrue.size();
    ClassificationReport report;
    report.classes = classes;
    report.confusion.assign(std::size_t(k), std::vector<qint64>(std::size_t(k), 0));

    qint64 correct = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double *p = probabilities.data() + i * std::size_t(k);
        // std::max_element keeps the first of equal maxima, as np.argmax does.
        const int predicted = int(std::max_element(p, p + k) - p);
        ++report.confusion[std::size_t(yTrue[i])][std::size_t(predicted)];
        if (predicted == yTrue[i])
            ++correct;
    }
    report.accuracy = double(correct) / double(n);

    std::vector<double> precisions;
    std::vector<double> recalls;
    std::vector<double> f1s;
    std::vector<double> supports;
    bool everyClassInTruth = true;
    for (int c = 0; c < k; ++c) {
        const auto &confusionRow = report.confusion[std::size_t(c)];
        qint64 trueCount = 0;
        qint64 predictedCount = 0;
        for (int other = 0; other < k; ++other) {
            trueCount += confusionRow[std::size_t(other)];
            predictedCount += report.confusion[std::size_t(other)][std::size_t(c)];
        }
        everyClassInTruth = everyClassInTruth && trueCount > 0;
        // sklearn's default labels: only classes seen in yTrue or in the predictions.
        if (trueCount == 0 && predictedCount == 0)
            continue;
        const qint64 tp = confusionRow[std::size_t(c)];
        ClassMetrics m;
        m.classIndex = c;
        m.label = classes.at(c);
        m.precision = ratioOrZero(tp, predictedCount);
        m.recall = ratioOrZero(tp, trueCount);
        const double denominator = m.precision + m.recall;
        m.f1 = denominator == 0.0 ? 0.0 : 2 * m.precision * m.recall / denominator;
        m.support = trueCount;
        report.perClass.append(m);
        precisions.push_back(m.precision);
        recalls.push_back(m.recall);
        f1s.push_back(m.f1);
        supports.push_back(double(trueCount));
    }
    report.precisionMacro = numpyMean(precisions);
    report.recallMacro = numpyMean(recalls);
    report.f1Macro = numpyMean(f1s);
    report.precisionWeighted = weightedMean(precisions, supports);
    report.recallWeighted = weightedMean(recalls, supports);
    report.f1Weighted = weightedMean(f1s, supports);

    // Binary problems are scored on the positive class only, as sklearn scores p[:, 1].
    const int firstCurveClass = k == 2 ? 1 : 0;
    std::vector<double> areas;
    for (int c = firstCurveClass; c < k; ++c) {
        const BinaryCounts counts = binaryCounts(yTrue, probabilities, k, c);
        report.precisionRecall.push_back({c, precisionRecallCurve(counts)});
        ClassCurve roc {c, rocCurve(counts)};
        if (!roc.points.empty())
            areas.push_back(trapezoidArea(roc.points));
        report.roc.push_back(std::move(roc));
    }
    if (k == 2 && areas.size() == 1)
        report.rocAuc = areas.front();
    else if (k > 2 && everyClassInTruth)
        report.rocAuc = numpyMean(areas);

    report.logLoss = logLoss(yTrue, probabilities, std::size_t(k));
    return report;
}

QJsonObject ClassificationReport::toJson() const
{
    QJsonArray perClassJson;
    for (const ClassMetrics &m : perClass) {
        perClassJson.append(QJsonObject {{QLatin1String("class"), m.label},
                                         {QLatin1String("index"), m.classIndex},
                                         {QLatin1String("precision"), m.precision},
                                         {QLatin1String("recall"), m.recall},
                                         {QLatin1String("f1"), m.f1},
                                         {QLatin1String("support"), m.support}});
    }
    QJsonArray confusionJson;
    for (const auto &row : confusion) {
        QJsonArray rowJson;
        for (qint64 count : row)
            rowJson.append(count);
        confusionJson.append(rowJson);
    }
    QJsonArray rocJson;
    for (const ClassCurve &curve : roc)
        rocJson.append(curveToJson(curve, classes, QStringLiteral("fpr"), QStringLiteral("tpr"), false));
    QJsonArray prJson;
    for (const ClassCurve &curve : precisionRecall)
        prJson.append(curveToJson(curve, classes, QStringLiteral("recall"), QStringLiteral("precision"), true));

    return QJsonObject {{QLatin1String("classes"), QJsonArray::fromStringList(classes)},
                        {QLatin1String("accuracy"), accuracy},
                        {QLatin1String("precisionMacro"), precisionMacro},
                        {QLatin1String("recallMacro"), recallMacro},
                        {QLatin1String("f1Macro"), f1Macro},
                        {QLatin1String("precisionWeighted"), precisionWeighted},
                        {QLatin1String("recallWeighted"), recallWeighted},
                        {QLatin1String("f1Weighted"), f1Weighted},
                        {QLatin1String("perClass"), perClassJson},
                        {QLatin1String("rocAuc"), optionalToJson(rocAuc)},
                        {QLatin1String("logLoss"), optionalToJson(logLoss)},
                        {QLatin1String("confusion"), confusionJson},
                        {QLatin1String("roc"), rocJson},
                        {QLatin1String("precisionRecall"), prJson}};
}

Expected<RegressionReport> regress(const std::vector<double> &yTrue, const std::vector<double> &yPred)
{
    if (yTrue.empty())
        return Error {QStringLiteral("there are no rows to evaluate")};
    if (yTrue.size() != yPred.size())
        return Error {QStringLiteral("%1 true values but %2 predictions").arg(yTrue.size()).arg(yPred.size())};
    for (std::size_t i = 0; i < yTrue.size(); ++i) {
        if (!std::isfinite(yTrue[i]) || !std::isfinite(yPred[i]))
            return Error {QStringLiteral("row %1: the true value is %2 and the prediction %3, both must be finite")
                              .arg(i + 1)
                              .arg(yTrue[i])
                              .arg(yPred[i])};
    }

    const std::size_t n = yTrue.size();
    const double eps = std::numeric_limits<double>::epsilon();
    std::vector<double> squared(n);
    std::vector<double> absolute(n);
    std::vector<double> relative(n);
    RegressionReport report;
    for (std::size_t i = 0; i < n; ++i) {
        const double residual = yTrue[i] - yPred[i];
        squared[i] = residual * residual;
        absolute[i] = std::abs(residual);
        relative[i] = absolute[i] / std::max(std::abs(yTrue[i]), eps);
        report.maxError = std::max(report.maxError, absolute[i]);
    }
    report.rmse = std::sqrt(numpyMean(squared));
    report.mae = numpyMean(absolute);
    report.mape = numpyMean(relative);

    if (n >= 2) {
        // SS_tot is compared with exact zero, so it must be summed in sklearn's order: a
        // constant 0.1 column averages to 0.10000000000000002 there, and here too.
        const double mean = numpyMean(yTrue);
        std::vector<double> deviations(n);
        for (std::size_t i = 0; i < n; ++i)
            deviations[i] = (yTrue[i] - mean) * (yTrue[i] - mean);
        const double ssRes = numpySum(squared);
        const double ssTot = numpySum(deviations);
        if (ssRes == 0.0)
            report.r2 = 1.0; // force_finite: perfect predictions score 1 even for a constant target
        else if (ssTot == 0.0)
            report.r2 = 0.0; // force_finite: sklearn's finite stand-in for -inf
        else
            report.r2 = 1 - ssRes / ssTot;
    }
    return report;
}

QJsonObject RegressionReport::toJson() const
{
    return QJsonObject {{QLatin1String("rmse"), rmse},
                        {QLatin1String("mae"), mae},
                        {QLatin1String("r2"), optionalToJson(r2)},
                        {QLatin1String("mape"), mape},
                        {QLatin1String("maxError"), maxError}};
}

} // namespace kiln::evaluation
