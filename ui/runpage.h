#pragma once

#include "runs/runstore.h"
#include "runs/runtypes.h"

#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QLabel;
class QTabWidget;

namespace kiln {

class ElidedLabel;
class EvaluationView;
class RunArtifactsView;
class RunCurvesView;
class RunLogView;
class RunOverview;
class StoreWorker;
class Workspace;

/// One run's page: a header (name, status, duration, dataset, trainer and library, the
/// cluster job of a Slurm run, the error when it failed) over the tabs Overview, Curves,
/// Evaluation, Log and Artifacts. While the run is queued or running, a one-second tick grows
/// its curves, tails its log, counts its duration and reads its Slurm job again (on a worker
/// with its own connection); reload() after it ended brings in the evaluation and artifacts.
class RunPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunPage)

public:
    enum Tab { OverviewTab, CurvesTab, EvaluationTab, LogTab, ArtifactsTab };

    explicit RunPage(QWidget *parent = nullptr);
    ~RunPage() override;

    /// The workspace runs are read from (not owned); null clears the page.
    void setWorkspace(Workspace *workspace);
    /// Reads run `runId` (one small query) and shows it; false when there is no such run.
    bool showRun(qint64 runId);
    /// Reads the shown run again (after its status changed).
    void reload();
    void clear();
    qint64 runId() const { return m_run.id; }
    const RunRecord &run() const { return m_run; }

    QTabWidget *tabs() const { return m_tabs; }
    RunOverview *overview() const { return m_overview; }
    RunCurvesView *curves() const { return m_curves; }
    EvaluationView *evaluation() const { return m_evaluation; }
    RunLogView *log() const { return m_log; }
    RunArtifactsView *artifacts() const { return m_artifacts; }
    QLabel *statusLabel() const { return m_status; }
    /// "Slurm job 123_4 on node7 — RUNNING"; hidden for runs of this machine.
    QLabel *jobLabel() const { return m_job; }
    /// The Slurm job last read for the shown run (empty before it was submitted).
    const std::optional<RunJob> &job() const { return m_jobInfo; }

Q_SIGNALS:
    void errorOccurred(const QString &message);

private:
    QWidget *createHeader();
    void fill(bool sameRun);
    void updateHeader();
    void tick();
    QString liveLogPath() const;
    bool isSlurmRun() const;
    /// Reads the shown run's job on the worker; the header shows it when it comes.
    void readJob();
    void updateJobLabel();

    Workspace *m_workspace = nullptr;
    RunRecord m_run;
    QTimer m_live;
    QLabel *m_name = nullptr;
    QLabel *m_status = nullptr;
    ElidedLabel *m_details = nullptr;
    QLabel *m_job = nullptr;
    std::optional<RunJob> m_jobInfo;
    bool m_jobRead = false; ///< m_jobInfo is the shown run's
    bool m_readingJob = false;
    QLabel *m_error = nullptr;
    QTabWidget *m_tabs = nullptr;
    RunOverview *m_overview = nullptr;
    RunCurvesView *m_curves = nullptr;
    EvaluationView *m_evaluation = nullptr;
    RunLogView *m_log = nullptr;
    RunArtifactsView *m_artifacts = nullptr;
    std::unique_ptr<StoreWorker> m_jobReader; ///< its own connection, for the job's reads
};

} // namespace kiln
