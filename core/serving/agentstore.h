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
/// A pushed bundle is first written and verified as `incoming/pushed.kiln.tar.gz`; files that
/// state.json does not name (a push cut short by a kill) are removed on the next start.
/// Not thread-safe: the agent serialises pushes, rollbacks and undeploys.
class AgentStore final
{
public:
    explicit AgentStore(QString dataDir);

    /// Creates the folder if needed and loads the current model (falling back to the previous
    /// one if the current no longer loads; the reason goes to `warning`). Null when none.
    Expected<std::shared_ptr<const ServedModel>> loadCurrent(QString *warning = nullptr);
    /// The previous bundle loaded (after loadCurrent()); null when there is none.
    Expected<std::shared_ptr<const ServedModel>> loadPrevious();
    /// Writes `bundleBytes` beside, verifies and loads it; only then makes it current and the
    /// old current previous. A refused bundle changes nothing on disk. On failure `refused`
    /// says whether the bundle was at fault (true) or the folder could not be written (false).
    Expected<std::shared_ptr<const ServedModel>> install(const QByteArray &bundleBytes, bool *refused = nullptr);
    /// Makes the previous bundle current (and the current previous); an error when none.
    Expected<std::shared_ptr<const ServedModel>> rollback();
    /// No current model (the bundle stays as previous, so rollback brings it back).
    Status clear();

    bool hasPrevious() const { return !m_previous.isEmpty(); }
    QString currentSha256() const { return m_current; } ///< empty: none
    QString previousSha256() const { return m_previous; }
    QString dataDir() const { return m_dir; }

private:
    QString bundlePath(const QString &sha256) const;
    Status readState();
    Status writeState(QString current, QString previous); ///< by value: callers pass m_current, m_previous
    void removeUnnamedFiles() const;

    QString m_dir;
    QString m_current; ///< sha256 of the current bundle; empty: none
    QString m_previous;
};

} // namespace kiln
