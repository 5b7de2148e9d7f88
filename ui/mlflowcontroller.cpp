// Placeholder (owned by a helper).
#include "mlflowcontroller.h"
