// Stub: the kilnctl helper writes the targets, deploy, deployments and serve commands here.
#include "cli.h"
