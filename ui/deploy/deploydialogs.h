#pragma once

#include "deploy/deploymentsdata.h"
#include "deploy/deploytarget.h"
#include "util/expected.h"

#include <QDialog>
#include <QHash>
#include <QMap>
#include <QStringList>

#include <functional>

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QWidget;

namespace kiln {

/// "Add Target…": a name, a kind (every TargetKind the plugins provide) and the kind's own
/// fields built from TargetKind::fields() (location, options, the secret as a password
/// field), each with its help line. Checked as it is typed (a duplicate name, a missing
/// required field, TargetKind::validate()); OK calls the saver, whose error stays in the
/// dialog. The secret goes to the saver only, never into the config. Secrets are kept per
/// kind and location, so a target at the location of another says that they share one.
/// Opened with open().
class AddTargetDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AddTargetDialog)

public:
    /// Stores the target (TargetStore::add with the CredentialStore); the reason it failed.
    using Saver = std::function<Status(const TargetConfig &config, const QByteArray &secret)>;

    /// `existing`: the workspace's targets (their names are refused).
    AddTargetDialog(const QList<TargetConfig> &existing, Saver saver, QWidget *parent = nullptr);
    ~AddTargetDialog() override;

    /// Chooses the kind by id ("agent"); false when no such kind is loaded.
    bool setKind(const QString &kindId);
    QString kindId() const;
    /// What the fields describe now (createdAt left empty), without the secret.
    TargetConfig config() const;
    QByteArray secret() const;
    /// The target added by OK (valid once the dialog was accepted).
    const TargetConfig &added() const { return m_added; }

    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *kindCombo() const { return m_kind; }
    /// The edit of the current kind's field `key` ("location", "secret", an option), or null.
    QLineEdit *fieldEdit(const QString &key) const;
    /// A problem with what was typed; hidden when there is none.
    QLabel *errorLabel() const { return m_error; }
    /// What is still missing ("Fill in: Name, Agent URL."); hidden when nothing is.
    QLabel *hintLabel() const { return m_hint; }
    /// Names the targets at the same kind and location (they share the stored secret).
    QLabel *sharedLabel() const { return m_shared; }
    QDialogButtonBox *buttons() const { return m_buttons; }

public Q_SLOTS:
    void accept() override;

private:
    void rebuildFields();
    /// Problems (red) and what is missing (muted); OK is enabled when both are empty.
    QPair<QStringList, QStringList> check() const;
    void updateState();

    QList<TargetConfig> m_existing;
    Saver m_saver;
    TargetConfig m_added;
    QHash<QString, QString> m_typed; ///< field key → text, kept across kind changes
    QHash<QString, QLineEdit *> m_fields;
    QLineEdit *m_name = nullptr;
    QComboBox *m_kind = nullptr;
    QLabel *m_kindHelp = nullptr;
    QWidget *m_fieldsBox = nullptr;
    QFormLayout *m_fieldsForm = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_hint = nullptr;
    QLabel *m_shared = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

/// "Deploy…": a model, one of its versions or aliases, and a target; says what OK does
/// ("prod serves loans-risk@2 now: it is replaced and kept for Roll Back"). Offers what the
/// panel read last (no database access). Opened with open(); the panel starts the push on
/// accepted().
class DeployDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeployDialog)

public:
    struct Choices
    {
        QList<ModelChoice> models;
        QList<TargetConfig> targets;
        QHash<QString, QString> serving; ///< target → the "name@N" it serves
    };

    /// `modelRef` ("churn@3", "churn@champion", "churn") and `target` are chosen when given.
    DeployDialog(Choices choices, const QString &modelRef, const QString &target, QWidget *parent = nullptr);
    ~DeployDialog() override;

    /// "loans-risk@2" or "loans-risk@champion"; empty when nothing is chosen.
    QString modelRef() const;
    QString targetName() const;

    QComboBox *modelCombo() const { return m_model; }
    /// Aliases first ("champion (version 2)"), then versions newest first.
    QComboBox *versionCombo() const { return m_version; }
    QComboBox *targetCombo() const { return m_target; }
    /// What OK does.
    QLabel *summaryLabel() const { return m_summary; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    void fillVersions();
    void updateSummary();
    /// The version `modelRef()` names (an alias resolved), 0 when none.
    int chosenVersion() const;

    Choices m_choices;
    QComboBox *m_model = nullptr;
    QComboBox *m_version = nullptr;
    QComboBox *m_target = nullptr;
    QLabel *m_summary = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace kiln
