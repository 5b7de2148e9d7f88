#pragma once

#include "deploy/deploytarget.h"
#include "util/expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>
#include <utility>

namespace kiln::Internal {

/// The files of a deploy folder (a "folder" target, or the remote folder of an "ssh" target):
/// the bundle served now, the one before it (what rollback returns to), and the state file
/// that says which model version each of them is.
inline constexpr char kCurrentBundleFile[] = "current.kiln.tar.gz";
inline constexpr char kPreviousBundleFile[] = "previous.kiln.tar.gz";
inline constexpr char kDeployStateFile[] = "kiln-deploy.json";

/// The contents of kiln-deploy.json: which model version `current.kiln.tar.gz` and
/// `previous.kiln.tar.gz` hold. A plain value type, any thread.
/// JSON: {"format": "kiln-deploy", "formatVersion": 1,
///        "current": {"name", "version", "sha256", "deployedAt"} | null, "previous": ... | null}
struct DeployFolderState
{
    struct Entry
    {
        QString name;
        int version = 0;
        QString sha256;
        QDateTime deployedAt; ///< UTC
    };
    std::optional<Entry> current;
    std::optional<Entry> previous;

    /// Parses the state file's bytes; empty bytes give an empty state (a fresh folder). The
    /// error says what is wrong ("kiln-deploy.json: 'current.version' is a string, expected a
    /// number"); callers prefix the target or path.
    static Expected<DeployFolderState> fromJson(const QByteArray &json);
    QByteArray toJson() const; ///< indented, ends with a newline

    /// Rollback: current and previous change places (the caller checks `previous` first).
    void swap() { std::swap(current, previous); }

    /// The state after `request` was made current (now): the bundle that was current becomes
    /// previous; with none, previous is kept only while its file is there (`hasPrevious`).
    DeployFolderState pushed(const PushRequest &request, bool hadCurrent, bool hasPrevious) const;
    /// The state after a rollback (swap); without a current bundle file, previous ends empty.
    DeployFolderState rolledBack(bool hadCurrent) const;
    /// The state after an undeploy: the current bundle becomes previous, nothing is current.
    DeployFolderState undeployed() const;
    /// Status from the state and which bundle files are there: "stored" (model, version,
    /// SHA-256) or "empty", and the previous version.
    void describe(TargetStatus &status, bool hasCurrent, bool hasPrevious) const;
};

/// The "folder" target kind (stateless; lives for the process): a local folder that holds the
/// current and previous bundle and kiln-deploy.json. Nothing serves from it ("stored").
const TargetKind *folderTargetKind();

} // namespace kiln::Internal
