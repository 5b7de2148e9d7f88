#include "deploy/driftview.h"

#include "chartstyle.h"
#include "runcolors.h"
#include "theme.h"
#include "viewutil.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineSeries>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace kiln {

namespace {

constexpr qint64 kMinimumSpanMs = 60 * 1000; // a minute, so the first points do not fill the width
constexpr int kChartMinimumHeight = 200;
constexpr int kDefaultShownFeatures = 4; ///< PSI lines drawn while the user selected none
constexpr int kPredictionGroups = 5; ///< regression bins are charted in this many ranges

enum Column { FeatureColumn, PsiColumn, KsColumn, RowsColumn, StatusColumn, ColumnCount };

bool isBinLabel(const QString &label)
{
    if (label == QLatin1String("under") || label == QLatin1String("over"))
        return true;
    bool number = false;
    label.toInt(&number);
    return number;
}

/// The prediction distribution of a window as shares, in a stable order: each class, or for a
/// regression's bins a few ranges of neighbouring bins (under joins the lowest, over the
/// highest), so the chart keeps a handful of lines.
QList<QPair<QString, double>> predictionShares(const QHash<QString, double> &bins)
{
    double total = 0;
    for (double n : bins)
        total += n;
    QList<QPair<QString, double>> shares;
    if (total <= 0)
        return shares;
    const QStringList labels = bins.keys();
    const bool numeric = std::all_of(labels.begin(), labels.end(), isBinLabel);
    if (!numeric) {
        QStringList sorted = labels;
        sorted.sort();
        for (const QString &label : sorted)
            shares.append({label, bins.value(label) / total});
        return shares;
    }
    int highestBin = 0;
    for (const QString &label : labels)
        highestBin = std::max(highestBin, label.toInt());
    const int perGroup = std::max(1, (highestBin + kPredictionGroups) / kPredictionGroups);
    const int groups = highestBin / perGroup + 1;
    std::vector<double> counts(std::size_t(groups), 0);
    for (auto it = bins.begin(); it != bins.end(); ++it) {
        int group = 0;
        if (it.key() == QLatin1String("over"))
            group = groups - 1;
        else if (it.key() != QLatin1String("under"))
            group = it.key().toInt() / perGroup;
        counts[std::size_t(group)] += it.value();
    }
    for (int g = 0; g < groups; ++g)
        shares.append({DriftView::tr("range %1/%2").arg(g + 1).arg(groups), counts[std::size_t(g)] / total});
    return shares;
}

QString formatted(double value)
{
    return QString::number(value, 'f', 3);
}

} // namespace

class DriftView::Private
{
public:
    explicit Private(DriftView *view);

    void append(const DeploymentMonitor::Sample &sample);
    void showTable();
    void showPsiLines();
    void updateAxes();
    void clearData();
    QStringList shownFeatures() const;
    QLineSeries *newSeries(QChart *chart, QDateTimeAxis *time, QValueAxis *values, const QString &name,
                           const QColor &color);

    DriftView *q;
    DriftThresholds thresholds;

    QStackedWidget *stack = nullptr;
    QLabel *note = nullptr;
    QLabel *summary = nullptr;
    QStandardItemModel *model = nullptr;
    QTableView *table = nullptr;
    QChartView *psiView = nullptr;
    QDateTimeAxis *psiTime = nullptr;
    QValueAxis *psiValues = nullptr;
    QLineSeries *thresholdLine = nullptr;
    QHash<QString, QLineSeries *> psiSeries;
    QChartView *predictionView = nullptr;
    QDateTimeAxis *predictionTime = nullptr;
    QValueAxis *predictionValues = nullptr;
    QHash<QString, QLineSeries *> predictionSeries;

    DriftReport latest;
    QHash<QString, QList<QPointF>> psiHistory; ///< every sample's PSI, per feature
    qint64 firstMs = 0;
    qint64 lastMs = 0;
    QStringList selected; ///< features the user picked in the table
    bool updatingTable = false;
};

DriftView::Private::Private(DriftView *view)
    : q(view)
{ }

QLineSeries *DriftView::Private::newSeries(QChart *chart, QDateTimeAxis *time, QValueAxis *values, const QString &name,
                                           const QColor &color)
{
    auto *series = new QLineSeries;
    series->setName(name);
    QPen pen(color);
    pen.setWidthF(1.5);
    series->setPen(pen);
    chart->addSeries(series);
    series->attachAxis(time);
    series->attachAxis(values);
    return series;
}

void DriftView::Private::append(const DeploymentMonitor::Sample &sample)
{
    const qint64 at = sample.snapshot.at.toMSecsSinceEpoch();
    if (firstMs == 0)
        firstMs = at;
    lastMs = std::max(lastMs, at);
    const double x = double(at);
    for (const FeatureDrift &feature : sample.drift.features) {
        psiHistory[feature.feature].append(QPointF(x, feature.psi));
        if (QLineSeries *series = psiSeries.value(feature.feature))
            series->append(x, feature.psi);
    }
    QChart *chart = predictionView->chart();
    for (const auto &[label, share] : predictionShares(sample.drift.predictionBins)) {
        QLineSeries *&series = predictionSeries[label];
        if (!series) {
            series
                = newSeries(chart, predictionTime, predictionValues, label, runColor(qint64(predictionSeries.size())));
        }
        series->append(x, share);
    }
    chart->legend()->setVisible(predictionSeries.size() > 1);
    latest = sample.drift;
}

QStringList DriftView::Private::shownFeatures() const
{
    if (!selected.isEmpty())
        return selected;
    // Nothing picked: the first rows of the table (drifted first, then the highest PSI).
    QStringList first;
    for (int row = 0; row < model->rowCount() && row < kDefaultShownFeatures; ++row)
        first.append(model->item(row, FeatureColumn)->text());
    return first;
}

void DriftView::Private::showTable()
{
    QList<FeatureDrift> rows = latest.features;
    std::stable_sort(rows.begin(), rows.end(), [](const FeatureDrift &a, const FeatureDrift &b) {
        if (a.drifted != b.drifted)
            return a.drifted;
        return a.psi > b.psi;
    });
    updatingTable = true;
    model->setRowCount(int(rows.size()));
    QFont bold = table->font();
    bold.setBold(true);
    int drifted = 0;
    for (int r = 0; r < rows.size(); ++r) {
        const FeatureDrift &f = rows.at(r);
        const bool enough = f.liveRows >= thresholds.minRows;
        drifted += f.drifted ? 1 : 0;
        const QString status = f.drifted ? tr("drifted") : enough ? tr("stable") : tr("too few rows");
        const QVariantList values {f.feature, formatted(f.psi), formatted(f.ks), qint64(f.liveRows), status};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QStandardItem(values.at(c).toString());
            item->setEditable(false);
            if (c != FeatureColumn && c != StatusColumn)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (f.drifted) {
                item->setForeground(theme::errorText());
                item->setFont(bold);
            } else if (!enough) {
                item->setForeground(theme::mutedText());
            }
            if (c == StatusColumn && f.drifted)
                item->setToolTip(
                    tr("PSI above %1 or KS above %2 over the last window").arg(thresholds.psi).arg(thresholds.ks));
            model->setItem(r, c, item);
        }
    }
    // Keep the user's picks selected wherever their rows moved.
    QItemSelection selection;
    for (int r = 0; r < rows.size(); ++r) {
        if (selected.contains(rows.at(r).feature))
            selection.select(model->index(r, 0), model->index(r, ColumnCount - 1));
    }
    table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    updatingTable = false;

    summary->setText(latest.features.isEmpty()
                         ? tr("No input statistics yet.")
                         : tr("%1 of %2 features drifted over the last window (%3 rows; PSI threshold %4, KS %5).")
                               .arg(drifted)
                               .arg(latest.features.size())
                               .arg(qint64(latest.liveRows))
                               .arg(thresholds.psi)
                               .arg(thresholds.ks));
}

void DriftView::Private::showPsiLines()
{
    const QStringList shown = shownFeatures();
    QChart *chart = psiView->chart();
    for (auto it = psiSeries.begin(); it != psiSeries.end();) {
        if (shown.contains(it.key())) {
            ++it;
            continue;
        }
        chart->removeSeries(it.value());
        delete it.value();
        it = psiSeries.erase(it);
    }
    for (int i = 0; i < shown.size(); ++i) {
        const QString &feature = shown.at(i);
        if (psiSeries.contains(feature))
            continue;
        QLineSeries *series = newSeries(chart, psiTime, psiValues, feature, runColor(i + 1));
        series->replace(psiHistory.value(feature));
        psiSeries.insert(feature, series);
    }
    chart->legend()->setVisible(true);
}

void DriftView::Private::updateAxes()
{
    const qint64 first = firstMs != 0 ? firstMs : QDateTime::currentMSecsSinceEpoch();
    const qint64 last = std::max(lastMs, first + kMinimumSpanMs);
    for (QDateTimeAxis *axis : {psiTime, predictionTime})
        axis->setRange(QDateTime::fromMSecsSinceEpoch(first), QDateTime::fromMSecsSinceEpoch(last));
    // Scaled to the lines shown, so a picked stable feature is not flattened by a drifted one.
    double highest = thresholds.psi;
    for (auto it = psiSeries.begin(); it != psiSeries.end(); ++it) {
        for (const QPointF &point : psiHistory.value(it.key()))
            highest = std::max(highest, point.y());
    }
    psiValues->setRange(0, highest * 1.15);
    psiValues->applyNiceNumbers();
    thresholdLine->replace({QPointF(double(first), thresholds.psi), QPointF(double(last), thresholds.psi)});
}

void DriftView::Private::clearData()
{
    latest = {};
    psiHistory.clear();
    firstMs = 0;
    lastMs = 0;
    for (auto *lines : {&psiSeries, &predictionSeries}) {
        for (QLineSeries *series : std::as_const(*lines)) {
            series->chart()->removeSeries(series);
            delete series;
        }
        lines->clear();
    }
}

DriftView::DriftView(QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>(this))
{
    d->summary = new QLabel;
    d->summary->setObjectName(QStringLiteral("driftSummary"));
    d->summary->setWordWrap(true);

    d->model = new QStandardItemModel(0, ColumnCount, this);
    d->model->setHorizontalHeaderLabels({tr("Feature"), tr("PSI"), tr("KS"), tr("Live rows"), tr("Status")});
    d->table = viewutil::newReadOnlyTable(d->model, QStringLiteral("driftTable"), nullptr);
    d->table->setSelectionBehavior(QAbstractItemView::SelectRows);
    d->table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    d->table->setSortingEnabled(false);
    d->table->setToolTip(tr("Select features to chart their PSI over time."));
    connect(d->table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (d->updatingTable)
            return;
        d->selected.clear();
        const QModelIndexList rows = d->table->selectionModel()->selectedRows(FeatureColumn);
        for (const QModelIndex &index : rows)
            d->selected.append(index.data().toString());
        d->showPsiLines();
        d->updateAxes();
    });

    QChart *psiChart = chartstyle::newChart(tr("PSI over time"));
    d->psiTime = new QDateTimeAxis;
    d->psiTime->setFormat(QStringLiteral("HH:mm:ss"));
    d->psiTime->setTickCount(6);
    chartstyle::styleAxis(d->psiTime);
    d->psiValues = new QValueAxis;
    d->psiValues->setTitleText(tr("PSI"));
    d->psiValues->setLabelFormat(QStringLiteral("%.2f"));
    chartstyle::styleAxis(d->psiValues);
    psiChart->addAxis(d->psiTime, Qt::AlignBottom);
    psiChart->addAxis(d->psiValues, Qt::AlignLeft);
    d->thresholdLine = d->newSeries(psiChart, d->psiTime, d->psiValues, tr("threshold"), theme::mutedText());
    QPen dashed = d->thresholdLine->pen();
    dashed.setStyle(Qt::DashLine);
    d->thresholdLine->setPen(dashed);
    chartstyle::setSeriesColor(d->thresholdLine, chartstyle::SeriesColor::Neutral);
    d->psiView = chartstyle::newChartView(psiChart);
    d->psiView->setObjectName(QStringLiteral("driftPsiChart"));
    d->psiView->setMinimumHeight(kChartMinimumHeight);

    QChart *predictionChart = chartstyle::newChart(tr("Predictions over time (share of the window)"));
    d->predictionTime = new QDateTimeAxis;
    d->predictionTime->setFormat(QStringLiteral("HH:mm:ss"));
    d->predictionTime->setTickCount(6);
    chartstyle::styleAxis(d->predictionTime);
    d->predictionValues = chartstyle::unitAxis(tr("share"));
    predictionChart->addAxis(d->predictionTime, Qt::AlignBottom);
    predictionChart->addAxis(d->predictionValues, Qt::AlignLeft);
    d->predictionView = chartstyle::newChartView(predictionChart);
    d->predictionView->setObjectName(QStringLiteral("driftPredictionChart"));
    d->predictionView->setMinimumHeight(kChartMinimumHeight);

    auto *charts = new QSplitter(Qt::Horizontal);
    charts->setChildrenCollapsible(false);
    charts->addWidget(d->psiView);
    charts->addWidget(d->predictionView);

    auto *page = new QSplitter(Qt::Vertical);
    page->setChildrenCollapsible(false);
    auto *top = new QWidget;
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(d->summary);
    topLayout->addWidget(d->table, 1);
    page->addWidget(top);
    page->addWidget(charts);
    page->setStretchFactor(1, 1);

    d->note = new QLabel;
    chartstyle::styleEmptyNote(d->note, QStringLiteral("driftNote"));
    d->note->setText(tr("No drift statistics yet: they appear with the deployment's first scrape."));
    d->stack = new QStackedWidget(this);
    d->stack->addWidget(d->note);
    d->stack->addWidget(page);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(d->stack);
    d->updateAxes();
}

DriftView::~DriftView() = default;

void DriftView::setThresholds(const DriftThresholds &thresholds)
{
    d->thresholds = thresholds;
    d->showTable();
    d->updateAxes();
}

void DriftView::setSamples(const std::deque<DeploymentMonitor::Sample> &samples)
{
    d->clearData();
    d->selected.clear();
    for (const DeploymentMonitor::Sample &sample : samples)
        d->append(sample);
    d->showTable();
    d->showPsiLines();
    d->updateAxes();
    d->stack->setCurrentIndex(samples.empty() ? 0 : 1);
}

void DriftView::addSample(const DeploymentMonitor::Sample &sample)
{
    d->append(sample);
    d->showTable();
    d->showPsiLines();
    d->updateAxes();
    d->stack->setCurrentIndex(1);
}

void DriftView::clear()
{
    setSamples({});
}

} // namespace kiln
