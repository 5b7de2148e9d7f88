#include "compare/chartcontrols.h"

#include "appearance.h"
#include "models/metricseries.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace kiln::chartcontrols {

namespace {

constexpr std::size_t kRunsNamed = 12;

} // namespace

QLabel *createNote(const QString &objectName, QWidget *parent)
{
    auto *note = new QLabel(parent);
    note->setObjectName(objectName);
    note->setWordWrap(true);
    appearance::setTextRole(note, appearance::TextRole::Muted);
    note->hide();
    return note;
}

void setNote(QLabel *note, const QString &text)
{
    note->setText(text);
    note->setVisible(!text.isEmpty());
}

QHBoxLayout *layOutView(QWidget *view, const QList<Control> &controls, QLabel *note, QWidget *content)
{
    auto *row = new QHBoxLayout;
    row->setContentsMargins(8, 6, 8, 0);
    for (const Control &control : controls) {
        if (row->count() > 0)
            row->addSpacing(12);
        if (!control.label.isEmpty())
            row->addWidget(new QLabel(control.label, view));
        for (QWidget *widget : control.widgets)
            row->addWidget(widget);
    }
    row->addStretch(1);
    auto *layout = new QVBoxLayout(view);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(row);
    layout->addWidget(note);
    layout->addWidget(content, 1);
    return row;
}

QString runNumbers(const std::vector<qint64> &runIds)
{
    QStringList runs;
    for (std::size_t i = 0; i < runIds.size() && i < kRunsNamed; ++i)
        runs.append(u'#' + QString::number(runIds[i]));
    if (runIds.size() > kRunsNamed)
        runs.append(QStringLiteral("…"));
    return runs.join(QStringLiteral(", "));
}

QStringList comparedMetricKeys(const Comparison &comparison, bool stepSeriesOnly)
{
    QStringList keys;
    const RunTable *table = comparison.table.get();
    if (!table)
        return keys;
    const QStringList all = table->metricKeys();
    for (const QString &key : all) {
        const int column = table->findColumn(RunColumnKind::Metric, key, MetricStat::Last);
        if (column < 0 || (stepSeriesOnly && !table->column(column).stepSeries))
            continue;
        if (std::any_of(comparison.rows.begin(), comparison.rows.end(),
                        [&](int row) { return !table->column(column).isMissing(row); }))
            keys.append(key);
    }
    return keys;
}

QString defaultMetricKey(const QStringList &keys)
{
    const auto first
        = std::find_if(keys.begin(), keys.end(), [](const QString &key) { return !placeMetric(key).system; });
    return first != keys.end() ? *first : keys.value(0);
}

MetricChooser::MetricChooser(const QString &objectName, QWidget *parent)
    : QComboBox(parent)
{
    setObjectName(objectName);
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    setMinimumContentsLength(16);
    connect(this, &QComboBox::activated, this, [this] { m_wanted = currentText(); });
}

MetricChooser::~MetricChooser() = default;

QStringList MetricChooser::keys() const
{
    QStringList texts;
    for (int i = 0; i < count(); ++i)
        texts.append(itemText(i));
    return texts;
}

void MetricChooser::setKeys(const QStringList &keys)
{
    const QString shown = keys.contains(m_wanted) ? m_wanted
        : keys.contains(currentText())            ? currentText()
                                                  : defaultMetricKey(keys);
    if (this->keys() != keys) {
        const QSignalBlocker blocker(this);
        const QString was = currentText();
        clear();
        addItems(keys);
        setCurrentIndex(keys.indexOf(was));
    }
    if (currentText() != shown)
        setCurrentIndex(keys.indexOf(shown));
    setEnabled(!keys.isEmpty());
}

QString MetricChooser::wanted() const
{
    return m_wanted.isEmpty() ? currentText() : m_wanted;
}

void MetricChooser::setWanted(const QString &key)
{
    m_wanted = key;
    setKeys(keys());
}

} // namespace kiln::chartcontrols
