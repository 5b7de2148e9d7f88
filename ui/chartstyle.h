#pragma once

#include <QFont>
#include <QGuiApplication>
#include <QPalette>

#include <vector>

class QAbstractAxis;
class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QScrollArea;
class QString;
class QValueAxis;
class QWidget;

/// The look every run chart shares (curves, ROC, importance, scatter): the colours of the
/// palette (light or dark), no animation, small axis labels, faint grid.
namespace kiln::chartstyle {

/// A new chart with `title`, its legend at the bottom (hidden until it has two entries).
QChart *newChart(const QString &title);
/// A chart view that antialiases, takes the space it is given and follows the palette.
QChartView *newChartView(QChart *chart, QWidget *parent = nullptr);
/// Re-styles `view`'s chart (whichever it shows then) with the palette whenever it changes.
void followPalette(QChartView *view);
/// Colours `chart` from `palette`: background, title, legend, every axis, and the series given
/// a colour by setSeriesColor().
void applyPalette(QChart *chart, const QPalette &palette = QGuiApplication::palette());
/// The theme colours a series can keep across palette changes.
enum class SeriesColor { Accent, Neutral, Validation, Error, Good, Purple };
/// Colours a line, scatter or area series, or a bar set (its pen keeps width and style), and
/// keeps that colour right when the palette changes (by applyPalette()).
void setSeriesColor(QObject *seriesOrSet, SeriesColor color);
void styleAxis(QAbstractAxis *axis);
/// A styled axis from 0 to 1 (ticks every 0.2) titled `title`, for rates: ROC, precision-recall.
QValueAxis *unitAxis(const QString &title);
/// The dashed grey line y = x from (from, from) to (to, to), named `name`: a ROC chart's
/// chance, a regression's predicted = actual.
QLineSeries *newDiagonal(const QString &name, double from, double to);
/// A line series through the points (x[i], y[i]).
QLineSeries *newLineSeries(const std::vector<double> &x, const std::vector<double> &y);
/// Fills `chart` with horizontal bars of `values` in the accent colour, `labels[0]` on top;
/// labels elided (`elide`) to `labelChars` average characters and kept distinct. The value
/// axis starts at 0, nice numbers, labelled with the printf `format`; `ticks` > 0 sets its
/// tick count. Returns the height in pixels the bars need to stay readable.
int addHorizontalBars(QChart *chart, const QString &name, const QStringList &labels, const std::vector<double> &values,
                      Qt::TextElideMode elide, int labelChars, const QString &format, int ticks = 0);
/// A frameless scroll area around a page of charts: the page fits any width the panel allows;
/// only its height scrolls.
QScrollArea *newChartScrollArea(QWidget *page, QWidget *parent);
/// Names `label` and styles it as the centred, muted note a chart view shows while it has
/// nothing to plot.
void styleEmptyNote(QLabel *label, const QString &objectName);
QFont smallFont();

} // namespace kiln::chartstyle
