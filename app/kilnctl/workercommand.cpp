// kilnctl worker --run UUID: the body of a cluster job (see core/slurm/slurmexecutor.h).
#include "cli.h"
