#pragma once

#include "registry/registrytypes.h"

#include <QGraphicsView>

#include <memory>

namespace kiln {

/// The lineage of one model version as a graph, left to right: dataset version (name@v,
/// short hash, rows) → run (name, experiment, key metric) → model version (name@v, aliases,
/// status) → one node per deployment (target, status). Nodes are rounded boxes with arrows
/// between them, coloured by kind; an imported version shows its origin instead of a run
/// when the run is not in this workspace. Clicking a node (or Enter on the focused one, Tab
/// moves between them) emits the matching signal. Scales to fit; drawn with the palette so
/// it reads in light and dark themes.
class LineageView final : public QGraphicsView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LineageView)

public:
    explicit LineageView(QWidget *parent = nullptr);
    ~LineageView() override;

    /// Draws `version`'s lineage; `datasetVersionPresent` says whether the dataset version
    /// exists in this workspace (else its node is drawn dashed and not clickable).
    void setVersion(const ModelVersion &version, bool datasetVersionPresent);
    void clear();

    /// Node kinds, for tests: the scene position of a node's centre, or a null point. When
    /// the version has no deployment, Deployment 0 is the "not deployed" placeholder.
    enum class Node { Dataset, Run, Version, Deployment };
    QPointF nodeCenter(Node node, int index = 0) const;
    /// The boxes drawn, the "not deployed" placeholder included.
    int nodeCount() const;

Q_SIGNALS:
    void datasetActivated(const QString &datasetName, int version);
    void runActivated(qint64 runId);
    void versionActivated(const QString &modelName, int version);
    void deploymentActivated(qint64 deploymentId);

protected:
    bool event(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace kiln
