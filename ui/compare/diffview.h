#pragma once

#include "compare/comparisonview.h"

#include <QIcon>
#include <QTableView>

#include <functional>

class QCheckBox;
class QLabel;

namespace kiln {

class DiffStyleModel;
class DiffTableModel;
class RunDiffModel;

/// A DiffTableModel to be read at a glance: the cells of the lines that differ tinted (their
/// text dark: the tint is light in either theme), headings bold on grey across the row, the
/// names of differing lines bold, a grey "—" where a side has no value. No grid and no
/// alternating rows: the tint is the information. Used by the run diff and the version compare.
class DiffTable final : public QTableView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiffTable)

public:
    explicit DiffTable(DiffTableModel *model, QWidget *parent = nullptr);
    ~DiffTable() override;

    /// Puts `icon(column)` on the headers of the value columns (a run's colour); a null icon
    /// shows none. None by default.
    void setHeaderIcons(std::function<QIcon(int column)> icon);

private:
    void updateSpans();

    DiffTableModel *m_model = nullptr;
    DiffStyleModel *m_style = nullptr;
};

/// The diff table: the compared runs side by side (one column each, headed by the run and
/// its colour), a line per attribute, param, metric (last value) and tag under a heading per
/// section, the cells of the lines that differ tinted. "Only differences" (on by default)
/// hides the lines every run agrees on; a note says when the runs share no metric.
class DiffView final : public ComparisonView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiffView)

public:
    static constexpr std::size_t kMaxRuns = 500;

    explicit DiffView(QWidget *parent = nullptr);
    ~DiffView() override;

    void setComparison(const Comparison &comparison) override;
    QStringList exportFormats() const override;
    bool exportTo(const QString &path, QString *error) const override;
    QJsonObject settings() const override; ///< {"onlyDifferences": bool}
    void restoreSettings(const QJsonObject &settings) override;

    RunDiffModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QCheckBox *onlyDifferencesBox() const { return m_onlyDifferences; }
    /// Says when the runs have no metric in common; hidden otherwise.
    QLabel *noteLabel() const { return m_note; }
    QLabel *summaryLabel() const { return m_summary; }

private:
    void updateLabels();

    std::shared_ptr<const RunTable> m_snapshot;
    std::vector<int> m_rows;
    int m_selected = 0; ///< runs selected; the first kMaxRuns are shown
    RunDiffModel *m_model = nullptr;
    DiffTable *m_table = nullptr;
    QCheckBox *m_onlyDifferences = nullptr;
    QLabel *m_note = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace kiln
