#pragma once

#include <QFont>

class QAbstractAxis;
class QChart;
class QChartView;
class QLabel;
class QScrollArea;
class QString;
class QWidget;

/// The look every run chart shares (curves, ROC, importance, scatter): light theme, no
/// animation, small axis labels, faint grid.
namespace kiln::chartstyle {

/// A new chart with `title`, its legend at the bottom (hidden until it has two entries).
QChart *newChart(const QString &title);
/// A chart view that antialiases and takes the space it is given.
QChartView *newChartView(QChart *chart, QWidget *parent = nullptr);
void styleAxis(QAbstractAxis *axis);
/// Names `label` and styles it as the centred, muted note a chart view shows while it has
/// nothing to plot.
/// A frameless scroll area around a page of charts: the page fits any width the panel allows;
/// only its height scrolls.
QScrollArea *newChartScrollArea(QWidget *page, QWidget *parent);
void styleEmptyNote(QLabel *label, const QString &objectName);
QFont smallFont();

} // namespace kiln::chartstyle
