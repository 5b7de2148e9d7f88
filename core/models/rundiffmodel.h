#pragma once

#include "runs/rundiff.h"
#include "util/expected.h"

#include <QAbstractTableModel>
#include <QIODevice>
#include <QStringList>

#include <memory>
#include <vector>

namespace kiln {

/// What the diff tables share: column 0 names a line, then a column per compared side, the
/// lines under a heading row per section. With onlyDifferences() only the lines that differ
/// are rows (and the headings over them). QtCore only: a view tints and marks cells from the
/// roles below (DiffTable in ui/compare/diffview.h). Lives on the GUI thread.
class DiffTableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiffTableModel)

public:
    enum Role {
        /// bool: on the name column, the line differs; on a value cell, the value stands out
        DiffersRole = Qt::UserRole + 1,
        IsSectionRole, ///< bool: a section heading row
        MissingRole, ///< bool: a value cell of a side that has no value on this line
        FirstSubclassRole, ///< the roles a subclass adds start here
    };

    ~DiffTableModel() override;

    void setOnlyDifferences(bool only);
    bool onlyDifferences() const { return m_onlyDifferences; }

protected:
    DiffTableModel(bool onlyDifferences, QObject *parent);
    /// Lays out the rows again from the lines and onlyDifferences(); called inside a reset.
    virtual void rebuildRows() = 0;

private:
    bool m_onlyDifferences;
};

/// A RunDiff as a table: column 0 names the line, then one column per compared run. Lines
/// come under a heading row per section (the run's attributes, params, metrics, tags).
/// onlyDifferences() is on by default. DiffersRole on a run's cell: its value is not the one
/// most runs share (every cell of a line where no value is shared); RunIdRole on a run's
/// header lets a view show the run's colour. Lives on the GUI thread.
class RunDiffModel final : public DiffTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunDiffModel)

public:
    enum RunRole {
        RunIdRole = FirstSubclassRole, ///< on run column headers: the run's id (qint64)
        FieldRole, ///< the line's full name, "params.max_depth"
    };

    explicit RunDiffModel(QObject *parent = nullptr);
    ~RunDiffModel() override;

    /// Shows `diff`, a diff of rows of `table`.
    void setDiff(std::shared_ptr<const RunTable> table, RunDiff diff);
    void clear();
    const RunDiff &diff() const { return m_diff; }

    int runCount() const { return int(m_diff.rows.size()); }
    qint64 runIdOfColumn(int column) const; ///< 0 for the name column
    /// Rows that are lines (not headings), as shown now.
    int shownLineCount() const;
    int differingLineCount() const;
    /// The index of the line of `field` ("params.max_depth") in column `column`; invalid
    /// when the line is not shown.
    QModelIndex indexOfField(const QString &field, int column = 0) const;

    /// The lines shown, as CSV: "field" and one column per run (its label), exact values.
    Status writeCsv(QIODevice &device) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        int line = -1; ///< in m_diff.lines; -1 on a heading
        RunColumnKind section = RunColumnKind::Attribute;
    };
    void rebuildRows() override;
    void findDifferingCells();
    RunColumnKind sectionOf(const RunDiffRow &line) const;
    QString valueText(const RunDiffRow &line, int run, bool exact) const;

    std::shared_ptr<const RunTable> m_table;
    RunDiff m_diff;
    std::vector<Row> m_rows;
    std::vector<std::vector<bool>> m_cellDiffers; ///< per line, per run
};

} // namespace kiln
