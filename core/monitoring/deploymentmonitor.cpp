#include "monitoring/deploymentmonitor.h"

namespace kiln {

// Stub: the owner of this file replaces it.
DeploymentMonitor::DeploymentMonitor(QObject *parent)
    : QObject(parent)
{
}

DeploymentMonitor::~DeploymentMonitor() = default;

} // namespace kiln
