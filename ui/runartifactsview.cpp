#include "runartifactsview.h"

#include "appearance.h"
#include "models/texttablemodel.h"
#include "theme.h"
#include "viewutil.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace kiln {

namespace {

enum Column { PathColumn, SizeColumn, ShaColumn };

/// Copies a blob out, replacing the destination only once the copy is whole.
QString copyBlob(const QString &source, const QString &destination)
{
    const QString partial = destination + QStringLiteral(".part");
    QFile::remove(partial);
    if (!QFile::copy(source, partial))
        return RunArtifactsView::tr("cannot write %1").arg(QDir::toNativeSeparators(partial));
    QFile::remove(destination);
    if (!QFile::rename(partial, destination)) {
        QFile::remove(partial);
        return RunArtifactsView::tr("cannot write %1").arg(QDir::toNativeSeparators(destination));
    }
    return {};
}

} // namespace

RunArtifactsView::RunArtifactsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new TextTableModel(this))
    , m_view(new QTableView(this))
    , m_save(new QPushButton(tr("Save As…"), this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("runArtifacts"));
    m_model->setHeader({tr("Path"), tr("Size"), tr("SHA-256")});
    m_view->setObjectName(QStringLiteral("artifactTable"));
    m_view->setModel(m_model);
    viewutil::setUpReadOnlyTable(m_view);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->horizontalHeader()->setSectionResizeMode(PathColumn, QHeaderView::Interactive);
    m_view->setColumnWidth(PathColumn, 260);
    m_view->setColumnWidth(SizeColumn, 100);
    m_save->setObjectName(QStringLiteral("saveArtifact"));
    m_save->setEnabled(false);
    m_save->setToolTip(tr("Copy the selected artifact to a file of your choice."));
    appearance::setTextRole(m_status, appearance::TextRole::Muted);
    m_status->setTextFormat(Qt::PlainText);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 6);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_save);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_view, 1);
    layout->addLayout(bar);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_save->setEnabled(m_view->selectionModel()->hasSelection()); });
    connect(m_view, &QTableView::doubleClicked, this, &RunArtifactsView::chooseDestination);
    connect(m_save, &QPushButton::clicked, this, &RunArtifactsView::chooseDestination);
}

RunArtifactsView::~RunArtifactsView() = default;

void RunArtifactsView::setArtifacts(Workspace *workspace, const QList<ArtifactInfo> &artifacts,
                                    const QString &emptyText)
{
    m_workspace = workspace;
    m_artifacts = artifacts;
    QList<QVariantList> rows;
    QList<QStringList> tips;
    for (const ArtifactInfo &artifact : artifacts) {
        rows.append({artifact.path, QLocale().formattedDataSize(artifact.size), artifact.sha256});
        tips.append({artifact.path, tr("%1 bytes").arg(QLocale().toString(artifact.size)), artifact.sha256});
    }
    m_model->setRows(rows);
    m_model->setToolTips(tips);
    m_save->setEnabled(false);
    m_status->setText(artifacts.isEmpty()
                          ? (emptyText.isEmpty() ? tr("This run kept no artifacts.") : emptyText)
                          : tr("%1 kept. Double-click one, or select it and Save As…, to copy it out.")
                                .arg(artifacts.size() == 1 ? tr("1 file") : tr("%1 files").arg(artifacts.size())));
}

void RunArtifactsView::clear()
{
    setArtifacts(nullptr, {}, tr("Choose a run to see the files it kept."));
}

void RunArtifactsView::chooseDestination()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid() || current.row() >= m_artifacts.size())
        return;
    const QString path = m_artifacts.at(current.row()).path;
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    auto *dialog = new QFileDialog(this, tr("Save Artifact As"), QDir(folder).filePath(QFileInfo(path).fileName()));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    connect(dialog, &QFileDialog::fileSelected, this,
            [this, path](const QString &destination) { saveArtifact(path, destination); });
    dialog->open();
}

void RunArtifactsView::saveArtifact(const QString &path, const QString &destination)
{
    const auto artifact = std::find_if(m_artifacts.cbegin(), m_artifacts.cend(),
                                       [&path](const ArtifactInfo &a) { return a.path == path; });
    if (!m_workspace || artifact == m_artifacts.cend())
        return;
    const QString source = m_workspace->blobs().pathFor(artifact->sha256);
    m_status->setText(tr("Saving %1…").arg(path));
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, destination] {
        watcher->deleteLater();
        const QString error = watcher->result();
        m_status->setText(error.isEmpty() ? tr("Saved %1").arg(QDir::toNativeSeparators(destination))
                                          : tr("Not saved: %1").arg(error));
        Q_EMIT artifactSaved(destination, error.isEmpty());
    });
    watcher->setFuture(QtConcurrent::run(copyBlob, source, destination));
}

} // namespace kiln
