#include "columnstatspane.h"

#include "appearance.h"
#include "chartstyle.h"
#include "columnchart.h"
#include "models/columnstatsmodel.h"
#include "theme.h"

#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace kiln {

ColumnStatsPane::ColumnStatsPane(QWidget *parent)
    : QWidget(parent)
    , m_model(new ColumnStatsModel(this))
    , m_title(new QLabel(this))
    , m_hint(new QLabel(this))
    , m_table(new QTableView(this))
    , m_chartView(new QChartView(this))
{
    setObjectName(QStringLiteral("columnStats"));
    m_table->setObjectName(QStringLiteral("statsTable"));
    m_chartView->setObjectName(QStringLiteral("statsChart"));

    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignCenter);
    appearance::setTextRole(m_hint, appearance::TextRole::Muted);

    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    // Tall enough for every statistic without a scroll bar.
    const int rowHeight = m_table->fontMetrics().height() + 8;
    m_table->verticalHeader()->setDefaultSectionSize(rowHeight);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->setFixedHeight(rowHeight * ColumnStatsModel::StatisticCount
                            + m_table->horizontalHeader()->sizeHint().height() + 2 * m_table->frameWidth());

    m_chartView->setRenderHint(QPainter::Antialiasing);
    chartstyle::followPalette(m_chartView); // restyles whichever chart it shows when the palette changes
    m_chartView->setMinimumHeight(220);
    // Dropped files go to the window's import, not to the chart's scene.
    m_chartView->setAcceptDrops(false);
    m_chartView->viewport()->setAcceptDrops(false);
    m_chartView->setFrameShape(QFrame::NoFrame);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(8);
    layout->addWidget(m_title);
    layout->addWidget(m_table);
    layout->addWidget(m_chartView, 1);
    layout->addWidget(m_hint, 1);

    clear(tr("Select a column to see its statistics."));
}

ColumnStatsPane::~ColumnStatsPane() = default;

void ColumnStatsPane::showColumn(const ColumnProfile &profile)
{
    m_model->setProfile(profile);
    m_title->setText(profile.name);
    m_title->setToolTip(columnTypeLabel(profile.type));
    QChart *old = m_chartView->chart();
    m_chartView->setChart(createColumnChart(profile));
    // setChart() hands the previous chart back to us.
    delete old;
    m_hint->hide();
    m_title->show();
    m_table->show();
    m_chartView->show();
}

void ColumnStatsPane::clear(const QString &hint)
{
    m_model->clear();
    m_title->hide();
    m_table->hide();
    m_chartView->hide();
    m_hint->setText(hint);
    m_hint->show();
}

} // namespace kiln
