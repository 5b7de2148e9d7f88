#include "modelcomparepage.h"

#include "appearance.h"
#include "compare/diffview.h"
#include "elidedlabel.h"
#include "models/registrymodels.h"
#include "registry/modelregistry.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace kiln {

ModelComparePage::ModelComparePage(QWidget *parent)
    : QWidget(parent)
    , m_left(new QComboBox(this))
    , m_right(new QComboBox(this))
    , m_onlyDifferences(new QCheckBox(tr("Only differences"), this))
    , m_model(new VersionDiffModel(this))
    , m_table(new DiffTable(m_model, this))
    , m_summary(new ElidedLabel(this))
{
    setObjectName(QStringLiteral("modelComparePage"));
    m_left->setObjectName(QStringLiteral("compareLeftCombo"));
    m_right->setObjectName(QStringLiteral("compareRightCombo"));
    for (QComboBox *combo : {m_left, m_right}) {
        combo->setMinimumContentsLength(10);
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    }
    m_onlyDifferences->setObjectName(QStringLiteral("compareOnlyDifferences"));
    m_onlyDifferences->setToolTip(tr("Hide the lines on which both versions agree"));
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    appearance::setTextRole(m_summary, appearance::TextRole::Muted);

    m_table->setObjectName(QStringLiteral("compareTable"));
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setColumnWidth(VersionDiffModel::KeyColumn, 200);
    m_table->setColumnWidth(VersionDiffModel::LeftColumn, 320);

    connect(m_left, &QComboBox::currentIndexChanged, this, &ModelComparePage::updateDiff);
    connect(m_right, &QComboBox::currentIndexChanged, this, &ModelComparePage::updateDiff);
    connect(m_onlyDifferences, &QCheckBox::toggled, m_model, &VersionDiffModel::setOnlyDifferences);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    bar->addWidget(m_left);
    bar->addWidget(new QLabel(tr("against"), this));
    bar->addWidget(m_right);
    bar->addSpacing(12);
    bar->addWidget(m_onlyDifferences);
    bar->addSpacing(12);
    bar->addWidget(m_summary, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    clear();
}

ModelComparePage::~ModelComparePage() = default;

QTableView *ModelComparePage::table() const
{
    return m_table;
}

void ModelComparePage::setVersions(const QList<ModelVersion> &versions, int current)
{
    m_versions = versions;
    const QSignalBlocker blockLeft(m_left);
    const QSignalBlocker blockRight(m_right);
    m_left->clear();
    m_right->clear();
    for (const ModelVersion &version : versions) {
        QString text = tr("v%1").arg(version.version);
        if (!version.aliases.isEmpty())
            text += QStringLiteral(" · ") + version.aliases.join(QStringLiteral(", "));
        m_left->addItem(text, version.version);
        m_right->addItem(text, version.version);
    }
    // Newest first: the previous version is the next one down the list.
    const int row = m_left->findData(current);
    const int previous = row + 1 < m_right->count() ? row + 1 : std::max(row - 1, 0);
    m_left->setCurrentIndex(std::max(row, 0));
    m_right->setCurrentIndex(previous);
    updateDiff();
}

void ModelComparePage::clear()
{
    setVersions({}, 0);
}

void ModelComparePage::compare(int left, int right)
{
    const QSignalBlocker blockLeft(m_left);
    const QSignalBlocker blockRight(m_right);
    m_left->setCurrentIndex(m_left->findData(left));
    m_right->setCurrentIndex(m_right->findData(right));
    updateDiff();
}

int ModelComparePage::leftVersion() const
{
    return m_left->currentData().toInt();
}

int ModelComparePage::rightVersion() const
{
    return m_right->currentData().toInt();
}

const ModelVersion *ModelComparePage::find(int version) const
{
    for (const ModelVersion &entry : m_versions) {
        if (entry.version == version)
            return &entry;
    }
    return nullptr;
}

void ModelComparePage::updateDiff()
{
    const ModelVersion *left = find(leftVersion());
    const ModelVersion *right = find(rightVersion());
    if (!left || !right) {
        m_model->clear();
        m_summary->setFullText(tr("Register a version to compare versions here."));
        return;
    }
    m_model->setLines(diffVersions(*left, *right), tr("v%1").arg(left->version), tr("v%1").arg(right->version));
    if (m_versions.size() < 2)
        m_summary->setFullText(tr("Only one version: register another to compare them."));
    else if (left->version == right->version)
        m_summary->setFullText(tr("The same version on both sides: choose another."));
    else
        m_summary->setFullText(
            tr("%1 of %2 lines differ.").arg(m_model->differingLineCount()).arg(m_model->lines().size()));
}

} // namespace kiln
