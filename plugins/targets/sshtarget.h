#pragma once

#include "deploy/deploytarget.h"

namespace kiln::Internal {

/// The "ssh" target kind (stateless; lives for the process): a folder on a host reached over
/// SSH (libssh), with the layout of a folder target (current.kiln.tar.gz, previous.kiln.tar.gz,
/// kiln-deploy.json). A push uploads over SFTP beside the current bundle, switches by renames,
/// then runs the configured reload command in the folder; a failed reload switches back.
/// The connection itself (libssh, host keys, kilnKnownHostsPath()) is in sshconnection.h.
const TargetKind *sshTargetKind();

} // namespace kiln::Internal
