#include "chartstyle.h"

#include "theme.h"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLegend>
#include <QScrollArea>

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
