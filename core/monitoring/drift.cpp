#include "monitoring/drift.h"

// Stub: the owner of this file replaces it.
