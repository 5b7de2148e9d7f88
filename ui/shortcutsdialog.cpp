// Placeholder (owned by a helper).
#include "shortcutsdialog.h"
