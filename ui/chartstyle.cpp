#include "chartstyle.h"

#include "theme.h"

#include <QAbstractAxis>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFontMetrics>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QScrollArea>
#include <QValueAxis>

#include <algorithm>

namespace kiln::chartstyle {

QFont smallFont()
{
    QFont font;
    font.setPointSizeF(font.pointSizeF() * 0.85);
    return font;
}

QChart *newChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTheme(QChart::ChartThemeLight);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(4, 4, 4, 4));
    QFont titleFont = chart->titleFont();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 0.95);
    titleFont.setBold(true);
    chart->setTitleFont(titleFont);
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setFont(smallFont());
    chart->legend()->hide();
    return chart;
}

QChartView *newChartView(QChart *chart, QWidget *parent)
{
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setFrameShape(QFrame::NoFrame);
    return view;
}

void styleAxis(QAbstractAxis *axis)
{
    axis->setLabelsFont(smallFont());
    axis->setTitleFont(smallFont());
    axis->setGridLineColor(QColor(0xe4, 0xe4, 0xe7));
}

QValueAxis *unitAxis(const QString &title)
{
    auto *axis = new QValueAxis;
    axis->setRange(0, 1);
    axis->setTickCount(6);
    axis->setLabelFormat(QStringLiteral("%.1f"));
    axis->setTitleText(title);
    styleAxis(axis);
    return axis;
}

QLineSeries *newDiagonal(const QString &name, double from, double to)
{
    auto *diagonal = new QLineSeries;
    diagonal->setName(name);
    diagonal->append(from, from);
    diagonal->append(to, to);
    QPen dashed(QColor(0xa0, 0xa4, 0xab));
    dashed.setStyle(Qt::DashLine);
    diagonal->setPen(dashed);
    return diagonal;
}

QLineSeries *newLineSeries(const std::vector<double> &x, const std::vector<double> &y)
{
    QList<QPointF> points;
    points.reserve(qsizetype(std::min(x.size(), y.size())));
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
        points.append(QPointF(x[i], y[i]));
    auto *series = new QLineSeries;
    series->append(points);
    return series;
}

int addHorizontalBars(QChart *chart, const QString &name, const QStringList &labels, const std::vector<double> &values,
                      Qt::TextElideMode elide, int labelChars, const QString &format, int ticks)
{
    auto *set = new QBarSet(name);
    set->setColor(theme::accent());
    set->setBorderColor(theme::accent());
    QStringList categories;
    const QFontMetrics metrics(smallFont());
    double highest = 0;
    // Horizontal bars are drawn bottom-up: add them in reverse so that the first is on top.
    for (qsizetype i = std::min<qsizetype>(labels.size(), qsizetype(values.size())) - 1; i >= 0; --i) {
        QString label = metrics.elidedText(labels.at(i), elide, metrics.averageCharWidth() * labelChars);
        // Categories must be unique; elision could merge two long labels.
        while (categories.contains(label))
            label += u' ';
        categories << label;
        *set << values[std::size_t(i)];
        highest = std::max(highest, values[std::size_t(i)]);
    }
    auto *series = new QHorizontalBarSeries;
    series->append(set);
    series->setBarWidth(0.7);
    chart->addSeries(series);
    auto *y = new QBarCategoryAxis;
    y->append(categories);
    auto *x = new QValueAxis;
    x->setRange(0, highest > 0 ? highest : 1);
    x->setLabelFormat(format);
    x->applyNiceNumbers();
    if (ticks > 0)
        x->setTickCount(ticks);
    styleAxis(x);
    styleAxis(y);
    y->setGridLineVisible(false);
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(y);
    series->attachAxis(x);
    return int(categories.size()) * (metrics.height() + 6) + 80;
}

QScrollArea *newChartScrollArea(QWidget *page, QWidget *parent)
{
    auto *scroll = new QScrollArea(parent);
    scroll->setWidget(page);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    return scroll;
}

void styleEmptyNote(QLabel *label, const QString &objectName)
{
    label->setObjectName(objectName);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setMargin(24);
    label->setStyleSheet(QStringLiteral("color: %1;").arg(theme::mutedText().name()));
}

} // namespace kiln::chartstyle
