// Placeholder (owned by a helper).
#include "appearance.h"
