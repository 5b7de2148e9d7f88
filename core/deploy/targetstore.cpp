#include "deploy/targetstore.h"

// Stub: the owner of this file replaces it.
