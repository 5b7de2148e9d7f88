#pragma once

#include "data/datasetcatalog.h"
#include "runoptionfields.h"
#include "runs/runtypes.h"
#include "util/expected.h"

#include <QDialog>

#include <functional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QSpinBox;

namespace kiln {

class HyperParameterForm;
class Trainer;

/// "Train…" on a dataset version: the trainer, the target and features, the task, the split,
/// the hyperparameters (from the trainer's declaration, each optionally swept), where the
/// run is filed and where it runs (this machine or a Slurm cluster). OK checks everything,
/// shows problems in the dialog, and submits the run.
class TrainDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainDialog)

public:
    /// Queues a run and returns it; the dialog shows the error when it fails.
    using Submitter = std::function<Expected<RunRecord>(const RunSpec &)>;

    TrainDialog(const DatasetVersion &version, const QStringList &experiments, Submitter submitter,
                QWidget *parent = nullptr);
    ~TrainDialog() override;

    /// The run the widgets describe now (not checked).
    RunSpec spec() const;
    /// Everything wrong with the run as described, one message each; empty when it can run.
    QStringList problems();
    /// The run queued by OK; 0 before.
    qint64 submittedRunId() const { return m_submittedRunId; }

    QComboBox *trainerCombo() const { return m_trainer; }
    QComboBox *targetCombo() const { return m_target; }
    QComboBox *taskCombo() const { return m_task; }
    QListWidget *featureList() const { return m_features; }
    HyperParameterForm *parameterForm() const { return m_parameters; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }
    const RunOptionFields &runFields() const { return m_run; }

public Q_SLOTS:
    void accept() override;

private:
    QWidget *createDataSection();
    QWidget *createSplitSection();
    QWidget *createRunSection(const QStringList &experiments);
    const Trainer *currentTrainer() const;
    void onTrainerChanged();
    void onTargetChanged();
    void updateDefaultName();
    void updateParameters();
    void updateSweepNote();
    void showProblems(const QStringList &problems);

    DatasetVersion m_version;
    Submitter m_submitter;
    qint64 m_submittedRunId = 0;
    QString m_previousTarget;

    QComboBox *m_trainer = nullptr;
    QLabel *m_trainerDescription = nullptr;
    QComboBox *m_target = nullptr;
    QComboBox *m_task = nullptr;
    QLabel *m_taskHint = nullptr;
    QListWidget *m_features = nullptr;
    HyperParameterForm *m_parameters = nullptr;
    QLabel *m_sweepNote = nullptr;
    QDoubleSpinBox *m_testFraction = nullptr;
    QDoubleSpinBox *m_validationFraction = nullptr;
    QSpinBox *m_seed = nullptr;
    QCheckBox *m_stratify = nullptr;
    QSpinBox *m_folds = nullptr;
    RunOptionFields m_run;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace kiln
