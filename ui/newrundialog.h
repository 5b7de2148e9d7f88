#pragma once

#include "runoptionfields.h"
#include "runs/runtypes.h"
#include "util/expected.h"

#include <QDialog>

#include <functional>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace kiln {

/// "New Run…": any command as a tracked run. The command line is split as a shell splits it;
/// params go to the command as "--name value" and KILN_PARAM_* variables, a param with sweep
/// values makes a grid sweep; the command reports metrics through the kiln_tracking protocol.
/// It runs on this machine or, sent to a Slurm cluster, on a node (a sweep as one job array).
class NewRunDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NewRunDialog)

public:
    /// Queues a run and returns it; the dialog shows the error when it fails.
    using Submitter = std::function<Expected<RunRecord>(const RunSpec &)>;

    NewRunDialog(const QStringList &experiments, Submitter submitter, QWidget *parent = nullptr);
    ~NewRunDialog() override;

    /// The run the widgets describe now (not checked).
    RunSpec spec() const;
    /// Everything wrong with the run as described; empty when it can be queued.
    QStringList problems() const;
    qint64 submittedRunId() const { return m_submittedRunId; }

    QLineEdit *commandEdit() const { return m_command; }
    QLineEdit *workingFolderEdit() const { return m_workingFolder; }
    QLineEdit *outputFolderEdit() const { return m_outputFolder; }
    QTableWidget *paramsTable() const { return m_params; }
    QComboBox *experimentCombo() const { return m_run.experiment; }
    const RunOptionFields &runFields() const { return m_run; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }

    /// Appends a params row (name, value, sweep values).
    void addParam(const QString &name = {}, const QString &value = {}, const QString &sweep = {});

public Q_SLOTS:
    void accept() override;

private:
    QWidget *createParamsSection();
    void chooseWorkingFolder();
    void showProblems(const QStringList &problems);

    Submitter m_submitter;
    qint64 m_submittedRunId = 0;
    QLineEdit *m_command = nullptr;
    QLineEdit *m_workingFolder = nullptr;
    QLineEdit *m_outputFolder = nullptr;
    QTableWidget *m_params = nullptr;
    RunOptionFields m_run;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace kiln
