#include "serving/oip.h"

// Stub: the owner of this file replaces it.
