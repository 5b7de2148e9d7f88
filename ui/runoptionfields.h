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

/// The fields that file and guard a queued run, shared by the run dialogs: the experiment
/// (editable, offering the existing ones), the run's name, its retries and its timeout. Plain
/// widgets owned by the `parent` given to create(); the dialog lays them out. GUI thread.
struct RunOptionFields
{
    Q_DECLARE_TR_FUNCTIONS(RunOptionFields)

public:
    QComboBox *experiment = nullptr;
    QLineEdit *name = nullptr;
    QSpinBox *retries = nullptr;
    QSpinBox *timeout = nullptr;

    static RunOptionFields create(const QStringList &experiments, QWidget *parent);
    /// Sets the experiment, name, retries and timeout of `spec`; the name stays empty when
    /// none is typed, for the dialog to fill in its default.
    void fill(RunSpec &spec) const;
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
