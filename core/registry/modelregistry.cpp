#include "registry/modelregistry.h"

// Stub: helper A implements.
