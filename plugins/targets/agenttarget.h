#pragma once

#include "deploy/deploytarget.h"

namespace kiln::Internal {

/// The "agent" target kind (stateless; lives for the process): a kiln-serve agent reached by
/// its base URL, with its admin token as the secret. Push is PUT /bundle (streamed), status
/// GET /version and /v2/health/ready, rollback POST /rollback, undeploy DELETE /bundle.
const TargetKind *agentTargetKind();

} // namespace kiln::Internal
