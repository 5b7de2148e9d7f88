#include "registry/registrytypes.h"

// Stub: helper A implements.
