#include "columnchart.h"

#include "data/columnprofile.h"
#include "theme.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QDateTimeAxis>
#include <QFontMetrics>
#include <QHorizontalBarSeries>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

namespace kiln {

namespace {

constexpr int kLabelChars = 22;

QChart *newChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTheme(QChart::ChartThemeLight);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->hide();
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(4, 4, 4, 4));
    QFont titleFont = chart->titleFont();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 0.95);
    titleFont.setBold(true);
    chart->setTitleFont(titleFont);
    chart->setTitle(title);
    return chart;
}

QFont smallFont()
{
    QFont font;
    font.setPointSizeF(font.pointSizeF() * 0.85);
    return font;
}

void styleAxis(QAbstractAxis *axis)
{
    axis->setLabelsFont(smallFont());
    axis->setGridLineColor(QColor(0xe4, 0xe4, 0xe7));
}

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
    area->setColor(theme::chartFill());
    area->setBorderColor(theme::accent());
    QPen pen(theme::accent());
    pen.setWidthF(1.2);
    area->setPen(pen);

    QChart *chart = newChart(QObject::tr("Distribution of %1").arg(profile.name));
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
    styleAxis(x);
    styleAxis(y);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    area->attachAxis(x);
    area->attachAxis(y);
    return chart;
}

QChart *topValuesChart(const ColumnProfile &profile)
{
    QChart *chart = newChart(QObject::tr("Most frequent values of %1").arg(profile.name));
    auto *set = new QBarSet(profile.name);
    set->setColor(theme::accent());
    set->setBorderColor(theme::accent());
    QStringList categories;
    qint64 highest = 0;
    const QFontMetrics metrics(smallFont());
    // Horizontal bars are drawn bottom-up; reversed, the most frequent value is on top.
    for (auto it = profile.topValues.crbegin(); it != profile.topValues.crend(); ++it) {
        QString label = it->first.isEmpty() ? QObject::tr("(empty)") : it->first;
        label = metrics.elidedText(label, Qt::ElideRight, metrics.averageCharWidth() * kLabelChars);
        // Categories must be unique; elision could merge two long values.
        while (categories.contains(label))
            label += u' ';
        categories << label;
        *set << double(it->second);
        highest = std::max(highest, it->second);
    }
    auto *series = new QHorizontalBarSeries;
    series->append(set);
    series->setBarWidth(0.7);
    chart->addSeries(series);

    auto *y = new QBarCategoryAxis;
    y->append(categories);
    auto *x = new QValueAxis;
    x->setRange(0, double(std::max<qint64>(highest, 1)));
    x->setLabelFormat(QStringLiteral("%.0f"));
    x->applyNiceNumbers();
    x->setTickCount(4);
    styleAxis(x);
    styleAxis(y);
    y->setGridLineVisible(false);
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(y);
    series->attachAxis(x);
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
    QChart *chart = newChart(QObject::tr("%1 has no values to chart").arg(profile.name));
    return chart;
}

} // namespace kiln
