#include "compare/barsview.h"

#include "chartstyle.h"
#include "compare/chartcontrols.h"
#include "pictureexport.h"
#include "runcolors.h"
#include "theme.h"

#include <QComboBox>
#include <QHelpEvent>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

constexpr int kTitleHeight = 30;
constexpr int kMargin = 10;
/// Beyond this many bars they get thinner, so that 200 runs still fit a few screens.
constexpr std::size_t kThinBarsFrom = 60;

QString valueText(double value)
{
    return QString::number(value, 'g', 6);
}

} // namespace

/// The bars as a widget as tall as all of them, inside the scroll area.
class BarsView::Canvas final : public QWidget
{
public:
    explicit Canvas(BarsView *view)
        : QWidget(view)
        , m_view(view)
    {
        setObjectName(QStringLiteral("barsCanvas"));
        setAttribute(Qt::WA_OpaquePaintEvent);
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        m_view->render(painter, rect());
    }

    bool event(QEvent *event) override
    {
        if (event->type() == QEvent::ToolTip) {
            auto *help = static_cast<QHelpEvent *>(event);
            const int row = m_view->barAt(help->pos().y());
            if (row >= 0) {
                const Bar &bar = m_view->bars()[std::size_t(row)];
                QToolTip::showText(help->globalPos(),
                                   QStringLiteral("%1\n%2 = %3")
                                       .arg(bar.label, m_view->currentMetric(), QString::number(bar.value, 'g', 17)),
                                   this);
            } else {
                QToolTip::hideText();
            }
            return true;
        }
        return QWidget::event(event);
    }

private:
    BarsView *m_view;
};

BarsView::BarsView(QWidget *parent)
    : ComparisonView(parent)
    , m_metricCombo(new chartcontrols::MetricChooser(QStringLiteral("barsMetric"), this))
    , m_note(chartcontrols::createNote(QStringLiteral("barsNote"), this))
    , m_scroll(new QScrollArea(this))
    , m_canvas(new Canvas(this))
{
    setObjectName(QStringLiteral("barsView"));
    m_scroll->setWidget(m_canvas);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    chartcontrols::layOutView(this, {{tr("Metric:"), {m_metricCombo}}}, m_note, m_scroll);

    connect(m_metricCombo, &QComboBox::activated, this, &BarsView::showBars);
    showBars();
}

BarsView::~BarsView() = default;

QWidget *BarsView::canvas() const
{
    return m_canvas;
}

void BarsView::setComparison(const Comparison &comparison)
{
    m_comparison = comparison;
    // Results and step metrics alike: a bar is a run's last value.
    m_metricCombo->setKeys(chartcontrols::comparedMetricKeys(m_comparison));
    showBars();
}

void BarsView::setCurrentMetric(const QString &key)
{
    m_metricCombo->setWanted(key);
    showBars();
}

void BarsView::showBars()
{
    m_bars.clear();
    std::vector<qint64> missing;
    const RunTable *table = m_comparison.table.get();
    const int column = table ? table->findColumn(RunColumnKind::Metric, currentMetric(), MetricStat::Last) : -1;
    if (column >= 0) {
        const std::vector<int> differing = table->differingColumns(m_comparison.rows);
        for (const int row : m_comparison.rows) {
            const double value = table->column(column).number(row);
            if (std::isfinite(value))
                m_bars.push_back({table->runId(row), table->legendLabel(row, differing), value});
            else
                missing.push_back(table->runId(row));
        }
        // Highest first; equal values newest run first, as the table orders them.
        std::stable_sort(m_bars.begin(), m_bars.end(), [](const Bar &a, const Bar &b) {
            return a.value > b.value || (a.value == b.value && a.runId > b.runId);
        });
    }
    chartcontrols::setNote(m_note,
                           missing.empty() || m_bars.empty()
                               ? QString()
                               : tr("%n run(s) have no value of “%1”: %2", nullptr, int(missing.size()))
                                     .arg(currentMetric(), chartcontrols::runNumbers(missing)));
    m_canvas->setMinimumHeight(heightFor(int(m_bars.size())));
    m_canvas->update();
}

int BarsView::rowHeight() const
{
    const int text = QFontMetrics(chartstyle::smallFont()).height();
    return m_bars.size() >= kThinBarsFrom ? text + 2 : text + 10;
}

int BarsView::heightFor(int barCount) const
{
    return kTitleHeight + barCount * rowHeight() + kMargin;
}

int BarsView::barAt(int y) const
{
    const int row = (y - kTitleHeight) / rowHeight();
    return y >= kTitleHeight && row < int(m_bars.size()) ? row : -1;
}

void BarsView::render(QPainter &painter, const QRect &target) const
{
    painter.save();
    const QPalette colors = palette();
    const QColor background = theme::plotBackground(colors);
    painter.fillRect(target, background);
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(theme::plotText(colors));
    QString title;
    if (m_bars.empty()) {
        painter.setFont(font());
        painter.setPen(theme::mutedText(colors));
        const QString empty = m_comparison.rows.empty() ? tr("Select runs in the table to compare them")
            : m_metricCombo->count() == 0               ? tr("None of the selected runs has a metric")
                                          : tr("No selected run has a value of “%1”").arg(currentMetric());
        painter.drawText(target.adjusted(24, 24, -24, -24), Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, empty);
        painter.restore();
        return;
    }
    painter.drawText(QRect(target.left() + kMargin, target.top(), target.width() - 2 * kMargin, kTitleHeight),
                     Qt::AlignLeft | Qt::AlignVCenter, tr("%1: last value, highest first").arg(currentMetric()));

    painter.setFont(chartstyle::smallFont());
    const QFontMetrics metrics(painter.font());
    const int height = rowHeight();
    int labelWidth = 0;
    int valueWidth = 0;
    double low = 0;
    double high = 0;
    for (const Bar &bar : m_bars) {
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(bar.label));
        valueWidth = std::max(valueWidth, metrics.horizontalAdvance(valueText(bar.value)));
        low = std::min(low, bar.value);
        high = std::max(high, bar.value);
    }
    // QFontMetrics::elidedText wants a pixel or two more than horizontalAdvance() says.
    labelWidth = std::clamp(labelWidth + 4, 60, int(target.width() * 0.4));
    const int barLeft = target.left() + kMargin + labelWidth + 8;
    const int barRight = target.right() - kMargin - valueWidth - 8;
    const int barWidth = std::max(20, barRight - barLeft);
    if (high <= low)
        high = low + 1;
    const auto xOf = [&](double v) { return barLeft + (v - low) / (high - low) * barWidth; };
    const double zero = xOf(0);
    // Thin bars leave a pixel between rows; thick ones a little air.
    const int thickness = std::max(3, height - (m_bars.size() >= kThinBarsFrom ? 3 : 8));

    for (std::size_t i = 0; i < m_bars.size(); ++i) {
        const Bar &bar = m_bars[i];
        const int top = target.top() + kTitleHeight + int(i) * height;
        if (i % 2 == 1)
            painter.fillRect(QRect(target.left(), top, target.width(), height), theme::faintBand(colors));
        painter.setPen(theme::plotText(colors));
        painter.drawText(QRect(target.left() + kMargin, top, labelWidth, height), Qt::AlignRight | Qt::AlignVCenter,
                         metrics.elidedText(bar.label, Qt::ElideMiddle, labelWidth));
        const double end = xOf(bar.value);
        painter.fillRect(QRectF(QPointF(std::min(zero, end), top + (height - thickness) / 2.0),
                                QSizeF(std::max(1.0, std::abs(end - zero)), thickness)),
                         theme::readableOn(runColor(bar.runId), background));
        painter.setPen(theme::mutedText(colors));
        painter.drawText(QRect(barRight + 8, top, valueWidth, height), Qt::AlignRight | Qt::AlignVCenter,
                         valueText(bar.value));
    }
    if (low < 0) {
        painter.setPen(QPen(theme::mutedText(colors), 0));
        painter.drawLine(QPointF(zero, target.top() + kTitleHeight),
                         QPointF(zero, target.top() + kTitleHeight + int(m_bars.size()) * height));
    }
    painter.restore();
}

QStringList BarsView::exportFormats() const
{
    return pictureFormats();
}

bool BarsView::exportTo(const QString &path, QString *error) const
{
    const QSize size(std::max(640, m_canvas->width()), std::max(160, heightFor(int(m_bars.size()))));
    return exportPicture(
        path, size, [this](QPainter &painter, const QRect &target) { render(painter, target); }, error);
}

QJsonObject BarsView::settings() const
{
    return {{QStringLiteral("metric"), m_metricCombo->wanted()}};
}

void BarsView::restoreSettings(const QJsonObject &settings)
{
    const QString key = settings.value(QStringLiteral("metric")).toString();
    if (!key.isEmpty())
        setCurrentMetric(key);
}

} // namespace kiln
