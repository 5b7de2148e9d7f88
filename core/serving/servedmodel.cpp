#include "serving/servedmodel.h"

// Stub: the owner of this file replaces it.
