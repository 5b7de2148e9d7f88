#pragma once

#include "registry/modelregistry.h"
#include "registry/registrytypes.h"
#include "runs/runtypes.h"
#include "util/expected.h"

#include <QDialog>
#include <QMap>

#include <functional>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QMessageBox;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace kiln {

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

/// The tags of a model or of one version, in a key / value table with Add and Remove. For a
/// model ("Edit…" on its header) it edits the description too; for a version ("Edit Version
/// Tags…") only the tags. OK calls the saver; its error stays in the dialog. open().
class ModelDetailsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelDetailsDialog)

public:
    using Tags = QList<QPair<QString, QString>>;
    /// Writes what was edited; `description` is empty when editing a version.
    using Saver = std::function<Status(const QString &description, const Tags &tags)>;

    /// A model's description and tags.
    ModelDetailsDialog(const RegisteredModel &model, Saver saver, QWidget *parent = nullptr);
    /// A version's tags.
    ModelDetailsDialog(const ModelVersion &version, Saver saver, QWidget *parent = nullptr);
    ~ModelDetailsDialog() override;

    QString description() const; ///< empty when editing a version
    /// The tags as edited: rows with a key, in order; a key given twice keeps its last value.
    Tags tags() const;
    /// Appends a tags row.
    void addTag(const QString &key = {}, const QString &value = {});

    /// Writes `description` and `tags` (replacing the model's tags) to the registry.
    static Status apply(ModelRegistry &registry, const RegisteredModel &model, const QString &description,
                        const Tags &tags);
    /// Replaces the tags version `version` of `modelName` has now with `tags`: removes the keys
    /// not in `tags`, sets the new and changed ones. One registry call per change, so not one
    /// transaction: a refused call stops there, with the calls before it kept.
    static Status applyVersionTags(ModelRegistry &registry, const QString &modelName, int version, const Tags &tags);

    QPlainTextEdit *descriptionEdit() const { return m_description; } ///< null when editing a version
    QTableWidget *tagsTable() const { return m_tags; }
    QPushButton *addTagButton() const { return m_addTag; }
    QPushButton *removeTagButton() const { return m_removeTag; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }

public Q_SLOTS:
    void accept() override;

private:
    /// `version`: "churn, version 3" over the tags of a version, empty for a model;
    /// `description`: the model's, null for a version (no description field).
    ModelDetailsDialog(const QString &title, const QString &version, const QString *description, const Tags &tags,
                       Saver saver, QWidget *parent);

    Saver m_saver;
    QPlainTextEdit *m_description = nullptr;
    QTableWidget *m_tags = nullptr;
    QPushButton *m_addTag = nullptr;
    QPushButton *m_removeTag = nullptr;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

/// The question asked before deleting `version` (Yes or No, No the default), to open().
QMessageBox *newDeleteVersionQuestion(const ModelVersion &version, QWidget *parent);
/// Why `version` cannot be deleted now ("churn@2 is deployed to 'prod': undeploy it first."),
/// or empty when nothing deploys it.
QString deletionRefusal(const ModelVersion &version);

} // namespace kiln
