#pragma once

#include <QWidget>

class QGroupBox;
class QTableView;

namespace kiln {

class TextTableModel;
struct RunRecord;

/// The Overview tab: a run's parameters (and tags), its results, and what reproduces it
/// (dataset version and hash, split, seed, trainer and library versions, command, host, and
/// for a Slurm run the resources it asked of the cluster).
class RunOverview final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunOverview)

public:
    explicit RunOverview(QWidget *parent = nullptr);
    ~RunOverview() override;

    /// Shows `run`; `parentName` names its parent run (a sweep, or an MLflow parent run).
    void showRun(const RunRecord &run, const QString &parentName = {});
    void clear();

    TextTableModel *paramsModel() const { return m_params; }
    TextTableModel *resultsModel() const { return m_results; }
    TextTableModel *reproducibilityModel() const { return m_reproducibility; }

private:
    TextTableModel *m_params = nullptr;
    TextTableModel *m_results = nullptr;
    TextTableModel *m_reproducibility = nullptr;
    QTableView *m_paramsView = nullptr;
    QTableView *m_resultsView = nullptr;
    QTableView *m_reproducibilityView = nullptr;
    QGroupBox *m_paramsBox = nullptr;
    QGroupBox *m_resultsBox = nullptr;
};

} // namespace kiln
