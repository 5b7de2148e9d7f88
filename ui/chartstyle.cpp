#include "chartstyle.h"

#include "appearance.h"
#include "theme.h"

#include <QAbstractAxis>
#include <QAbstractBarSeries>
#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QFontMetrics>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QScatterSeries>
#include <QScrollArea>
#include <QValueAxis>

#include <algorithm>

namespace kiln::chartstyle {

namespace {

/// The dynamic property holding the SeriesColor a series keeps.
constexpr char kColorRole[] = "kilnSeriesColor";

void styleAxisColors(QAbstractAxis *axis, const QPalette &palette)
{
    axis->setLabelsColor(theme::plotText(palette));
    axis->setTitleBrush(theme::plotText(palette));
    axis->setLinePenColor(theme::plotAxis(palette));
    axis->setGridLineColor(theme::plotGrid(palette));
    axis->setMinorGridLineColor(theme::plotGrid(palette));
}

QColor colorOf(SeriesColor color, const QPalette &palette)
{
    switch (color) {
    case SeriesColor::Accent:
        return theme::accent(palette);
    case SeriesColor::Neutral:
        return theme::neutralLine(palette);
    case SeriesColor::Validation:
        return theme::validationLine(palette);
    case SeriesColor::Error:
        return theme::errorText(palette);
    case SeriesColor::Good:
        return theme::good(palette);
    case SeriesColor::Purple:
        return theme::runStatus(RunStatus::Interrupted, palette);
    }
    return theme::accent(palette);
}

/// Gives `object` (a series or bar set) its kept colour, if it has one.
void recolor(QObject *object, const QPalette &palette)
{
    const QVariant role = object->property(kColorRole);
    if (!role.isValid())
        return;
    const QColor color = colorOf(SeriesColor(role.toInt()), palette);
    if (auto *set = qobject_cast<QBarSet *>(object)) {
        set->setColor(color);
        set->setBorderColor(color);
    } else if (auto *area = qobject_cast<QAreaSeries *>(object)) {
        QColor fill = color;
        fill.setAlpha(theme::chartFill(palette).alpha());
        area->setColor(fill);
        area->setBorderColor(color);
    } else if (auto *scatter = qobject_cast<QScatterSeries *>(object)) {
        scatter->setColor(color);
        scatter->setBorderColor(color);
    } else if (auto *line = qobject_cast<QLineSeries *>(object)) {
        QPen pen = line->pen();
        pen.setColor(color);
        line->setPen(pen);
    }
}

void recolorSeries(QAbstractSeries *series, const QPalette &palette)
{
    recolor(series, palette);
    if (auto *bars = qobject_cast<QAbstractBarSeries *>(series)) {
        const QList<QBarSet *> sets = bars->barSets();
        for (QBarSet *set : sets)
            recolor(set, palette);
    }
}

/// Re-styles a chart view's chart when the palette changes.
class PaletteFollower final : public QObject
{
public:
    explicit PaletteFollower(QChartView *view)
        : QObject(view)
        , m_view(view)
    {
        view->installEventFilter(this);
    }

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_view
            && (event->type() == QEvent::ApplicationPaletteChange || event->type() == QEvent::PaletteChange)) {
            if (QChart *chart = m_view->chart())
                applyPalette(chart, m_view->palette());
            m_view->setBackgroundBrush(theme::plotBackground(m_view->palette()));
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QChartView *m_view;
};

} // namespace

void setSeriesColor(QObject *seriesOrSet, SeriesColor color)
{
    seriesOrSet->setProperty(kColorRole, int(color));
    recolor(seriesOrSet, QGuiApplication::palette());
}

void applyPalette(QChart *chart, const QPalette &palette)
{
    chart->setBackgroundBrush(theme::plotBackground(palette));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setTitleBrush(theme::plotText(palette));
    chart->legend()->setLabelColor(theme::plotText(palette));
    const QList<QAbstractAxis *> axes = chart->axes();
    for (QAbstractAxis *axis : axes)
        styleAxisColors(axis, palette);
    const QList<QAbstractSeries *> series = chart->series();
    for (QAbstractSeries *one : series)
        recolorSeries(one, palette);
}

void followPalette(QChartView *view)
{
    const QObjectList children = view->children();
    for (const QObject *child : children) {
        if (dynamic_cast<const PaletteFollower *>(child))
            return;
    }
    new PaletteFollower(view);
    view->setBackgroundBrush(theme::plotBackground(view->palette()));
}

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
    applyPalette(chart);
    return chart;
}

QChartView *newChartView(QChart *chart, QWidget *parent)
{
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setFrameShape(QFrame::NoFrame);
    followPalette(view);
    return view;
}

void styleAxis(QAbstractAxis *axis)
{
    axis->setLabelsFont(smallFont());
    axis->setTitleFont(smallFont());
    styleAxisColors(axis, QGuiApplication::palette());
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
    QPen dashed(theme::neutralLine());
    dashed.setStyle(Qt::DashLine);
    diagonal->setPen(dashed);
    setSeriesColor(diagonal, SeriesColor::Neutral);
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
    setSeriesColor(set, SeriesColor::Accent);
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
    appearance::setTextRole(label, appearance::TextRole::Muted);
}

} // namespace kiln::chartstyle
