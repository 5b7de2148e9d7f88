#include "columnchart.h"

#include "chartstyle.h"
#include "data/columnprofile.h"

#include <QAreaSeries>
#include <QChart>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

namespace kiln {

namespace {

constexpr int kLabelChars = 22;

QChart *histogramChart(const ColumnProfile &profile)
{
    const Histogram &histogram = profile.histogram;
    const auto bins = qsizetype(histogram.counts.size());
    double lower = histogram.lower;
    double upper = histogram.upper;
    if (!(upper > lower)) {
        // Every value equal: one bar of unit width around it.
        lower -= 0.5;
        upper += 0.5;
    }
    const double width = (upper - lower) / double(bins);

    // A step outline filled to zero: one polygon instead of a bar item per bin, and a real
    // numeric (or date) axis underneath rather than category labels.
    auto *outline = new QLineSeries;
    qint64 highest = 0;
    for (qsizetype i = 0; i < bins; ++i) {
        const double count = double(histogram.counts[std::size_t(i)]);
        highest = std::max(highest, histogram.counts[std::size_t(i)]);
        outline->append(lower + double(i) * width, count);
        outline->append(lower + double(i + 1) * width, count);
    }
    auto *baseline = new QLineSeries;
    baseline->append(lower, 0);
    baseline->append(upper, 0);
    auto *area = new QAreaSeries(outline, baseline);
    QPen pen = area->pen();
    pen.setWidthF(1.2);
    area->setPen(pen);
    chartstyle::setSeriesColor(area, chartstyle::SeriesColor::Accent);

    QChart *chart = chartstyle::newChart(QObject::tr("Distribution of %1").arg(profile.name));
    chart->addSeries(area);

    QAbstractAxis *x = nullptr;
    if (profile.type == ColumnType::DateTime) {
        auto *dates = new QDateTimeAxis;
        dates->setFormat(QStringLiteral("yyyy-MM-dd"));
        dates->setTickCount(4);
        dates->setRange(QDateTime::fromMSecsSinceEpoch(qint64(lower), Qt::UTC),
                        QDateTime::fromMSecsSinceEpoch(qint64(upper), Qt::UTC));
        x = dates;
    } else {
        auto *values = new QValueAxis;
        values->setRange(lower, upper);
        values->setTickCount(5);
        values->setLabelFormat(profile.type == ColumnType::Integer && width >= 1 ? QStringLiteral("%.0f")
                                                                                 : QStringLiteral("%.4g"));
        x = values;
    }
    auto *y = new QValueAxis;
    y->setRange(0, double(std::max<qint64>(highest, 1)));
    y->setLabelFormat(QStringLiteral("%.0f"));
    y->applyNiceNumbers();
    chartstyle::styleAxis(x);
    chartstyle::styleAxis(y);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    area->attachAxis(x);
    area->attachAxis(y);
    return chart;
}

QChart *topValuesChart(const ColumnProfile &profile)
{
    QChart *chart = chartstyle::newChart(QObject::tr("Most frequent values of %1").arg(profile.name));
    QStringList labels;
    std::vector<double> counts;
    for (const auto &[value, count] : profile.topValues) {
        labels << (value.isEmpty() ? QObject::tr("(empty)") : value);
        counts.push_back(double(count));
    }
    chartstyle::addHorizontalBars(chart, profile.name, labels, counts, Qt::ElideRight, kLabelChars,
                                  QStringLiteral("%.0f"), 4);
    return chart;
}

} // namespace

QChart *createColumnChart(const ColumnProfile &profile)
{
    const bool numeric = profile.type == ColumnType::Integer || profile.type == ColumnType::Float
        || profile.type == ColumnType::DateTime;
    if (numeric && !profile.histogram.counts.empty())
        return histogramChart(profile);
    if (!profile.topValues.isEmpty())
        return topValuesChart(profile);
    QChart *chart = chartstyle::newChart(QObject::tr("%1 has no values to chart").arg(profile.name));
    return chart;
}

} // namespace kiln
