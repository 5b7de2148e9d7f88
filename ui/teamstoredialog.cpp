#include "teamstoredialog.h"

#include "runoptionfields.h"
#include "storage/database.h"
#include "viewutil.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace kiln {

namespace {

const QString kLocationKey = QStringLiteral("teamStore/lastLocation");
const QString kRememberKey = QStringLiteral("teamStore/remember");
constexpr int kDefaultPort = 5432;

QString withPassword(const QString &location, const QString &password)
{
    if (password.isEmpty())
        return location;
    QUrl url(location);
    url.setPassword(password);
    return url.toString();
}

} // namespace

/// What opening a store on the worker came to.
struct TeamStoreDialog::Outcome
{
    enum class Kind { Opened, NotAStore, Failed };

    Kind kind = Kind::Failed;
    std::unique_ptr<Workspace> workspace;
    QString message;
};

TeamStoreDialog::TeamStoreDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("teamStoreDialog"));
    setWindowTitle(tr("Open Team Store"));

    auto *intro = viewutil::newNoteLabel(QStringLiteral("teamStoreIntro"), this);
    intro->setText(tr("A team store is a PostgreSQL database that several people and machines share: "
                      "everyone sees everyone's runs as they happen. Datasets, models and run files go to a "
                      "blob folder that every machine mounts."));

    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("storeUrl"));
    m_url->setPlaceholderText(QStringLiteral("postgresql://user@host:5432/database?blobs=/shared/kiln"));
    m_url->setToolTip(tr("Paste a connection URL here to fill in the fields below."));
    m_url->setClearButtonEnabled(true);

    m_host = new QLineEdit(this);
    m_host->setObjectName(QStringLiteral("storeHost"));
    m_host->setPlaceholderText(QStringLiteral("db.example.org"));
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("storePort"));
    m_port->setRange(1, 65535);
    m_port->setValue(kDefaultPort);
    m_port->setGroupSeparatorShown(false);
    m_database = new QLineEdit(this);
    m_database->setObjectName(QStringLiteral("storeDatabase"));
    m_database->setPlaceholderText(QStringLiteral("kiln"));
    m_user = new QLineEdit(this);
    m_user->setObjectName(QStringLiteral("storeUser"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("storePassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("from the keychain or ~/.pgpass when empty"));
    m_remember = new QCheckBox(tr("Remember in keychain"), this);
    m_remember->setObjectName(QStringLiteral("rememberPassword"));
    m_remember->setToolTip(tr("Keeps the password in the desktop keychain (or Kiln's private credentials file) "
                              "for this store, so it opens again without asking; kilnctl and Slurm jobs of this "
                              "user find it there too. Never written into settings or the workspace."));
    m_remember->setChecked(QSettings().value(kRememberKey, true).toBool());
    m_blobs = new QLineEdit(this);
    m_blobs->setObjectName(QStringLiteral("storeBlobFolder"));
    m_blobs->setPlaceholderText(tr("the folder the store records, when it has one"));
    m_blobs->setToolTip(tr("Where this machine mounts the folder shared by everyone using the store: datasets, "
                           "models, artifacts and run logs live there. May be left empty when the store already "
                           "records one."));
    m_browse = new QPushButton(tr("Browse…"), this);
    connect(m_browse, &QPushButton::clicked, this, &TeamStoreDialog::chooseBlobFolder);

    auto *hostRow = new QHBoxLayout;
    hostRow->addWidget(m_host, 1);
    hostRow->addWidget(new QLabel(tr("Port"), this));
    hostRow->addWidget(m_port);
    auto *passwordRow = new QHBoxLayout;
    passwordRow->addWidget(m_password, 1);
    passwordRow->addWidget(m_remember);
    auto *blobRow = new QHBoxLayout;
    blobRow->addWidget(m_blobs, 1);
    blobRow->addWidget(m_browse);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("URL"), m_url);
    form->addRow(tr("Host"), hostRow);
    form->addRow(tr("Database"), m_database);
    form->addRow(tr("User"), m_user);
    form->addRow(tr("Password"), passwordRow);
    form->addRow(tr("Blob folder"), blobRow);

    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("teamStoreBusy"));
    m_busy->setRange(0, 0); // busy: no percentage to show
    m_busy->setTextVisible(false);
    m_busy->setMaximumHeight(fontMetrics().height() / 2 + 2);
    m_busy->hide();
    m_busyText = viewutil::newNoteLabel(QStringLiteral("teamStoreStatus"), this);
    m_busyText->hide();

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    openButton()->setObjectName(QStringLiteral("openStoreButton"));
    cancelButton()->setObjectName(QStringLiteral("cancelStoreButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &TeamStoreDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &TeamStoreDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_busy);
    layout->addWidget(m_busyText);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    // Either way in: typing a field rewrites the URL (without the password), pasting a URL
    // fills the fields. textEdited: only the user's edits, so neither feeds the other back.
    connect(m_url, &QLineEdit::textEdited, this, &TeamStoreDialog::updateFieldsFromUrl);
    for (QLineEdit *edit : {m_host, m_database, m_user, m_blobs})
        connect(edit, &QLineEdit::textEdited, this, &TeamStoreDialog::updateUrlFromFields);
    connect(m_port, &QSpinBox::valueChanged, this, &TeamStoreDialog::updateUrlFromFields);

    const QString last = QSettings().value(kLocationKey).toString();
    if (Workspace::isStoreUrl(last)) {
        setLocation(last);
    } else {
        m_host->setText(QStringLiteral("localhost"));
        m_user->setText(qEnvironmentVariable("USER"));
        updateUrlFromFields();
    }
    resize(620, sizeHint().height());
}

TeamStoreDialog::~TeamStoreDialog() = default;

QPushButton *TeamStoreDialog::openButton() const
{
    return m_buttons->button(QDialogButtonBox::Open);
}

QPushButton *TeamStoreDialog::cancelButton() const
{
    return m_buttons->button(QDialogButtonBox::Cancel);
}

void TeamStoreDialog::setLocation(const QString &location)
{
    m_url->setText(location);
    updateFieldsFromUrl();
}

QString TeamStoreDialog::location() const
{
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setHost(m_host->text().trimmed());
    url.setPort(m_port->value());
    url.setUserName(m_user->text().trimmed());
    url.setPath(u'/' + m_database->text().trimmed());
    // Other options of a pasted URL (sslmode, connect_timeout...) are kept as they were.
    QUrlQuery query(QUrl(m_url->text().trimmed()));
    query.removeAllQueryItems(QStringLiteral("blobs"));
    const QString blobs = m_blobs->text().trimmed();
    if (!blobs.isEmpty())
        query.addQueryItem(QStringLiteral("blobs"), QString::fromLatin1(QUrl::toPercentEncoding(blobs, "/")));
    url.setQuery(query);
    return url.toString();
}

void TeamStoreDialog::updateUrlFromFields()
{
    m_url->setText(location());
}

void TeamStoreDialog::updateFieldsFromUrl()
{
    const QString text = m_url->text().trimmed();
    if (!Workspace::isStoreUrl(text))
        return;
    const QUrl url(text);
    m_host->setText(url.host());
    m_port->blockSignals(true); // the URL is the source here: do not rewrite it
    m_port->setValue(url.port(kDefaultPort));
    m_port->blockSignals(false);
    m_database->setText(url.path().mid(1));
    m_user->setText(url.userName());
    if (!url.password().isEmpty()) {
        // A pasted password goes to its field, never into the URL shown or kept.
        m_password->setText(url.password());
        QUrl shown(url);
        shown.setPassword({});
        m_url->setText(shown.toString());
    }
    m_blobs->setText(QUrlQuery(url).queryItemValue(QStringLiteral("blobs"), QUrl::FullyDecoded));
}

void TeamStoreDialog::chooseBlobFolder()
{
    auto *dialog = new QFileDialog(this, tr("Blob Folder of the Team Store"), m_blobs->text());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) {
        m_blobs->setText(folder);
        updateUrlFromFields();
    });
    dialog->open();
}

bool TeamStoreDialog::isBusy() const
{
    return m_pending != nullptr;
}

void TeamStoreDialog::accept()
{
    openStore();
}

void TeamStoreDialog::reject()
{
    if (!m_pending) {
        QDialog::reject();
        return;
    }
    // libpq cannot be interrupted: the attempt goes on to its end on the worker, unheard,
    // and what it opened is closed there.
    m_pending->disconnect(this);
    m_pending = nullptr;
    setBusy(false, tr("Stopped waiting for %1.").arg(Database::displayUrl(location())));
}

void TeamStoreDialog::openStore()
{
    start(false);
}

void TeamStoreDialog::start(bool create)
{
    if (m_pending)
        return;
    QStringList missing;
    if (m_host->text().trimmed().isEmpty())
        missing << tr("the host");
    if (m_database->text().trimmed().isEmpty())
        missing << tr("the database");
    if (!missing.isEmpty()) {
        setBusy(false, tr("Give %1 of the team store.").arg(missing.join(tr(" and "))));
        return;
    }
    const QString store = location();
    const QString shown = Database::displayUrl(store);
    const QString password = m_password->text();
    const bool remember = m_remember->isChecked();
    setBusy(true, create ? tr("Making %1 a Kiln team store…").arg(shown) : tr("Connecting to %1…").arg(shown));

    auto *watcher = new QFutureWatcher<Outcome>(this);
    m_pending = watcher;
    connect(watcher, &QFutureWatcherBase::finished, watcher, &QObject::deleteLater);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        m_pending = nullptr;
        finish(watcher->future().takeResult());
    });
    watcher->setFuture(QtConcurrent::run([store, password, remember, create] {
        Outcome outcome;
        const QString connectTo = withPassword(store, password);
        {
            // A connection of its own first: it tells a wrong password or an unreachable
            // server from a database that is not a Kiln store yet, before anything is made.
            Expected<std::unique_ptr<Database>> db = Database::open(connectTo);
            if (!db) {
                outcome.message = db.errorMessage();
                return outcome;
            }
            if (!create) {
                Expected<Statement> kiln
                    = (*db)->prepare("SELECT CASE WHEN to_regclass('kiln_schema') IS NULL THEN 0 ELSE 1 END");
                if (!kiln || !kiln->next()) {
                    outcome.message = kiln ? (*db)->lastStepStatus().errorMessage() : kiln.errorMessage();
                    return outcome;
                }
                if (kiln->int64(0) == 0) {
                    outcome.kind = Outcome::Kind::NotAStore;
                    return outcome;
                }
            }
        }
        // A remembered password is kept under the store's name, so the store's location
        // (what workers, kilnctl and Slurm jobs open) never holds it. One not remembered
        // lives in this session's location only.
        if (remember && !password.isEmpty()) {
            if (Status saved = Database::storePassword(store, password.toUtf8()); !saved) {
                outcome.message = tr("the password could not be kept in the keychain: %1").arg(saved.errorMessage());
                return outcome;
            }
        }
        Expected<std::unique_ptr<Workspace>> opened
            = Workspace::open(remember ? store : connectTo,
                              create ? Workspace::OpenMode::CreateIfMissing : Workspace::OpenMode::OpenExisting);
        if (!opened) {
            outcome.message = opened.errorMessage();
            return outcome;
        }
        outcome.kind = Outcome::Kind::Opened;
        outcome.workspace = std::move(opened).value();
        return outcome;
    }));
}

void TeamStoreDialog::setBusy(bool busy, const QString &message)
{
    m_busy->setVisible(busy);
    m_busyText->setText(message);
    m_busyText->setVisible(!message.isEmpty());
    for (QWidget *field : std::initializer_list<QWidget *> {m_url, m_host, m_port, m_database, m_user, m_password,
                                                            m_remember, m_blobs, m_browse})
        field->setEnabled(!busy);
    openButton()->setEnabled(!busy);
}

void TeamStoreDialog::finish(Outcome outcome)
{
    switch (outcome.kind) {
    case Outcome::Kind::Opened:
        setBusy(false);
        m_workspace = std::move(outcome.workspace);
        {
            QSettings settings;
            settings.setValue(kLocationKey, location());
            settings.setValue(kRememberKey, m_remember->isChecked());
        }
        Q_EMIT workspaceOpened();
        QDialog::accept();
        return;
    case Outcome::Kind::NotAStore:
        setBusy(false);
        offerToCreate();
        return;
    case Outcome::Kind::Failed:
        setBusy(false);
        showFailure(outcome.message);
        return;
    }
}

std::unique_ptr<Workspace> TeamStoreDialog::takeWorkspace()
{
    // The Workspace and its connection were made on a worker thread and are handed to the
    // GUI thread here. That is fine: a SQLite or libpq connection may move between threads
    // as long as two threads never use it at once, and the worker is done with it.
    return std::move(m_workspace);
}

QMessageBox *TeamStoreDialog::newMessageBox(const QString &objectName)
{
    auto *box = new QMessageBox(this);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::PlainText);
    return box;
}

void TeamStoreDialog::showFailure(const QString &message)
{
    const QString shown = Database::displayUrl(location());
    QMessageBox *box = newMessageBox(QStringLiteral("teamStoreError"));
    box->setIcon(QMessageBox::Warning);
    box->setWindowTitle(tr("Cannot Open Team Store"));
    box->setText(tr("Kiln could not open the team store %1.").arg(shown));
    QString details = message;
    if (message.contains(QLatin1String("password authentication failed")))
        details += u"\n\n" + tr("Check the user name and the password.");
    else if (message.contains(QLatin1String("newer than this Kiln")))
        details += u"\n\n" + tr("Someone opened it with a newer Kiln; update this one to open it.");
    box->setInformativeText(details);
    box->setStandardButtons(QMessageBox::Ok);
    box->open();
}

void TeamStoreDialog::offerToCreate()
{
    const QString shown = Database::displayUrl(location());
    QMessageBox *box = newMessageBox(QStringLiteral("teamStoreNotKiln"));
    box->setIcon(QMessageBox::Question);
    box->setWindowTitle(tr("Not a Kiln Team Store"));
    box->setText(tr("%1 is not a Kiln team store yet.").arg(shown));
    const QString blobs = m_blobs->text().trimmed();
    if (blobs.isEmpty()) {
        box->setInformativeText(tr("To make it one, choose the blob folder every machine of the team mounts "
                                   "(datasets, models and run files go there), then open it again."));
        box->setStandardButtons(QMessageBox::Ok);
        box->open();
        return;
    }
    box->setInformativeText(tr("Make it one? Kiln creates its tables in this database and keeps datasets, models "
                               "and run files in %1.")
                                .arg(QDir::toNativeSeparators(blobs)));
    QPushButton *make = box->addButton(tr("Make It a Kiln Store"), QMessageBox::AcceptRole);
    make->setObjectName(QStringLiteral("makeStoreButton"));
    box->addButton(QMessageBox::Cancel);
    connect(make, &QPushButton::clicked, this, [this] { start(true); });
    box->open();
}

} // namespace kiln
