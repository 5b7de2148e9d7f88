#include "monitoring/metricssnapshot.h"

// Stub: the owner of this file replaces it.
