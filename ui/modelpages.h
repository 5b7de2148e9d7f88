#pragma once

#include "registry/registrytypes.h"

#include <QStyledItemDelegate>
#include <QWidget>

class QAction;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTextBrowser;

namespace kiln {

class ElidedLabel;
class TextTableModel;
class Workspace;

/// Draws a cell's list of names (aliases) as small rounded chips; champion in the accent.
class ChipDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChipDelegate)

public:
    /// `listRole`: the role that holds the cell's names (a QStringList).
    explicit ChipDelegate(int listRole, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_listRole;
};

/// The head of a model's page: its name, description and tags, with Edit… to change them.
class ModelHeader final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelHeader)

public:
    explicit ModelHeader(QWidget *parent = nullptr);
    ~ModelHeader() override;

    /// Shows `model`; null shows nothing.
    void setModel(const RegisteredModel *model);

    ElidedLabel *nameLabel() const { return m_name; }
    QLabel *descriptionLabel() const { return m_description; }
    QLabel *tagsLabel() const { return m_tags; }
    QPushButton *editButton() const { return m_edit; }

Q_SIGNALS:
    void editRequested();

private:
    ElidedLabel *m_name = nullptr;
    QLabel *m_description = nullptr;
    QLabel *m_tags = nullptr;
    QPushButton *m_edit = nullptr;
};

/// The Card tab: a version's Markdown model card, rendered, under the version's tags; Edit
/// swaps in a plain-text editor with Save (Ctrl+S) and Cancel. Saving writes through
/// ModelRegistry::setCard on the workspace's connection (GUI thread).
class ModelCardPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelCardPage)

public:
    explicit ModelCardPage(QWidget *parent = nullptr);
    ~ModelCardPage() override;

    void setWorkspace(Workspace *workspace);
    /// Shows `version`'s card; an edit under way of another version is dropped.
    void setVersion(const ModelVersion &version);
    void clear();

    bool isEditing() const;
    void edit();
    /// Saves the edited card; false (with errorOccurred) when the registry refused it.
    bool save();
    void cancel();

    QTextBrowser *browser() const { return m_browser; }
    QLabel *tagsLabel() const { return m_tags; }
    QPlainTextEdit *editor() const { return m_editor; }
    QPushButton *editButton() const { return m_edit; }
    QPushButton *saveButton() const { return m_save; }
    QPushButton *cancelButton() const { return m_cancel; }

Q_SIGNALS:
    void cardSaved(const QString &modelName, int version);
    void errorOccurred(const QString &message);

private:
    void updateButtons();

    Workspace *m_workspace = nullptr;
    QString m_modelName;
    int m_version = 0;
    QString m_card;
    QStackedWidget *m_stack = nullptr;
    QTextBrowser *m_browser = nullptr;
    QPlainTextEdit *m_editor = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_tags = nullptr;
    QLabel *m_error = nullptr;
    QAction *m_saveAction = nullptr;
};

/// The Signature tab: the input columns a version expects (type, allowed categories), what it
/// outputs, and the input example kept with it.
class ModelSignaturePage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelSignaturePage)

public:
    explicit ModelSignaturePage(QWidget *parent = nullptr);
    ~ModelSignaturePage() override;

    void setVersion(const ModelVersion &version);
    void clear();

    TextTableModel *inputsModel() const { return m_inputs; }
    TextTableModel *outputsModel() const { return m_outputs; }
    TextTableModel *exampleModel() const { return m_example; }
    QLabel *summaryLabel() const { return m_summary; }

private:
    TextTableModel *m_inputs = nullptr;
    TextTableModel *m_outputs = nullptr;
    TextTableModel *m_example = nullptr;
    QTableView *m_exampleView = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace kiln
