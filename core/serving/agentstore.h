#pragma once

#include "serving/servedmodel.h"
#include "util/expected.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace kiln {

/// kiln-serve's data folder: the bundles it was given and which one is current. Layout:
/// `bundles/<sha256>.kiln.tar.gz` and `state.json` {"current": sha256|null, "previous":
/// sha256|null}, written whole (QSaveFile) after the bundle file is complete, so a kill at any
/// moment leaves the last good state. Only the current and previous bundles are kept.
/// Not thread-safe: the agent serialises pushes, rollbacks and undeploys.
class AgentStore final
{
public:
    explicit AgentStore(QString dataDir);

    /// Creates the folder if needed and loads the current model (falling back to the previous
    /// one if the current no longer loads; the reason goes to `warning`). Null when none.
    Expected<std::shared_ptr<const ServedModel>> loadCurrent(QString *warning = nullptr);
    /// Writes `bundleBytes` beside, verifies and loads it; only then makes it current and the
    /// old current previous. A refused bundle changes nothing on disk.
    Expected<std::shared_ptr<const ServedModel>> install(const QByteArray &bundleBytes);
    /// Makes the previous bundle current (and the current previous); an error when none.
    Expected<std::shared_ptr<const ServedModel>> rollback();
    /// No current model (the bundle stays as previous, so rollback brings it back).
    Status clear();

    QString dataDir() const { return m_dir; }

private:
    QString m_dir;
};

} // namespace kiln
