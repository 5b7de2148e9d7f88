// RunsTableView's columns: which are shown and how wide, the sort and the grouping, the header
// menu and the column chooser, and the state that saves them.
#include "runstableview.h"
#include "runstablewidgets.h"

#include "models/runtablemodel.h"

#include <QComboBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QLineEdit>
#include <QMenu>
#include <QToolBar>
#include <QTreeView>

#include <algorithm>

namespace kiln {

namespace {

QString orderName(Qt::SortOrder order)
{
    return order == Qt::AscendingOrder ? QStringLiteral("asc") : QStringLiteral("desc");
}

} // namespace

QString RunsTableView::identity(int column) const
{
    if (column < 0 || column >= m_model->columnCount())
        return {};
    if (std::size_t(column) < m_identities.size() && !m_identities[std::size_t(column)].isEmpty())
        return m_identities[std::size_t(column)];
    const int source = m_model->tableColumn(column);
    if (source < 0)
        return {};
    const RunTable::Column &c = m_model->table()->column(source);
    QString name = RunTable::filterName(c.kind, c.key);
    if (c.kind == RunColumnKind::Metric && c.stat != MetricStat::Last)
        name += c.stat == MetricStat::Min ? QLatin1String(" MIN") : QLatin1String(" MAX");
    if (m_identities.size() < std::size_t(m_model->columnCount()))
        m_identities.resize(std::size_t(m_model->columnCount()));
    m_identities[std::size_t(column)] = name;
    return name;
}

int RunsTableView::columnOf(const QString &identity) const
{
    if (identity.isEmpty())
        return -1;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        if (this->identity(c) == identity)
            return c;
    }
    return -1;
}

bool RunsTableView::shownByDefault(int column) const
{
    const int source = m_model->tableColumn(column);
    if (source < 0)
        return false;
    const RunTable::Column &c = m_model->table()->column(source);
    switch (c.kind) {
    case RunColumnKind::Param:
    case RunColumnKind::Tag:
        return true;
    case RunColumnKind::Metric:
        return c.stat == MetricStat::Last;
    case RunColumnKind::Attribute:
        break;
    }
    switch (c.attribute) {
    case RunAttribute::Id:
    case RunAttribute::Name:
    case RunAttribute::Status:
    case RunAttribute::Source:
    case RunAttribute::Dataset:
    case RunAttribute::Started:
    case RunAttribute::Duration:
        return true;
    case RunAttribute::Experiment:
        return c.dictionary.size() > 1; // worth a column only when runs of several are shown
    default:
        return false;
    }
}

bool RunsTableView::isColumnShown(int column) const
{
    return column >= 0 && column < m_model->columnCount() && !m_tree->isColumnHidden(column);
}

void RunsTableView::setColumnShown(int column, bool shown)
{
    const QString id = identity(column);
    if (id.isEmpty())
        return;
    m_shown.insert(id, shown);
    syncColumns();
}

void RunsTableView::syncColumns()
{
    m_syncing = true;
    QHeaderView *header = m_tree->header();
    const QFontMetrics metrics(header->font());
    for (int c = 0; c < m_model->columnCount(); ++c) {
        const QString id = identity(c);
        const bool shown = !id.isEmpty() && m_shown.value(id, shownByDefault(c));
        m_tree->setColumnHidden(c, !shown);
        if (!shown || m_sized.contains(id))
            continue;
        m_sized.insert(id);
        int width
            = std::clamp(metrics.horizontalAdvance(m_model->headerData(c, Qt::Horizontal).toString()) + 34, 72, 180);
        if (c == int(RunAttribute::Name) || c == int(RunAttribute::Source))
            width = 180;
        else if (c == int(RunAttribute::Started))
            width = 150;
        header->resizeSection(c, m_widths.value(id, width));
    }
    m_syncing = false;
    refreshGroupChoices();
    refreshCompleter();
    applyPendingSort();
    if (!m_groupIdentity.isEmpty() && m_model->groupColumn() != columnOf(m_groupIdentity))
        applyGroup(m_groupIdentity);
}

void RunsTableView::applyPendingSort()
{
    const int column = columnOf(m_sortIdentity);
    if (column < 0 || (m_model->sortColumn() == column && m_model->sortOrder() == m_sortOrder))
        return;
    m_tree->sortByColumn(column, m_sortOrder);
}

void RunsTableView::refreshGroupChoices()
{
    QList<QPair<QString, QString>> choices {{tr("Nothing"), QString()}}; // text, identity
    const auto add = [this, &choices](int column, const QString &text) {
        if (const QString id = identity(column); !id.isEmpty())
            choices.append({text, id});
    };
    for (RunAttribute attribute :
         {RunAttribute::Status, RunAttribute::Experiment, RunAttribute::Source, RunAttribute::Dataset})
        add(int(attribute), m_model->headerData(int(attribute), Qt::Horizontal).toString());
    for (RunColumnKind kind : {RunColumnKind::Param, RunColumnKind::Tag}) {
        for (int c = 0; c < m_model->columnCount(); ++c) {
            if (m_model->headerData(c, Qt::Horizontal, RunTableModel::ColumnKindRole).toInt() != int(kind))
                continue;
            const QString label = m_model->headerData(c, Qt::Horizontal).toString();
            add(c, kind == RunColumnKind::Tag ? tr("%1 (tag)").arg(label) : label);
        }
    }
    // Rebuilt only when the choices changed: a poll every second must not close an open list.
    bool same = choices.size() == m_groupCombo->count();
    for (int i = 0; same && i < m_groupCombo->count(); ++i)
        same = m_groupCombo->itemText(i) == choices.at(i).first && m_groupCombo->itemData(i) == choices.at(i).second;
    if (same)
        return;
    const QSignalBlocker blocker(m_groupCombo);
    m_groupCombo->clear();
    for (const auto &[text, id] : std::as_const(choices))
        m_groupCombo->addItem(text, id);
    m_groupCombo->setCurrentIndex(std::max(0, m_groupCombo->findData(m_groupIdentity)));
}

void RunsTableView::applyGroup(const QString &identity)
{
    m_groupIdentity = identity;
    m_model->setGroupColumn(columnOf(identity));
    m_tree->setRootIsDecorated(m_model->groupColumn() >= 0);
    m_groupCombo->setCurrentIndex(std::max(0, m_groupCombo->findData(identity)));
    syncGroups();
}

void RunsTableView::syncGroups()
{
    if (m_model->groupColumn() < 0)
        return;
    // New groups open, spanning the row; the ones a user closed stay closed (their indexes persist).
    QList<int> fresh;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (!m_tree->isFirstColumnSpanned(row, {}))
            fresh << row;
    }
    for (int row : std::as_const(fresh))
        m_tree->setFirstColumnSpanned(row, {}, true);
    if (fresh.size() == m_model->rowCount()) {
        m_tree->expandAll(); // one pass, where expanding each of thousands of groups costs a pass each
        return;
    }
    for (int row : std::as_const(fresh))
        m_tree->expand(m_model->index(row, 0));
}

void RunsTableView::showColumnChooser()
{
    auto *chooser = new ColumnChooser(this);
    chooser->resize(300, 420);
    QWidget *anchor = m_toolBar->widgetForAction(m_columnsAction);
    const QPoint at = anchor && anchor->isVisible() ? anchor->mapToGlobal(QPoint(0, anchor->height()))
                                                    : mapToGlobal(QPoint(width() - chooser->width(), 0));
    chooser->move(at);
    chooser->show();
}

void RunsTableView::showHeaderMenu(const QPoint &position)
{
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    const int column = m_tree->header()->logicalIndexAt(position);
    if (column >= 0) {
        const QString label = m_model->headerData(column, Qt::Horizontal).toString();
        menu->addAction(tr("Hide “%1”").arg(label), this, [this, column] { setColumnShown(column, false); });
        const QString id = identity(column);
        if (m_groupCombo->findData(id) > 0)
            menu->addAction(tr("Group by “%1”").arg(label), this, [this, id] { applyGroup(id); });
        menu->addSeparator();
    }
    menu->addAction(tr("Columns…"), this, &RunsTableView::showColumnChooser);
    menu->popup(m_tree->header()->mapToGlobal(position));
}

QJsonObject RunsTableView::saveState() const
{
    QJsonArray hidden;
    QJsonArray shown;
    for (auto it = m_shown.cbegin(); it != m_shown.cend(); ++it)
        (it.value() ? shown : hidden).append(it.key());
    QJsonObject widths;
    for (auto it = m_widths.cbegin(); it != m_widths.cend(); ++it)
        widths.insert(it.key(), it.value());
    QJsonObject state;
    state.insert(QStringLiteral("filter"), m_filterEdit->text());
    state.insert(QStringLiteral("hiddenColumns"), hidden);
    state.insert(QStringLiteral("shownColumns"), shown);
    state.insert(QStringLiteral("widths"), widths);
    if (!m_sortIdentity.isEmpty()) {
        state.insert(QStringLiteral("sort"),
                     QJsonObject {{QStringLiteral("column"), m_sortIdentity},
                                  {QStringLiteral("order"), orderName(m_sortOrder)}});
    }
    state.insert(QStringLiteral("groupBy"), m_groupIdentity);
    return state;
}

void RunsTableView::restoreState(const QJsonObject &state)
{
    m_shown.clear();
    for (const auto &id : state.value(QStringLiteral("hiddenColumns")).toArray())
        m_shown.insert(id.toString(), false);
    for (const auto &id : state.value(QStringLiteral("shownColumns")).toArray())
        m_shown.insert(id.toString(), true);
    m_widths.clear();
    const QJsonObject widths = state.value(QStringLiteral("widths")).toObject();
    for (auto it = widths.begin(); it != widths.end(); ++it)
        m_widths.insert(it.key(), it.value().toInt());
    m_sized.clear();
    const QJsonObject sort = state.value(QStringLiteral("sort")).toObject();
    m_sortIdentity = sort.value(QStringLiteral("column")).toString();
    m_sortOrder = sort.value(QStringLiteral("order")).toString() == orderName(Qt::AscendingOrder) ? Qt::AscendingOrder
                                                                                                  : Qt::DescendingOrder;
    m_groupIdentity = state.value(QStringLiteral("groupBy")).toString();
    applyFilter(state.value(QStringLiteral("filter")).toString());
    syncColumns();
    if (m_groupIdentity.isEmpty() && m_model->groupColumn() >= 0)
        applyGroup({});
}

} // namespace kiln
