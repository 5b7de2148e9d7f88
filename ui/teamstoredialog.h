#pragma once

#include "workspace/workspace.h"

#include <QDialog>

#include <memory>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QMessageBox;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace kiln {

/// File › Open Team Store…: a PostgreSQL team store, from its fields (host, port, database,
/// user, password, the shared blob folder) or a pasted postgresql:// URL. The password may be
/// kept in the keychain (Database::storePassword); it is never written into settings or the
/// workspace. Opening runs on a worker (a connection can take up to 10 s to fail) behind a
/// busy indicator that Cancel abandons; what went wrong is shown in a message box naming the
/// store, and a database that is not a Kiln store yet can be made one. GUI thread.
class TeamStoreDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TeamStoreDialog)

public:
    explicit TeamStoreDialog(QWidget *parent = nullptr);
    ~TeamStoreDialog() override;

    /// Fills the fields from `location` (postgresql://user@host:port/db?blobs=DIR).
    void setLocation(const QString &location);
    /// The store the fields describe, as Workspace::open() takes it, without the password.
    QString location() const;
    /// Starts opening the store the fields describe (what Open does).
    void openStore();
    bool isBusy() const;
    /// The opened store, once workspaceOpened() was emitted. It was opened on a worker
    /// thread; see the .cpp for why handing it to the GUI thread is fine.
    std::unique_ptr<Workspace> takeWorkspace();

    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *hostEdit() const { return m_host; }
    QSpinBox *portSpin() const { return m_port; }
    QLineEdit *databaseEdit() const { return m_database; }
    QLineEdit *userEdit() const { return m_user; }
    QLineEdit *passwordEdit() const { return m_password; }
    QCheckBox *rememberCheck() const { return m_remember; }
    QLineEdit *blobFolderEdit() const { return m_blobs; }
    QPushButton *openButton() const;
    QPushButton *cancelButton() const;
    QProgressBar *busyIndicator() const { return m_busy; }

Q_SIGNALS:
    /// A store was opened: takeWorkspace() has it. The dialog closes after this.
    void workspaceOpened();

public Q_SLOTS:
    void accept() override;
    /// While opening: stops waiting for it (the dialog stays, to change the fields); else closes.
    void reject() override;

private:
    struct Outcome;
    void start(bool create);
    void setBusy(bool busy, const QString &message = {});
    void finish(Outcome outcome);
    void showFailure(const QString &message);
    void offerToCreate();
    void updateUrlFromFields();
    void updateFieldsFromUrl();
    void chooseBlobFolder();
    QMessageBox *newMessageBox(const QString &objectName);

    std::unique_ptr<Workspace> m_workspace;
    QObject *m_pending = nullptr; ///< the watcher of the opening under way
    QLineEdit *m_url = nullptr;
    QLineEdit *m_host = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_database = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_remember = nullptr;
    QLineEdit *m_blobs = nullptr;
    QPushButton *m_browse = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_busyText = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace kiln
