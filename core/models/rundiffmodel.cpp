#include "models/rundiffmodel.h"

#include "models/csv.h"

#include <QHash>

#include <algorithm>

namespace kiln {

DiffTableModel::DiffTableModel(bool onlyDifferences, QObject *parent)
    : QAbstractTableModel(parent)
    , m_onlyDifferences(onlyDifferences)
{ }

DiffTableModel::~DiffTableModel() = default;

void DiffTableModel::setOnlyDifferences(bool only)
{
    if (only == m_onlyDifferences)
        return;
    beginResetModel();
    m_onlyDifferences = only;
    rebuildRows();
    endResetModel();
}

RunDiffModel::RunDiffModel(QObject *parent)
    : DiffTableModel(true, parent)
{ }

RunDiffModel::~RunDiffModel() = default;

void RunDiffModel::setDiff(std::shared_ptr<const RunTable> table, RunDiff diff)
{
    beginResetModel();
    m_table = std::move(table);
    m_diff = std::move(diff);
    findDifferingCells();
    rebuildRows();
    endResetModel();
}

void RunDiffModel::findDifferingCells()
{
    m_cellDiffers.clear();
    for (const RunDiffRow &line : m_diff.lines) {
        std::vector<bool> cells(std::size_t(runCount()), false);
        if (line.differs) {
            // The value most runs share (the first of equals); the others stand out.
            QHash<QString, int> counts;
            QString shared;
            int most = 0;
            for (const QString &value : line.values) {
                const int count = ++counts[value];
                if (count > most) {
                    most = count;
                    shared = value;
                }
            }
            for (int run = 0; run < runCount(); ++run)
                cells[std::size_t(run)] = most == 1 || line.values.value(run) != shared;
        }
        m_cellDiffers.push_back(std::move(cells));
    }
}

void RunDiffModel::clear()
{
    setDiff(nullptr, {});
}

RunColumnKind RunDiffModel::sectionOf(const RunDiffRow &line) const
{
    if (!m_table || line.column < 0 || line.column >= m_table->columnCount())
        return RunColumnKind::Attribute;
    return m_table->column(line.column).kind;
}

void RunDiffModel::rebuildRows()
{
    m_rows.clear();
    bool first = true;
    RunColumnKind section = RunColumnKind::Attribute;
    for (std::size_t i = 0; i < m_diff.lines.size(); ++i) {
        const RunDiffRow &line = m_diff.lines[i];
        if (onlyDifferences() && !line.differs)
            continue;
        const RunColumnKind kind = sectionOf(line);
        if (first || kind != section)
            m_rows.push_back({-1, kind});
        first = false;
        section = kind;
        m_rows.push_back({int(i), kind});
    }
}

qint64 RunDiffModel::runIdOfColumn(int column) const
{
    if (!m_table || column < 1 || column > runCount())
        return 0;
    return m_table->runId(m_diff.rows[std::size_t(column - 1)]);
}

int RunDiffModel::shownLineCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &row) { return row.line >= 0; }));
}

int RunDiffModel::differingLineCount() const
{
    return int(
        std::count_if(m_diff.lines.cbegin(), m_diff.lines.cend(), [](const RunDiffRow &line) { return line.differs; }));
}

QModelIndex RunDiffModel::indexOfField(const QString &field, int column) const
{
    for (std::size_t row = 0; row < m_rows.size(); ++row) {
        const int line = m_rows[row].line;
        if (line >= 0 && m_diff.lines[std::size_t(line)].label == field)
            return index(int(row), column);
    }
    return {};
}

QString RunDiffModel::valueText(const RunDiffRow &line, int run, bool exact) const
{
    if (exact && m_table && line.column >= 0 && line.column < m_table->columnCount())
        return m_table->column(line.column).exactText(m_diff.rows[std::size_t(run)]);
    return line.values.value(run);
}

Status RunDiffModel::writeCsv(QIODevice &device) const
{
    QStringList header {tr("field")};
    header << m_diff.runLabels;
    QByteArray bytes = csvRecord(header);
    for (const Row &row : m_rows) {
        if (row.line < 0)
            continue;
        const RunDiffRow &line = m_diff.lines[std::size_t(row.line)];
        QStringList fields {line.label};
        for (int run = 0; run < runCount(); ++run)
            fields << valueText(line, run, true);
        bytes += csvRecord(fields);
    }
    return writeCsvBytes(device, bytes);
}

int RunDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RunDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 1 + runCount();
}

QVariant RunDiffModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows[std::size_t(index.row())];
    if (row.line < 0) {
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() != 0)
                return {};
            switch (row.section) {
            case RunColumnKind::Attribute:
                return tr("Run");
            case RunColumnKind::Param:
                return tr("Params");
            case RunColumnKind::Metric:
                return tr("Metrics (last value)");
            case RunColumnKind::Tag:
                return tr("Tags");
            }
            return {};
        case IsSectionRole:
            return true;
        default:
            return {};
        }
    }
    const RunDiffRow &line = m_diff.lines[std::size_t(row.line)];
    const int run = index.column() - 1;
    switch (role) {
    case Qt::DisplayRole:
        if (run < 0) {
            if (m_table && line.column >= 0 && line.column < m_table->columnCount())
                return m_table->column(line.column).label();
            return line.label;
        }
        return line.values.value(run);
    case Qt::ToolTipRole:
        if (run < 0)
            return line.differs ? tr("%1: differs among the runs").arg(line.label)
                                : tr("%1: the same in every run").arg(line.label);
        return valueText(line, run, true);
    case DiffersRole:
        return run < 0 ? line.differs : bool(m_cellDiffers[std::size_t(row.line)][std::size_t(run)]);
    case IsSectionRole:
        return false;
    case MissingRole:
        return run >= 0 && line.values.value(run).isEmpty();
    case FieldRole:
        return line.label;
    default:
        return {};
    }
}

QVariant RunDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section > runCount())
        return DiffTableModel::headerData(section, orientation, role);
    if (section == 0)
        return role == Qt::DisplayRole ? QVariant(tr("Field")) : QVariant();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return m_diff.runLabels.value(section - 1);
    case RunIdRole:
        return runIdOfColumn(section);
    default:
        return {};
    }
}

} // namespace kiln
