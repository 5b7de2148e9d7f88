#pragma once

#include "runs/runtypes.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace kiln {

class TextTableModel;
class Workspace;

/// The Artifacts tab: the files a run kept (model, evaluation, predictions, log, outputs) with
/// their size and SHA-256, and Save As… to copy one out of the blob store (on a worker).
class RunArtifactsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunArtifactsView)

public:
    explicit RunArtifactsView(QWidget *parent = nullptr);
    ~RunArtifactsView() override;

    /// Lists `artifacts`, whose bytes are the blobs of `workspace` (not owned).
    void setArtifacts(Workspace *workspace, const QList<ArtifactInfo> &artifacts, const QString &emptyText = {});
    void clear();
    /// Copies the artifact `path` to `destination` on a worker; the tab says how it went.
    void saveArtifact(const QString &path, const QString &destination);

    QTableView *view() const { return m_view; }
    TextTableModel *model() const { return m_model; }
    QPushButton *saveButton() const { return m_save; }

Q_SIGNALS:
    void artifactSaved(const QString &destination, bool ok);

private:
    void chooseDestination();

    Workspace *m_workspace = nullptr;
    QList<ArtifactInfo> m_artifacts;
    TextTableModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QPushButton *m_save = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace kiln
