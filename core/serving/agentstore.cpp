#include "serving/agentstore.h"

// Stub: the owner of this file replaces it.
