#include "compare/scatterview.h"

#include "compare/chartcontrols.h"
#include "pictureexport.h"
#include "plotwidget.h"
#include "runcolors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonObject>
#include <QLabel>

#include <algorithm>
#include <cmath>

namespace kiln {

namespace {

bool isTime(const RunTable::Column &column)
{
    return column.kind == RunColumnKind::Attribute
        && (column.attribute == RunAttribute::Created || column.attribute == RunAttribute::Started
            || column.attribute == RunAttribute::Ended);
}

/// "param:max_depth", "metric:validation/auc:min": a column by what it is, so that a choice
/// survives a new snapshot of the table (whose column order may differ).
QString identity(const RunTable::Column &column)
{
    switch (column.kind) {
    case RunColumnKind::Attribute:
        return u"attribute:" + column.key;
    case RunColumnKind::Param:
        return u"param:" + column.key;
    case RunColumnKind::Tag:
        return u"tag:" + column.key;
    case RunColumnKind::Metric:
        break;
    }
    const QString stat = column.stat == MetricStat::Min ? QStringLiteral("min")
        : column.stat == MetricStat::Max                ? QStringLiteral("max")
                                                        : QStringLiteral("last");
    return u"metric:" + column.key + u':' + stat;
}

QString choiceText(const RunTable::Column &column)
{
    switch (column.kind) {
    case RunColumnKind::Param:
        return ScatterView::tr("param %1").arg(column.label());
    case RunColumnKind::Tag:
        return ScatterView::tr("tag %1").arg(column.label());
    case RunColumnKind::Metric:
        return column.stat == MetricStat::Last ? ScatterView::tr("%1 (last)").arg(column.label()) : column.label();
    case RunColumnKind::Attribute:
        break;
    }
    return column.label();
}

/// Fills `combo` with `choices` (identity, text), keeping it as it is when nothing changed.
void setChoices(QComboBox *combo, const QList<QPair<QString, QString>> &choices)
{
    bool same = combo->count() == choices.size();
    for (int i = 0; same && i < choices.size(); ++i)
        same = combo->itemData(i).toString() == choices[i].first && combo->itemText(i) == choices[i].second;
    if (same)
        return;
    const QSignalBlocker blocker(combo);
    const QString current = combo->currentData().toString();
    combo->clear();
    for (const auto &[id, text] : choices)
        combo->addItem(text, id);
    combo->setCurrentIndex(combo->findData(current));
}

} // namespace

ScatterView::ScatterView(QWidget *parent)
    : ComparisonView(parent)
    , m_xCombo(new QComboBox(this))
    , m_yCombo(new QComboBox(this))
    , m_logScale(new QCheckBox(tr("Log y"), this))
    , m_note(chartcontrols::createNote(QStringLiteral("scatterNote"), this))
    , m_plot(new PlotWidget(this))
{
    setObjectName(QStringLiteral("scatterView"));
    m_xCombo->setObjectName(QStringLiteral("scatterX"));
    m_yCombo->setObjectName(QStringLiteral("scatterY"));
    for (QComboBox *combo : {m_xCombo, m_yCombo}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        combo->setMinimumContentsLength(14);
    }
    m_logScale->setObjectName(QStringLiteral("scatterLogScale"));
    m_plot->setObjectName(QStringLiteral("scatterPlot"));
    m_plot->setMode(PlotWidget::Mode::Points);

    chartcontrols::layOutView(this, {{tr("X:"), {m_xCombo}}, {tr("Y:"), {m_yCombo}}, {QString(), {m_logScale}}}, m_note,
                              m_plot);

    connect(m_xCombo, &QComboBox::activated, this, [this] {
        m_wantedX = m_xCombo->currentData().toString();
        showPoints();
    });
    connect(m_yCombo, &QComboBox::activated, this, [this] {
        m_wantedY = m_yCombo->currentData().toString();
        showPoints();
    });
    connect(m_logScale, &QCheckBox::toggled, m_plot, &PlotWidget::setLogY);
    showPoints();
}

ScatterView::~ScatterView() = default;

void ScatterView::setComparison(const Comparison &comparison)
{
    m_comparison = comparison;
    updateChoices();
    showPoints();
}

void ScatterView::updateChoices()
{
    QList<QPair<QString, QString>> xs;
    QList<QPair<QString, QString>> ys;
    QString firstParam;
    QString firstMetric;
    if (const RunTable *table = m_comparison.table.get()) {
        // Columns with a number in at least one compared run; attributes, params, metrics, tags.
        for (const RunColumnKind kind :
             {RunColumnKind::Attribute, RunColumnKind::Param, RunColumnKind::Metric, RunColumnKind::Tag}) {
            for (int c = 0; c < table->columnCount(); ++c) {
                const RunTable::Column &column = table->column(c);
                if (column.kind != kind || (column.text && !column.allNumeric)
                    || (kind == RunColumnKind::Attribute && column.attribute == RunAttribute::Parent))
                    continue;
                const bool present = std::any_of(m_comparison.rows.begin(), m_comparison.rows.end(),
                                                 [&](int row) { return std::isfinite(column.number(row)); });
                if (!present)
                    continue;
                const QPair<QString, QString> choice {identity(column), choiceText(column)};
                xs.append(choice);
                if (!isTime(column))
                    ys.append(choice);
                if (kind == RunColumnKind::Param && firstParam.isEmpty())
                    firstParam = choice.first;
                if (kind == RunColumnKind::Metric && column.stat == MetricStat::Last && firstMetric.isEmpty())
                    firstMetric = choice.first;
            }
        }
    }
    setChoices(m_xCombo, xs);
    setChoices(m_yCombo, ys);
    // The wanted column when the runs have it, else what is shown, else a param against a metric.
    const auto choose = [](QComboBox *combo, const QString &wanted, const QStringList &fallbacks) {
        int index = combo->findData(wanted);
        for (const QString &fallback : fallbacks) {
            if (index < 0 && !fallback.isEmpty())
                index = combo->findData(fallback);
        }
        const QSignalBlocker blocker(combo);
        combo->setCurrentIndex(index < 0 && combo->count() > 0 ? 0 : index);
    };
    choose(m_xCombo, m_wantedX, {m_xCombo->currentData().toString(), firstParam, QStringLiteral("attribute:duration")});
    choose(m_yCombo, m_wantedY, {m_yCombo->currentData().toString(), firstMetric});
}

void ScatterView::showPoints()
{
    const RunTable *table = m_comparison.table.get();
    const auto columnOf = [table](const QString &id) {
        for (int c = 0; table && c < table->columnCount(); ++c) {
            if (identity(table->column(c)) == id)
                return c;
        }
        return -1;
    };
    const int xColumnIndex = columnOf(xColumn());
    const int yColumnIndex = columnOf(yColumn());
    QList<PlotSeries> points;
    std::vector<qint64> missing;
    if (xColumnIndex >= 0 && yColumnIndex >= 0) {
        const RunTable::Column &xs = table->column(xColumnIndex);
        const RunTable::Column &ys = table->column(yColumnIndex);
        const std::vector<int> differing = table->differingColumns(m_comparison.rows);
        for (const int row : m_comparison.rows) {
            const double x = xs.number(row);
            const double y = ys.number(row);
            const qint64 runId = table->runId(row);
            if (!std::isfinite(x) || !std::isfinite(y)) {
                missing.push_back(runId);
                continue;
            }
            points.append({runId, table->legendLabel(row, differing), runColor(runId),
                           std::make_shared<const std::vector<double>>(1, x),
                           std::make_shared<const std::vector<double>>(1, y)});
        }
        m_plot->setTimeAxis(isTime(xs));
        m_plot->setAxisLabels(xs.label(), ys.label());
        m_plot->setTitle(tr("%1 against %2").arg(ys.label(), xs.label()));
    } else {
        m_plot->setTitle(QString());
        m_plot->setAxisLabels(QString(), QString());
    }
    if (m_comparison.rows.empty())
        m_plot->setEmptyText(tr("Select runs in the table to compare them"));
    else if (m_xCombo->count() == 0)
        m_plot->setEmptyText(tr("The selected runs have no numeric params, metrics or attributes"));
    else
        m_plot->setEmptyText(tr("No selected run has a value in both columns"));
    // A live snapshot keeps the zoom; other columns show all of their points.
    const QString shown = xColumn() + u'\n' + yColumn();
    m_plot->setSeries(points, shown == m_shownColumns);
    m_shownColumns = shown;

    chartcontrols::setNote(m_note,
                           missing.empty() || points.isEmpty()
                               ? QString()
                               : tr("%n run(s) without both values are not shown: %1", nullptr, int(missing.size()))
                                     .arg(chartcontrols::runNumbers(missing)));
}

QString ScatterView::xColumn() const
{
    return m_xCombo->currentData().toString();
}

QString ScatterView::yColumn() const
{
    return m_yCombo->currentData().toString();
}

void ScatterView::setColumns(const QString &x, const QString &y)
{
    m_wantedX = x;
    m_wantedY = y;
    updateChoices();
    showPoints();
}

QStringList ScatterView::exportFormats() const
{
    return pictureFormats();
}

bool ScatterView::exportTo(const QString &path, QString *error) const
{
    return m_plot->exportTo(path, error);
}

QJsonObject ScatterView::settings() const
{
    return {
        {QStringLiteral("x"), m_wantedX.isEmpty() ? xColumn() : m_wantedX},
        {QStringLiteral("y"), m_wantedY.isEmpty() ? yColumn() : m_wantedY},
        {QStringLiteral("log"), m_logScale->isChecked()},
    };
}

void ScatterView::restoreSettings(const QJsonObject &settings)
{
    m_logScale->setChecked(settings.value(QStringLiteral("log")).toBool());
    setColumns(settings.value(QStringLiteral("x")).toString(), settings.value(QStringLiteral("y")).toString());
}

} // namespace kiln
