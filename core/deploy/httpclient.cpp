#include "deploy/httpclient.h"

// Stub: the owner of this file replaces it.
