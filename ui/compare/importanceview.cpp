#include "importanceview.h"

#include "compare/compareutil.h"
#include "heatmapdelegate.h"
#include "models/csv.h"
#include "models/runevaluations.h"
#include "viewutil.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

namespace kiln {

namespace {

QStandardItem *valueItem(double value, double largest)
{
    auto *item = new QStandardItem(QLocale().toString(value, 'f', 3));
    item->setData(value, ImportanceView::ValueRole);
    item->setData(largest > 0 ? value / largest : 0.0, ImportanceView::IntensityRole);
    item->setData(QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter)), Qt::TextAlignmentRole);
    item->setEditable(false);
    return item;
}

} // namespace

ImportanceView::ImportanceView(QWidget *parent)
    : EvaluationComparisonView(parent)
    , m_model(new QStandardItemModel(this))
    , m_table(new QTableView(this))
    , m_showAll(new QCheckBox(this))
{
    setObjectName(QStringLiteral("importanceView"));
    noteLabel()->setObjectName(QStringLiteral("importanceNote"));
    m_showAll->setObjectName(QStringLiteral("importanceShowAll"));
    m_table->setObjectName(QStringLiteral("importanceTable"));
    m_table->setModel(m_model);
    viewutil::setUpReadOnlyTable(m_table);
    m_table->setItemDelegate(new HeatMapDelegate(IntensityRole, m_table));
    m_table->setAlternatingRowColors(false);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setDefaultSectionSize(130);
    m_table->horizontalHeader()->setTextElideMode(Qt::ElideRight);
    m_table->setToolTip(tr("Gain of each feature, normalised to sum to 1 in each run"));
    connect(m_showAll, &QCheckBox::toggled, this, &ImportanceView::refresh);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    bar->addWidget(m_showAll);
    bar->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    addNoteRow(layout);
    layout->addWidget(m_table, 1);
    rebuild();
}

ImportanceView::~ImportanceView() = default;

void ImportanceView::rebuild()
{
    RunEvaluations *evaluations = this->evaluations();
    // The runs with an importance, each as feature → gain.
    std::vector<qint64> runs;
    std::vector<QHash<QString, double>> gains;
    std::vector<qint64> withoutImportance;
    QHash<QString, double> sums;
    for (qint64 runId : evaluations->runIds()) {
        const auto evaluation = evaluations->evaluation(runId);
        if (!evaluation)
            continue;
        if (evaluation->featureImportance.isEmpty()) {
            withoutImportance.push_back(runId);
            continue;
        }
        QHash<QString, double> gain;
        for (const auto &[feature, value] : evaluation->featureImportance) {
            gain.insert(feature, value);
            sums[feature] += value;
        }
        runs.push_back(runId);
        gains.push_back(std::move(gain));
    }
    m_features = sums.keys();
    std::sort(m_features.begin(), m_features.end(), [&](const QString &a, const QString &b) {
        const double sa = sums.value(a);
        const double sb = sums.value(b);
        return sa != sb ? sa > sb : a < b;
    });
    const qsizetype shown
        = m_showAll->isChecked() ? m_features.size() : std::min<qsizetype>(kTopFeatures, m_features.size());
    m_showAll->setText(tr("Show all %1 features").arg(m_features.size()));
    m_showAll->setVisible(m_features.size() > kTopFeatures);

    double largest = 0;
    for (const auto &gain : gains) {
        for (double value : gain)
            largest = std::max(largest, value);
    }
    m_model->clear();
    QStringList header {tr("Feature"), tr("Mean")};
    for (qint64 runId : runs)
        header << runLabel(runId);
    m_model->setHorizontalHeaderLabels(header);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        QStandardItem *headerItem = m_model->horizontalHeaderItem(int(i) + 2);
        headerItem->setIcon(compareutil::runColorIcon(runs[i]));
        headerItem->setToolTip(runDescription(runs[i]));
        headerItem->setData(runs[i], RunIdRole);
    }
    for (qsizetype f = 0; f < shown; ++f) {
        const QString &feature = m_features.at(f);
        auto *name = new QStandardItem(feature);
        name->setData(feature, ValueRole);
        name->setToolTip(feature);
        name->setEditable(false);
        QList<QStandardItem *> cells {name, valueItem(sums.value(feature) / double(runs.size()), largest)};
        for (const auto &gain : gains) {
            if (const auto value = gain.constFind(feature); value != gain.cend()) {
                cells << valueItem(*value, largest);
            } else {
                auto *blank = new QStandardItem;
                blank->setEditable(false);
                cells << blank;
            }
        }
        m_model->appendRow(cells);
    }
    m_table->resizeColumnToContents(0);
    m_table->setColumnWidth(0, std::min(m_table->columnWidth(0) + 16, 260));

    showNotes({runsNote(tr("No feature importance reported: %1"), withoutImportance)},
              tr("Select trained runs to compare which features their models rely on."));
}

QStringList ImportanceView::exportFormats() const
{
    return {QStringLiteral("csv"), QStringLiteral("png")};
}

bool ImportanceView::exportTo(const QString &path, QString *error) const
{
    return compareutil::exportTable(
        path, m_table, [this](QIODevice &device) { return writeModelCsv(*m_model, device, ValueRole); }, error);
}

QJsonObject ImportanceView::settings() const
{
    return {{QStringLiteral("showAll"), m_showAll->isChecked()}};
}

void ImportanceView::restoreSettings(const QJsonObject &settings)
{
    m_showAll->setChecked(settings.value(QStringLiteral("showAll")).toBool());
}

} // namespace kiln
