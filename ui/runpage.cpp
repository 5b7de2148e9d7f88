#include "runpage.h"

#include "appearance.h"
#include "elidedlabel.h"
#include "evaluationview.h"
#include "models/runformat.h"
#include "runartifactsview.h"
#include "runcurvesview.h"
#include "runlogview.h"
#include "runoverview.h"
#include "runs/runstore.h"
#include "slurm/slurmclient.h"
#include "storeworker.h"
#include "theme.h"
#include "workspace/workspace.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>

namespace kiln {

namespace {

constexpr int kLiveIntervalMs = 1000;
const QString kSlurm = QStringLiteral("slurm");

/// A job as the worker read it.
struct JobRead
{
    std::optional<RunJob> job;
    QString error;
};

const ArtifactInfo *findArtifact(const QList<ArtifactInfo> &artifacts, const QString &path)
{
    const auto found = std::find_if(artifacts.cbegin(), artifacts.cend(),
                                    [&path](const ArtifactInfo &artifact) { return artifact.path == path; });
    return found == artifacts.cend() ? nullptr : &*found;
}

} // namespace

RunPage::RunPage(QWidget *parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
    , m_overview(new RunOverview)
    , m_curves(new RunCurvesView)
    , m_evaluation(new EvaluationView)
    , m_log(new RunLogView)
    , m_artifacts(new RunArtifactsView)
    , m_jobReader(std::make_unique<StoreWorker>())
{
    setObjectName(QStringLiteral("runPage"));
    m_tabs->setObjectName(QStringLiteral("runTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_overview, tr("Overview"));
    m_tabs->addTab(m_curves, tr("Curves"));
    m_tabs->addTab(m_evaluation, tr("Evaluation"));
    m_tabs->addTab(m_log, tr("Log"));
    m_tabs->addTab(m_artifacts, tr("Artifacts"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(createHeader());
    layout->addWidget(m_tabs, 1);

    m_live.setInterval(kLiveIntervalMs);
    connect(&m_live, &QTimer::timeout, this, &RunPage::tick);
}

QWidget *RunPage::createHeader()
{
    auto *header = new QWidget(this);
    header->setObjectName(QStringLiteral("runHeader"));
    m_name = new QLabel(header);
    m_name->setObjectName(QStringLiteral("runName"));
    m_name->setTextFormat(Qt::PlainText);
    QFont nameFont = m_name->font();
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.3);
    nameFont.setBold(true);
    m_name->setFont(nameFont);
    m_name->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status = new QLabel(header);
    m_status->setObjectName(QStringLiteral("runStatus"));
    m_details = new ElidedLabel(header);
    m_details->setObjectName(QStringLiteral("runDetails"));
    appearance::setTextRole(m_details, appearance::TextRole::Muted);
    m_job = new QLabel(header);
    m_job->setObjectName(QStringLiteral("runJob"));
    m_job->setTextFormat(Qt::PlainText);
    m_job->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_job->hide();
    m_error = new QLabel(header);
    m_error->setObjectName(QStringLiteral("runError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    appearance::setTextRole(m_error, appearance::TextRole::Error);
    m_error->hide();

    auto *top = new QHBoxLayout;
    top->setSpacing(10);
    top->addWidget(m_status);
    top->addWidget(m_name, 1);
    auto *layout = new QVBoxLayout(header);
    layout->setContentsMargins(12, 10, 12, 8);
    layout->setSpacing(4);
    layout->addLayout(top);
    layout->addWidget(m_details);
    layout->addWidget(m_job);
    layout->addWidget(m_error);
    return header;
}

RunPage::~RunPage() = default;

void RunPage::setWorkspace(Workspace *workspace)
{
    m_workspace = workspace;
    m_jobReader->setLocation(workspace ? workspace->location() : QString());
    clear();
}

void RunPage::clear()
{
    m_live.stop();
    m_run = RunRecord();
    m_name->clear();
    m_status->clear();
    m_details->setFullText({});
    m_job->hide();
    m_jobInfo.reset();
    m_jobRead = false;
    m_error->hide();
    m_overview->clear();
    m_curves->clear();
    m_evaluation->clear();
    m_log->clear();
    m_artifacts->clear();
}

bool RunPage::showRun(qint64 runId)
{
    if (!m_workspace)
        return false;
    if (runId == m_run.id) {
        reload();
        return true;
    }
    Expected<RunRecord> run = RunStore(m_workspace->db()).run(runId);
    if (!run) {
        clear();
        Q_EMIT errorOccurred(run.errorMessage());
        return false;
    }
    m_run = std::move(run).value();
    m_jobInfo.reset();
    m_jobRead = false;
    fill(false);
    return true;
}

void RunPage::reload()
{
    if (!m_workspace || m_run.id == 0)
        return;
    Expected<RunRecord> run = RunStore(m_workspace->db()).run(m_run.id);
    if (!run) {
        Q_EMIT errorOccurred(run.errorMessage());
        return;
    }
    m_run = std::move(run).value();
    fill(true);
}

QString RunPage::liveLogPath() const
{
    return m_workspace->root() + QStringLiteral("/runs/") + m_run.uuid + QStringLiteral("/log.txt");
}

void RunPage::fill(bool sameRun)
{
    // An imported run ran elsewhere: nothing here makes it grow, whatever MLflow last said.
    const bool imported = m_run.spec.kind == RunSpec::Kind::Imported;
    const bool active = !isTerminal(m_run.status) && !imported;
    const bool isSweep = m_run.spec.kind == RunSpec::Kind::Sweep;
    updateHeader();
    QString parentName;
    if (m_run.parentId != 0) {
        if (Expected<RunRecord> parent = RunStore(m_workspace->db()).run(m_run.parentId))
            parentName = parent->name;
    }
    m_overview->showRun(m_run, parentName);
    updateJobLabel();
    readJob();

    // Curves keep what they drew for the same run: only the points since are read.
    if (isSweep) {
        m_curves->clear();
    } else if (!sameRun) {
        m_curves->setRun(m_workspace->databasePath(), m_run.id, active);
    } else {
        m_curves->setRunning(active);
        m_curves->loadNewPoints();
    }

    Expected<QList<ArtifactInfo>> artifacts = RunStore(m_workspace->db()).artifacts(m_run.id);
    const QList<ArtifactInfo> stored = artifacts ? *artifacts : QList<ArtifactInfo>();
    if (!artifacts)
        Q_EMIT errorOccurred(artifacts.errorMessage());
    m_artifacts->setArtifacts(m_workspace, stored,
                              isSweep      ? tr("A sweep keeps no files of its own: each of its runs keeps its own.")
                                  : active ? tr("Files appear here as the run keeps them.")
                                           : QString());

    const ArtifactInfo *evaluation = findArtifact(stored, QStringLiteral("evaluation.json"));
    const ArtifactInfo *predictions = findArtifact(stored, QStringLiteral("predictions.csv"));
    QString noEvaluation;
    if (isSweep)
        noEvaluation = tr("A sweep is evaluated through its runs: pick one of them in the list.");
    else if (active)
        noEvaluation = tr("The evaluation on the test set appears when the run finishes.");
    else if (m_run.spec.kind == RunSpec::Kind::Command)
        noEvaluation = tr("External runs report their own results (kiln.log_result); they are on the Overview tab.");
    else if (imported)
        noEvaluation = tr("This run was imported from MLflow: its metrics are on the Curves tab and in the runs "
                          "table, its files on the Artifacts tab.");
    else
        noEvaluation = tr("This run ended before its model was evaluated.");
    const bool evaluationShown = m_evaluation->hasEvaluation() && sameRun;
    if (!evaluationShown || !evaluation) {
        m_evaluation->showEvaluation(evaluation ? m_workspace->blobs().pathFor(evaluation->sha256) : QString(),
                                     predictions ? m_workspace->blobs().pathFor(predictions->sha256) : QString(),
                                     noEvaluation);
    }

    // The live file while the run goes on; the stored copy when the live one is gone.
    const QString live = liveLogPath();
    const ArtifactInfo *storedLog = findArtifact(stored, QStringLiteral("log.txt"));
    const QString logPath
        = QFileInfo::exists(live) || !storedLog ? live : m_workspace->blobs().pathFor(storedLog->sha256);
    const QString noLog = isSweep           ? tr("A sweep has no log of its own: pick one of its runs.")
        : imported                          ? tr("MLflow keeps no log of a run; see its Artifacts.")
        : m_run.status == RunStatus::Queued ? tr("The run is queued; its log starts when it does.")
                                            : tr("This run wrote no log.");
    if (sameRun && logPath == m_log->path())
        m_log->poll();
    else
        m_log->showLog(isSweep ? QString() : logPath, noLog);

    if (active)
        m_live.start();
    else
        m_live.stop();
}

void RunPage::updateHeader()
{
    m_name->setText(m_run.name);
    m_name->setToolTip(m_run.name);
    const QColor color = theme::runStatus(m_run.status);
    m_status->setText(runformat::statusText(m_run.status));
    // The status colours are lighter on a dark palette: the text takes the base colour there.
    m_status->setStyleSheet(QStringLiteral("QLabel { color: %2; background: %1; border-radius: 9px; "
                                           "padding: 2px 10px; font-weight: 600; }")
                                .arg(color.name(), palette().color(QPalette::Base).name()));

    QStringList parts;
    parts << tr("Run %1").arg(m_run.id) << m_run.experiment;
    const QString trainer = m_run.reproducibility.value(QLatin1String("trainer")).toString(m_run.spec.trainer);
    const QString library = m_run.reproducibility.value(QLatin1String("library")).toString();
    if (m_run.spec.kind == RunSpec::Kind::Command || m_run.spec.kind == RunSpec::Kind::Imported)
        parts << runformat::sourceText(m_run.spec);
    else if (!trainer.isEmpty())
        parts << (library.isEmpty() ? trainer : tr("%1 (%2)").arg(trainer, library));
    if (!m_run.spec.datasetRef.isEmpty())
        parts << m_run.spec.datasetRef;
    if (m_run.startedAt.isValid())
        parts << tr("started %1").arg(m_run.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    const QString duration = runformat::duration(m_run.durationSeconds());
    if (!duration.isEmpty())
        parts << (isTerminal(m_run.status) ? tr("took %1").arg(duration) : tr("%1 so far").arg(duration));
    m_details->setFullText(parts.join(QStringLiteral("  ·  ")));

    // "cancelled" says nothing the status does not; a failure's reason always matters.
    const bool showError = !m_run.error.isEmpty() && m_run.status != RunStatus::Finished
        && m_run.error.compare(runStatusName(m_run.status), Qt::CaseInsensitive) != 0;
    m_error->setText(m_run.error);
    m_error->setVisible(showError);
}

void RunPage::tick()
{
    updateHeader();
    m_curves->loadNewPoints();
    m_log->poll();
    readJob();
}

bool RunPage::isSlurmRun() const
{
    return m_run.id != 0 && m_run.spec.executor == kSlurm;
}

void RunPage::readJob()
{
    if (!isSlurmRun() || m_readingJob)
        return;
    m_readingJob = true;
    const qint64 runId = m_run.id;
    auto *watcher = new QFutureWatcher<JobRead>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, runId] {
        watcher->deleteLater();
        m_readingJob = false;
        if (runId != m_run.id)
            return; // another run is shown now
        const JobRead read = watcher->result();
        if (!read.error.isEmpty()) {
            Q_EMIT errorOccurred(read.error);
            return;
        }
        m_jobInfo = read.job;
        m_jobRead = true;
        updateJobLabel();
        // Slurm's last word on a job may come a moment after its run ended: keep reading it.
        const SlurmJobState state = m_jobInfo ? slurmJobStateFromName(m_jobInfo->state) : SlurmJobState::Unknown;
        const bool jobLive = state != SlurmJobState::Unknown && !isTerminal(state);
        if (isTerminal(m_run.status) && !jobLive)
            m_live.stop();
        else if (jobLive)
            m_live.start();
    });
    watcher->setFuture(m_jobReader->run([runId](Expected<Workspace *> workspace) {
        JobRead read;
        if (!workspace) {
            read.error = workspace.errorMessage();
            return read;
        }
        Expected<std::optional<RunJob>> job = RunStore((*workspace)->db()).job(runId);
        if (!job)
            read.error = job.errorMessage();
        else
            read.job = std::move(job).value();
        return read;
    }));
}

void RunPage::updateJobLabel()
{
    if (!isSlurmRun()) {
        m_job->hide();
        return;
    }
    m_job->show();
    const bool sweep = m_run.spec.kind == RunSpec::Kind::Sweep;
    if (!m_jobInfo || m_jobInfo->jobId.isEmpty()) {
        appearance::setTextRole(m_job, appearance::TextRole::Muted);
        if (!m_jobRead)
            m_job->setText(tr("Slurm"));
        else if (sweep)
            m_job->setText(tr("Slurm: its runs go to the cluster as one job array; pick one to see its job."));
        else if (!isTerminal(m_run.status))
            m_job->setText(tr("Slurm: waiting to be submitted"));
        else
            m_job->setText(tr("Slurm: not submitted"));
        return;
    }
    const RunJob &job = *m_jobInfo;
    const SlurmJobState state = slurmJobStateFromName(job.state);
    QString text = job.node.isEmpty() ? tr("Slurm job %1 — %2").arg(job.jobId, job.state)
                                      : tr("Slurm job %1 on %2 — %3").arg(job.jobId, job.node, job.state);
    const bool hasReason = !job.reason.isEmpty() && job.reason != QLatin1String("None");
    const bool endedBadly = isTerminal(state) && state != SlurmJobState::Completed;
    if (hasReason && state == SlurmJobState::Pending)
        text += tr(" (waiting: %1)").arg(job.reason);
    else if (hasReason && endedBadly)
        text += tr(": %1").arg(job.reason);
    m_job->setText(text);
    m_job->setToolTip(job.script.isEmpty() ? QString() : tr("Batch script: %1").arg(job.script));
    appearance::setTextRole(m_job, endedBadly ? appearance::TextRole::Error : appearance::TextRole::Muted);
}

} // namespace kiln
