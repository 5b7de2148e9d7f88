#pragma once

#include <QFont>

class QAbstractAxis;
class QChart;
class QChartView;
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
QFont smallFont();

} // namespace kiln::chartstyle
