#pragma once

// Private to RunTableModel's implementation (runtablemodel.cpp and runtablemodelrows.cpp).
// Include it from nowhere else.

#include "models/runtablemodel.h"

#include <QHash>
#include <QString>

#include <vector>

namespace kiln {

/// A model column: what it shows, whether or not the current snapshot has it.
struct RunTableModel::ModelColumn
{
    RunColumnKind kind = RunColumnKind::Attribute;
    QString key;
    MetricStat stat = MetricStat::Last;
    QString label;
    QString filterName; ///< empty for min and max
    QString baseFilterName; ///< the key's filter name, also for min and max
};

struct RunTableModel::Group
{
    QString key; ///< the value exactly (kMissingGroupKey for none): a group's identity
    QString label; ///< "max_depth = 6"
    int first = 0; ///< into View::rows
    int count = 0;
};

/// The rows as shown: runs in display order, and the groups spanning them.
struct RunTableModel::View
{
    std::vector<int> rows;
    std::vector<Group> groups;
    std::vector<int> rowInParent; ///< per table row; -1 when not shown
    std::vector<int> groupOf; ///< per table row; -1 when not grouped or not shown
};

struct RunTableModel::Private
{
    static constexpr int kDefaultPollInterval = 1000;

    std::vector<ModelColumn> columns;
    QHash<QString, int> columnIndex; ///< RunTable::columnIdentity() → model column
    std::vector<int> tableColumns; ///< model column → column of m_table, or -1
    View view;
    quint64 generation = 0;
    bool loading = false;
    bool polling = false;
    int pollInterval = kDefaultPollInterval;

    bool grouped() const { return !view.groups.empty(); }
};

} // namespace kiln
