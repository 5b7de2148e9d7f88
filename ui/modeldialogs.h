#pragma once

#include "registry/modelregistry.h"
#include "registry/registrytypes.h"
#include "runs/runtypes.h"
#include "util/expected.h"

#include <QDialog>
#include <QFileDialog>
#include <QMap>
#include <QPointer>

#include <functional>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QMessageBox;
class QPlainTextEdit;
class QTableView;
class QTableWidget;

namespace kiln {

class ImportBundleTask;
class TaskManager;
class TextTableModel;

/// "Register Model…": files a finished run's model as the next version of a registered model.
/// The name is an existing model or a new one (prefilled with the run's experiment) and is
/// checked as it is typed; a new model takes a description. Shows the run and its metrics.
/// OK calls the registrar; its error stays in the dialog. Opened with open().
class RegisterModelDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegisterModelDialog)

public:
    /// Registers the run as a version of `modelName`; returns it or the reason it failed.
    using Registrar = std::function<Expected<ModelVersion>(const QString &modelName, const RegisterOptions &options)>;

    RegisterModelDialog(const RunRecord &run, const QList<RegisteredModel> &models, Registrar registrar,
                        QWidget *parent = nullptr);
    ~RegisterModelDialog() override;

    QString modelName() const; ///< trimmed
    QString description() const;
    /// The version registered by OK (valid once the dialog was accepted).
    const ModelVersion &registered() const { return m_registered; }

    QComboBox *nameCombo() const { return m_name; }
    QPlainTextEdit *descriptionEdit() const { return m_description; }
    /// Says what OK will do: a new model, or which version of an existing one.
    QLabel *outcomeLabel() const { return m_outcome; }
    /// The name's problem or the registry's refusal; hidden when there is none.
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }

public Q_SLOTS:
    void accept() override;

private:
    void updateName();

    Registrar m_registrar;
    QList<RegisteredModel> m_models;
    ModelVersion m_registered;
    QString m_typedDescription; ///< what was typed for a new model, kept while an existing one is shown
    bool m_showingExisting = false;
    QComboBox *m_name = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QLabel *m_outcome = nullptr;
    QLabel *m_error = nullptr;
    TextTableModel *m_metrics = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

/// "Set Alias…": points an alias (an existing one, champion, challenger or a new name) at one
/// version. Says live what happens ("champion moves from version 2 to version 3") and checks
/// the name as it is typed. OK calls the setter; its error stays in the dialog. open().
class SetAliasDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetAliasDialog)

public:
    using Setter = std::function<Status(const QString &alias)>;

    /// `aliases`: the model's aliases now, alias → version.
    SetAliasDialog(const QString &modelName, int version, const QMap<QString, int> &aliases, Setter setter,
                   QWidget *parent = nullptr);
    ~SetAliasDialog() override;

    QString alias() const; ///< trimmed

    QComboBox *aliasCombo() const { return m_alias; }
    /// What OK does to the alias; the name's problem shows in errorLabel() instead.
    QLabel *moveLabel() const { return m_move; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }

public Q_SLOTS:
    void accept() override;

private:
    void updateAlias();

    QString m_modelName;
    int m_version = 0;
    QMap<QString, int> m_aliases;
    Setter m_setter;
    QComboBox *m_alias = nullptr;
    QLabel *m_move = nullptr;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

/// "Edit…" on a model's header: its description and tags (key, value). OK calls the saver;
/// its error stays in the dialog. open().
class ModelDetailsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelDetailsDialog)

public:
    using Tags = QList<QPair<QString, QString>>;
    using Saver = std::function<Status(const QString &description, const Tags &tags)>;

    ModelDetailsDialog(const RegisteredModel &model, Saver saver, QWidget *parent = nullptr);
    ~ModelDetailsDialog() override;

    QString description() const;
    /// The tags as edited: rows with a key, in order; a key given twice keeps its last value.
    Tags tags() const;
    /// Appends a tags row.
    void addTag(const QString &key = {}, const QString &value = {});

    /// Writes `description` and `tags` (replacing the model's tags) to the registry.
    static Status apply(ModelRegistry &registry, const RegisteredModel &model, const QString &description,
                        const Tags &tags);

    QPlainTextEdit *descriptionEdit() const { return m_description; }
    QTableWidget *tagsTable() const { return m_tags; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }

public Q_SLOTS:
    void accept() override;

private:
    Saver m_saver;
    QPlainTextEdit *m_description = nullptr;
    QTableWidget *m_tags = nullptr;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

/// The question asked before deleting `version` (Yes or No, No the default), to open().
QMessageBox *newDeleteVersionQuestion(const ModelVersion &version, QWidget *parent);
/// Why `version` cannot be deleted now ("churn@2 is deployed to 'prod': undeploy it first."),
/// or empty when nothing deploys it.
QString deletionRefusal(const ModelVersion &version);

/// Exports and imports model bundles for the Models panel: asks for the files with file
/// dialogs that do not block, runs ExportBundleTask / ImportBundleTask on the TaskManager
/// (progress and cancel in the status bar) and reports how each ended. GUI thread.
class BundleController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BundleController)

public:
    /// `dialogParent` parents the file dialogs.
    BundleController(TaskManager *tasks, QWidget *dialogParent);
    ~BundleController() override;

    /// Asks where to write `version` (its suggested name in the last folder used), then exports.
    void chooseExportPath(const ModelVersion &version, const QString &workspaceRoot);
    /// Writes `ref` ("name@3") of the workspace at `workspaceRoot` as a bundle at `path`.
    void exportVersion(const QString &ref, const QString &path, const QString &workspaceRoot);
    /// Asks for bundle files, then imports them.
    void chooseImportPaths(const QString &workspaceRoot);
    /// Imports each file as a new version (a task each); imported() once all have ended.
    void importBundles(const QStringList &paths, const QString &workspaceRoot);

    /// The file dialog asking for paths, while it is open.
    QFileDialog *fileDialog() const { return m_fileDialog; }

Q_SIGNALS:
    void exported(const QString &path);
    /// The imports started together have ended; `versions` are those that came in.
    void imported(const QString &workspaceRoot, const QList<kiln::ModelVersion> &versions);
    /// What failed (naming the file) and why; for an error dialog and the status bar.
    void failed(const QString &message, const QString &details);

private:
    void importEnded(ImportBundleTask *task);

    TaskManager *m_tasks = nullptr;
    QWidget *m_dialogParent = nullptr;
    QPointer<QFileDialog> m_fileDialog;
    QString m_importRoot;
    int m_pendingImports = 0;
    QList<ModelVersion> m_imported;
    QStringList m_importErrors;
};

} // namespace kiln
