#include "chartstyle.h"

#include "theme.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QScrollArea>
#include <QValueAxis>

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
