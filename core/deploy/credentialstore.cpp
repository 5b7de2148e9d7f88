#include "deploy/credentialstore.h"

// Stub: the owner of this file replaces it.
