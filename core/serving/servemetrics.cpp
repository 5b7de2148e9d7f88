#include "serving/servemetrics.h"

// Stub: the owner of this file replaces it.
