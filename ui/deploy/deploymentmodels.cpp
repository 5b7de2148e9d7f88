#include "deploy/deploymentmodels.h"

#include "models/runformat.h"
#include "plugin/pluginmanager.h"
#include "theme.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

namespace kiln {

namespace {

constexpr int kDotSize = 12;

QString kindName(const QString &kindId)
{
    const TargetKind *kind = PluginManager::instance().targetKind(kindId);
    return kind ? kind->displayName() : kindId;
}

QString statusToolTip(const QString &name, const TargetStatus *status)
{
    if (!status)
        return TargetListModel::tr("%1: asking the target…").arg(name);
    QString text = TargetListModel::tr("%1: %2").arg(name, status->health);
    if (!status->modelName.isEmpty())
        text += TargetListModel::tr(", holds %1@%2").arg(status->modelName).arg(status->modelVersion);
    if (!status->previousModel.isEmpty())
        text += TargetListModel::tr(" (previous %1@%2)").arg(status->previousModel).arg(status->previousVersion);
    if (!status->detail.isEmpty())
        text += u'\n' + status->detail;
    return text;
}

QString milliseconds(double ms)
{
    return ms < 10 ? QString::number(ms, 'f', 2) : QString::number(ms, 'f', 1);
}

} // namespace

QColor healthColor(const QString &health)
{
    if (health == QLatin1String("serving"))
        return theme::good();
    if (health == QLatin1String("stored"))
        return theme::validationLine();
    if (health == QLatin1String("down"))
        return theme::errorText();
    if (health == QLatin1String("empty"))
        return theme::warning();
    return theme::neutralLine();
}

QIcon healthDot(const QString &health)
{
    // The colours differ between a light and a dark palette: one dot of each.
    static QHash<QString, QIcon> cache;
    const QString key = theme::isDark() ? health + QStringLiteral("/dark") : health;
    auto it = cache.constFind(key);
    if (it != cache.constEnd())
        return *it;
    QPixmap pixmap(kDotSize * 2, kDotSize * 2);
    pixmap.setDevicePixelRatio(2);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(healthColor(health));
    painter.drawEllipse(QRectF(1, 1, kDotSize - 2, kDotSize - 2));
    painter.end();
    return *cache.insert(key, QIcon(pixmap));
}

// ---------------------------------------------------------------------------------------------
// TargetListModel

TargetListModel::TargetListModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

TargetListModel::~TargetListModel() = default;

void TargetListModel::setTargets(const QList<TargetConfig> &targets)
{
    beginResetModel();
    m_targets = targets;
    QHash<QString, TargetStatus> kept;
    for (const TargetConfig &target : targets) {
        if (auto it = m_statuses.constFind(target.name); it != m_statuses.constEnd())
            kept.insert(target.name, *it);
    }
    m_statuses = std::move(kept);
    endResetModel();
}

void TargetListModel::setStatus(const QString &target, const TargetStatus &status)
{
    const int row = rowOf(target);
    if (row < 0)
        return;
    m_statuses.insert(target, status);
    Q_EMIT dataChanged(index(row), index(row));
}

int TargetListModel::rowOf(const QString &target) const
{
    for (int row = 0; row < m_targets.size(); ++row) {
        if (m_targets.at(row).name == target)
            return row;
    }
    return -1;
}

QString TargetListModel::nameAt(int row) const
{
    return row >= 0 && row < m_targets.size() ? m_targets.at(row).name : QString();
}

const TargetConfig *TargetListModel::target(const QString &name) const
{
    const int row = rowOf(name);
    return row >= 0 ? &m_targets.at(row) : nullptr;
}

const TargetStatus *TargetListModel::status(const QString &target) const
{
    auto it = m_statuses.constFind(target);
    return it != m_statuses.constEnd() ? &*it : nullptr;
}

int TargetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_targets.size());
}

QVariant TargetListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_targets.size())
        return {};
    const TargetConfig &target = m_targets.at(index.row());
    const TargetStatus *status = this->status(target.name);
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1\n%2 · %3").arg(target.name, kindName(target.kind), target.location);
    case DetailRole:
        return QStringLiteral("%1 · %2").arg(kindName(target.kind), target.location);
    case Qt::DecorationRole:
        return healthDot(status ? status->health : QString());
    case Qt::ToolTipRole:
        return statusToolTip(target.name, status);
    case Qt::AccessibleTextRole:
        return QStringLiteral("%1, %2").arg(target.name, status ? status->health : tr("unknown"));
    case NameRole:
        return target.name;
    case HealthRole:
        return status ? status->health : QString();
    default:
        return {};
    }
}

// ---------------------------------------------------------------------------------------------
// TargetItemDelegate

void TargetItemDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget); // background and selection

    QRect area = opt.rect.adjusted(8, 5, -8, -5);
    const QRect dot(area.left(), area.center().y() - kDotSize / 2, kDotSize, kDotSize);
    area.setLeft(dot.right() + 9);

    const bool selected = opt.state.testFlag(QStyle::State_Selected);
    const QColor text = opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    QFont bold = opt.font;
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);
    const QFontMetrics metrics(opt.font);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(selected ? QPen(text, 1.5) : QPen(Qt::NoPen));
    painter->setBrush(healthColor(index.data(TargetListModel::HealthRole).toString()));
    painter->drawEllipse(QRectF(dot).adjusted(1, 1, -1, -1));
    painter->setFont(bold);
    painter->setPen(text);
    const QRect nameRect(area.left(), area.top(), area.width(), boldMetrics.height());
    painter->drawText(
        nameRect, Qt::AlignLeft | Qt::AlignVCenter,
        boldMetrics.elidedText(index.data(TargetListModel::NameRole).toString(), Qt::ElideRight, area.width()));
    painter->setFont(opt.font);
    painter->setPen(selected ? text : theme::mutedText(opt.palette));
    const QRect detailRect(area.left(), nameRect.bottom() + 2, area.width(), metrics.height());
    painter->drawText(
        detailRect, Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(index.data(TargetListModel::DetailRole).toString(), Qt::ElideMiddle, area.width()));
    painter->restore();
}

QSize TargetItemDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    QFont bold = option.font;
    bold.setBold(true);
    return {200, QFontMetrics(bold).height() + QFontMetrics(option.font).height() + 12};
}

// ---------------------------------------------------------------------------------------------
// DeploymentTableModel

DeploymentTableModel::DeploymentTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

DeploymentTableModel::~DeploymentTableModel() = default;

void DeploymentTableModel::setDeployments(const QList<DeploymentEntry> &active)
{
    QList<Row> rows;
    rows.reserve(active.size());
    for (const DeploymentEntry &entry : active) {
        Row row;
        row.entry = entry;
        if (const int old = rowOf(entry.record.target); old >= 0) {
            row.status = m_rows.at(old).status;
            // Traffic of another version is not this one's.
            if (m_rows.at(old).entry.record.id == entry.record.id)
                row.traffic = m_rows.at(old).traffic;
        }
        rows.append(std::move(row));
    }
    // Rows only change in place when the same targets stay, so views keep their selection.
    bool sameTargets = rows.size() == m_rows.size();
    for (int i = 0; sameTargets && i < rows.size(); ++i)
        sameTargets = rows.at(i).entry.record.target == m_rows.at(i).entry.record.target;
    if (sameTargets) {
        m_rows = std::move(rows);
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void DeploymentTableModel::setStatus(const QString &target, const TargetStatus &status)
{
    const int row = rowOf(target);
    if (row < 0)
        return;
    m_rows[row].status = status;
    changed(row, HealthColumn, HealthColumn);
}

void DeploymentTableModel::setTraffic(const QString &target, const TrafficSample &traffic)
{
    const int row = rowOf(target);
    if (row < 0)
        return;
    m_rows[row].traffic = traffic;
    changed(row, RateColumn, P99Column);
}

void DeploymentTableModel::changed(int row, int firstColumn, int lastColumn)
{
    Q_EMIT dataChanged(index(row, firstColumn), index(row, lastColumn));
}

int DeploymentTableModel::rowOf(const QString &target) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).entry.record.target == target)
            return row;
    }
    return -1;
}

const DeploymentEntry *DeploymentTableModel::deployment(const QString &target) const
{
    const int row = rowOf(target);
    return row >= 0 ? &m_rows.at(row).entry : nullptr;
}

int DeploymentTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DeploymentTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString DeploymentTableModel::healthText(const Row &row) const
{
    if (!row.status)
        return tr("checking…");
    const TargetStatus &status = *row.status;
    // What the target holds may differ from what this workspace recorded (a rollback from
    // kilnctl, a push from another workspace): say so rather than hide it.
    if (!status.modelName.isEmpty()
        && (status.modelName != row.entry.modelName || status.modelVersion != row.entry.version))
        return tr("%1 (holds %2@%3)").arg(status.health, status.modelName).arg(status.modelVersion);
    return status.health;
}

QString DeploymentTableModel::toolTip(const Row &row) const
{
    QString text = tr("%1 deployed to %2").arg(row.entry.ref(), row.entry.record.target);
    if (row.status) {
        if (!row.status->detail.isEmpty())
            text += u'\n' + row.status->detail;
        if (row.status->metricsUrl.isEmpty())
            text += u'\n' + tr("No metrics endpoint: request rate and latency are not known here.");
    }
    return text;
}

QVariant DeploymentTableModel::display(const Row &row, int column) const
{
    switch (column) {
    case TargetColumn:
        return row.entry.record.target;
    case ModelColumn:
        return row.entry.ref();
    case HealthColumn:
        return healthText(row);
    case RateColumn:
        return row.traffic ? QVariant(runformat::metricValue(row.traffic->requestsPerSecond))
                           : QVariant(QStringLiteral("—"));
    case P50Column:
        return row.traffic ? QVariant(milliseconds(row.traffic->p50Ms)) : QVariant(QStringLiteral("—"));
    case P99Column:
        return row.traffic ? QVariant(milliseconds(row.traffic->p99Ms)) : QVariant(QStringLiteral("—"));
    case DeployedColumn:
        return QLocale().toString(row.entry.record.createdAt.toLocalTime(), QLocale::ShortFormat);
    default:
        return {};
    }
}

QVariant DeploymentTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::DecorationRole:
        if (index.column() == HealthColumn)
            return healthDot(row.status ? row.status->health : QString());
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= RateColumn && index.column() <= P99Column)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        return toolTip(row);
    case TargetRole:
        return row.entry.record.target;
    case SortRole:
        switch (index.column()) {
        case RateColumn:
            return row.traffic ? row.traffic->requestsPerSecond : -1.0;
        case P50Column:
            return row.traffic ? row.traffic->p50Ms : -1.0;
        case P99Column:
            return row.traffic ? row.traffic->p99Ms : -1.0;
        case DeployedColumn:
            return row.entry.record.createdAt;
        default:
            return display(row, index.column());
        }
    default:
        return {};
    }
}

QVariant DeploymentTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TargetColumn:
        return tr("Target");
    case ModelColumn:
        return tr("Model version");
    case HealthColumn:
        return tr("Health");
    case RateColumn:
        return tr("Requests/s");
    case P50Column:
        return tr("p50 ms");
    case P99Column:
        return tr("p99 ms");
    case DeployedColumn:
        return tr("Deployed");
    default:
        return {};
    }
}

} // namespace kiln
