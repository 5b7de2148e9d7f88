#pragma once

#include "runs/runtypes.h"
#include "util/expected.h"

#include <QCoreApplication>

#include <functional>

class QComboBox;
class QDialog;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QWidget;

namespace kiln {

/// The fields that file, guard and place a queued run, shared by the run dialogs: the
/// experiment (editable, offering the existing ones), the run's name, its retries and its
/// timeout, and where it runs: this machine, or a Slurm cluster with the CPUs, memory, time
/// limit and partition asked of it (last used values kept in QSettings). Plain widgets owned
/// by the `parent` given to create(); the dialog lays them out (`placement` holds the
/// "Run on" fields, laid out already). GUI thread.
struct RunOptionFields
{
    Q_DECLARE_TR_FUNCTIONS(RunOptionFields)

public:
    enum Executor { ThisMachine, SlurmCluster }; ///< `runOn` indexes

    QComboBox *experiment = nullptr;
    QLineEdit *name = nullptr;
    QSpinBox *retries = nullptr;
    QSpinBox *timeout = nullptr;
    QWidget *placement = nullptr; ///< "Run on" and the cluster's resources, in one widget
    QComboBox *runOn = nullptr;
    QSpinBox *cpus = nullptr;
    QSpinBox *memory = nullptr;
    QComboBox *memoryUnit = nullptr; ///< MB or GB
    QSpinBox *timeLimit = nullptr; ///< minutes
    QLineEdit *partition = nullptr;

    static RunOptionFields create(const QStringList &experiments, QWidget *parent);
    /// Sets the experiment, name, retries, timeout, executor and resources of `spec`; the
    /// name stays empty when none is typed, for the dialog to fill in its default.
    void fill(RunSpec &spec) const;
    bool onSlurm() const;
    /// What is wrong with where the run is to go (Slurm chosen but not available).
    QStringList problems() const;
    /// Keeps the placement chosen as the next dialog's default (after a run was queued).
    void saveDefaults() const;
};

/// The hidden label under a run dialog's fields where its problems are listed.
QLabel *newProblemsLabel(const QString &objectName, QWidget *parent);
/// OK and Cancel for a run dialog, OK relabelled `okText`, wired to the dialog's accept()
/// and reject().
QDialogButtonBox *newRunButtons(QDialog *dialog, const QString &okText, const QString &okObjectName);

/// Lists `problems` in `label`, one a line; hides it when there are none.
void showRunProblems(QLabel *label, const QStringList &problems);
/// What OK does in a run dialog: shows `problems` when there are any, otherwise queues the run
/// with `submit` and shows its error if that fails. The queued run's id; 0 when none was.
qint64 submitRun(QLabel *problemsLabel, const QStringList &problems,
                 const std::function<Expected<RunRecord>()> &submit);

} // namespace kiln
