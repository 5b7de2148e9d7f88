#pragma once

#include "runs/runtypes.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QTabWidget;

namespace kiln {

class ElidedLabel;
class EvaluationView;
class RunArtifactsView;
class RunCurvesView;
class RunLogView;
class RunOverview;
class Workspace;

/// One run's page: a header (name, status, duration, dataset, trainer and library, the error
/// when it failed) over the tabs Overview, Curves, Evaluation, Log and Artifacts. While the
/// run is queued or running, a one-second tick grows its curves, tails its log and counts its
/// duration; reload() after it ended brings in the evaluation and artifacts.
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

Q_SIGNALS:
    void errorOccurred(const QString &message);

private:
    QWidget *createHeader();
    void fill(bool sameRun);
    void updateHeader();
    void tick();
    QString liveLogPath() const;

    Workspace *m_workspace = nullptr;
    RunRecord m_run;
    QTimer m_live;
    QLabel *m_name = nullptr;
    QLabel *m_status = nullptr;
    ElidedLabel *m_details = nullptr;
    QLabel *m_error = nullptr;
    QTabWidget *m_tabs = nullptr;
    RunOverview *m_overview = nullptr;
    RunCurvesView *m_curves = nullptr;
    EvaluationView *m_evaluation = nullptr;
    RunLogView *m_log = nullptr;
    RunArtifactsView *m_artifacts = nullptr;
};

} // namespace kiln
