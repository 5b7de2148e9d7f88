#include "registry/bundle.h"

// Stub: helper C implements.
